"""Event → aggregate updater and the full rebuild (issue 9, point 3; design.md §3).

Every dossier contributes the counters of `indicators.dossier_counters` to ONE
UnitDayStats row: (competent unit, procedure code, local reception day). Its last
contribution is kept in `DossierContribution`, so that on every transition the updater
applies the exact delta (new − old) — idempotent: refreshing twice changes nothing.

Attribution: the **competent unit** (cơ quan giải quyết), because Decision 766 rates
the body that settles the procedure and the province ranks departments and communes,
not the reception counter (a PAS centre receives for many departments).

Judgement instant (`indicators.judging_instant`): a dossier is judged as it stood at
the end of the last day of its reception month (Asia/Ho_Chi_Minh), or at the refresh
time while that month is still running; statuses, supplements and pauses after that
instant never change its 2.1 judgement, so a closed month's figures are the same
whenever they are computed. While the month runs, an open dossier's judgement changes
only when the refresh time passes its deadline (`flips_at`), which the deadline sweep
(`contributions_sweep`, every 15 min) re-judges. `rebuild()` judges every dossier at
one instant, so after a sweep live rows == rebuilt rows (tested).

Native facts (issue 19): synced = a delivered DongBoHoSoMC outbox message
(integrations); paid online = a paid PaymentRequest with an online channel
(DuocThanhToanTrucTuyen 1/2); population data = DossierIdentityFlag authenticated
with VNeID; electronic result = a result file or a (not revoked) issued document of
the dossier. `form_answers["_sync"]` only adds the same facts for imported history.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.monitoring.catalogue_state import catalogue_spans_write, version_flags
from motcua.monitoring.feedback_feed import dossier_dissatisfaction, feedback_rows_rebuild
from motcua.monitoring.indicators import (
    CATALOGUE_SETS,
    CHANNEL_IN_PERSON,
    CHANNEL_ONLINE,
    CHANNEL_POSTAL,
    EARLY,
    INT_FIELDS,
    LATE,
    ON_TIME,
    DossierFacts,
    dossier_counters,
    judging_instant,
    month_end,
    on_time_766,
    on_time_d61,
)
from motcua.monitoring.models import DossierContribution, UnitDayStats, UnitMonthStats

logger = logging.getLogger(__name__)

CHANNELS = {"1": CHANNEL_IN_PERSON, "2": CHANNEL_ONLINE, "3": CHANNEL_POSTAL}
# Statuses (dossiers.constants.DossierStatus values) in which processing has ended.
FINISHED = frozenset({"resolved", "result_returned"})  # "Đã xử lý xong" / "Đã trả kết quả"
# dừng xử lý / từ chối / rút; Decree 118/2025: stopped by the applicant (Art. 21),
# closed for a missing supplement (Art. 19(5)).
CLOSED = frozenset({"refused", "withdrawn", "stopped", "closed_unsupplemented"})
# Keys of Dossier.form_answers["_sync"]: national-sync facts that no native app records
# yet (the integrations app will); filled by `dossier_import` for legacy dossiers
# (DongBoHoSoMC, DuocThanhToanTrucTuyen, ...) and by the demo history.
SYNC_KEYS = ("synced", "fee_data_synced", "paid_online", "population_data")


@dataclass(frozen=True)
class NativeFacts:
    """What Motcua itself recorded about a dossier (loaded by `native_facts`)."""

    synced: bool = False  # a DongBoHoSoMC message delivered to the national portal
    fee_data: bool = False  # a payment request with an amount (fee data synced with it)
    paid_online: bool = False  # paid through an online channel
    vneid: bool = False  # the applicant's account was VNeID-authenticated
    issued_result: bool = False  # an issued (not revoked) electronic result document


Key = tuple[int, str, dt.date]


def _local_day(moment: dt.datetime, tz: dt.tzinfo | None = None) -> dt.date:
    return moment.astimezone(tz or timezone.get_current_timezone()).date()


def _timing(done: dt.datetime, due: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """Early / on time / late by calendar day (local time). Circular 01/2018 Art. 13(1)
    scores the processing time as shorter / equal / longer than the legal limit without
    saying how to compare; the calendar day is this project's reading (law.md §1.15)."""
    a, b = _local_day(done, tz), _local_day(due, tz)
    return EARLY if a < b else (ON_TIME if a == b else LATE)


