"""Motcua API v1 (django-ninja), mounted at /api/v1/; OpenAPI docs at /api/v1/docs.

Authentication: the browser session of a logged-in user (officers must have passed
their second factor), or `Authorization: Bearer <token>` of an ApiClient created with
`motcua api_client_create`. Every error is JSON `{"detail": <Vietnamese text>,
"code": <stable machine code>}`; validation errors add `errors`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from motcua.api.models import ApiClient
from motcua.api.services import api_client_authenticate

logger = logging.getLogger(__name__)


class OfficerAwareSessionAuth(SessionAuth):
    """Django session; staff accounts count only after their second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        if (
            getattr(user, "is_officer", False)
            and settings.MOTCUA_STAFF_2FA_REQUIRED
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
        ):
            return None
        return user


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        return api_client_authenticate(token)


api = NinjaAPI(
    title="Motcua API",
    version="1.0.0",
    description="API của hệ thống Một cửa điện tử (phiên bản 1).",
    urls_namespace="api-v1",
    auth=[OfficerAwareSessionAuth(), ApiTokenAuth()],
    # Swagger UI from the vendored static files (no CDN); no external validator badge.
    docs=Swagger(settings={"validatorUrl": None}),
)


# --- Errors: JSON, Vietnamese, never an HTML page ---------------------------------


