"""Dossiers filed on the national portal reach the province (Decree 118/2025 Art. 15,
17(2), 27(2); law.md R22a, R11a; docs/integrations.md §1b).

Three steps, each safe to repeat, so that every national dossier exists exactly once in
Motcua whatever fails (portal down, a delivery repeated, a worker killed mid-import):

1. **Receive** (`inbound_receive`): a record pulled (`LayDanhSachHoSo`, by cursor) or
   pushed to the webhook is checked (signature, fields) and stored as an
   `InboundDossier` keyed by its national code (unique): a repeat only counts
   `deliveries`. The pull cursor moves only after the page is stored.
2. **Import** (`inbound_import`): one transaction per dossier locks the row, creates the
   dossier through the same service as the portal and the API
   (`dossier_submit_online`: online channel, "Chờ tiếp nhận" at the receiving unit the
   applicant chose, the national code kept in `form_answers["_national"]` and used at
   reception), records the VNeID flag and the fees paid on the portal, and links the
   dossier to the row (a unique one-to-one). A crash rolls it all back; the next run
   imports again. After commit the reception officers of the unit are alerted at once
   (notifications, Art. 17(2): within 2 hours of the portal's acknowledgement).
3. **Acknowledge** (`inbound_acknowledge`): after the commit, `XacNhanTiepNhanHoSo` tells
   the portal the province holds the dossier; repeated until the portal confirms.

The status then goes back through the sync outbox like every other dossier (relay.py),
under the national code from the first event.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.integrations import http
from motcua.integrations.models import InboundDossier, InboundStatus, RelayCursor
from motcua.integrations.national_records import (
    InvalidRecord,
    NationalRecord,
    parse,
    verify_record,
)

logger = logging.getLogger(__name__)

SANDBOX_SECRET = "sandbox-inbound-secret"
CURSOR = "dvcqg-inbound"
PAGE = 20
MAX_PAGES = 50  # per run: a backlog is worked off over several runs
RETRY_SECONDS = 60
# Art. 17(2): the reception officer is alerted within 2 hours of the portal's
# acknowledgement (the alert itself: notifications.receivers, on "submit_online").
ALERT_WITHIN = dt.timedelta(hours=2)


class BadSignature(Exception):
    pass


def secret() -> str:
    """The shared secret of the records' and pushes' signatures; the sandbox value
    counts as unset outside dev/test/demo (then nothing is pulled or accepted)."""
    value = str(getattr(settings, "MOTCUA_DVCQG_INBOUND_SECRET", ""))
    if value == SANDBOX_SECRET and not getattr(settings, "MOTCUA_SANDBOXES", False):
        return ""
    return value


def via_label() -> str:
    return _("Cổng Dịch vụ công quốc gia")


# --- 1. receive --------------------------------------------------------------------------


def inbound_receive(*, record: Any, via: str) -> tuple[InboundDossier, bool]:
    """Store a record delivered by the portal once. Returns (row, created). Raises
    BadSignature or InvalidRecord (nothing stored). A repeated push of a dossier already
    acknowledged means the portal missed the acknowledgement: it is sent again."""
    key = secret()
    if not isinstance(record, dict) or not verify_record(key, record):
        raise BadSignature(str(record.get("MaHoSo", "")) if isinstance(record, dict) else "")
    parsed = parse(record)
    try:
        with transaction.atomic():
            row = InboundDossier.objects.create(
                national_code=parsed.code,
                record=record,
                via=via,
                acknowledged_at=parsed.acknowledged_at,
                next_attempt_at=timezone.now(),
            )
        return row, True
    except IntegrityError:
        pass
    changes: dict[str, Any] = {"deliveries": F("deliveries") + 1}
    if via == "push":
        changes["portal_acked_at"] = None
    InboundDossier.objects.filter(national_code=parsed.code).update(**changes)
    return InboundDossier.objects.get(national_code=parsed.code), False


@dataclass
class PullResult:
    received: int = 0
    duplicates: int = 0
    rejected: int = 0
    pages: int = 0
    error: str = ""


def inbound_pull(*, limit: int = PAGE, max_pages: int = MAX_PAGES) -> PullResult:
    """LayDanhSachHoSo page by page from the stored cursor. The cursor advances only
    after the page's records are stored, so a crash re-reads a page (repeats are
    harmless) and never skips one. A record with a bad signature or invalid fields is
    refused and logged; the portal must send it again corrected."""
    from motcua.integrations.connector import get_connector

    result = PullResult()
    connector = get_connector()
    if not secret() or not connector.configured:
        result.error = "not configured"
        return result
    cursor_row, _ = RelayCursor.objects.get_or_create(name=CURSOR)
    cursor = int(cursor_row.watermark)
    for _page in range(max_pages):
        try:
            records, after = connector.fetch_dossiers(cursor=cursor, limit=limit)
        except http.TransportError as exc:
            result.error = str(exc)[:500]
            break
        result.pages += 1
        for record in records:
            try:
                _row, created = inbound_receive(record=record, via="pull")
            except (BadSignature, InvalidRecord) as exc:
                result.rejected += 1
                logger.error("national portal record refused (%s): %s", type(exc).__name__, exc)
                continue
            if created:
                result.received += 1
            else:
                result.duplicates += 1
        if after > cursor:
            RelayCursor.objects.filter(name=CURSOR).update(watermark=after)
            cursor = after
        if not records or len(records) < limit:
            break
    return result


# --- 2. import ---------------------------------------------------------------------------


class ImportRefused(Exception):
    """The record cannot become a dossier (unknown procedure or unit, …): kept as failed
    for an administrator; retried by `national_portal_inbound --retry-failed`."""


def _version(rec: NationalRecord) -> Any:
    from motcua.catalog.constants import VersionStatus
    from motcua.catalog.models import Procedure
    from motcua.catalog.selectors import current_or_latest

    procedure = Procedure.objects.filter(code=rec.procedure_code).first()
    version = current_or_latest(procedure, rec.acknowledged_at.date()) if procedure else None
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise ImportRefused(
            _("Không có thủ tục %(code)s đang được công bố.") % {"code": rec.procedure_code}
        )
    return version


def _unit(rec: NationalRecord, version: Any) -> Any:
    from motcua.catalog.selectors import reception_points

    points = reception_points(version.procedure, rec.acknowledged_at.date())
    unit = next((u for u in points if u.code == rec.unit_code), None)
    if unit is None:
        raise ImportRefused(
            _("Đơn vị %(unit)s không tiếp nhận hồ sơ của thủ tục %(code)s.")
            % {"unit": rec.unit_code, "code": rec.procedure_code}
        )
    return unit


def _applicant(rec: NationalRecord) -> Any:
    from motcua.accounts.identity import ExternalIdentity
    from motcua.accounts.services import citizen_for_verified_identity

    identity = ExternalIdentity(
        subject=f"dvcqg-{rec.personal_id}",
        full_name=rec.full_name,
        personal_id=rec.personal_id,
        phone=rec.phone or None,
        email=rec.email or None,
        verified=True,  # filed after a VNeID level-2 login on the portal
    )
    return citizen_for_verified_identity(provider="dvcqg", identity=identity)


def _components(rec: NationalRecord, version: Any, applicant: Any, unit: Any) -> list[Any]:
    """The attachments, stored through the documents app with the same checks as an
    upload on the portal (type sniffed from the content, inspection, size limits)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.dossiers.files import store_upload
    from motcua.dossiers.services import ComponentInput

    known = {c.code: c for c in version.components.all()}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for att in rec.attachments:
        component = known.get(att.component_code)
        upload = SimpleUploadedFile(att.name, att.content, att.content_type or "")
        ref = store_upload(upload, actor=applicant, owner=applicant, unit=unit, component=component)
        grouped.setdefault(att.component_code, []).append(ref)
    return [
        ComponentInput(
            component=known.get(code),
            name="" if code in known else code or _("Tài liệu khác"),
            files=files,
        )
        for code, files in grouped.items()
    ]


