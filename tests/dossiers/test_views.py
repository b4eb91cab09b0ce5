"""Pages for each persona: worklists, dossier page actions, counter, citizen pages,
public tracking."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.accounts.models import User
from motcua.core.testing.files import tiny_pdf
from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier

from .conftest import MONDAY

pytestmark = pytest.mark.urls("tests.dossiers.urls")
S = DossierStatus


def test_worklist_shows_only_my_units(personas, staff, submitted, client_for):
    page = client_for(personas.receptionist_x).get(reverse("dossiers:worklist"))
    assert page.status_code == 200
    assert "Nguyễn Văn A" in page.content.decode()
    other = client_for(staff.receptionist_y).get(reverse("dossiers:worklist") + "?tab=to_receive")
    assert "Nguyễn Văn A" not in other.content.decode()


def test_worklist_tabs_and_filters(personas, staff, received, client_for):
    client = client_for(personas.leader_x)
    page = client.get(reverse("dossiers:worklist") + "?tab=to_assign")
    body = page.content.decode()
    assert received.code in body
    assert "Chờ phân công" in body
    page = client.get(reverse("dossiers:worklist") + "?tab=to_assign&status=resolved")
    assert received.code not in page.content.decode()
    page = client.get(
        reverse("dossiers:worklist") + f"?tab=to_assign&q={received.code}&sort=-received"
    )
    assert received.code in page.content.decode()


def test_overdue_tab(personas, staff, received, client_for):
    Dossier.objects.filter(pk=received.pk).update(due_at=MONDAY - dt.timedelta(days=1))
    page = client_for(personas.leader_x).get(reverse("dossiers:worklist") + "?tab=overdue")
    body = page.content.decode()
    assert received.code in body and "Quá hạn" in body


def test_worklist_has_no_n_plus_one(personas, version, client_for, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            d = services.dossier_submit_online(
                applicant=personas.citizen_a,
                procedure_version=version,
                receiving_unit=personas.unit_x,
            )
            services.dossier_receive(dossier=d, actor=personas.receptionist_x, expected_version=1)

    client = client_for(personas.leader_x)
    url = reverse("dossiers:worklist") + "?tab=to_assign"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    client.get(url)  # warm the calendar cache
    few = queries()
    add(20)
    assert queries() == few  # same number of queries for 2 and 22 rows
    with django_assert_max_num_queries(25):
        page = client.get(url)
    assert page.content.decode().count("/quan-tri/ho-so/") >= 22


def test_detail_shows_only_allowed_actions(personas, submitted, client_for):
    url = reverse("dossiers:detail", args=[submitted.pk])
    body = client_for(personas.receptionist_x).get(url).content.decode()
    assert f'action="/quan-tri/ho-so/{submitted.pk}/thao-tac/receive/"' in body
    assert 'name="receive-expected_version"' in body
    assert "thao-tac/approve/" not in body
    leader_body = client_for(personas.leader_x).get(url).content.decode()
    assert "thao-tac/receive/" not in leader_body


def test_officer_of_another_unit_gets_404(personas, staff, submitted, client_for):
    url = reverse("dossiers:detail", args=[submitted.pk])
    assert client_for(staff.receptionist_y).get(url).status_code == 404
    assert client_for(personas.supervisor).get(url).status_code == 200  # province subtree


def test_receive_through_the_page_then_form01(personas, submitted, client_for):
    client = client_for(personas.receptionist_x)
    response = client.post(
        reverse("dossiers:act", args=[submitted.pk, "receive"]),
        {"receive-expected_version": submitted.version},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:form01", args=[submitted.pk])
    d = Dossier.objects.get(pk=submitted.pk)
    assert d.status == S.RECEIVED
    form = client.get(response["Location"]).content.decode()
    assert d.code in form and "<svg" in form and f"/tra-cuu/{d.code}/" in form
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in form


def test_stale_version_on_the_page_is_refused(personas, submitted, client_for):
    client = client_for(personas.receptionist_x)
    response = client.post(
        reverse("dossiers:act", args=[submitted.pk, "receive"]),
        {"receive-expected_version": submitted.version - 1},
    )
    assert response.status_code == 409
    assert "người khác cập nhật" in response.content.decode()
    assert Dossier.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_reason_required_on_the_page(personas, submitted, client_for):
    response = client_for(personas.receptionist_x).post(
        reverse("dossiers:act", args=[submitted.pk, "refuse_reception"]),
        {"refuse_reception-expected_version": submitted.version, "refuse_reception-reason": ""},
    )
    assert response.status_code == 400
    assert Dossier.objects.get(pk=submitted.pk).status == S.SUBMITTED


def test_assign_and_extension_forms(personas, staff, received, client_for):
    client = client_for(personas.leader_x)
    response = client.post(
        reverse("dossiers:act", args=[received.pk, "assign"]),
        {"assign-expected_version": received.version, "assign-assignee": staff.specialist_x.pk},
    )
    assert response.status_code == 302
    d = Dossier.objects.get(pk=received.pk)
    assert d.assignee == staff.specialist_x
    body = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert "thao-tac/extend_with_apology/" in body
    page = client_for(staff.specialist_x).get(reverse("dossiers:worklist") + "?tab=mine")
    assert d.code in page.content.decode()


def test_control_sheet_lists_events(personas, received, client_for):
    body = (
        client_for(personas.receptionist_x)
        .get(reverse("dossiers:form05", args=[received.pk]))
        .content.decode()
    )
    assert "PHIẾU KIỂM SOÁT" in body and "Tiếp nhận hồ sơ" in body


def test_counter_reception_of_existing_citizen(personas, version, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(personas.receptionist_x)
    url = reverse("dossiers:counter")
    page = client.get(url + f"?personal_id={personas.citizen_a.personal_id}")
    assert "Nguyễn Văn A" in page.content.decode()
    query = f"?personal_id={personas.citizen_a.personal_id}&version={version.pk}"
    page = client.get(url + query)
    body = page.content.decode()
    assert "Giấy chứng sinh" in body
    components = list(version.components.all())
    data = {
        "step": "receive",
        "channel": "1",
        "answers_json": '{"ho_ten_tre": "Bé"}',
        f"file_{components[0].pk}": SimpleUploadedFile("tokhai.pdf", tiny_pdf()),
        f"digitized_{components[0].pk}": "on",
    }
    response = client.post(url + query, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    d = Dossier.objects.get(applicant=personas.citizen_a)
    assert d.status == S.RECEIVED and d.code
    assert d.submitted_on_behalf_by == personas.receptionist_x
    assert d.form_answers == {"ho_ten_tre": "Bé"}
    first = d.components.get(component=components[0])
    assert first.digitized and first.files[0]["name"] == "tokhai.pdf"
    # The scan went through the documents app: a digitized copy owned by the citizen.
    from motcua.documents.models import StoredFile

    stored = StoredFile.objects.get(pk=first.files[0]["stored_file"])
    assert stored.owner == personas.citizen_a
    assert stored.mime_type == "application/pdf"


def test_counter_refuses_a_disguised_file_and_writes_nothing(
    personas, version, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(personas.receptionist_x)
    url = reverse("dossiers:counter")
    query = f"?personal_id={personas.citizen_a.personal_id}&version={version.pk}"
    components = list(version.components.all())
    response = client.post(
        url + query,
        {
            "step": "receive",
            "channel": "1",
            "answers_json": "{}",
            f"file_{components[0].pk}": SimpleUploadedFile("tokhai.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    assert not Dossier.objects.filter(applicant=personas.citizen_a).exists()


def test_counter_registers_a_new_citizen(personas, version, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(personas.receptionist_x)
    url = reverse("dossiers:counter")
    page = client.get(url + "?personal_id=001090000099")
    assert "Tạo tài khoản công dân" in page.content.decode()
    response = client.post(
        url,
        {
            "step": "register",
            "full_name": "Lê Văn D",
            "personal_id": "001090000099",
            "phone": "0905000099",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(personal_id="001090000099").full_name == "Lê Văn D"


def test_counter_is_for_receptionists_only(personas, client_for):
    assert client_for(personas.specialist_y).get(reverse("dossiers:counter")).status_code == 404
    assert client_for(personas.citizen_a).get(reverse("dossiers:counter")).status_code == 403


def test_citizen_sees_own_dossiers_only(personas, received, client_for):
    a = client_for(personas.citizen_a)
    listing = a.get(reverse("my_dossiers:list")).content.decode()
    assert received.code in listing
    detail = a.get(reverse("my_dossiers:detail", args=[received.pk]))
    assert detail.status_code == 200
    assert "Hồ sơ đã được tiếp nhận" in detail.content.decode()
    b = client_for(personas.citizen_b)
    assert b.get(reverse("my_dossiers:detail", args=[received.pk])).status_code == 404
    assert received.code not in b.get(reverse("my_dossiers:list")).content.decode()
    assert (
        b.post(
            reverse("my_dossiers:act", args=[received.pk, "withdraw"]),
            {"expected_version": received.version, "reason": "x"},
        ).status_code
        == 404
    )


def test_citizen_provides_supplement_from_the_portal(
    personas, staff, in_process, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Thiếu giấy chứng sinh",
    )
    client = client_for(personas.citizen_a)
    body = client.get(reverse("my_dossiers:detail", args=[d.pk])).content.decode()
    assert "Thiếu giấy chứng sinh" in body and "Việc cần bạn làm" in body
    response = client.post(
        reverse("my_dossiers:act", args=[d.pk, "supplement_provided"]),
        {
            "expected_version": d.version,
            "note": "Giấy chứng sinh",
            # The documents app checks uploads: a real (tiny) PDF is needed.
            "files": SimpleUploadedFile("gcs.pdf", tiny_pdf()),
        },
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == S.IN_PROCESS
    assert d.components.filter(supplemented=True, name="Giấy chứng sinh").exists()


def test_citizen_submits_online(personas, version, client_for):
    client = client_for(personas.citizen_b)
    url = reverse("my_dossiers:submit") + f"?version={version.pk}"
    assert "Giấy chứng sinh" in client.get(url).content.decode()
    response = client.post(url, {"unit": personas.unit_x.pk, "answers_json": "{}"})
    assert response.status_code == 302
    d = Dossier.objects.get(applicant=personas.citizen_b)
    assert d.status == S.SUBMITTED and d.channel == "2"


def test_officers_cannot_use_citizen_pages(personas, client_for):
    assert client_for(personas.receptionist_x).get(reverse("my_dossiers:list")).status_code == 403


def test_public_tracking_shows_status_without_personal_data(personas, received, client):
    # Issue 5: the status needs a second factor (last 4 digits of the applicant's ID).
    url = reverse("tracking:detail", args=[received.code])
    assert "Đã tiếp nhận" not in client.get(url).content.decode()
    page = client.post(url, {"factor": personas.citizen_a.personal_id[-4:]})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Đã tiếp nhận" in body and "Nguyễn Văn A" not in body
    unknown = reverse("tracking:detail", args=["KHONG-CO"])
    assert client.post(unknown, {"factor": "1234"}).status_code == 404
    search = client.get(reverse("tracking:search") + f"?ma={received.code}")
    assert search.status_code == 302


@pytest.mark.parametrize(
    ("persona", "worklist_status", "portal_status"),
    [
        ("citizen_a", 403, 200),
        ("business", 403, 200),
        ("receptionist_x", 200, 403),
        ("specialist_y", 200, 403),
        ("leader_x", 200, 403),
        ("supervisor", 200, 403),
        ("admin", 200, 403),
    ],
)
def test_pages_for_each_persona(
    personas, received, client_for, persona, worklist_status, portal_status
):
    client = client_for(getattr(personas, persona))
    assert client.get(reverse("dossiers:worklist")).status_code == worklist_status
    assert client.get(reverse("my_dossiers:list")).status_code == portal_status
    if worklist_status == 200:
        for tab in (
            "to_receive",
            "to_assign",
            "mine",
            "to_approve",
            "to_issue",
            "to_return",
            "to_phone",
            "overdue",
            "all",
        ):
            assert client.get(reverse("dossiers:worklist") + f"?tab={tab}").status_code == 200


def test_business_submits_and_sees_its_dossier(personas, version, client_for):
    d = services.dossier_submit_online(
        applicant=personas.business, procedure_version=version, receiving_unit=personas.unit_x
    )
    page = client_for(personas.business).get(reverse("my_dossiers:detail", args=[d.pk]))
    assert page.status_code == 200


def test_anonymous_is_sent_to_login(client, received):
    response = client.get(reverse("dossiers:detail", args=[received.pk]))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]
    response = client.get(reverse("my_dossiers:detail", args=[received.pk]))
    assert response.status_code == 302
