"""Adapter to the documents app for receipts: render the PDF (documents.rendering),
seal it with the collecting unit's agency credential when one is registered
(documents.signing — the receipt is issued by the unit, not by a person, so no
officer signs it), store it and link it to the dossier (documents.services)."""

from __future__ import annotations

import logging
from typing import Any

from motcua.payments.models import Receipt

logger = logging.getLogger(__name__)


def issuer_context(unit: Any) -> dict[str, str]:
    """Header of the official layout: the collecting unit under its parent."""
    parent = unit.parent.name if getattr(unit, "parent_id", None) else ""
    return {"issuer": str(unit.name), "parent_issuer": str(parent)}


def receipt_context(receipt: Receipt) -> dict[str, Any]:
    req = receipt.request
    return {
        **issuer_context(req.collecting_unit),
        "receipt": receipt,
        "request": req,
        "unit": req.collecting_unit,
        "lines": receipt.items,
        "amount_words": amount_in_words(receipt.amount),
    }


def render_pdf_bytes(receipt: Receipt) -> bytes:
    from motcua.documents.rendering import render_pdf

    return render_pdf("payments/pdf/receipt.html", receipt_context(receipt), page_size="A5")


def _seal(data: bytes, unit: Any) -> tuple[bytes, Any] | None:
    """Agency signature (PAdES) with the unit's credential, or None when unavailable."""
    from motcua.documents.constants import SignerRole
    from motcua.documents.selectors import credential_for
    from motcua.documents.signing import engine
    from motcua.documents.signing.plugins import SigningUnavailable, get_signer_plugin
    from motcua.documents.signing.tsa import get_timestamper

    credential = credential_for(unit=unit)
    if credential is None or not credential.is_active:
        return None
    try:
        with get_signer_plugin(credential.plugin).open(credential) as signer:
            signed, _level = engine.sign_pdf_bytes(
                data,
                signer=signer,
                timestamper=get_timestamper(),
                field_name="agency-1",
                role=SignerRole.AGENCY,
                stamp=engine.StampText(
                    signer=str(unit.name), unit=str(unit.name), role_label="Đơn vị thu"
                ),
                reason="Biên lai thu phí, lệ phí",
            )
    except SigningUnavailable:
        logger.warning("receipt not signed: signing unavailable for unit %s", unit.pk)
        return None
    return signed, credential


def render_and_store(receipt: Receipt) -> tuple[Any, bool]:
    from motcua.documents.constants import FileKind, SignerRole
    from motcua.documents.models import SignatureRecord
    from motcua.documents.services import LinkTarget, stored_file_create

    req = receipt.request
    unit = req.collecting_unit
    owner = req.dossier.applicant
    name = f"bien-lai-{receipt.series.symbol}-{receipt.number_display}.pdf"
    data = render_pdf_bytes(receipt)
    link = LinkTarget(dossier_code=receipt.dossier_code, component_code="BIEN_LAI", obj=receipt)
    sealed = _seal(data, unit)
    if sealed is None:
        stored = stored_file_create(
            data=data,
            original_name=name,
            kind=FileKind.FORM,
            owner=owner,
            unit=unit,
            trusted=True,
            link=link,
        )
        return stored, False
    signed, credential = sealed
    source = stored_file_create(
        data=data, original_name=name, kind=FileKind.FORM, owner=owner, unit=unit, trusted=True
    )
    stored = stored_file_create(
        data=signed,
        original_name=name,
        kind=FileKind.SIGNED,
        owner=owner,
        unit=unit,
        trusted=True,
        source=source,
        link=link,
        extra={"signature_count": 1},
    )
    SignatureRecord.objects.create(
        file=stored,
        signed_from=source,
        role=SignerRole.AGENCY,
        signer=None,
        credential=credential,
        field_name="agency-1",
        level="B-T",
    )
    return stored, True


_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_GROUPS = ["", " nghìn", " triệu", " tỷ", " nghìn tỷ", " triệu tỷ"]


def _three(n: int, full: bool) -> str:
    hundreds, tens, units = n // 100, (n // 10) % 10, n % 10
    words: list[str] = []
    if full or hundreds:
        words.append(f"{_DIGITS[hundreds]} trăm")
    if tens > 1:
        words.append(f"{_DIGITS[tens]} mươi")
        if units == 1:
            words.append("mốt")
        elif units == 5:
            words.append("lăm")
        elif units == 4:
            words.append("tư")
        elif units:
            words.append(_DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units == 5:
            words.append("lăm")
        elif units:
            words.append(_DIGITS[units])
    elif units:
        if full or hundreds:
            words.append("lẻ")
        words.append(_DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """Vietnamese amount in words for the receipt ("Bằng chữ"), e.g. 125000 →
    "Một trăm hai mươi lăm nghìn đồng"."""
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    n = amount
    while n:
        groups.append(n % 1000)
        n //= 1000
    parts: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        if groups[i] == 0:
            continue
        full = i < len(groups) - 1
        parts.append(_three(groups[i], full) + _GROUPS[i])
    text = " ".join(parts)
    return text[0].upper() + text[1:] + " đồng"