@dataclass
class DossierRow:
    """The dossier fields monitoring reads, with its pauses, components and steps as
    plain tuples (the rebuild loads them with `values()`, without model instances)."""

    pk: int
    status: str
    channel: str
    competent_unit_id: int
    procedure_code: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    extended_at: dt.datetime | None
    due_before_extension: dt.datetime | None
    completed_at: dt.datetime | None
    returned_at: dt.datetime | None
    supplement_count: int
    return_channel: str
    form_answers: Any
    result_files: Any
    fee_bearing: bool = False
    certified_copy: bool = False
    code: str | None = None
    native: NativeFacts = field(default_factory=NativeFacts)
    # (kind, started_at, ended_at)
    pauses: list[tuple[str, dt.datetime, dt.datetime | None]] = field(default_factory=list)
    # (digitized or has a file, reused, from_warehouse)
    components: list[tuple[bool, bool, bool]] = field(default_factory=list)
    # (due_at, completed_at)
    steps: list[tuple[dt.datetime | None, dt.datetime | None]] = field(default_factory=list)


ROW_FIELDS = (
    "pk",
    "status",
    "channel",
    "competent_unit_id",
    "received_at",
    "due_at",
    "original_due_at",
    "extended_at",
    "due_before_extension",
    "completed_at",
    "returned_at",
    "supplement_count",
    "return_channel",
    "form_answers",
    "result_files",
    "code",
)


def native_facts(dossier_ids: list[int], codes: Mapping[int, str | None]) -> dict[int, NativeFacts]:
    """NativeFacts of the given dossiers (`codes`: dossier id → MaHoSo) in four queries."""
    from motcua.documents.models import IssuedDocument
    from motcua.integrations.models import DossierIdentityFlag, OutboxMessage, OutboxStatus, Service
    from motcua.payments.constants import OnlineFlag
    from motcua.payments.models import PaymentRequest

    synced = set(
        OutboxMessage.objects.filter(
            dossier_id__in=dossier_ids, service=Service.DOSSIER, status=OutboxStatus.DELIVERED
        ).values_list("dossier_id", flat=True)
    )
    fee_data: set[int] = set()
    paid: set[int] = set()
    for pk, amount, paid_at, flag in PaymentRequest.objects.filter(
        dossier_id__in=dossier_ids
    ).values_list("dossier_id", "amount", "paid_at", "online_flag"):
        if amount > 0:
            fee_data.add(pk)
        if paid_at is not None and flag in (OnlineFlag.NATIONAL, OnlineFlag.PROVINCIAL):
            paid.add(pk)
    vneid = set(
        DossierIdentityFlag.objects.filter(
            dossier_id__in=dossier_ids, vneid_authenticated=True
        ).values_list("dossier_id", flat=True)
    )
    by_code = {c: pk for pk, c in codes.items() if c}
    issued = {
        by_code[c]
        for c in IssuedDocument.objects.filter(
            dossier_code__in=list(by_code), revoked_at__isnull=True
        ).values_list("dossier_code", flat=True)
    }
    return {
        pk: NativeFacts(
            synced=pk in synced,
            fee_data=pk in fee_data,
            paid_online=pk in paid,
            vneid=pk in vneid,
            issued_result=pk in issued,
        )
        for pk in dossier_ids
    }


def load_rows(
    dossier_ids: list[int], fee_bearing: set[str], certified_copy: set[str] | None = None
) -> list[DossierRow]:
    """DossierRows of the given dossiers in nine queries."""
    from motcua.dossiers.models import Dossier, DossierComponent, DossierPause, DossierStep

    rows = {
        v["pk"]: DossierRow(
            procedure_code=v.pop("procedure_version__procedure__code"),
            **v,
        )
        for v in Dossier.objects.filter(pk__in=dossier_ids).values(
            *ROW_FIELDS, "procedure_version__procedure__code"
        )
    }
    native = native_facts(list(rows), {pk: r.code for pk, r in rows.items()})
    for row in rows.values():
        row.fee_bearing = row.procedure_code in fee_bearing
        row.certified_copy = row.procedure_code in (certified_copy or set())
        row.native = native[row.pk]
    for p in (
        DossierPause.objects.filter(dossier_id__in=dossier_ids)
        .order_by("started_at", "pk")
        .values_list("dossier_id", "kind", "started_at", "ended_at")
    ):
        rows[p[0]].pauses.append((p[1], p[2], p[3]))
    for c in (
        DossierComponent.objects.filter(dossier_id__in=dossier_ids)
        .order_by("pk")
        .values_list("dossier_id", "digitized", "reused", "from_warehouse", "files")
    ):
        # 4.2 (1) "has attachment(s) in components": a file uploaded online is the
        # digitised component as much as a scan made at the counter
        rows[c[0]].components.append((c[1] or bool(c[4]), c[2], c[3]))
    for st in (
        DossierStep.objects.filter(dossier_id__in=dossier_ids)
        .order_by("order", "pk")
        .values_list("dossier_id", "due_at", "completed_at")
    ):
        rows[st[0]].steps.append((st[1], st[2]))
    return [rows[pk] for pk in dossier_ids if pk in rows]


