"""The project URLs plus the public tracking page (to be mounted at /tra-cuu/)."""

from django.urls import include, path

from motcua.config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("tra-cuu/", include("motcua.dossiers.public_urls")),
    *project_urlpatterns,
]
