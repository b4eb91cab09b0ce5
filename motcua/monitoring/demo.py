# ruff: noqa: S311 — demo data, not cryptography
"""A year of generated dossier history for the demo province, so that the monitoring
dashboard is alive at first start (issue 9: "the demo contains a year of realistic
generated history").

Written in bulk by the bulk generator's planner and writer (motcua.core.generator:
Dossier, DossierStep, DossierComponent, DossierPause, DossierEvent), not through the
services: a year of a province is thousands of dossiers. The rows have the shape the
services write (same statuses, timestamps, events), and the aggregates are then computed
by `updater.rebuild()` exactly as for native dossiers.

Each unit has a deterministic "quality" (seeded by its code, generator.unit_quality) that
drives its late share, online share, digitisation and sync, so that the map shows green,
yellow, orange and red units. Idempotent: generated dossiers carry
`form_answers["demo_history"]`; when any exist nothing is generated again (the rebuild
still runs).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from motcua.core import generator
from motcua.monitoring.updater import RebuildResult, rebuild

MARK = "demo_history"


@dataclass(frozen=True)
class DemoHistoryResult:
    dossiers: int
    rebuild: RebuildResult


HEAD_NAMES = (
    "Nguyễn Hữu Phước",
    "Trần Quang Vinh",
    "Lê Thị Hồng Nhung",
    "Phan Văn Thịnh",
    "Huỳnh Thị Mỹ Lệ",
    "Đoàn Minh Khoa",
)


def _heads(units: list[Any], today: dt.date) -> int:
    """Effective-dated heads (người đứng đầu) for units that have none, so that the
    weekly report can rank unit heads; every third unit changed head on 01/07 of this
    year. Accounts without a usable password (history only)."""
    from motcua.accounts.constants import AccountKind
    from motcua.accounts.models import User
    from motcua.org.constants import Role
    from motcua.org.models import StaffAssignment

    with_head = set(
        StaffAssignment.objects.filter(is_head=True, unit__in=units).values_list(
            "unit_id", flat=True
        )
    )
    created = 0
    change = dt.date(today.year, 7, 1)
    for i, unit in enumerate(units):
        if unit.pk in with_head:
            continue
        rng = random.Random(f"heads:{unit.code}")
        terms: list[tuple[dt.date, dt.date | None]] = [(dt.date(2025, 7, 1), None)]
        if i % 3 == 0 and change <= today:
            terms = [(dt.date(2025, 7, 1), change - dt.timedelta(days=1)), (change, None)]
        for n, (start, end) in enumerate(terms, start=1):
            username = f"lichsu.{unit.code}.lanhdao{n}".lower()
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username, full_name=rng.choice(HEAD_NAMES), kind=AccountKind.STAFF
                )
                user.set_unusable_password()
                user.save()
            StaffAssignment.objects.create(
                user=user,
                unit=unit,
                role=Role.LEADER,
                position="Thủ trưởng",
                is_head=True,
                valid_from=start,
                valid_to=end,
            )
            created += 1
    return created


def _citizens() -> list[Any]:
    from motcua.accounts.constants import AccountKind
    from motcua.accounts.models import User

    return list(User.objects.filter(kind=AccountKind.CITIZEN).order_by("pk")[:20])


def generate(*, now: dt.datetime | None = None, per_unit: int = 80, seed: int = 766) -> int:
    """Generate about a year of dossiers (per_unit × 0.6–1.4 for each competent unit);
    returns how many were created. Planned and written by motcua.core.generator."""
    from motcua.dossiers.models import Dossier
    from motcua.org.models import OrgUnit
    from motcua.org.selectors import unit_valid_on

    if Dossier.objects.filter(form_answers__has_key=MARK).exists():
        return 0
    province = generator.load_province(now)
    citizens = _citizens()
    if province is None or not citizens:
        return 0
    _heads(
        list(
            OrgUnit.objects.filter(
                unit_valid_on(province.today),
                kind__in=("department", "district", "commune", "vertical"),
            ).order_by("code")
        ),
        province.today,
    )
    rng = random.Random(seed)
    batch: list[dict[str, Any]] = []
    plans: list[generator.Plan] = []
    for unit in province.units:
        urng = random.Random(f"{seed}:{unit.code}")
        procs = urng.sample(province.versions, k=min(len(province.versions), urng.randint(3, 6)))
        for n in range(int(per_unit * urng.uniform(0.6, 1.4))):
            version = urng.choice(procs)
            day = province.today - dt.timedelta(days=urng.randint(0, 364))
            while day.weekday() >= 5:
                day -= dt.timedelta(days=1)
            received = generator.working_moment(urng, day, province.tz)
            row, plan = generator.plan_dossier(
                urng,
                province,
                unit=unit,
                version=version,
                received=received,
                applicant_id=rng.choice(citizens).pk,
                code=f"{unit.code}-{received:%y%m%d}-L{n + 1:04d}",
                number=n + 1,
                mark=MARK,
            )
            batch.append(row)
            plans.append(plan)
    before = _before_reform(province, per_unit=max(1, per_unit // 8), seed=seed)
    batch += before[0]
    plans += before[1]
    with transaction.atomic():
        generator.write_dossiers(generator.RawWriter(connection, timezone.now()), batch, plans)
    return len(batch)


REFORM = dt.date(2025, 7, 1)  # two-level local government (law.md R31)


def _before_reform(
    province: generator.Province, *, per_unit: int, seed: int
) -> tuple[list[dict[str, Any]], list[generator.Plan]]:
    """A few dossiers of the first half of 2025 at the units of that time — the Quảng
    Nam district offices, old communes and departments — received under Decree 61/2018
    (rule set by reception, law.md R1). They stay at their units; the monitoring rolls
    them up to today's holders through the carrying successions (law.md R31, §10.3)."""
    from dataclasses import replace

    from motcua.org.models import OrgUnit
    from motcua.org.selectors import unit_valid_on

    last = REFORM - dt.timedelta(days=1)
    units = list(
        OrgUnit.objects.filter(unit_valid_on(last), kind__in=generator.COMPETENT_KINDS)
        .exclude(unit_valid_on(province.today))
        .order_by("code")
    )
    if not units or province.today < REFORM:
        return [], []
    old = replace(
        province,
        units=units,
        reception=OrgUnit.objects.filter(unit_valid_on(last), kind="service_center")
        .order_by("code")
        .first(),
        officers=generator.history_officers(units),
    )
    citizens = _citizens()
    batch: list[dict[str, Any]] = []
    plans: list[generator.Plan] = []
    first = dt.date(2025, 1, 2)
    for unit in units:
        urng = random.Random(f"{seed}:before:{unit.code}")
        procs = urng.sample(old.versions, k=min(len(old.versions), urng.randint(2, 4)))
        for n in range(per_unit):
            day = first + dt.timedelta(days=urng.randint(0, (last - first).days))
            while day.weekday() >= 5:
                day -= dt.timedelta(days=1)
            received = generator.working_moment(urng, day, old.tz)
            row, plan = generator.plan_dossier(
                urng,
                old,
                unit=unit,
                version=urng.choice(procs),
                received=received,
                applicant_id=urng.choice(citizens).pk,
                code=f"{unit.code}-{received:%y%m%d}-T{n + 1:04d}",
                number=n + 1,
                mark=MARK,
            )
            batch.append(row)
            plans.append(plan)
    return batch, plans


def monitoring_demo(*, now: dt.datetime | None = None, per_unit: int = 80) -> DemoHistoryResult:
    created = generate(now=now, per_unit=per_unit)
    return DemoHistoryResult(dossiers=created, rebuild=rebuild(as_of=now))