def _local(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    # = timezone.localtime(moment), without looking the current zone up each time (the
    # rebuild calls this millions of times; the look-up was most of its cost)
    return moment.astimezone(tz) if moment is not None else None


def facts_of(
    d: DossierRow,
    tz: dt.tzinfo | None = None,
    as_of: dt.datetime | None = None,
    period_end: dt.datetime | None = None,
) -> DossierFacts | None:
    """Monitoring facts of a dossier; None for dossiers that were never received
    (they are not counted, as in 2.1). Times in `tz` (default: the current zone).
    Supplements are taken as they stood at the judging instant
    (`indicators.judging_instant(received_at, as_of, period_end)`; default as_of: now,
    period_end: the reception month's end)."""
    if d.received_at is None:
        return None
    tz = tz or timezone.get_current_timezone()
    judged = judging_instant(d.received_at.astimezone(tz), as_of or timezone.now(), period_end)
    status = d.status
    finished_at = d.completed_at if status in FINISHED else None
    closed_at = d.completed_at if status in CLOSED else None
    returned_at = d.returned_at if status == "result_returned" else None
    pending = None
    paused = 0
    later_requests = 0
    for kind, started, ended in d.pauses:
        if kind != "supplement":
            continue
        if started > judged:
            later_requests += 1  # requested after the judging instant: not yet
        elif ended is None:
            if status == "supplement_requested":
                pending = started
        elif ended > judged:
            pending = started  # still awaited at the judging instant
        else:
            paused += max(0, int((ended - started).total_seconds()))
    sync = d.form_answers.get("_sync", {}) if isinstance(d.form_answers, dict) else {}
    sync = sync if isinstance(sync, dict) else {}
    n = d.native
    synced = n.synced or bool(sync.get("synced"))
    e_result = bool(d.result_files) or n.issued_result
    done = finished_at or returned_at
    timings = tuple(_timing(c, due, tz) for due, c in d.steps if due is not None and c is not None)
    # 766 compares with the first appointment (not recounted, not extended: the
    # extension with apology still counts as late, Decree 61 Art. 19(9)); Decree 61
    # Art. 19(4) recounts after the supplement, so its due date is the current one
    # before any extension.
    due_766 = _local(d.original_due_at or d.due_at, tz)
    due_d61 = _local(d.due_before_extension if d.extended_at is not None else d.due_at, tz)
    # Local time throughout: the pure rules compare calendar days (reception day,
    # Circular 01 Art. 13(1) early/on time/late by day).
    return DossierFacts(
        procedure_code=d.procedure_code,
        received_at=d.received_at.astimezone(tz),
        channel=CHANNELS.get(d.channel, CHANNEL_IN_PERSON),
        due_at=due_766,
        due_at_recounted=due_d61,
        finished_at=_local(finished_at, tz),
        returned_at=_local(returned_at, tz),
        closed_at=_local(closed_at, tz),
        supplement_count=max(0, d.supplement_count - later_requests),
        supplement_pending_since=_local(pending, tz),
        supplement_paused_seconds=paused,
        synced=synced,
        paper_result=True,
        e_result=e_result,
        fee_bearing=d.fee_bearing,
        fee_data_synced=synced and (n.fee_data or bool(sync.get("fee_data_synced"))),
        paid_online=n.paid_online or bool(sync.get("paid_online")),
        digitised_components=bool(d.components) and all(c[0] for c in d.components),
        digitised_result=e_result,
        reused_data=any(c[1] for c in d.components),
        warehouse_linked=any(c[2] for c in d.components) or d.return_channel == "warehouse",
        population_data=n.vneid or bool(sync.get("population_data")),
        certified_copy=d.certified_copy,
        certified_copy_electronic=d.certified_copy and e_result,
        bodies_timing=timings or None,
        contacts_to_complete=d.supplement_count if done is not None else None,
    )


def flips_at(facts: DossierFacts, as_of: dt.datetime) -> dt.datetime | None:
    """The next instant after `as_of` at which the judgement of an open dossier
    changes (it passes its deadline), or None if it cannot change without an event.
    After the judging instant nothing changes it: only deadlines before it count."""
    judged = month_end(facts.received_at)
    if as_of >= judged:
        return None
    if facts.finished_at or facts.returned_at or facts.closed_at:
        return None
    if facts.supplement_pending_since is not None:
        return None
    candidates = []
    if facts.due_at is not None and facts.supplement_count <= 1:
        candidates.append(facts.due_at + dt.timedelta(seconds=facts.supplement_paused_seconds))
    recounted = facts.due_at_recounted or facts.due_at
    if recounted is not None:
        candidates.append(recounted)
    future = [c for c in candidates if as_of <= c < judged]
    return min(future) + dt.timedelta(microseconds=1) if future else None


def roll_forward_map() -> dict[int, int]:
    """source unit id → target unit id, following chains (A → B → C gives A → C): the
    units whose records passed to a successor by today (org successions that carry
    records: a Quảng Nam commune → the Đà Nẵng ward it merged into, a district office →
    the commune at the former district seat; law.md R31, §10.3) and the administrators'
    explicit roll-forwards, which win over a succession."""
    from motcua.monitoring.models import RollForward
    from motcua.org.selectors import records_successor_map

    direct = records_successor_map()
    direct.update(RollForward.objects.values_list("source_id", "target_id"))
    out = {}
    for source in direct:
        target, seen = direct[source], {source}
        while target in direct and target not in seen:
            seen.add(target)
            target = direct[target]
        out[source] = target
    return out


@dataclass(frozen=True)
class Contribution:
    unit_id: int
    procedure_code: str
    day: dt.date
    counters: dict[str, int]
    on_time_766: bool
    on_time_d61: bool
    flips_at: dt.datetime | None

    @property
    def key(self) -> Key:
        return (self.unit_id, self.procedure_code, self.day)


def contribution_of(
    d: DossierRow,
    as_of: dt.datetime,
    units: Mapping[int, int] | None = None,
    dissatisfied: Mapping[int, tuple[bool, bool]] | None = None,
    tz: dt.tzinfo | None = None,
) -> Contribution | None:
    """The dossier's row key and counters; `units` maps rolled-forward units;
    `dissatisfied` (feedback_feed.dossier_dissatisfaction) the dossiers rated
    "Chưa hài lòng" or with feedback about them (5.4, law.md §8.5)."""
    facts = facts_of(d, tz, as_of)
    if facts is None:
        return None
    if dissatisfied and d.pk in dissatisfied:
        rated, complaint = dissatisfied[d.pk]
        facts = dataclasses.replace(facts, rated_unsatisfied=rated, complaint=complaint)
    counters = {k: v for k, v in dossier_counters(facts, as_of).items() if v}
    return Contribution(
        unit_id=(units or {}).get(d.competent_unit_id, d.competent_unit_id),
        procedure_code=facts.procedure_code,
        day=facts.received_at.date(),  # facts are in local time
        counters=counters,
        on_time_766=on_time_766(facts, as_of),
        on_time_d61=on_time_d61(facts, as_of),
        flips_at=flips_at(facts, as_of),
    )


# --- catalogue flags ---------------------------------------------------------------


def catalogue_flags(codes: Iterable[str]) -> dict[str, dict[str, int]]:
    """Catalogue state (`cat_*` values) of procedures, from their latest published
    version (`catalogue_state.version_flags`): competence, online service level, fees,
    subjects, publication. The scores read the effective-dated per-unit state
    (`catalogue_state`); this is the fee-bearing source of the dossier counters."""
    from motcua.catalog.constants import VersionStatus
    from motcua.catalog.models import ProcedureVersion

    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    versions = ProcedureVersion.objects.filter(
        procedure__code__in=codes, status=VersionStatus.PUBLISHED
    )
    # ordered by (code, number): the latest number wins
    return {code: flags for _pk, code, _number, flags in version_flags(versions)}


def certified_copy_codes(codes: Iterable[str]) -> set[str]:
    """Procedures classified in the catalogue as certification of copies from
    originals (indicator 4.2b, ELECTRONIC_CERTIFIED_COPY)."""
    from motcua.catalog.constants import VersionStatus
    from motcua.catalog.models import ProcedureVersion

    latest: dict[str, bool] = {}
    for code, flag in (
        ProcedureVersion.objects.filter(
            procedure__code__in=sorted(set(codes)), status=VersionStatus.PUBLISHED
        )
        .order_by("procedure__code", "number")
        .values_list("procedure__code", "certified_copy_service")
    ):
        latest[code] = flag
    return {c for c, flag in latest.items() if flag}


# Decision 766 1.1/1.2 (law.md §4.4, province case): announced on time when the
# announcement decision is dated ≥ 5 working days before the legal basis takes effect;
# published on time when the national-database "publish" is ≤ 5 working days after it.
ANNOUNCE_LEAD_WORKING_DAYS = 5
PUBLISH_WITHIN_WORKING_DAYS = 5
ANNOUNCEMENT_FLAGS = (
    "cat_announced",
    "cat_announced_late",
    "cat_publish_due",
    "cat_published_late",
)


def announcement_rows(
    codes: Iterable[str] | None = None, today: dt.date | None = None
) -> dict[Key, dict[str, int]]:
    """The 1.1/1.2 flags of the catalogue, on the row of each competent unit of the
    procedure: `cat_announced` (+ `_late`) on the day of the announcement decision,
    `cat_publish_due` (+ `cat_published_late`) on the day the publication was due
    (announcement + 5 working days). Every announced version counts (new, amended,
    abolished procedures); a procedure not yet published is late once its due day has
    passed. Rows of units rolled forward go to their successor."""
    from motcua.catalog.models import Competence, ProcedureVersion
    from motcua.workdays.calendar import CalendarError
    from motcua.workdays.selectors import get_calendar

    today = today or timezone.localdate()
    versions = ProcedureVersion.objects.filter(announced_on__isnull=False)
    if codes is not None:
        versions = versions.filter(procedure__code__in=sorted(set(codes)))
    items = list(
        versions.values_list(
            "procedure_id",
            "procedure__code",
            "announced_on",
            "effective_from",
            "national_published_on",
        )
    )
    if not items:
        return {}
    units_of: dict[int, set[int]] = defaultdict(set)
    forward = roll_forward_map()
    for procedure_id, unit_id in Competence.objects.filter(
        procedure_id__in={i[0] for i in items}, is_competent=True
    ).values_list("procedure_id", "unit_id"):
        units_of[procedure_id].add(forward.get(unit_id, unit_id))
    calendar = get_calendar()
    out: dict[Key, dict[str, int]] = {}

    def put(unit_id: int, code: str, day: dt.date, flags: dict[str, int]) -> None:
        row = out.setdefault((unit_id, code, day), {})
        for name, value in flags.items():
            row[name] = max(row.get(name, 0), value)

    for procedure_id, code, announced_on, effective, published in items:
        announced: dt.date = announced_on or dt.date.min  # filtered: never None
        try:
            # on time: announced ≤ effective − 5 working days (the 5th before it)
            late = effective is not None and (
                effective <= announced
                or calendar.working_days_between(announced + dt.timedelta(days=1), effective)
                < ANNOUNCE_LEAD_WORKING_DAYS
            )
            due = calendar.next_working_day(announced, PUBLISH_WITHIN_WORKING_DAYS)
        except CalendarError:  # outside the calendar's years: weeks of five working days
            late = effective is not None and (effective - announced).days < 7
            due = announced + dt.timedelta(days=7)
        published_late = published > due if published is not None else due < today
        for unit_id in units_of.get(procedure_id, ()):
            put(unit_id, code, announced, {"cat_announced": 1, "cat_announced_late": int(late)})
            put(
                unit_id,
                code,
                due,
                {"cat_publish_due": 1, "cat_published_late": int(published_late)},
            )
    return out


def announcement_rows_write(codes: Iterable[str] | None = None) -> int:
    """Write the 1.1/1.2 flags (`announcement_rows`) into the day rows — replacing those
    of `codes` (all procedures when None) — and refresh the months they touch."""
    from motcua.monitoring.services import month_stats_refresh

    wanted = announcement_rows(codes)
    stale = UnitDayStats.objects.filter(Q(cat_announced=1) | Q(cat_publish_due=1))
    if codes is not None:
        stale = stale.filter(procedure_code__in=sorted(set(codes)))
    touched: set[Key] = set(wanted)
    for unit_id, code, day in stale.values_list("unit_id", "procedure_code", "day"):
        touched.add((unit_id, code, day))
    stale.update(**{name: 0 for name in ANNOUNCEMENT_FLAGS})
    for (unit_id, code, day), flags in wanted.items():
        row, _ = UnitDayStats.objects.get_or_create(unit_id=unit_id, procedure_code=code, day=day)
        UnitDayStats.objects.filter(pk=row.pk).update(**flags)
    # one refresh per month row (the announcement and its publication due day often
    # fall in the same month)
    for unit_id, code, month in {(u, c, d.replace(day=1)) for u, c, d in touched}:
        month_stats_refresh(unit=unit_id, procedure_code=code, day=month)
    return len(wanted)


_deferred_codes: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "monitoring_deferred_announcement_codes", default=None
)


