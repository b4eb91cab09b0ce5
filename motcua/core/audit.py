"""Append-only, hash-chained audit log (docs/audit.md).

Every business write records one `AuditEntry` through `audit_record()` inside the
caller's transaction. Entries form a linear chain: each stores the previous entry's
hash, and `entry_hash` is SHA-256 over the canonical JSON of all meaningful fields
plus `prev_hash`. Editing, deleting or reordering any row therefore breaks the chain
from that point, which `verify_chain()` detects.

Keeping an operations log of administrative procedures is required by Decree
61/2018/ND-CP (Art. 6, Art. 27 as amended by Decree 107/2021/ND-CP: processing must be
traceable); the chain makes after-the-fact tampering evident.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from motcua.core import request_context
from motcua.core.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64
HEAD_ID = 1

# A snapshot key is dropped when one of its "_"-separated parts (lower-cased) is one
# of these words, or when it ends with one of SECRET_SUFFIXES. Parts, not substrings,
# so that e.g. "footprint" is kept while "otp_secret", "api_token" are dropped.
SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "secret", "token", "otp", "totp", "hotp", "salt", "pin"}
)
SECRET_SUFFIXES = ("password", "secret", "token", "api_key", "apikey", "private_key", "key_hash")

# Fields that enter the hash, in a fixed set (order does not matter: keys are sorted).
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "role",
    "unit_code",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "ip_address",
    "prev_hash",
)


# --- Normalisation -----------------------------------------------------------


def is_secret_key(key: str) -> bool:
    lowered = str(key).lower()
    if lowered.endswith(SECRET_SUFFIXES):
        return True
    return any(part in SECRET_WORDS for part in lowered.replace("-", "_").split("_"))


def _to_json_value(value: Any, strip: bool = True) -> Any:
    """Convert a Python value to plain JSON types (dict/list/str/int/float/bool/None).

    Aware datetimes are converted to UTC ISO-8601 strings, so the same instant always
    serialises identically whatever the active time zone.
    """
    if value is None or type(value) in (bool, int, str):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):  # IntegerChoices and other int subclasses
        return int(value)
    if isinstance(value, str):  # TextChoices and other str subclasses
        return str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, Mapping):
        return {
            str(k): _to_json_value(v, strip)
            for k, v in value.items()
            if not (strip and is_secret_key(str(k)))
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = [_to_json_value(v, strip) for v in value]
        if isinstance(value, set | frozenset):
            items.sort(key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
        return items
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID | Promise):
        return str(value)
    if isinstance(value, models.Model):
        return _to_json_value(value.pk, strip)
    if isinstance(value, bytes | bytearray | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()  # never store raw binary
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return str(value)


def clean_snapshot(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """JSON-normalise a snapshot and drop secret keys (recursively)."""
    if data is None:
        return None
    cleaned = _to_json_value(dict(data))
    assert isinstance(cleaned, dict)
    return cleaned


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of an instance's concrete field values for before/after.

    Foreign keys are stored by id under their attname (``unit_id``); secret-looking
    fields (password, token, otp ...) are never included.
    """
    wanted = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if wanted is not None and field.name not in wanted and field.attname not in wanted:
            continue
        key = field.attname
        if is_secret_key(key) or is_secret_key(field.name):
            continue
        data[key] = field.value_from_object(instance)
    cleaned = clean_snapshot(data)
    assert cleaned is not None
    return cleaned


