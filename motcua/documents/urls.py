from django.urls import path

from motcua.documents import views

app_name = "documents"

urlpatterns = [
    path("kho-du-lieu/", views.warehouse, name="warehouse"),
    path("kho-tin-cay/", views.trust_store, name="trust_store"),
    path("so-hoa/", views.digitize, name="digitize"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/tai-ve/", views.download, name="download"),
    path("<uuid:pk>/chu-ky/", views.signature_status, name="signature_status"),
    path("<uuid:pk>/ky-so/", views.sign, name="sign"),
]
