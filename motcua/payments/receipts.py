"""E-receipts (biên lai điện tử, law.md §5.4): numbered per collecting unit within a
series (template + symbol), issued in the same transaction as the payment so numbers
never skip or repeat; the signed PDF is produced after commit (or on first download)
and attached to the dossier, visible to the citizen.

Template and symbol: Circular 78/2021/TT-BTC gives receipts a template code and a
symbol; the 2026 successor described in law.md §5.4 (unverified) uses a 5-character
symbol whose first two digits are the year and then "T" for organisation-registered
receipts. The defaults follow that shape (`01BLP0-001`, `26TAA`) and are settings.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.payments import conf
from motcua.payments.models import PaymentAttempt, Receipt, ReceiptSeries
from motcua.payments.providers.base import provider_label

logger = logging.getLogger(__name__)


def current_symbol(year: int) -> str:
    return f"{year % 100:02d}T{conf.get('MOTCUA_RECEIPT_SYMBOL_SUFFIX')}"


def _series_for(unit: Any, year: int) -> ReceiptSeries:
    template = str(conf.get("MOTCUA_RECEIPT_TEMPLATE"))
    series, _created = ReceiptSeries.objects.get_or_create(
        unit=unit, template_code=template, symbol=current_symbol(year)
    )
    return ReceiptSeries.objects.select_for_update().get(pk=series.pk)


def receipt_issue(*, attempt: PaymentAttempt, actor: Any = None) -> Receipt:
    """Allocate the next number of the collecting unit's series (caller's transaction)."""
    existing = Receipt.objects.filter(attempt=attempt).first()
    if existing is not None:
        return existing
    req = attempt.request
    now = timezone.now()
    series = _series_for(req.collecting_unit, timezone.localdate(now).year)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    dossier = req.dossier
    applicant = dossier.applicant
    receipt = Receipt.objects.create(
        series=series,
        number=series.last_number,
        request=req,
        attempt=attempt,
        payer_name=applicant.full_name,
        payer_address=getattr(applicant, "address", "") or "",
        amount=attempt.amount,
        items=[
            {"code": line.code, "name": line.name, "amount": line.amount, "exempt": line.exempt}
            for line in req.lines.all()
        ],
        dossier_code=dossier.code or "",
        payment_method=provider_label(attempt.provider)[:64],
        issued_at=now,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    from motcua.payments.services import _audit

    _audit(
        "receipt_issue",
        actor,
        receipt,
        {"series": str(series), "number": receipt.number, "amount": receipt.amount},
        req.collecting_unit,
    )
    transaction.on_commit(lambda: _render_later(receipt.pk))
    return receipt


def _render_later(receipt_id: int) -> None:
    try:
        from motcua.payments.tasks import receipt_render

        receipt_render.enqueue(receipt_id=receipt_id)
    except Exception:  # the download view renders on demand anyway
        logger.exception("could not enqueue receipt %s rendering", receipt_id)


def receipt_ensure_pdf(*, receipt: Receipt) -> Receipt:
    """Render, sign (when the unit has an agency credential) and attach the PDF once."""
    from motcua.payments.receipts_pdf import render_and_store

    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.file_id is not None:
            return locked
        stored, signed = render_and_store(locked)
        locked.file = stored
        locked.signed = signed
        locked.save(update_fields=["file", "signed"])
    return locked
