"""The receptionist's "Cần gọi điện cho người nộp" tab (issue 26 point 3, law.md R12c):
dossiers whose supplement notice was escalated with no evidence of delivery, in the
units where the officer receives; gone once the call is recorded."""

import datetime as dt

from django.urls import reverse

from motcua.core.testing.personas import make_officer
from motcua.dossiers import services
from motcua.dossiers.services.notice import supplement_notices_escalate
from motcua.org.constants import Role

from .conftest import MONDAY

H = dt.timedelta(hours=1)
T0 = MONDAY + 2 * H


def _tab(client, tab="to_phone"):
    response = client.get(reverse("dossiers:worklist"), {"tab": tab})
    assert response.status_code == 200
    return response.content.decode()


def test_escalated_notices_are_listed_to_the_receiving_units_receptionists(
    personas, staff, in_process, client_for, settings, django_capture_on_commit_callbacks
):
    settings.MOTCUA_SUPPLEMENT_DELIVERY_ESCALATE_HOURS = 24
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Thiếu tờ khai",
        now=T0,
    )
    receptionist = client_for(personas.receptionist_x)
    assert "Cần gọi điện cho người nộp" in _tab(receptionist, "all")
    assert d.code not in _tab(receptionist)  # not escalated yet
    with django_capture_on_commit_callbacks(execute=True):
        assert supplement_notices_escalate(now=T0 + 25 * H) == 1
    assert d.code in _tab(receptionist)
    # Scoped: a receptionist of another unit does not see it; a specialist has no tab.
    other = make_officer("tiepnhan.y9", personas.unit_y, Role.RECEPTIONIST)
    assert d.code not in _tab(client_for(other))
    assert "Cần gọi điện cho người nộp" not in _tab(client_for(staff.specialist_x), "mine")
    # The call is recorded: the dossier leaves the tab.
    phoned = reverse("dossiers:supplement_phoned", args=[d.pk])
    assert receptionist.post(phoned, {"note": "Đã gọi"}).status_code == 302
    assert d.code not in _tab(receptionist)
