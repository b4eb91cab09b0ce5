"""Issue 27 point 2: drafts of Form 04 for dossiers predicted late (monitoring/apology.py)
and the "late without apology" figure."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.core.testing.fixtures import receive_dossier, submit_online_dossier
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.monitoring.apology import apology_drafts, late_without_apology
from motcua.monitoring.updater import dossier_contribution_refresh

pytestmark = pytest.mark.django_db


def _dossier(personas, version):
    d = submit_online_dossier(version=version, applicant=personas.citizen_a, unit=personas.unit_x)
    return receive_dossier(d, receptionist=personas.receptionist_x)


def _late_history(personas, version, officer, now):
    for days in (3, 6):
        old = _dossier(personas, version)
        Dossier.objects.filter(pk=old.pk).update(
            status="resolved",
            assignee=officer,
            original_due_at=now - dt.timedelta(days=days + 2),
            completed_at=now - dt.timedelta(days=days),
        )
        dossier_contribution_refresh(dossier_id=old.pk)


def test_a_dossier_predicted_late_gets_a_draft_until_one_working_day_before(
    personas, staff, version
):
    now = timezone.now()
    officer = staff.specialist_x
    d = _dossier(personas, version)
    Dossier.objects.filter(pk=d.pk).update(assignee=officer)
    assert apology_drafts([personas.unit_x], now) == []  # no late history: on time
    _late_history(personas, version, officer, now)
    drafts = apology_drafts([personas.unit_x], now)
    assert [x.dossier.pk for x in drafts] == [d.pk]
    draft = drafts[0]
    d.refresh_from_db()
    assert draft.sign_by < d.due_at < draft.proposed_due_at
    assert "Theo tốc độ xử lý gần đây" in draft.reason
    # within the last working day before the deadline the law no longer allows it (R14)
    assert apology_drafts([personas.unit_x], draft.sign_by + dt.timedelta(minutes=1)) == []
    # signed (extended once): no draft any more
    services.dossier_extend_with_apology(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        new_due_at=draft.proposed_due_at,
        reason=draft.reason,
        reason_kind="subjective",
        now=now,
    )
    assert apology_drafts([personas.unit_x], now) == []


def test_late_without_apology_counts_late_dossiers_never_extended(personas, staff, version):
    now = timezone.now()
    _late_history(personas, version, staff.specialist_x, now)  # two late, no apology
    today = timezone.localdate()
    counts = late_without_apology([personas.unit_x, personas.province], today, today)
    assert counts[personas.unit_x.pk] == 2 and counts[personas.province.pk] == 2
    late = Dossier.objects.filter(competent_unit=personas.unit_x).first()
    Dossier.objects.filter(pk=late.pk).update(extended_at=now - dt.timedelta(days=7))
    assert late_without_apology([personas.unit_x], today, today)[personas.unit_x.pk] == 1
