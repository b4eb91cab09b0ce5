"""Feedback deadlines (law.md §7.2) on the working-day calendar — pure, no ORM.

All periods are counted in working days by `motcua.workdays` (WorkCalendar), from:
  refuse ≤ 2, first supplement request ≤ 5, out-of-competence transfer ≤ 5 and
  handle ≤ 15 — from the submission or the latest transfer/supplement ("clock start");
  publish ≤ 2 — from the start of "chờ công khai".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from motcua.feedback.constants import (
    HANDLE_DAYS,
    PUBLISH_DAYS,
    REFUSE_DAYS,
    SUPPLEMENT_DAYS,
    TRANSFER_DAYS,
)
from motcua.feedback.constants import FeedbackStatus as S
from motcua.workdays.calendar import Duration


class Calendar(Protocol):
    def add(self, start: dt.datetime, duration: Duration) -> dt.datetime: ...


@dataclass(frozen=True)
class Deadlines:
    refuse: dt.datetime
    supplement: dt.datetime
    transfer: dt.datetime
    handle: dt.datetime
    publish: dt.datetime | None


def compute(
    calendar: Calendar, *, clock_start: dt.datetime, publication_start: dt.datetime | None
) -> Deadlines:
    def add(days: int) -> dt.datetime:
        return calendar.add(clock_start, Duration.days(days))

    return Deadlines(
        refuse=add(REFUSE_DAYS),
        supplement=add(SUPPLEMENT_DAYS),
        transfer=add(TRANSFER_DAYS),
        handle=add(HANDLE_DAYS),
        publish=(
            calendar.add(publication_start, Duration.days(PUBLISH_DAYS))
            if publication_start is not None
            else None
        ),
    )


def running_deadline(status: str, deadlines: Deadlines) -> tuple[str, dt.datetime | None]:
    """(which, due) — the deadline the current status is racing against; due None
    means paused (waiting for the sender) or nothing is running any more."""
    if status == S.RECEIVED:
        # Not classified yet: refusing is possible for 2 days, but the item must be
        # handled within 15 in any case; the earliest open obligation is shown.
        return "handle", deadlines.handle
    if status in (S.IN_PROCESS, S.AWAITING_APPROVAL):
        return "handle", deadlines.handle
    if status == S.AWAITING_PUBLICATION:
        return "publish", deadlines.publish
    if status == S.WAITING_SUPPLEMENT:
        return "paused", None
    return "", None


def on_time(done_at: dt.datetime | None, due: dt.datetime | None) -> bool | None:
    """True/False once done; None while still open."""
    if done_at is None or due is None:
        return None
    return done_at <= due