def _create_dossier(row: InboundDossier, now: dt.datetime) -> Any:
    from motcua.core.request_context import acting_via
    from motcua.dossiers.services import dossier_submit_online
    from motcua.integrations.models import DossierIdentityFlag
    from motcua.payments.services import national_payment_record

    rec = parse(row.record)
    version = _version(rec)
    unit = _unit(rec, version)
    case = version.cases.filter(code=rec.case_code).first() if rec.case_code else None
    applicant = _applicant(rec)
    submitted = min(rec.acknowledged_at, now)
    with acting_via(via_label()):
        components = _components(rec, version, applicant, unit)
        dossier = dossier_submit_online(
            applicant=applicant,
            procedure_version=version,
            receiving_unit=unit,
            case=case,
            form_answers={
                **rec.answers,
                "_national": {
                    "code": rec.code,
                    "acknowledged_at": rec.acknowledged_at.isoformat(),
                    "received_at": now.isoformat(),
                },
            },
            components=components,
            now=submitted,
        )
        # KPI 4.5 from the portal's record (the citizen logged in there with VNeID), not
        # from the local account's link written with the dossier.
        DossierIdentityFlag.objects.update_or_create(
            dossier=dossier,
            defaults={"vneid_authenticated": rec.vneid, "personal_id": rec.personal_id},
        )
        national_payment_record(
            dossier=dossier,
            actor=applicant,
            amount=rec.fees_total,
            transaction_ids=[f.transaction_id for f in rec.fees if f.transaction_id],
            paid_at=max((f.paid_at for f in rec.fees if f.paid_at), default=submitted),
        )
    return dossier


