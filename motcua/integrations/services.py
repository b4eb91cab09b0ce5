"""Writes of the integrations app: replaying dead letters, pulling the catalogue."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.integrations import relay
from motcua.integrations.models import CatalogPull, OutboxMessage, OutboxStatus
from motcua.org.selectors import is_administrator


def _audit(**kwargs: Any) -> None:
    from motcua.core.audit import audit_record

    audit_record(**kwargs)


def outbox_replay(*, message: OutboxMessage, actor: Any, rebuild: bool = True) -> OutboxMessage:
    """Put a dead letter back in the queue. By default the payload is rebuilt from the
    dossier's current data with the current mapping (the usual cause of a rejected
    message is bad data or a mapping bug that has since been fixed)."""
    if not is_administrator(actor):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được gửi lại thông điệp."))
    with transaction.atomic():
        msg = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if msg.status != OutboxStatus.DEAD:
            raise ValueError(_("Thông điệp không ở danh sách lỗi."))
        before = {"status": msg.status, "attempts": msg.attempts, "error": msg.last_error[:200]}
        if rebuild:
            dossier = Dossier.objects.get(pk=msg.dossier_id)
            event = DossierEvent.objects.filter(pk=msg.event_id).first() if msg.event_id else None
            version = relay.mapping_version()
            msg.payload = relay.build_payload(
                msg.service, dossier, event, is_updating=msg.is_updating, version=version
            )
            msg.mapping_version = version
        msg.status = OutboxStatus.PENDING
        msg.attempts = 0
        msg.dead_at = None
        msg.next_attempt_at = timezone.now()
        msg.replays += 1
        msg.save()
        _audit(
            action="integrations.outbox_replay",
            actor=actor,
            obj=msg,
            before=before,
            after={"status": msg.status, "rebuild": rebuild},
            unit_code=msg.unit.code,
        )
    return msg


def catalogue_pull(*, actor: Any = None, unit_code: str = "") -> CatalogPull:
    """LayThuTuc → catalogue: fetch the national records, convert them to the catalogue
    interchange format and import them (import is idempotent: unchanged procedures
    keep their version)."""
    from motcua.catalog.interchange import import_catalogue
    from motcua.integrations.catalogue import from_lay_thu_tuc
    from motcua.integrations.connector import get_connector

    pull = CatalogPull.objects.create()
    try:
        records = get_connector().fetch_procedures(unit_code=unit_code)
        pull.received = len(records)
        result = import_catalogue([from_lay_thu_tuc(r) for r in records], actor=actor)
        pull.created = result.created
        pull.updated = result.new_versions
        pull.unchanged = result.unchanged
        pull.ok = True
    except Exception as exc:  # reported on the page and in the command output
        pull.error = str(exc)[:2000]
    pull.save()
    _audit(
        action="integrations.catalogue_pull",
        actor=actor,
        obj=pull,
        after={"ok": pull.ok, "received": pull.received, "created": pull.created},
    )
    return pull
