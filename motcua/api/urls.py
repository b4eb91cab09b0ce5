from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from motcua.api.v1 import api


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown /api/ URLs answer JSON, not the HTML 404 page."""
    return JsonResponse(
        {"detail": _("Không tìm thấy địa chỉ API này."), "code": "not_found"}, status=404
    )


urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
