from django.urls import path

from motcua.sandbox_portal import views

app_name = "sandbox_portal"

urlpatterns = [
    path("api/", views.api, name="api"),
    path("", views.console, name="console"),
    path("cong-tac/", views.set_switch, name="switch"),
    path("ho-so/nop-mau/", views.file_sample, name="file_sample"),
    path("ho-so/gui-lai/", views.push_again, name="push_again"),
]
