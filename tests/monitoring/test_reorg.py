"""Closed periods are snapshotted and not silently changed by a reorganisation; a unit's
history rolls forward to its successor when an administrator asks (issue 9 point 3)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from motcua.monitoring.models import PeriodSnapshot
from motcua.monitoring.selectors import scores_for
from motcua.monitoring.services import period_snapshot_take, roll_forward_create
from tests.dossiers.conftest import staff, version  # noqa: F401
from tests.monitoring.test_drilldown import MARCH, history  # noqa: F401

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def test_snapshot_survives_roll_forward(personas, client_for, history):  # noqa: F811
    before = scores_for(personas.unit_x, START, END).card.total
    assert period_snapshot_take(kind="month", start=START, end=END) >= 2  # X and province
    assert period_snapshot_take(kind="month", start=START, end=END) == 0  # never twice

    with pytest.raises(PermissionDenied):
        roll_forward_create(
            actor=personas.supervisor, source=personas.unit_x, target=personas.unit_y
        )
    call_command(
        "monitoring_roll_forward", personas.unit_x.code, personas.unit_y.code, stdout=io.StringIO()
    )
    # live rows: the history now counts under the successor
    assert not scores_for(personas.unit_x, START, END).has_data
    moved = scores_for(personas.unit_y, START, END)
    assert moved.counts.received == 3 and abs(moved.card.total - before) < 1e-9
    # the snapshot of the closed month is unchanged and shown on the map
    frozen = PeriodSnapshot.objects.get(unit=personas.unit_x, kind="month", start=START)
    assert frozen.data["total"] == round(before, 2)
    page = client_for(personas.supervisor).get(reverse("monitoring:dashboard") + "?" + MARCH)
    unit_x = next(e for e in page.context["entries"] if e.unit == personas.unit_x)
    assert unit_x.value is None and unit_x.snapshot_total == round(before, 2)
    assert "Tổng điểm đã chốt kỳ" in page.content.decode()


def test_succession_carrying_records_rolls_history_up(
    personas,
    history,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """Issue 21 deliverable 2 (law.md R31): a succession that carries records moves the
    old unit's history under today's unit — recorded through the org service, one rebuild
    enqueued after the commit; the snapshot of the closed month keeps the old unit."""
    from motcua.org.constants import SuccessionKind
    from motcua.org.services import succession_record

    before = scores_for(personas.unit_x, START, END).card.total
    period_snapshot_take(kind="month", start=START, end=END)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        succession_record(
            actor=personas.admin,
            predecessor=personas.unit_x,
            successor=personas.unit_y,
            kind=SuccessionKind.MERGED_INTO,
            effective_date=dt.date(2026, 7, 1),
            legal_basis="Nghị quyết 202/2025/QH15",
        )
    # One rebuild for the transaction (the audit lanes add their own commit hook).
    rebuilds = [c for c in callbacks if c.__name__ == "_enqueue_reorganisation_rebuild"]
    assert len(rebuilds) == 1
    assert not scores_for(personas.unit_x, START, END).has_data
    moved = scores_for(personas.unit_y, START, END)
    assert moved.counts.received == 3 and abs(moved.card.total - before) < 1e-9
    frozen = PeriodSnapshot.objects.get(unit=personas.unit_x, kind="month", start=START)
    assert frozen.data["total"] == round(before, 2)
