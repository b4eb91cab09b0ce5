"""Back-office views: signing from the file page, the htmx status partial, the trust
store (administrators add national roots), and the configurable storage backend."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.documents import pki
from motcua.documents.models import SignatureRecord, TrustAnchor


def test_leader_signs_from_the_file_page(personas, credentials, issued_result, client_for):
    client = client_for(personas.leader_x)
    response = client.post(
        reverse("documents:sign", args=[issued_result.file.pk]),
        {"role": "leader", "unit": personas.unit_x.pk},
    )
    record = SignatureRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[record.file.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Tất cả chữ ký hợp lệ" in page and "Lãnh Đạo X" in page


def test_officer_without_certificate_gets_a_clear_message(personas, issued_result, client_for):
    from motcua.documents.models import SigningCredential

    SigningCredential.objects.filter(user=personas.leader_x).update(is_active=False)
    client = client_for(personas.leader_x)
    response = client.post(
        reverse("documents:sign", args=[issued_result.file.pk]), {"role": "leader"}, follow=True
    )
    assert "Chưa có chứng thư số để ký" in response.content.decode()
    assert not SignatureRecord.objects.exists()


def test_signature_status_partial(personas, issued_result, client_for):
    response = client_for(personas.citizen_a).get(
        reverse("documents:signature_status", args=[issued_result.file.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="signature-status"' in html and "Tệp chưa có chữ ký số" in html
    assert "<html" not in html


def test_administrator_adds_a_root_and_others_cannot(personas, client_for, session_pki):
    pem = pki.paths().ca_cert.read_bytes()
    forbidden = client_for(personas.receptionist_x).post(
        reverse("documents:trust_store"), {"certificate": SimpleUploadedFile("root.pem", pem)}
    )
    assert forbidden.status_code == 403
    response = client_for(personas.admin).post(
        reverse("documents:trust_store"),
        {"name": "Root CA thử nghiệm", "certificate": SimpleUploadedFile("root.pem", pem)},
    )
    assert response.status_code == 302
    assert TrustAnchor.objects.get().name == "Root CA thử nghiệm"
    listing = client_for(personas.receptionist_x).get(reverse("documents:trust_store"))
    assert "Root CA thử nghiệm" in listing.content.decode()


def test_garbage_certificate_is_refused(personas, client_for):
    response = client_for(personas.admin).post(
        reverse("documents:trust_store"),
        {"certificate": SimpleUploadedFile("root.pem", b"not a certificate")},
    )
    assert response.status_code == 200
    assert "Không đọc được chứng thư số" in response.content.decode()
    assert not TrustAnchor.objects.exists()


def test_storage_backend_is_chosen_by_setting(personas, settings, tmp_path):
    """STORAGES["documents"] (e.g. django-storages S3) replaces the local default."""
    from motcua.documents.services import stored_file_create
    from tests.documents.conftest import make_pdf

    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "object-store")},
        },
    }
    stored = stored_file_create(data=make_pdf(), original_name="a.pdf", owner=personas.citizen_a)
    assert (tmp_path / "object-store" / stored.storage_name).exists()


def test_receptionist_digitizes_and_certifies_at_the_counter(personas, credentials, client_for):
    from motcua.documents.constants import FileKind
    from motcua.documents.models import StoredFile
    from tests.documents.conftest import make_jpeg, make_png

    response = client_for(personas.receptionist_x).post(
        reverse("documents:digitize"),
        {
            "original_description": "CCCD số 001090000001, bản chính",
            "owner_identifier": personas.citizen_a.personal_id,
            "dossier_code": "000.00.01.H47-261127-0009",
            "component_code": "CCCD",
            "certify": "on",
            "pages": [
                SimpleUploadedFile("mat-truoc.jpg", make_jpeg()),
                SimpleUploadedFile("mat-sau.png", make_png()),
            ],
        },
    )
    assert response.status_code == 302
    signed = StoredFile.objects.get(kind=FileKind.SIGNED)
    assert signed.source.kind == FileKind.DIGITIZED
    assert signed.page_count == 2 and signed.owner == personas.citizen_a
    assert signed.links.get().dossier_code == "000.00.01.H47-261127-0009"
    assert SignatureRecord.objects.get(file=signed).role == "receptionist"


def test_digitize_rejects_a_bad_page_with_a_message(personas, client_for, settings):
    from motcua.documents.models import StoredFile

    response = client_for(personas.receptionist_x).post(
        reverse("documents:digitize"),
        {
            "original_description": "Giấy khai sinh",
            "pages": [SimpleUploadedFile("trang1.jpg", b"MZ\x90\x00" * 20)],
        },
    )
    assert response.status_code == 400
    assert "Trang 1" in response.content.decode()
    assert not StoredFile.objects.exists()
