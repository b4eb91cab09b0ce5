"""View guards. Officers must be staff accounts that passed 2FA when it is required."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

ViewFunc = Callable[..., HttpResponse]


def officer_required(view: ViewFunc) -> ViewFunc:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(user, "is_officer", False):
            raise PermissionDenied
        if settings.MOTCUA_STAFF_2FA_REQUIRED and not user.is_verified():  # type: ignore[union-attr,attr-defined]
            return redirect("accounts:otp_verify")
        return view(request, *args, **kwargs)

    return wrapper


def citizen_required(view: ViewFunc) -> ViewFunc:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(user, "is_citizen", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def account_required(view: ViewFunc) -> ViewFunc:
    """Any logged-in account; officers must also have passed their second factor."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if (
            getattr(user, "is_officer", False)
            and settings.MOTCUA_STAFF_2FA_REQUIRED
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
        ):
            return redirect("accounts:otp_verify")
        return view(request, *args, **kwargs)

    return wrapper
