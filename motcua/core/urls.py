from django.urls import path

from motcua.core import views

app_name = "core"

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("xuat-csv/", views.audit_export, name="audit_export"),
    path("<int:pk>/", views.audit_detail, name="audit_detail"),
    path("kiem-tra-chuoi/", views.audit_verify_start, name="audit_verify_start"),
    path("kiem-tra-chuoi/<int:pk>/", views.audit_verify_status, name="audit_verify_status"),
]
