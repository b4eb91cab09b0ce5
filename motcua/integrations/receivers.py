"""Reactions to dossier transitions (sent after commit by motcua.dossiers.signals)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.dispatch import receiver

from motcua.dossiers.signals import dossier_transitioned

logger = logging.getLogger(__name__)
SUBMISSION_ACTIONS = {"submit_online", "create_at_counter", "resubmit"}


@receiver(dossier_transitioned, dispatch_uid="integrations.record_vneid_flag")
def record_vneid_flag(sender: Any, *, dossier_id: int, action: str, **kwargs: Any) -> None:
    if action in SUBMISSION_ACTIONS:
        from motcua.integrations.vneid import record_dossier_flag

        try:
            record_dossier_flag(dossier_id)
        except Exception:  # sent after commit: never fail the user's request
            logger.exception("could not record the VNeID flag of dossier %s", dossier_id)


@receiver(dossier_transitioned, dispatch_uid="integrations.kick_sync")
def kick_sync(sender: Any, **kwargs: Any) -> None:
    """Optional: sync right after each transition instead of waiting for the periodic
    job (MOTCUA_DVCQG_AUTO_SYNC). Off by default: the periodic job suffices, and the
    relay never loses an event either way."""
    if getattr(settings, "MOTCUA_DVCQG_AUTO_SYNC", False):
        from motcua.integrations.tasks import sync_national_portal

        try:
            sync_national_portal.enqueue()
        except Exception:
            logger.exception("could not enqueue the national-portal sync")
