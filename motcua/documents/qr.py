"""QR codes on issued papers (Circular 01/2018 Art. 19(2) allows barcode/QR; the field
set follows the Circular 01/2023 conventions: dossier code, procedure code, document
name, issuer, time). The payload starts with the public verification URL so any phone
scanner opens the check page; the fields follow one per line, NFC-normalised."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import segno


def qr_payload(
    *,
    verify_url: str,
    dossier_code: str = "",
    procedure_code: str = "",
    document_name: str = "",
    issuer: str = "",
    issued_at: dt.datetime | None = None,
) -> str:
    lines = [verify_url]
    fields = (
        ("MaHoSo", dossier_code),
        ("MaTTHC", procedure_code),
        ("TenGiayTo", document_name),
        ("CoQuanCap", issuer),
        ("ThoiGian", issued_at.isoformat(timespec="minutes") if issued_at else ""),
    )
    lines += [f"{key}:{value}" for key, value in fields if value]
    return unicodedata.normalize("NFC", "\n".join(lines))


def qr_data_uri(payload: str, *, scale: int = 3) -> str:
    """SVG data URI (error correction M, UTF-8 bytes) for <img src> in HTML and PDF."""
    qr = segno.make(payload, error="m", encoding="utf-8", micro=False)
    return str(qr.svg_data_uri(scale=scale, border=2))


def qr_png(payload: str, *, scale: int = 4) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m", encoding="utf-8", micro=False).save(
        buffer, kind="png", scale=scale, border=2
    )
    return buffer.getvalue()
