"""Public tracking by dossier code. Include in motcua/config/urls.py with:
path("tra-cuu/", include("motcua.dossiers.public_urls")),
"""

from django.urls import path

from motcua.dossiers import portal_views

app_name = "tracking"

urlpatterns = [
    path("", portal_views.tracking_search, name="search"),
    path("<str:code>/", portal_views.tracking_detail, name="detail"),
]
