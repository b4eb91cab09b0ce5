"""Deadline maths on a working-day calendar — pure, no ORM (design.md §2).

Rules implemented (law.md §1.11, §9, §14.3 R9–R16):

* Working week Monday–Friday; statutory holidays, compensatory days, swaps and working
  Saturdays come in as data (`days_off`, `working_days`), built by `selectors`.
* **Working clock.** Every moment maps to a position on a clock that only ticks during
  office hours (default 07:30–11:30 and 13:00–17:00 = 8 h a working day). A moment
  outside office hours (evening, lunch, weekend, holiday) sits at the start of the
  next working period, so reception outside office hours counts from there (law.md
  R11; no article found in either decree: a setting-free reading that protects the
  applicant, law.md §5).
* **A duration of N working days ends at the same working-clock time N working days
  later** (received Friday 13/02/2026 16:00 + 3 working days → Wednesday 25/02/2026
  16:00, Tết 16–20/02 skipped). The law counts whole working days (law.md §1.11(1))
  but does not say at what hour the last day ends; this convention is exact, additive
  (adding a then b = adding a+b) and equals "end of the N-th day" for a dossier
  received at the opening of a working day. A position on a day boundary maps to the
  close of the earlier working day (17:00), never to 07:30 of the next one.
* N working hours: the same clock, in hours.
* Same-day procedures (Decree 23/2015 Art. 7; law.md R10): received before the cut-off
  (15:00 by default) on a working day → due at that day's close; at or after the
  cut-off, or outside working days → close of the next working day. (Decree 61/2018
  Art. 18(2) is the 15:00 rule for transferring paper dossiers: `paper_transfer_due`.)
* Calendar days and months (law.md R10a): from the effective start, same clock time
  N days/months later; a last day that is a day off ends at the next working day's
  close.
* Supplement pauses (R12): `RESTART` recounts the whole duration from the moment the
  complete supplement arrives (Decree 61/2018 Art. 19(4), default); `SUBTRACT` adds the
  paused working time to the original deadline (Decision 766/QĐ-TTg indicator 2.1).
* Extension with apology (Decree 61 Art. 19(9), R14): at most once, requested at least
  1 working day before the deadline.

Speed: the calendar precomputes, for its year range, a day-indexed prefix count of
working days and the list of working dates, so converting a moment to a clock
position and back is O(1) array arithmetic; only the explanation walks days.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# Translation only (no ORM): texts are Vietnamese, the source language.
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = 86400

SATURDAY_REASON = _lazy("Thứ Bảy — nghỉ hằng tuần")
SUNDAY_REASON = _lazy("Chủ nhật — nghỉ hằng tuần")
SATURDAY_RECEPTION_REASON = _lazy(
    "Thứ Bảy — nghỉ hằng tuần (có tiếp nhận hồ sơ nhưng không tính là ngày làm việc)"
)


class CalendarError(ValueError):
    """A computation the calendar cannot do (outside its year range, bad input)."""


class ExtensionError(ValueError):
    """An extension that Decree 61 Art. 19(9) does not allow."""


class PausePolicy(enum.StrEnum):
    RESTART = "restart"  # Decree 61/2018 Art. 19(4): recount from zero (default)
    SUBTRACT = "subtract"  # Decision 766/QĐ-TTg: paused time does not count


class DurationUnit(enum.StrEnum):
    WORKING_DAYS = "days"
    WORKING_HOURS = "hours"
    WORKING_MINUTES = "minutes"
    SAME_DAY = "same_day"


class Status(enum.StrEnum):
    """Derived flag of a dossier or step (R16); colours live in `constants.STATUS_LEVEL`."""

    WITHIN = "within"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"


@dataclass(frozen=True)
class Duration:
    unit: DurationUnit
    amount: int = 0

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise CalendarError(_("Thời hạn không được âm"))

    @classmethod
    def days(cls, n: int) -> Duration:
        return cls(DurationUnit.WORKING_DAYS, n)

    @classmethod
    def hours(cls, n: int) -> Duration:
        return cls(DurationUnit.WORKING_HOURS, n)

    @classmethod
    def minutes(cls, n: int) -> Duration:
        """Fractions of an hour or of a day (0.5 day, 0.25 hour) of a process step."""
        return cls(DurationUnit.WORKING_MINUTES, n)

    @classmethod
    def same_day(cls) -> Duration:
        return cls(DurationUnit.SAME_DAY, 0)


@dataclass(frozen=True)
class Pause:
    """Supplement requested at `start`, received at `end` (None: still waiting)."""

    start: dt.datetime
    end: dt.datetime | None = None


@dataclass(frozen=True)
class OfficeHours:
    """Working periods of a day as (start, end) times; default 07:30–11:30, 13:00–17:00."""

    periods: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(7, 30), dt.time(11, 30)),
        (dt.time(13, 0), dt.time(17, 0)),
    )
    same_day_cutoff: dt.time = dt.time(15, 0)

    def __post_init__(self) -> None:
        previous = dt.time(0, 0)
        if not self.periods:
            raise CalendarError(_("Cần ít nhất một khoảng giờ làm việc"))
        for start, end in self.periods:
            if not (previous <= start < end):
                raise CalendarError(_("Các khoảng giờ làm việc phải tăng dần, không chồng nhau"))
            previous = end


def _secs(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class ExplanationLine:
    day: dt.date
    counted: bool
    reason: str
    worked_seconds: int = 0
    legal_basis: str = ""

    @property
    def text(self) -> str:
        return f"{self.day:%d/%m/%Y} — {self.reason}"


@dataclass(frozen=True)
class Explanation:
    """Why a due moment is what it is: notes on the rules applied, then day by day."""

    start: dt.datetime
    due: dt.datetime
    duration: Duration
    notes: tuple[str, ...]
    lines: tuple[ExplanationLine, ...]

    @property
    def counted_days(self) -> int:
        return sum(1 for line in self.lines if line.counted)

    @property
    def skipped(self) -> tuple[ExplanationLine, ...]:
        return tuple(line for line in self.lines if not line.counted)

    def as_text(self) -> list[str]:
        return [*self.notes, *(line.text for line in self.lines)]


def to_local(moment: dt.datetime) -> dt.datetime:
    """An aware moment in Asia/Ho_Chi_Minh; a naive one is read as local time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TZ)
    return moment.astimezone(TZ)


def format_moment(moment: dt.datetime) -> str:
    return f"{to_local(moment):%H:%M %d/%m/%Y}"


def format_seconds(seconds: int) -> str:
    hours, rest = divmod(abs(seconds), 3600)
    parts = [_("%(n)s giờ") % {"n": hours}] if hours else []
    if rest // 60 or not hours:
        parts.append(_("%(n)s phút") % {"n": rest // 60})
    text = " ".join(parts)
    return f"-{text}" if seconds < 0 else text


class WorkCalendar:
    """Working days of one unit over `[first_year, last_year]` with O(1) clock maths."""

    def __init__(
        self,
        *,
        first_year: int,
        last_year: int,
        days_off: dict[dt.date, str] | None = None,
        working_days: dict[dt.date, str] | None = None,
        legal_bases: dict[dt.date, str] | None = None,
        office_hours: OfficeHours | None = None,
        receives_on_saturday: bool = False,
        version: int = 0,
    ) -> None:
        if last_year < first_year:
            raise CalendarError(_("Khoảng năm không hợp lệ"))
        self.first_year = first_year
        self.last_year = last_year
        self.office_hours = office_hours or OfficeHours()
        self.receives_on_saturday = receives_on_saturday
        self.version = version
        self._periods = tuple((_secs(a), _secs(b)) for a, b in self.office_hours.periods)
        self.day_seconds = sum(b - a for a, b in self._periods)
        self._open = self._periods[0][0]
        self._close = self._periods[-1][1]
        self._cutoff = _secs(self.office_hours.same_day_cutoff)
        days_off = days_off or {}
        working_days = working_days or {}

        first = dt.date(first_year, 1, 1)
        self._base = first.toordinal()
        n_days = dt.date(last_year, 12, 31).toordinal() - self._base + 1
        self._reasons: dict[int, str] = {}
        self._work_reasons: dict[int, str] = {}
        self._bases = {
            day.toordinal() - self._base: text for day, text in (legal_bases or {}).items()
        }
        # _cum[i] = number of working days strictly before day i; _work[k] = day index of
        # the k-th working day. Both make position <-> moment conversions O(1).
        self._is_work = bytearray(n_days)
        self._cum = [0] * (n_days + 1)
        self._work: list[int] = []
        for i in range(n_days):
            day = dt.date.fromordinal(self._base + i)
            if day in working_days:
                working = True
                self._work_reasons[i] = working_days[day]
            elif day in days_off:
                working = False
                self._reasons[i] = days_off[day]
            elif day.weekday() >= 5:
                working = False  # reason given by reason(), translated when read
            else:
                working = True
            self._is_work[i] = working
            self._cum[i + 1] = self._cum[i] + working
            if working:
                self._work.append(i)
        if not self._work:
            raise CalendarError(_("Lịch không có ngày làm việc nào"))
        self._n_days = n_days
        # Aware midnights of the working days: moment() adds the clock time to them.
        self._midnights = [
            dt.datetime.combine(dt.date.fromordinal(self._base + i), dt.time(0), tzinfo=TZ)
            for i in self._work
        ]
        self._unit_seconds = {
            DurationUnit.WORKING_DAYS: self.day_seconds,
            DurationUnit.WORKING_HOURS: 3600,
            DurationUnit.WORKING_MINUTES: 60,
        }

    # --- days ---------------------------------------------------------------
    def _index(self, day: dt.date) -> int:
        i = day.toordinal() - self._base
        if not 0 <= i < len(self._is_work):
            raise CalendarError(
                _("Ngày %(day)s nằm ngoài lịch %(first)s–%(last)s")
                % {"day": f"{day:%d/%m/%Y}", "first": self.first_year, "last": self.last_year}
            )
        return i

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self._is_work[self._index(day)])

    def reason(self, day: dt.date) -> str:
        """Why a day is off (or, for a swapped working day, why it is worked)."""
        i = self._index(day)
        if i in self._reasons:
            return self._reasons[i]
        if i in self._work_reasons:
            return self._work_reasons[i]
        if day.weekday() == 5:
            return str(SATURDAY_RECEPTION_REASON if self.receives_on_saturday else SATURDAY_REASON)
        return str(SUNDAY_REASON) if day.weekday() == 6 else ""

    def legal_basis(self, day: dt.date) -> str:
        return self._bases.get(self._index(day), "")

    def working_days_between(self, first: dt.date, last: dt.date) -> int:
        """Working days in [first, last]."""
        return self._cum[self._index(last) + 1] - self._cum[self._index(first)]

    def next_working_day(self, day: dt.date, n: int = 1) -> dt.date:
        """The n-th working day after `day` (n >= 1)."""
        k = self._cum[self._index(day) + 1] + n - 1
        return self._day_of(k)

    def _day_of(self, k: int) -> dt.date:
        if not 0 <= k < len(self._work):
            raise CalendarError(
                _("Vượt quá phạm vi lịch %(first)s–%(last)s")
                % {"first": self.first_year, "last": self.last_year}
            )
        return dt.date.fromordinal(self._base + self._work[k])

    # --- working clock ------------------------------------------------------
    def position(self, moment: dt.datetime) -> int:
        """Working seconds elapsed since the calendar's first working day opened."""
        if moment.tzinfo is not TZ:
            moment = to_local(moment)
        i = moment.toordinal() - self._base
        if not 0 <= i < self._n_days:
            self._index(moment.date())  # raises CalendarError
        if not self._is_work[i]:
            return self._cum[i] * self.day_seconds
        t = moment.hour * 3600 + moment.minute * 60 + moment.second
        elapsed = 0
        for start, end in self._periods:
            if t <= start:
                break
            elapsed += (t if t < end else end) - start
        return self._cum[i] * self.day_seconds + elapsed

    def moment(self, position: int) -> dt.datetime:
        """Inverse of `position`; a day boundary maps to the close of the earlier day."""
        k, rest = divmod(position, self.day_seconds)
        if rest == 0 and k > 0:
            k, rest = k - 1, self.day_seconds
        if not 0 <= k < len(self._work):
            self._day_of(k)  # raises CalendarError
        t = rest
        for start, end in self._periods:
            if rest <= end - start:
                t = start + rest
                break
            rest -= end - start
        return self._midnights[k] + dt.timedelta(seconds=t)

    def effective_start(self, moment: dt.datetime) -> dt.datetime:
        """When the clock actually starts for a reception at `moment` (R11): the moment
        itself inside office hours, else the opening of the next working period."""
        k, rest = divmod(self.position(moment), self.day_seconds)
        day = self._day_of(k)
        t = self._open
        for start, end in self._periods:
            if rest < end - start:
                t = start + rest
                break
            rest -= end - start
        return dt.datetime(day.year, day.month, day.day, t // 3600, t // 60 % 60, t % 60, tzinfo=TZ)

    def close_of(self, day: dt.date) -> dt.datetime:
        t = self._close
        return dt.datetime(day.year, day.month, day.day, t // 3600, t // 60 % 60, t % 60, tzinfo=TZ)

    # --- deadlines ----------------------------------------------------------
    def add(self, start: dt.datetime, duration: Duration) -> dt.datetime:
        """Due moment of `duration` counted from `start` (no pauses)."""
        if duration.unit == DurationUnit.SAME_DAY:
            return self._same_day(start)
        return self.moment(self.position(start) + self._seconds(duration))

    def add_working_days(self, start: dt.datetime, n: int) -> dt.datetime:
        return self.add(start, Duration.days(n))

    def add_working_hours(self, start: dt.datetime, n: int) -> dt.datetime:
        return self.add(start, Duration.hours(n))

    def _seconds(self, duration: Duration) -> int:
        unit_seconds = self._unit_seconds.get(duration.unit)
        if unit_seconds is None:
            raise CalendarError(_("Thủ tục trong ngày không có độ dài cố định"))
        return duration.amount * unit_seconds

    def _same_day(self, start: dt.datetime) -> dt.datetime:
        local = to_local(start)
        i = self._index(local.date())
        t = local.hour * 3600 + local.minute * 60 + local.second
        if self._is_work[i] and t < self._cutoff:
            return self.close_of(local.date())
        # At/after 15:00 or on a day off: close of the next working day (Decree 23/2015
        # Art. 7; on a day off the next working day is the reception day itself).
        return self.close_of(self._day_of(self._cum[i + 1]))

    @property
    def same_day_window_seconds(self) -> int:
        """Working time between the same-day cut-off and the close: what is left for a
        same-day dossier received just before the cut-off (2 h by default), so the
        longest internal process a same-day procedure may have (law.md R10)."""
        return sum(max(0, end - max(start, self._cutoff)) for start, end in self._periods)

    def add_calendar_days(
        self, start: dt.datetime, days: int, *, end_of_day: bool = False
    ) -> dt.datetime:
        """A limit in calendar days ("ngày"), law.md R10a: counted from the effective
        start (after-hours reception counts from the next working period, R11), ending
        at the same clock time `days` calendar days later (`end_of_day`: at the close of
        that day, law.md §15 Q4); a limit whose last day is a day off ends at the close
        of the next working day."""
        begin = self.effective_start(start)
        return self._civil_end(begin + dt.timedelta(days=days), end_of_day)

    def add_months(
        self, start: dt.datetime, months: int, *, end_of_day: bool = False
    ) -> dt.datetime:
        """A limit in months, law.md R10a: the same day of the month `months` later (the
        month's last day when it has no such day), then as `add_calendar_days`."""
        begin = self.effective_start(start)
        year, month = divmod(begin.month - 1 + months, 12)
        year += begin.year
        month += 1
        day = min(begin.day, calendar_module.monthrange(year, month)[1])
        return self._civil_end(begin.replace(year=year, month=month, day=day), end_of_day)

    def _civil_end(self, end: dt.datetime, end_of_day: bool) -> dt.datetime:
        if not self.is_working_day(end.date()):
            return self.close_of(self.next_working_day(end.date()))
        return self.close_of(end.date()) if end_of_day else end

    def paper_transfer_due(
        self, received: dt.datetime, *, across_levels: bool = False
    ) -> dt.datetime:
        """When a paper dossier received at the counter must reach the competent body
        (law.md R10b): the same working day, or the opening of the next working day when
        received at or after the 15:00 cut-off or outside a working day (Decree 61/2018
        Art. 18(2); Decree 118/2025 Art. 18(2)); to a body of another level within
        1 working day (Decree 118/2025 Art. 20(1)(a))."""
        local = to_local(received)
        if across_levels:
            return self.add(local, Duration.days(1))
        i = self._index(local.date())
        t = local.hour * 3600 + local.minute * 60 + local.second
        if self._is_work[i] and t < self._cutoff:
            return self.close_of(local.date())
        day = self._day_of(self._cum[i + 1])
        opening = self._open
        return dt.datetime(
            day.year, day.month, day.day, opening // 3600, opening // 60 % 60, tzinfo=TZ
        )

    def due(
        self,
        start: dt.datetime,
        duration: Duration,
        pauses: Sequence[Pause] = (),
        policy: PausePolicy = PausePolicy.RESTART,
    ) -> dt.datetime | None:
        """Due moment with supplement pauses; None while a pause is still open."""
        if not pauses:
            return self.add(start, duration)
        pauses = sorted(pauses, key=lambda p: to_local(p.start))
        if any(p.end is None for p in pauses):
            return None
        if not pauses:
            return self.add(start, duration)
        if policy == PausePolicy.RESTART:
            # Decree 61/2018 Art. 19(4): "thời hạn giải quyết được tính lại từ đầu".
            last_end = max(to_local(p.end) for p in pauses if p.end is not None)
            return self.add(last_end, duration)
        due = self.add(start, duration)
        return self.moment(self.position(due) + self.paused_seconds(pauses))

    def paused_seconds(self, pauses: Iterable[Pause], now: dt.datetime | None = None) -> int:
        """Working time spent waiting for supplements (open pauses end at `now`)."""
        total = 0
        for pause in pauses:
            end = pause.end or now
            if end is None:
                continue
            total += max(0, self.position(end) - self.position(pause.start))
        return total

    def step_deadlines(
        self, start: dt.datetime, steps: Sequence[Duration], total: Duration | None = None
    ) -> list[dt.datetime]:
        """Due moment of each step of an internal process (Circular 01/2018 Art. 8),
        steps following each other from `start`; with `total`, the steps must fit
        inside the dossier's legal deadline."""
        dues: list[dt.datetime] = []
        position = self.position(start)
        for step in steps:
            if step.unit == DurationUnit.SAME_DAY:
                due = self._same_day(self.moment(position))
                position = self.position(due)
            else:
                position += self._seconds(step)
                due = self.moment(position)
            dues.append(due)
        if total is not None and dues and dues[-1] > self.add(start, total):
            raise CalendarError(_("Tổng thời hạn các bước vượt quá thời hạn giải quyết"))
        return dues

    def remaining_seconds(self, now: dt.datetime, due: dt.datetime) -> int:
        """Working time left until `due` (negative when overdue)."""
        return self.position(due) - self.position(now)

    def status(self, now: dt.datetime, due: dt.datetime | None, *, paused: bool = False) -> Status:
        """Within time / due within 1 working day / overdue (R16)."""
        if paused or due is None:
            return Status.PAUSED
        if to_local(now) > to_local(due):
            return Status.OVERDUE
        if self.remaining_seconds(now, due) <= self.day_seconds:
            return Status.DUE_SOON
        return Status.WITHIN

    def extend(
        self,
        *,
        original_due: dt.datetime,
        new_due: dt.datetime,
        requested_at: dt.datetime,
        already_extended: bool,
    ) -> dt.datetime:
        """Validate an extension with a new appointment (Decree 61/2018 Art. 19(9))."""
        if already_extended:
            raise ExtensionError(_("Chỉ được hẹn lại ngày trả kết quả một lần"))
        if to_local(new_due) <= to_local(original_due):
            raise ExtensionError(_("Ngày hẹn mới phải sau ngày hẹn cũ"))
        # "chậm nhất 01 ngày trước ngày hết hạn": enforced as 1 working day (R14).
        if self.remaining_seconds(requested_at, original_due) < self.day_seconds:
            raise ExtensionError(_("Phải đề nghị gia hạn chậm nhất 01 ngày làm việc trước hạn"))
        return to_local(new_due)

    # --- explanation --------------------------------------------------------
    def explain(
        self,
        start: dt.datetime,
        duration: Duration,
        pauses: Sequence[Pause] = (),
        policy: PausePolicy = PausePolicy.RESTART,
    ) -> Explanation:
        """The due moment with the rules applied and every day counted or skipped."""
        due = self.due(start, duration, pauses, policy)
        if due is None:
            raise CalendarError(_("Hồ sơ đang chờ bổ sung: chưa có hạn giải quyết."))
        local = to_local(start)
        count_from = local
        notes = [_("Tiếp nhận lúc %(moment)s.") % {"moment": format_moment(local)}]
        if pauses and policy == PausePolicy.RESTART:
            count_from = max(to_local(p.end) for p in pauses if p.end is not None)
            notes.append(
                _(
                    "Nhận đủ hồ sơ bổ sung lúc %(moment)s: thời hạn được tính lại từ đầu "
                    "(Nghị định 61/2018/NĐ-CP, Điều 19 khoản 4)."
                )
                % {"moment": format_moment(count_from)}
            )
        elif pauses:
            notes.append(
                _("Thời gian chờ bổ sung không tính: %(time)s làm việc (Quyết định 766/QĐ-TTg).")
                % {"time": format_seconds(self.paused_seconds(pauses))}
            )
        notes += self._rule_notes(count_from, duration)
        notes.append(_("Hạn trả kết quả: %(moment)s.") % {"moment": format_moment(due)})
        lines = self._explain_days(local, count_from, due, pauses, policy)
        return Explanation(local, due, duration, tuple(notes), tuple(lines))

    def _rule_notes(self, count_from: dt.datetime, duration: Duration) -> list[str]:
        if duration.unit == DurationUnit.SAME_DAY:
            t = count_from.hour * 3600 + count_from.minute * 60
            if t >= self._cutoff or not self.is_working_day(count_from.date()):
                return [
                    _(
                        "Thủ tục giải quyết trong ngày: nhận từ %(cutoff)s hoặc ngoài ngày "
                        "làm việc thì trả kết quả trong ngày làm việc tiếp theo."
                    )
                    % {"cutoff": f"{self.office_hours.same_day_cutoff:%H:%M}"}
                ]
            return [_("Thủ tục giải quyết trong ngày: trả kết quả trong ngày tiếp nhận.")]
        notes = []
        effective = self.effective_start(count_from)
        if effective != count_from.replace(microsecond=0):
            notes.append(
                _("Ngoài giờ làm việc: bắt đầu tính từ %(moment)s.")
                % {"moment": format_moment(effective)}
            )
        if duration.unit == DurationUnit.WORKING_DAYS:
            text = _(
                "Thời hạn %(n)s ngày làm việc, kết thúc vào cùng giờ làm việc của ngày "
                "làm việc thứ %(n)s."
            )
        elif duration.unit == DurationUnit.WORKING_MINUTES:
            text = _("Thời hạn %(n)s phút làm việc.")
        else:
            text = _("Thời hạn %(n)s giờ làm việc.")
        notes.append(text % {"n": duration.amount})
        return notes

    def _explain_days(
        self,
        local: dt.datetime,
        count_from: dt.datetime,
        due: dt.datetime,
        pauses: Sequence[Pause],
        policy: PausePolicy,
    ) -> list[ExplanationLine]:
        lines: list[ExplanationLine] = []
        start_pos = self.position(count_from)
        due_pos = self.position(due)
        paused = [
            (self.position(p.start), self.position(p.end))
            for p in pauses
            if p.end is not None and policy == PausePolicy.SUBTRACT
        ]
        day = min(local.date(), count_from.date())
        ordinal = 0
        while day <= due.date():
            i = self._index(day)
            basis = self._bases.get(i, "")
            if not self._is_work[i]:
                text = _("không tính: %(reason)s") % {"reason": self.reason(day)}
                lines.append(ExplanationLine(day, False, text, 0, basis))
                day += dt.timedelta(days=1)
                continue
            lo = max(start_pos, self._cum[i] * self.day_seconds)
            hi = min(due_pos, (self._cum[i] + 1) * self.day_seconds)
            waited = sum(max(0, min(hi, b) - max(lo, a)) for a, b in paused)
            worked = max(0, hi - lo) - waited
            if day < count_from.date():
                text, worked = _("trước khi tính lại thời hạn (chờ bổ sung hồ sơ)"), 0
            elif worked <= 0 and day == count_from.date():
                text = _("ngày tiếp nhận — ngoài giờ làm việc, không tính")
            elif day == count_from.date():
                text = _("ngày bắt đầu tính, tính %(time)s") % {"time": format_seconds(worked)}
            else:
                ordinal += 1
                text = _("ngày làm việc thứ %(n)s, tính %(time)s") % {
                    "n": ordinal,
                    "time": format_seconds(worked),
                }
            if day == due.date():
                text += _(" — hạn trả kết quả %(time)s") % {"time": f"{due:%H:%M}"}
            if i in self._work_reasons:
                text += f" ({self._work_reasons[i]})"
            if waited:
                text += _("; không tính %(time)s chờ bổ sung") % {"time": format_seconds(waited)}
            lines.append(ExplanationLine(day, worked > 0, text, max(worked, 0), basis))
            day += dt.timedelta(days=1)
        return lines


@dataclass(frozen=True)
class IssuedAppointment:
    """An appointment already given to a citizen, as seen by the recompute check."""

    id: str
    start: dt.datetime
    duration: Duration
    issued_due: dt.datetime
    pauses: tuple[Pause, ...] = ()
    policy: PausePolicy = PausePolicy.RESTART
    unit_code: str | None = None
    label: str = ""


@dataclass(frozen=True)
class AppointmentChange:
    appointment: IssuedAppointment
    new_due: dt.datetime
    extra: dict[str, str] = field(default_factory=dict)


def changed_appointments(
    calendar: WorkCalendar, appointments: Iterable[IssuedAppointment]
) -> list[AppointmentChange]:
    """Appointments whose due moment would differ under `calendar` (pure). Items still
    waiting for a supplement have no running deadline and are left out: their new
    appointment is computed when the supplement arrives."""
    changes = []
    for item in appointments:
        new_due = calendar.due(item.start, item.duration, item.pauses, item.policy)
        if new_due is not None and new_due != item.issued_due:  # aware: compares instants
            changes.append(AppointmentChange(item, new_due))
    return changes
