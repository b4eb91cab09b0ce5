from django.urls import path

from motcua.workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("them/", views.override_add, name="override_add"),
    path("<int:pk>/xoa/", views.override_delete, name="override_delete"),
    path("nap-tep/", views.import_upload, name="import"),
    path("gio-lam-viec/", views.office_hours, name="office_hours"),
    path("tinh-han/", views.calculator, name="calculator"),
]
