"""Forms 01–06 as PDF (Circular 01/2018/TT-VPCP Art. 9, law.md §1.12): valid PDF
files with the dossier's data, downloadable only by the dossier's officers and by the
applicant (forms addressed to them)."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from motcua.core.testing.personas import make_officer
from motcua.dossiers import forms_pdf, services
from motcua.org.constants import Role

from .conftest import MONDAY

pytestmark = pytest.mark.django_db

SCRATCH = os.environ.get("MOTCUA_PDF_SCRATCH", "")


def text_of(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split())


def keep(name: str, data: bytes) -> None:
    """MOTCUA_PDF_SCRATCH=/tmp/x keeps the files to look at them (not in CI)."""
    if SCRATCH:
        Path(SCRATCH).mkdir(parents=True, exist_ok=True)
        (Path(SCRATCH) / name).write_bytes(data)


def page_size_mm(data: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    return round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)


@pytest.fixture
def supplemented(personas, staff, in_process):
    return services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Bản sao giấy chứng sinh chưa chứng thực\nTờ khai thiếu chữ ký của người đi đăng ký",
        now=MONDAY + dt.timedelta(hours=2),
    )


@pytest.fixture
def extended(personas, in_process):
    return services.dossier_extend_with_apology(
        dossier=in_process,
        actor=personas.leader_x,
        expected_version=in_process.version,
        new_due_at=dt.datetime(2026, 3, 16, 16, 0, tzinfo=MONDAY.tzinfo),
        reason="Cần xác minh thông tin với cơ quan đăng ký hộ tịch nơi cư trú",
        reason_kind="objective",
        now=MONDAY + dt.timedelta(hours=3),
    )


def test_form01_is_an_a5_receipt_with_code_appointment_and_qr(received):
    data = forms_pdf.form_pdf(received, "01", base_url="https://motcua.example/")
    keep("form01.pdf", data)
    text = text_of(data)
    assert received.code in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Nguyễn Văn A" in text
    assert "Giấy chứng sinh" in text
    due = received.due_at.astimezone(MONDAY.tzinfo)
    assert f"ngày {due:%d/%m/%Y}" in text
    assert f"https://motcua.example/tra-cuu/{received.code}/" in text.replace(" ", "")
    assert page_size_mm(data) == (148, 210)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_form02_lists_every_item_with_its_reason(supplemented):
    data = forms_pdf.form_pdf(supplemented, "02")
    keep("form02.pdf", data)
    text = text_of(data)
    assert supplemented.code in text
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Bản sao giấy chứng sinh chưa chứng thực" in text
    assert "Tờ khai thiếu chữ ký của người đi đăng ký" in text


def test_form03_states_the_refusal_reasons(personas, submitted):
    d = services.dossier_refuse_reception(
        dossier=submitted,
        actor=personas.receptionist_x,
        expected_version=submitted.version,
        reason="Thủ tục không thuộc thẩm quyền giải quyết của Sở X",
        now=MONDAY,
    )
    data = forms_pdf.form_pdf(d, "03")
    keep("form03.pdf", data)
    text = text_of(data)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Thủ tục không thuộc thẩm quyền giải quyết của Sở X" in text
    assert "Nguyễn Văn A" in text


def test_form04_apologises_with_old_and_new_appointment(extended):
    data = forms_pdf.form_pdf(extended, "04")
    keep("form04.pdf", data)
    text = text_of(data)
    assert extended.code in text
    # Received 02/3/2026: Circular 03/2025 Form 04 (tests/dossiers/test_rulesets.py has
    # the Decree 61 form).
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Mẫu số 04" in text and "đề nghị gia hạn thời gian giải quyết" in text
    assert "16 giờ 00 phút, ngày 16/03/2026" in text
    old = extended.due_before_extension.astimezone(MONDAY.tzinfo)
    assert f"ngày {old:%d/%m/%Y}" in text
    assert "Cần xác minh thông tin với cơ quan đăng ký hộ tịch nơi cư trú" in text


def test_form05_shows_each_step_with_people_and_timeliness(personas, staff, in_process):
    d = services.dossier_submit_for_approval(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        now=MONDAY + dt.timedelta(days=1),
    )
    data = forms_pdf.form_pdf(d, "05")
    keep("form05.pdf", data)
    text = text_of(data)
    assert d.code in text
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Mẫu số 06" in text  # Circular 03/2025 (was 05 in Circular 01/2018)
    for name in ("Tiếp nhận hồ sơ", "Thẩm định", "Phê duyệt"):
        assert name in text
    assert "Tiepnhan.X" in text  # receptionist received (giver of the next step)
    assert "Chuyenvien.X" in text
    assert "Đúng hạn" in text or "Trước hạn" in text


def test_forms_without_content_are_not_offered(received):
    assert forms_pdf.available_forms(received) == ["01", "05"]
    from django.http import Http404

    with pytest.raises(Http404):
        forms_pdf.form_pdf(received, "04")


def test_form06_register_lists_the_units_dossiers_in_landscape(personas, received, extended):
    day = MONDAY.date()
    data = forms_pdf.register_pdf(personas.unit_x, day, day)
    keep("form06.pdf", data)
    text = text_of(data)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Mẫu số 07" in text  # Circular 03/2025 (was 06 in Circular 01/2018)
    assert received.code in text.replace(" ", "")  # a long code wraps at its dashes
    assert "Đăng ký khai sinh" in text
    width, height = page_size_mm(data)
    assert (width, height) == (297, 210)
    empty = text_of(
        forms_pdf.register_pdf(personas.unit_x, day.replace(year=2025), day.replace(year=2025))
    )
    assert received.code not in empty


# --- HTTP: download and permissions ----------------------------------------------------


def url(d, number):
    return reverse("dossiers:form_pdf", kwargs={"pk": d.pk, "number": number})


def test_officer_downloads_form01_with_safe_filename(personas, client_for, received):
    response = client_for(personas.receptionist_x).get(url(received, "01"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="mau-01-{received.code}.pdf"'
    assert received.code in text_of(response.content)


def test_dossier_page_links_the_available_forms(personas, client_for, extended):
    html = client_for(personas.leader_x).get(reverse("dossiers:detail", args=[extended.pk]))
    content = html.content.decode()
    assert url(extended, "01") in content
    assert url(extended, "04") in content
    assert url(extended, "02") not in content


def test_applicant_downloads_own_forms_but_not_the_control_sheet(personas, client_for, extended):
    client = client_for(personas.citizen_a)
    assert client.get(url(extended, "04")).status_code == 200
    assert client.get(url(extended, "05")).status_code == 404


def test_other_citizen_gets_404(personas, client_for, received):
    assert client_for(personas.citizen_b).get(url(received, "01")).status_code == 404


def test_officer_of_another_unit_cannot_download(personas, client_for, received):
    other = make_officer("tiepnhan.y2", personas.unit_y, Role.RECEPTIONIST)
    assert client_for(other).get(url(received, "01")).status_code in (403, 404)
    assert client_for(personas.specialist_y).get(url(received, "05")).status_code in (403, 404)


def test_anonymous_is_sent_to_login(client, received):
    response = client.get(url(received, "01"))
    assert response.status_code == 302
    assert "dang-nhap" in response["Location"]


def test_unknown_form_number_is_404(personas, client_for, received):
    assert client_for(personas.receptionist_x).get(url(received, "07")).status_code == 404


def test_register_for_own_unit_and_not_for_another(personas, client_for, received):
    day = MONDAY.date().isoformat()
    client = client_for(personas.receptionist_x)
    ok = client.get(
        reverse("dossiers:register"),
        {"unit": personas.unit_x.pk, "date_from": day, "date_to": day},
    )
    assert ok.status_code == 200
    assert ok["Content-Disposition"].startswith('attachment; filename="mau-06-')
    assert received.code in text_of(ok.content).replace(" ", "")
    refused = client.get(
        reverse("dossiers:register"),
        {"unit": personas.unit_y.pk, "date_from": day, "date_to": day},
    )
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")


def test_register_rejects_reversed_range(personas, client_for):
    response = client_for(personas.receptionist_x).get(
        reverse("dossiers:register"),
        {"unit": personas.unit_x.pk, "date_from": "2026-03-05", "date_to": "2026-03-01"},
    )
    assert response.status_code == 400
    assert "Ngày kết thúc phải sau ngày bắt đầu." in response.content.decode()


# --- issued copies are kept with the dossier ---------------------------------------------


def test_receiving_at_the_page_keeps_form01_with_the_dossier(personas, client_for, submitted):
    from motcua.documents import storage
    from motcua.documents.models import StoredFile

    response = client_for(personas.receptionist_x).post(
        reverse("dossiers:act", args=[submitted.pk, "receive"]),
        {"receive-expected_version": submitted.version},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    stored = StoredFile.objects.get(links__dossier_code=submitted.code)
    assert stored.kind == "form"
    assert stored.owner == personas.citizen_a
    assert stored.unit == personas.unit_x
    assert stored.original_name == f"mau-01-{submitted.code}.pdf"
    assert submitted.code in text_of(storage.read_bytes(stored.storage_name))


def test_actions_without_a_form_store_nothing(personas, staff, client_for, received):
    from motcua.documents.models import StoredFile

    before = StoredFile.objects.count()
    response = client_for(personas.leader_x).post(
        reverse("dossiers:act", args=[received.pk, "assign"]),
        {"assign-expected_version": received.version, "assign-assignee": staff.specialist_x.pk},
    )
    assert response.status_code == 302
    assert StoredFile.objects.count() == before


def test_register_page_without_a_choice_shows_the_form(personas, client_for):
    response = client_for(personas.receptionist_x).get(reverse("dossiers:register"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sổ theo dõi hồ sơ (Mẫu 06)" in content
    assert personas.unit_x.name in content
    assert personas.unit_y.name not in content  # only the officer's own units


def test_print_views_link_their_pdf(personas, client_for, received):
    client = client_for(personas.receptionist_x)
    assert (
        url(received, "01")
        in client.get(reverse("dossiers:form01", args=[received.pk])).content.decode()
    )
    assert (
        url(received, "05")
        in client.get(reverse("dossiers:form05", args=[received.pk])).content.decode()
    )


def test_applicant_downloads_the_receipt_pdf_linked_from_the_portal(personas, received, client_for):
    client = client_for(personas.citizen_a)
    page = client.get(f"/ho-so/{received.pk}/").content.decode()
    url = f"/quan-tri/ho-so/{received.pk}/mau/01.pdf"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        b"".join(response.streaming_content if response.streaming else [response.content])[:4]
        == b"%PDF"
    )


def test_form03_after_appraisal_is_a_refusal_to_settle(personas, client_for, in_process):
    # Decree 61/2018 Art. 19(8), Decree 118/2025 Art. 19(3) (law.md R18): not a refusal
    # to receive — the dossier was received.
    d = services.dossier_refuse_after_appraisal(
        dossier=in_process,
        actor=personas.leader_x,
        expected_version=in_process.version,
        reason="Người được khai sinh đã có Giấy khai sinh",
        now=MONDAY + dt.timedelta(hours=3),
    )
    text = text_of(forms_pdf.form_pdf(d, "03"))
    assert "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in text
    assert "TIẾP NHẬN GIẢI QUYẾT" not in text
    assert forms_pdf.form_label(d, "03") == "Mẫu 03 — Phiếu từ chối giải quyết hồ sơ"
    page = client_for(personas.leader_x).get(reverse("dossiers:detail", args=[d.pk]))
    assert "Phiếu từ chối giải quyết hồ sơ" in page.content.decode()
    assert "Phiếu từ chối tiếp nhận" not in page.content.decode()
