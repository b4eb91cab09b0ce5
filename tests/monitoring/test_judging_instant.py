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


def test_a_quarter_and_a_week_are_judged_per_reception_month(
    personas,
    e_signing,
    staff,  # noqa: F811
    version,  # noqa: F811
):
    """What the judging instant is for periods other than a month (docs/monitoring.md
    "Judging instant"): every dossier is judged at the end of its reception month,
    so a quarter is the sum of its months and never moves, but it is not judged at
    the quarter's last day as law.md §4.4 reads (a January dossier open on 31/1, not
    yet due, finished late in February counts on time in Q1), and a week inside a
    closed month is judged at the month's end, not the week's (a dossier received on
    Monday 2/3, open on Sunday 8/3 before its deadline, still open at 31/3 counts late
    for that week)."""
    january = dt.datetime(2026, 1, 28, 9, tzinfo=TZ)
    late_in_q1 = _receive_assign(personas, staff, _new(personas, version, january), january)
    assert late_in_q1.due_at.astimezone(TZ).date() > dt.date(2026, 1, 31)
    _finish(personas, staff, late_in_q1, dt.datetime(2026, 2, 24, 9, tzinfo=TZ))
    monday = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    open_ = _receive_assign(personas, staff, _new(personas, version, monday), monday)
    assert open_.due_at.astimezone(TZ).date() > dt.date(2026, 3, 8)
    rebuild(as_of=dt.datetime(2026, 12, 7, 12, tzinfo=TZ))

    def on_time(start: dt.date, end: dt.date) -> tuple[float, float]:
        s = scores_for(personas.unit_x, start, end).card.indicators["2.1"]
        return s.numerator, s.denominator

    q1 = on_time(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    months = [
        on_time(dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        on_time(dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        on_time(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ]
    assert q1 == tuple(map(sum, zip(*months, strict=True))) == (1, 2)
    assert months[0] == (1, 1)  # judged at 31/1 (law, quarter: late at 31/3)
    assert on_time(dt.date(2026, 3, 2), dt.date(2026, 3, 8)) == (0, 1)  # judged at 31/3
    contribution = DossierContribution.objects.get(dossier=late_in_q1)
    assert contribution.on_time_766 and contribution.flips_at is None
