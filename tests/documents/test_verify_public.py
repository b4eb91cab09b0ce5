"""Public verification by result code (/xac-minh/<code>/): metadata, storage integrity,
signature status, and comparing a copy the visitor holds."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.documents.constants import SignerRole
from motcua.documents.services import document_sign, stored_file_bytes
from motcua.documents.storage import document_storage


def test_public_page_shows_result_and_signature_status(
    client, personas, credentials, issued_result
):
    signed = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    response = client.get(reverse("verify:detail", args=[issued_result.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Giấy phép xây dựng" in html
    assert "Khớp với bản đã cấp" in html
    assert "Lãnh Đạo X" in html
    assert "Hợp lệ" in html
    assert "gốc DEMO" in html
    assert signed.sha256 in html


def test_lookup_form_redirects_to_code(client, issued_result):
    response = client.get(reverse("verify:lookup"), {"code": issued_result.code.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify:detail", args=[issued_result.code])


def test_unknown_code_is_not_found(client, db):
    response = client.get(reverse("verify:detail", args=["KQ0000-NOTHING"]))
    assert response.status_code == 404
    assert "Không tìm thấy" in response.content.decode()


def test_stored_file_altered_on_disk_is_reported(client, issued_result):
    storage = document_storage()
    path = Path(storage.path(issued_result.file.storage_name))
    data = bytearray(path.read_bytes())
    data[200] ^= 1
    path.write_bytes(bytes(data))
    html = client.get(reverse("verify:detail", args=[issued_result.code])).content.decode()
    assert "KHÔNG khớp với bản đã cấp" in html


def test_visitor_compares_a_copy(client, issued_result):
    url = reverse("verify:detail", args=[issued_result.code])
    original = stored_file_bytes(issued_result.file)
    same = client.post(url, {"file": SimpleUploadedFile("kq.pdf", original)})
    assert "trùng khớp từng byte" in same.content.decode()
    edited = client.post(url, {"file": SimpleUploadedFile("kq.pdf", original + b"\n")})
    assert "KHÔNG khớp với bản đã cấp" in edited.content.decode()


def test_revoked_result_is_marked(client, personas, issued_result):
    from motcua.documents.services import issued_document_revoke

    issued_document_revoke(
        issued=issued_result, actor=personas.leader_x, reason="Cấp sai đối tượng"
    )
    html = client.get(reverse("verify:detail", args=[issued_result.code])).content.decode()
    assert "đã bị thu hồi" in html and "Cấp sai đối tượng" in html


def test_demo_crl_is_published(client, db):
    response = client.get(reverse("verify:demo_crl"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
