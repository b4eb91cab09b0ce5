"""Read-side queries for the audit browser (design.md: reads in selectors)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from motcua.core.models import AuditEntry
from motcua.org.constants import Role
from motcua.org.selectors import units_visible_to, user_roles

AUDIT_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def can_browse_audit(user: Any) -> bool:
    return bool(user_roles(user) & AUDIT_ROLES)


def can_verify_audit(user: Any) -> bool:
    return Role.ADMINISTRATOR in user_roles(user)


def audit_entries_visible_to(user: Any) -> QuerySet[AuditEntry]:
    """Administrators see every entry; supervisors the entries recorded for units in
    their subtree (units_visible_to); everyone else nothing."""
    roles = user_roles(user)
    qs = AuditEntry.objects.select_related("actor")
    if Role.ADMINISTRATOR in roles:
        return qs
    if Role.SUPERVISOR in roles:
        codes = list(units_visible_to(user).values_list("code", flat=True))
        return qs.filter(unit_code__in=codes)
    return qs.none()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_entries(qs: QuerySet[AuditEntry], data: dict[str, Any]) -> QuerySet[AuditEntry]:
    """Apply cleaned AuditFilterForm data. Date bounds are local calendar days."""
    if data.get("date_from"):
        qs = qs.filter(occurred_at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(occurred_at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    if data.get("actor"):
        qs = qs.filter(actor_label__icontains=data["actor"])
    if data.get("action"):
        # Prefix match so "org." finds every organisation action (index-friendly).
        qs = qs.filter(action__startswith=data["action"])
    if data.get("object_type"):
        qs = qs.filter(object_type=data["object_type"])
    if data.get("object_id"):
        qs = qs.filter(object_id=data["object_id"])
    if data.get("unit"):
        qs = qs.filter(unit_code=data["unit"])
    if data.get("request_id"):
        qs = qs.filter(request_id=data["request_id"])
    return qs


@dataclass
class Page:
    entries: list[AuditEntry]
    newer_cursor: int | None  # pass as ?after= to show newer entries
    older_cursor: int | None  # pass as ?before= to show older entries


def keyset_page(
    qs: QuerySet[AuditEntry], *, before: int | None, after: int | None, size: int
) -> Page:
    """Newest-first page by `sequence` (unique index): no OFFSET, so page N costs the
    same as page 1 on a large table."""
    if after is not None:
        rows = list(qs.filter(sequence__gt=after).order_by("sequence")[: size + 1])
        has_newer = len(rows) > size
        entries = list(reversed(rows[:size]))
        has_older = qs.filter(sequence__lte=after).exists()
    else:
        base = qs.filter(sequence__lt=before) if before is not None else qs
        rows = list(base.order_by("-sequence")[: size + 1])
        has_older = len(rows) > size
        entries = rows[:size]
        has_newer = before is not None and qs.filter(sequence__gte=before).exists()
    return Page(
        entries=entries,
        newer_cursor=entries[0].sequence if entries and has_newer else None,
        older_cursor=entries[-1].sequence if entries and has_older else None,
    )


def iter_filtered(qs: QuerySet[AuditEntry], chunk_size: int = 2000) -> Iterator[AuditEntry]:
    """Newest first, in keyset chunks (constant memory) for CSV export."""
    last: int | None = None
    while True:
        page = qs.filter(sequence__lt=last) if last is not None else qs
        rows = list(page.order_by("-sequence")[:chunk_size])
        yield from rows
        if len(rows) < chunk_size:
            return
        last = rows[-1].sequence


@dataclass(frozen=True)
class DiffRow:
    key: str
    before: str | None  # display text (JSON for non-strings); None when absent
    after: str | None
    changed: bool


def _display(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def diff_rows(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[DiffRow]:
    before = before or {}
    after = after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    missing = object()
    rows = []
    for key in keys:
        b = before.get(key, missing)
        a = after.get(key, missing)
        rows.append(
            DiffRow(
                key=key,
                before=None if b is missing else _display(b),
                after=None if a is missing else _display(a),
                changed=b != a,
            )
        )
    return rows
