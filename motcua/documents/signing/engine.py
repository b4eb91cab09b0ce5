"""Sign and validate PDF bytes with pyHanko (no ORM).

Every signature is an incremental update (IncrementalPdfFileWriter): the bytes already
signed are kept verbatim, so a leader's signature stays valid after the agency signs
(law.md §6.3). Level: PAdES B-T (RFC 3161 timestamp) always; B-LT when revocation
data for the chain is available (the CRL/OCSP responses and certificates are embedded
in the DSS so the file validates offline years later)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509

from motcua.documents.signing.stamp import stamp_params, stamp_style


class _OfflineRevinfoNotice(logging.Filter):
    """B-LT here embeds revocation data we hold locally (fetching is off on purpose);
    pyHanko warns about that on every signature."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_OfflineRevinfoNotice())

# Visible boxes (points, origin bottom-left) by role, placed at the bottom of the last
# page: the competent person on the right, the agency seal on the left (Decree 30/2020
# layout of the signature block), the receptionist above the person.
BOX_W, BOX_H, MARGIN, GAP = 220, 62, 36, 10


def _box(role: str, page_w: float) -> tuple[int, int, int, int]:
    # On a narrow page (A5 forms: 420 pt) the two boxes side by side share the width
    # instead of overlapping.
    width = int(min(BOX_W, (page_w - 2 * MARGIN - GAP) / 2))
    right_x = int(page_w - MARGIN - width)
    if role == "agency":
        return (MARGIN, MARGIN, MARGIN + width, MARGIN + BOX_H)
    if role in ("receptionist", "officer"):
        y = MARGIN + BOX_H + GAP
        return (right_x, y, right_x + width, y + BOX_H)
    return (right_x, MARGIN, right_x + width, MARGIN + BOX_H)


@dataclass(frozen=True)
class StampText:
    signer: str
    unit: str
    role_label: str


def existing_signature_count(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return len(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)


def validation_context(
    trust_roots: Sequence[asn1_x509.Certificate],
    *,
    crls: Iterable[asn1_crl.CertificateList] = (),
    other_certs: Iterable[asn1_x509.Certificate] = (),
    revocation_mode: str = "soft-fail",
    allow_fetching: bool = False,
) -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=list(trust_roots),
        crls=list(crls),
        other_certs=list(other_certs),
        allow_fetching=allow_fetching,
        revocation_mode=revocation_mode,
    )


def sign_pdf_bytes(
    data: bytes,
    *,
    signer: Any,
    timestamper: Any,
    field_name: str,
    role: str,
    stamp: StampText,
    reason: str = "",
    location: str = "",
    lt_context: Any = None,
) -> tuple[bytes, str]:
    """Append one visible PAdES signature. Returns (signed bytes, level)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page_w = _last_page_width(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=stamp.signer,
        embed_validation_info=lt_context is not None,
        validation_context=lt_context,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=stamp_style(),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name, on_page=-1, box=_box(role, page_w)
        ),
    )
    out = io.BytesIO()
    from motcua.documents.signing.sync import off_event_loop

    # pyHanko's synchronous sign_pdf calls asyncio.run(): with an event loop running
    # in this thread (ASGI, a browser test) it must run on a thread of its own, or the
    # weekly report and receipts would silently be archived unsigned.
    off_event_loop(
        pdf_signer.sign_pdf,
        writer,
        appearance_text_params=stamp_params(
            signer=stamp.signer, unit=stamp.unit, role=stamp.role_label
        ),
        output=out,
    )
    return out.getvalue(), ("B-LT" if lt_context is not None else "B-T")


def _last_page_width(writer: Any) -> float:
    try:
        node = writer.root["/Pages"]
        box = node.get("/MediaBox")
        while "/Kids" in node:
            node = node["/Kids"][-1].get_object()
            box = node.get("/MediaBox") or box
        box = box or [0, 0, 595, 842]
        return float(box[2]) - float(box[0])
    except (KeyError, IndexError, TypeError, ValueError):
        return 595.0
