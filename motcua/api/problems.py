"""RFC 7807 ("problem details") error bodies for every API error.

Every error the API answers is `Content-Type: application/problem+json` with

    {"type": "urn:motcua:problem:<code>", "title": <Vietnamese, per kind>,
     "status": <HTTP status>, "detail": <Vietnamese, this occurrence>,
     "instance": <request path>, "code": <stable machine code>}

and, for validation errors, `errors`: [{"loc": "query.deep", "type": "bool_parsing",
"msg": <Vietnamese>}]. `code` is the stable contract for programs; titles and details
are for people and may change wording. This module has no dependency on the NinjaAPI
object so domain routers (dossiers, feedback, …) can raise `ApiError` without an import
cycle.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.errors import HttpError

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:motcua:problem:"

# Title (short, per kind of problem) and default code of each status the API answers.
STATUS_DEFAULTS: dict[int, tuple[str, Promise]] = {
    400: ("bad_request", _("Yêu cầu không hợp lệ")),
    401: ("not_authenticated", _("Chưa xác thực")),
    403: ("permission_denied", _("Không có quyền")),
    404: ("not_found", _("Không tìm thấy")),
    405: ("method_not_allowed", _("Phương thức không được hỗ trợ")),
    409: ("conflict", _("Xung đột dữ liệu")),
    422: ("validation_error", _("Dữ liệu không hợp lệ")),
    429: ("rate_limited", _("Quá nhiều yêu cầu")),
    500: ("server_error", _("Lỗi hệ thống")),
    503: ("unavailable", _("Dịch vụ tạm thời không sẵn sàng")),
}
DEFAULT_DETAILS: dict[int, Promise] = {
    400: _("Yêu cầu không hợp lệ."),
    401: _("Chưa xác thực: hãy đăng nhập hoặc gửi mã truy cập (Authorization: Bearer …)."),
    403: _("Bạn không có quyền thực hiện thao tác này."),
    404: _("Không tìm thấy dữ liệu yêu cầu."),
    405: _("Phương thức không được hỗ trợ."),
    409: _("Dữ liệu đã bị thay đổi bởi người khác; vui lòng tải lại rồi thử lại."),
    429: _("Quá nhiều yêu cầu, vui lòng thử lại sau."),
    500: _("Lỗi hệ thống. Sự cố đã được ghi lại; vui lòng thử lại sau."),
}


class FieldError(Schema):
    loc: str  # "query.deep", "body.expected_version", …
    type: str  # pydantic error type
    msg: str  # Vietnamese message


class Problem(Schema):
    """RFC 7807 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[FieldError] | None = None


class ApiError(HttpError):
    """Raise from endpoints with a translated message and a stable code."""

    def __init__(self, status_code: int, message: str, code: str = "", **extra: Any) -> None:
        super().__init__(status_code, str(message))
        self.code = code or STATUS_DEFAULTS.get(status_code, ("http_error", ""))[0]
        self.extra = extra  # more members of the problem body, e.g. `errors`


def problem_body(
    request: HttpRequest | None,
    status: int,
    code: str = "",
    detail: str = "",
    **extra: Any,
) -> dict[str, Any]:
    default_code, title = STATUS_DEFAULTS.get(status, ("http_error", _("Lỗi")))
    code = code or default_code
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": str(title),
        "status": status,
        "detail": str(detail or DEFAULT_DETAILS.get(status, title)),
        "instance": request.path if request is not None else "",
        "code": code,
    }
    body.update(extra)
    return body


def problem_response(
    request: HttpRequest | None,
    status: int,
    code: str = "",
    detail: str = "",
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = problem_body(request, status, code, detail, **extra)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    if request is not None:
        from motcua.api.ratelimit import apply_headers

        apply_headers(request, response)
    return response
