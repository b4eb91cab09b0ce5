# ruff: noqa: S311 — synthetic data, not cryptography
"""Realistic bulk dossier generator for load tests and benchmarks (issue 11).

`motcua demo_generate --dossiers N --years Y` spreads N dossiers over the last Y years
across every competent unit of the demo province and every published procedure, with the
distributions of the monitoring demo (motcua.monitoring.demo): per-unit quality drives the
online share, the late share, digitisation and payment flags; 8 % of dossiers had a
supplement request; 40 % of late ones were extended with an apology letter (Form 04,
Decree 61/2018 Art. 19); finished dossiers end refused / withdrawn / resolved / returned.

The rows are the ones the services write (Dossier, DossierStep, DossierComponent,
DossierPause, DossierEvent with the same actions and status transitions), written with
COPY (PostgreSQL) or executemany (SQLite) in chunks, each chunk in its own transaction,
so memory stays flat and a 10 M run can be interrupted and resumed (codes carry a run
prefix and a sequence number).
Monitoring aggregates are not touched: run `motcua monitoring_rebuild` afterwards.

The monitoring demo (a year of history per unit at `demo_load`, motcua.monitoring.demo)
plans its dossiers with the same `plan_dossier` and writes them with the same writer.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from motcua.dossiers.rulesets import ruleset_at

MARK = "generated"
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
# Form 04 (Decree 61/2018 Art. 19(9)): (reason kind, reason) of an apology + extension.
LATE_REASONS = (
    ("subjective", "Chuyên viên thụ lý chậm thẩm định hồ sơ."),
    ("subjective", "Chậm trình ký do lãnh đạo đi công tác, không ủy quyền."),
    ("objective", "Chờ kết quả xác minh của cơ quan phối hợp."),
    ("objective", "Hệ thống phần mềm chuyên ngành gián đoạn."),
)


@dataclass(frozen=True)
class GenerateResult:
    dossiers: int
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _citizens(count: int) -> list[int]:
    """Ids of `count` synthetic citizen accounts (created once, no usable password)."""
    from motcua.accounts.constants import AccountKind
    from motcua.accounts.models import User

    prefix = "sinh.congdan."
    have = User.objects.filter(username__startswith=prefix).count()
    if have < count:
        new = []
        for i in range(have, count):
            user = User(
                username=f"{prefix}{i:07d}",
                full_name="Công dân mẫu",
                kind=AccountKind.CITIZEN,
                personal_id=f"0990{i:08d}",  # synthetic range (province code 099 is unused)
            )
            user.password = "!"  # unusable (same as set_unusable_password, without hashing)
            new.append(user)
        User.objects.bulk_create(new, batch_size=5000)
    ids = list(
        User.objects.filter(username__startswith=prefix).order_by("pk").values_list("pk", flat=True)
    )
    return ids[:count]


class RawWriter:
    """Inserts rows given as {attname: value} dicts without building model instances:
    PostgreSQL COPY, SQLite executemany. Missing fields take the model default (auto_now
    fields: the current time). The ORM path (bulk_create) spends ~90 % of its time
    instantiating models and compiling SQL; this one is ~10x faster."""

    def __init__(self, connection: Any, now: dt.datetime) -> None:
        self.connection = connection
        self.vendor = connection.vendor
        self.now = now
        self.plans: dict[Any, tuple[str, list[Any]]] = {}

    def _plan(self, model: Any) -> tuple[str, list[Any]]:

        if model not in self.plans:
            fields = [f for f in model._meta.concrete_fields]
            self.plans[model] = (model._meta.db_table, fields)
        return self.plans[model]

    def _converter(self, field: Any) -> Callable[[Any], Any] | None:
        from django.db import models

        if isinstance(field, models.JSONField):
            return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
        if self.vendor != "sqlite":
            return None
        if isinstance(field, models.DateTimeField):
            utc = dt.UTC
            return lambda v: None if v is None else str(v.astimezone(utc).replace(tzinfo=None))
        if isinstance(field, models.DateField):
            return lambda v: None if v is None else v.isoformat()
        return None

    def ids(self, model: Any, count: int) -> list[int]:
        """Reserve `count` primary keys (call inside the chunk's transaction)."""
        table = model._meta.db_table
        with self.connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [r[0] for r in cur.fetchall()]
            # SQLite: the IMMEDIATE transaction holds the write lock, so MAX(id) is ours.
            cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
            start = int(cur.fetchone()[0]) + 1
            return list(range(start, start + count))

    def insert(self, model: Any, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        table, fields = self._plan(model)
        with_pk = model._meta.pk.attname in rows[0]
        fields = [f for f in fields if with_pk or not f.primary_key]
        defaults: dict[str, Any] = {}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = self.now
            elif not f.primary_key:
                defaults[f.attname] = f.get_default()
        cols = ", ".join(f'"{f.column}"' for f in fields)
        spec = [(f.attname, defaults.get(f.attname), self._converter(f)) for f in fields]
        values = [
            tuple(
                row.get(name, default) if conv is None else conv(row.get(name, default))
                for name, default, conv in spec
            )
            for row in rows
        ]
        with self.connection.cursor() as cur:
            if self.vendor == "postgresql":
                with cur.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for v in values:
                        copy.write_row(v)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', values)  # noqa: S608
        return len(values)


def _is_postgres_superuser() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cur.fetchone()
    return bool(row and row[0])


def unit_quality(code: str) -> float:
    """Deterministic quality in [0.10, 0.98]: a few units are weak, most are good. It
    drives a unit's online share, late share, digitisation, sync and payment flags
    (the demo map shows all four colour levels from these native facts)."""
    r = random.Random(f"quality:{code}").random()
    return 0.10 + 0.88 * (r**0.45)


def history_officers(units: list[Any]) -> dict[int, list[Any]]:
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


def working_moment(rng: random.Random, day: dt.date, tz: Any) -> dt.datetime:
    hour = rng.choice((7, 8, 9, 10, 13, 14, 15, 16))
    return dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=tz)


def add_working_days(start: dt.datetime, days: float) -> dt.datetime:
    """Approximate working-day arithmetic (weekends skipped) — enough for synthetic
    history; real deadlines come from motcua.workdays."""
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


@dataclass(frozen=True)
class Province:
    """What the history is spread over: competent units valid today, the latest published
    version of each procedure, the service centre and the history officers."""

    now: dt.datetime
    today: dt.date
    tz: Any
    units: list[Any]
    versions: list[Any]
    reception: Any
    officers: dict[int, list[Any]]
    # version pk → the fee a dossier of it pays (first positive fee rule), for the
    # payment requests of the history (Decision 766 3.5/3.6)
    fees: dict[int, int] = field(default_factory=dict)


def load_province(now: dt.datetime | None = None) -> Province | None:
    from motcua.catalog.constants import VersionStatus
    from motcua.catalog.models import ProcedureVersion
    from motcua.org.models import OrgUnit
    from motcua.org.selectors import unit_valid_on

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    units = list(
        OrgUnit.objects.filter(unit_valid_on(today), kind__in=COMPETENT_KINDS).order_by("code")
    )
    latest: dict[str, Any] = {}
    for v in (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("procedure")
        .order_by("procedure__code", "number")
    ):
        latest[v.procedure.code] = v
    if not units or not latest:
        return None
    from motcua.catalog.models import FeeRule

    fees: dict[int, int] = {}
    for version_id, amount in (
        FeeRule.objects.filter(version__in=list(latest.values()), amount__gt=0)
        .order_by("version_id", "pk")
        .values_list("version_id", "amount")
    ):
        fees.setdefault(version_id, amount)
    return Province(
        fees=fees,
        now=now,
        today=today,
        tz=timezone.get_current_timezone(),
        units=units,
        versions=list(latest.values()),
        reception=OrgUnit.objects.filter(unit_valid_on(today), kind="service_center")
        .order_by("code")
        .first(),
        officers=history_officers(units),
    )


@dataclass(frozen=True)
class Plan:
    """What the related rows of one planned dossier need beyond the dossier row."""

    late: bool
    due: dt.datetime
    end_at: dt.datetime | None
    fee: int
    paid_online: bool
    vneid: bool
    supplement: bool
    quality: float
    officer_id: int
    receiving_id: int
    unit_id: int
    draw: float


def plan_dossier(
    rng: random.Random,
    province: Province,
    *,
    unit: Any,
    version: Any,
    received: dt.datetime,
    applicant_id: int,
    code: str,
    number: int,
    mark: str,
) -> tuple[dict[str, Any], Plan]:
    """One dossier's row (as {attname: value}) and its plan, drawn from `rng`: the unit's
    quality decides online / late / paid / synced; 8 % had a supplement request; 40 %
    of late ones were extended with an apology letter (Form 04); finished dossiers end
    refused / withdrawn / resolved / returned."""
    now = province.now
    q = unit_quality(unit.code)
    if received > now:
        received = now - dt.timedelta(hours=1)
    days = float(version.processing_time_value or 5) or 5.0
    due = add_working_days(received, days)
    online = rng.random() < 0.15 + 0.6 * q
    late = rng.random() > q
    supplement = rng.random() < 0.08
    if late:
        end = add_working_days(due, rng.uniform(0.5, 8))
    else:
        end = received + (due - received) * rng.uniform(0.3, 0.97)
    if supplement:
        end += dt.timedelta(days=2)
    end_at: dt.datetime | None = end
    if end > now or (due > now and rng.random() < 0.5):
        status = "supplement_requested" if supplement and rng.random() < 0.5 else "in_process"
        end_at = None
    else:
        r = rng.random()
        status = (
            "refused"
            if r < 0.02
            else "withdrawn"
            if r < 0.03
            else "resolved"
            if r < 0.10
            else "result_returned"
        )
    extension = rng.choice(LATE_REASONS) if late and rng.random() < 0.4 else None
    extended_at = due - dt.timedelta(days=1)
    if supplement:
        # An extension is decided while the dossier is being processed, never during a
        # supplement pause (asked at 30 % of the time, answered 2 days on).
        asked = received + (due - received) * 0.3
        if asked <= extended_at:
            extended_at = max(extended_at, asked + dt.timedelta(days=2, hours=1))
            if status == "supplement_requested" or (end_at is not None and extended_at >= end_at):
                extended_at = asked - dt.timedelta(hours=1)
    officer = rng.choice(province.officers[unit.pk])
    reception = province.reception
    receiving = reception if (unit.kind == "department" and reception) else unit
    paid = online and rng.random() < q
    row = dict(
        code=code,
        procedure_version_id=version.pk,
        applicant_id=applicant_id,
        channel="2" if online else "1",
        receiving_unit_id=receiving.pk,
        competent_unit_id=unit.pk,
        # native facts only (issue 19): the payment request, the VNeID flag and the
        # result files below; the sync to the national portal is the outbox's
        form_answers={mark: True},
        status=status,
        status_reason=extension[1] if extension else "",
        assignee_id=officer.pk,
        submitted_at=received,
        received_at=received,
        rule_set=ruleset_at(received).name,  # R1: the set in force at reception
        due_at=(add_working_days(due, 3) if extension else due),
        original_due_at=due,
        extended_at=extended_at if extension else None,
        due_before_extension=due if extension else None,
        extension_reason=extension[1] if extension else "",
        extension_reason_kind=extension[0] if extension else "",
        supplement_count=1 if supplement else 0,
        completed_at=end_at,
        returned_at=(
            end_at + dt.timedelta(hours=rng.randint(1, 48))
            if status == "result_returned" and end_at
            else None
        ),
        return_channel="online" if status == "result_returned" and online else "",
        result_number=f"{number}/KQ"
        if end_at and status in ("resolved", "result_returned")
        else "",
        result_files=[{"name": "ket-qua.pdf"}]
        if end_at is not None and rng.random() < q * 0.9
        else [],
    )
    plan = Plan(
        late=late,
        due=due,
        end_at=end_at,
        fee=province.fees.get(version.pk, 0),
        paid_online=paid,
        vneid=online and rng.random() < q,
        supplement=supplement,
        quality=q,
        officer_id=officer.pk,
        receiving_id=receiving.pk,
        unit_id=unit.pk,
        draw=rng.random(),
    )
    return row, plan


def _related_rows(
    d: dict[str, Any], p: Plan
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any] | None, list[dict[str, Any]]]:
    """Steps, component, pause and events of one dossier, as the services write them."""
    from motcua.org.constants import Role

    rcv = d["received_at"]
    due, fin, pk = p.due, p.end_at, d["id"]
    span = due - rcv
    if fin is not None:
        appraisal_done = rcv + span * 0.7 + (fin - due) if p.late else rcv + (fin - rcv) * 0.7
        approval_done = rcv + (fin - rcv) * 0.9
    else:
        appraisal_done = approval_done = None
    steps = [
        dict(
            dossier_id=pk,
            order=1,
            name="Tiếp nhận hồ sơ",
            unit_id=p.receiving_id,
            role=Role.RECEPTIONIST,
            status="done",
            started_at=rcv,
            due_at=rcv + dt.timedelta(hours=4),
            completed_at=rcv,
        ),
        dict(
            dossier_id=pk,
            order=2,
            name="Thẩm định",
            unit_id=p.unit_id,
            role=Role.SPECIALIST,
            assignee_id=p.officer_id,
            status="done" if appraisal_done else "active",
            started_at=rcv,
            due_at=rcv + span * 0.7,
            completed_at=appraisal_done,
        ),
        dict(
            dossier_id=pk,
            order=3,
            name="Phê duyệt",
            unit_id=p.unit_id,
            role=Role.LEADER,
            status="done" if approval_done else "pending",
            due_at=rcv + span * 0.9,
            completed_at=approval_done,
        ),
    ]
    component = dict(
        dossier_id=pk,
        name="Tờ khai",
        digitized=p.draw < p.quality,
        reused=p.draw < p.quality * 0.5,
        from_warehouse=p.draw < p.quality * 0.3,
    )
    online = d["channel"] == "2"

    def event(at: dt.datetime, action: str, before: str, after: str, unit: int, **more: Any):  # type: ignore[no-untyped-def]
        return dict(
            dossier_id=pk,
            at=at,
            action=action,
            from_status=before,
            to_status=after,
            unit_id=unit,
            **more,
        )

    events = [
        event(
            rcv,
            "submit_online" if online else "create_at_counter",
            "",
            "submitted" if online else "received",
            p.receiving_id,
        )
    ]
    if online:
        events.append(event(rcv, "receive", "submitted", "received", p.receiving_id))
    events.append(event(rcv + dt.timedelta(hours=1), "assign", "received", "in_process", p.unit_id))
    pause = None
    if p.supplement:
        asked = rcv + span * 0.3
        ended = asked + dt.timedelta(days=2) if d["status"] != "supplement_requested" else None
        pause = dict(
            dossier_id=pk,
            kind="supplement",
            started_at=asked,
            ended_at=ended,
            reason="Bổ sung bản sao giấy tờ tùy thân.",
        )
        events.append(
            event(asked, "request_supplement", "in_process", "supplement_requested", p.unit_id)
        )
        if ended:
            events.append(
                event(ended, "supplement_provided", "supplement_requested", "in_process", p.unit_id)
            )
    if d["extended_at"] is not None:
        events.append(
            event(
                d["extended_at"],
                "extend_with_apology",
                "in_process",
                "in_process",
                p.unit_id,
                reason=d["extension_reason"],
                payload={"form": "04", "reason_kind": d["extension_reason_kind"]},
            )
        )
    if fin is not None:
        final = {"refused": "refuse_after_appraisal", "withdrawn": "withdraw"}.get(
            d["status"], "issue_result"
        )
        to = d["status"] if d["status"] in ("refused", "withdrawn") else "resolved"
        before = "approved" if final == "issue_result" else "in_process"
        events.append(event(fin, final, before, to, p.unit_id))
    if d["returned_at"] is not None:
        events.append(
            event(d["returned_at"], "return_result", "resolved", "result_returned", p.receiving_id)
        )
    return steps, component, pause, events


