"""dossier_receive_at_counter: scans stored for the citizen, then creation on the
citizen's behalf and reception in one transaction (Directive 04)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.models import AuditEntry
from motcua.core.testing.files import tiny_pdf
from motcua.documents.models import StoredFile
from motcua.dossiers import services
from motcua.dossiers.constants import Channel, DossierStatus
from motcua.dossiers.errors import IllegalTransition, InvalidDossierData, NotPermitted
from motcua.dossiers.models import Dossier

from .conftest import MONDAY


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _receive(personas, version, *, actor=None, channel=Channel.IN_PERSON, upload=None):
    first, second = version.components.order_by("order")
    return services.dossier_receive_at_counter(
        actor=actor or personas.receptionist_x,
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"ho_ten_tre": "Bé"},
        components=[
            services.CounterComponent(
                component=first,
                upload=upload or SimpleUploadedFile("tokhai.pdf", tiny_pdf()),
                digitized=True,
            ),
            services.CounterComponent(component=second),
        ],
        representative_name="Nguyễn Văn A",
        channel=channel,
        now=MONDAY,
    )


def test_creates_receives_and_audits_both_steps(personas, version):
    d = _receive(personas, version)
    assert d.status == DossierStatus.RECEIVED
    assert d.code == "000.00.01.H47-260302-0001"
    assert d.applicant == personas.citizen_a
    assert d.submitted_on_behalf_by == personas.receptionist_x
    assert d.form_answers == {"ho_ten_tre": "Bé"}
    assert list(d.events.order_by("pk").values_list("action", flat=True)) == [
        "create_at_counter",
        "receive",
    ]
    actions = AuditEntry.objects.filter(object_id=str(d.pk), action__startswith="dossier.")
    assert sorted(actions.values_list("action", flat=True)) == [
        "dossier.create_at_counter",
        "dossier.receive",
    ]
    first, second = d.components.order_by("pk")
    assert first.digitized and first.files[0]["name"] == "tokhai.pdf"
    assert not second.digitized and second.files == []
    stored = StoredFile.objects.get(pk=first.files[0]["stored_file"])
    assert stored.owner == personas.citizen_a and stored.unit == personas.unit_x


def test_refused_file_names_its_component_and_creates_nothing(personas, version):
    bad = SimpleUploadedFile("tokhai.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(services.CounterUploadRejected) as caught:
        _receive(personas, version, upload=bad)
    assert caught.value.component == version.components.order_by("order").first()
    assert caught.value.message
    assert not Dossier.objects.exists() and not StoredFile.objects.exists()


def test_only_a_receptionist_of_the_unit_and_nothing_is_stored(personas, version):
    with pytest.raises(NotPermitted):
        _receive(personas, version, actor=personas.specialist_y)
    assert not Dossier.objects.exists() and not StoredFile.objects.exists()


def test_refused_creation_leaves_no_dossier(personas, version):
    with pytest.raises(InvalidDossierData):
        _receive(personas, version, channel=Channel.ONLINE)
    assert not Dossier.objects.exists()


def test_refused_reception_rolls_back_the_creation(personas, version, monkeypatch):
    from motcua.dossiers.services import counter

    def refuse(**kwargs):
        raise IllegalTransition

    monkeypatch.setattr(counter, "dossier_receive", refuse)
    with pytest.raises(IllegalTransition):
        _receive(personas, version)
    assert not Dossier.objects.exists()
    assert not AuditEntry.objects.filter(action="dossier.create_at_counter").exists()
