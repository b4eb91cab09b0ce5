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
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from motcua.core import request_context
from motcua.core.logs import current_correlation_id
from motcua.core.models import AuditChainHead, AuditEntry, AuditSeal

GENESIS_HASH = "0" * 64
LEGACY_CHAIN = 0  # entries written before the lanes (no chain/position): head row 0
# Lanes a transaction can append to without waiting (head rows 1..AUDIT_LANES, created
# by migration core.0005). More lanes than concurrent writers: no writer waits.
AUDIT_LANES = 16

# A snapshot key is dropped when one of its "_"-separated parts (lower-cased) is one
# of these words, or when it ends with one of SECRET_SUFFIXES. Parts, not substrings,
# so that e.g. "footprint" is kept while "otp_secret", "api_token" are dropped.
SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "secret", "token", "otp", "totp", "hotp", "salt", "pin"}
)
SECRET_SUFFIXES = ("password", "secret", "token", "api_key", "apikey", "private_key", "key_hash")

# Fields that enter the hash, in a fixed set (order does not matter: keys are sorted).
# Entries of a lane also hash LANE_FIELDS; entries of chain 0 (before the lanes) do not.
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
LANE_FIELDS = ("chain", "position")


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
    get: Callable[[str], Any] = (
        entry.get if isinstance(entry, Mapping) else lambda name: getattr(entry, name, None)
    )
    fields = HASHED_FIELDS + LANE_FIELDS if get("chain") is not None else HASHED_FIELDS
    payload = {name: get(name) for name in fields}
    if get("request_id"):  # hashed when present: entries written before it keep their hash
        payload["request_id"] = get("request_id")
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


@dataclass
class _Tail:
    """The lane a transaction holds and its tip, kept on the connection so that later
    entries of the same transaction need no lock round trip. `marker` is registered
    with on_commit by the latest entry: Django drops it when the transaction ends or
    when the savepoint that wrote the entry rolls back, and then the state is stale."""

    lane: int
    position: int
    hash: str
    sequence: int
    marker: Callable[[], None]


_TAIL_ATTR = "_motcua_audit_tail"

# PostgreSQL: lock a free lane, starting from a random one, and only then take the next
# `sequence` (MATERIALIZED: nextval runs once, after the lock), so sequences increase
# along each lane. SKIP LOCKED: a lane held by another transaction is passed over.
_PG_FREE_LANE = """
WITH lane AS MATERIALIZED (
    SELECT id, last_position, last_hash FROM core_auditchainhead
    WHERE id BETWEEN 1 AND %s
    ORDER BY (id + %s) %% %s
    LIMIT 1 FOR UPDATE SKIP LOCKED
)
SELECT id, last_position, last_hash, nextval('core_auditentry_sequence_seq') FROM lane
"""
_PG_WAIT_LANE = """
WITH lane AS MATERIALIZED (
    SELECT id, last_position, last_hash FROM core_auditchainhead WHERE id = %s FOR UPDATE
)
SELECT id, last_position, last_hash, nextval('core_auditentry_sequence_seq') FROM lane
"""
# SQLite: one writer at a time (IMMEDIATE transactions), so one lane; sequence = max + 1.
_SQLITE_LANE = """
SELECT id, last_position, last_hash,
       (SELECT COALESCE(MAX(sequence), 0) + 1 FROM core_auditentry)
FROM core_auditchainhead WHERE id = 1
"""


def audit_lanes_ensure() -> None:
    """Create the missing chain lanes. The lane rows come from migration core.0005; a
    flush (the test runner's between transactional tests, or a restore) removes them."""
    existing = set(AuditChainHead.objects.values_list("pk", flat=True))
    AuditChainHead.objects.bulk_create(
        [
            AuditChainHead(pk=lane, last_position=0, last_hash=GENESIS_HASH)
            for lane in range(0, AUDIT_LANES + 1)
            if lane not in existing
        ],
        ignore_conflicts=True,
    )


def _lane_start() -> int:
    """Where a writer starts looking for a free lane: fixed per process and thread, so
    a web worker keeps appending to "its" lane while it is free."""
    return hash((os.getpid(), threading.get_ident())) % AUDIT_LANES