@contextlib.contextmanager
def announcements_deferred() -> Iterator[None]:
    """Inside the block, saving catalogue versions only notes their procedures; the 1.1/
    1.2 rows are written once on leaving it (a catalogue import saves each version
    several times: publishing, announcing, competence — the demo's 25 procedures made
    150 refreshes over every competent commune)."""
    if _deferred_codes.get() is not None:  # nested: the outer block writes
        yield
        return
    codes: set[str] = set()
    token = _deferred_codes.set(codes)
    try:
        yield
    finally:
        _deferred_codes.reset(token)
    if codes:
        with transaction.atomic():
            announcement_rows_write(sorted(codes))


def on_procedure_version_saved(
    sender: Any, instance: Any, raw: bool = False, **kwargs: Any
) -> None:
    """post_save receiver of catalogue versions: their announcement/publication dates
    feed 1.1/1.2 at once (in a savepoint; `monitoring_rebuild` repairs a failure)."""
    if raw:
        return
    code = instance.procedure.code
    deferred = _deferred_codes.get()
    if deferred is not None:
        deferred.add(code)
        return
    try:
        with transaction.atomic():
            announcement_rows_write([code])
    except Exception:  # pragma: no cover - defensive
        logger.exception("monitoring: could not refresh the announcement rows of %s", code)


