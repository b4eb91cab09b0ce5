"""Digitization at reception (Decree 61/2018 Art. 17(1); Directive 04; R5): scanned
images and multi-page scans become one PDF, optionally OCR'd in Vietnamese, recording
who digitized it, when and from which original; the receptionist then signs it as a
certified electronic copy (law.md §3.4)."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.documents.constants import FileKind, SignerRole
from motcua.documents.inspection import DEFAULT_TYPES, UploadPolicy, UploadRejected, inspect_upload
from motcua.documents.models import StoredFile
from motcua.documents.services.files import LinkTarget, stored_file_create

logger = logging.getLogger(__name__)

SCAN_POLICY = UploadPolicy(allowed_types=DEFAULT_TYPES, max_bytes=50 * 1024 * 1024)


def ocr_available() -> bool:
    if not getattr(settings, "MOTCUA_OCR_ENABLED", True):
        return False
    if shutil.which("ocrmypdf") is None or shutil.which("tesseract") is None:
        return False
    try:
        langs = subprocess.run(
            ["tesseract", "--list-langs"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "vie" in langs


def _ocr(pdf: bytes) -> bytes | None:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(pdf)
        result = subprocess.run(  # noqa: S603
            ["ocrmypdf", "-l", "vie", "--skip-text", "--quiet", str(src), str(dst)],  # noqa: S607
            capture_output=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0 or not dst.exists():
            logger.warning("OCR failed: %s", result.stderr[-500:])
            return None
        return dst.read_bytes()


def scans_to_pdf(pages: Sequence[bytes]) -> tuple[bytes, int]:
    """Join images (JPEG/PNG/multi-page TIFF) and PDFs, in order, into one PDF.
    Images are embedded losslessly by img2pdf (no re-encoding of JPEG)."""
    import img2pdf
    import pikepdf

    out = pikepdf.Pdf.new()
    for data in pages:
        if data.startswith(b"%PDF-"):
            part = pikepdf.open(io.BytesIO(data))
        else:
            part = pikepdf.open(
                io.BytesIO(img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid))
            )
        out.pages.extend(part.pages)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue(), len(out.pages)


def digitized_copy_create(
    *,
    pages: Sequence[bytes],
    original_description: str,
    actor: Any,
    owner: Any = None,
    unit: Any = None,
    link: LinkTarget | None = None,
    title: str = "",
    ocr: bool = True,
) -> StoredFile:
    """Digitize paper pages into one stored PDF (kind DIGITIZED). Every page is
    checked like an upload first; nothing is stored if any page is rejected."""
    if not pages:
        raise UploadRejected(_("Chưa có trang quét nào."), "empty")
    for index, data in enumerate(pages, start=1):
        try:
            inspect_upload(data, SCAN_POLICY, f"trang {index}")
        except UploadRejected as exc:
            raise UploadRejected(
                _("Trang %(n)s: %(message)s") % {"n": index, "message": exc.message}, exc.code
            ) from exc
    pdf, page_count = scans_to_pdf(pages)
    ocr_done = False
    if ocr and ocr_available():
        searchable = _ocr(pdf)
        if searchable is not None:
            pdf, ocr_done = searchable, True
    return stored_file_create(
        data=pdf,
        original_name=(title or original_description)[:200] + ".pdf",
        kind=FileKind.DIGITIZED,
        actor=actor,
        owner=owner,
        unit=unit,
        trusted=True,
        link=LinkTarget(
            dossier_code=link.dossier_code,
            component_code=link.component_code,
            obj=link.obj,
            digitized=True,
        )
        if link
        else None,
        extra={
            "page_count": page_count,
            "digitized_by": actor,
            "digitized_at": timezone.now(),
            "digitized_from": original_description[:300],
            "ocr_applied": ocr_done,
        },
    )


def digitized_copy_certify(*, file: StoredFile, actor: Any, unit: Any = None) -> StoredFile:
    """The receptionist signs the digitized set: an electronic copy certified from
    the original (Decree 45/2020; Decree 23/2015 as amended)."""
    from motcua.documents.services.signatures import document_sign

    return document_sign(
        file=file,
        actor=actor,
        role=SignerRole.RECEPTIONIST,
        unit=unit,
        reason=_("Chứng thực bản sao điện tử từ bản chính"),
    )
