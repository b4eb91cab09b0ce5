"""The dossier state machine as a pure transition table (design.md §2; law.md
§1.10.2, §14.4 R17). No ORM: services ask this module whether an action is allowed,
what the new state is, what the clock does and which standard form is produced.

Decisions:
* The extension with apology (Form 04) is a flag on the dossier, not a state: the
  dossier keeps its processing state, only the appointment moves (Decree 61/2018
  Art. 19(9)); `to_state=None` means "state unchanged".
* `INITIAL` is the pseudo-state of a dossier that does not exist yet.
* The table holds the actions of every rule set (dossiers/rulesets.py); a set lists
  the actions it does not have (`RuleSet.disabled_actions`): "stop_by_applicant" and
  "close_unsupplemented" before 1/7/2025; from then on "withdraw" of a received
  dossier (the applicant stops it instead, Decree 118/2025 Art. 21).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from motcua.dossiers.constants import APPLICANT, SYSTEM, DossierStatus, FormCode
from motcua.org.constants import Role

S = DossierStatus
INITIAL = ""


class Clock(enum.StrEnum):
    NONE = "none"
    START = "start"  # reception of a valid dossier (R11)
    PAUSE = "pause"  # supplement / financial obligation (R12, R13)
    RESUME = "resume"  # pause ends: restart from zero or subtract, per policy (R12)
    EXTEND = "extend"  # new appointment after an apology (R14)
    RESTART = "restart"  # a transfer to another authority keeps the clock (see docs)
    STOP = "stop"  # end time for KPIs (resolved, withdrawn, refused)


class WorkflowError(Exception):
    """An action that the transition table does not allow."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change
    roles: frozenset[str]
    reason_required: bool = False
    document_required: bool = False
    signature_required: bool = False
    clock: Clock = Clock.NONE
    form: str = FormCode.NONE

    def allows(self, state: str, role: str) -> bool:
        return state in self.sources and role in self.roles

    def next_state(self, state: str) -> str:
        return self.target if self.target is not None else state


def _t(
    action: str,
    label: str,
    sources: Iterable[str],
    target: str | None,
    roles: Iterable[str],
    **kw: object,
) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(roles), **kw)  # type: ignore[arg-type]


R = Role
PROCESSING = (S.RECEIVED, S.IN_PROCESS, S.IN_CONSULTATION, S.AWAITING_APPROVAL, S.APPROVED)
WITHDRAWABLE = (
    S.SUBMITTED,
    S.RETURNED_FOR_COMPLETION,
    S.RECEIVED,
    S.IN_PROCESS,
    S.IN_CONSULTATION,
    S.SUPPLEMENT_REQUESTED,
    S.PAYMENT_REQUESTED,
    S.AWAITING_APPROVAL,
)

# Decree 118/2025 Art. 21: from reception until the decision.
STOPPABLE = (
    S.RECEIVED,
    S.IN_PROCESS,
    S.IN_CONSULTATION,
    S.SUPPLEMENT_REQUESTED,
    S.PAYMENT_REQUESTED,
    S.AWAITING_APPROVAL,
)