def write_dossiers(writer: RawWriter, batch: list[dict[str, Any]], plans: list[Plan]) -> int:
    """Insert planned dossiers and their related rows (call inside a transaction);
    returns the number of rows written."""
    from motcua.dossiers.models import (
        Dossier,
        DossierComponent,
        DossierEvent,
        DossierPause,
        DossierStep,
    )
    from motcua.integrations.models import DossierIdentityFlag
    from motcua.payments.models import PaymentRequest

    for row, pk in zip(batch, writer.ids(Dossier, len(batch)), strict=True):
        row["id"] = pk
    writer.insert(Dossier, batch)
    steps: list[dict[str, Any]] = []
    components: list[dict[str, Any]] = []
    pauses: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for d, p in zip(batch, plans, strict=True):
        s, c, pause, e = _related_rows(d, p)
        steps += s
        components.append(c)
        if pause is not None:
            pauses.append(pause)
            if pause["ended_at"] is not None:
                # The applicant's reply adds the requested paper (what the gaming
                # detector `pause_only_supplement` checks, law.md R28b).
                components.append(
                    dict(
                        dossier_id=d["id"],
                        name="Bản sao giấy tờ tùy thân",
                        supplemented=True,
                        digitized=c["digitized"],
                    )
                )
        events += e
    writer.insert(DossierStep, steps)
    writer.insert(DossierComponent, components)
    writer.insert(DossierPause, pauses)
    writer.insert(DossierEvent, events)
    payments, flags = _native_rows(batch, plans)
    writer.insert(PaymentRequest, payments)
    writer.insert(DossierIdentityFlag, flags)
    return (
        len(batch)
        + len(steps)
        + len(components)
        + len(pauses)
        + len(events)
        + len(payments)
        + len(flags)
    )


