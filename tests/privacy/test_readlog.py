"""Who read my dossier (issue 26 point 1, law.md R32a): officers' reads are recorded
with unit, role and purpose, coalesced, shown to the applicant without the officer's
name; a questioned read becomes a behaviour complaint the inspecting level sees and the
officer does not."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.core.testing.files import tiny_pdf
from motcua.dossiers import services
from motcua.feedback.constants import FeedbackKind
from motcua.feedback.selectors import feedback_visible_to
from motcua.org.constants import Role
from motcua.privacy import readlog, selectors
from motcua.privacy.constants import ReadKind
from motcua.privacy.models import DossierRead


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _open(client_for, user, d):
    response = client_for(user).get(reverse("dossiers:detail", args=[d.pk]))
    assert response.status_code == 200
    return response


def test_officer_reads_are_recorded_with_purpose_and_coalesced(
    personas, client_for, staff, in_process
):
    d = in_process
    # The assigned specialist appraises: a read inside their step.
    _open(client_for, staff.specialist_x, d)
    _open(client_for, staff.specialist_x, d)  # a reload adds nothing (coalesced)
    # The receptionist has nothing to do on it any more: outside an active step.
    _open(client_for, personas.receptionist_x, d)
    reads = {r.actor_id: r for r in DossierRead.objects.filter(dossier=d)}
    assert len(reads) == 2 and DossierRead.objects.filter(dossier=d).count() == 2
    mine = reads[staff.specialist_x.pk]
    assert mine.in_active_step and mine.kind == ReadKind.DOSSIER
    assert mine.unit_id == personas.unit_x.pk and mine.role == Role.SPECIALIST
    assert mine.purpose == "Thẩm định"
    other = reads[personas.receptionist_x.pk]
    assert not other.in_active_step and other.role == Role.RECEPTIONIST
    # The citizen opening their own dossier is not an officer's read.
    client_for(personas.citizen_a).get(reverse("my_dossiers:detail", args=[d.pk]))
    assert DossierRead.objects.filter(dossier=d).count() == 2


def test_a_read_after_the_window_is_recorded_again(personas, client_for, staff, in_process):
    d = in_process
    _open(client_for, staff.specialist_x, d)
    DossierRead.objects.update(at=timezone.now() - readlog.COALESCE - dt.timedelta(seconds=1))
    _open(client_for, staff.specialist_x, d)
    assert DossierRead.objects.filter(dossier=d).count() == 2


def test_opening_a_document_is_recorded(personas, client_for, staff, version):
    first, second = version.components.order_by("order")
    d = services.dossier_receive_at_counter(
        actor=personas.receptionist_x,
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        components=[
            services.CounterComponent(
                component=first, upload=SimpleUploadedFile("tokhai.pdf", tiny_pdf())
            ),
            services.CounterComponent(component=second),
        ],
    )
    file_id = d.components.get(component=first).files[0]["stored_file"]
    response = client_for(personas.leader_x).get(reverse("documents:download", args=[file_id]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    read = DossierRead.objects.get(dossier=d, kind=ReadKind.DOCUMENT)
    assert read.actor_id == personas.leader_x.pk and read.object_ref == str(file_id)
    assert read.object_label == "tokhai.pdf"
    # The leader assigns now: the assignment is the work at hand.
    assert read.in_active_step and read.role == Role.LEADER
    # The applicant downloading their own file is not logged.
    client_for(personas.citizen_a).get(reverse("documents:download", args=[file_id]))
    assert DossierRead.objects.filter(dossier=d).count() == 1


def test_the_applicant_sees_unit_and_role_but_not_the_name(personas, client_for, staff, in_process):
    d = in_process
    _open(client_for, staff.specialist_x, d)
    page = client_for(personas.citizen_a).get(reverse("my_dossiers:detail", args=[d.pk]))
    html = page.content.decode()
    assert "Ai đã xem hồ sơ của bạn" in html and "Chuyên viên xử lý" in html
    assert "Thẩm định" in html and personas.unit_x.name in html
    assert staff.specialist_x.full_name not in html
    # Another citizen cannot see nor question it.
    read = DossierRead.objects.get()
    url = reverse("my_reads:question", args=[d.pk, read.pk])
    assert client_for(personas.citizen_b).get(url).status_code == 404
    assert client_for(personas.citizen_b).post(url, {"text": "?"}).status_code == 404


def test_a_questioned_read_reaches_inspection_and_not_the_officer(
    personas, client_for, staff, in_process
):
    d = in_process
    _open(client_for, personas.receptionist_x, d)
    read = DossierRead.objects.get()
    url = reverse("my_reads:question", args=[d.pk, read.pk])
    response = client_for(personas.citizen_a).post(url, {"text": "Vì sao xem lại hồ sơ?"})
    assert response.status_code == 302
    read.refresh_from_db()
    item = read.question
    assert item is not None and item.kind == FeedbackKind.BEHAVIOUR
    assert item.subject_officer_id == personas.receptionist_x.pk
    assert item.submitter_id == personas.citizen_a.pk and item.dossier_id == d.pk
    assert "Vì sao xem lại hồ sơ?" in item.content
    # The inspecting level (the province's supervisor) sees it; the officer named, the
    # unit's leader and the officers who acted on the dossier do not.
    assert feedback_visible_to(personas.supervisor).filter(pk=item.pk).exists()
    for officer in (personas.receptionist_x, personas.leader_x, staff.specialist_x):
        assert not feedback_visible_to(officer).filter(pk=item.pk).exists(), officer
    # Once per read: the page now leads to the item.
    again = client_for(personas.citizen_a).get(url)
    assert again.status_code == 302 and item.code in again["Location"]


def test_supervisors_see_reads_outside_an_active_step(personas, client_for, staff, in_process):
    d = in_process
    _open(client_for, staff.specialist_x, d)
    _open(client_for, personas.receptionist_x, d)
    outside = list(selectors.reads_outside_step(personas.supervisor))
    assert [r.actor_id for r in outside] == [personas.receptionist_x.pk]
    assert not selectors.reads_outside_step(personas.leader_x).exists()
    page = client_for(personas.supervisor).get(reverse("privacy:reads_outside"))
    assert page.status_code == 200
    assert personas.receptionist_x.full_name in page.content.decode()
    assert client_for(personas.leader_x).get(reverse("privacy:reads_outside")).status_code == 403
