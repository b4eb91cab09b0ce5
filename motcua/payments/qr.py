"""QR image for VietQR payloads (segno; plain ASCII bytes, error correction M)."""

from __future__ import annotations

import io

import segno


def qr_svg_data_uri(payload: str, *, scale: int = 5) -> str:
    return str(segno.make(payload, error="m", micro=False).svg_data_uri(scale=scale, border=4))


def qr_png(payload: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
