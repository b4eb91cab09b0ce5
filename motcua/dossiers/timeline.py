"""The citizen's plain-language timeline (issue 26 point 5; law.md R16b): where the
dossier is now, who holds it (a unit and a role, never an officer's name), the working
days left until the appointment (or how late it is, honestly; a paused clock while the
applicant is asked for something), what the applicant must do now and the next step.

Derived from the state machine (dossiers/workflow.py): the role that holds a dossier in
a state is the role the transition table lets act on the main path out of it, and the
"next step" is that transition. The unit is refined by the active process step played by
that role (a step may sit at a fixed unit); otherwise it is the competent unit for the
processing roles and the receiving (one-stop) unit for the counter. Working time is
counted on the receiving unit's calendar, as the appointment itself (R10, R16).

Read-only: one query for the active steps (prefetched on the dossier page), plus the
supplement-closing moment while a supplement is awaited (R12a).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from motcua.dossiers import deadlines
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import DossierStatus, StepStatus
from motcua.org.constants import Role
from motcua.workdays import calendar as wdcal

S = DossierStatus
APPLICANT_HOLDS = "applicant"

# The main path out of each state (the action that normally comes next) and the role
# that holds the dossier until then. The tests check each pair against the transition
# table (the action leaves the state and the role may take it).
MAIN_PATH: dict[str, tuple[str, str]] = {
    S.SUBMITTED: ("receive", Role.RECEPTIONIST),
    S.RETURNED_FOR_COMPLETION: ("resubmit", APPLICANT_HOLDS),
    S.RECEIVED: ("assign", Role.LEADER),
    S.IN_PROCESS: ("submit_for_approval", Role.SPECIALIST),
    S.IN_CONSULTATION: ("end_consultation", Role.SPECIALIST),
    S.SUPPLEMENT_REQUESTED: ("supplement_provided", APPLICANT_HOLDS),
    S.PAYMENT_REQUESTED: ("payment_fulfilled", APPLICANT_HOLDS),
    S.AWAITING_APPROVAL: ("approve", Role.LEADER),
    S.APPROVED: ("issue_result", Role.CLERK),
    S.RESOLVED: ("return_result", Role.RECEPTIONIST),
}

# "Where is my dossier", one short sentence per state.
STAGE: dict[str, Any] = {
    S.SUBMITTED: _lazy("Hồ sơ đã nộp, đang chờ bộ phận một cửa kiểm tra để tiếp nhận"),
    S.RETURNED_FOR_COMPLETION: _lazy(
        "Hồ sơ chưa được tiếp nhận vì còn thiếu hoặc chưa đúng giấy tờ"
    ),
    S.REJECTED_AT_RECEPTION: _lazy("Hồ sơ không được tiếp nhận"),
    S.RECEIVED: _lazy("Hồ sơ đã được tiếp nhận, đang chờ phân công người thẩm định"),
    S.IN_PROCESS: _lazy("Hồ sơ đang được thẩm định"),
    S.IN_CONSULTATION: _lazy("Hồ sơ đang được lấy ý kiến của cơ quan liên quan"),
    S.SUPPLEMENT_REQUESTED: _lazy("Hồ sơ đang chờ bạn bổ sung giấy tờ"),
    S.PAYMENT_REQUESTED: _lazy("Hồ sơ đang chờ bạn nộp thuế, phí, lệ phí"),
    S.AWAITING_APPROVAL: _lazy("Hồ sơ đang chờ lãnh đạo phê duyệt"),
    S.APPROVED: _lazy("Kết quả đã được phê duyệt, đang chờ đóng dấu và ban hành"),
    S.RESOLVED: _lazy("Đã có kết quả, đang chờ bạn nhận"),
    S.RESULT_RETURNED: _lazy("Hồ sơ đã hoàn thành, bạn đã nhận kết quả"),
    S.WITHDRAWN: _lazy("Hồ sơ đã kết thúc: bạn đã rút hồ sơ"),
    S.REFUSED: _lazy("Cơ quan có thẩm quyền đã từ chối giải quyết hồ sơ"),
    S.CLOSED_UNSUPPLEMENTED: _lazy("Hồ sơ đã bị đóng vì không được bổ sung trong thời hạn"),
    S.STOPPED: _lazy("Hồ sơ đã kết thúc: đã dừng giải quyết theo yêu cầu của bạn"),
}

# What comes next, per main-path action.
NEXT_STEP: dict[str, Any] = {
    "receive": _lazy("Bộ phận một cửa kiểm tra giấy tờ, tiếp nhận hồ sơ và hẹn ngày trả kết quả"),
    "resubmit": _lazy("Bạn nộp lại hồ sơ đã bổ sung; bộ phận một cửa kiểm tra và tiếp nhận"),
    "assign": _lazy("Lãnh đạo phân công chuyên viên thẩm định hồ sơ"),
    "submit_for_approval": _lazy("Chuyên viên thẩm định xong và trình lãnh đạo phê duyệt"),
    "end_consultation": _lazy(
        "Khi có ý kiến của cơ quan liên quan, chuyên viên tiếp tục thẩm định"
    ),
    "supplement_provided": _lazy(
        "Khi nhận đủ giấy tờ bổ sung, cơ quan tiếp tục giải quyết và tính lại ngày hẹn trả"
    ),
    "payment_fulfilled": _lazy(
        "Khi khoản nộp được ghi nhận, cơ quan tiếp tục giải quyết; thời gian chờ không tính"
        " vào thời hạn"
    ),
    "approve": _lazy("Lãnh đạo ký duyệt kết quả"),
    "issue_result": _lazy("Văn thư vào số, đóng dấu và ban hành kết quả"),
    "return_result": _lazy("Bộ phận một cửa trả kết quả cho bạn"),
}

# Who holds it, in words a citizen uses (a role, not a person).
ROLE_WORDS: dict[str, Any] = {
    Role.RECEPTIONIST: _lazy("Bộ phận một cửa (cán bộ tiếp nhận và trả kết quả)"),
    Role.SPECIALIST: _lazy("Chuyên viên thẩm định"),
    Role.LEADER: _lazy("Lãnh đạo"),
    Role.CLERK: _lazy("Văn thư"),
}

# What the applicant must do now.
TODO: dict[str, tuple[str, Any]] = {
    S.RETURNED_FOR_COMPLETION: (
        "supplement",
        _lazy("Bổ sung, hoàn thiện giấy tờ theo hướng dẫn rồi nộp lại hồ sơ."),
    ),
    S.SUPPLEMENT_REQUESTED: ("supplement", _lazy("Bổ sung giấy tờ theo yêu cầu của cơ quan.")),
    S.PAYMENT_REQUESTED: (
        "payment",
        _lazy("Nộp thuế, phí, lệ phí theo thông báo của cơ quan."),
    ),
    S.RESOLVED: (
        "collect",
        _lazy(
            "Nhận kết quả: bản điện tử trong mục Hồ sơ của tôi trên Cổng dịch vụ công,"
            " hoặc bản giấy tại %(unit)s."
        ),
    ),
    S.REJECTED_AT_RECEPTION: ("new", _lazy("Xem lý do; nếu cần, bạn có thể nộp hồ sơ mới.")),
    S.CLOSED_UNSUPPLEMENTED: ("new", _lazy("Nếu vẫn cần giải quyết, bạn phải nộp hồ sơ mới.")),
}
NOTHING_TO_DO = _lazy("Bạn không cần làm gì lúc này.")


@dataclass(frozen=True)
class Holder:
    """Who holds the dossier: a role and a unit (no officer's name, R16b)."""

    role: str  # a Role value, or APPLICANT_HOLDS
    role_label: str
    unit_name: str = ""

    @property
    def text(self) -> str:
        if self.role == APPLICANT_HOLDS:
            return self.role_label
        if not self.unit_name:
            return self.role_label
        return _("%(role)s — %(unit)s") % {"role": self.role_label, "unit": self.unit_name}

    @property
    def spoken(self) -> str:
        """The same for the speech synthesis (a dash is not read out)."""
        if self.role == APPLICANT_HOLDS or not self.unit_name:
            return self.role_label
        return _("%(role)s, %(unit)s") % {"role": self.role_label, "unit": self.unit_name}


@dataclass(frozen=True)
class PlainTimeline:
    status: str
    stage: str
    holder: Holder | None
    due_at: dt.datetime | None
    # Working time left to the appointment, in whole working days and hours
    # (negative: late). None when no clock runs (before reception, paused, ended).
    remaining_seconds: int | None
    days_left: int | None
    hours_left: int | None
    late: bool
    paused: bool
    time_text: str
    todo_kind: str  # supplement / payment / collect / new / none
    todo: str
    todo_by: dt.datetime | None
    next_step: str
    finished: bool
    notes: list[str] = field(default_factory=list)

    @property
    def speech(self) -> str:
        """The whole timeline as sentences, for the browser's speech synthesis."""
        return " ".join(self.sentences)

    @property
    def sentences(self) -> list[str]:
        """The sentences read aloud, in order (the REST API gives them as a list)."""
        parts = [self.stage + "."]
        if self.holder is not None:
            parts.append(_("Người đang giữ hồ sơ: %(who)s.") % {"who": self.holder.spoken})
        if self.time_text:
            parts.append(self.time_text)
        parts.append(_("Việc bạn cần làm: %(todo)s") % {"todo": self.todo})
        if self.next_step:
            parts.append(_("Bước tiếp theo: %(next)s.") % {"next": self.next_step})
        parts.extend(self.notes)
        return [p.strip() for p in parts if p.strip()]


def _moment(value: dt.datetime) -> str:
    """A moment in words that read well and are spoken well: "17 giờ ngày 8 tháng 12 năm
    2026" (speech engines read "17:00 08/12/2026" digit by digit or as a fraction)."""
    local = wdcal.to_local(value)
    parts = {"hour": local.hour, "day": local.day, "month": local.month, "year": local.year}
    if local.minute:
        return _("%(hour)s giờ %(minute)s ngày %(day)s tháng %(month)s năm %(year)s") % {
            **parts,
            "minute": f"{local.minute:02d}",
        }
    return _("%(hour)s giờ ngày %(day)s tháng %(month)s năm %(year)s") % parts


def _span_words(days: int, hours: int) -> str:
    if days and hours:
        return _("%(days)s ngày %(hours)s giờ làm việc") % {"days": days, "hours": hours}
    if days:
        return _("%(days)s ngày làm việc") % {"days": days}
    if hours:
        return _("%(hours)s giờ làm việc") % {"hours": hours}
    return _("dưới 1 giờ làm việc")


def _active_step(d: Any, role: str) -> Any:
    steps = [s for s in d.steps.all() if s.status == StepStatus.ACTIVE]
    return next((s for s in sorted(steps, key=lambda s: (s.order, s.pk)) if s.role == role), None)


def _holder(d: Any, status: str) -> Holder | None:
    path = MAIN_PATH.get(status)
    if path is None:
        return None
    _action, role = path
    if role == APPLICANT_HOLDS:
        return Holder(APPLICANT_HOLDS, _("Bạn (người nộp hồ sơ)"))
    step = _active_step(d, role)
    if step is not None and step.unit is not None:
        unit = step.unit
    elif role == Role.RECEPTIONIST:
        unit = d.receiving_unit
    else:
        unit = d.competent_unit
    return Holder(role, str(ROLE_WORDS[role]), getattr(unit, "name", "") or "")


def dossier_plain_timeline(d: Any, *, now: dt.datetime | None = None) -> PlainTimeline:
    """The plain-language timeline of dossier `d` at `now` (see the module docstring).
    Never raises on a calendar gap: the time line is then left out."""
    from motcua.dossiers import services

    now = now or timezone.now()
    status = d.status
    stage = str(STAGE.get(status, d.get_status_display()))
    holder = _holder(d, status)
    path = MAIN_PATH.get(status)
    next_step = str(NEXT_STEP[path[0]]) if path else ""
    finished = status in wf.TERMINAL
    notes: list[str] = []

    kind, todo_text = TODO.get(status, ("none", NOTHING_TO_DO))
    todo = str(todo_text)
    if "%(unit)s" in todo:
        todo = todo % {"unit": getattr(d.receiving_unit, "name", "")}
    todo_by: dt.datetime | None = None

    paused = status in {S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}
    running = status in {S.RECEIVED, S.IN_PROCESS, S.IN_CONSULTATION}
    running = running or status in {S.AWAITING_APPROVAL, S.APPROVED}
    from motcua.dossiers.selectors import clock_paused

    if status == S.SUPPLEMENT_REQUESTED and not clock_paused(d):
        # R12c: the notice has not reached the applicant yet: the clock still runs.
        paused, running = False, True
    remaining: int | None = None
    days: int | None = None
    hours: int | None = None
    late = False
    time_text = ""
    due = d.due_at if (running or paused) else None

    if running and due is not None:
        cal = deadlines.calendar_for(d.receiving_unit)
        try:
            remaining = cal.remaining_seconds(now, due)
        except wdcal.CalendarError:
            remaining = None
        if remaining is not None:
            late = remaining < 0 or now > due
            whole, rest = divmod(abs(remaining), cal.day_seconds)
            days, hours = int(whole), int(rest // 3600)
            words = _span_words(days, hours)
            if late:
                # R14, R16: said plainly. The apology with a new appointment (Form 04) is
                # owed before the due date; after the new one, the applicant may complain.
                owed = (
                    _("Cơ quan đã hẹn lại một lần; bạn có thể phản ánh, kiến nghị về việc chậm.")
                    if d.extended_at
                    else _(
                        "Theo quy định, cơ quan phải gửi bạn văn bản xin lỗi và hẹn lại ngày"
                        " trả kết quả; bạn có thể phản ánh nếu chưa nhận được."
                    )
                )
                time_text = _("Hồ sơ đã quá hạn %(span)s (hẹn trả %(at)s).") % {
                    "span": words,
                    "at": _moment(due),
                }
                time_text = f"{time_text} {owed}"
                days, hours = -days, -hours
            else:
                time_text = _("Còn %(span)s đến hạn trả kết quả (%(at)s).") % {
                    "span": words,
                    "at": _moment(due),
                }
    elif paused:
        # R12, R13: the clock stops while the applicant is asked for papers or payment.
        if status == S.SUPPLEMENT_REQUESTED:
            time_text = _(
                "Thời hạn giải quyết đang tạm dừng trong lúc chờ bạn bổ sung; ngày hẹn trả"
                " được tính lại khi cơ quan nhận đủ giấy tờ."
            )
            # R12a (Decree 118/2025 Art. 19(5)): closed when not completed in time.
            todo_by = services.supplement_close_at(d)
            if todo_by is not None:
                todo = _("%(todo)s Hạn bổ sung: %(at)s.") % {"todo": todo, "at": _moment(todo_by)}
        else:
            time_text = _(
                "Thời hạn giải quyết đang tạm dừng trong lúc chờ bạn nộp thuế, phí; thời gian"
                " chờ không tính vào thời hạn."
            )
    elif status == S.SUBMITTED:
        # R11a: an online dossier is received or sent back within 8 working hours.
        reception_due = services.reception_due_at(d)
        if reception_due is not None:
            time_text = _("Bộ phận một cửa phải tiếp nhận hoặc hướng dẫn bạn trước %(at)s.") % {
                "at": _moment(reception_due)
            }
        else:
            time_text = _("Thời hạn giải quyết bắt đầu tính khi hồ sơ được tiếp nhận.")

    if status == S.IN_CONSULTATION:
        # R16a: each consulted body answers by its own deadline.
        from motcua.dossiers.selectors import consultation_bodies

        for body in consultation_bodies(d):
            name = getattr(body.unit, "name", "")
            if body.answer_by is None:
                notes.append(_("Đang chờ ý kiến của %(unit)s.") % {"unit": name})
            else:
                notes.append(
                    _("Đang chờ ý kiến của %(unit)s, hạn trả lời %(at)s.")
                    % {"unit": name, "at": _moment(body.answer_by)}
                )
    if (running or paused) and d.extended_at:
        notes.append(_("Cơ quan đã xin lỗi và hẹn lại ngày trả kết quả."))
    if status in {S.RESOLVED, S.RESULT_RETURNED} and d.correction_requested_at:
        # R19a: the open correction request, due in working days on the unit's calendar.
        holder = Holder(
            Role.LEADER, str(ROLE_WORDS[Role.LEADER]), getattr(d.competent_unit, "name", "")
        )
        next_step = _("Cơ quan đính chính kết quả và trả lại cho bạn")
        if d.correction_due_at:
            time_text = _("Hạn trả kết quả đã đính chính: %(at)s.") % {
                "at": _moment(d.correction_due_at)
            }
        kind, todo = "none", str(NOTHING_TO_DO)

    return PlainTimeline(
        status=status,
        stage=stage,
        holder=holder,
        due_at=due,
        remaining_seconds=remaining,
        days_left=days,
        hours_left=hours,
        late=late,
        paused=paused,
        time_text=time_text,
        todo_kind=kind,
        todo=todo,
        todo_by=todo_by,
        next_step=next_step,
        finished=finished,
        notes=notes,
    )
