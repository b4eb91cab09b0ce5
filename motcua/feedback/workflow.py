"""The feedback (PAKN) state machine — pure, no ORM (design.md §2).

Flow (law.md §7.5, Decree 20/2008 Art. 9 and 14): register → classify/accept (or
refuse, or transfer to the competent unit) → handle → leader approval → publish →
citizen rating (re-open when unsatisfied).

Who may fire a transition is expressed as an actor kind:
  "handler"  — an officer who handles feedback of the current handling unit;
  "approver" — a leader or supervisor of the handling unit's scope (Art. 14: the
               answer is approved before it is published);
  "citizen"  — the person who sent the feedback (logged in, or with code + PIN).
Permission to be a handler/approver for a given item is decided by selectors; this
module only says which kind of actor a transition needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from motcua.feedback.constants import FeedbackStatus as S

HANDLER = "handler"
APPROVER = "approver"
CITIZEN = "citizen"


class TransitionError(ValueError):
    """The action is not allowed from the current status (or for this actor)."""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str  # "" means "stays in the source status"
    actor: str


def _t(action: str, sources: Iterable[str], target: str, actor: str) -> Transition:
    return Transition(action, frozenset(sources), target, actor)


OPEN_FOR_HANDLING = {S.RECEIVED, S.IN_PROCESS}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # Classify and take it in (Decree 20/2008 Art. 9(1)).
        _t("accept", {S.RECEIVED}, S.IN_PROCESS, HANDLER),
        # Not accepted (Art. 7(1),(2) requirements unmet) — ≤ 2 working days (§7.2).
        _t("refuse", {S.RECEIVED}, S.REFUSED, HANDLER),
        # First request for more information — ≤ 5 working days (§7.2).
        _t("request_supplement", OPEN_FOR_HANDLING, S.WAITING_SUPPLEMENT, HANDLER),
        # The sender answers; the item is classified again from the start.
        _t("supplement", {S.WAITING_SUPPLEMENT}, S.RECEIVED, CITIZEN),
        # To another unit in the system (out of competence: ≤ 5 working days).
        _t("transfer", OPEN_FOR_HANDLING, S.RECEIVED, HANDLER),
        # To a body outside the system (sent via other software).
        _t("transfer_out", OPEN_FOR_HANDLING, S.TRANSFERRED_OUT, HANDLER),
        _t("submit_answer", {S.IN_PROCESS}, S.AWAITING_APPROVAL, HANDLER),
        _t("return_draft", {S.AWAITING_APPROVAL}, S.IN_PROCESS, APPROVER),
        # Reaching "chờ công khai" ends the ≤ 15 working-day handling clock (§7.2).
        _t("approve", {S.AWAITING_APPROVAL}, S.AWAITING_PUBLICATION, APPROVER),
        # ≤ 2 working days after "chờ công khai" (§7.2).
        _t("publish", {S.AWAITING_PUBLICATION}, S.PUBLISHED, APPROVER),
        # The sender is not satisfied with the answer (law.md §7.4).
        _t("reopen", {S.PUBLISHED}, S.IN_PROCESS, CITIZEN),
        _t("rate", {S.PUBLISHED}, "", CITIZEN),
    )
}

TERMINAL = frozenset({S.REFUSED, S.TRANSFERRED_OUT})
# Statuses in which the ≤ 15-day handling clock runs.
HANDLING = frozenset({S.RECEIVED, S.IN_PROCESS, S.AWAITING_APPROVAL})
# Statuses shown in a handler's queue.
OPEN = frozenset(
    {S.RECEIVED, S.IN_PROCESS, S.WAITING_SUPPLEMENT, S.AWAITING_APPROVAL, S.AWAITING_PUBLICATION}
)

# A published answer may be re-opened this many times by the sender.
MAX_REOPENS = 2


def transition(status: str, action: str, actor: str) -> str:
    """The status after `action` by an actor of kind `actor`, or TransitionError."""
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise TransitionError(f"unknown action {action!r}")
    if status not in spec.sources:
        raise TransitionError(f"{action!r} is not allowed from {status!r}")
    if spec.actor != actor and not (spec.actor == HANDLER and actor == APPROVER):
        # An approver (leader/supervisor) may also do a handler's work.
        raise TransitionError(f"{action!r} needs a {spec.actor}, not a {actor}")
    return spec.target or status


def allowed_actions(status: str, actor: str) -> list[str]:
    """Actions an actor of this kind may take from `status`, in table order."""
    result = []
    for action in TRANSITIONS:
        try:
            transition(status, action, actor)
        except TransitionError:
            continue
        result.append(action)
    return result


def can_reopen(status: str, reopen_count: int) -> bool:
    return status == S.PUBLISHED and reopen_count < MAX_REOPENS
