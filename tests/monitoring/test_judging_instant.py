"""Issue 19: a dossier is judged as it stood at the end of its reception month, whenever
the computation runs; native facts (delivered sync, online payment, VNeID, issued
result, uploads) count without any `_sync` answer."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.documents.models import IssuedDocument
from motcua.integrations.models import DossierIdentityFlag, OutboxMessage
from motcua.monitoring.models import DossierContribution
from motcua.monitoring.selectors import scores_for
from motcua.monitoring.updater import dossier_contribution_refresh, rebuild, rebuild_reference
from motcua.payments.models import PaymentRequest
from tests.dossiers.conftest import TZ, staff, version  # noqa: F401
from tests.monitoring.test_updater import _finish, _new, _receive_assign

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _march(unit):
    card = scores_for(unit, *MARCH).card
    return {k: (v.numerator, v.denominator, round(v.score, 6)) for k, v in card.indicators.items()}


@pytest.mark.parametrize("builder", [rebuild, rebuild_reference])
def test_march_is_judged_at_the_end_of_march_in_april_and_in_december(
    personas,
    e_signing,
    staff,  # noqa: F811
    version,  # noqa: F811
    builder,
):
    friday = dt.datetime(2026, 3, 27, 9, tzinfo=TZ)
    d = _receive_assign(personas, staff, _new(personas, version, friday), friday)
    assert d.due_at.astimezone(TZ).date() > dt.date(2026, 3, 31)
    april = dt.datetime(2026, 4, 1, 8, tzinfo=TZ)
    builder(as_of=april)
    in_april = _march(personas.unit_x)
    assert in_april["2.1"][:2] == (1, 1)  # open at 31/3, not yet due: on time

    # finished three weeks late in April: March's figures do not move
    _finish(personas, staff, d, dt.datetime(2026, 4, 24, 9, tzinfo=TZ))
    builder(as_of=dt.datetime(2026, 12, 7, 12, tzinfo=TZ))
    in_december = _march(personas.unit_x)
    assert in_december["2.1"] == in_april["2.1"]
    dossier_contribution_refresh(dossier_id=d.pk, as_of=dt.datetime(2026, 12, 8, tzinfo=TZ))
    assert _march(personas.unit_x)["2.1"] == in_april["2.1"]
    assert DossierContribution.objects.get(dossier=d).flips_at is None


def test_open_overdue_dossier_flips_only_before_the_month_ends(
    personas,
    staff,  # noqa: F811
    version,  # noqa: F811
):
    monday = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    d = _receive_assign(personas, staff, _new(personas, version, monday), monday)
    dossier_contribution_refresh(dossier_id=d.pk, as_of=monday + dt.timedelta(hours=3))
    c = DossierContribution.objects.get(dossier=d)
    assert c.on_time_766 and c.flips_at is not None  # its deadline is in March
    dossier_contribution_refresh(dossier_id=d.pk, as_of=dt.datetime(2026, 5, 1, tzinfo=TZ))
    c.refresh_from_db()
    assert not c.on_time_766 and c.flips_at is None


@pytest.mark.parametrize("builder", [rebuild, rebuild_reference])
def test_native_facts_count_without_sync_answers(
    personas,
    staff,  # noqa: F811
    version,  # noqa: F811
    builder,
):
    monday = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    d = _receive_assign(personas, staff, _new(personas, version, monday), monday)
    assert "_sync" not in d.form_answers
    dossier_contribution_refresh(dossier_id=d.pk)
    before = _march(personas.unit_x)
    assert before["1.4"][:2] == (0, 1) and before["4.5b"][:2] == (0, 1)
    OutboxMessage.objects.create(
        dossier=d,
        unit=personas.unit_x,
        ma_ho_so=d.code,
        service="DongBoHoSoMC",
        seq=99,
        mapping_version="1",
        payload={},
        status="delivered",
        next_attempt_at=monday,
    )
    DossierIdentityFlag.objects.update_or_create(dossier=d, defaults={"vneid_authenticated": True})
    IssuedDocument.objects.create(
        code="KQ-NATIVE-1",
        title="Giấy khai sinh",
        dossier_code=d.code,
        issuer_name="UBND",
        issued_at=monday,
    )
    live = _march(personas.unit_x)
    assert live["1.4"][:2] == (1, 1)
    assert live["4.5b"][:2] == (1, 1)
    assert live["4.1"][:2] == (1, 1)
    assert live["4.2"][:2] == (1, 1)  # online uploads + the issued electronic result
    builder(as_of=dt.datetime(2026, 12, 7, tzinfo=TZ))
    assert _march(personas.unit_x) == live


def test_paid_online_counts_for_36(personas, staff, version):  # noqa: F811
    monday = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    d = _receive_assign(personas, staff, _new(personas, version, monday), monday)
    dossier_contribution_refresh(dossier_id=d.pk)
    counter = PaymentRequest.objects.create(
        dossier=d,
        collecting_unit=personas.unit_x,
        reference="TT-NATIVE-1",
        description="Lệ phí",
        amount=8000,
        status="paid",
        paid_at=monday,
        online_flag=0,
    )
    c = DossierContribution.objects.get(dossier=d)
    assert not c.counters.get("paid_online")
    counter.online_flag = 2
    counter.save()
    c.refresh_from_db()
    fee = c.counters.get("fee_obligation", 0)
    assert c.counters.get("paid_online", 0) == fee  # counted when the procedure bears fees


@pytest.mark.parametrize(
    ("announced", "effective", "published", "expected"),
    [
        # announced ≥ 5 working days before effect, published within 5 working days
        (dt.date(2026, 3, 2), dt.date(2026, 3, 9), dt.date(2026, 3, 9), ((1, 1), (1, 1))),
        # announced 4 working days before effect: 1.1 late only
        (dt.date(2026, 3, 3), dt.date(2026, 3, 9), dt.date(2026, 3, 4), ((0, 1), (1, 1))),
        # published on the 6th working day: 1.2 late only
        (dt.date(2026, 3, 2), dt.date(2026, 3, 20), dt.date(2026, 3, 10), ((1, 1), (0, 1))),
        # never published, its due day passed: 1.2 late
        (dt.date(2026, 3, 2), dt.date(2026, 3, 20), None, ((1, 1), (0, 1))),
    ],
)
def test_announcement_and_publication_dates_feed_11_12(
    personas,
    version,  # noqa: F811
    announced,
    effective,
    published,
    expected,
):
    version.announced_on = announced
    version.effective_from = effective
    version.national_published_on = published
    version.announcement_decision = "123/QĐ-UBND"
    version.save()
    live = _march(personas.unit_x)
    assert (live["1.1"][:2], live["1.2"][:2]) == expected
    assert live["1.1"][2] == 6 * expected[0][0] and live["1.2"][2] == 4 * expected[1][0]
    rebuild(as_of=dt.datetime(2026, 12, 7, tzinfo=TZ))
    assert _march(personas.unit_x) == live
    rebuild_reference(as_of=dt.datetime(2026, 12, 7, tzinfo=TZ))
    assert _march(personas.unit_x) == live


def _q1_and_week(personas, staff, version):  # noqa: F811
    """The two examples of issue 19 (docs/monitoring.md "Judging instant"): a dossier
    received 28/1, due in February, finished late on 24/2; one received Monday 2/3, due
    after Sunday 8/3, still open on 31/3."""
    january = dt.datetime(2026, 1, 28, 9, tzinfo=TZ)
    late_in_q1 = _receive_assign(personas, staff, _new(personas, version, january), january)
    assert late_in_q1.due_at.astimezone(TZ).date() > dt.date(2026, 1, 31)
    _finish(personas, staff, late_in_q1, dt.datetime(2026, 2, 24, 9, tzinfo=TZ))
    monday = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    open_ = _receive_assign(personas, staff, _new(personas, version, monday), monday)
    assert open_.due_at.astimezone(TZ).date() > dt.date(2026, 3, 8)
    assert open_.due_at.astimezone(TZ).date() < dt.date(2026, 3, 31)
    return late_in_q1, open_


def _on_time(unit, start: dt.date, end: dt.date) -> tuple[float, float]:
    s = scores_for(unit, start, end).card.indicators["2.1"]
    return s.numerator, s.denominator


Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
WEEK = (dt.date(2026, 3, 2), dt.date(2026, 3, 8))


@pytest.mark.parametrize("builder", [rebuild, rebuild_reference])
def test_a_quarter_and_a_week_are_judged_at_their_own_last_day(
    personas,
    e_signing,
    staff,  # noqa: F811
    version,  # noqa: F811
    builder,
):
    """law.md §4.4: an open dossier is judged at the end of the last day of the period
    queried. The month rows judge at the reception month's end (31/1: the January
    dossier open, not yet due → on time); Q1 judges it at 31/3 (finished late on 24/2 →
    late), and the week 2–8/3 judges the March dossier at 8/3 (open, not yet due → on
    time) although it is late at 31/3. Months are unchanged."""
    late_in_q1, _open = _q1_and_week(personas, staff, version)
    builder(as_of=dt.datetime(2026, 12, 7, 12, tzinfo=TZ))
    unit = personas.unit_x
    months = [
        _on_time(unit, dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        _on_time(unit, dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        _on_time(unit, dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ]
    assert months == [(1, 1), (0, 0), (0, 1)]  # each judged at its month's end
    assert _on_time(unit, *Q1) == (0, 2)  # both late at 31/3
    assert _on_time(unit, *WEEK) == (1, 1)  # on time at 8/3
    card = scores_for(unit, *Q1).card.indicators
    assert (card["5.4"].numerator, card["5.4"].denominator) == (0, 2)
    contribution = DossierContribution.objects.get(dossier=late_in_q1)
    assert contribution.on_time_766 and contribution.flips_at is None
    # the whole subtree (dashboard path) reads the same correction
    from motcua.monitoring.selectors import scores_for_units

    parent = unit.parent or unit
    many = scores_for_units([parent, unit], *Q1)
    assert many[unit.pk].card.indicators["2.1"].numerator == 0
    assert many[unit.pk].card.indicators["2.1"].denominator == 2
    assert many[parent.pk].card.indicators["2.1"].denominator >= 2
    # the drill-down lists the dossiers behind the corrected numbers
    from motcua.monitoring.drilldown import contributions
    from motcua.monitoring.periods import Period

    def listed(period: tuple[dt.date, dt.date], kind: str) -> set[int]:
        return set(contributions(unit, Period(*period), kind).values_list("dossier_id", flat=True))

    assert listed(Q1, "late") == {late_in_q1.pk, _open.pk} == listed(Q1, "unsatisfied")
    assert listed(Q1, "on_time") == set()
    assert listed(WEEK, "on_time") == {_open.pk} and listed(WEEK, "late") == set()
    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert listed(march, "late") == {_open.pk}
    assert listed((dt.date(2026, 1, 1), dt.date(2026, 1, 31)), "on_time") == {late_in_q1.pk}


def test_a_closed_quarter_does_not_move_when_computed_again_after_more_events(
    personas,
    e_signing,
    staff,  # noqa: F811
    version,  # noqa: F811
):
    """The judgement of a closed period is kept (PeriodJudgement) and only reads what
    happened by its last day: finishing the open March dossier in December (and a
    rebuild) leaves Q1 and the week as they were."""
    from motcua.monitoring.models import PeriodDossierJudgement, PeriodJudgement

    _late, open_ = _q1_and_week(personas, staff, version)
    rebuild(as_of=dt.datetime(2026, 4, 2, tzinfo=TZ))
    unit = personas.unit_x

    def judged() -> list[tuple[float, float]]:
        # 2.1 and 5.4 are the judged indicators; 2.2, 4.1, … count a later end as the
        # months do (docs/monitoring.md "Judging instant")
        return [
            (s.numerator, s.denominator)
            for period in (Q1, WEEK)
            for key, s in scores_for(unit, *period).card.indicators.items()
            if key in ("2.1", "5.4")
        ]

    before = judged()
    assert before == [(0, 2), (0, 2), (1, 1), (1, 1)]
    assert PeriodJudgement.objects.filter(start=Q1[0], end=Q1[1]).exists()
    # kept for the week only: in Q1 it is judged at 31/3 = its month's end (no change)
    assert PeriodDossierJudgement.objects.filter(dossier=open_).count() == 1
    _finish(personas, staff, open_, dt.datetime(2026, 12, 1, 9, tzinfo=TZ))
    dossier_contribution_refresh(dossier_id=open_.pk, as_of=dt.datetime(2026, 12, 7, tzinfo=TZ))
    rebuild(as_of=dt.datetime(2026, 12, 7, 12, tzinfo=TZ))
    assert judged() == before
    # recomputed from scratch (the kept judgement dropped): the same figures
    PeriodJudgement.objects.all().delete()
    assert judged() == before


def test_a_running_period_is_judged_now(
    personas,
    staff,  # noqa: F811
    version,  # noqa: F811
):
    """While the period runs its open dossiers are judged at the computation time: no
    correction for the running month."""
    from django.utils import timezone

    from motcua.monitoring.models import PeriodJudgement
    from motcua.monitoring.period_judgement import needs_correction

    today = timezone.localdate()
    first = today.replace(day=1)
    assert not needs_correction(first, today)
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    scores_for(personas.unit_x, quarter_start, today)
    # kept for RUNNING_TTL, judged at the computation time (not the period's end)
    for header in PeriodJudgement.objects.all():
        assert header.judged_at == header.computed_at


def test_a_kept_judgement_is_recomputed_only_on_request_and_audited(
    personas,
    e_signing,
    staff,  # noqa: F811
    version,  # noqa: F811
):
    from django.core.management import call_command

    from motcua.core.models import AuditEntry
    from motcua.monitoring.models import PeriodJudgement
    from motcua.monitoring.services import period_judgements_close

    _q1_and_week(personas, staff, version)
    rebuild(as_of=dt.datetime(2026, 12, 7, 12, tzinfo=TZ))
    call_command("monitoring_period_judge", "--period", "quarter", "--date", "2026-02-10")
    first = PeriodJudgement.objects.get(start=Q1[0], end=Q1[1])
    assert first.dossiers == 1  # the January dossier (open at 31/1)
    call_command("monitoring_period_judge", "--period", "quarter", "--date", "2026-02-10")
    assert PeriodJudgement.objects.get(start=Q1[0]).pk == first.pk
    assert not AuditEntry.objects.filter(action="monitoring.period_judgement_replace").exists()
    call_command(
        "monitoring_period_judge", "--period", "quarter", "--date", "2026-02-10", "--replace"
    )
    assert PeriodJudgement.objects.get(start=Q1[0]).pk != first.pk
    assert AuditEntry.objects.filter(action="monitoring.period_judgement_replace").count() == 1
    assert _on_time(personas.unit_x, *Q1) == (0, 2)
    # the scheduler hook judges the periods that closed (idempotent); a month: nothing
    period_judgements_close()
    kept = PeriodJudgement.objects.count()
    period_judgements_close()
    assert PeriodJudgement.objects.count() == kept
    call_command("monitoring_period_judge", "--period", "week", "--date", "2026-03-04")
    assert PeriodJudgement.objects.filter(start=WEEK[0], end=WEEK[1]).get().dossiers == 1


def test_custom_ranges_are_kept_an_hour_and_named_periods_stay(
    personas,
    e_signing,
    staff,  # noqa: F811
    version,  # noqa: F811
):
    """A caller's own dates are judged province-wide on first read; their kept
    judgement is pruned after an hour (bounded storage whatever is asked), the named
    periods' stay, and the figures read again are the same."""
    from django.utils import timezone

    from motcua.monitoring.models import PeriodJudgement
    from motcua.monitoring.services import custom_judgements_prune, is_named_period

    assert is_named_period(*Q1) and is_named_period(*WEEK)
    custom = (dt.date(2026, 1, 20), dt.date(2026, 2, 27))
    assert not is_named_period(*custom)
    _q1_and_week(personas, staff, version)
    rebuild(as_of=dt.datetime(2026, 12, 7, 12, tzinfo=TZ))
    before = (_on_time(personas.unit_x, *Q1), _on_time(personas.unit_x, *custom))
    assert PeriodJudgement.objects.filter(start=custom[0], end=custom[1]).exists()
    assert custom_judgements_prune(timezone.now()) == 0  # fresh: kept
    later = timezone.now() + dt.timedelta(hours=2)
    assert custom_judgements_prune(later) == 1
    assert not PeriodJudgement.objects.filter(start=custom[0], end=custom[1]).exists()
    assert PeriodJudgement.objects.filter(start=Q1[0], end=Q1[1]).exists()
    assert (_on_time(personas.unit_x, *Q1), _on_time(personas.unit_x, *custom)) == before