def inbound_import_one(row_id: int, *, now: dt.datetime | None = None) -> str:
    """Create the dossier of one received record, exactly once: "imported", "already",
    "failed" or "retry"."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            row = InboundDossier.objects.select_for_update().get(pk=row_id)
            if row.dossier_id is not None or row.status != InboundStatus.RECEIVED:
                return "already"
            dossier = _create_dossier(row, now)
            row.dossier = dossier
            row.status = InboundStatus.IMPORTED
            row.imported_at = now
            row.attempts += 1
            row.last_error = ""
            row.save(update_fields=["dossier", "status", "imported_at", "attempts", "last_error"])
        return "imported"
    except (ImportRefused, InvalidRecord, ValidationError) as exc:
        message = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        InboundDossier.objects.filter(pk=row_id, dossier__isnull=True).update(
            status=InboundStatus.FAILED,
            attempts=F("attempts") + 1,
            last_error=message[:2000],
        )
        logger.error("national dossier %s not imported: %s", row_id, message)
        return "failed"
    except Exception as exc:  # storage or database trouble: try again later
        logger.exception("national dossier %s: import failed, will retry", row_id)
        InboundDossier.objects.filter(pk=row_id, dossier__isnull=True).update(
            attempts=F("attempts") + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=now + dt.timedelta(seconds=RETRY_SECONDS),
        )
        return "retry"


def inbound_import(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    now = now or timezone.now()
    counts: dict[str, int] = {}
    due = InboundDossier.objects.filter(
        status=InboundStatus.RECEIVED, dossier__isnull=True, next_attempt_at__lte=now
    ).values_list("pk", flat=True)[:limit]
    for pk in list(due):
        outcome = inbound_import_one(pk, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


# --- 3. acknowledge ----------------------------------------------------------------------


def inbound_acknowledge(*, limit: int = 200) -> dict[str, int]:
    """XacNhanTiepNhanHoSo for every imported dossier the portal has not confirmed; stops
    at the first "portal down"."""
    from motcua.integrations.connector import get_connector

    connector = get_connector()
    counts = {"acknowledged": 0, "failed": 0}
    rows = InboundDossier.objects.filter(
        status=InboundStatus.IMPORTED, portal_acked_at__isnull=True
    ).order_by("pk")[:limit]
    for row in rows:
        res = connector.acknowledge_dossier(
            code=row.national_code, province_ref=str(row.dossier_id)
        )
        changes: dict[str, Any] = {"ack_attempts": F("ack_attempts") + 1}
        if res.ok:
            changes["portal_acked_at"] = timezone.now()
            counts["acknowledged"] += 1
        else:
            counts["failed"] += 1
        InboundDossier.objects.filter(pk=row.pk).update(**changes)
        if res.portal_down:
            break
    return counts


@dataclass
class InboundResult:
    pull: PullResult | None = None
    imported: dict[str, int] = field(default_factory=dict)
    acknowledged: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f"import_{k}": v for k, v in self.imported.items()}
        out.update({f"ack_{k}": v for k, v in self.acknowledged.items()})
        if self.pull is not None:
            out.update(
                pulled=self.pull.received,
                pull_duplicates=self.pull.duplicates,
                pull_rejected=self.pull.rejected,
                pull_error=self.pull.error,
            )
        return out


def run_inbound(*, pull: bool | None = None) -> InboundResult:
    """Pull (unless turned off), import what is due, acknowledge what is imported."""
    if pull is None:
        pull = bool(getattr(settings, "MOTCUA_DVCQG_INBOUND_PULL", True))
    result = InboundResult()
    if pull:
        result.pull = inbound_pull()
    result.imported = inbound_import()
    result.acknowledged = inbound_acknowledge()
    return result


def inbound_retry_failed(*, actor: Any = None) -> int:
    """Put failed records back in the queue (after the catalogue or unit was fixed)."""
    from motcua.core.audit import audit_record

    with transaction.atomic():
        n = InboundDossier.objects.filter(status=InboundStatus.FAILED).update(
            status=InboundStatus.RECEIVED, next_attempt_at=timezone.now()
        )
        audit_record(action="integrations.inbound_retry", actor=actor, after={"count": n})
    return n


def late_alerts(rows: Any) -> list[InboundDossier]:
    """Rows whose dossier reached Motcua more than 2 hours after the portal's
    acknowledgement (Art. 17(2)): the alert could not be on time (portal outage)."""
    return [r for r in rows if r.imported_at and r.imported_at - r.acknowledged_at > ALERT_WITHIN]