def _take_lane(connection: Any) -> tuple[int, int, str, int]:
    """Lock a lane for the current transaction: (lane, last position, last hash, the
    sequence for the next entry)."""
    with connection.cursor() as cursor:
        for attempt in range(2):
            if connection.vendor == "postgresql":
                cursor.execute(_PG_FREE_LANE, [AUDIT_LANES, _lane_start(), AUDIT_LANES])
                row = cursor.fetchone()
                if row is None and attempt:  # every lane busy: queue on one
                    cursor.execute(_PG_WAIT_LANE, [_lane_start() + 1])
                    row = cursor.fetchone()
            else:
                cursor.execute(_SQLITE_LANE)
                row = cursor.fetchone()
            if row is not None:
                return int(row[0]), int(row[1]), str(row[2]), int(row[3])
            if not attempt and AuditChainHead.objects.count() < AUDIT_LANES + 1:
                audit_lanes_ensure()
    raise RuntimeError("no audit chain lane available")


def _next_sequence(connection: Any, tail: _Tail) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('core_auditentry_sequence_seq')")
            return int(cursor.fetchone()[0])
    return tail.sequence + 1  # SQLite: this transaction is the only writer


def _current_tail(connection: Any) -> _Tail | None:
    tail: _Tail | None = getattr(connection, _TAIL_ATTR, None)
    if tail is None or not connection.in_atomic_block:
        return None
    if not any(func is tail.marker for _sids, func, _robust in connection.run_on_commit):
        return None
    return tail


def resync_sequence(using: str = DEFAULT_DB_ALIAS) -> None:
    """After rows were loaded from elsewhere (restore): the next `sequence` follows the
    highest one present (PostgreSQL keeps it in a database sequence)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval('core_auditentry_sequence_seq', "
                "(SELECT COALESCE(MAX(sequence), 0) + 1 FROM core_auditentry), false)"
            )


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
    """Append one entry to the audit log, inside the caller's transaction.

    `actor` defaults to the authenticated user of the current request; the client IP
    comes from the request context, and so does `via` (the channel, e.g. an API client
    acting for its account), added to `after`. `before`/`after` are normalised to JSON and
    stripped of secrets (use `snapshot()` to build them from a model instance).

    The first entry of a transaction locks a free lane (no wait while another lane is
    free); later entries of the same transaction append to it without a lock round trip.
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

    connection = connections[DEFAULT_DB_ALIAS]
    # No savepoint: inside the caller's transaction the entry and the lane tip roll back
    # with it; outside one, this block is the transaction.
    with transaction.atomic(savepoint=False):
        tail = _current_tail(connection)
        if tail is None:
            lane, position, last_hash, sequence = _take_lane(connection)
        else:
            lane, position, last_hash = tail.lane, tail.position, tail.hash
            sequence = _next_sequence(connection, tail)
        entry = AuditEntry(
            sequence=sequence,
            chain=lane,
            position=position + 1,
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
            request_id=_truncate(current_correlation_id(), "request_id") or None,
            prev_hash=last_hash,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=lane).update(
            last_position=entry.position, last_hash=entry.entry_hash
        )

        def marker() -> None:
            return None

        transaction.on_commit(marker)
        setattr(
            connection,
            _TAIL_ATTR,
            _Tail(lane, position + 1, entry.entry_hash, sequence, marker),
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
    # Highest `sequence` verified, and the tip of every chain as verified:
    # {chain: (position, entry_hash)} (chain 0: position = sequence).
    last_sequence: int = 0
    heads: Mapping[int, tuple[int, str]] = dataclass_field(default_factory=dict)
    # The newest province seal present (0, GENESIS_HASH when none): the anchor to keep
    # outside the database (`seal:N:HASH`) and pass back as `seal`.
    seal_number: int = 0
    seal_hash: str = GENESIS_HASH

    @property
    def head(self) -> str:
        return f"seal:{self.seal_number}:{self.seal_hash}" if self.seal_number else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "count": self.count,
            "last_sequence": self.last_sequence,
            "seal_number": self.seal_number,
            "seal_hash": self.seal_hash,
            "broken_sequence": self.broken_sequence,
            "broken_id": self.broken_id,
            "reason_code": self.reason_code,
            "reason": self.reason,
        }


ENTRY_FIELDS = ("id", "entry_hash", *HASHED_FIELDS, *LANE_FIELDS, "request_id")


