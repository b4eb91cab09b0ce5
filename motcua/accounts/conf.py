"""Accounts settings with their defaults (documented in docs/accounts.md)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from motcua.accounts.lockout import ThrottlePolicy


def account_policy() -> ThrottlePolicy:
    lockout = dt.timedelta(minutes=settings.MOTCUA_LOGIN_LOCKOUT_MINUTES)
    window = dt.timedelta(
        minutes=getattr(
            settings, "MOTCUA_LOGIN_FAILURE_WINDOW_MINUTES", settings.MOTCUA_LOGIN_LOCKOUT_MINUTES
        )
    )
    return ThrottlePolicy(
        max_failures=settings.MOTCUA_LOGIN_MAX_FAILURES, window=window, lockout=lockout
    )


def ip_policy() -> ThrottlePolicy:
    """Per client IP: a higher threshold, since one office or NAT may serve many people."""
    base = account_policy()
    default = max(20, 4 * base.max_failures)
    return ThrottlePolicy(
        max_failures=getattr(settings, "MOTCUA_LOGIN_MAX_FAILURES_PER_IP", default),
        window=base.window,
        lockout=base.lockout,
    )


def staff_2fa_required() -> bool:
    return bool(settings.MOTCUA_STAFF_2FA_REQUIRED)