def _fee_bearing(codes: Iterable[str]) -> set[str]:
    return {c for c, f in catalogue_flags(codes).items() if f.get("cat_fee_bearing")}


# --- live updater ------------------------------------------------------------------


def _apply(key: Key, delta: Mapping[str, int]) -> None:
    """Add a dossier's counter delta to its day row (the catalogue state is not on
    dossier rows: `catalogue_state` spans, independent of dossiers)."""
    unit_id, code, day = key
    changes = {k: v for k, v in delta.items() if v}
    if not changes:
        return
    from motcua.monitoring.services import day_stats_apply, month_stats_refresh

    day_stats_apply(
        unit=unit_id,
        procedure_code=code,
        day=day,
        delta=changes,
        refresh_month=False,
    )
    if any(v < 0 for v in changes.values()):
        row = UnitDayStats.objects.filter(unit_id=unit_id, procedure_code=code, day=day)
        if not row.filter(_any_counter()).exists():
            row.delete()  # nothing left: the rebuild would not create this row either
    month_stats_refresh(unit=unit_id, procedure_code=code, day=day)


def _any_counter() -> Q:
    q = Q()
    for name in INT_FIELDS:
        q |= Q(**{f"{name}__gt": 0})
    return q


@transaction.atomic
def dossier_contribution_refresh(*, dossier_id: int, as_of: dt.datetime | None = None) -> bool:
    """Recompute one dossier's contribution and apply the delta to its row(s), in one
    transaction with the dossier row locked (concurrent refreshes of the same dossier
    serialise). Returns True if anything changed."""
    from motcua.dossiers.models import Dossier

    now = as_of or timezone.now()
    list(Dossier.objects.select_for_update().filter(pk=dossier_id).values_list("pk"))
    old = DossierContribution.objects.select_for_update().filter(dossier_id=dossier_id).first()
    code = (
        Dossier.objects.filter(pk=dossier_id)
        .values_list("procedure_version__procedure__code", flat=True)
        .first()
    )
    new = None
    if code is not None:
        rows = load_rows([dossier_id], _fee_bearing([code]), certified_copy_codes([code]))
        new = (
            contribution_of(rows[0], now, roll_forward_map(), dossier_dissatisfaction([dossier_id]))
            if rows
            else None
        )
    if old is None and new is None:
        return False
    deltas: dict[Key, dict[str, int]] = defaultdict(dict)
    if old is not None:
        old_key = (old.unit_id, old.procedure_code, old.day)
        for name, value in old.counters.items():
            deltas[old_key][name] = deltas[old_key].get(name, 0) - int(value)
    if new is not None:
        for name, value in new.counters.items():
            deltas[new.key][name] = deltas[new.key].get(name, 0) + value
    changed = False
    for key, delta in deltas.items():
        if any(delta.values()):
            changed = True
            _apply(key, delta)
    if new is None:
        DossierContribution.objects.filter(dossier_id=dossier_id).delete()
        return True
    DossierContribution.objects.update_or_create(
        dossier_id=dossier_id,
        defaults={
            "unit_id": new.unit_id,
            "procedure_code": new.procedure_code,
            "day": new.day,
            "counters": new.counters,
            "on_time_766": new.on_time_766,
            "on_time_d61": new.on_time_d61,
            "judged_at": now,
            "flips_at": new.flips_at,
        },
    )
    return changed