def _native_rows(
    batch: list[dict[str, Any]], plans: list[Plan]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The payment requests (fee-bearing procedures: paid through the provincial
    gateway when the plan says online, else at the counter) and the VNeID identity
    flags of online submissions — the facts the live services record (Decision 766
    3.5/3.6 and 4.5)."""
    from motcua.payments.constants import OnlineFlag, RequestKind, RequestStatus

    payments: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    for d, p in zip(batch, plans, strict=True):
        if d["channel"] == "2":
            flags.append(
                dict(dossier_id=d["id"], vneid_authenticated=p.vneid, recorded_at=d["received_at"])
            )
        if p.fee <= 0:
            continue
        paid_at = d["received_at"] + dt.timedelta(minutes=20)
        payments.append(
            dict(
                dossier_id=d["id"],
                collecting_unit_id=p.receiving_id,
                kind=RequestKind.FEE,
                reference=f"LS{d['id']:012d}",
                description="Phí, lệ phí theo thủ tục",
                amount=p.fee,
                paid_amount=p.fee,
                status=RequestStatus.PAID,
                online_flag=OnlineFlag.PROVINCIAL if p.paid_online else OnlineFlag.NO,
                paid_at=paid_at,
                created_at=d["received_at"],
                updated_at=paid_at,
            )
        )
    return payments, flags


def generate(
    *,
    dossiers: int,
    years: float = 1.0,
    seed: int = 2026,
    now: dt.datetime | None = None,
    chunk: int = 5000,
    progress: Callable[[int, int], None] | None = None,
    check_foreign_keys: bool = False,
) -> GenerateResult:
    """Generate `dossiers` dossiers received over the last `years` years.

    On PostgreSQL as a superuser the chunks run with `session_replication_role = replica`
    unless `check_foreign_keys`: the deferred foreign-key triggers (about 20 per dossier,
    all fired at COMMIT) are what bounds a bulk load — measured 1,400 dossiers/s with them,
    PostgreSQL at 100 % CPU and the generator idle. Every id written here was read from
    the same database a moment before (units, versions, officers, citizens) or reserved
    from its sequence, so the references hold by construction (the same reasoning as
    `pg_restore --disable-triggers`)."""
    started = time.perf_counter()
    province = load_province(now)
    if province is None:
        raise ValueError("Chưa có đơn vị hoặc thủ tục: chạy demo_load và catalog_load_demo trước.")
    now, units, versions = province.now, province.units, province.versions
    writer = RawWriter(connection, timezone.now())
    citizens = _citizens(max(20, min(dossiers // 20, 200_000)))
    rng = random.Random(seed)
    # Bigger units receive more: a Zipf-like weight per unit; each unit handles 3-8 procedures.
    weights = [1.0 / (1 + (i % 17)) ** 0.7 for i in range(len(units))]
    unit_procs = {
        u.pk: random.Random(f"{seed}:{u.code}").sample(versions, k=min(len(versions), 3 + i % 6))
        for i, u in enumerate(units)
    }
    run_tag = f"{int(now.timestamp()) % 1_000_000:06d}"
    span_days = max(1, int(365 * years))
    # SET LOCAL lasts until the outermost transaction ends: inside a caller's atomic block
    # (tests, scripts) it would outlive the chunk, so the triggers stay on there.
    skip_triggers = (
        not check_foreign_keys and not connection.in_atomic_block and _is_postgres_superuser()
    )
    total = rows = 0
    while total < dossiers:
        size = min(chunk, dossiers - total)
        batch: list[dict[str, Any]] = []
        plans: list[Plan] = []
        for unit in rng.choices(units, weights=weights, k=size):
            total += 1
            version = rng.choice(unit_procs[unit.pk])
            day = province.today - dt.timedelta(days=int(span_days * rng.random() ** 0.9))
            while day.weekday() >= 5:
                day -= dt.timedelta(days=1)
            received = working_moment(rng, day, province.tz)
            row, plan = plan_dossier(
                rng,
                province,
                unit=unit,
                version=version,
                received=received,
                applicant_id=rng.choice(citizens),
                code=f"{unit.code}-{received:%y%m%d}-G{run_tag}{total:08d}",
                number=total,
                mark=MARK,
            )
            batch.append(row)
            plans.append(plan)
        with transaction.atomic():
            if skip_triggers:
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL session_replication_role = replica")
            rows += write_dossiers(writer, batch, plans)
        if progress is not None:
            progress(total, dossiers)
    return GenerateResult(dossiers=total, rows=rows, seconds=time.perf_counter() - started)
