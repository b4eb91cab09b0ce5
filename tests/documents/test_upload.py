"""Upload safety: only real, safe files are stored; rejected uploads leave nothing."""

import io

import pikepdf
import pytest

from motcua.core.models import AuditEntry
from motcua.documents.inspection import UploadPolicy, UploadRejected
from motcua.documents.models import StoredFile
from motcua.documents.services import stored_file_create, stored_file_upload
from motcua.documents.storage import read_bytes
from tests.documents.conftest import make_jpeg, make_pdf, make_png, stored_blobs

PDF_ONLY = UploadPolicy(allowed_types=("application/pdf",), max_bytes=5 * 1024 * 1024)


def _reject(data, settings, policy=None, name="giay-to.pdf", owner=None):
    with pytest.raises(UploadRejected) as info:
        stored_file_create(data=data, original_name=name, owner=owner, policy=policy or PDF_ONLY)
    assert StoredFile.objects.count() == 0
    assert stored_blobs(settings) == []
    return info.value


def test_valid_pdf_is_stored_with_hash_size_type_owner_and_audit(personas, settings):
    data = make_pdf()
    stored = stored_file_create(
        data=data,
        original_name="don.pdf",
        owner=personas.citizen_a,
        actor=personas.citizen_a,
        policy=PDF_ONLY,
    )
    import hashlib

    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert stored.mime_type == "application/pdf"
    assert stored.page_count == 1
    assert stored.owner == personas.citizen_a
    assert read_bytes(stored.storage_name) == data
    entry = AuditEntry.objects.get(action="documents.file_store")
    assert entry.object_id == str(stored.pk)
    assert entry.after["sha256"] == stored.sha256


def test_type_comes_from_content_not_name(personas, settings):
    stored = stored_file_create(
        data=make_png(),
        original_name="scan.pdf",
        owner=personas.citizen_a,
        policy=UploadPolicy(),
    )
    assert stored.mime_type == "image/png"


def test_mislabelled_png_named_pdf_is_rejected(db, settings):
    error = _reject(make_png(), settings, name="don-de-nghi.pdf")
    assert error.code == "bad_type"
    assert "không phải định dạng được chấp nhận" in error.message
    assert "don-de-nghi.pdf" in error.message


def test_executable_renamed_to_pdf_is_rejected(db, settings):
    error = _reject(b"MZ\x90\x00" + b"\x00" * 200, settings, name="hop-dong.pdf")
    assert error.code == "bad_type"


def test_encrypted_pdf_is_rejected(db, settings):
    pdf = pikepdf.open(io.BytesIO(make_pdf()))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="chu", user="mat-khau", R=6))
    error = _reject(out.getvalue(), settings)
    assert error.code == "encrypted"
    assert "mật khẩu" in error.message


def test_owner_password_only_pdf_is_rejected_too(db, settings):
    pdf = pikepdf.open(io.BytesIO(make_pdf()))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="chu", user="", R=6))
    assert _reject(out.getvalue(), settings).code == "encrypted"


def test_malformed_pdf_is_rejected(db, settings):
    error = _reject(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\n%%EOF", settings)
    assert error.code == "malformed"
    assert "bị hỏng" in error.message


def test_truncated_pdf_is_rejected(db, settings):
    data = make_pdf(pages=3)
    error = _reject(data[: len(data) // 3], settings)
    assert error.code == "malformed"


def _pdf_with(update):
    pdf = pikepdf.open(io.BytesIO(make_pdf()))
    update(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_pdf_with_javascript_open_action_is_rejected(db, settings):
    data = _pdf_with(
        lambda pdf: setattr(
            pdf.Root,
            "OpenAction",
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")),
        )
    )
    error = _reject(data, settings)
    assert error.code == "active_content"
    assert "JavaScript" in error.message


def test_pdf_with_launch_action_is_rejected(db, settings):
    data = _pdf_with(
        lambda pdf: setattr(
            pdf.Root,
            "OpenAction",
            pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")),
        )
    )
    assert _reject(data, settings).code == "active_content"


def test_pdf_with_embedded_file_is_rejected(db, settings):
    def attach(pdf):
        pdf.attachments["virus.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ...")

    assert _reject(_pdf_with(attach), settings).code == "active_content"


def test_oversized_upload_is_rejected_before_reading_it_all(personas, settings):
    policy = UploadPolicy(max_bytes=1024)
    stream = io.BytesIO(make_pdf() + b"\n" * 4096)
    with pytest.raises(UploadRejected) as info:
        stored_file_upload(
            uploaded=stream, original_name="lon.pdf", actor=personas.citizen_a, policy=policy
        )
    assert info.value.code == "too_large"
    assert "1 KB" in info.value.message
    assert stream.tell() == 1025  # read at most limit + 1 bytes
    assert StoredFile.objects.count() == 0
    assert stored_blobs(settings) == []


def test_component_limits_apply(personas, settings):
    class Component:  # duck-typed catalog.Component
        accepted_types = ["image/jpeg"]
        max_size_mb = 1

    policy = UploadPolicy.for_component(Component())
    assert policy.max_bytes == 1024 * 1024
    error = _reject(make_pdf(), settings, policy=policy)
    assert "JPEG" in error.message
    stored = stored_file_create(data=make_jpeg(), original_name="anh.jpg", policy=policy)
    assert stored.mime_type == "image/jpeg"


def test_image_decompression_bomb_is_rejected(db, settings):
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (8_000, 8_000)).save(out, format="PNG")  # tiny file, 64 Mpx
    assert len(out.getvalue()) < 1024 * 1024
    error = _reject(out.getvalue(), settings, policy=UploadPolicy())
    assert error.code == "image_too_big"


def test_corrupt_image_is_rejected(db, settings):
    data = make_png()[:60]
    assert _reject(data, settings, policy=UploadPolicy()).code == "bad_image"


def test_empty_upload_is_rejected(db, settings):
    assert _reject(b"", settings).code == "empty"


def fake_scanner(data: bytes):
    return "Eicar-Test-Signature" if b"EICAR" in data else None


def test_virus_scanner_plugin_rejects_infected_files(db, settings):
    settings.MOTCUA_VIRUS_SCANNER = "tests.documents.test_upload.fake_scanner"
    infected = make_pdf() + b"% EICAR-STANDARD-ANTIVIRUS-TEST\n"
    error = _reject(infected, settings)
    assert error.code == "virus"
    assert "Eicar-Test-Signature" in error.message
    assert stored_file_create(data=make_pdf(), original_name="ok.pdf", policy=PDF_ONLY)


def test_unreachable_clamav_rejects_instead_of_storing_unscanned(db, settings):
    settings.MOTCUA_VIRUS_SCANNER = "clamav"
    settings.MOTCUA_CLAMAV_SOCKET = "/nonexistent/clamd.ctl"
    assert _reject(make_pdf(), settings).code == "scanner_unavailable"
