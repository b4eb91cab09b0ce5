import datetime as dt
import json

import pytest
from django.test import Client

from motcua.catalog import selectors
from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import Procedure, ProcedureVersion


@pytest.mark.django_db
def test_public_search_page_and_htmx_partial(demo_catalog):
    client = Client()
    page = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/thu-tuc/1.001193/"' in html and "<form" in html
    partial = client.get(
        "/thu-tuc/", {"q": "khai sihn"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="procedure-results"
    )
    body = partial.content.decode()
    assert "<html" not in body and "Đăng ký khai sinh" in body and "gần giống" in body


@pytest.mark.django_db
def test_procedure_page_has_what_a_citizen_needs(demo_catalog, demo_units):
    html = Client().get("/thu-tuc/1.001193/").content.decode()
    assert demo_units["pas"].name in html  # reception at the provincial PAS centre
    for text in (
        "Đăng ký khai sinh",
        "Nộp hồ sơ trực tuyến",
        'href="/nop-ho-so/1.001193/"',
        "Giấy chứng sinh",
        "8.000 đ",
        "Miễn lệ phí đăng ký khai sinh đúng hạn",
        "UBND phường Tân Thạnh",
        "60/2014/QH13",
        "15 giờ",
    ):
        assert text in html, text
    # No online submission → no button.
    signature = Client().get("/thu-tuc/2.000884/").content.decode()
    assert "/nop-ho-so/" not in signature
    assert Client().get("/thu-tuc/0.000000/").status_code == 404


@pytest.mark.django_db
def test_backoffice_is_for_officers_and_read_only_for_non_admins(
    simple_procedure, personas, client_for
):
    assert Client().get("/quan-tri/thu-tuc/").status_code == 302  # login
    assert client_for(personas.citizen_a).get("/quan-tri/thu-tuc/").status_code == 403
    officer = client_for(personas.receptionist_x)
    listing = officer.get("/quan-tri/thu-tuc/")
    assert listing.status_code == 200 and "9.000001" in listing.content.decode()
    detail = officer.get("/quan-tri/thu-tuc/9.000001/").content.decode()
    assert "Tạo bản nháp" not in detail
    assert officer.post("/quan-tri/thu-tuc/9.000001/tao-ban-nhap/").status_code == 403
    version = selectors.latest_published(simple_procedure)
    assert officer.get(f"/quan-tri/thu-tuc/phien-ban/{version.pk}/sua/").status_code == 403


@pytest.mark.django_db
def test_admin_edits_a_draft_previews_eform_publishes_and_diffs(
    simple_procedure, personas, client_for
):
    admin = client_for(personas.admin)
    response = admin.post("/quan-tri/thu-tuc/9.000001/tao-ban-nhap/")
    draft = ProcedureVersion.objects.get(procedure=simple_procedure, status=VersionStatus.DRAFT)
    assert response.status_code == 302
    # Published versions cannot be edited through the UI.
    published = selectors.latest_published(simple_procedure)
    assert admin.get(f"/quan-tri/thu-tuc/phien-ban/{published.pk}/sua/").status_code == 403

    form = admin.get(f"/quan-tri/thu-tuc/phien-ban/{draft.pk}/sua/")
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data.update(
        {
            "name": "Cấp giấy thử nghiệm (sửa đổi)",
            "online_mode": "full",
            "processing_time_value": "3",
            "processing_time_unit": "working_days",
            "fee_collection_timing": "at_submission",
            "subjects": ["citizen"],
            "legal_basis_text": "60/2014/QH13 | Luật Hộ tịch | 2014-11-20",
        }
    )
    data.pop("full_process_eligible", None)
    data.pop("result_is_paper_equivalent", None)
    data.pop("is_example_data", None)
    assert admin.post(f"/quan-tri/thu-tuc/phien-ban/{draft.pk}/sua/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.legal_basis[0]["number"] == "60/2014/QH13"

    fee = draft.fee_rules.get()
    edit = admin.post(
        f"/quan-tri/thu-tuc/phien-ban/{draft.pk}/phi/{fee.pk}/",
        {
            "code": "LP",
            "kind": "le_phi",
            "name": "Lệ phí",
            "amount": "70000",
            "basis": "per_dossier",
            "online_discount_percent": "0",
        },
    )
    assert edit.status_code == 302

    schema = {
        "type": "object",
        "properties": {"ten": {"type": "string", "title": "Tên"}},
        "required": ["ten"],
    }
    preview = admin.post(
        f"/quan-tri/thu-tuc/phien-ban/{draft.pk}/bieu-mau/xem-truoc/",
        {"schema": json.dumps(schema), "layout": "{}"},
        HTTP_HX_REQUEST="true",
    )
    assert 'name="pv-ten"' in preview.content.decode()
    broken = admin.post(
        f"/quan-tri/thu-tuc/phien-ban/{draft.pk}/bieu-mau/xem-truoc/",
        {"schema": '{"type": "object", "properties": {"x": {"type": "file"}}}', "layout": ""},
    )
    assert "không được hỗ trợ" in broken.content.decode()
    saved = admin.post(
        f"/quan-tri/thu-tuc/phien-ban/{draft.pk}/bieu-mau/",
        {"schema": json.dumps(schema), "layout": "{}"},
    )
    assert saved.status_code == 302

    publish = admin.post(
        f"/quan-tri/thu-tuc/phien-ban/{draft.pk}/cong-bo/", {"effective_from": "2026-02-01"}
    )
    assert publish.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert selectors.version_in_force(simple_procedure, dt.date(2026, 2, 1)).pk == draft.pk

    diff = admin.get("/quan-tri/thu-tuc/9.000001/so-sanh/").content.decode()
    for text in (
        "Thời hạn giải quyết",
        "Mức thu (VND)",
        "70000",
        "50000",
        "Biểu mẫu điện tử",
        "Cấp giấy thử nghiệm (sửa đổi)",
    ):
        assert text in diff, text


@pytest.mark.django_db
def test_xlsx_and_json_exports(demo_catalog, personas, client_for):
    officer = client_for(personas.receptionist_x)
    xlsx = officer.get("/quan-tri/thu-tuc/xuat.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    import zipfile
    from io import BytesIO

    with zipfile.ZipFile(BytesIO(xlsx.content)) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert "Đăng ký khai sinh" in strings
    data = json.loads(officer.get("/quan-tri/thu-tuc/xuat.json").content)
    assert len(data) == Procedure.objects.count()


@pytest.mark.django_db
def test_demo_birth_eform_prefills_validates_and_prices(demo_catalog, personas):
    from motcua.catalog import eforms

    procedure = Procedure.objects.get(code="1.001193")
    version = selectors.version_in_force(procedure)
    citizen = personas.citizen_a
    blank = eforms.build_form(version.form_schema, version.form_layout, user=citizen)
    assert blank["nguoi_yeu_cau_ho_ten"].value() == citizen.full_name
    answers = {
        "nguoi_yeu_cau_ho_ten": citizen.full_name,
        "nguoi_yeu_cau_so_dinh_danh": citizen.personal_id,
        "quan_he": "cha",
        "ho_ten_tre": "Nguyễn Văn Bé",
        "gioi_tinh": "nam",
        "ngay_sinh": "2026-11-01",
        "noi_sinh": "Bệnh viện Đa khoa tỉnh",
        "ho_ten_me": "Trần Thị Mẹ",
        "co_giay_chung_sinh": "on",
        "so_ban_sao": "2",
        "cam_doan": "on",
    }
    late = eforms.build_form(version.form_schema, version.form_layout, data=answers)
    assert not late.is_valid()  # "dung_han" unticked → late: the reason becomes required
    assert "ly_do_qua_han" in late.errors
    on_time = eforms.build_form(
        version.form_schema, version.form_layout, data={**answers, "dung_han": "on"}
    )
    assert on_time.is_valid(), on_time.errors
    data = on_time.answers()
    lines = {line.code: line for line in selectors.fee_lines(version, data, "online")}
    assert lines["LE_PHI_KHAI_SINH"].amount == 0 and lines["LE_PHI_KHAI_SINH"].exempt
    assert lines["BAN_SAO_TRICH_LUC"].amount == 16000  # 2 copies × 8,000 đ
    names = [c.code for c in selectors.components_required(version, data)]
    assert "GIAY_CHUNG_SINH" in names and "VAN_BAN_LAM_CHUNG" not in names


@pytest.mark.django_db
def test_admin_creates_procedure_adds_case_and_manages_competence(personas, client_for, demo_units):
    from motcua.catalog.models import Competence, Field

    field = Field.objects.create(code="HOTICH", name="Hộ tịch")
    admin = client_for(personas.admin)
    response = admin.post(
        "/quan-tri/thu-tuc/them/",
        {"code": "9.000777", "name": "Thủ tục mới", "field": field.pk, "level": "commune"},
    )
    draft = ProcedureVersion.objects.get(procedure__code="9.000777")
    assert response.status_code == 302 and draft.status == VersionStatus.DRAFT
    case = admin.post(
        f"/quan-tri/thu-tuc/phien-ban/{draft.pk}/truong-hop/them/",
        {
            "code": "XM",
            "name": "Cần xác minh",
            "processing_time_value": "10",
            "processing_time_unit": "working_days",
            "order": "1",
        },
    )
    assert case.status_code == 302 and draft.cases.get().code == "XM"
    commune = demo_units["commune_a"]
    added = admin.post(
        "/quan-tri/thu-tuc/9.000777/tham-quyen/them/",
        {
            "unit": commune.pk,
            "is_competent": "on",
            "is_reception_point": "on",
            "valid_from": "2025-07-01",
        },
    )
    assert added.status_code == 302
    # Overlapping competence for the same unit is refused.
    again = admin.post(
        "/quan-tri/thu-tuc/9.000777/tham-quyen/them/",
        {"unit": commune.pk, "valid_from": "2026-01-01"},
    )
    assert again.status_code == 200 and "đã có thẩm quyền" in again.content.decode()
    competence = Competence.objects.get(procedure__code="9.000777")
    admin.post(
        f"/quan-tri/thu-tuc/9.000777/tham-quyen/{competence.pk}/ket-thuc/",
        {"valid_to": "2026-06-30"},
    )
    procedure = Procedure.objects.get(code="9.000777")
    assert selectors.competent_units(procedure, dt.date(2026, 6, 30)) == [commune]
    assert selectors.competent_units(procedure, dt.date(2026, 7, 1)) == []
    # Officers who are not administrators cannot change competence.
    officer = client_for(personas.receptionist_x)
    assert officer.get("/quan-tri/thu-tuc/9.000777/tham-quyen/them/").status_code == 403
