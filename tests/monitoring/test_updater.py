"""Live event→aggregate updater vs. the full rebuild, driven through the real dossier
services (issue 9 point 3: `monitoring_rebuild` must give identical numbers)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from motcua.dossiers import services
from motcua.monitoring.models import DossierContribution, UnitCatalogueSpan, UnitDayStats
from motcua.monitoring.selectors import scores_for
from motcua.monitoring.updater import dossier_contribution_refresh, rebuild, rows_snapshot
from tests.dossiers.conftest import MONDAY, TZ, staff, submitted, version  # noqa: F401

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def _new(personas, version, at, citizen=None):  # noqa: F811
    return services.dossier_submit_online(
        applicant=citizen or personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        components=[
            services.ComponentInput(component=c, files=[{"name": f"{c.code}.pdf"}])
            for c in version.components.all()
        ],
        now=at,
    )


def _receive_assign(personas, staff, d, at):  # noqa: F811
    d = services.dossier_receive(
        dossier=d, actor=personas.receptionist_x, expected_version=d.version, now=at
    )
    return services.dossier_assign(
        dossier=d,
        actor=personas.leader_x,
        expected_version=d.version,
        assignee=staff.specialist_x,
        now=at + H,
    )


def _finish(personas, staff, d, at):  # noqa: F811
    from motcua.documents.demo_pki import provision

    provision()  # the leader signs and the clerk seals the result (idempotent)
    d = services.dossier_submit_for_approval(
        dossier=d, actor=staff.specialist_x, expected_version=d.version, now=at
    )
    d = services.dossier_approve(
        dossier=d, actor=personas.leader_x, expected_version=d.version, now=at + H
    )
    d = services.dossier_issue_result(
        dossier=d,
        actor=staff.clerk_x,
        expected_version=d.version,
        result_number="1/KQ",
        now=at + 2 * H,
    )
    return services.dossier_return_result(
        dossier=d,
        actor=personas.receptionist_x,
        expected_version=d.version,
        channel="online",
        now=at + 3 * H,
    )


def test_live_rows_follow_transitions_and_equal_the_rebuild(
    personas,
    staff,  # noqa: F811
    version,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        on_time = _receive_assign(personas, staff, _new(personas, version, MONDAY), MONDAY)
    row = UnitDayStats.objects.get(unit=personas.unit_x, day=dt.date(2026, 3, 2))
    assert row.received == 1 and row.channel_online == 1 and row.completed == 0
    assert row.cat_online_full == 0  # the catalogue state is the unit's, not the row's
    span = UnitCatalogueSpan.objects.get(unit=personas.unit_x, procedure_code=row.procedure_code)
    assert (span.cat_in_competence, span.cat_online_full, span.valid_to) == (1, 1, None)

    with django_capture_on_commit_callbacks(execute=True):
        _finish(personas, staff, on_time, MONDAY + 5 * H)
        # a second dossier: supplement once, then finished two weeks late
        late = _receive_assign(personas, staff, _new(personas, version, MONDAY + H), MONDAY + H)
        late = services.dossier_request_supplement(
            dossier=late,
            actor=staff.specialist_x,
            expected_version=late.version,
            reason="Thiếu giấy chứng sinh",
            now=MONDAY + 3 * H,
        )
        late = services.dossier_supplement_provided(
            dossier=late,
            actor=personas.citizen_a,
            expected_version=late.version,
            now=MONDAY + 27 * H,
        )
        _finish(personas, staff, late, dt.datetime(2026, 3, 20, 9, tzinfo=TZ))
        # a third one is still in progress, already past its deadline
        _receive_assign(personas, staff, _new(personas, version, MONDAY + 2 * H), MONDAY + 2 * H)

    row.refresh_from_db()
    assert row.received == 3
    assert row.completed == 2
    assert row.on_time_766 == 1  # the late one and the open overdue one are late
    card = scores_for(personas.unit_x, dt.date(2026, 3, 1), dt.date(2026, 3, 31)).card
    assert card.indicators["2.1"].numerator == 1 and card.indicators["2.1"].denominator == 3
    assert set(
        DossierContribution.objects.filter(on_time_766=False).values_list("dossier_id", flat=True)
    ) == {late.pk, late.pk + 1}

    live = rows_snapshot()
    result = rebuild()
    assert result.dossiers == 3
    assert rows_snapshot() == live


def test_refresh_is_idempotent_and_rebuild_command_matches(
    personas,
    staff,  # noqa: F811
    version,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        d = _receive_assign(personas, staff, _new(personas, version, MONDAY), MONDAY)
    before = rows_snapshot()
    assert dossier_contribution_refresh(dossier_id=d.pk) is False
    assert rows_snapshot() == before
    call_command("monitoring_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert rows_snapshot() == before


def test_a_dossier_never_received_counts_nothing(
    personas,
    version,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _new(personas, version, MONDAY)
    assert not UnitDayStats.objects.exists()
    assert not DossierContribution.objects.exists()