def iter_entries(chunk_size: int = 1000, chain: int = LEGACY_CHAIN) -> Iterator[dict[str, Any]]:
    """The entries of one chain in order, as dicts (id, entry_hash and the hashed
    fields), fetched by keyset pages of `chunk_size` rows: constant memory, each page one
    index range scan (chain 0 on the unique sequence index, a lane on the unique
    (chain, position) index), no long-lived cursor. Chain 0 entries get
    `position` = `sequence`."""
    key = "sequence" if chain == LEGACY_CHAIN else "position"
    base = (
        AuditEntry.objects.filter(chain__isnull=True)
        if chain == LEGACY_CHAIN
        else AuditEntry.objects.filter(chain=chain)
    )
    last: int | None = None
    while True:
        qs = base.order_by(key)
        if last is not None:
            qs = qs.filter(**{f"{key}__gt": last})
        page = list(qs.values(*ENTRY_FIELDS)[:chunk_size])
        if not page:
            return
        for row in page:
            if chain == LEGACY_CHAIN:
                row["position"] = row["sequence"]
            yield row
        last = page[-1][key]
        if len(page) < chunk_size:
            return


def seal_hash_of(seal: AuditSeal | Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of number, sealed_at (UTC ISO-8601), heads and
    prev_hash (docs/audit.md)."""
    get: Callable[[str], Any] = (
        seal.get if isinstance(seal, Mapping) else lambda name: getattr(seal, name)
    )
    sealed_at = get("sealed_at")
    payload = {
        "number": get("number"),
        "sealed_at": sealed_at.astimezone(dt.UTC).isoformat(),
        "heads": get("heads"),
        "prev_hash": get("prev_hash"),
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


class _Broken(Exception):
    def __init__(
        self,
        code: str,
        reason: str,
        entry: Mapping[str, Any] | None = None,
        sequence: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason
        self.sequence = entry["sequence"] if entry is not None else sequence
        self.entry_id = entry["id"] if entry is not None else None


def _seals(seal: tuple[int, str] | None) -> tuple[dict[tuple[int, int], str], int, str]:
    """Check the province chain of seals; return the sealed tips {(chain, position):
    hash} and the newest seal (number, hash)."""
    expected: dict[tuple[int, int], str] = {}
    number, prev = 0, GENESIS_HASH
    for row in (
        AuditSeal.objects.order_by("number")
        .values("number", "sealed_at", "heads", "prev_hash", "seal_hash")
        .iterator(chunk_size=500)
    ):
        if row["number"] != number + 1 or row["prev_hash"] != prev:
            raise _Broken(
                "seal_mismatch",
                _("chuỗi niêm phong bị đứt tại niêm phong số %(n)s") % {"n": row["number"]},
            )
        if seal_hash_of(row) != row["seal_hash"]:
            raise _Broken(
                "seal_mismatch", _("niêm phong số %(n)s đã bị thay đổi") % {"n": row["number"]}
            )
        if seal is not None and row["number"] == seal[0] and row["seal_hash"] != seal[1]:
            raise _Broken(
                "anchor_mismatch",
                _("niêm phong số %(n)s khác với bản đã lưu giữ (chuỗi đã bị viết lại)")
                % {"n": row["number"]},
            )
        for chain, (position, digest) in (row["heads"] or {}).items():
            expected[(int(chain), int(position))] = digest
        number, prev = row["number"], row["seal_hash"]
    if seal is not None and seal[0] > number:
        raise _Broken(
            "anchor_mismatch",
            _("thiếu niêm phong số %(n)s đã lưu giữ (chuỗi niêm phong đã bị cắt)") % {"n": seal[0]},
        )
    return expected, number, prev


def _chains() -> list[int]:
    lanes = set(AuditChainHead.objects.values_list("pk", flat=True))
    lanes |= {
        int(chain)
        for chain in AuditEntry.objects.filter(chain__isnull=False)
        .values_list("chain", flat=True)
        .distinct()
        if chain is not None
    }
    return sorted(lanes | {LEGACY_CHAIN})


def _verify_one(
    chain: int,
    chunk_size: int,
    expected: Mapping[tuple[int, int], str],
    anchor: tuple[int, str] | None,
    counted: list[int],
) -> tuple[int, str, int]:
    """Walk one chain; return its tip (position, hash) and highest sequence."""
    position, prev_hash, top, last = 0, GENESIS_HASH, 0, None
    label = {"chain": chain}
    for entry in iter_entries(chunk_size, chain):
        if entry["position"] != position + 1:
            raise _Broken(
                "sequence_gap",
                _(
                    "thiếu bản ghi trong chuỗi %(chain)s: mong đợi vị trí %(expected)s, gặp "
                    "%(found)s"
                )
                % {**label, "expected": position + 1, "found": entry["position"]},
                entry,
            )
        if entry["prev_hash"] != prev_hash:
            raise _Broken(
                "prev_mismatch", _("liên kết với bản ghi trước không khớp (prev_hash)"), entry
            )
        if entry["sequence"] <= top:
            raise _Broken(
                "prev_mismatch", _("số thứ tự không tăng dần trong chuỗi %(chain)s") % label, entry
            )
        if compute_hash(entry) != entry["entry_hash"]:
            raise _Broken(
                "hash_mismatch", _("nội dung bản ghi đã bị thay đổi (entry_hash không khớp)"), entry
            )
        sealed = expected.get((chain, entry["position"]))
        anchored = (
            anchor is not None
            and chain == LEGACY_CHAIN
            and entry["sequence"] == anchor[0]
            and entry["entry_hash"] != anchor[1]
        )
        if (sealed is not None and sealed != entry["entry_hash"]) or anchored:
            raise _Broken(
                "anchor_mismatch",
                _("bản ghi khác với lần kiểm tra trước (chuỗi đã bị viết lại từ đây trở về trước)"),
                entry,
            )
        counted[0] += 1
        position, prev_hash, top, last = (
            entry["position"],
            entry["entry_hash"],
            entry["sequence"],
            entry,
        )
    head = AuditChainHead.objects.filter(pk=chain).first()
    head_position = head.last_position if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_position != position or head_hash != prev_hash:
        raise _Broken(
            "head_mismatch",
            _(
                "đầu chuỗi %(chain)s ghi vị trí %(head)s nhưng bản ghi cuối là %(last)s "
                "(bản ghi cuối bị xóa hoặc bị sửa)"
            )
            % {**label, "head": head_position, "last": position},
            last if last is not None and head_position <= position else None,
            sequence=(top + 1) if head_position > position else top,
        )
    beyond = [p for (c, p) in expected if c == chain and p > position]
    if beyond or (anchor is not None and chain == LEGACY_CHAIN and anchor[0] > top):
        raise _Broken(
            "anchor_mismatch",
            _(
                "chuỗi %(chain)s ngắn hơn lần kiểm tra trước (đã có vị trí %(anchor)s): "
                "bản ghi cuối đã bị xóa"
            )
            % {**label, "anchor": max(beyond or [anchor[0] if anchor else 0])},
            sequence=top + 1,
        )
    return position, prev_hash, top


def verify_chain(
    chunk_size: int = 1000,
    anchor: tuple[int, str] | None = None,
    seal: tuple[int, str] | None = None,
) -> VerifyResult:
    """Recompute every hash and link of every chain and of the seals; report the first
    broken entry and why.

    `seal` = (number, seal_hash) of a seal kept from an earlier run (`seal:N:HASH`);
    `anchor` = (sequence, entry_hash) of a chain-0 entry, the anchor format printed
    before the lanes existed. A chain rewritten from some point on, with all later
    hashes and the head recomputed, is self-consistent; only a sealed tip reveals it.
    """
    counted = [0]
    heads: dict[int, tuple[int, str]] = {}
    top = 0
    try:
        expected, seal_number, seal_digest = _seals(seal)
        for chain in _chains():
            position, digest, chain_top = _verify_one(chain, chunk_size, expected, anchor, counted)
            if position:
                heads[chain] = (position, digest)
            top = max(top, chain_top)
    except _Broken as broken:
        return VerifyResult(
            ok=False,
            count=counted[0],
            broken_sequence=broken.sequence,
            broken_id=broken.entry_id,
            reason_code=broken.code,
            reason=broken.reason,
        )
    return VerifyResult(
        ok=True,
        count=counted[0],
        last_sequence=top,
        heads=heads,
        seal_number=seal_number,
        seal_hash=seal_digest,
    )


def audit_seal(heads: Mapping[int, tuple[int, str]]) -> AuditSeal:
    """Append a seal of these verified chain tips to the province chain (nothing new if
    the newest seal already has them). Call it after a successful `verify_chain()`."""
    wanted = {str(chain): [position, digest] for chain, (position, digest) in sorted(heads.items())}
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = AuditSeal.objects.order_by("-number").first()
                if last is not None and last.heads == wanted:
                    return last
                seal = AuditSeal(
                    number=(last.number if last else 0) + 1,
                    sealed_at=_now(),
                    heads=wanted,
                    prev_hash=last.seal_hash if last else GENESIS_HASH,
                )
                seal.seal_hash = seal_hash_of(seal)
                seal.save(force_insert=True)
                return seal
        except IntegrityError:  # another run sealed at the same moment: chain after it
            continue
    raise RuntimeError("could not append an audit seal")
