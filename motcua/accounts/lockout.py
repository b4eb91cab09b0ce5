"""Failed-login lockout rules, pure (no ORM): a counter per account and per client IP.

A counter opens a window at its first failure. When `max_failures` failures fall in one
window, the key is locked for `lockout`; while locked every attempt is refused without
checking the password (so a correct password does not help an attacker either). When
the lock or the window has expired the next failure starts a new window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ThrottleState:
    failures: int = 0
    window_started_at: dt.datetime | None = None
    locked_until: dt.datetime | None = None


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: dt.timedelta
    lockout: dt.timedelta


def is_locked(state: ThrottleState, now: dt.datetime) -> bool:
    return state.locked_until is not None and now < state.locked_until


def register_failure(
    state: ThrottleState, now: dt.datetime, policy: ThrottlePolicy
) -> ThrottleState:
    """The state after one more failed attempt at `now`."""
    if is_locked(state, now):
        return state
    expired_window = (
        state.window_started_at is None
        or now - state.window_started_at > policy.window
        or state.locked_until is not None  # a lock that has run out starts afresh
    )
    if expired_window:
        state = ThrottleState(failures=1, window_started_at=now, locked_until=None)
    else:
        state = replace(state, failures=state.failures + 1)
    if state.failures >= policy.max_failures:
        state = replace(state, locked_until=now + policy.lockout)
    return state


def latest_lock(states: list[ThrottleState], now: dt.datetime) -> dt.datetime | None:
    """When the last active lock among `states` ends, or None if none is active."""
    ends = [s.locked_until for s in states if s.locked_until is not None and is_locked(s, now)]
    return max(ends) if ends else None
