"""Motcua API v1 (django-ninja), mounted at /api/v1/; OpenAPI docs at /api/v1/docs.

Authentication: the browser session of a logged-in user (officers must have passed
their second factor), or `Authorization: Bearer <token>` of an ApiClient created with
`motcua api_client_create` or on the administrators' page. Every error is RFC 7807
`application/problem+json` (motcua/api/problems.py): Vietnamese `title`/`detail`, a
stable `code`, and `errors` for validation errors. Calls are rate-limited per client,
user or IP (motcua/api/ratelimit.py).
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
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    Throttled,
    ValidationError,
)
from ninja.security import HttpBearer, SessionAuth

from motcua.api import openapi
from motcua.api.models import ApiClient
from motcua.api.problems import ApiError, problem_response
from motcua.api.ratelimit import CallerRateThrottle, apply_headers
from motcua.api.services import api_client_authenticate

__all__ = ["ApiError", "api", "require_scope"]

logger = logging.getLogger(__name__)


class OfficerAwareSessionAuth(SessionAuth):
    """Django session; staff accounts count only after their second factor.

    CSRF protects what a browser sends by itself (the session cookie), so it is checked
    only for a request authenticated by its session: a machine client's bearer token is
    never sent by a browser on its own and needs no CSRF token. A request carrying both
    a logged-in session and an `Authorization` header is refused (OWASP ASVS V3.5: one
    authentication mechanism per request)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        logged_in = bool(getattr(request, "user", None) and request.user.is_authenticated)
        if request.headers.get("Authorization"):
            if logged_in:
                raise ApiError(
                    400,
                    _(
                        "Yêu cầu vừa có phiên đăng nhập vừa có mã truy cập (token). "
                        "Vui lòng chỉ dùng một cách xác thực."
                    ),
                    "ambiguous_credentials",
                )
            return None
        if not logged_in:
            return None  # nothing for CSRF to protect; another method may still apply
        try:
            return super()._get_key(request)
        except HttpError as exc:
            raise ApiError(
                403,
                _("Thiếu hoặc sai mã chống giả mạo (CSRF). Vui lòng tải lại trang."),
                "csrf_failed",
            ) from exc

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # A request that presents credentials in `Authorization` is judged by them alone:
        # a wrong or revoked token must not fall back to a browser session.
        if request.headers.get("Authorization"):
            return None
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


class MotcuaAPI(NinjaAPI):
    """Adds the rate-limit headers to every answer and documents the problem responses
    of every operation in the OpenAPI document."""

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        apply_headers(request, response)
        return response

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return openapi.complete(super().get_openapi_schema(*args, **kwargs))


api = MotcuaAPI(
    title="Motcua API",
    version="1.0.0",
    description=openapi.DESCRIPTION,
    urls_namespace="api-v1",
    auth=[OfficerAwareSessionAuth(), ApiTokenAuth()],
    throttle=[CallerRateThrottle()],
    # Swagger UI from the vendored static files (no CDN); no external validator badge.
    docs=Swagger(settings={"validatorUrl": None}),
)


# --- Errors: RFC 7807 problem details, Vietnamese, never an HTML page ----------------


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
    "extra_forbidden": _l("Trường này không được chấp nhận cho thao tác này."),
}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        kind = str(err.get("type", ""))
        message = _VALIDATION_MESSAGES.get(kind, _l("Giá trị không hợp lệ."))
        errors.append({"loc": _location(err.get("loc")), "type": kind, "msg": str(message)})
    return problem_response(
        request,
        422,
        "validation_error",
        _("Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra các trường được liệt kê."),
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        401,
        "not_authenticated",
        _("Chưa xác thực: hãy đăng nhập hoặc gửi mã truy cập (Authorization: Bearer …)."),
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(AuthorizationError)
def on_authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(request, 403, "permission_denied")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(request, 403, "permission_denied")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, 404, "not_found")


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return problem_response(
        request,
        429,
        "rate_limited",
        _("Đã vượt giới hạn số lần gọi API; vui lòng thử lại sau %(seconds)s giây.")
        % {"seconds": int(exc.wait or 1)},
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ApiError):
        return problem_response(request, exc.status_code, exc.code, exc.message, **exc.extra)
    # ninja's own errors carry English text: replace it with ours.
    return problem_response(request, exc.status_code)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error on %s %s", request.method, request.path)
    return problem_response(request, 500, "server_error")


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
        return {
            "kind": "client",
            "client_name": auth.name,
            "scopes": list(auth.scopes or []),
            "units": sorted(auth.units.values_list("code", flat=True)),
        }
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

# Read operations mirroring the UI (motcua/api/readers.py).
from motcua.api import readers  # noqa: E402

api.add_router("/dossiers/", readers.dossier_list)
api.add_router("/catalogue/", readers.catalogue)
api.add_router("/units/", readers.units)
api.add_router("/workdays/", readers.workdays)
api.add_router("/monitoring/", readers.monitoring)

# The load forecast and its suggestions (motcua/monitoring/api.py).
from motcua.monitoring.api import router as load_router  # noqa: E402

api.add_router("/monitoring/", load_router)

# Writes of another system or a citizen's app: online applications (motcua/api/applications.py).
from motcua.api import applications  # noqa: E402

api.add_router("/applications/", applications.router)

# A dossier's fees and payments, timeline, results and forms (motcua/api/dossier_extras.py).
from motcua.api import dossier_extras  # noqa: E402

api.add_router("/dossiers/", dossier_extras.router)

# Issue 26: consent at the counter, the plain-language timeline, supplement notice
# delivery and the receptionists' phone list (motcua/api/dossier_trust.py).
from motcua.api import dossier_trust  # noqa: E402

api.add_router("/dossiers/", dossier_trust.router)
api.add_router("/worklist/", dossier_trust.worklist)

# Linked applications (law.md R40): the portal's linked wizard (motcua/api/linked.py).
from motcua.api import linked  # noqa: E402

api.add_router("/linked-applications/", linked.router)
