"""The read log beyond the dossier page (issue 26 point 1, law.md R32a): officers' reads
through the REST API (their session, or a client acting for their account) with the
channel shown to the applicant; printed forms and the register; files coalesced like
page reads; the applicant's list says in plain words what was read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.api.services import api_client_create
from motcua.core.testing.files import tiny_pdf
from motcua.dossiers import services
from motcua.privacy.constants import ReadChannel, ReadKind
from motcua.privacy.models import DossierRead
from tests.dossiers.conftest import MONDAY


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _token_client(scopes, *, units=(), acting_user=None) -> Client:
    _, token = api_client_create(
        name="Phần mềm của sở", scopes=scopes, units=units, acting_user=acting_user
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_officer_session_read_through_the_api_is_logged_with_its_channel(
    personas, client_for, received
):
    api = client_for(personas.receptionist_x)
    assert api.get(f"/api/v1/dossiers/{received.pk}").status_code == 200
    assert api.get(f"/api/v1/dossiers/{received.pk}/timeline").status_code == 200
    assert api.get(f"/api/v1/dossiers/{received.pk}/fees").status_code == 200
    # One coalesced row for the dossier's data read through the API.
    read = DossierRead.objects.get(dossier=received)
    assert read.actor_id == personas.receptionist_x.pk
    assert read.channel == ReadChannel.API and read.kind == ReadKind.DOSSIER
    assert read.unit_id == personas.unit_x.pk and read.purpose
    # The same officer on the page is a second, web row.
    client_for(personas.receptionist_x).get(reverse("dossiers:detail", args=[received.pk]))
    channels = set(DossierRead.objects.filter(dossier=received).values_list("channel", flat=True))
    assert channels == {ReadChannel.API, ReadChannel.WEB}


def test_a_client_acting_for_an_officer_counts_as_that_officer(personas, received):
    api = _token_client(["dossiers:read"], units=[personas.unit_x], acting_user=personas.leader_x)
    assert api.get(f"/api/v1/dossiers/{received.pk}").status_code == 200
    response = api.get(f"/api/v1/dossiers/{received.pk}/forms/01")
    assert response.status_code == 200
    reads = {r.kind: r for r in DossierRead.objects.filter(dossier=received)}
    assert set(reads) == {ReadKind.DOSSIER, ReadKind.FORM}
    assert {r.actor_id for r in reads.values()} == {personas.leader_x.pk}
    assert {r.channel for r in reads.values()} == {ReadChannel.API}
    assert reads[ReadKind.FORM].object_label == "Mẫu 01"


def test_a_client_without_an_officer_account_is_a_systems_read_the_applicant_none(
    personas, client_for, received
):
    mine = client_for(personas.citizen_a)
    assert mine.get(f"/api/v1/dossiers/{received.pk}").status_code == 200
    assert mine.get(f"/api/v1/dossiers/{received.pk}/timeline").status_code == 200
    assert not DossierRead.objects.exists()
    api = _token_client(["dossiers:read"], units=[personas.unit_x])
    assert api.get(f"/api/v1/dossiers/{received.pk}").status_code == 200
    read = DossierRead.objects.get()
    assert read.actor_id is None and read.client.name == "Phần mềm của sở"
    assert read.system_name == "Hệ thống Phần mềm của sở (API)"


def test_printed_forms_and_the_register_are_reads(personas, client_for, received):
    client = client_for(personas.receptionist_x)
    form01 = reverse("dossiers:form_pdf", kwargs={"pk": received.pk, "number": "01"})
    assert client.get(form01).status_code == 200
    assert client.get(form01).status_code == 200  # printed twice: one row
    day = MONDAY.date().isoformat()
    register = client.get(
        reverse("dossiers:register"), {"unit": personas.unit_x.pk, "date_from": day, "date_to": day}
    )
    assert register.status_code == 200
    reads = {r.kind: r for r in DossierRead.objects.filter(dossier=received)}
    assert set(reads) == {ReadKind.FORM, ReadKind.REGISTER}
    assert DossierRead.objects.filter(dossier=received).count() == 2
    assert reads[ReadKind.FORM].object_label == "Mẫu 01"
    assert reads[ReadKind.REGISTER].in_active_step  # the one-stop unit keeps its register
    # The applicant printing their own Form 01 is not logged.
    client_for(personas.citizen_a).get(form01)
    assert DossierRead.objects.filter(dossier=received).count() == 2


def test_file_downloads_are_logged_once_per_window(personas, client_for, version):
    first, second = version.components.order_by("order")
    d = services.dossier_receive_at_counter(
        actor=personas.receptionist_x,
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        components=[
            services.CounterComponent(
                component=first, upload=SimpleUploadedFile("to-khai.pdf", tiny_pdf())
            ),
            services.CounterComponent(component=second),
        ],
    )
    file_id = d.components.get(component=first).files[0]["stored_file"]
    client = client_for(personas.leader_x)
    for params in ({}, {"xem": "1"}, {}):
        response = client.get(reverse("documents:download", args=[file_id]), params)
        assert response.status_code == 200
        b"".join(response.streaming_content)
    read = DossierRead.objects.get(dossier=d)
    assert read.kind == ReadKind.DOCUMENT and read.object_label == "to-khai.pdf"


def test_the_applicant_sees_what_was_read_in_plain_words(personas, client_for, received):
    client_for(personas.receptionist_x).get(reverse("dossiers:detail", args=[received.pk]))
    client_for(personas.receptionist_x).get(
        reverse("dossiers:form_pdf", kwargs={"pk": received.pk, "number": "01"})
    )
    api = _token_client(["dossiers:read"], units=[personas.unit_x], acting_user=personas.leader_x)
    api.get(f"/api/v1/dossiers/{received.pk}")
    page = client_for(personas.citizen_a).get(reverse("my_dossiers:detail", args=[received.pk]))
    html = page.content.decode()
    assert "Mở trang hồ sơ (có họ tên, số định danh, thông tin bạn khai)" in html
    assert "Xem, in Mẫu 01" in html
    assert "Xem thông tin hồ sơ qua API" in html and "Kênh: API" in html
    for officer in (personas.receptionist_x, personas.leader_x):
        assert officer.full_name not in html


def test_supervisors_see_an_api_read_outside_a_step_with_its_channel(
    personas, client_for, in_process
):
    # The receptionist holds no step of a dossier in process: read outside a step.
    api = _token_client(
        ["dossiers:read"], units=[personas.unit_x], acting_user=personas.receptionist_x
    )
    assert api.get(f"/api/v1/dossiers/{in_process.pk}").status_code == 200
    read = DossierRead.objects.get(dossier=in_process)
    assert not read.in_active_step and read.channel == ReadChannel.API
    page = client_for(personas.supervisor).get(reverse("privacy:reads_outside"))
    html = page.content.decode()
    assert personas.receptionist_x.full_name in html and "qua API" in html