TRANSITIONS: tuple[Transition, ...] = (
    _t("save_draft", "Lưu nháp", [INITIAL], S.DRAFT, [APPLICANT]),
    _t("submit_online", "Nộp hồ sơ trực tuyến", [INITIAL, S.DRAFT], S.SUBMITTED, [APPLICANT]),
    # Directive 04: counter dossiers are submitted through the citizen's own account.
    _t("create_at_counter", "Tạo hồ sơ tại quầy", [INITIAL], S.SUBMITTED, [R.RECEPTIONIST]),
    # Decree 61/2018 Art. 17(1)(c), Form 01: the clock starts at reception.
    _t(
        "receive",
        "Tiếp nhận hồ sơ",
        [S.SUBMITTED],
        S.RECEIVED,
        [R.RECEPTIONIST],
        clock=Clock.START,
        form=FormCode.RECEIPT,
    ),
    # Art. 17(1)(a), Form 02: one complete list with reasons; not received yet.
    _t(
        "return_for_completion",
        "Hướng dẫn bổ sung khi tiếp nhận",
        [S.SUBMITTED],
        S.RETURNED_FOR_COMPLETION,
        [R.RECEPTIONIST],
        reason_required=True,
        form=FormCode.SUPPLEMENT,
    ),
    _t(
        "resubmit",
        "Nộp lại hồ sơ đã hoàn thiện",
        [S.RETURNED_FOR_COMPLETION],
        S.SUBMITTED,
        [APPLICANT, R.RECEPTIONIST],
    ),
    # Art. 17(1)(b), Form 03.
    _t(
        "refuse_reception",
        "Từ chối tiếp nhận",
        [S.SUBMITTED, S.RETURNED_FOR_COMPLETION],
        S.REJECTED_AT_RECEPTION,
        [R.RECEPTIONIST],
        reason_required=True,
        form=FormCode.REFUSAL,
    ),
    # Art. 19(1): the head of the authority assigns an officer.
    _t("assign", "Phân công xử lý", [S.RECEIVED, S.IN_PROCESS], S.IN_PROCESS, [R.LEADER]),
    # Art. 18(3): a dossier of another authority is passed on; history is kept.
    _t(
        "transfer",
        "Chuyển cơ quan giải quyết",
        [S.RECEIVED, S.IN_PROCESS],
        S.RECEIVED,
        [R.RECEPTIONIST, R.LEADER],
        reason_required=True,
    ),
    # Art. 19(4), Form 02: notice within 3 working days of receipt; clock per policy.
    _t(
        "request_supplement",
        "Yêu cầu bổ sung hồ sơ",
        [S.IN_PROCESS, S.IN_CONSULTATION],
        S.SUPPLEMENT_REQUESTED,
        [R.SPECIALIST, R.LEADER],
        reason_required=True,
        clock=Clock.PAUSE,
        form=FormCode.SUPPLEMENT,
    ),
    _t(
        "supplement_provided",
        "Đã bổ sung hồ sơ",
        [S.SUPPLEMENT_REQUESTED],
        S.IN_PROCESS,
        [APPLICANT, R.RECEPTIONIST],
        clock=Clock.RESUME,
    ),
    # R13: the wait for taxes/fees pauses the clock (specialised law, e.g. land).
    _t(
        "request_payment",
        "Yêu cầu thực hiện nghĩa vụ tài chính",
        [S.IN_PROCESS],
        S.PAYMENT_REQUESTED,
        [R.SPECIALIST],
        reason_required=True,
        clock=Clock.PAUSE,
    ),
    # R13: the pause ends only when the payments app records the obligation as paid
    # (or an authorised officer waives it): nobody can self-certify a payment.
    _t(
        "payment_fulfilled",
        "Đã thực hiện nghĩa vụ tài chính",
        [S.PAYMENT_REQUESTED],
        S.IN_PROCESS,
        [SYSTEM],
        clock=Clock.RESUME,
    ),
    # Art. 19(5): consultation of other bodies, clock running.
    _t(
        "start_consultation",
        "Lấy ý kiến cơ quan liên quan",
        [S.IN_PROCESS],
        S.IN_CONSULTATION,
        [R.SPECIALIST],
        reason_required=True,
    ),
    _t(
        "end_consultation", "Kết thúc lấy ý kiến", [S.IN_CONSULTATION], S.IN_PROCESS, [R.SPECIALIST]
    ),
    _t(
        "submit_for_approval",
        "Trình lãnh đạo phê duyệt",
        [S.IN_PROCESS],
        S.AWAITING_APPROVAL,
        [R.SPECIALIST],
        document_required=True,
    ),
    _t(
        "approve",
        "Phê duyệt",
        [S.AWAITING_APPROVAL],
        S.APPROVED,
        [R.LEADER],
        signature_required=True,
    ),
    _t(
        "send_back",
        "Trả lại chuyên viên",
        [S.AWAITING_APPROVAL],
        S.IN_PROCESS,
        [R.LEADER],
        reason_required=True,
    ),
    # The clerical officer numbers and issues the result: end time for KPIs (§1.10.2).
    _t(
        "issue_result",
        "Ban hành kết quả",
        [S.APPROVED],
        S.RESOLVED,
        [R.CLERK],
        document_required=True,
        signature_required=True,  # the agency seal (law.md R19)
        clock=Clock.STOP,
    ),
    # law.md R19: an issued result with an error is corrected or replaced by a new
    # signed one; the old one is kept, revoked and linked to the new. State unchanged.
    _t(
        "correct_result",
        "Đính chính, thay thế kết quả",
        [S.RESOLVED, S.RESULT_RETURNED],
        None,
        [R.LEADER],
        reason_required=True,
        signature_required=True,
    ),
    # Decree 118/2025 Art. 23(1) (law.md R19a): the applicant (or the counter on their
    # behalf) reports an error in an issued result; the competent authority corrects it
    # (correct_result) within the rule set's working days, or declines with reasons
    # when the result holds no error. State unchanged.
    _t(
        "request_correction",
        "Đề nghị đính chính kết quả",
        [S.RESOLVED, S.RESULT_RETURNED],
        None,
        [APPLICANT, R.RECEPTIONIST],
        reason_required=True,
    ),
    _t(
        "decline_correction",
        "Trả lời: kết quả không có sai sót",
        [S.RESOLVED, S.RESULT_RETURNED],
        None,
        [R.LEADER],
        reason_required=True,
    ),
    # Art. 20: delivery at the counter, by post, online or to the e-warehouse (R18).
    _t("return_result", "Trả kết quả", [S.RESOLVED], S.RESULT_RETURNED, [R.RECEPTIONIST]),
    # Art. 19(8): refusal after appraisal, within the deadline, with reasons.
    _t(
        "refuse_after_appraisal",
        "Từ chối giải quyết",
        [S.IN_PROCESS, S.IN_CONSULTATION, S.AWAITING_APPROVAL],
        S.REFUSED,
        [R.LEADER],
        reason_required=True,
        signature_required=True,
        clock=Clock.STOP,
        form=FormCode.REFUSAL,
    ),
    # National status 7: withdrawn at the applicant's request (also recorded at the counter).
    _t(
        "withdraw",
        "Rút hồ sơ",
        WITHDRAWABLE,
        S.WITHDRAWN,
        [APPLICANT, R.RECEPTIONIST],
        reason_required=True,
        clock=Clock.STOP,
    ),
    # Decree 118/2025 Art. 21: the applicant (or the counter, for a paper dossier) stops
    # the dossier at any time up to the decision; stop notice (Circular 03/2025 Form 05).
    _t(
        "stop_by_applicant",
        "Dừng giải quyết hồ sơ theo yêu cầu",
        STOPPABLE,
        S.STOPPED,
        [APPLICANT, R.RECEPTIONIST],
        reason_required=True,
        clock=Clock.STOP,
        form=FormCode.STOP,
    ),
    # Decree 118/2025 Art. 19(5): the one-stop unit closes a dossier whose supplement
    # was not completed in time (the scheduler, or a receptionist).
    _t(
        "close_unsupplemented",
        "Đóng hồ sơ do không bổ sung",
        [S.SUPPLEMENT_REQUESTED],
        S.CLOSED_UNSUPPLEMENTED,
        [SYSTEM, R.RECEPTIONIST],
        clock=Clock.STOP,
    ),
    # Art. 19(9), Form 04: at most once, ≥1 working day before the deadline (R14).
    _t(
        "extend_with_apology",
        "Xin lỗi và hẹn lại ngày trả kết quả",
        PROCESSING,
        None,
        [R.LEADER],
        reason_required=True,
        signature_required=True,
        clock=Clock.EXTEND,
        form=FormCode.APOLOGY,
    ),
)

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
STATES: tuple[str, ...] = tuple(S.values)
TERMINAL: frozenset[str] = frozenset(
    {
        S.REJECTED_AT_RECEPTION,
        S.RESULT_RETURNED,
        S.WITHDRAWN,
        S.REFUSED,
        S.CLOSED_UNSUPPLEMENTED,
        S.STOPPED,
    }
)


def transition(action: str) -> Transition:
    try:
        return BY_ACTION[action]
    except KeyError:
        raise WorkflowError(f"Thao tác không tồn tại: {action}") from None


def check(action: str, state: str, role: str) -> Transition:
    """The transition for `action` taken by `role` in `state`, or WorkflowError."""
    t = transition(action)
    if state not in t.sources:
        raise WorkflowError(f"Không thể thực hiện «{t.label}» khi hồ sơ đang ở trạng thái này.")
    if role not in t.roles:
        raise WorkflowError(f"Vai trò này không được thực hiện «{t.label}».")
    return t


def actions_for(state: str, roles: Iterable[str], disabled: Iterable[str] = ()) -> list[Transition]:
    """Transitions available in `state` to someone holding any of `roles`, leaving out
    the actions the dossier's rule set does not have (`disabled`)."""
    held = set(roles)
    off = set(disabled)
    return [t for t in TRANSITIONS if state in t.sources and held & t.roles and t.action not in off]


def exits(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.sources]


def reachable(start: str = INITIAL) -> set[str]:
    seen = {start}
    frontier = [start]
    while frontier:
        state = frontier.pop()
        for t in exits(state):
            nxt = t.next_state(state)
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen
