"""Reports: form II.06a for any unit and period (law.md §13.2) and the Friday weekly
report of Directive 04 (law.md §13.3, R28): week and year-to-date figures, 766
estimates by group with colours, overdue list with responsibility, apology letters and
their reasons, feedback figures, ranking of units and of unit heads (effective-dated
head assignments). Files: XLSX (XlsxWriter) and PDF (WeasyPrint via documents.rendering).

Reports are generated offline (command, scheduler), so they may read dossiers of the
units in scope; the scores come from the aggregates like every other screen."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from motcua.monitoring import form06a
from motcua.monitoring.indicators import GROUPS
from motcua.monitoring.periods import Period, PeriodError
from motcua.monitoring.selectors import UnitScores, scores_for_units
from motcua.monitoring.updater import CLOSED
from motcua.org.models import OrgUnit

logger = logging.getLogger(__name__)

# Units ranked in the weekly report (districts only while they exist, §13.3).
REPORT_KINDS = ("department", "district", "commune", "vertical")
KIND_ORDER = {k: i for i, k in enumerate(REPORT_KINDS)}


# --- periods -----------------------------------------------------------------------


def iso_week(week: str) -> Period:
    """ "2026-W48" → Monday..Sunday of that ISO week."""
    try:
        year_s, w_s = week.upper().split("-W")
        start = dt.date.fromisocalendar(int(year_s), int(w_s), 1)
    except (ValueError, TypeError) as exc:
        raise PeriodError(f"invalid ISO week: {week!r} (expected e.g. 2026-W48)") from exc
    return Period(start, start + dt.timedelta(days=6), "week")


def week_of(day: dt.date) -> str:
    year, week, _wd = day.isocalendar()
    return f"{year}-W{week:02d}"


# --- form II.06a -------------------------------------------------------------------


def form06a_inputs(
    unit: OrgUnit, period: Period, scope: set[int] | None = None
) -> list[form06a.Form06aInput]:
    """Dossiers of the unit's subtree (competent unit) relevant to `period`: received
    before its end and not finished before its start. The subtree is the one of the
    period's last day read through the successions (org.selectors.records_scopes,
    law.md R31): for 2026 the merged city's communes and departments with the old
    district offices and communes whose records they took."""
    from motcua.dossiers.models import Dossier
    from motcua.org.selectors import records_scope_ids

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end, dt.time.max, tzinfo=tz)
    if scope is None:
        scope = records_scope_ids(unit, period.end)
    rows = (
        Dossier.objects.filter(
            competent_unit_id__in=sorted(scope),
            received_at__isnull=False,
            received_at__lte=end,
        )
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=start))
        .values_list(
            "procedure_version__procedure__field__name",
            "channel",
            "received_at",
            "completed_at",
            "status",
            "original_due_at",
            "due_at",
        )
    )
    out = []
    for field_name, channel, received, completed, status, original_due, due in rows:
        if received is None:  # excluded by the query; keeps the type checker informed
            continue
        ended = completed if status in ("resolved", "result_returned", *CLOSED) else None
        out.append(
            form06a.Form06aInput(
                group=field_name or "—",
                online=channel == "2",
                received_at=received,
                ended_at=ended if ended and ended <= end else None,
                ended_late_ok=status in CLOSED,
                due_at=original_due or due,
                paused=status in ("supplement_requested", "payment_requested"),
            )
        )
    return out


def form06a_for(
    unit: OrgUnit, period: Period, scope: set[int] | None = None
) -> tuple[list[form06a.Form06aRow], form06a.Form06aRow]:
    return form06a.compute(
        form06a_inputs(unit, period, scope), period, timezone.get_current_timezone()
    )


# --- weekly report data --------------------------------------------------------------


@dataclass
class UnitLine:
    unit: OrgUnit
    week: UnitScores
    ytd: UnitScores
    week06a: form06a.Form06aRow
    ytd06a: form06a.Form06aRow
    head: str = ""
    rank: int | None = None
    rank_ytd: int | None = None
    apologies: int = 0
    # dossiers of the week counted late by 2.1 with no apology letter (issue 27 point 2)
    late_no_apology: int = 0

    def pct(self, scores: UnitScores, num: str, den: str = "received") -> float | None:
        d = getattr(scores.counts, den)
        return 100.0 * getattr(scores.counts, num) / d if d else None


@dataclass
class OverdueLine:
    code: str
    procedure: str
    unit: str
    officer: str
    step: str
    due: dt.datetime | None
    days_late: float | None
    reason_kind: str
    reason: str
    # the unit the lateness is attributed to (the responsible step's unit, else the
    # competent unit): the unit whose head may dispute it (issue 27 point 5, R28a)
    unit_code: str = ""
    unit_id: int | None = None


@dataclass
class HeadLine:
    name: str
    unit: str
    start: dt.date
    end: dt.date
    total: float | None
    rank: int | None = None
    # the 766 group scores (the criteria Decree 118 Art. 32(1) names), by group key
    groups: dict[str, float] = field(default_factory=dict)
    # Circular 01/2018 internal evaluation (only when enabled for the period)
    c01_total: float | None = None
    c01_band: str = ""


@dataclass
class WeeklyData:
    week: str
    period: Period
    ytd: Period
    generated_at: dt.datetime
    lines: list[UnitLine]
    overdue: list[OverdueLine]
    apologies: list[tuple[str, str, str, str]]  # unit, code, kind label, reason
    heads: list[HeadLine]
    totals_week: form06a.Form06aRow
    totals_ytd: form06a.Form06aRow
    invariant_errors: list[str] = field(default_factory=list)
    # which scheme produced each ranking (law.md R27; Decree 118 Art. 32(1))
    ranking_scheme: str = ""
    c01_scheme: str = ""
    # disputes of last week's attributions and their decisions (law.md R28a)
    disputes: list[Any] = field(default_factory=list)


def _rank(values: list[tuple[Any, float | None]]) -> dict[Any, int]:
    """Competition ranking (1, 2, 2, 4) of the keys by value, highest first."""
    present = sorted(((v, k) for k, v in values if v is not None), key=lambda p: -p[0])
    ranks: dict[Any, int] = {}
    for position, (value, key) in enumerate(present, start=1):
        if position > 1 and abs(present[position - 2][0] - value) < 1e-9:
            ranks[key] = ranks[present[position - 2][1]]
        else:
            ranks[key] = position
    return ranks


def report_units(at: dt.date) -> list[OrgUnit]:
    from motcua.org.selectors import unit_valid_on

    units = list(OrgUnit.objects.filter(unit_valid_on(at), kind__in=REPORT_KINDS))
    units.sort(key=lambda u: (KIND_ORDER.get(u.kind, 9), u.code))
    return units


def _sum_rows(rows: Iterable[form06a.Form06aRow]) -> form06a.Form06aRow:
    total = form06a.Form06aRow(0, "Tổng cộng")
    for r in rows:
        for c in form06a.COLUMNS:
            total.values[c] += r.values[c]
    return total


def build_weekly(week: str, now: dt.datetime | None = None) -> WeeklyData:
    from motcua.dossiers.constants import DelayReasonKind
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import OPEN
    from motcua.monitoring.drilldown import _responsible_step
    from motcua.org.selectors import head_assignment, heads_history

    now = now or timezone.now()
    period = iso_week(week)
    ytd = Period(dt.date(period.end.year, 1, 1), period.end, "custom")
    tz = timezone.get_current_timezone()
    cutoff = min(now, dt.datetime.combine(period.end, dt.time.max, tzinfo=tz))
    units = report_units(period.end)
    week_scores = scores_for_units(units, period.start, period.end)
    ytd_scores = scores_for_units(units, ytd.start, ytd.end)
    lines: list[UnitLine] = []
    errors: list[str] = []
    # Today's subtrees through the successions (law.md R31): a ward's line counts the
    # dossiers of the old communes and district offices whose records it took.
    from motcua.org.selectors import records_scopes

    scopes = records_scopes(units, period.end)
    for unit in units:
        _rows, w = form06a_for(unit, period, scopes[unit.pk])
        _rows, y = form06a_for(unit, ytd, scopes[unit.pk])
        for label, row in (("tuần", w), ("lũy kế", y)):
            for e in form06a.invariant_errors(row):
                errors.append(f"{unit.code} ({label}): {e}")
        head = head_assignment(unit, period.end)
        lines.append(
            UnitLine(
                unit=unit,
                week=week_scores[unit.pk],
                ytd=ytd_scores[unit.pk],
                week06a=w,
                ytd06a=y,
                head=head.user.full_name if head else "",
            )
        )
    # rank among peers of the same kind (week and year to date)
    for kind in REPORT_KINDS:
        peers = [ln for ln in lines if ln.unit.kind == kind]
        week_rank = _rank(
            [(ln.unit.pk, ln.week.card.total if ln.week.has_data else None) for ln in peers]
        )
        ytd_rank = _rank(
            [(ln.unit.pk, ln.ytd.card.total if ln.ytd.has_data else None) for ln in peers]
        )
        for ln in peers:
            ln.rank = week_rank.get(ln.unit.pk)
            ln.rank_ytd = ytd_rank.get(ln.unit.pk)

    # apology letters issued in the week (Form 04) and their reasons
    start_instant = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    labels = dict(DelayReasonKind.choices)
    apologies = []
    unit_ids = {u.pk for u in units}
    by_unit: dict[int, int] = {}
    for d in (
        Dossier.objects.filter(extended_at__gte=start_instant, extended_at__lte=cutoff)
        .select_related("competent_unit")
        .order_by("competent_unit__code", "extended_at")
    ):
        apologies.append(
            (
                d.competent_unit.name,
                d.code or str(d.pk),
                str(labels.get(d.extension_reason_kind, "—")),
                d.extension_reason,
            )
        )
        for unit_id in unit_ids:
            if d.competent_unit_id in scopes[unit_id]:
                by_unit[unit_id] = by_unit.get(unit_id, 0) + 1
    from motcua.monitoring.apology import late_without_apology

    no_apology = late_without_apology(units, period.start, period.end)
    for ln in lines:
        ln.apologies = by_unit.get(ln.unit.pk, 0)
        ln.late_no_apology = no_apology.get(ln.unit.pk, 0)

    # overdue at the cut-off: open dossiers past their due date after pauses and
    # extensions, not waiting for the citizen (supplement, financial obligation: the
    # clock is stopped and that time is never the officer's, law.md §1.11); a dossier
    # waiting for another body's opinion is listed against that body
    from motcua.monitoring.drilldown import CITIZEN_HOLDS, holder_label

    overdue = []
    qs = (
        Dossier.objects.filter(status__in=OPEN, received_at__lte=cutoff, due_at__lt=cutoff)
        .exclude(status__in=CITIZEN_HOLDS)
        .select_related("procedure_version__procedure", "competent_unit", "assignee")
        .prefetch_related("steps__unit", "steps__assignee")
        .order_by("competent_unit__code", "due_at")
    )
    from motcua.dossiers import deadlines

    rows = list(qs[:500])
    # One calendar lookup for the report's units, not one per overdue dossier.
    calendars = deadlines.calendars_for({d.competent_unit for d in rows}) if rows else {}
    for d in rows:
        step = _responsible_step(d, cutoff)
        officer = (step.assignee if step and step.assignee_id else None) or d.assignee
        attributed = step.unit if step is not None and step.unit_id else d.competent_unit
        due = d.due_at
        days: float | None = None
        if due is not None:
            try:
                days = round(
                    deadlines.working_days_between(
                        d.competent_unit, due, cutoff, cal=calendars.get(d.competent_unit_id)
                    ),
                    1,
                )
            except Exception:  # calendar outside its years: no figure
                days = None
        overdue.append(
            OverdueLine(
                code=d.code or str(d.pk),
                procedure=d.procedure_version.name,
                unit=d.competent_unit.name,
                officer=holder_label(d.status) or getattr(officer, "full_name", "") or "—",
                step=step.name if step else "—",
                due=due,
                days_late=days,
                reason_kind=str(labels.get(d.extension_reason_kind, "Chưa ghi nhận")),
                reason=d.extension_reason,
                unit_code=attributed.code,
                unit_id=attributed.pk,
            )
        )

    # heads ranked on the year-to-date score of their unit while they were head: the
    # Decision 766 groups, which Decree 118 Art. 32(1) names as the legal criteria;
    # Circular 01/2018's 0–2 scale only as an optional internal column (law.md R27)
    from motcua.monitoring.circular01 import UnitFacts, evaluate_unit
    from motcua.monitoring.selectors import circular01_enabled_on

    c01_on = circular01_enabled_on(ytd.end)
    heads: list[HeadLine] = []
    for unit in units:
        for a in heads_history(unit):
            start = max(a.valid_from, ytd.start)
            end = min(a.valid_to or ytd.end, ytd.end)
            if start > end:
                continue
            s = scores_for_units([unit], start, end)[unit.pk]
            c01 = evaluate_unit(s.counts, UnitFacts()) if c01_on and s.has_data else None
            heads.append(
                HeadLine(
                    name=a.user.full_name,
                    unit=unit.name,
                    start=start,
                    end=end,
                    total=s.card.total if s.has_data else None,
                    groups={k: g.score for k, g in s.card.groups.items()} if s.has_data else {},
                    c01_total=c01.total if c01 else None,
                    c01_band=str(c01.band_label) if c01 else "",
                )
            )
    ranks = _rank([(i, h.total) for i, h in enumerate(heads)])
    for i, h in enumerate(heads):
        h.rank = ranks.get(i)
    heads.sort(key=lambda h: (h.rank or 10**6, h.name))

    scheme = (
        "Xếp hạng theo Bộ chỉ số QĐ 766/QĐ-TTg — các nhóm tiêu chí tại Điều 32 khoản 1 "
        "Nghị định 118/2025/NĐ-CP: công khai, minh bạch; tiến độ, kết quả giải quyết; "
        "số hóa hồ sơ; cung cấp dịch vụ công trực tuyến (gồm thanh toán trực tuyến); "
        "mức độ hài lòng."
    )
    c01_scheme = (
        "Cột Thông tư 01/2018/TT-VPCP (thang 0–2): đánh giá nội bộ tùy chọn, không dùng để "
        "xếp hạng."
        if c01_on
        else ""
    )
    from motcua.monitoring.disputes import disputes_for_report

    return WeeklyData(
        disputes=disputes_for_report(period.start, cutoff),
        ranking_scheme=scheme,
        c01_scheme=c01_scheme,
        week=week,
        period=period,
        ytd=ytd,
        generated_at=now,
        lines=lines,
        overdue=overdue,
        apologies=apologies,
        heads=heads,
        totals_week=_sum_rows(ln.week06a for ln in lines if ln.unit.parent_id not in unit_ids),
        totals_ytd=_sum_rows(ln.ytd06a for ln in lines if ln.unit.parent_id not in unit_ids),
        invariant_errors=errors,
    )


# --- rendering ---------------------------------------------------------------------

HEADERS_06A = [
    "Tiếp nhận — Tổng số (3)",
    "Trực tuyến (4)",
    "Trực tiếp, BCCI (5)",
    "Từ kỳ trước (6)",
    "Đã giải quyết — Tổng số (7)",
    "Trước hạn (8)",
    "Đúng hạn (9)",
    "Quá hạn (10)",
    "Đang giải quyết — Tổng số (11)",
    "Trong hạn (12)",
    "Quá hạn (13)",
]
COLOUR_HEX = {
    "green": "#16a34a",
    "yellow": "#facc15",
    "orange": "#f97316",
    "red": "#dc2626",
    "grey": "#9ca3af",
}


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render_weekly_xlsx(data: WeeklyData) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "text_wrap": True, "border": 1, "bg_color": "#e5e7eb"})
    cell = wb.add_format({"border": 1})
    num = wb.add_format({"border": 1, "num_format": "0.00"})
    fills = {
        k: wb.add_format({"border": 1, "num_format": "0.00", "bg_color": v})
        for k, v in COLOUR_HEX.items()
    }
    title = f"BÁO CÁO TUẦN {data.week} ({data.period.start:%d/%m/%Y} – {data.period.end:%d/%m/%Y})"

    ws = wb.add_worksheet("Tổng hợp")
    ws.write(0, 0, title, bold)
    ws.write(
        1,
        0,
        f"Lũy kế từ {data.ytd.start:%d/%m/%Y}; "
        f"lập lúc {timezone.localtime(data.generated_at):%d/%m/%Y %H:%M}",
    )
    header = [
        "Đơn vị",
        "Loại",
        "Người đứng đầu",
        "Điểm 766 (tuần)",
        "Xếp loại",
        "Hạng (tuần)",
        "Điểm 766 (lũy kế)",
        "Hạng (lũy kế)",
        *[f"{g.label} ({g.max:g})" for g in GROUPS],
        "% nộp trực tuyến",
        "% thanh toán trực tuyến",
        "% số hóa",
        "% kết quả điện tử",
        "Phiếu xin lỗi",
        "PAKN tiếp nhận",
        "PAKN đúng hạn",
        "Trễ hạn không xin lỗi",
    ]
    for c, h in enumerate(header):
        ws.write(3, c, h, head)
    for r, ln in enumerate(data.lines, start=4):
        w = ln.week
        colour = w.colour.css_class.removeprefix("level-")
        ws.write(r, 0, ln.unit.name, cell)
        ws.write(r, 1, ln.unit.get_kind_display(), cell)
        ws.write(r, 2, ln.head or "—", cell)
        if w.has_data:
            ws.write_number(r, 3, round(w.card.total, 2), fills.get(colour, num))
        else:
            ws.write(r, 3, "—", cell)
        ws.write(r, 4, str(w.band.label), cell)
        ws.write(r, 5, ln.rank or "—", cell)
        ws.write(r, 6, round(ln.ytd.card.total, 2) if ln.ytd.has_data else "—", num)
        ws.write(r, 7, ln.rank_ytd or "—", cell)
        colours = w.colours()
        for i, g in enumerate(GROUPS):
            gc = colours[f"group:{g.key}"].css_class.removeprefix("level-")
            if w.has_data:
                ws.write_number(r, 8 + i, round(w.card.groups[g.key].score, 2), fills.get(gc, num))
            else:
                ws.write(r, 8 + i, "—", cell)
        base = 8 + len(GROUPS)
        for i, value in enumerate(
            (
                ln.pct(w, "channel_online"),
                ln.pct(w, "paid_online", "fee_obligation"),
                ln.pct(w, "digitised"),
                ln.pct(w, "e_result", "paper_result"),
            )
        ):
            ws.write(r, base + i, round(value, 2) if value is not None else "—", num)
        ws.write(r, base + 4, ln.apologies, cell)
        ws.write(r, base + 5, w.counts.fb_received, cell)
        ws.write(r, base + 6, w.counts.fb_on_time, cell)
        ws.write(r, base + 7, ln.late_no_apology, cell)
    ws.set_column(0, 0, 42)
    ws.set_column(1, len(header), 14)
    ws.freeze_panes(4, 1)

    for sheet_name, attr, total in (
        ("06a tuần", "week06a", data.totals_week),
        ("06a lũy kế", "ytd06a", data.totals_ytd),
    ):
        ws = wb.add_worksheet(sheet_name)
        ws.write(0, 0, "Biểu số II.06a/VPCP/KSTT — Tình hình, kết quả giải quyết TTHC", bold)
        ws.write(1, 0, "Đơn vị tính: số hồ sơ TTHC")
        ws.write(3, 0, "TT (1)", head)
        ws.write(3, 1, "Đơn vị (2)", head)
        for c, h in enumerate(HEADERS_06A, start=2):
            ws.write(3, c, h, head)
        r = 4
        for i, ln in enumerate(data.lines, start=1):
            ws.write(r, 0, i, cell)
            ws.write(r, 1, ln.unit.name, cell)
            for c, v in enumerate(getattr(ln, attr).cells(), start=2):
                ws.write_number(r, c, v, cell)
            r += 1
        ws.write(r, 1, "Tổng cộng (đơn vị cấp trên cùng)", head)
        for c, v in enumerate(total.cells(), start=2):
            ws.write_number(r, c, v, head)
        ws.set_column(1, 1, 42)
        ws.set_column(2, 12, 12)

    ws = wb.add_worksheet("Quá hạn")
    cols = [
        "Mã hồ sơ",
        "Thủ tục",
        "Cơ quan giải quyết",
        "Bước chịu trách nhiệm",
        "Cán bộ",
        "Hẹn trả",
        "Số ngày trễ",
        "Loại lý do",
        "Lý do",
    ]
    for c, h in enumerate(cols):
        ws.write(0, c, h, head)
    for r, o in enumerate(data.overdue, start=1):
        due = timezone.localtime(o.due).strftime("%d/%m/%Y %H:%M") if o.due else "—"
        for c, v in enumerate(
            (
                o.code,
                o.procedure,
                o.unit,
                o.step,
                o.officer,
                due,
                o.days_late if o.days_late is not None else "—",
                o.reason_kind,
                o.reason,
            )
        ):
            ws.write(r, c, v, cell)
    ws.set_column(0, 8, 22)

    ws = wb.add_worksheet("Xin lỗi, hẹn lại")
    for c, h in enumerate(["Đơn vị", "Mã hồ sơ", "Loại lý do", "Lý do"]):
        ws.write(0, c, h, head)
    for r, a in enumerate(data.apologies, start=1):
        for c, v in enumerate(a):
            ws.write(r, c, v, cell)
    ws.set_column(0, 3, 30)

    ws = wb.add_worksheet("Khiếu nại quy trách nhiệm")
    ws.write(0, 0, "Khiếu nại về quy trách nhiệm tuần trước", bold)
    cols = [
        "Báo cáo tuần",
        "Mã hồ sơ",
        "Đơn vị",
        "Người khiếu nại",
        "Lý do khiếu nại",
        "Kết quả",
        "Người quyết định",
        "Lý do quyết định",
    ]
    for c, h in enumerate(cols):
        ws.write(2, c, h, head)
    for r, d in enumerate(data.disputes, start=3):
        for c, v in enumerate(
            (
                d.week,
                d.code,
                d.unit,
                d.raised_by,
                d.reason,
                d.status_label,
                d.decided_by,
                d.decision_reason,
            )
        ):
            ws.write(r, c, v, cell)
    ws.set_column(0, 7, 24)

    ws = wb.add_worksheet("Xếp hạng người đứng đầu")
    ws.write(0, 0, data.ranking_scheme)
    if data.c01_scheme:
        ws.write(1, 0, data.c01_scheme)
    group_cols = [str(g.label) for g in GROUPS]
    cols = ["Hạng", "Người đứng đầu", "Đơn vị", "Từ ngày", "Đến ngày", "Điểm 766", *group_cols]
    if data.c01_scheme:
        cols += ["Điểm TT 01/2018 (nội bộ)", "Xếp loại TT 01/2018"]
    for c, h in enumerate(cols):
        ws.write(3, c, h, head)
    for r, hl in enumerate(data.heads, start=4):
        values: list[Any] = [
            hl.rank or "—",
            hl.name,
            hl.unit,
            f"{hl.start:%d/%m/%Y}",
            f"{hl.end:%d/%m/%Y}",
            round(hl.total, 2) if hl.total is not None else "—",
            *(round(hl.groups[g.key], 2) if g.key in hl.groups else "—" for g in GROUPS),
        ]
        if data.c01_scheme:
            values += [hl.c01_total if hl.c01_total is not None else "—", hl.c01_band or "—"]
        for c, v in enumerate(values):
            ws.write(r, c, v, cell)
    ws.set_column(0, 5, 24)
    wb.close()
    return buffer.getvalue()


def render_weekly_pdf(data: WeeklyData) -> bytes:
    from motcua.documents.rendering import render_pdf

    context = {
        "data": data,
        "groups": GROUPS,
        "headers_06a": HEADERS_06A,
        "issuer": "Văn phòng UBND tỉnh",
        "title": f"Báo cáo tuần {data.week}",
        "place_date": timezone.localtime(data.generated_at).strftime("Ngày %d/%m/%Y"),
        "generated": timezone.localtime(data.generated_at),
    }
    return render_pdf("monitoring/pdf/weekly.html", context)


def render_06a_xlsx(
    unit: OrgUnit, period: Period, rows: list[form06a.Form06aRow], total: form06a.Form06aRow
) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "text_wrap": True, "border": 1, "bg_color": "#e5e7eb"})
    cell = wb.add_format({"border": 1})
    ws = wb.add_worksheet("Biểu II.06a")
    ws.write(0, 0, "Biểu số II.06a/VPCP/KSTT", bold)
    ws.write(1, 0, f"TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI {unit.name.upper()}", bold)
    ws.write(2, 0, f"Kỳ báo cáo: {period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}")
    ws.write(3, 0, "Đơn vị tính: số hồ sơ TTHC")
    ws.write(5, 0, "TT (1)", head)
    ws.write(5, 1, "Lĩnh vực, công việc giải quyết theo cấp (2)", head)
    for c, h in enumerate(HEADERS_06A, start=2):
        ws.write(5, c, h, head)
    r = 6
    for row in rows:
        ws.write(r, 0, row.number, cell)
        ws.write(r, 1, row.group, cell)
        for c, v in enumerate(row.cells(), start=2):
            ws.write_number(r, c, v, cell)
        r += 1
    ws.write(r, 1, "Tổng cộng", head)
    for c, v in enumerate(total.cells(), start=2):
        ws.write_number(r, c, v, head)
    errors = form06a.invariant_errors(total)
    ws.write(r + 2, 0, "Kiểm tra: " + ("đạt" if not errors else "; ".join(errors)))
    ws.set_column(1, 1, 40)
    ws.set_column(2, 12, 12)
    wb.close()
    return buffer.getvalue()


def render_06a_pdf(
    unit: OrgUnit, period: Period, rows: list[form06a.Form06aRow], total: form06a.Form06aRow
) -> bytes:
    from motcua.documents.rendering import render_pdf

    context = {
        "unit": unit,
        "period": period,
        "rows": rows,
        "total": total,
        "errors": form06a.invariant_errors(total),
        "headers_06a": HEADERS_06A,
        "issuer": unit.name,
        "title": "Biểu số II.06a/VPCP/KSTT",
    }
    return render_pdf("monitoring/pdf/form06a.html", context)


# --- archive, signature, e-mail ---------------------------------------------------------


def _sign(pdf: bytes, units: list[OrgUnit]) -> tuple[bytes, str]:
    """Agency signature of the report (Directive 04: "signed digitally by the PPC
    Office") with the first active agency credential of a unit in scope; the report is
    archived unsigned (and says so) when no credential is available."""
    try:
        from motcua.documents.models import SigningCredential
        from motcua.documents.signing import engine
        from motcua.documents.signing.plugins import get_signer_plugin
        from motcua.documents.signing.tsa import get_timestamper

        ids = [u.pk for u in units] + [u.parent_id for u in units if u.parent_id]
        credential = (
            SigningCredential.objects.filter(kind="agency", is_active=True, unit_id__in=ids)
            .select_related("unit")
            .order_by("unit__depth", "pk")
            .first()
        )
        if credential is None:
            return pdf, ""
        with get_signer_plugin(credential.plugin).open(credential) as signer:
            signed, _level = engine.sign_pdf_bytes(
                pdf,
                signer=signer,
                timestamper=get_timestamper(),
                field_name="BaoCaoTuan",
                role="agency",
                stamp=engine.StampText(
                    signer=credential.unit.name if credential.unit else credential.subject,
                    unit=credential.unit.name if credential.unit else "",
                    role_label="Cơ quan (dấu)",
                ),
                reason="Báo cáo tuần (Chỉ thị 04)",
            )
        return signed, credential.subject
    except Exception:  # signing infrastructure unavailable: archive unsigned
        logger.exception("weekly report: could not sign")
        return pdf, ""


def leaders_in_scope(at: dt.date) -> list[Any]:
    from motcua.org.constants import Role
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    rows = (
        StaffAssignment.objects.filter(valid_on(at), role=Role.LEADER)
        .select_related("user")
        .order_by("user__username")
    )
    seen: dict[int, Any] = {}
    for a in rows:
        if a.user.email and a.user.is_active:
            seen.setdefault(a.user.pk, a.user)
    return list(seen.values())


def weekly_report_generate(
    *, week: str, actor: Any = None, now: dt.datetime | None = None, send: bool = True
) -> Any:
    """Build, render, sign and archive the weekly report of `week` (replacing an earlier
    version of the same week), then e-mail it to the leaders in scope. Audited."""
    from django.core.mail import EmailMessage
    from django.db import transaction

    from motcua.monitoring.models import WeeklyReport

    now = now or timezone.now()
    data = build_weekly(week, now)
    # `now` is the cut-off of the figures (a late scheduler slot keeps its own); the
    # report says when it was actually made (issue 18: it showed the slot's date).
    data.generated_at = timezone.now()
    xlsx = render_weekly_xlsx(data)
    unsigned = render_weekly_pdf(data)
    summary = {
        "units": len(data.lines),
        "overdue": len(data.overdue),
        "apologies": len(data.apologies),
        "received_week": data.totals_week["received"],
        "invariant_errors": data.invariant_errors,
    }
    from motcua.monitoring.snapshots import weekly_snapshot_freeze

    with transaction.atomic():
        # frozen, signed and chained (issue 27 point 5, law.md R28a); the archive row
        # below serves the newest version for download, the snapshots stay as they were
        frozen = weekly_snapshot_freeze(data=data, pdf=unsigned, xlsx=xlsx, actor=actor)
        pdf, signer = bytes(frozen.pdf), frozen.signed_by
        summary["snapshot"] = {
            "number": frozen.number,
            "version": frozen.version,
            "hash": frozen.snapshot_hash,
        }
        report, _created = WeeklyReport.objects.update_or_create(
            week=week,
            defaults={
                "start": data.period.start,
                "end": data.period.end,
                "generated_at": data.generated_at,
                "xlsx": xlsx,
                "pdf": pdf,
                "xlsx_sha256": hashlib.sha256(xlsx).hexdigest(),
                "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
                "signed_by": signer,
                "summary": summary,
            },
        )
        from motcua.core.audit import audit_record

        audit_record(
            action="monitoring.weekly_report_generate",
            actor=actor,
            obj=report,
            after={"week": week, "pdf_sha256": report.pdf_sha256, "signed_by": signer},
        )
    if send:
        leaders = leaders_in_scope(data.period.end)
        if leaders:
            message = EmailMessage(
                subject=f"Báo cáo tuần {week} — tình hình giải quyết TTHC",
                body=(
                    f"Kính gửi lãnh đạo,\n\nBáo cáo tuần {week} "
                    f"({data.period.start:%d/%m/%Y} – {data.period.end:%d/%m/%Y}) đính kèm."
                    "\n\nHệ thống Một cửa điện tử"
                ),
                to=[u.email for u in leaders],
            )
            message.attach(f"bao-cao-tuan-{week}.pdf", pdf, "application/pdf")
            message.attach(
                f"bao-cao-tuan-{week}.xlsx",
                xlsx,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            try:
                message.send()
            except OSError:  # mail server down: the report stays archived
                logger.exception("weekly report: e-mail failed")
                return report
            report.emailed_to = [u.email for u in leaders]
            report.save(update_fields=["emailed_to"])
    return report


def weekly_report_hook(slot: dt.datetime) -> Any:
    """Scheduler hook ("weekly-report", Friday — time configured in
    motcua.config.schedules): the report of the week containing the slot. Idempotent:
    a week already archived is not generated again."""
    from motcua.monitoring.models import WeeklyReport

    week = week_of(timezone.localtime(slot).date())
    if WeeklyReport.objects.filter(week=week).exists():
        return None
    return weekly_report_generate(week=week, now=slot)
