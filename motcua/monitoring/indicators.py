"""Decision 766/QĐ-TTg (23/6/2022) indicators: numerators, denominators, ratios, scores.

Pure module (no ORM). The pipeline is

    facts (one per dossier / procedure / feedback)
      --aggregate(period)-->  UnitCounts   (additive counters + sets of procedure codes)
      --score(policy)------>  Scorecard    (indicator, group and total scores out of 100)

`UnitCounts` is a commutative monoid: integer counters add, procedure-code sets unite.
Per-unit, per-procedure, per-day rows (models.UnitDayStats) store exactly these
counters, so the score of any period and any unit subtree is `score(sum(rows))`, and
it equals the brute-force `score(aggregate(all facts))` (tested as a hypothesis law).

Sources: law.md §4.3 (catalogue, IDs are the VPCP document's numbering), §4.4
(VPCP formula description), §4.5 (scoring functions reproducing the live National
Portal), §1.11 rule 4 (supplement time). Where the sources disagree the choice is a
named option of `ScoringPolicy` (docs/monitoring.md lists the defaults).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.monitoring.periods import Period

# --- Inputs ----------------------------------------------------------------------

CHANNEL_IN_PERSON = "in_person"  # KenhThucHien = 1 (or null)
CHANNEL_ONLINE = "online"  # KenhThucHien = 2
CHANNEL_POSTAL = "postal"  # KenhThucHien = 3

# Terminal outcomes that end processing (Decision 766 indicator 2.1).
PROCESSED = "processed"  # Đã xử lý xong
RETURNED = "returned"  # Đã trả kết quả
REFUSED = "refused"  # Từ chối
STOPPED = "stopped"  # Dừng xử lý
WITHDRAWN = "withdrawn"  # Rút hồ sơ theo yêu cầu (only for received dossiers)
IN_PROGRESS = "in_progress"
AWAITING_SUPPLEMENT = "awaiting_supplement"

# Circular 01/2018 per-body timing (indicator 2).
EARLY, ON_TIME, LATE = "early", "on_time", "late"


@dataclass(frozen=True)
class DossierFacts:
    """What monitoring needs to know about one dossier, as of the judgement instant.

    Timestamps are aware datetimes. `finished_at` is the "Đã xử lý xong" time,
    `returned_at` "Đã trả kết quả", `closed_at` the time of refusal, stop or withdrawal.
    `supplement_pending_since` is the request time of a supplement still awaited;
    `supplement_paused_seconds` the total of completed supplement periods
    (completion − request), which indicator 2.1 subtracts (law.md §1.11 rule 4)."""

    procedure_code: str
    received_at: dt.datetime
    channel: str = CHANNEL_IN_PERSON
    due_at: dt.datetime | None = None
    # Decree 61 Art. 19(4): the due date recounted from zero after a supplement (used by
    # the "recount_d61" reading of 2.1; None = same as due_at)
    due_at_recounted: dt.datetime | None = None
    legal_duration: dt.timedelta | None = None  # used when due_at is missing
    finished_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    supplement_count: int = 0
    supplement_pending_since: dt.datetime | None = None
    supplement_paused_seconds: int = 0
    synced: bool = False  # synced to the National Portal (1.4)
    paper_result: bool = True  # the procedure's result is a paper document (3.3, 4.1, 4.2)
    e_result: bool = False  # electronic result issued and linked (MaKetQua + file link)
    fee_bearing: bool = False  # the procedure has fee data in the national DB (3.6)
    fee_all_zero: bool = False  # the dossier's synced fee list is all "Gia: 0" (3.6)
    fee_data_synced: bool = False  # synced with fee data, fee ≠ 0 (3.5 X)
    paid_online: bool = False  # DuocThanhToanTrucTuyen = 1 or 2 (3.6)
    digitised_components: bool = False  # attachments in components (4.2)
    digitised_result: bool = False  # attachment in result (4.2)
    reused_data: bool = False  # ≥1 component reusing digitised data (4.3)
    warehouse_linked: bool = False  # taken from / pushed to the personal warehouse (4.4)
    population_data: bool = False  # VNeID-verified account or population DB lookup (4.5)
    certified_copy: bool = False  # a certified-copy dossier (electronic certified copy row)
    certified_copy_electronic: bool = False
    rated_unsatisfied: bool = False  # "dislike" rating (5.4)
    complaint: bool = False  # feedback/complaint about reception or settlement (5.4)
    # Circular 01/2018 Art. 13 per-dossier inputs (None = no data for that indicator)
    bodies_timing: tuple[str, ...] | None = None  # indicator 2: one entry per body
    contacts_to_complete: int | None = None  # indicator 3
    extra_contacts_applicant_fault: bool = False
    bodies_contacted: int | None = None  # indicator 4
    harassment_complaint: bool = False  # indicator 7 (any complaint)
    misconduct_verified: bool = False  # indicator 7 (verified)


@dataclass(frozen=True)
class ProcedureFacts:
    """Catalogue state of one procedure at the unit (national procedure DB fields)."""

    code: str
    in_competence: bool = True  # 3.1 denominator
    online_partial: bool = False
    online_full: bool = False
    full_eligible: bool = False
    online_service: bool = False  # has a published / testing online service (3.2)
    fee_bearing: bool = False  # fee information in the national DB (3.5 Y)
    citizen_facing: bool = False  # subjects include citizens (4.5a denominator)
    published: bool = False  # published in the national DB (1.3 denominator)
    content_complete: bool = False  # all parts of Decree 63/2010 Art. 8(2) (1.3)
    announced_on: dt.date | None = None  # announcement decision date (1.1)
    announced_late: bool = False
    publish_due_on: dt.date | None = None  # date by which it had to be published (1.2)
    published_late: bool = False


FEEDBACK_REGULATION = "regulation"
FEEDBACK_STAFF = "staff"
FEEDBACK_OTHER = "other"


@dataclass(frozen=True)
class FeedbackFacts:
    """One feedback/petition (PAKN). Timeliness is judged by the feedback module with
    the working-day rules of law.md §7.2 (refuse ≤2, supplement ≤5, handle ≤15)."""

    received_at: dt.datetime
    classification: str = FEEDBACK_OTHER
    handled_on_time: bool = True
    rated_unsatisfied: bool = False  # more dislikes than likes
    re_raised: bool = False


# --- Counters ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCounts:
    """Aggregate counters. Integers add; frozensets of procedure codes unite.

    Every integer field is one column of models.UnitDayStats. Sets are rebuilt from
    per-procedure rows (see `for_procedure`): derived sets from an integer counter
    being positive, catalogue sets from a `cat_*` flag column."""

    # dossiers received in the period (attribution date = reception date)
    received: int = 0
    synced: int = 0
    on_time_766: int = 0  # 2.1 per Decision 766 (supplement subtracted, >1 supplement late)
    on_time_d61: int = 0  # 2.1 with the due date recounted per Decree 61 Art. 19(4)
    completed: int = 0  # processed or returned (2.2)
    completed_seconds: int = 0
    channel_online: int = 0  # KenhThucHien = 2
    channel_online_qualified: int = 0  # channel 2 and e-result where the result is paper
    channel_postal: int = 0
    fee_obligation: int = 0  # 3.6 denominator
    paid_online: int = 0  # 3.6 numerator
    fee_data_synced: int = 0
    paper_result: int = 0  # 4.1 denominator
    e_result: int = 0  # 4.1 numerator
    digitised: int = 0  # 4.2 numerator
    reused_data: int = 0  # 4.3
    warehouse_linked: int = 0  # 4.4
    population_data: int = 0  # 4.5b
    certified_copy: int = 0
    certified_copy_electronic: int = 0
    unsatisfied: int = 0  # dislike or complaint (5.4)
    late_or_unsatisfied_766: int = 0
    late_or_unsatisfied_d61: int = 0
    # feedback received in the period
    fb_received: int = 0
    fb_regulation: int = 0
    fb_staff: int = 0
    fb_on_time: int = 0
    fb_satisfied: int = 0
    # Circular 01/2018 per-dossier points and counts (indicators 1, 2, 3, 4, 7)
    c01_1_points: int = 0
    c01_1_count: int = 0
    c01_2_points: int = 0
    c01_2_count: int = 0
    c01_3_points: int = 0
    c01_3_count: int = 0
    c01_4_points: int = 0
    c01_4_count: int = 0
    c01_7_points: int = 0
    c01_7_count: int = 0
    # sets of procedure codes
    proc_with_online_dossier: frozenset[str] = frozenset()
    proc_fee_synced: frozenset[str] = frozenset()
    proc_paid_online: frozenset[str] = frozenset()
    proc_population_data: frozenset[str] = frozenset()
    cat_in_competence: frozenset[str] = frozenset()
    cat_online_partial: frozenset[str] = frozenset()
    cat_online_full: frozenset[str] = frozenset()
    cat_full_eligible: frozenset[str] = frozenset()
    cat_online_service: frozenset[str] = frozenset()
    cat_fee_bearing: frozenset[str] = frozenset()
    cat_citizen_facing: frozenset[str] = frozenset()
    cat_published: frozenset[str] = frozenset()
    cat_content_complete: frozenset[str] = frozenset()
    cat_announced: frozenset[str] = frozenset()
    cat_announced_late: frozenset[str] = frozenset()
    cat_publish_due: frozenset[str] = frozenset()
    cat_published_late: frozenset[str] = frozenset()

    def __add__(self, other: UnitCounts) -> UnitCounts:
        if not isinstance(other, UnitCounts):
            return NotImplemented
        values: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            values[f.name] = (a | b) if isinstance(a, frozenset) else a + b
        return UnitCounts(**values)

    def __radd__(self, other: object) -> UnitCounts:
        if other == 0:  # so that sum(list_of_counts) works
            return self
        return NotImplemented

    @property
    def is_empty(self) -> bool:
        return self == EMPTY

    @property
    def has_activity(self) -> bool:
        """Dossiers, feedback or an announcement in the period. The catalogue state
        alone (procedures in the unit's competence, `catalogue_state`) is not data to
        score: such a unit stays grey, "no data", as before."""
        empty: dict[str, Any] = {name: frozenset() for name in STATE_SETS}
        return dataclasses.replace(self, **empty) != EMPTY

    def counters(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in INT_FIELDS}

    def catalogue_flags(self, code: str) -> dict[str, int]:
        return {name: int(code in getattr(self, name)) for name in CATALOGUE_SETS}

    @classmethod
    def for_procedure(
        cls, code: str, counters: Mapping[str, int], flags: Mapping[str, int] | None = None
    ) -> UnitCounts:
        """Counts of one procedure (e.g. one row, or rows summed over days/units)."""
        values: dict[str, Any] = {name: int(counters.get(name) or 0) for name in INT_FIELDS}
        for set_name, source in DERIVED_SETS.items():
            values[set_name] = frozenset({code}) if values[source] > 0 else frozenset()
        for set_name in CATALOGUE_SETS:
            present = bool(flags and flags.get(set_name))
            values[set_name] = frozenset({code}) if present else frozenset()
        return cls(**values)


INT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(UnitCounts) if f.type in ("int", int)
)
# set of procedures having the counter > 0
DERIVED_SETS: dict[str, str] = {
    "proc_with_online_dossier": "channel_online",
    "proc_fee_synced": "fee_data_synced",
    "proc_paid_online": "paid_online",
    "proc_population_data": "population_data",
}
CATALOGUE_SETS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(UnitCounts) if f.name.startswith("cat_")
)
# 1.1/1.2 are dated events (announcement, publication due) on day rows; every other
# catalogue flag is a state held per unit over time (monitoring/catalogue_state.py).
STATE_SETS: tuple[str, ...] = (
    "cat_in_competence",
    "cat_online_partial",
    "cat_online_full",
    "cat_full_eligible",
    "cat_online_service",
    "cat_fee_bearing",
    "cat_citizen_facing",
    "cat_published",
    "cat_content_complete",
)
EMPTY = UnitCounts()


# --- Policy --------------------------------------------------------------------------

PORTAL = "national_portal"
VPCP_DOC = "vpcp_document"


@dataclass(frozen=True)
class ScoringPolicy:
    """Named choices where the sources disagree (law.md §4.4 vs §4.5, §1.11 rule 4).

    - supplement_rule: "subtract_766" — 2.1 subtracts completed supplement time from the
      end time and counts a dossier with more than one supplement request as late
      (VPCP description); "recount_d61" — the due date was already recounted from zero
      after the supplement (Decree 61 Art. 19(4)), compare end time with it as is.
    - digitisation_42: "proportional" (live National Portal: 4 × ratio) or
      "threshold_80" (VPCP document: full points at ≥ 80 %).
    - payment_35_cap: cap 3.5 at its 2 points (min(2, 2.5·C), law.md §4.5) or
      leave 2.5·C uncapped as in the reverse-engineered formula.
    - online_33: "plain" (live: online / all channels) or "qualified_times_sync"
      (VPCP: online needs an e-result when the result is paper, × sync ratio 1.4).
    - satisfaction_54: "distinct" — (total − dossiers late or unsatisfied) / total
      (Decision text); "sum_of_ratios" — 100 % − (late % + unsatisfied %).
    """

    supplement_rule: str = "subtract_766"
    digitisation_42: str = "proportional"
    payment_35_cap: bool = True
    online_33: str = "plain"
    satisfaction_54: str = "distinct"
    # Circular 01/2018's 0–2 evaluation (law.md R27): an optional internal scheme only
    # (selectors.circular01_enabled_on: off by default for periods from 1/7/2025)
    circular01_internal: bool = False

    def __post_init__(self) -> None:
        for name, allowed in POLICY_CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}: {getattr(self, name)!r} not in {allowed}")

    @classmethod
    def national_portal(cls) -> ScoringPolicy:
        """Default: reproduce the live National Portal scores (law.md §4.5)."""
        return cls()

    @classmethod
    def vpcp_document(cls) -> ScoringPolicy:
        """The VPCP formula description read literally (law.md §4.4)."""
        return cls(digitisation_42="threshold_80", online_33="qualified_times_sync")

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None) -> ScoringPolicy:
        options = dict(options or {})
        preset = options.pop("preset", PORTAL)
        base = cls.vpcp_document() if preset == VPCP_DOC else cls.national_portal()
        known = {k: v for k, v in options.items() if k in POLICY_CHOICES}
        return dataclasses.replace(base, **known)

    def as_options(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in POLICY_CHOICES}


POLICY_CHOICES: dict[str, tuple[Any, ...]] = {
    "supplement_rule": ("subtract_766", "recount_d61"),
    "digitisation_42": ("proportional", "threshold_80"),
    "payment_35_cap": (True, False),
    "online_33": ("plain", "qualified_times_sync"),
    "satisfaction_54": ("distinct", "sum_of_ratios"),
    "circular01_internal": (False, True),
}


# --- Catalogue of indicators ------------------------------------------------------


@dataclass(frozen=True)
class GroupDef:
    key: str
    label: str | Promise
    max: float


@dataclass(frozen=True)
class IndicatorDef:
    id: str
    group: str
    label: str | Promise
    max: float
    api_code: str = ""


# The six groups as displayed on the National Portal (law.md §4.2).
GROUPS: tuple[GroupDef, ...] = (
    GroupDef("transparency", _("Công khai, minh bạch"), 18),
    GroupDef("progress", _("Tiến độ giải quyết"), 20),
    GroupDef("online_service", _("Dịch vụ công trực tuyến"), 12),
    GroupDef("online_payment", _("Thanh toán trực tuyến"), 10),
    GroupDef("satisfaction", _("Mức độ hài lòng"), 18),
    GroupDef("digitisation", _("Số hóa hồ sơ"), 22),
)

INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef("1.1", "transparency", _("Tỷ lệ TTHC công bố đúng hạn"), 6, "PUBLISH_ON_TIME"),
    IndicatorDef(
        "1.2",
        "transparency",
        _("Tỷ lệ TTHC được cập nhật, công khai đúng hạn"),
        4,
        "PUBLIC_UPDATE_ON_TIME",
    ),
    IndicatorDef(
        "1.3",
        "transparency",
        _("Tỷ lệ TTHC được công khai đầy đủ các bộ phận tạo thành"),
        2,
        "PUBLIC_CONTENT_FULL",
    ),
    IndicatorDef("1.4", "transparency", _("Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG"), 6, "DOSSIER_SYNC"),
    IndicatorDef("2.1", "progress", _("Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"), 20),
    IndicatorDef("2.2", "progress", _("Thời gian giải quyết trung bình (ngày)"), 0),
    IndicatorDef("3.1", "online_service", _("Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến"), 2),
    IndicatorDef("3.2", "online_service", _("Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ"), 4),
    IndicatorDef("3.3", "online_service", _("Tỷ lệ hồ sơ nộp trực tuyến"), 6),
    IndicatorDef(
        "3.5",
        "online_payment",
        _("Tỷ lệ TTHC có nghĩa vụ tài chính được tích hợp thanh toán trực tuyến"),
        2,
    ),
    IndicatorDef("3.5b", "online_payment", _("TTHC có giao dịch thanh toán trực tuyến"), 2),
    IndicatorDef("3.6", "online_payment", _("Tỷ lệ hồ sơ thanh toán trực tuyến"), 6),
    IndicatorDef(
        "4.1",
        "digitisation",
        _("Tỷ lệ hồ sơ có kết quả giải quyết điện tử"),
        6,
        "ORIGINAL_RESULT_AVAILABLE",
    ),
    IndicatorDef(
        "4.2",
        "digitisation",
        _("Tỷ lệ hồ sơ thực hiện số hóa"),
        4,
        "SO_HOA_GIAY_TO_GIAI_QUYET",
    ),
    IndicatorDef(
        "4.2b",
        "digitisation",
        _("Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính"),
        2,
        "ELECTRONIC_CERTIFIED_COPY",
    ),
    IndicatorDef(
        "4.3",
        "digitisation",
        _("Tỷ lệ hồ sơ khai thác, sử dụng lại dữ liệu số hóa"),
        2,
        "REUSED_DIGITIZED_DATA",
    ),
    IndicatorDef(
        "4.4",
        "digitisation",
        _("Tỷ lệ hồ sơ số hóa kết nối, chia sẻ với kho dữ liệu cá nhân"),
        4,
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
    ),
    IndicatorDef(
        "4.5a",
        "digitisation",
        _("Tỷ lệ TTHC kết nối, chia sẻ dữ liệu dân cư"),
        2,
        "CITIZEN_DATA_CONNECTED_FORMALITY",
    ),
    IndicatorDef(
        "4.5b",
        "digitisation",
        _("Tỷ lệ hồ sơ có sử dụng dữ liệu dân cư"),
        2,
        "CITIZEN_DATA_CONNECTED_DOSSIER",
    ),
    IndicatorDef("5.1", "satisfaction", _("Tỷ lệ phản ánh, kiến nghị về quy định, TTHC"), 0),
    IndicatorDef(
        "5.2",
        "satisfaction",
        _("Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn"),
        6,
        "PETITION_PROCESSING_ON_TIME",
    ),
    IndicatorDef(
        "5.3",
        "satisfaction",
        _("Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị"),
        6,
        "PETITION_HANDLING_SATISFACTION",
    ),
    IndicatorDef(
        "5.4",
        "satisfaction",
        _("Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"),
        6,
        "DOSSIER_RECEIVING_SATISFACTION",
    ),
)
INDICATOR_BY_ID = {d.id: d for d in INDICATORS}
GROUP_BY_KEY = {g.key: g for g in GROUPS}
TOTAL_MAX = 100.0


# --- Per-dossier judgements --------------------------------------------------------


def judging_instant(
    received_at: dt.datetime, as_of: dt.datetime, period_end: dt.datetime | None = None
) -> dt.datetime:
    """The instant a dossier is judged at for 2.1 (law.md §4.4: "no terminal status
    yet → the last day of the period is the end time"): the end of the last day of the
    period queried (`period_end`), by default its reception month (in the zone of
    `received_at`, local time), or `as_of` if earlier.

    The stored rows (per reception day) judge at the reception month's end: whenever
    the computation runs (April or December), a March dossier is judged as it stood at
    31/3 23:59:59.999999 — what happened later never changes March's figures. Other
    periods (a quarter, a week) judge the dossiers that could differ again at their own
    end (`period_judgement`)."""
    return min(as_of, month_end(received_at) if period_end is None else period_end)


def month_end(moment: dt.datetime) -> dt.datetime:
    """The last microsecond of the month of `moment` (in its own zone)."""
    nxt = dt.date(moment.year + (moment.month == 12), moment.month % 12 + 1, 1)
    return dt.datetime.combine(nxt, dt.time.min, tzinfo=moment.tzinfo) - dt.timedelta(
        microseconds=1
    )


def end_of_processing(
    facts: DossierFacts, as_of: dt.datetime, period_end: dt.datetime | None = None
) -> tuple[dt.datetime, bool]:
    """(end time, ended?) per indicator 2.1 at the judging instant J
    (`judging_instant(received_at, as_of)`): "processed" wins over "returned", which
    wins over refusal/stop/withdrawal (only statuses reached by J count); a dossier
    awaiting a supplement at J ends at the request; a dossier open at J ends at J."""
    judged = judging_instant(facts.received_at, as_of, period_end)
    for moment in (facts.finished_at, facts.returned_at, facts.closed_at):
        if moment is not None and moment <= judged:
            return moment, True
    if facts.supplement_pending_since is not None and facts.supplement_pending_since <= judged:
        return facts.supplement_pending_since, False
    return judged, False


def _within(facts: DossierFacts, end: dt.datetime) -> bool:
    if facts.due_at is not None:
        return end <= facts.due_at
    if facts.legal_duration is not None:
        return end - facts.received_at <= facts.legal_duration
    return True  # no deadline recorded: nothing to be late against


def on_time_766(
    facts: DossierFacts, as_of: dt.datetime, period_end: dt.datetime | None = None
) -> bool:
    """Decision 766 indicator 2.1 (VPCP description, law.md §4.4 and §1.11 rule 4)."""
    if facts.supplement_count > 1:
        return False  # "supplement requested more than once → counted late"
    end, _ended = end_of_processing(facts, as_of, period_end)
    end -= dt.timedelta(seconds=facts.supplement_paused_seconds)
    return _within(facts, end)


def on_time_d61(
    facts: DossierFacts, as_of: dt.datetime, period_end: dt.datetime | None = None
) -> bool:
    """On time when the due date is recounted from zero after a supplement (Decree 61
    Art. 19(4)): the stored due date already includes the pause; no subtraction."""
    end, _ended = end_of_processing(facts, as_of, period_end)
    if facts.due_at_recounted is not None:
        return end <= facts.due_at_recounted
    return _within(facts, end)


def _points_by_date(end: dt.date, due: dt.date) -> int:
    return 2 if end < due else (1 if end == due else 0)


def c01_points(facts: DossierFacts) -> dict[int, int]:
    """Circular 01/2018 Art. 13 per-dossier points for indicators 1, 2, 3, 4, 7 (only
    those with data). Indicator 1 needs a processed/returned dossier and a due date;
    it compares calendar days: earlier day 2, same day 1, later 0."""
    points: dict[int, int] = {}
    timing: int | None = None
    done = facts.finished_at or facts.returned_at
    if done is not None and facts.due_at is not None:
        timing = _points_by_date(done.date(), facts.due_at.date())
        points[1] = timing
    if facts.bodies_timing:
        worst = {EARLY: 2, ON_TIME: 1, LATE: 0}
        points[2] = min(worst.get(t, 0) for t in facts.bodies_timing)
    if facts.contacts_to_complete is not None:
        n = facts.contacts_to_complete
        # more than once is 0 "unless it is the applicant's fault" → then 1
        points[3] = 2 if n == 0 else (1 if n == 1 or facts.extra_contacts_applicant_fault else 0)
    if facts.bodies_contacted is not None:
        n = facts.bodies_contacted
        points[4] = 2 if n == 0 else (1 if n == 1 else 0)
    if timing is not None or facts.misconduct_verified:
        # 2: early and no complaint; 1: on time and no (verified) complaint; 0: any
        # verified misconduct, or late (the article gives late no point).
        if facts.misconduct_verified or timing in (None, 0):
            points[7] = 0
        elif timing == 2 and not facts.harassment_complaint:
            points[7] = 2
        else:
            points[7] = 1
    return points


# --- Aggregation -------------------------------------------------------------------


def _end_of_day(day: dt.date, tz: dt.tzinfo | None) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=tz)


def dossier_counters(
    facts: DossierFacts, as_of: dt.datetime, period_end: dt.datetime | None = None
) -> dict[str, int]:
    """Counter increments of one dossier (what the event→aggregate updater adds to
    the row of the dossier's unit, procedure and reception day), judged at the end of
    its reception month or at `period_end` (`judging_instant`)."""
    ok_766 = on_time_766(facts, as_of, period_end)
    ok_d61 = on_time_d61(facts, as_of, period_end)
    unsatisfied = facts.rated_unsatisfied or facts.complaint
    online = facts.channel == CHANNEL_ONLINE
    fee_obligation = facts.fee_bearing and not facts.fee_all_zero
    done = facts.finished_at or facts.returned_at
    c: dict[str, int] = {
        "received": 1,
        "synced": int(facts.synced),
        "on_time_766": int(ok_766),
        "on_time_d61": int(ok_d61),
        "completed": int(done is not None),
        "completed_seconds": (
            max(0, int((done - facts.received_at).total_seconds())) if done is not None else 0
        ),
        "channel_online": int(online),
        "channel_online_qualified": int(online and (facts.e_result or not facts.paper_result)),
        "channel_postal": int(facts.channel == CHANNEL_POSTAL),
        "fee_obligation": int(fee_obligation),
        "paid_online": int(fee_obligation and facts.paid_online),
        "fee_data_synced": int(facts.synced and facts.fee_data_synced),
        "paper_result": int(facts.paper_result),
        "e_result": int(facts.paper_result and facts.e_result),
        "digitised": int(
            facts.digitised_components
            and (facts.digitised_result or not facts.paper_result)
            and (facts.e_result or not facts.paper_result)
        ),
        "reused_data": int(facts.reused_data),
        "warehouse_linked": int(facts.warehouse_linked),
        "population_data": int(facts.population_data),
        "certified_copy": int(facts.certified_copy),
        "certified_copy_electronic": int(facts.certified_copy and facts.certified_copy_electronic),
        "unsatisfied": int(unsatisfied),
        "late_or_unsatisfied_766": int(unsatisfied or not ok_766),
        "late_or_unsatisfied_d61": int(unsatisfied or not ok_d61),
    }
    for number, pts in c01_points(facts).items():
        c[f"c01_{number}_points"] = pts
        c[f"c01_{number}_count"] = 1
    return c


def feedback_counters(facts: FeedbackFacts) -> dict[str, int]:
    return {
        "fb_received": 1,
        "fb_regulation": int(facts.classification == FEEDBACK_REGULATION),
        "fb_staff": int(facts.classification == FEEDBACK_STAFF),
        "fb_on_time": int(facts.handled_on_time),
        # 5.3: unsatisfied, re-raised about the result, or handled late count against
        "fb_satisfied": int(
            facts.handled_on_time and not facts.rated_unsatisfied and not facts.re_raised
        ),
    }


def procedure_flags(p: ProcedureFacts, period: Period) -> dict[str, int]:
    """Catalogue flags of one procedure for the period (state flags always; 1.1 and
    1.2 only when the announcement / publication due date falls in the period)."""
    announced = p.announced_on is not None and p.announced_on in period
    due = p.publish_due_on is not None and p.publish_due_on in period
    return {
        "cat_in_competence": int(p.in_competence),
        "cat_online_partial": int(p.online_partial),
        "cat_online_full": int(p.online_full),
        "cat_full_eligible": int(p.full_eligible),
        "cat_online_service": int(p.online_service),
        "cat_fee_bearing": int(p.fee_bearing),
        "cat_citizen_facing": int(p.citizen_facing),
        "cat_published": int(p.published),
        "cat_content_complete": int(p.published and p.content_complete),
        "cat_announced": int(announced),
        "cat_announced_late": int(announced and p.announced_late),
        "cat_publish_due": int(due),
        "cat_published_late": int(due and p.published_late),
    }


def aggregate_by_procedure(
    dossiers: Iterable[DossierFacts],
    period: Period,
    *,
    procedures: Iterable[ProcedureFacts] = (),
    feedback: Iterable[FeedbackFacts] = (),
    as_of: dt.datetime | None = None,
    at_period_end: bool = False,
) -> dict[str, UnitCounts]:
    """Counters of one unit for `period`, per procedure code ("" holds feedback):
    exactly what the unit's UnitDayStats rows of that period hold.

    Dossiers and feedback are attributed to the day they were received (dossiers
    without a reception date are excluded, as in 4.3). Dossiers still in progress are
    judged at `as_of` (default: end of the period's last day) but not after the end of
    their reception month, as the rows are; with `at_period_end`, at the end of the
    period's last day or `as_of` if earlier (law.md §4.4, what the scores of the period
    read)."""
    per_code: dict[str, dict[str, int]] = {}
    flags: dict[str, dict[str, int]] = {}

    def bump(code: str, increments: Mapping[str, int]) -> None:
        row = per_code.setdefault(code, {})
        for key, value in increments.items():
            row[key] = row.get(key, 0) + value

    for d in dossiers:
        if d.received_at is None or d.received_at not in period:
            continue
        end = _end_of_day(period.end, d.received_at.tzinfo)
        bump(
            d.procedure_code,
            dossier_counters(d, as_of or end, period_end=end if at_period_end else None),
        )
    for fb in feedback:
        if fb.received_at in period:
            bump("", feedback_counters(fb))
    for p in procedures:
        current = flags.setdefault(p.code, {})
        for key, value in procedure_flags(p, period).items():
            current[key] = max(current.get(key, 0), value)
        per_code.setdefault(p.code, {})
    return {
        code: UnitCounts.for_procedure(code, row, flags.get(code)) for code, row in per_code.items()
    }


def aggregate(
    dossiers: Iterable[DossierFacts],
    period: Period,
    *,
    procedures: Iterable[ProcedureFacts] = (),
    feedback: Iterable[FeedbackFacts] = (),
    as_of: dt.datetime | None = None,
) -> UnitCounts:
    """Brute-force counters of one unit for `period` (see aggregate_by_procedure)."""
    parts = aggregate_by_procedure(
        dossiers, period, procedures=procedures, feedback=feedback, as_of=as_of, at_period_end=True
    )
    return sum(parts.values(), EMPTY)


# --- Scoring -----------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorScore:
    id: str
    numerator: float
    denominator: float
    ratio: float | None  # fraction 0..1 (2.2: average days); None when denominator is 0
    score: float
    max: float

    @property
    def has_data(self) -> bool:
        return self.denominator > 0


@dataclass(frozen=True)
class GroupScore:
    key: str
    score: float
    max: float


@dataclass(frozen=True)
class Scorecard:
    indicators: dict[str, IndicatorScore]
    groups: dict[str, GroupScore]
    total: float
    max: float = TOTAL_MAX
    has_data: bool = True

    def metric(self, key: str) -> tuple[float, float] | None:
        """(score, max) of "total", "group:<key>" or an indicator id."""
        if key == "total":
            return self.total, self.max
        if key.startswith("group:"):
            g = self.groups.get(key.removeprefix("group:"))
            return (g.score, g.max) if g else None
        i = self.indicators.get(key)
        return (i.score, i.max) if i else None


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def _proportional(mx: float, r: float | None) -> float:
    return min(mx, mx * r) if r is not None else 0.0


def _target(mx: float, r: float | None, target: float) -> float:
    """Full points at `target`, proportional below (ratio × max / target)."""
    return min(mx, mx * r / target) if r is not None else 0.0


def score(counts: UnitCounts, policy: ScoringPolicy | None = None) -> Scorecard:
    policy = policy or ScoringPolicy()
    c = counts
    out: dict[str, IndicatorScore] = {}

    def put(ind: str, num: float, den: float, value: float | None = None) -> None:
        mx = INDICATOR_BY_ID[ind].max
        r = _ratio(num, den)
        out[ind] = IndicatorScore(
            ind, num, den, r, _proportional(mx, r) if value is None else value, mx
        )

    # Group 1 — transparency: max × ratio
    announced = len(c.cat_announced)
    put("1.1", announced - len(c.cat_announced_late & c.cat_announced), announced)
    due = len(c.cat_publish_due)
    put("1.2", due - len(c.cat_published_late & c.cat_publish_due), due)
    put("1.3", len(c.cat_content_complete & c.cat_published), len(c.cat_published))
    put("1.4", c.synced, c.received)
    sync_ratio = _ratio(c.synced, c.received)

    # Group 2 — progress: 20 × on time / received
    on_time = c.on_time_766 if policy.supplement_rule == "subtract_766" else c.on_time_d61
    put("2.1", on_time, c.received)
    avg_days = c.completed_seconds / 86400 / c.completed if c.completed else None
    out["2.2"] = IndicatorScore("2.2", c.completed_seconds / 86400, c.completed, avg_days, 0.0, 0.0)

    # Group 3 — online service: min(2, 2A/0.8) + 4B + min(6, 6C/0.5)
    offered = (c.cat_online_partial | c.cat_online_full) & c.cat_in_competence
    r31 = _ratio(len(offered), len(c.cat_in_competence))
    put("3.1", len(offered), len(c.cat_in_competence), _target(2, r31, 0.80))
    put("3.2", len(c.proc_with_online_dossier & c.cat_online_service), len(c.cat_online_service))
    if policy.online_33 == "plain":
        num33: float = c.channel_online
    else:
        num33 = c.channel_online_qualified * (sync_ratio or 0.0)
    r33 = _ratio(num33, c.received)
    put("3.3", num33, c.received, _target(6, r33, 0.50))

    # Group 4 — online payment: min(2, 2.5C) + min(2, 2.5B) + 6A
    fee = c.cat_fee_bearing
    r35 = _ratio(len(c.proc_fee_synced & fee), len(fee))
    s35 = 2.5 * r35 if r35 is not None else 0.0
    put(
        "3.5",
        len(c.proc_fee_synced & fee),
        len(fee),
        min(2.0, s35) if policy.payment_35_cap else s35,
    )
    r35b = _ratio(len(c.proc_paid_online & fee), len(fee))
    put("3.5b", len(c.proc_paid_online & fee), len(fee), _target(2, r35b, 0.80))
    put("3.6", c.paid_online, c.fee_obligation)

    # Group 6 — digitisation: min(max, max × ratio); 4.3 full at 80 %
    put("4.1", c.e_result, c.paper_result)
    r42 = _ratio(c.digitised, c.received)
    s42 = _target(4, r42, 0.80) if policy.digitisation_42 == "threshold_80" else None
    put("4.2", c.digitised, c.received, s42)
    put("4.2b", c.certified_copy_electronic, c.certified_copy)
    put("4.3", c.reused_data, c.received, _target(2, _ratio(c.reused_data, c.received), 0.80))
    put("4.4", c.warehouse_linked, c.received)
    put(
        "4.5a",
        len(c.proc_population_data & c.cat_citizen_facing),
        len(c.cat_citizen_facing),
    )
    put("4.5b", c.population_data, c.received)

    # Group 5 — satisfaction
    out["5.1"] = IndicatorScore(
        "5.1", c.fb_regulation, c.fb_received, _ratio(c.fb_regulation, c.fb_received), 0.0, 0.0
    )
    # 5.2 and 5.3: full points when there is no feedback (live portal, §4.5)
    r52 = _ratio(c.fb_on_time, c.fb_received)
    put("5.2", c.fb_on_time, c.fb_received, 6.0 if r52 is None else 6 * r52)
    r53 = _ratio(c.fb_satisfied, c.fb_received)
    put("5.3", c.fb_satisfied, c.fb_received, 6.0 if r53 is None else 6 * r53)
    # 5.4: full points at ≥ 90 %; 0 when there are no dossiers
    if policy.satisfaction_54 == "distinct":
        bad = (
            c.late_or_unsatisfied_766
            if policy.supplement_rule == "subtract_766"
            else c.late_or_unsatisfied_d61
        )
        num54 = float(c.received - bad)
    else:
        num54 = float(c.received - (c.received - on_time) - c.unsatisfied)
    r54 = _ratio(max(0.0, num54), c.received)
    put("5.4", max(0.0, num54), c.received, _target(6, r54, 0.90))

    groups: dict[str, GroupScore] = {}
    for g in GROUPS:
        total = sum(s.score for s in out.values() if INDICATOR_BY_ID[s.id].group == g.key)
        groups[g.key] = GroupScore(g.key, min(g.max, total), g.max)
    return Scorecard(
        indicators={d.id: out[d.id] for d in INDICATORS},
        groups=groups,
        total=sum(gs.score for gs in groups.values()),
        has_data=counts.has_activity,
    )


def scorecard_as_dict(card: Scorecard, digits: int = 2) -> dict[str, Any]:
    """JSON-friendly form; ratios as percentages (as the National Portal shows them)."""

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, digits)

    indicators = {}
    for ind in card.indicators.values():
        ratio = ind.ratio if ind.id == "2.2" else (None if ind.ratio is None else ind.ratio * 100)
        indicators[ind.id] = {
            "numerator": r(ind.numerator),
            "denominator": r(ind.denominator),
            "ratio": r(ratio),
            "score": r(ind.score),
            "max": ind.max,
        }
    return {
        "indicators": indicators,
        "groups": {g.key: {"score": r(g.score), "max": g.max} for g in card.groups.values()},
        "total": r(card.total),
    }
