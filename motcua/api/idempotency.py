"""`Idempotency-Key` for every create of the API (IETF draft "The Idempotency-Key HTTP
Header Field"): a retried create with the same key and the same body gets the first
answer again and never makes a second dossier; the same key with another body is a
422 problem. Keys are stored per caller (API client, or user of a session).

The key row is written in the same transaction as the create: a parallel retry waits
on the unique index and then replays the committed answer; a create that fails leaves
no key behind, so the caller may retry it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from motcua.api.models import ApiClient, IdempotencyRecord
from motcua.api.problems import ApiError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

# OpenAPI: the header every create operation documents.
HEADER_DOC = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": True,
            "description": (
                "Khóa duy nhất do bên gọi sinh cho mỗi lần tạo (ví dụ một UUID). Gửi lại "
                "cùng khóa và cùng nội dung: nhận lại đúng kết quả lần đầu, không tạo thêm "
                "hồ sơ. Cùng khóa, khác nội dung: lỗi 422 (idempotency_key_reused)."
            ),
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "example": "3f1c9a7e-5b1d-4c1e-9d2a-7b6f0e1a2c3d",
        }
    ]
}


def _owner(request: HttpRequest) -> dict[str, Any]:
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiClient):
        return {"client": auth}
    return {"user": request.user}


def fingerprint(request: HttpRequest, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    raw = f"{request.method} {request.path}\n{canonical}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def required_key(request: HttpRequest) -> str:
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        raise ApiError(
            400,
            _("Thiếu tiêu đề Idempotency-Key: mỗi thao tác tạo mới phải gửi một khóa duy nhất."),
            "idempotency_key_missing",
        )
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            400,
            _("Idempotency-Key không hợp lệ (tối đa %(n)s ký tự in được).") % {"n": MAX_KEY_LENGTH},
            "idempotency_key_invalid",
        )
    return key


def _replay(record: IdempotencyRecord, print_: str) -> tuple[int, dict[str, Any]]:
    if record.fingerprint != print_:
        raise ApiError(
            422,
            _(
                "Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác. "
                "Hãy dùng khóa mới cho yêu cầu mới."
            ),
            "idempotency_key_reused",
        )
    return record.status, record.response


def idempotent_create(
    request: HttpRequest, body: Any, create: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any]]:
    """Run `create` once per (caller, key); answers (status, JSON body)."""
    key = required_key(request)
    owner = _owner(request)
    print_ = fingerprint(request, body)
    done = IdempotencyRecord.objects.filter(key=key, **owner).first()
    if done is not None:
        return _replay(done, print_)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                key=key, fingerprint=print_, status=0, response={}, **owner
            )
            status, response = create()
            record.status, record.response = status, response
            record.save(update_fields=["status", "response"])
    except IntegrityError:
        # A parallel request with the same key committed first: answer as it did.
        done = IdempotencyRecord.objects.filter(key=key, **owner).first()
        if done is None:  # pragma: no cover - the other transaction rolled back
            raise ApiError(
                409,
                _("Một yêu cầu khác với cùng Idempotency-Key đang được xử lý; thử lại sau."),
                "idempotency_in_progress",
            ) from None
        return _replay(done, print_)
    return status, response
