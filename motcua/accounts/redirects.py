"""Where to go after login: only same-site `next` targets are honoured (no open redirect)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from motcua.accounts import conf, selectors
from motcua.accounts.models import User

NEXT_SESSION_KEY = "accounts_next"


def safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    """`candidate` if it is a relative or same-host URL, else None."""
    if not candidate:
        return None
    candidate = candidate.strip()
    # Backslashes and control characters are treated as "/" by some browsers.
    if "\\" in candidate or any(ord(ch) < 32 for ch in candidate):
        return None
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def default_landing() -> str:
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def pop_next(request: HttpRequest) -> str:
    stored = request.session.pop(NEXT_SESSION_KEY, None)
    return safe_next(request, stored) or default_landing()


def is_verified(user: User) -> bool:
    """OTPMiddleware adds `is_verified` to request.user; a user object fresh from
    authenticate() has no device in its session yet, so it is not verified."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def needs_second_factor(user: User) -> bool:
    return user.is_officer and conf.staff_2fa_required() and not is_verified(user)


def after_login(request: HttpRequest, user: User, next_url: str | None) -> HttpResponseRedirect:
    """Send a freshly logged-in user on: staff to their second factor first."""
    target = safe_next(request, next_url)
    if needs_second_factor(user):
        if target:
            request.session[NEXT_SESSION_KEY] = target
        if selectors.has_confirmed_totp(user):
            return redirect("accounts:otp_verify")
        return redirect("accounts:otp_enrol")
    return redirect(target or default_landing())


def optional_url(name: str) -> str | None:
    """URL of a page another app provides, or None while that app is not installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None
