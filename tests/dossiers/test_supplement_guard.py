"""The legal document-list guard (issue 26 point 2, law.md R12b): a supplement request
cites the components of the procedure version the dossier was received under, each with
its reason and legal basis shown to the applicant; a free-text item raises the
harassment signal to the head of the competent unit and to inspection."""

import datetime as dt

import pytest
from django.urls import reverse

from motcua.catalog.models import Component
from motcua.core.testing.fixtures import make_published_version
from motcua.dossiers import selectors as sel
from motcua.dossiers import services
from motcua.dossiers.errors import InvalidDossierData
from motcua.dossiers.supplement_items import SupplementItem
from motcua.notifications.models import Notification

from .conftest import MONDAY

H = dt.timedelta(hours=1)


def _component(d, code):
    return d.procedure_version.components.get(code=code)


def test_an_unpublished_item_raises_the_harassment_signal(
    personas, client_for, staff, in_process, django_capture_on_commit_callbacks
):
    tk = _component(in_process, "TK")
    with django_capture_on_commit_callbacks(execute=True):
        d = services.dossier_request_supplement(
            dossier=in_process,
            actor=staff.specialist_x,
            expected_version=in_process.version,
            items=[
                SupplementItem(reason="Bản chụp mờ", component_id=tk.pk),
                SupplementItem(reason="Để đối chiếu", name="Sổ hộ khẩu"),
            ],
            now=MONDAY + 2 * H,
        )
    assert any("báo cáo lãnh đạo" in w for w in d.warnings)
    event = d.events.get(action="request_supplement")
    assert event.payload["unpublished"] == ["Sổ hộ khẩu"]
    published, other = event.payload["items"]
    assert published["published"] and "1.001193" in published["basis"]
    assert not other["published"] and other["basis"] == ""
    # The head of the competent unit is told; inspection and the head list it.
    note = Notification.objects.get(recipient=personas.leader_x, event="supplement_unpublished")
    assert "Sổ hộ khẩu" in note.body and d.code in note.subject
    for viewer in (personas.supervisor, personas.leader_x):
        assert list(sel.unpublished_requests(viewer)) == [event], viewer
        page = client_for(viewer).get(reverse("dossiers:unpublished_requests"))
        assert page.status_code == 200 and "Sổ hộ khẩu" in page.content.decode()
    for other_officer in (staff.specialist_x, personas.receptionist_x, staff.leader_y):
        assert not sel.unpublished_requests(other_officer).exists()
    assert (
        client_for(staff.specialist_x).get(reverse("dossiers:unpublished_requests")).status_code
        == 403
    )
    # The applicant sees, for each item, why it is required and on what basis.
    html = client_for(personas.citizen_a).get(reverse("my_dossiers:detail", args=[d.pk]))
    text = html.content.decode()
    assert "Bản chụp mờ" in text and "Để đối chiếu" in text
    assert "Thành phần hồ sơ của thủ tục 1.001193" in text
    assert "Không có trong thành phần hồ sơ đã công bố" in text


def test_published_items_only_raise_nothing(personas, staff, in_process):
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        items=[
            SupplementItem(reason="Cần bản chính", component_id=_component(in_process, "GCS").pk)
        ],
        now=MONDAY + 2 * H,
    )
    assert d.warnings == []
    assert "unpublished" not in d.events.get(action="request_supplement").payload
    assert not Notification.objects.filter(event="supplement_unpublished").exists()
    assert not sel.unpublished_requests(personas.supervisor).exists()


def test_a_component_of_another_procedure_is_refused(personas, staff, in_process):
    other = make_published_version(
        personas.unit_y, procedure=("2.000001", "Thủ tục khác"), field=("G02", "Khác")
    )
    foreign = Component.objects.get(version=other)
    with pytest.raises(InvalidDossierData, match="không thuộc thủ tục"):
        services.dossier_request_supplement(
            dossier=in_process,
            actor=staff.specialist_x,
            expected_version=in_process.version,
            items=[SupplementItem(reason="x", component_id=foreign.pk)],
        )
    with pytest.raises(InvalidDossierData, match="lý do"):
        services.dossier_request_supplement(
            dossier=in_process,
            actor=staff.specialist_x,
            expected_version=in_process.version,
            items=[SupplementItem(reason=" ", component_id=_component(in_process, "TK").pk)],
        )


def test_a_bare_reason_counts_as_a_free_text_item(personas, staff, in_process):
    """Older API clients send a reason only: nothing in it cites a published component."""
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Giấy xác nhận tình trạng hôn nhân",
    )
    event = d.events.get(action="request_supplement")
    assert event.payload["unpublished"] == ["Giấy xác nhận tình trạng hôn nhân"]


def test_the_page_form_sends_ticked_components_and_other_papers(
    personas, client_for, staff, in_process
):
    d = in_process
    tk = _component(d, "TK")
    url = reverse("dossiers:act", args=[d.pk, "request_supplement"])
    client = client_for(staff.specialist_x)
    page = client.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert "Tờ khai đăng ký khai sinh" in page and "ngoài danh mục" in page
    # A ticked component without its reason is refused with the field's message.
    bad = client.post(
        url,
        {
            "request_supplement-expected_version": d.version,
            f"request_supplement-item_{tk.pk}": "on",
        },
    )
    assert bad.status_code == 400 and "Nêu lý do" in bad.content.decode()
    ok = client.post(
        url,
        {
            "request_supplement-expected_version": d.version,
            f"request_supplement-item_{tk.pk}": "on",
            f"request_supplement-why_{tk.pk}": "Thiếu chữ ký",
            "request_supplement-other_items": "Giấy xác nhận cư trú: để kiểm tra địa chỉ",
        },
    )
    assert ok.status_code == 302
    event = d.events.get(action="request_supplement")
    assert [i["name"] for i in event.payload["items"]] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy xác nhận cư trú",
    ]
    assert event.payload["unpublished"] == ["Giấy xác nhận cư trú"]


def test_api_request_supplement_takes_the_same_items_as_the_page(
    personas, staff, in_process, client_for
):
    """The API's request_supplement carries the page's items: a published component
    raises nothing; a paper outside the list is reported; an item naming both or
    neither is a 422."""
    d = in_process
    url = f"/api/v1/dossiers/{d.pk}/actions/request_supplement"
    c = client_for(staff.specialist_x)

    def post(body):
        return c.post(url, body, content_type="application/json")

    gcs = _component(d, "GCS").pk
    bad = post(
        {"expected_version": d.version, "items": [{"component": gcs, "name": "X", "reason": "r"}]}
    )
    assert bad.status_code == 422, bad.content
    ok = post({"expected_version": d.version, "items": [{"component": gcs, "reason": "Bản mờ"}]})
    assert ok.status_code == 200, ok.content
    d.refresh_from_db()
    assert "unpublished" not in d.events.get(action="request_supplement").payload
    assert not sel.unpublished_requests(personas.supervisor).exists()
