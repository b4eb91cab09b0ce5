from django.urls import path

from motcua.documents import public_views

app_name = "verify"

urlpatterns = [
    path("", public_views.lookup, name="lookup"),
    path("pki/demo-root.crl", public_views.demo_crl, name="demo_crl"),
    path("pki/demo-root.crt", public_views.demo_root, name="demo_root"),
    path("<str:code>/", public_views.detail, name="detail"),
    path("<str:code>/tai-ve/", public_views.download, name="download"),
]
