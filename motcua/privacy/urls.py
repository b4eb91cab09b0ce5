from django.urls import path

from motcua.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/chap-thuan/", views.request_approve, name="request_approve"),
    path("<int:pk>/tu-choi/", views.request_refuse, name="request_refuse"),
    path("<int:pk>/thuc-hien/", views.request_execute, name="request_execute"),
    path("luot-xem-ngoai-buoc/", views.reads_outside, name="reads_outside"),
]
