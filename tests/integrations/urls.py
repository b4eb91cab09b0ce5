"""Test URLconf: the project URLs plus a private API mounting integrations.api."""

from django.urls import path
from ninja import NinjaAPI
from ninja.security import django_auth

from motcua.config.urls import urlpatterns as project_urls
from motcua.integrations.api import build_router

api = NinjaAPI(urls_namespace="integrations-test-api", auth=django_auth, docs_url=None)
api.add_router("/sync/", build_router())

urlpatterns = [path("test-api/", api.urls), *project_urls]
