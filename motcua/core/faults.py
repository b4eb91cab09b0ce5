"""Turning infrastructure faults into clear answers (docs/operations/faults.md).

`InfrastructureFaultMiddleware` is the last safety net for two faults a user can hit
in any view:

* the database connection drops or the database refuses work (OperationalError /
  InterfaceError: restart, failover, network cut, lock timeout). The business
  transaction of the request has already been rolled back as a whole by
  `transaction.atomic`, so nothing of it was written;
* file storage is full or read-only (OSError ENOSPC / EDQUOT / EROFS) while saving an
  upload. The documents service writes the bytes before the database row and removes
  them when the row fails, so no record points to a missing file.

Instead of a bare 500 the user gets a 503 page in Vietnamese saying that the action was
NOT carried out and asking to retry; the API gets the same as JSON. The page is
rendered without touching the database (no session, menu or user lookup). Apps should
still catch what they can closer to the user (e.g. show the upload error on the form).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger("motcua.faults")

RETRY_AFTER_SECONDS = 5
STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def database_message() -> str:
    return _(
        "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Thao tác của bạn CHƯA được "
        "thực hiện và không có thay đổi nào được lưu. Vui lòng thử lại sau ít giây."
    )


def storage_message() -> str:
    return _(
        "Kho lưu trữ tệp của hệ thống tạm thời không ghi được. Tệp của bạn CHƯA được lưu "
        "và hồ sơ chưa thay đổi. Vui lòng thử lại sau; nếu vẫn lỗi, hãy liên hệ bộ phận "
        "một cửa."
    )


def is_storage_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in STORAGE_FULL_ERRNOS


def classify(exc: BaseException) -> tuple[str, str] | None:
    """(code, message) for a fault this module handles, else None."""
    if isinstance(exc, OperationalError | InterfaceError):
        return "database_unavailable", database_message()
    if is_storage_full(exc):
        return "storage_unavailable", storage_message()
    return None


def _back_url(request: HttpRequest) -> str:
    """Where "Thử lại" leads: the page the user came from, else this page for a GET."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return request.get_full_path() if request.method == "GET" else "/"


class InfrastructureFaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        found = classify(exception)
        if found is None:
            return None
        code, message = found
        logger.error("%s during %s %s: %r", code, request.method, request.path, exception)
        response: HttpResponse
        if request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""
        ):
            response = JsonResponse({"error": code, "detail": message, "retry": True}, status=503)
        else:
            body = render_to_string(
                "core/fault.html", {"message": message, "back": _back_url(request)}
            )
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
