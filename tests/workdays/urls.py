"""Root URLconf for tests: the project's, plus the public calculator mount that
config/urls.py is asked to add (see docs/workdays.md)."""

from django.urls import include, path

from motcua.config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("tra-cuu-ngay-hen/", include("motcua.workdays.public_urls")),
    *project_urlpatterns,
]
