"""Files are served only through permission-checked views, with download headers."""

import pytest
from django.urls import reverse

from motcua.documents.access import register_access_policy, unregister_access_policy
from motcua.documents.services import LinkTarget, stored_file_create
from tests.documents.conftest import make_pdf


@pytest.fixture
def citizen_file(personas):
    return stored_file_create(
        data=make_pdf(),
        original_name="Đơn đề nghị cấp phép.pdf",
        owner=personas.citizen_a,
        actor=personas.citizen_a,
        link=LinkTarget(dossier_code="000.00.02.H47-261127-0007", component_code="TP1"),
    )


def _get(client, stored, **params):
    return client.get(reverse("documents:download", args=[stored.pk]), params)


def test_owner_downloads_with_correct_headers(personas, client_for, citizen_file):
    response = _get(client_for(personas.citizen_a), citizen_file)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(citizen_file.size)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition  # RFC 5987: Vietnamese file name survives
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    import hashlib

    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == citizen_file.sha256


def test_pdf_can_be_opened_inline(personas, client_for, citizen_file):
    response = _get(client_for(personas.citizen_a), citizen_file, xem="1")
    assert response["Content-Disposition"].startswith("inline;")


def test_other_citizen_gets_not_found(personas, client_for, citizen_file):
    assert _get(client_for(personas.citizen_b), citizen_file).status_code == 404
    detail = client_for(personas.citizen_b).get(reverse("documents:detail", args=[citizen_file.pk]))
    assert detail.status_code == 404


def test_anonymous_is_sent_to_login(client, citizen_file):
    response = _get(client, citizen_file)
    assert response.status_code == 302
    assert "/tai-khoan/" in response["Location"]


def test_unrelated_officer_gets_not_found(personas, client_for, citizen_file):
    assert _get(client_for(personas.specialist_y), citizen_file).status_code == 404


def test_officer_allowed_by_a_registered_policy(personas, client_for, citizen_file):
    """The dossiers app will register a policy 'officers of units handling the dossier';
    here a fake one grants unit Y's officers the files of dossiers received by unit Y."""

    def fake_dossier_policy(user, stored):
        return (
            any(link.dossier_code.startswith(personas.unit_y.code) for link in stored.links.all())
            and user == personas.specialist_y
        )

    register_access_policy(fake_dossier_policy)
    try:
        assert _get(client_for(personas.specialist_y), citizen_file).status_code == 200
        assert _get(client_for(personas.receptionist_x), citizen_file).status_code == 404
    finally:
        unregister_access_policy(fake_dossier_policy)
    assert _get(client_for(personas.specialist_y), citizen_file).status_code == 404


def test_officers_of_the_holding_unit_and_supervisors_see_unit_files(personas, client_for):
    stored = stored_file_create(
        data=make_pdf(), original_name="ket-qua.pdf", unit=personas.unit_x, owner=personas.citizen_a
    )
    assert _get(client_for(personas.receptionist_x), stored).status_code == 200
    assert _get(client_for(personas.supervisor), stored).status_code == 200
    assert _get(client_for(personas.specialist_y), stored).status_code == 404


def test_no_public_media_url(personas, client, citizen_file, settings):
    assert client.get(f"/media/documents/{citizen_file.storage_name}").status_code == 404
    assert client.get(f"/documents/{citizen_file.storage_name}").status_code == 404


def test_behind_nginx_the_bytes_are_handed_over_by_x_accel_redirect(
    personas, client_for, citizen_file, settings
):
    """MOTCUA_MEDIA_ACCEL_REDIRECT: after the access check the answer is empty and names
    the file in nginx's internal location; the download headers stay Django's."""
    settings.MOTCUA_MEDIA_ACCEL_REDIRECT = "/_documents/"
    response = _get(client_for(personas.citizen_a), citizen_file)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_documents/{citizen_file.storage_name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert _get(client_for(personas.citizen_a), citizen_file, xem="1")[
        "Content-Disposition"
    ].startswith("inline;")
    # The check still comes first: no internal path for someone else.
    refused = _get(client_for(personas.citizen_b), citizen_file)
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_object_storage_is_streamed_even_with_x_accel_redirect(
    personas, client_for, citizen_file, settings, monkeypatch
):
    from django.core.files.storage import Storage

    from motcua.documents import serving

    settings.MOTCUA_MEDIA_ACCEL_REDIRECT = "/_documents/"
    monkeypatch.setattr(serving.storage, "document_storage", lambda: Storage())
    assert serving.accel_redirect_path(citizen_file.storage_name) is None
