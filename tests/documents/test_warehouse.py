"""Citizen e-data warehouse: results arrive automatically, documents can be added
(with upload safety) and reused in later dossiers with the national flags."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.core.models import AuditEntry
from motcua.documents.constants import REUSE_YES, SignerRole, WarehouseSource
from motcua.documents.models import StoredFile, WarehouseItem
from motcua.documents.services import (
    LinkTarget,
    document_sign,
    stored_file_create,
    warehouse_item_add,
    warehouse_item_reuse,
)
from tests.documents.conftest import make_pdf, make_png, stored_blobs


def test_signed_result_appears_in_kho_du_lieu(personas, credentials, issued_result, client_for):
    first = document_sign(file=issued_result.file, actor=personas.leader_x, role=SignerRole.LEADER)
    document_sign(file=first, actor=personas.leader_x, role=SignerRole.AGENCY, unit=personas.unit_x)
    response = client_for(personas.citizen_a).get(reverse("documents:warehouse"))
    html = response.content.decode()
    assert "Kho dữ liệu của tôi" in html
    assert "Giấy phép xây dựng" in html and issued_result.code in html
    other = client_for(personas.citizen_b).get(reverse("documents:warehouse")).content.decode()
    assert issued_result.code not in other


def test_citizen_adds_a_document(personas, client_for):
    client = client_for(personas.citizen_a)
    response = client.post(
        reverse("documents:warehouse"),
        {
            "title": "Căn cước công dân",
            "doc_type": "CCCD",
            "issuer": "Cục Cảnh sát QLHC",
            "file": SimpleUploadedFile("cccd.pdf", make_pdf()),
        },
    )
    assert response.status_code == 302
    item = WarehouseItem.objects.get(owner=personas.citizen_a)
    assert item.source == WarehouseSource.SUBMITTED and item.file.owner == personas.citizen_a


def test_mislabelled_upload_shows_message_and_stores_nothing(personas, client_for, settings):
    response = client_for(personas.citizen_a).post(
        reverse("documents:warehouse"),
        {
            "title": "Giấy khai sinh",
            "file": SimpleUploadedFile("khai-sinh.pdf", b"MZ\x90\x00" * 50),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html
    assert "không phải định dạng được chấp nhận" in html
    assert StoredFile.objects.count() == 0 and WarehouseItem.objects.count() == 0
    assert stored_blobs(settings) == []


def test_reuse_records_national_flags_on_the_component(personas):
    stored = stored_file_create(data=make_png(), original_name="cccd.png", owner=personas.citizen_a)
    item = warehouse_item_add(
        owner=personas.citizen_a, file=stored, title="CCCD", source=WarehouseSource.NATIONAL
    )
    link = warehouse_item_reuse(
        item=item,
        actor=personas.citizen_a,
        target=LinkTarget(dossier_code="000.00.01.H47-261201-0003", component_code="CCCD"),
    )
    assert link.reuse_flag == REUSE_YES
    assert link.from_national_warehouse is True
    assert link.warehouse_item == item
    entry = AuditEntry.objects.get(action="documents.warehouse_reuse")
    assert entry.after["DuocTaiSuDung"] == 1 and entry.after["DuocLayTuKhoDMQG"] == 1


def test_another_citizen_cannot_reuse_my_document(personas):
    import pytest
    from django.core.exceptions import PermissionDenied

    stored = stored_file_create(data=make_png(), original_name="a.png", owner=personas.citizen_a)
    item = warehouse_item_add(owner=personas.citizen_a, file=stored, title="A")
    with pytest.raises(PermissionDenied):
        warehouse_item_reuse(
            item=item, actor=personas.citizen_b, target=LinkTarget(dossier_code="X")
        )
