"""Issue 13 point 4: a calendar edit never silently moves an issued appointment; the
recompute command lists the dossiers it would change and applies only when told to."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from motcua.core.models import AuditEntry
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.workdays.models import OverrideKind
from motcua.workdays.recompute import appointments_recompute
from motcua.workdays.services import day_override_save

pytestmark = pytest.mark.django_db


def test_calendar_edit_is_listed_then_applied_only_on_decision(personas, received):
    issued = received.due_at
    assert issued is not None
    # Received Monday 2/3/2026, 5 working days: a new day off on Wednesday 4/3 moves it.
    day_override_save(
        actor=personas.admin,
        date=dt.date(2026, 3, 4),
        kind=OverrideKind.DAY_OFF,
        reason="Nghỉ đột xuất (thử nghiệm)",
    )
    received.refresh_from_db()
    assert received.due_at == issued  # nothing changed by the edit itself

    changes = [c for c in appointments_recompute() if c.provider == "dossiers"]
    assert [c.change.appointment.id for c in changes] == [str(received.pk)]
    assert changes[0].change.new_due > issued

    out = io.StringIO()
    call_command("workdays_recompute", stdout=out)
    assert received.code in out.getvalue() or str(received.pk) in out.getvalue()
    received.refresh_from_db()
    assert received.due_at == issued  # listing writes nothing

    appointments_recompute(actor=personas.admin, apply=True)
    received.refresh_from_db()
    assert received.due_at == changes[0].change.new_due
    assert DossierEvent.objects.filter(dossier=received, action="reschedule").exists()
    assert AuditEntry.objects.filter(action="workdays.appointment_recompute").count() == 1
    # Applying again finds nothing left to change.
    assert not [c for c in appointments_recompute() if c.provider == "dossiers"]


def test_only_administrators_may_apply(personas, received):
    day_override_save(
        actor=personas.admin, date=dt.date(2026, 3, 4), kind=OverrideKind.DAY_OFF, reason="x"
    )
    with pytest.raises(Exception):  # PermissionDenied
        appointments_recompute(actor=personas.receptionist_x, apply=True)
    assert Dossier.objects.get(pk=received.pk).due_at == received.due_at
