# ruff: noqa: S311 — demo data, not cryptography
"""A year of generated dossier history for the demo province, so that the monitoring
dashboard is alive at first start (issue 9: "the demo contains a year of realistic
generated history").

Written in bulk (bulk_create of Dossier, DossierStep, DossierComponent, DossierPause,
DossierEvent), not through the services: a year of a province is thousands of dossiers.
The rows have the shape the services write (same statuses, timestamps, events), and the
aggregates are then computed by `updater.rebuild()` exactly as for native dossiers.

Each unit has a deterministic "quality" (seeded by its code) that drives its late share,
online share, digitisation and sync, so that the map shows green, yellow, orange and
red units. Idempotent: generated dossiers carry `form_answers["demo_history"]`; when any
exist nothing is generated again (the rebuild still runs).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.monitoring.updater import RebuildResult, rebuild

MARK = "demo_history"
# Unit kinds that settle procedures (competent units of the demo).
COMPETENT_KINDS = ("department", "commune", "district_office", "vertical")
SPECIALIST_NAMES = (
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Minh Châu",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Võ Thị Giang",
    "Đặng Quốc Huy",
    "Bùi Thị Lan",
)
LATE_REASONS = (
    ("subjective", "Chuyên viên thụ lý chậm thẩm định hồ sơ."),
    ("subjective", "Chậm trình ký do lãnh đạo đi công tác, không ủy quyền."),
    ("objective", "Chờ kết quả xác minh của cơ quan phối hợp."),
    ("objective", "Hệ thống phần mềm chuyên ngành gián đoạn."),
)


@dataclass(frozen=True)
class DemoHistoryResult:
    dossiers: int
    rebuild: RebuildResult


def _unit_quality(code: str) -> float:
    """Deterministic quality in [0.35, 0.98]: a few units are weak, most are good."""
    r = random.Random(f"quality:{code}").random()
    return 0.35 + 0.63 * (r**0.45)


def _officers(units: list[Any]) -> dict[int, list[Any]]:
    """Two or three named specialists per unit (accounts without a usable password:
    they only name the responsible officer in the history)."""
    from motcua.accounts.constants import AccountKind
    from motcua.accounts.models import User

    wanted: dict[str, tuple[int, str]] = {}
    for unit in units:
        rng = random.Random(f"officers:{unit.code}")
        for i in range(2 + rng.randint(0, 1)):
            username = f"lichsu.{unit.code}.{i + 1}".lower()
            wanted[username] = (unit.pk, rng.choice(SPECIALIST_NAMES))
    existing = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    new = []
    for username, (_unit, name) in wanted.items():
        if username not in existing:
            user = User(username=username, full_name=name, kind=AccountKind.STAFF)
            user.set_unusable_password()
            new.append(user)
    User.objects.bulk_create(new)
    users = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    out: dict[int, list[Any]] = {}
    for username, (unit_id, _name) in wanted.items():
        out.setdefault(unit_id, []).append(users[username])
    return out


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


def _working_moment(rng: random.Random, day: dt.date, tz: Any) -> dt.datetime:
    hour = rng.choice((7, 8, 9, 10, 13, 14, 15, 16))
    return dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=tz)


def _add_working_days(start: dt.datetime, days: float) -> dt.datetime:
    """Approximate working-day arithmetic (weekends skipped) — enough for a demo."""
    whole = int(days)
    moment = start
    while whole > 0:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            whole -= 1
    moment += dt.timedelta(hours=(days - int(days)) * 8)
    while moment.weekday() >= 5:
        moment += dt.timedelta(days=1)
    return moment


def generate(*, now: dt.datetime | None = None, per_unit: int = 80, seed: int = 766) -> int:
    """Generate about a year of dossiers; returns how many were created."""
    from motcua.catalog.constants import VersionStatus
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.models import (
        Dossier,
        DossierComponent,
        DossierEvent,
        DossierPause,
        DossierStep,
    )
    from motcua.org.constants import Role
    from motcua.org.models import OrgUnit
    from motcua.org.selectors import unit_valid_on

    if Dossier.objects.filter(form_answers__has_key=MARK).exists():
        return 0
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now).date()
    units = list(
        OrgUnit.objects.filter(unit_valid_on(today), kind__in=COMPETENT_KINDS).order_by("code")
    )
    versions = list(
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("procedure")
        .order_by("procedure__code", "number")
    )
    citizens = _citizens()
    if not units or not versions or not citizens:
        return 0
    latest = {v.procedure.code: v for v in versions}
    versions = list(latest.values())
    reception = OrgUnit.objects.filter(kind="service_center").first()
    officers = _officers(units)
    _heads(
        list(
            OrgUnit.objects.filter(
                unit_valid_on(today), kind__in=("department", "district", "commune", "vertical")
            ).order_by("code")
        ),
        today,
    )
    rng = random.Random(seed)

    dossiers: list[Dossier] = []
    plans: list[dict[str, Any]] = []
    for unit in units:
        quality = _unit_quality(unit.code)
        urng = random.Random(f"{seed}:{unit.code}")
        procs = urng.sample(versions, k=min(len(versions), urng.randint(3, 6)))
        count = int(per_unit * urng.uniform(0.6, 1.4))
        receiving = reception if (unit.kind == "department" and reception) else unit
        for n in range(count):
            version = urng.choice(procs)
            day = today - dt.timedelta(days=urng.randint(0, 364))
            while day.weekday() >= 5:
                day -= dt.timedelta(days=1)
            received = _working_moment(urng, day, tz)
            if received > now:
                received = now - dt.timedelta(hours=1)
            days = float(version.processing_time_value or 5) or 5.0
            due = _add_working_days(received, days)
            online = urng.random() < 0.15 + 0.6 * quality
            late = urng.random() > quality
            supplement = urng.random() < 0.08
            finished_in_past = due < now or urng.random() < 0.5
            if late:
                end = _add_working_days(due, urng.uniform(0.5, 8))
            else:
                end = received + (due - received) * urng.uniform(0.3, 0.97)
            if supplement:
                end += dt.timedelta(days=2)
            end_at: dt.datetime | None = end
            if end > now or not finished_in_past:
                status = (
                    "supplement_requested" if supplement and urng.random() < 0.5 else "in_process"
                )
                end_at = None
            else:
                r = urng.random()
                status = (
                    "refused"
                    if r < 0.02
                    else "withdrawn"
                    if r < 0.03
                    else "resolved"
                    if r < 0.10
                    else "result_returned"
                )
            extension = None
            if late and urng.random() < 0.4:
                extension = urng.choice(LATE_REASONS)
            officer = urng.choice(officers[unit.pk])
            e_result = end_at is not None and urng.random() < quality * 0.9
            dossiers.append(
                Dossier(
                    code=f"{unit.code}-{received:%y%m%d}-L{n + 1:04d}",
                    procedure_version=version,
                    applicant=rng.choice(citizens),
                    channel="2" if online else "1",
                    receiving_unit=receiving,
                    competent_unit=unit,
                    form_answers={
                        MARK: True,
                        "_sync": {
                            "synced": urng.random() < 0.4 + 0.6 * quality,
                            "fee_data_synced": urng.random() < quality,
                            "paid_online": online and urng.random() < quality,
                            "population_data": urng.random() < quality * 0.8,
                        },
                    },
                    status=status,
                    status_reason=extension[1] if extension else "",
                    assignee=officer,
                    submitted_at=received,
                    received_at=received,
                    due_at=(_add_working_days(due, 3) if extension else due),
                    original_due_at=due,
                    extended_at=(due - dt.timedelta(days=1)) if extension else None,
                    due_before_extension=due if extension else None,
                    extension_reason=extension[1] if extension else "",
                    extension_reason_kind=extension[0] if extension else "",
                    supplement_count=1 if supplement else 0,
                    completed_at=end_at,
                    returned_at=(
                        end_at + dt.timedelta(hours=urng.randint(1, 48))
                        if status == "result_returned" and end_at
                        else None
                    ),
                    return_channel="online" if status == "result_returned" and online else "",
                    result_number=f"{n + 1}/KQ"
                    if end_at and status in ("resolved", "result_returned")
                    else "",
                    result_files=[{"name": "ket-qua.pdf"}] if e_result else [],
                )
            )
            plans.append(
                {
                    "late": late,
                    "due": due,
                    "end": end_at,
                    "supplement": supplement,
                    "quality": quality,
                    "officer": officer,
                    "receiving": receiving,
                    "unit": unit,
                    "rng": urng.random(),
                }
            )
    with transaction.atomic():
        Dossier.objects.bulk_create(dossiers, batch_size=1000)
        steps: list[DossierStep] = []
        components: list[DossierComponent] = []
        pauses: list[DossierPause] = []
        events: list[DossierEvent] = []
        for d, plan in zip(dossiers, plans, strict=True):
            rcv, due = d.received_at, plan["due"]
            fin: dt.datetime | None = plan["end"]
            assert rcv is not None
            span = due - rcv
            appraisal_due = rcv + span * 0.7
            approval_due = rcv + span * 0.9
            if fin is not None:
                appraisal_done = (
                    appraisal_due + (fin - due) if plan["late"] else rcv + (fin - rcv) * 0.7
                )
                approval_done = rcv + (fin - rcv) * 0.9
            else:
                appraisal_done = approval_done = None
            steps += [
                DossierStep(
                    dossier=d,
                    order=1,
                    name="Tiếp nhận hồ sơ",
                    unit=plan["receiving"],
                    role=Role.RECEPTIONIST,
                    status="done",
                    started_at=rcv,
                    due_at=rcv + dt.timedelta(hours=4),
                    completed_at=rcv,
                ),
                DossierStep(
                    dossier=d,
                    order=2,
                    name="Thẩm định",
                    unit=plan["unit"],
                    role=Role.SPECIALIST,
                    assignee=plan["officer"],
                    status="done" if appraisal_done else "active",
                    started_at=rcv,
                    due_at=appraisal_due,
                    completed_at=appraisal_done,
                ),
                DossierStep(
                    dossier=d,
                    order=3,
                    name="Phê duyệt",
                    unit=plan["unit"],
                    role=Role.LEADER,
                    status="done" if approval_done else "pending",
                    due_at=approval_due,
                    completed_at=approval_done,
                ),
            ]
            digitised = plan["rng"] < plan["quality"]
            components.append(
                DossierComponent(
                    dossier=d,
                    name="Tờ khai",
                    digitized=digitised,
                    reused=plan["rng"] < plan["quality"] * 0.5,
                    from_warehouse=plan["rng"] < plan["quality"] * 0.3,
                )
            )
            action = "submit_online" if d.channel == "2" else "create_at_counter"
            events.append(
                DossierEvent(
                    dossier=d,
                    at=rcv,
                    action=action,
                    to_status="submitted" if d.channel == "2" else "received",
                    unit=plan["receiving"],
                )
            )
            if d.channel == "2":
                events.append(
                    DossierEvent(
                        dossier=d,
                        at=rcv,
                        action="receive",
                        from_status="submitted",
                        to_status="received",
                        unit=plan["receiving"],
                    )
                )
            events.append(
                DossierEvent(
                    dossier=d,
                    at=rcv + dt.timedelta(hours=1),
                    action="assign",
                    from_status="received",
                    to_status="in_process",
                    unit=plan["unit"],
                    actor=None,
                )
            )
            if plan["supplement"]:
                asked = rcv + span * 0.3
                ended = asked + dt.timedelta(days=2) if d.status != "supplement_requested" else None
                pauses.append(
                    DossierPause(
                        dossier=d,
                        kind="supplement",
                        started_at=asked,
                        ended_at=ended,
                        reason="Bổ sung bản sao giấy tờ tùy thân.",
                    )
                )
                events.append(
                    DossierEvent(
                        dossier=d,
                        at=asked,
                        action="request_supplement",
                        from_status="in_process",
                        to_status="supplement_requested",
                        unit=plan["unit"],
                    )
                )
                if ended:
                    events.append(
                        DossierEvent(
                            dossier=d,
                            at=ended,
                            action="supplement_provided",
                            from_status="supplement_requested",
                            to_status="in_process",
                            unit=plan["unit"],
                        )
                    )
            if d.extended_at is not None:
                events.append(
                    DossierEvent(
                        dossier=d,
                        at=d.extended_at,
                        action="extend_with_apology",
                        from_status="in_process",
                        to_status="in_process",
                        unit=plan["unit"],
                        reason=d.extension_reason,
                        payload={"form": "04", "reason_kind": d.extension_reason_kind},
                    )
                )
            if fin is not None:
                final = {"refused": "refuse_after_appraisal", "withdrawn": "withdraw"}.get(
                    d.status, "issue_result"
                )
                to = d.status if d.status in ("refused", "withdrawn") else "resolved"
                events.append(
                    DossierEvent(
                        dossier=d,
                        at=fin,
                        action=final,
                        from_status="approved" if final == "issue_result" else "in_process",
                        to_status=to,
                        unit=plan["unit"],
                    )
                )
            if d.returned_at is not None:
                events.append(
                    DossierEvent(
                        dossier=d,
                        at=d.returned_at,
                        action="return_result",
                        from_status="resolved",
                        to_status="result_returned",
                        unit=plan["receiving"],
                    )
                )
        DossierStep.objects.bulk_create(steps, batch_size=2000)
        DossierComponent.objects.bulk_create(components, batch_size=2000)
        DossierPause.objects.bulk_create(pauses, batch_size=2000)
        DossierEvent.objects.bulk_create(events, batch_size=2000)
    return len(dossiers)


def monitoring_demo(*, now: dt.datetime | None = None, per_unit: int = 80) -> DemoHistoryResult:
    created = generate(now=now, per_unit=per_unit)
    return DemoHistoryResult(dossiers=created, rebuild=rebuild(as_of=now))
