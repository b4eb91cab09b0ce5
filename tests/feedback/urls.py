"""The project URLs plus the feedback API router on a test NinjaAPI (the real v1 API is
owned by the api app; it mounts the same router at /api/v1/feedback/)."""

from django.urls import path
from ninja import NinjaAPI

from motcua.api.v1 import OfficerAwareSessionAuth
from motcua.config.urls import urlpatterns as project_urlpatterns
from motcua.feedback.api import router

api = NinjaAPI(urls_namespace="feedback-test-api", auth=[OfficerAwareSessionAuth()], docs_url=None)
api.add_router("/feedback/", router, url_name_prefix="fbtest")

urlpatterns = [path("test-api/", api.urls), *project_urlpatterns]
