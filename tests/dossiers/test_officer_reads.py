"""Officers who may act on a dossier open its attachments (after a transfer, the new
competent unit; consulted bodies while consulted); nobody else does (issue 18)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.catalog.models import Competence
from motcua.core.testing.files import tiny_pdf
from motcua.core.testing.personas import make_officer, make_unit
from motcua.documents.models import FileLink, StoredFile
from motcua.dossiers import services
from motcua.dossiers.files import file_ref
from motcua.org.constants import Role, UnitKind

from .conftest import MONDAY


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def outsider(personas):
    unit_z = make_unit("000.00.03.H47", "Sở Z", UnitKind.DEPARTMENT, personas.province)
    return make_officer("chuyenvien.z", unit_z, Role.SPECIALIST)


@pytest.fixture
def at_counter(personas, version):
    """A dossier received at unit X's counter with a scanned declaration."""
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
        now=MONDAY,
    )
    stored = StoredFile.objects.get(pk=d.components.get(component=first).files[0]["stored_file"])
    return d, stored


def _status(client_for, user, stored, **params):
    return client_for(user).get(reverse("documents:download", args=[stored.pk]), params).status_code


def test_counter_file_is_linked_to_its_dossier(at_counter):
    d, stored = at_counter
    link = FileLink.objects.get(file=stored)
    assert link.dossier_code == d.code and link.component_code == "TK"


def test_competent_unit_reads_and_strangers_do_not(
    personas, client_for, staff, at_counter, outsider
):
    _d, stored = at_counter
    readers = (personas.receptionist_x, personas.leader_x, staff.specialist_x, personas.citizen_a)
    for user in readers:
        assert _status(client_for, user, stored) == 200, user
    for user in (personas.specialist_y, staff.leader_y, outsider, personas.citizen_b):
        assert _status(client_for, user, stored) == 404, user


def test_after_a_transfer_the_new_competent_unit_reads(
    personas, client_for, staff, at_counter, outsider
):
    d, stored = at_counter
    Competence.objects.create(
        procedure=d.procedure_version.procedure,
        unit=personas.unit_y,
        valid_from=dt.date(2020, 1, 1),
    )
    d = services.dossier_transfer(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        to_unit=personas.unit_y,
        reason="Thuộc thẩm quyền Sở Y",
    )
    for user in (staff.leader_y, personas.specialist_y, personas.receptionist_x):
        assert _status(client_for, user, stored) == 200, user
    assert _status(client_for, outsider, stored) == 404


def test_consulted_body_reads_while_consulted(personas, client_for, staff, at_counter, outsider):
    d, stored = at_counter
    d = services.dossier_assign(
        dossier=d, actor=personas.leader_x, expected_version=d.version, assignee=staff.specialist_x
    )
    assert _status(client_for, outsider, stored) == 404
    d = services.dossier_start_consultation(
        dossier=d,
        actor=staff.specialist_x,
        expected_version=d.version,
        reason="Xin ý kiến Sở Z",
        consulted_units=[outsider.assignments.get().unit],
    )
    assert _status(client_for, outsider, stored) == 200
    page = client_for(outsider).get(reverse("dossiers:detail", args=[d.pk]))
    assert page.status_code == 200 and not page.context["action_forms"]
    d = services.dossier_end_consultation(
        dossier=d, actor=staff.specialist_x, expected_version=d.version
    )
    assert _status(client_for, outsider, stored) == 404
    assert client_for(outsider).get(reverse("dossiers:detail", args=[d.pk])).status_code == 404


def test_online_upload_names_its_dossier_after_reception(personas, client_for, staff, version):
    stored = services_store(personas)
    d = services.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        components=[
            services.ComponentInput(component=c, files=[file_ref(stored, "giay.pdf")])
            for c in version.components.all()[:1]
        ],
        now=MONDAY,
    )
    assert _status(client_for, personas.receptionist_x, stored) == 200
    assert _status(client_for, personas.specialist_y, stored) == 404
    d = services.dossier_receive(
        dossier=d, actor=personas.receptionist_x, expected_version=d.version
    )
    assert FileLink.objects.get(file=stored).dossier_code == d.code
    page = client_for(staff.specialist_x).get(reverse("documents:detail", args=[stored.pk]))
    assert page.status_code == 200 and d.code in page.content.decode()


def services_store(personas):
    from motcua.documents.services import stored_file_create

    return stored_file_create(
        data=tiny_pdf(),
        original_name="giay.pdf",
        actor=personas.citizen_a,
        owner=personas.citizen_a,
    )


def test_inline_viewer_headers_allow_only_our_own_frames(personas, client_for, at_counter):
    _d, stored = at_counter
    client = client_for(personas.leader_x)
    url = reverse("documents:download", args=[stored.pk])
    inline = client.get(url, {"xem": "1"})
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    download = client.get(url)
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in download["Content-Security-Policy"]


def test_dossier_page_links_and_embeds_each_attachment(personas, client_for, at_counter):
    d, stored = at_counter
    html = client_for(personas.leader_x).get(reverse("dossiers:detail", args=[d.pk])).content
    html = html.decode()
    url = reverse("documents:download", args=[stored.pk])
    assert f'href="{url}"' in html
    assert f'<iframe class="viewer-frame" src="{url}?xem=1"' in html


def test_dossier_page_shows_eform_labels_and_values(personas, client_for, at_counter):
    d, _stored = at_counter
    version = d.procedure_version
    version.form_schema = {
        "type": "object",
        "properties": {
            "quan_he": {"type": "string", "title": "Quan hệ", "enum": ["me"], "enumNames": ["Mẹ"]},
            "co_giay_chung_sinh": {"type": "boolean", "title": "Có giấy chứng sinh"},
        },
    }
    version.save(update_fields=["form_schema"])
    d.form_answers = {"quan_he": "me", "co_giay_chung_sinh": True}
    d.save(update_fields=["form_answers"])
    html = client_for(personas.leader_x).get(reverse("dossiers:detail", args=[d.pk])).content
    html = html.decode()
    assert "<dt>Quan hệ</dt><dd>Mẹ</dd>" in html
    assert "<dt>Có giấy chứng sinh</dt><dd>Có</dd>" in html
    assert "co_giay_chung_sinh" not in html and "True" not in html


def test_files_of_dossiers_made_before_the_links_are_linked_by_the_migration(
    personas, client_for, staff, at_counter
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("motcua.dossiers.migrations.0005_link_component_files")
    d, stored = at_counter
    FileLink.objects.all().delete()
    migration.link_files(apps, None)
    migration.link_files(apps, None)  # idempotent
    link = FileLink.objects.get(file=stored)
    assert link.dossier_code == d.code and link.component_code == "TK"
    assert link.target.dossier_id == d.pk
