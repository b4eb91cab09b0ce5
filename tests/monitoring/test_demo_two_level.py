"""Issue 21 deliverable 2, "done when": the demo shows today's two-level structure and
the monitoring of 2026 rolls up to it; a dossier received before 1/7/2025 still shows
the rules and forms of its time (law.md R1, R31, §10).

One full `demo_load` (the demo's present is late 2026): no dossier received from
1/7/2025 is received or settled by a unit that no longer exists (the 17 district-level
units of Quảng Nam and their old communes ended on 30/6/2025; before this change 2,599
generated dossiers of the last year sat at district offices)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.org.constants import UnitKind
from motcua.org.models import OrgUnit

REFORM = dt.date(2025, 7, 1)
DISTRICT_LEVEL = (UnitKind.DISTRICT, UnitKind.DISTRICT_OFFICE)


def _ended(prefix: str) -> Q:
    """The unit at `prefix` had ended before 1/7/2025 (every ended unit of the demo)."""
    return Q(**{f"{prefix}__valid_to__lt": REFORM})


@pytest.mark.django_db(transaction=False)
def test_the_demo_is_two_level_today(signing_settings, client_for, settings):
    settings.MOTCUA_STAFF_2FA_REQUIRED = False  # as in the demo settings: no TOTP devices
    call_command("demo_load", stdout=io.StringIO(), stderr=io.StringIO())
    tz = timezone.get_current_timezone()
    after = Dossier.objects.filter(
        received_at__gte=dt.datetime.combine(REFORM, dt.time.min, tzinfo=tz)
    )
    assert after.count() > 1000
    # 1. Nothing received from 1/7/2025 at a district-level unit or an ended unit.
    district_level = after.filter(
        Q(competent_unit__kind__in=DISTRICT_LEVEL)
        | Q(receiving_unit__kind__in=DISTRICT_LEVEL)
        | Q(competent_unit__parent__kind=UnitKind.DISTRICT)
        | Q(receiving_unit__parent__kind=UnitKind.DISTRICT)
    )
    assert district_level.count() == 0
    assert after.filter(_ended("competent_unit") | _ended("receiving_unit")).count() == 0
    # Today's structure: the merged city with its wards, communes and special zone; the
    # 17 district-level units of Quảng Nam ended on 30/6/2025 (Nông Sơn on 31/12/2024).
    da_nang = OrgUnit.objects.get(code="000.00.00.H17")
    today = timezone.localdate()
    communes = OrgUnit.objects.filter(parent=da_nang, kind=UnitKind.COMMUNE)
    assert communes.count() >= 25
    assert communes.filter(name="UBND phường Tam Kỳ").exists()
    assert communes.filter(name="UBND đặc khu Hoàng Sa").exists()
    districts = OrgUnit.objects.filter(kind__in=DISTRICT_LEVEL)
    assert districts.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).count() == 0
    assert (
        OrgUnit.objects.filter(kind=UnitKind.DISTRICT, valid_to=dt.date(2025, 6, 30)).count() == 17
    )
    # Every ended district-level unit and old commune passed its records on.
    from motcua.org.selectors import records_successor_map, unit_current

    holders = records_successor_map(today)
    old = OrgUnit.objects.filter(
        Q(kind__in=(*DISTRICT_LEVEL, UnitKind.ONE_STOP, UnitKind.COMMUNE)),
        valid_to__isnull=False,
    )
    assert old.count() > 60
    assert all(u.pk in holders for u in old)
    an_my = OrgUnit.objects.get(name="UBND phường An Mỹ")
    tam_ky = communes.get(name="UBND phường Tam Kỳ")
    assert unit_current(an_my) == tam_ky

    # 2. History before 1/7/2025 stays at the old units ...
    before = Dossier.objects.filter(
        received_at__lt=dt.datetime.combine(REFORM, dt.time.min, tzinfo=tz),
        competent_unit__valid_to=dt.date(2025, 6, 30),
    )
    assert before.filter(competent_unit__kind=UnitKind.DISTRICT_OFFICE).exists()
    assert before.filter(competent_unit__kind=UnitKind.COMMUNE).exists()
    # ... and the monitoring rolls it up to today's units: 2025 figures of the old
    # communes are read on today's ward (the aggregates moved with the records).
    from motcua.monitoring.models import UnitDayStats
    from motcua.monitoring.selectors import scores_for_units

    assert not UnitDayStats.objects.filter(unit=an_my).exists()
    first_half = scores_for_units([tam_ky], dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert first_half[tam_ky.pk].has_data

    # 3. The 06a and the weekly report read today's subtree: for the merged city, its
    # communes and the departments of the old province, with the old offices' dossiers.
    from motcua.monitoring.periods import Period
    from motcua.monitoring.reports import build_weekly, form06a_inputs
    from motcua.org.selectors import records_scope_ids

    scope = records_scope_ids(da_nang)
    justice = OrgUnit.objects.get(code="000.00.03.H47")
    assert {justice.pk, tam_ky.pk, an_my.pk} <= scope
    year = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31), "custom")
    inputs = form06a_inputs(da_nang, year)
    assert (
        len(inputs)
        == Dossier.objects.filter(received_at__year=2025, received_at__isnull=False)
        .filter(Q(completed_at__isnull=True) | Q(completed_at__year__gte=2025))
        .count()
    )
    from motcua.monitoring.reports import week_of

    weekly = build_weekly(week_of(dt.date(2026, 11, 23)))
    line_units = {ln.unit for ln in weekly.lines}
    assert tam_ky in line_units and justice in line_units
    assert not any(u.kind in DISTRICT_LEVEL or u.valid_to for u in line_units)

    # 4. A dossier received before 1/7/2025 at an old commune keeps the Decree 61 rule
    # set and forms, and an officer of today's ward opens it.
    old_dossier = (
        Dossier.objects.filter(competent_unit=an_my, received_at__isnull=False)
        .order_by("received_at")
        .first()
    )
    assert old_dossier is not None and old_dossier.rule_set == "nd61-2018"
    from motcua.accounts.models import User

    client = client_for(User.objects.get(username="chuyenvien.tamky"))
    page = client.get(reverse("dossiers:detail", args=[old_dossier.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nghị định 61/2018/NĐ-CP" in html and "Nghị định 118/2025/NĐ-CP" not in html
    # The demo's hand-made Decree 61 dossier too (Form 04 apology of Circular 01/2018).
    hand_made = Dossier.objects.get(form_answers__demo_key="truoc-nd118")
    assert hand_made.rule_set == "nd61-2018" and hand_made.extended_at is not None
