"""Official PDFs: national motto, Vietnamese text (NFC), QR with the verification URL."""

import io
import shutil
import subprocess
import unicodedata

import pytest
from pypdf import PdfReader

from motcua.documents.qr import qr_payload
from motcua.documents.rendering import render_pdf, render_pdf_from_source


def _text(pdf: bytes) -> str:
    return unicodedata.normalize(
        "NFC", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    )


def test_render_pdf_has_motto_and_vietnamese_text(db):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    pdf = render_pdf_from_source(
        "<p>Người nộp: {{ name }}</p>", {"name": decomposed, "issuer": "Sở Xây dựng"}, title="Phiếu"
    )
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Nguyễn Thị Hường" in text


def test_a5_page_size(db):
    pdf = render_pdf(
        "documents/pdf/result.html", {"issuer": "X", "body": "<p>a</p>"}, page_size="A5"
    )
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert round(float(box.width)) == 420 and round(float(box.height)) == 595


def test_templates_cannot_fetch_remote_or_local_files(db, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("bí mật")
    pdf = render_pdf_from_source(
        f'<img src="http://169.254.169.254/latest"><link rel="stylesheet" href="file://{secret}">'
        "<p>ok</p>",
        {"issuer": "X"},
    )
    assert "bí mật" not in _text(pdf)


def test_qr_payload_fields():
    payload = qr_payload(
        verify_url="https://dichvucong.example/xac-minh/KQ2611-ABCD/",
        dossier_code="000.00.01.H47-261127-0001",
        procedure_code="1.009972",
        document_name="Giấy phép xây dựng",
        issuer="Sở Xây dựng",
    )
    lines = payload.splitlines()
    assert lines[0] == "https://dichvucong.example/xac-minh/KQ2611-ABCD/"
    assert "MaHoSo:000.00.01.H47-261127-0001" in lines
    assert "TenGiayTo:Giấy phép xây dựng" in lines


@pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="zbar-tools / poppler-utils not installed",
)
def test_issued_paper_qr_decodes_to_verification_url(issued_result, tmp_path):
    from motcua.documents.services import stored_file_bytes

    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(stored_file_bytes(issued_result.file))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    image = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True
    ).stdout
    assert f"/xac-minh/{issued_result.code}/" in decoded
    assert "MaHoSo:000.00.01.H47-261127-0001" in decoded
    assert "TenGiayTo:Giấy phép xây dựng" in decoded
