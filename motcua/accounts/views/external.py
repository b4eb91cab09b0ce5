"""Login through an external identity provider (accounts/identity.py)."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.accounts import identity, services
from motcua.accounts.redirects import after_login, safe_next

STATE_SESSION_KEY = "accounts_idp_state"


def _provider(name: str) -> identity.IdentityProvider:
    provider = identity.get_provider(name)
    if provider is None:
        raise Http404
    return provider


@never_cache
def external_start(request: HttpRequest, name: str) -> HttpResponse:
    provider = _provider(name)
    state = secrets.token_urlsafe(32)
    request.session[STATE_SESSION_KEY] = {
        "provider": provider.name,
        "state": state,
        "next": safe_next(request, request.GET.get("next")) or "",
    }
    return redirect(provider.authorization_url(request, state))


@never_cache
def external_callback(request: HttpRequest, name: str) -> HttpResponse:
    provider = _provider(name)
    pending = request.session.pop(STATE_SESSION_KEY, None) or {}
    state = request.GET.get("state", "")
    if (
        pending.get("provider") != provider.name
        or not secrets.compare_digest(str(pending.get("state", "")), state)
        or not state
    ):
        messages.error(
            request, _("Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng thử lại.")
        )
        return redirect("accounts:login")
    try:
        ext = provider.complete(request)
        user = services.external_login(provider=provider.name, identity=ext)
    except (identity.IdentityError, ValidationError) as exc:
        detail = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, _("Không đăng nhập được: %(detail)s") % {"detail": detail})
        return redirect("accounts:login")
    login(request, user)
    return after_login(request, user, pending.get("next"))
