from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from motcua.api.problems import problem_response
from motcua.api.v1 import api


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown /api/ URLs answer problem+json, not the HTML 404 page."""
    return problem_response(request, 404, "not_found", _("Không tìm thấy địa chỉ API này."))


urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
