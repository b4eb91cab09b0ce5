"""The online application wizard through the Django test client: drafts saved on the
server and resumed elsewhere, plain Vietnamese errors, safe uploads (photos joined
into one PDF), components the state already holds not requested, warehouse reuse,
submission through dossier_submit_online."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier, DossierDraft
from tests.portal.conftest import BIRTH, make_pdf, make_png

START = f"/nop-ho-so/{BIRTH}/"


def _step(draft, slug):
    return reverse("portal:apply_step", args=[draft.pk, slug])


FORM = {
    "eform-nguoi_yeu_cau_ho_ten": "Trần Thị B",
    "eform-nguoi_yeu_cau_so_dinh_danh": "001090000002",
    "eform-nguoi_yeu_cau_dien_thoai": "0905000002",
    "eform-quan_he": "me",
    "eform-ho_ten_tre": "Trần Văn Bé",
    "eform-gioi_tinh": "nam",
    "eform-ngay_sinh": "2026-11-01",
    "eform-noi_sinh": "Bệnh viện Đa khoa Quảng Nam",
    "eform-ho_ten_me": "Trần Thị B",
    "eform-co_giay_chung_sinh": "on",
    "eform-dung_han": "on",
    "eform-so_ban_sao": "1",
    "eform-cam_doan": "on",
}


def _form_data(birth):
    """FORM with the first allowed value for enums the test does not care about."""
    data = dict(FORM)
    props = birth.form_schema["properties"]
    for name in ("quan_he", "gioi_tinh", "dan_toc", "quoc_tich"):
        if "enum" in props.get(name, {}):
            data[f"eform-{name}"] = props[name]["enum"][0]
    return data


def _fill(client, birth):
    response = client.get(START)
    assert response.status_code == 302
    draft = DossierDraft.objects.get(applicant__personal_id="001090000002")
    response = client.post(_step(draft, "to-khai"), {**_form_data(birth), "_action": "next"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return draft


def test_start_requires_login_then_prefills_from_the_profile(birth, personas, client, client_for):
    assert client.get(START)["Location"].startswith("/tai-khoan/dang-nhap/")
    b = client_for(personas.citizen_b)
    response = b.get(START)
    draft = DossierDraft.objects.get(applicant=personas.citizen_b)
    assert response["Location"] == _step(draft, "to-khai")
    body = b.get(response["Location"]).content.decode()
    assert 'value="Trần Thị B"' in body and 'value="001090000002"' in body
    assert "Bước 1/4" in body  # no case step: the procedure has a single case
    assert 'hx-trigger="change delay:1s"' in body and "Lưu nháp" in body


def test_errors_are_inline_and_summarised_in_vietnamese(birth, personas, client_for):
    b = client_for(personas.citizen_b)
    b.get(START)
    draft = DossierDraft.objects.get(applicant=personas.citizen_b)
    response = b.post(_step(draft, "to-khai"), {"eform-ho_ten_tre": "", "_action": "next"})
    body = response.content.decode()
    assert response.status_code == 400
    assert (
        "error-summary" in body and "Vui lòng nhập “Họ, chữ đệm, tên người được khai sinh”." in body
    )
    assert 'href="#id_eform-ho_ten_tre"' in body


def test_draft_saved_on_one_device_resumes_on_another(birth, personas, client_for, client):
    phone = client_for(personas.citizen_b)
    phone.get(START)
    draft = DossierDraft.objects.get(applicant=personas.citizen_b)
    # htmx autosave while typing
    saved = phone.post(
        reverse("portal:apply_autosave", args=[draft.pk]),
        {"eform-ho_ten_tre": "Bé Na", "eform-noi_sinh": "Tam Kỳ"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "Đã tự động lưu" in saved.content.decode()
    # a second, separate session of the same citizen
    laptop = client_for(personas.citizen_b)
    follow = laptop.get(START, follow=True)
    body = follow.content.decode()
    assert 'value="Bé Na"' in body and 'value="Tam Kỳ"' in body
    assert "Vui lòng nhập" not in body  # resuming shows values, not validation errors
    # Someone else cannot open the draft.
    other = client_for(personas.citizen_a)
    assert other.get(_step(draft, "to-khai")).status_code == 404
    assert other.post(reverse("portal:apply_autosave", args=[draft.pk]), {}).status_code == 404


def test_save_draft_button_works_without_javascript(birth, personas, client_for):
    b = client_for(personas.citizen_b)
    b.get(START)
    draft = DossierDraft.objects.get(applicant=personas.citizen_b)
    response = b.post(_step(draft, "to-khai"), {"eform-ho_ten_tre": "Bé Bi", "_action": "save"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.raw_form["eform-ho_ten_tre"] == "Bé Bi" and not draft.form_valid


def test_full_application_photo_becomes_pdf_and_id_card_is_not_requested(
    birth, personas, client_for
):
    from motcua.documents.models import FileLink, StoredFile

    b = client_for(personas.citizen_b)
    draft = _fill(b, birth)
    page = b.get(_step(draft, "giay-to")).content.decode()
    # GIAY_TO_TUY_THAN comes from the national population database: not requested.
    assert "bạn không phải nộp giấy tờ này" in page
    assert 'name="component" value="GIAY_TO_TUY_THAN"' not in page
    # The witness statement is only for births without a certificate: not listed.
    assert "người làm chứng" not in page
    # Two photos of the form → one 2-page PDF.
    response = b.post(
        _step(draft, "giay-to"),
        {
            "component": "TO_KHAI",
            "files": [
                SimpleUploadedFile("p1.png", make_png(), "image/png"),
                SimpleUploadedFile("p2.png", make_png(colour="grey"), "image/png"),
            ],
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    stored = StoredFile.objects.get(pk=draft.attachments["TO_KHAI"]["file"])
    assert stored.mime_type == "application/pdf" and stored.page_count == 2
    assert stored.owner == personas.citizen_b
    b.post(
        _step(draft, "giay-to"),
        {"component": "GIAY_CHUNG_SINH", "files": SimpleUploadedFile("gcs.pdf", make_pdf())},
    )
    review = b.get(_step(draft, "xem-lai")).content.decode()
    assert "Hồ sơ chưa đủ để nộp" not in review and "Trần Văn Bé" in review
    declaration = _step(draft, "cam-doan")
    refused = b.post(declaration, {"unit": personas.unit_x.pk, "_action": "submit"})
    assert refused.status_code == 400
    assert "Bạn cần xác nhận lời cam đoan trước khi nộp." in refused.content.decode()
    done = b.post(
        declaration, {"unit": personas.unit_x.pk, "declaration": "on", "_action": "submit"}
    )
    d = Dossier.objects.get(applicant=personas.citizen_b)
    assert done["Location"] == reverse("portal:apply_done", args=[d.pk])
    assert d.status == DossierStatus.SUBMITTED and d.channel == "2"
    assert d.form_answers["ho_ten_tre"] == "Trần Văn Bé"
    assert sorted(c.component.code for c in d.components.all()) == ["GIAY_CHUNG_SINH", "TO_KHAI"]
    assert FileLink.objects.filter(file=stored, component_code="TO_KHAI").exists()
    stored.refresh_from_db()
    assert stored.unit == personas.unit_x  # the receiving officers may open it
    page = b.get(done["Location"]).content.decode()
    assert "TT-" in page and "Bạn đã nộp hồ sơ thành công" in page
    # The draft is gone from the wizard once submitted.
    assert b.get(_step(draft, "to-khai")).status_code == 404


def test_upload_checks_refuse_a_fake_pdf_in_plain_words(birth, personas, client_for):
    from motcua.documents.models import StoredFile

    b = client_for(personas.citizen_b)
    draft = _fill(b, birth)
    response = b.post(
        _step(draft, "giay-to"),
        {"component": "TO_KHAI", "files": SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not StoredFile.objects.exists()
    # The size limit is announced for the browser-side check too.
    page = b.get(_step(draft, "giay-to")).content.decode()
    assert 'data-max-bytes="10485760"' in page and 'capture="environment"' in page


def test_a_document_from_the_warehouse_is_reused_without_upload(birth, personas, client_for):
    from motcua.documents.models import FileLink, StoredFile
    from motcua.documents.services import stored_file_create, warehouse_item_add

    b = client_for(personas.citizen_b)
    kept = stored_file_create(
        data=make_pdf(), original_name="to-khai-cu.pdf", owner=personas.citizen_b, actor=None
    )
    item = warehouse_item_add(owner=personas.citizen_b, file=kept, title="Tờ khai đã ký")
    draft = _fill(b, birth)
    files_before = StoredFile.objects.count()
    response = b.post(
        _step(draft, "giay-to"), {"component": "TO_KHAI", "_action": "reuse", "item": item.pk}
    )
    assert response.status_code == 302
    b.post(
        _step(draft, "giay-to"),
        {"component": "GIAY_CHUNG_SINH", "_action": "reuse", "item": item.pk},
    )
    b.post(
        _step(draft, "cam-doan"),
        {"unit": personas.unit_x.pk, "declaration": "on", "_action": "submit"},
    )
    d = Dossier.objects.get(applicant=personas.citizen_b)
    assert StoredFile.objects.count() == files_before  # nothing was uploaded
    row = d.components.get(component__code="TO_KHAI")
    assert row.reused and row.from_warehouse
    link = FileLink.objects.get(file=kept, component_code="TO_KHAI")
    assert link.reuse_flag == 1 and link.warehouse_item == item


def test_matching_warehouse_document_is_not_requested(birth, personas, client_for):
    from motcua.documents.services import stored_file_create, warehouse_item_add

    kept = stored_file_create(
        data=make_pdf(), original_name="gcs.pdf", owner=personas.citizen_b, actor=None
    )
    warehouse_item_add(
        owner=personas.citizen_b, file=kept, title="Giấy chứng sinh", doc_type="GIAY_CHUNG_SINH"
    )
    b = client_for(personas.citizen_b)
    draft = _fill(b, birth)
    page = b.get(_step(draft, "giay-to")).content.decode()
    assert "Dùng giấy tờ có sẵn trong kho dữ liệu của bạn" in page
    assert 'id="files-GIAY_CHUNG_SINH"' not in page
    # The citizen may decline and upload another file instead.
    b.post(_step(draft, "giay-to"), {"component": "GIAY_CHUNG_SINH", "_action": "remove"})
    assert 'id="files-GIAY_CHUNG_SINH"' in b.get(_step(draft, "giay-to")).content.decode()


def test_applying_on_behalf_needs_an_authorisation_document(birth, personas, client_for):
    b = client_for(personas.citizen_b)
    draft = _fill(b, birth)
    for code in ("TO_KHAI", "GIAY_CHUNG_SINH"):
        b.post(
            _step(draft, "giay-to"),
            {"component": code, "files": SimpleUploadedFile("a.pdf", make_pdf())},
        )
    url = _step(draft, "cam-doan")
    data = {
        "unit": personas.unit_x.pk,
        "on_behalf": "on",
        "principal_name": "Lê Văn Ông",
        "principal_id": "001090000077",
        "declaration": "on",
        "_action": "submit",
    }
    refused = b.post(url, data)
    assert refused.status_code == 400
    assert "Đính kèm văn bản ủy quyền" in refused.content.decode()
    b.post(
        _step(draft, "giay-to"),
        {"component": "UY_QUYEN", "files": SimpleUploadedFile("uq.pdf", make_pdf())},
    )
    assert b.post(url, data).status_code == 302
    d = Dossier.objects.get(applicant=personas.citizen_b)
    assert d.representative_name == "Trần Thị B"
    assert d.form_answers["_nop_thay"]["so_dinh_danh"] == "001090000077"
    assert d.components.filter(name="Văn bản ủy quyền").exists()


def test_business_account_applies_for_the_organisation(birth, personas, client_for):
    biz = client_for(personas.business)
    response = biz.get(START)
    assert response.status_code == 302
    assert DossierDraft.objects.filter(applicant=personas.business).exists()


@pytest.mark.parametrize("persona", ["receptionist_x", "admin"])
def test_officers_cannot_apply(birth, personas, client_for, persona):
    assert client_for(getattr(personas, persona)).get(START).status_code == 403


def test_the_declaration_filled_as_the_eform_is_not_asked_as_an_upload(birth, personas, client_for):
    """Issue 18: the citizen was asked to upload the declaration they had just filled in
    as the e-form. It is now marked as filled online and sent as a PDF of the answers."""
    import io

    from pypdf import PdfReader

    from motcua.documents.models import StoredFile
    from motcua.documents.storage import read_bytes

    b = client_for(personas.citizen_b)
    draft = _fill(b, birth)
    page = b.get(_step(draft, "giay-to")).content.decode()
    assert "Đã khai trực tuyến" in page
    assert 'name="component" value="TO_KHAI"' not in page
    b.post(
        _step(draft, "giay-to"),
        {"component": "GIAY_CHUNG_SINH", "files": SimpleUploadedFile("gcs.pdf", make_pdf())},
    )
    review = b.get(_step(draft, "xem-lai")).content.decode()
    assert "Hồ sơ chưa đủ để nộp" not in review
    b.post(
        _step(draft, "cam-doan"),
        {"unit": personas.unit_x.pk, "declaration": "on", "_action": "submit"},
    )
    d = Dossier.objects.get(applicant=personas.citizen_b)
    declaration = d.components.get(component__code="TO_KHAI")
    stored = StoredFile.objects.get(pk=declaration.files[0]["stored_file"])
    assert stored.owner == personas.citizen_b and stored.mime_type == "application/pdf"
    assert stored.links.get().component_code == "TO_KHAI"
    pdf = PdfReader(io.BytesIO(read_bytes(stored.storage_name)))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in text and "Trần Văn Bé" in text
    assert "ho_ten_tre" not in text


def _submit_with_certificate(b, birth, personas):
    """Fill the e-form, attach the birth certificate, declare and submit."""
    draft = _fill(b, birth)
    b.post(
        _step(draft, "giay-to"),
        {"component": "GIAY_CHUNG_SINH", "files": SimpleUploadedFile("gcs.pdf", make_pdf())},
    )
    return b.post(
        _step(draft, "cam-doan"),
        {"unit": personas.unit_x.pk, "declaration": "on", "_action": "submit"},
    )


def test_fees_due_at_submission_are_requested_and_the_citizen_is_led_to_pay(
    birth, personas, client_for
):
    """Issue 18: the catalogue says "Khi nộp hồ sơ" but no fee was requested."""
    from motcua.payments.models import PaymentRequest

    assert birth.fee_collection_timing == "at_submission"
    b = client_for(personas.citizen_b)
    done = _submit_with_certificate(b, birth, personas)
    d = Dossier.objects.get(applicant=personas.citizen_b)
    req = PaymentRequest.objects.get(dossier=d)
    assert req.outstanding > 0 and req.lines.exists()
    page = b.get(done["Location"]).content.decode()
    assert "Thanh toán ngay" in page
    assert f'href="{reverse("pay:request", args=[req.pk])}"' in page
    assert b.get(reverse("pay:request", args=[req.pk])).status_code == 200


def test_no_fee_request_when_fees_are_collected_later(birth, personas, client_for):
    from motcua.payments.models import PaymentRequest

    birth.fee_collection_timing = "on_request"
    birth.save(update_fields=["fee_collection_timing"])
    b = client_for(personas.citizen_b)
    done = _submit_with_certificate(b, birth, personas)
    assert not PaymentRequest.objects.exists()
    assert "Thanh toán ngay" not in b.get(done["Location"]).content.decode()
