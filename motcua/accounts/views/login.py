"""Login, logout and the role-based landing pages."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from motcua.accounts import identity, services, session_timeout
from motcua.accounts.decorators import citizen_required
from motcua.accounts.forms import LoginForm
from motcua.accounts.models import User
from motcua.accounts.redirects import after_login, needs_second_factor, optional_url, safe_next


def lock_message(locked_until: dt.datetime) -> str:
    local = timezone.localtime(locked_until)
    minutes = max(1, int((locked_until - timezone.now()).total_seconds() + 59) // 60)
    return _(
        "Bạn đã nhập sai quá nhiều lần nên tạm thời không thể đăng nhập. "
        "Vui lòng thử lại sau %(time)s ngày %(date)s (khoảng %(minutes)d phút nữa), "
        "hoặc dùng chức năng quên mật khẩu."
    ) % {"time": local.strftime("%H:%M"), "date": local.strftime("%d/%m/%Y"), "minutes": minutes}


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    user = request.user
    if request.method != "POST" and isinstance(user, User):
        return after_login(request, user, next_url)

    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["next"] = next_url or ""  # never echo an unsafe target back into the page
    form = LoginForm(data, initial={"next": next_url or ""})
    error: str | None = None
    if request.method == "POST" and form.is_valid():
        outcome = services.login_authenticate(
            request=request,
            identifier=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
        )
        if outcome.user is not None:
            login(request, outcome.user)
            return after_login(request, outcome.user, next_url)
        if outcome.locked_until is not None:
            error = lock_message(outcome.locked_until)
        else:
            error = _(
                "Thông tin đăng nhập không đúng. Vui lòng kiểm tra lại số định danh, "
                "số điện thoại, mã số thuế hoặc tên đăng nhập và mật khẩu."
            )
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "login_error": error,
            "providers": identity.get_providers(),
            "next": next_url or "",
            "session_expired": request.method != "POST"
            and request.GET.get(session_timeout.EXPIRED_PARAM) == "1",
        },
        status=200 if error is None else 400,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        services.logout_record(user=request.user)
    logout(request)
    return redirect("portal:home")


def home(request: HttpRequest) -> HttpResponse:
    """LOGIN_REDIRECT_URL: citizens and businesses to their account page, officers to the
    back office (through the second factor when it is still missing)."""
    user = request.user
    if not isinstance(user, User):
        return redirect("accounts:login")
    if user.is_officer:
        if needs_second_factor(user):
            return redirect("accounts:otp_verify")
        return redirect("backoffice:home")
    return redirect("accounts:my_account")


@citizen_required
def my_account(request: HttpRequest) -> HttpResponse:
    privacy_url = optional_url("my_privacy:request")
    privacy_request = None
    if privacy_url:
        from motcua.privacy.selectors import requests_of

        privacy_request = requests_of(request.user).first()
    return render(
        request,
        "accounts/my_account.html",
        {
            "my_dossiers_url": optional_url("my_dossiers:list"),
            "procedures_url": optional_url("procedures:list"),
            "privacy_url": privacy_url,
            "privacy_request": privacy_request,
        },
    )