def on_dossier_transitioned(sender: Any, dossier_id: int, **kwargs: Any) -> None:
    """Receiver of dossiers.signals.dossier_transitioned. The signal is sent by the
    background job that follows each committed transition (dossiers/tasks.py), so the
    refresh runs there, off the web request, in one hop. A failure must not break the
    dossier flow: it is logged, and `motcua monitoring_rebuild` repairs the aggregates.
    (`monitoring.tasks.refresh_dossier_contribution` queues the same refresh alone.)"""
    try:
        dossier_contribution_refresh(dossier_id=dossier_id)
    except Exception:  # pragma: no cover - defensive
        logger.exception("monitoring: could not refresh dossier %s", dossier_id)


def on_native_fact_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """post_save receiver of the native facts (NativeFacts): a delivered DongBoHoSoMC
    message, a payment request, a VNeID identity flag, an issued result document.
    Refreshes the dossier's contribution in a savepoint (a failure is logged and
    `motcua monitoring_rebuild` repairs the aggregates)."""
    from motcua.dossiers.models import Dossier
    from motcua.integrations.models import OutboxMessage, OutboxStatus, Service

    if raw:
        return
    if isinstance(instance, OutboxMessage) and not (
        instance.service == Service.DOSSIER and instance.status == OutboxStatus.DELIVERED
    ):
        return
    dossier_id = instance.__dict__.get("dossier_id")
    code = instance.__dict__.get("dossier_code")
    if dossier_id is None and code:
        dossier_id = Dossier.objects.filter(code=code).values_list("pk", flat=True).first()
    if dossier_id is None:
        return
    try:
        with transaction.atomic():
            dossier_contribution_refresh(dossier_id=dossier_id)
    except Exception:  # pragma: no cover - defensive
        logger.exception("monitoring: could not refresh dossier %s", dossier_id)