def error_response(
    request: HttpRequest, status: int, code: str, detail: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


def _location(loc: Any) -> str:
    parts = [str(p) for p in (loc or [])]
    # ninja prefixes with the source ("body", "query", "path") and the param name.
    return ".".join(parts)


# Vietnamese messages for the pydantic error types an API caller meets most.
_VALIDATION_MESSAGES = {
    "missing": _l("Thiếu trường bắt buộc."),
    "bool_parsing": _l("Phải là giá trị đúng/sai (true/false)."),
    "bool_type": _l("Phải là giá trị đúng/sai (true/false)."),
    "int_parsing": _l("Phải là số nguyên."),
    "int_type": _l("Phải là số nguyên."),
    "float_parsing": _l("Phải là số."),
    "decimal_parsing": _l("Phải là số."),
    "string_type": _l("Phải là chuỗi ký tự."),
    "string_too_short": _l("Quá ngắn."),
    "string_too_long": _l("Quá dài."),
    "too_short": _l("Quá ít phần tử."),
    "too_long": _l("Quá nhiều phần tử."),
    "greater_than": _l("Giá trị quá nhỏ."),
    "greater_than_equal": _l("Giá trị quá nhỏ."),
    "less_than": _l("Giá trị quá lớn."),
    "less_than_equal": _l("Giá trị quá lớn."),
    "date_parsing": _l("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
    "date_from_datetime_parsing": _l("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
    "datetime_parsing": _l("Thời điểm không hợp lệ (định dạng ISO 8601)."),
    "datetime_from_date_parsing": _l("Thời điểm không hợp lệ (định dạng ISO 8601)."),
    "uuid_parsing": _l("Mã UUID không hợp lệ."),
    "enum": _l("Giá trị không thuộc danh sách cho phép."),
    "literal_error": _l("Giá trị không thuộc danh sách cho phép."),
    "json_invalid": _l("Nội dung JSON không hợp lệ."),
    "model_attributes_type": _l("Nội dung gửi lên phải là một đối tượng JSON."),
    "dict_type": _l("Nội dung gửi lên phải là một đối tượng JSON."),
    "list_type": _l("Phải là một danh sách."),
}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        kind = str(err.get("type", ""))
        message = _VALIDATION_MESSAGES.get(kind, _l("Giá trị không hợp lệ."))
        errors.append({"loc": _location(err.get("loc")), "type": kind, "msg": str(message)})
    return error_response(
        request,
        422,
        "validation_error",
        _("Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra các trường được liệt kê."),
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request,
        401,
        "not_authenticated",
        _("Chưa xác thực: hãy đăng nhập hoặc gửi mã truy cập (Authorization: Bearer …)."),
    )


@api.exception_handler(AuthorizationError)
def on_authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return error_response(
        request, 403, "permission_denied", _("Bạn không có quyền thực hiện thao tác này.")
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(
        request, 403, "permission_denied", _("Bạn không có quyền thực hiện thao tác này.")
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Không tìm thấy dữ liệu yêu cầu."))


_HTTP_CODES = {
    400: ("bad_request", _l("Yêu cầu không hợp lệ.")),
    401: ("not_authenticated", _l("Chưa xác thực.")),
    403: ("permission_denied", _l("Bạn không có quyền thực hiện thao tác này.")),
    404: ("not_found", _l("Không tìm thấy dữ liệu yêu cầu.")),
    405: ("method_not_allowed", _l("Phương thức không được hỗ trợ.")),
    429: ("rate_limited", _l("Quá nhiều yêu cầu, vui lòng thử lại sau.")),
}


class ApiError(HttpError):
    """Raise from endpoints with a translated message and a stable code."""

    def __init__(self, status_code: int, message: str, code: str = "") -> None:
        super().__init__(status_code, message)
        self.code = code or _HTTP_CODES.get(status_code, ("http_error", ""))[0]


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ApiError):
        return error_response(request, exc.status_code, exc.code, exc.message)
    # ninja's own errors carry English text: replace it with ours.
    code, default = _HTTP_CODES.get(
        exc.status_code, ("http_error", _l("Yêu cầu không thành công."))
    )
    return error_response(request, exc.status_code, code, str(default))


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error on %s %s", request.method, request.path)
    return error_response(
        request,
        500,
        "server_error",
        _("Lỗi hệ thống. Sự cố đã được ghi lại; vui lòng thử lại sau."),
    )


def require_scope(request: HttpRequest, scope: str) -> None:
    """API clients need the scope; session users are governed by their roles."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiClient) and not auth.has_scope(scope):
        raise ApiError(
            403, _("Mã truy cập thiếu phạm vi “%(scope)s”.") % {"scope": scope}, "missing_scope"
        )


# --- Endpoints ----------------------------------------------------------------------


class HealthOut(Schema):
    status: str
    database: str | None = None


@api.get(
    "/health",
    auth=None,
    response={200: HealthOut, 503: HealthOut},
    tags=["system"],
    summary="Tình trạng dịch vụ",
)
def health(request: HttpRequest, deep: bool = False) -> Any:
    """`?deep=true` also checks that the database answers (for load balancers)."""
    if not deep:
        return {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: database unavailable")
        return 503, {"status": "error", "database": "unavailable"}
    return {"status": "ok", "database": "ok"}


class MeOut(Schema):
    kind: str  # "user" or "client"
    username: str | None = None
    full_name: str | None = None
    account_kind: str | None = None
    roles: list[str] = []
    units: list[str] = []
    client_name: str | None = None
    scopes: list[str] = []


@api.get("/me", response=MeOut, tags=["system"], summary="Danh tính của bên gọi")
def me(request: HttpRequest) -> dict[str, Any]:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiClient):
        return {"kind": "client", "client_name": auth.name, "scopes": list(auth.scopes or [])}
    from motcua.org.selectors import active_assignments

    assignments = list(active_assignments(auth))
    return {
        "kind": "user",
        "username": auth.get_username(),
        "full_name": getattr(auth, "full_name", ""),
        "account_kind": str(getattr(auth, "kind", "")),
        "roles": sorted({a.role for a in assignments}),
        "units": sorted({a.unit.code for a in assignments}),
    }


# Domain routers: each app owns its endpoints and calls the same service functions as its views.
from motcua.dossiers.api import router as dossiers_router  # noqa: E402

api.add_router("/dossiers/", dossiers_router)

from motcua.feedback.api import router as feedback_router  # noqa: E402

api.add_router("/feedback/", feedback_router)

from motcua.integrations.api import router as integrations_router  # noqa: E402

api.add_router("/sync/", integrations_router)
