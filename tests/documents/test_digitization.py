"""Digitization at the counter: scans → one PDF recording who/when/from what, then the
receptionist signs it as a certified electronic copy."""

import io

import pytest
from pypdf import PdfReader

from motcua.documents.constants import FileKind, SignatureVerdict
from motcua.documents.inspection import UploadRejected
from motcua.documents.models import FileLink, StoredFile
from motcua.documents.services import (
    LinkTarget,
    digitized_copy_certify,
    digitized_copy_create,
    stored_file_bytes,
)
from motcua.documents.services.digitization import ocr_available
from tests.documents.conftest import make_jpeg, make_pdf, make_png, stored_blobs


def test_images_and_pdf_pages_become_one_pdf(personas):
    stored = digitized_copy_create(
        pages=[make_jpeg(), make_png(), make_pdf(pages=2)],
        original_description="Giấy chứng nhận quyền sử dụng đất số AB 123456 (bản chính)",
        actor=personas.receptionist_x,
        owner=personas.citizen_a,
        unit=personas.unit_x,
        link=LinkTarget(dossier_code="000.00.01.H47-261127-0002", component_code="GCN"),
        ocr=False,
    )
    assert stored.kind == FileKind.DIGITIZED
    assert stored.mime_type == "application/pdf"
    assert stored.page_count == 4
    assert len(PdfReader(io.BytesIO(stored_file_bytes(stored))).pages) == 4
    assert stored.digitized_by == personas.receptionist_x
    assert stored.digitized_at is not None
    assert "AB 123456" in stored.digitized_from
    link = FileLink.objects.get(file=stored)
    assert link.digitized  # national flag DuocSoHoa


def test_a_bad_page_rejects_the_whole_set(personas, settings):
    with pytest.raises(UploadRejected) as info:
        digitized_copy_create(
            pages=[make_jpeg(), b"not an image"],
            original_description="CCCD",
            actor=personas.receptionist_x,
            ocr=False,
        )
    assert "Trang 2" in info.value.message
    assert StoredFile.objects.count() == 0
    assert stored_blobs(settings) == []


def test_receptionist_certifies_the_digitized_copy(personas, credentials):
    from motcua.documents import selectors
    from motcua.documents.signing.validation import validate_pdf

    stored = digitized_copy_create(
        pages=[make_jpeg()],
        original_description="Sổ hộ khẩu",
        actor=personas.receptionist_x,
        owner=personas.citizen_a,
        unit=personas.unit_x,
        ocr=False,
    )
    certified = digitized_copy_certify(file=stored, actor=personas.receptionist_x)
    assert certified.digitized_by == personas.receptionist_x
    (report,) = validate_pdf(stored_file_bytes(certified), selectors.trust_roots()).signatures
    assert report.verdict == SignatureVerdict.VALID
    assert report.signer_name == "Tiếp Nhận X"


@pytest.mark.skipif(not ocr_available(), reason="ocrmypdf + tesseract (vie) not installed")
def test_ocr_makes_text_searchable(personas):  # pragma: no cover - environment dependent
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 400), "white")
    ImageDraw.Draw(image).text((50, 150), "GIAY CHUNG NHAN", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    stored = digitized_copy_create(
        pages=[out.getvalue()], original_description="x", actor=personas.receptionist_x
    )
    assert stored.ocr_applied
