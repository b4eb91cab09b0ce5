"""Completes the generated OpenAPI document: every operation documents its problem
responses (RFC 7807, application/problem+json) and must have a summary and tags.

The committed copy lives at docs/api/openapi.json; `motcua api_schema` rewrites it and
`motcua api_schema --check` (run by tests/api/test_openapi_drift.py) fails when the
served document differs. Texts here are fixed strings (not gettext) so the document does
not depend on the caller's language.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from django.conf import settings

COMMITTED_PATH = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"
REGENERATE_COMMAND = ".venv/bin/motcua api_schema   (or: make openapi)"

DESCRIPTION = """API của hệ thống Một cửa điện tử (phiên bản 1).

**Xác thực**: phiên đăng nhập (cán bộ đã qua xác thực hai lớp) hoặc
`Authorization: Bearer <mã truy cập>` của một ứng dụng gọi API. Mỗi ứng dụng có các
phạm vi (`dossiers:read`, `monitoring:read`, …) và có thể bị giới hạn trong một số đơn vị.

**Cập nhật trạng thái hồ sơ**: ứng dụng có phạm vi `dossiers:write` thực hiện thao tác
bằng `POST /dossiers/{pk}/actions/{action}` thay mặt *tài khoản nghiệp vụ* được gán cho
ứng dụng; vai trò của tài khoản đó tại các đơn vị quyết định thao tác được phép. Hồ sơ
ngoài các đơn vị của ứng dụng trả về 404.

**Lỗi**: mọi lỗi trả về `application/problem+json` theo RFC 7807 với `type`, `title`,
`status`, `detail`, `instance` và `code` (mã ổn định cho chương trình); lỗi dữ liệu có
thêm `errors` (vị trí trường và thông báo).

**Giới hạn tần suất**: mỗi phản hồi có `RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset`; vượt giới hạn trả về 429 kèm `Retry-After`.

**Phân trang**: các danh sách nhận `limit` (tối đa 200) và `offset`, trả về
`{"count": tổng số, "items": [...]}`.
"""

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 7807 problem details (application/problem+json).",
    "type": "object",
    "properties": {
        "type": {"type": "string", "example": "urn:motcua:problem:not_found"},
        "title": {"type": "string", "example": "Không tìm thấy"},
        "status": {"type": "integer", "example": 404},
        "detail": {"type": "string", "example": "Không tìm thấy dữ liệu yêu cầu."},
        "instance": {"type": "string", "example": "/api/v1/dossiers/42"},
        "code": {"type": "string", "example": "not_found"},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/FieldError"},
            "description": "Validation errors only.",
        },
    },
    "required": ["type", "title", "status", "detail", "instance", "code"],
}
FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "FieldError",
    "type": "object",
    "properties": {
        "loc": {"type": "string", "example": "query.deep"},
        "type": {"type": "string", "example": "bool_parsing"},
        "msg": {"type": "string", "example": "Phải là giá trị đúng/sai (true/false)."},
    },
    "required": ["loc", "type", "msg"],
}

RESPONSES = {
    "400": "Yêu cầu không hợp lệ (bad_request, invalid_params, …)",
    "401": "Chưa xác thực (not_authenticated)",
    "403": "Không có quyền (permission_denied, missing_scope)",
    "404": "Không tìm thấy (not_found)",
    "422": "Dữ liệu không hợp lệ (validation_error), kèm `errors`",
    "429": "Quá nhiều yêu cầu (rate_limited), kèm `Retry-After`",
    "500": "Lỗi hệ thống (server_error)",
}
RATE_HEADERS = {
    name: {"description": text, "schema": {"type": "integer"}}
    for name, text in (
        ("RateLimit-Limit", "Số lần gọi cho phép trong chu kỳ"),
        ("RateLimit-Remaining", "Số lần gọi còn lại trong chu kỳ"),
        ("RateLimit-Reset", "Số giây đến khi chu kỳ mới bắt đầu"),
    )
}


def _problem(description: str, *, retry: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if retry:
        response["headers"] = {
            "Retry-After": {"description": "Số giây cần chờ", "schema": {"type": "integer"}},
            **RATE_HEADERS,
        }
    return response


def complete(schema: Any) -> Any:
    """Add the problem responses and the Problem component (idempotent)."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = copy.deepcopy(PROBLEM_SCHEMA)
    schemas["FieldError"] = copy.deepcopy(FIELD_ERROR_SCHEMA)
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = {str(k): v for k, v in operation["responses"].items()}
            codes = ["400", "422", "429", "500"]
            if operation.get("security"):
                codes += ["401", "403"]
            if "{" in path:
                codes.append("404")
            for code in sorted(codes):
                if code in responses and "content" in responses[code]:
                    # Declared by the operation (e.g. 503 of health): keep its schema.
                    continue
                responses[code] = _problem(RESPONSES[code], retry=code == "429")
            for ok in ("200", "201"):
                if ok in responses:
                    responses[ok].setdefault("headers", copy.deepcopy(RATE_HEADERS))
            operation["responses"] = dict(sorted(responses.items()))
    return schema


def problems(schema: Any) -> list[str]:
    """Operations without summary, tags or documented errors."""
    out = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            if not operation.get("summary"):
                out.append(f"{label}: no summary")
            if not operation.get("tags"):
                out.append(f"{label}: no tags")
            if not any(code.startswith(("4", "5")) for code in operation.get("responses", {})):
                out.append(f"{label}: no documented error responses")
    return out


def render(schema: Any) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def served_schema() -> Any:
    """The document /api/v1/openapi.json serves (same prefix as the URL)."""
    from motcua.api.v1 import api

    return api.get_openapi_schema(path_prefix="/api/v1/")
