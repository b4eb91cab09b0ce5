"""Issue 11: the month roll-up and the set-based rebuild give exactly the numbers of
the per-dossier reference computation.

* `rebuild()` (set-based SQL, monitoring/bulk.py) == `rebuild_reference()` (every
  dossier through the Python rules): same contributions, day rows and month rows;
* the live updater keeps the month rows equal to the rebuilt ones;
* scores read from month + edge-day rows == scores from day rows only == the
  brute-force aggregate of every dossier's facts, for several units and periods;
* the request path only enqueues the refresh (a task).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from django.db.models import Sum
from django.utils import timezone

from motcua.core.testing.personas import make_unit
from motcua.dossiers.models import Dossier, DossierComponent, DossierPause, DossierStep
from motcua.feedback.models import SatisfactionRating
from motcua.monitoring.feedback_feed import dossier_dissatisfaction
from motcua.monitoring.indicators import CATALOGUE_SETS, INT_FIELDS, aggregate, score
from motcua.monitoring.models import (
    DossierContribution,
    RollForward,
    UnitDayStats,
    UnitMonthStats,
)
from motcua.monitoring.periods import Period
from motcua.monitoring.selectors import (
    counts_for,
    counts_for_day_rows,
    scores_for,
    scores_for_units,
    split_period,
)
from motcua.monitoring.updater import (
    dossier_contribution_refresh,
    facts_of,
    load_rows,
    rebuild,
    rebuild_reference,
    rows_snapshot,
)
from motcua.org.constants import UnitKind
from motcua.payments.models import PaymentRequest
from tests.dossiers.conftest import TZ, version  # noqa: F401
from tests.monitoring.factories import catalogue_reference

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 20, 10, 30, 15, 123456, tzinfo=TZ)
START = dt.datetime(2026, 1, 2, 7, 45, tzinfo=TZ)
SYNC_VALUES = [True, False, 1, 0, "x", "", None, [1], [], {"a": 1}, {}]


def test_split_period_covers_the_range_exactly():
    d = dt.date
    assert split_period(d(2026, 1, 1), d(2026, 12, 31)) == ((d(2026, 1, 1), d(2026, 12, 1)), [])
    assert split_period(d(2026, 1, 15), d(2026, 1, 20)) == (
        None,
        [(d(2026, 1, 15), d(2026, 1, 20))],
    )
    assert split_period(d(2025, 5, 21), d(2026, 5, 20)) == (
        (d(2025, 6, 1), d(2026, 4, 1)),
        [(d(2025, 5, 21), d(2025, 5, 31)), (d(2026, 5, 1), d(2026, 5, 20))],
    )
    assert split_period(d(2026, 2, 1), d(2026, 2, 28)) == ((d(2026, 2, 1), d(2026, 2, 1)), [])
    assert split_period(d(2026, 2, 2), d(2026, 3, 31)) == (
        (d(2026, 3, 1), d(2026, 3, 1)),
        [(d(2026, 2, 2), d(2026, 2, 28))],
    )


def _dossier(rng: random.Random, personas, version, unit) -> Dossier:  # noqa: F811
    """One dossier with random history: timestamps with microseconds, 0–3 supplement
    pauses (the last possibly open), components, steps, odd JSON sync values."""
    received = START + dt.timedelta(
        minutes=rng.randrange(0, 130 * 24 * 60), microseconds=rng.randrange(10**6)
    )
    due = received + dt.timedelta(
        hours=rng.randrange(4, 20 * 24), microseconds=rng.choice([0, 1, 999999])
    )
    took = dt.timedelta(hours=rng.randrange(1, 30 * 24), microseconds=rng.randrange(10**6))
    end = received + took
    if rng.random() < 0.15:
        end = due  # exactly on the deadline
    outcome = rng.choice(
        ["open", "resolved", "result_returned", "refused", "withdrawn", "waiting", "never"]
    )
    finished = outcome in ("resolved", "result_returned", "refused", "withdrawn") and end < NOW
    status = {"waiting": "supplement_requested", "never": "submitted"}.get(
        outcome, outcome if finished else "in_process"
    )
    extended = rng.random() < 0.3
    supplements = rng.choice([0, 0, 0, 1, 1, 2, 3])
    sync = {
        key: rng.choice(SYNC_VALUES)
        for key in ("synced", "fee_data_synced", "paid_online", "population_data")
        if rng.random() < 0.8
    }
    answers = rng.choice([{"_sync": sync}, {"_sync": sync}, {}, {"_sync": [1]}, {"_sync": "x"}])
    d = Dossier.objects.create(
        procedure_version=version,
        applicant=personas.citizen_a,
        channel=rng.choice("1123"),
        receiving_unit=unit,
        competent_unit=unit,
        status=status,
        received_at=None if status == "submitted" else received,
        due_at=(due + dt.timedelta(days=3) if extended else due) if rng.random() < 0.95 else None,
        original_due_at=due if rng.random() < 0.8 else None,
        extended_at=received if extended else None,
        due_before_extension=due if extended else None,
        supplement_count=supplements,
        completed_at=end if finished else None,
        returned_at=end + dt.timedelta(hours=1) if status == "result_returned" else None,
        result_files=rng.choice([[{"name": "kq.pdf"}], [], [{"name": "a"}, {"name": "b"}]]),
        form_answers=answers,
        return_channel=rng.choice(["", "", "online", "warehouse"]),
    )
    for i in range(supplements):
        started = received + dt.timedelta(hours=2 + 5 * i, microseconds=rng.randrange(10**6))
        last_open = status == "supplement_requested" and i == supplements - 1
        length = dt.timedelta(hours=rng.randrange(0, 40), microseconds=rng.randrange(10**6))
        DossierPause.objects.create(
            dossier=d,
            kind="supplement",
            started_at=started,
            ended_at=None if last_open else started + length,
        )
    if rng.random() < 0.2:
        DossierPause.objects.create(
            dossier=d, kind="financial", started_at=received, ended_at=received + took / 2
        )
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        DossierComponent.objects.create(
            dossier=d,
            name="Tờ khai",
            digitized=rng.random() < 0.7,
            reused=rng.random() < 0.3,
            from_warehouse=rng.random() < 0.2,
        )
    for order in range(rng.choice([0, 1, 2, 3])):
        step_due = received + dt.timedelta(hours=8 + 24 * order)
        DossierStep.objects.create(
            dossier=d,
            order=order + 1,
            name=f"Bước {order + 1}",
            unit=unit,
            role="specialist",
            status="done",
            due_at=step_due if rng.random() < 0.9 else None,
            completed_at=(
                step_due + dt.timedelta(hours=rng.choice([-30, -2, 0, 3, 30]))
                if rng.random() < 0.8
                else None
            ),
        )
    _native(rng, d, unit)
    if d.received_at and rng.random() < 0.15:
        SatisfactionRating.objects.create(
            dossier=d,
            stage="result",
            level=rng.choice(["unsatisfied", "satisfied"]),
            channel="portal",
            unit=unit,
            rated_at=NOW,
        )
    return d


def _native(rng: random.Random, d: Dossier, unit) -> None:
    """Native facts (issue 19): delivered or pending sync messages, payment requests
    paid online or at the counter, VNeID flags, issued result documents, uploads."""
    from motcua.documents.models import IssuedDocument
    from motcua.integrations.models import DossierIdentityFlag, OutboxMessage

    d.code = f"H47.{d.pk:06d}"
    d.save(update_fields=["code"])
    if rng.random() < 0.5:
        OutboxMessage.objects.create(
            dossier=d,
            unit=unit,
            ma_ho_so=d.code,
            service=rng.choice(["DongBoHoSoMC", "CapNhatTienDoHoSoMC"]),
            seq=1,
            mapping_version="1",
            payload={},
            status=rng.choice(["pending", "delivered", "delivered", "dead"]),
            next_attempt_at=NOW,
        )
    if rng.random() < 0.4:
        PaymentRequest.objects.create(
            dossier=d,
            collecting_unit=unit,
            reference=f"TT{d.pk:08d}",
            description="Lệ phí",
            amount=rng.choice([0, 50_000]),
            status="paid",
            paid_at=rng.choice([None, NOW]),
            online_flag=rng.choice([0, 1, 2]),
        )
    if rng.random() < 0.4:
        DossierIdentityFlag.objects.create(dossier=d, vneid_authenticated=rng.random() < 0.7)
    if rng.random() < 0.3:
        IssuedDocument.objects.create(
            code=f"KQ{d.pk:06d}",
            title="Kết quả",
            dossier_code=d.code,
            issuer_name=unit.name,
            issued_at=NOW,
            revoked_at=rng.choice([None, None, NOW]),
        )
    if rng.random() < 0.3:
        DossierComponent.objects.create(
            dossier=d, name="Tệp tải lên", files=[{"name": "tep.pdf"}], digitized=False
        )


@pytest.fixture
def dataset(personas, version):  # noqa: F811
    """~120 varied dossiers over four units (a district with two communes, and unit Y
    whose history is rolled forward into unit X)."""
    district = make_unit("000.00.40.H47", "Huyện R", UnitKind.DISTRICT, personas.province)
    communes = [
        make_unit(f"000.40.4{i}.H47", f"Xã {i}", UnitKind.COMMUNE, district) for i in (1, 2)
    ]
    units = [personas.unit_x, personas.unit_y, *communes]
    rng = random.Random(20261127)
    dossiers = [_dossier(rng, personas, version, rng.choice(units)) for _ in range(120)]
    return dossiers, district, units


def _contributions() -> dict[int, tuple]:
    return {
        c.dossier_id: (
            c.unit_id,
            c.procedure_code,
            c.day,
            {k: int(v) for k, v in c.counters.items()},
            c.on_time_766,
            c.on_time_d61,
            c.judged_at,
            c.flips_at,
        )
        for c in DossierContribution.objects.all()
    }


def _months() -> dict[tuple, dict[str, int]]:
    columns = INT_FIELDS + CATALOGUE_SETS
    return {
        (r["unit_id"], r["procedure_code"], r["month"]): {c: r[c] for c in columns if r[c]}
        for r in UnitMonthStats.objects.values("unit_id", "procedure_code", "month", *columns)
    }


def _months_from_days() -> dict[tuple, dict[str, int]]:
    out: dict[tuple, dict[str, int]] = {}
    for r in UnitDayStats.objects.values(
        "unit_id", "procedure_code", "day", *INT_FIELDS, *CATALOGUE_SETS
    ):
        row = out.setdefault((r["unit_id"], r["procedure_code"], r["day"].replace(day=1)), {})
        for c in INT_FIELDS:
            if r[c]:
                row[c] = row.get(c, 0) + r[c]
        for c in CATALOGUE_SETS:
            if r[c]:
                row[c] = 1
    return out


PERIODS = [
    Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31), "year"),
    Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28), "month"),
    Period(dt.date(2026, 1, 12), dt.date(2026, 3, 15)),
    Period(dt.date(2025, 5, 21), dt.date(2026, 5, 20)),  # rolling year
    Period(dt.date(2026, 3, 9), dt.date(2026, 3, 15), "week"),
]


def test_set_based_rebuild_equals_the_python_reference(personas, dataset):
    RollForward.objects.create(source=personas.unit_y, target=personas.unit_x)
    reference = rebuild_reference(as_of=NOW)
    expected = (_contributions(), rows_snapshot(), _months())
    assert reference.dossiers > 80
    assert _months() == _months_from_days()

    result = rebuild(as_of=NOW)
    assert (result.dossiers, result.rows) == (reference.dossiers, reference.rows)
    got = (_contributions(), rows_snapshot(), _months())
    for name, a, b in zip(("contributions", "day rows", "month rows"), got, expected, strict=True):
        diff = {k: (a.get(k), b.get(k)) for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
        assert not diff, f"{name}: {sorted(diff.items(), key=str)[:2]!r}"


def test_live_updates_keep_the_month_rows_equal_to_the_rebuild(personas, dataset):
    dossiers, _district, _units = dataset
    ids = [d.pk for d in dossiers]
    for pk in ids:
        dossier_contribution_refresh(dossier_id=pk, as_of=NOW)
    # later transitions move dossiers between days and months; a rating arrives
    rng = random.Random(7)
    for d in rng.sample([d for d in dossiers if d.received_at], 15):
        Dossier.objects.filter(pk=d.pk).update(
            received_at=d.received_at + dt.timedelta(days=rng.choice([-40, -1, 1, 35])),
            status="resolved",
            completed_at=NOW - dt.timedelta(hours=1),
        )
        dossier_contribution_refresh(dossier_id=d.pk, as_of=NOW)
    live = (rows_snapshot(), _months())
    assert live[1] == _months_from_days()
    rebuild(as_of=NOW)
    assert (rows_snapshot(), _months()) == live


def test_scores_from_month_rollups_equal_day_rows_and_brute_force(personas, dataset):
    dossiers, district, units = dataset
    rebuild(as_of=NOW)
    rows = load_rows(sorted(d.pk for d in dossiers), set())
    unhappy = dossier_dissatisfaction([d.pk for d in dossiers])
    tz = timezone.get_current_timezone()
    everyone = [personas.province, district, *units]
    for period in PERIODS:
        # read as at NOW (the rebuild's instant): open dossiers judged at the end of the
        # period, or NOW while it runs (law.md §4.4)
        batch = scores_for_units(everyone, period.start, period.end, as_of=NOW)
        for unit in everyone:
            got = counts_for(unit, period.start, period.end, as_of=NOW)
            assert got == counts_for_day_rows(unit, period.start, period.end, as_of=NOW), (
                unit,
                period,
            )
            assert batch[unit.pk].counts == got
            assert batch[unit.pk].card == scores_for(unit, period.start, period.end, as_of=NOW).card
        # brute force over every dossier's facts (the province subtree holds them all),
        # judged at the end of the period
        end = dt.datetime.combine(period.end, dt.time.max, tzinfo=tz)
        facts = []
        for r in rows:
            f = facts_of(r, tz, NOW, end)
            if f is not None:
                rated, complaint = unhappy.get(r.pk, (False, False))
                facts.append(dataclasses.replace(f, rated_unsatisfied=rated, complaint=complaint))
        brute = aggregate(facts, period, as_of=NOW)
        got = counts_for(personas.province, period.start, period.end, as_of=NOW)
        assert got.counters() == brute.counters(), period
        # the catalogue state of the subtree, from the catalogue (dossiers or not)
        with_catalogue = dataclasses.replace(
            brute, **catalogue_reference(personas.province, period.start, period.end)
        )
        card = scores_for(personas.province, period.start, period.end, as_of=NOW).card
        assert card == score(with_catalogue)


def test_a_year_reads_at_most_twelve_month_rows_per_unit_and_procedure(personas, dataset):
    rebuild(as_of=NOW)
    months = UnitMonthStats.objects.filter(month__year=2026)
    keys = months.values("unit_id", "procedure_code").distinct().count()
    assert months.count() <= 12 * keys
    assert UnitDayStats.objects.filter(day__year=2026).count() > months.count()
    total = UnitMonthStats.objects.aggregate(n=Sum("received"))["n"]
    assert total == UnitDayStats.objects.aggregate(n=Sum("received"))["n"]


def test_transition_follow_up_refreshes_the_contribution(personas, dataset):
    """The receiver (run by the transition's background job, dossiers/tasks.py, not by
    the web request) brings the dossier's contribution up to date."""
    from motcua.monitoring import updater

    d = next(d for d in dataset[0] if d.received_at)
    DossierContribution.objects.filter(dossier_id=d.pk).delete()
    updater.on_dossier_transitioned(sender=Dossier, dossier_id=d.pk)
    assert DossierContribution.objects.filter(dossier_id=d.pk).exists()


def test_refresh_task_refreshes_one_dossier(personas, dataset):
    from motcua.monitoring import tasks

    d = next(d for d in dataset[0] if d.received_at)
    DossierContribution.objects.filter(dossier_id=d.pk).delete()
    tasks.refresh_dossier_contribution.enqueue(dossier_id=d.pk)
    assert DossierContribution.objects.filter(dossier_id=d.pk).exists()