def canonical_json(data: Mapping[str, Any]) -> str:
    """Sorted keys, compact separators, UTF-8 text (not \\u escapes). Nothing is
    stripped here: a secret-looking key injected later must change the hash."""
    return json.dumps(
        _to_json_value(dict(data), strip=False),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _hash_payload(entry: AuditEntry | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(entry, Mapping):
        payload = {name: entry[name] for name in HASHED_FIELDS}
    else:
        payload = {name: getattr(entry, name) for name in HASHED_FIELDS}
    occurred = payload["occurred_at"]
    if occurred.tzinfo is not None:
        occurred = occurred.astimezone(dt.UTC)
    payload["occurred_at"] = occurred.isoformat()
    return payload


def compute_hash(entry: AuditEntry | Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the canonical UTF-8 JSON of the entry's hashed fields.

    `entry` is a model instance or a mapping with the HASHED_FIELDS keys (a
    `.values()` row). Snapshots are hashed exactly as stored.
    """
    return hashlib.sha256(canonical_json(_hash_payload(entry)).encode("utf-8")).hexdigest()


def _truncate(value: str, field_name: str) -> str:
    max_length = getattr(AuditEntry._meta.get_field(field_name), "max_length", None)
    return value[:max_length] if max_length else value


def _clean_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    field = AuditEntry._meta.get_field("ip_address")
    try:
        return str(field.to_python(ip))
    except Exception:  # an unparsable address is dropped rather than failing the write
        return None


# --- Writing -----------------------------------------------------------------


def _now() -> dt.datetime:
    """Clock of the audit log (a function so tests can pin it)."""
    return dt.datetime.now(dt.UTC)


def _lock_head() -> AuditChainHead:
    """Lock the chain head row (created by migration core.0002; recreated if a test
    flush removed it)."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=HEAD_ID)
    return head


def audit_record(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    unit_code: str = "",
    role: str = "",
    object_repr: str = "",
    anonymous: bool = False,
) -> AuditEntry:
    """Append one entry to the audit chain, inside the caller's transaction.

    `actor` defaults to the authenticated user of the current request; the client IP
    comes from the request context, and so does `via` (the channel, e.g. an API client
    acting for its account), added to `after`. `before`/`after` are normalised to JSON and
    stripped of secrets (use `snapshot()` to build them from a model instance).
    """
    context = request_context.current()
    if context.via:
        after = {**(after or {}), "via": context.via}
    if actor is None:
        candidate = context.user
        if candidate is not None and getattr(candidate, "is_authenticated", False):
            actor = candidate
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    ip_address = context.ip_address
    if anonymous:
        # The action is recorded, not who did it: e.g. the sender of a behaviour
        # complaint, whom only the inspecting body may know (from the item itself).
        actor, ip_address = None, None

    object_type = object_id = ""
    if obj is not None:
        object_type = f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = "" if obj.pk is None else str(obj.pk)
        if not object_repr:
            object_repr = str(obj)

    actor_label = ""
    if actor is not None:
        actor_label = actor.get_username()

    with transaction.atomic():
        head = _lock_head()
        entry = AuditEntry(
            sequence=head.last_sequence + 1,
            occurred_at=_now(),
            actor=actor,
            actor_label=_truncate(actor_label, "actor_label"),
            role=_truncate(str(role or ""), "role"),
            unit_code=_truncate(str(unit_code or ""), "unit_code"),
            action=_truncate(str(action), "action"),
            object_type=_truncate(object_type, "object_type"),
            object_id=_truncate(object_id, "object_id"),
            object_repr=_truncate(str(object_repr), "object_repr"),
            before=clean_snapshot(before),
            after=clean_snapshot(after),
            ip_address=_clean_ip(ip_address),
            prev_hash=head.last_hash,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=HEAD_ID).update(
            last_sequence=entry.sequence, last_hash=entry.entry_hash
        )
    return entry


# --- Verification --------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_sequence: int | None = None
    broken_id: int | None = None
    reason_code: str = ""
    reason: str = ""
    # Tip of the verified chain: keep it outside the database (logs, report, e-mail)
    # and pass it back as `anchor` to detect a rewritten or truncated tail.
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "count": self.count,
            "last_sequence": self.last_sequence,
            "last_hash": self.last_hash,
            "broken_sequence": self.broken_sequence,
            "broken_id": self.broken_id,
            "reason_code": self.reason_code,
            "reason": self.reason,
        }


def iter_entries(chunk_size: int = 1000) -> Iterator[dict[str, Any]]:
    """All entries in sequence order as dicts (id, entry_hash and the hashed fields),
    fetched by keyset pages of `chunk_size` rows: constant memory, each page one
    index range scan on the unique sequence index, no long-lived cursor."""
    last: int | None = None
    fields = ("id", "entry_hash", *HASHED_FIELDS)
    while True:
        qs = AuditEntry.objects.order_by("sequence")
        if last is not None:
            qs = qs.filter(sequence__gt=last)
        page = list(qs.values(*fields)[:chunk_size])
        if not page:
            return
        yield from page
        last = page[-1]["sequence"]
        if len(page) < chunk_size:
            return


def verify_chain(chunk_size: int = 1000, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Recompute every hash and link; report the first broken entry and why.

    `anchor` = (sequence, entry_hash) recorded by an earlier verification. A chain
    rewritten from some point on, with all later hashes and the head recomputed, is
    self-consistent; only a hash remembered from before reveals it.
    """
    expected_sequence = 1
    prev_hash = GENESIS_HASH
    count = 0
    last: dict[str, Any] | None = None
    for entry in iter_entries(chunk_size):
        if entry["sequence"] != expected_sequence:
            return VerifyResult(
                ok=False,
                count=count,
                broken_sequence=entry["sequence"],
                broken_id=entry["id"],
                reason_code="sequence_gap",
                reason=_("thiếu bản ghi: mong đợi số thứ tự %(expected)s, gặp %(found)s")
                % {"expected": expected_sequence, "found": entry["sequence"]},
            )
        if entry["prev_hash"] != prev_hash:
            return VerifyResult(
                ok=False,
                count=count,
                broken_sequence=entry["sequence"],
                broken_id=entry["id"],
                reason_code="prev_mismatch",
                reason=_("liên kết với bản ghi trước không khớp (prev_hash)"),
            )
        if compute_hash(entry) != entry["entry_hash"]:
            return VerifyResult(
                ok=False,
                count=count,
                broken_sequence=entry["sequence"],
                broken_id=entry["id"],
                reason_code="hash_mismatch",
                reason=_("nội dung bản ghi đã bị thay đổi (entry_hash không khớp)"),
            )
        if (
            anchor is not None
            and entry["sequence"] == anchor[0]
            and entry["entry_hash"] != anchor[1]
        ):
            return VerifyResult(
                ok=False,
                count=count,
                broken_sequence=entry["sequence"],
                broken_id=entry["id"],
                reason_code="anchor_mismatch",
                reason=_(
                    "bản ghi khác với lần kiểm tra trước (chuỗi đã bị viết lại từ đây trở về trước)"
                ),
            )
        count += 1
        prev_hash = entry["entry_hash"]
        expected_sequence += 1
        last = entry

    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    head_sequence = head.last_sequence if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    last_sequence = last["sequence"] if last else 0
    if head_sequence != last_sequence or head_hash != prev_hash:
        return VerifyResult(
            ok=False,
            count=count,
            broken_sequence=last_sequence + 1 if head_sequence > last_sequence else last_sequence,
            broken_id=None if head_sequence > last_sequence else (last["id"] if last else None),
            reason_code="head_mismatch",
            reason=_(
                "đầu chuỗi ghi số thứ tự %(head)s nhưng bản ghi cuối là %(last)s "
                "(bản ghi cuối bị xóa hoặc bị sửa)"
            )
            % {"head": head_sequence, "last": last_sequence},
        )
    if anchor is not None and anchor[0] > last_sequence:
        return VerifyResult(
            ok=False,
            count=count,
            broken_sequence=last_sequence + 1,
            broken_id=None,
            reason_code="anchor_mismatch",
            reason=_(
                "chuỗi ngắn hơn lần kiểm tra trước (đã có bản ghi số %(anchor)s): "
                "bản ghi cuối đã bị xóa"
            )
            % {"anchor": anchor[0]},
        )
    return VerifyResult(ok=True, count=count, last_sequence=last_sequence, last_hash=prev_hash)
