from django.urls import path

from motcua.privacy import portal_views

app_name = "my_privacy"

urlpatterns = [
    path("", portal_views.erasure_overview, name="request"),
    path("xac-nhan/", portal_views.erasure_confirm, name="confirm"),
]