def contributions_sweep(slot: dt.datetime | None = None) -> int:
    """Re-judge open dossiers whose deadline has passed since they were last judged
    (hooked on the 15-minute deadline sweep). Idempotent."""
    now = timezone.now()
    due = list(
        DossierContribution.objects.filter(flips_at__lte=now).values_list("dossier_id", flat=True)
    )
    for pk in due:
        dossier_contribution_refresh(dossier_id=pk, as_of=now)
    return len(due)


# --- rebuild ---------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildResult:
    dossiers: int
    rows: int
    feedback_days: int = 0


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def compute_all(
    as_of: dt.datetime, batch: int = 2000
) -> tuple[dict[Key, dict[str, int]], list[tuple[int, Contribution]]]:
    """Rows and contributions of every received dossier, judged at `as_of` (pure reads)."""
    from motcua.dossiers.models import Dossier

    ids = list(
        Dossier.objects.filter(received_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    codes = set(
        Dossier.objects.filter(received_at__isnull=False)
        .values_list("procedure_version__procedure__code", flat=True)
        .distinct()
    )
    fee_bearing = _fee_bearing(codes)
    certified = certified_copy_codes(codes)
    units = roll_forward_map()
    tz = timezone.get_current_timezone()
    rows: dict[Key, dict[str, int]] = {}
    contributions: list[tuple[int, Contribution]] = []
    for chunk in _chunks(ids, batch):
        dissatisfied = dossier_dissatisfaction(chunk)
        for d in load_rows(chunk, fee_bearing, certified):
            c = contribution_of(d, as_of, units, dissatisfied, tz)
            if c is None:
                continue
            contributions.append((d.pk, c))
            row = rows.setdefault(c.key, {})
            for name, value in c.counters.items():
                row[name] = row.get(name, 0) + value
    return rows, contributions


@transaction.atomic
def rebuild(*, as_of: dt.datetime | None = None) -> RebuildResult:
    """Recompute every contribution, day row and month roll-up row from the dossiers,
    their pauses, components, steps, ratings and feedback. Set-based SQL
    (monitoring/bulk.py); the Python reference (`rebuild_reference`, same results)
    when the database or time zone has no set-based path."""
    from motcua.monitoring import bulk

    now = as_of or timezone.now()
    try:
        dossiers, rows, feedback_days = bulk.rebuild_set_based(now)
    except bulk.Unsupported:
        return rebuild_reference(as_of=now)
    _kept_judgements_drop()
    return RebuildResult(dossiers=dossiers, rows=rows, feedback_days=feedback_days)


def _kept_judgements_drop() -> None:
    """The kept period-end judgements (`period_judgement`) hold where each dossier
    counted when they were computed; after a rebuild (possibly under new units) they
    are judged again on the next read — the same judgements, since they read only what
    happened by each period's end (law.md §4.4)."""
    from motcua.monitoring.models import PeriodJudgement

    PeriodJudgement.objects.all().delete()


@transaction.atomic
def rebuild_reference(*, as_of: dt.datetime | None = None, batch: int = 2000) -> RebuildResult:
    """The per-dossier Python rebuild: every dossier through `contribution_of` (the
    rules the live updater applies), rows summed in Python. Slow (hundreds of dossiers
    a second); kept as the reference the set-based rebuild is tested against."""
    from motcua.monitoring.bulk import month_rows_rebuild

    now = as_of or timezone.now()
    rows, contributions = compute_all(now, batch)
    UnitMonthStats.objects.all().delete()
    UnitDayStats.objects.all().delete()
    DossierContribution.objects.all().delete()
    UnitDayStats.objects.bulk_create(
        (
            UnitDayStats(
                unit_id=unit_id,
                procedure_code=code,
                day=day,
                **counters,
            )
            for (unit_id, code, day), counters in rows.items()
        ),
        batch_size=1000,
    )
    DossierContribution.objects.bulk_create(
        (
            DossierContribution(
                dossier_id=pk,
                unit_id=c.unit_id,
                procedure_code=c.procedure_code,
                day=c.day,
                counters=c.counters,
                on_time_766=c.on_time_766,
                on_time_d61=c.on_time_d61,
                judged_at=now,
                flips_at=c.flips_at,
            )
            for pk, c in contributions
        ),
        batch_size=1000,
    )
    feedback_days = feedback_rows_rebuild()  # 5.1–5.3 counters on the "" rows
    _announcement_rows_rebuild()
    catalogue_spans_write()  # 1.3/3.1/3.2/3.5/4.5a: per unit, from the catalogue
    month_rows_rebuild()
    _kept_judgements_drop()
    return RebuildResult(dossiers=len(contributions), rows=len(rows), feedback_days=feedback_days)


def _announcement_rows_rebuild() -> None:
    """After the dossier rows of a rebuild: add the 1.1/1.2 catalogue flags (the month
    rows are rebuilt by the caller)."""
    for (unit_id, code, day), flags in announcement_rows().items():
        row, _ = UnitDayStats.objects.get_or_create(unit_id=unit_id, procedure_code=code, day=day)
        UnitDayStats.objects.filter(pk=row.pk).update(**flags)


def rows_snapshot() -> dict[Key, dict[str, int]]:
    """All UnitDayStats rows as {key: {column: value}} (non-zero values), for checks."""
    columns = INT_FIELDS + CATALOGUE_SETS
    out: dict[Key, dict[str, int]] = {}
    for row in UnitDayStats.objects.values("unit_id", "procedure_code", "day", *columns):
        values = {c: row[c] for c in columns if row[c]}
        if any(row[c] for c in INT_FIELDS):
            out[(row["unit_id"], row["procedure_code"], row["day"])] = values
    return out


def _enqueue_reorganisation_rebuild() -> None:
    from motcua.monitoring.tasks import rebuild_after_reorganisation

    rebuild_after_reorganisation.enqueue()


def on_succession_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A succession recorded or changed (org service, import, administrator's page):
    rebuild the live rows once after the commit, as roll_forward_create does — only
    when there are rows to move (a fresh demo's import has none yet)."""
    from django.db import connection

    if not UnitDayStats.objects.exists():
        return
    pending = getattr(connection, "run_on_commit", [])
    if any(item[1] is _enqueue_reorganisation_rebuild for item in pending):
        return  # one rebuild per transaction, however many links an import writes
    transaction.on_commit(_enqueue_reorganisation_rebuild)
