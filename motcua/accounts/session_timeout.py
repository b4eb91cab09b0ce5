"""Idle and absolute session timeout (OWASP ASVS 4.0 V3.3.1–V3.3.2; docs/configuration.md).

A login session ends after `MOTCUA_SESSION_IDLE_MINUTES_STAFF` (officers, default 30) or
`MOTCUA_SESSION_IDLE_MINUTES_CITIZEN` (citizens and businesses, default 60) minutes
without a request, and in any case `MOTCUA_SESSION_ABSOLUTE_HOURS` (default 8) after the
login. An expired session is flushed and the browser is sent to the login page with a
message; an htmx request gets `HX-Redirect` (htmx then loads the login page as a whole
page instead of swapping it into a fragment), a JSON/API request a 401.

The last-activity time is written at most once a minute (SESSION_TOUCH_SECONDS), so an
active user does not cause a session write on every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "_motcua_login_at"
ACTIVITY_KEY = "_motcua_last_activity"
SESSION_TOUCH_SECONDS = 60
EXPIRED_PARAM = "het-phien"  # login page query flag: show the "session expired" message


def _now() -> float:
    """Clock of the middleware (a function so tests can pin it)."""
    return time.time()


def idle_limit_seconds(user: Any) -> int:
    minutes = (
        settings.MOTCUA_SESSION_IDLE_MINUTES_STAFF
        if getattr(user, "is_officer", False)
        else settings.MOTCUA_SESSION_IDLE_MINUTES_CITIZEN
    )
    return int(minutes) * 60


def absolute_limit_seconds() -> int:
    return int(settings.MOTCUA_SESSION_ABSOLUTE_HOURS) * 3600


@receiver(user_logged_in, dispatch_uid="motcua_session_timeout_login")
def _stamp_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = _now()
        request.session[LOGIN_AT_KEY] = now
        request.session[ACTIVITY_KEY] = now


def expiry_reason(session: Any, user: Any, now: float) -> str:
    """ "idle", "absolute" or "" (still valid)."""
    login_at = session.get(LOGIN_AT_KEY)
    last = session.get(ACTIVITY_KEY)
    if isinstance(login_at, int | float) and now - login_at > absolute_limit_seconds():
        return "absolute"
    if isinstance(last, int | float) and now - last > idle_limit_seconds(user):
        return "idle"
    return ""


def expired_response(request: HttpRequest) -> HttpResponse:
    next_path = request.get_full_path() if request.method == "GET" else ""
    if request.headers.get("HX-Request"):
        # Come back to the page the fragment belongs to, not to the fragment itself.
        parts = urlsplit(request.headers.get("HX-Current-URL", ""))
        next_path = parts.path + (f"?{parts.query}" if parts.query else "")
    query = {EXPIRED_PARAM: "1"}
    if next_path:
        query["next"] = next_path
    login_url = f"{reverse('accounts:login')}?{urlencode(query)}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = login_url
        return response
    accept = request.headers.get("Accept", "")
    if request.path.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    ):
        return JsonResponse(
            {"detail": _("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."), "login": login_url},
            status=401,
        )
    return HttpResponseRedirect(login_url)


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            session = request.session
            now = _now()
            reason = expiry_reason(session, user, now)
            if reason:
                from motcua.accounts import services

                services.session_expired_record(user=user, reason=reason)
                logout(request)
                return expired_response(request)
            if LOGIN_AT_KEY not in session:  # a session from before this middleware
                session[LOGIN_AT_KEY] = now
            last = session.get(ACTIVITY_KEY)
            if not isinstance(last, int | float) or now - last >= SESSION_TOUCH_SECONDS:
                session[ACTIVITY_KEY] = now
        return self.get_response(request)
