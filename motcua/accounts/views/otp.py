"""Staff second factor: enrolment (QR code + secret + first code), verification on each
login, backup codes and reset."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from motcua.accounts import conf, selectors, twofactor
from motcua.accounts.decorators import officer_required
from motcua.accounts.forms import EnrolTokenForm, OTPTokenForm
from motcua.accounts.models import User
from motcua.accounts.redirects import is_verified, pop_next


def _throttle_message(until: dt.datetime) -> str:
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
    return _(
        "Bạn đã nhập sai mã nhiều lần. Vui lòng chờ %(seconds)d giây rồi thử lại (đến %(time)s)."
    ) % {"seconds": seconds, "time": timezone.localtime(until).strftime("%H:%M:%S")}


def _staff_or_redirect(request: HttpRequest) -> User | HttpResponse:
    user = request.user
    if not isinstance(user, User):
        return redirect_to_login(request.get_full_path())
    if not user.is_officer:
        return redirect("accounts:home")
    return user


@never_cache
def otp_enrol(request: HttpRequest) -> HttpResponse:
    user = _staff_or_redirect(request)
    if not isinstance(user, User):
        return user
    if selectors.has_confirmed_totp(user):
        # Replacing a device needs the old factor first (profile → reset).
        return redirect("accounts:profile" if is_verified(user) else "accounts:otp_verify")
    device = twofactor.totp_enrolment_device(user=user)
    form = EnrolTokenForm(request.POST or None)
    error: str | None = None
    if request.method == "POST" and form.is_valid():
        outcome, codes = twofactor.totp_enrol_confirm(
            user=user, device=device, token=form.cleaned_data["token"]
        )
        if outcome.device is not None:
            otp_login(request, outcome.device)
            return render(
                request,
                "accounts/otp_backup_codes.html",
                {"codes": codes, "continue_url": pop_next(request), "first_time": True},
            )
        error = (
            _throttle_message(outcome.throttled_until)
            if outcome.throttled_until
            else _("Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện trong ứng dụng.")
        )
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "otp_error": error,
            "qr_data_uri": twofactor.totp_qr_data_uri(device),
            "secret": twofactor.totp_secret_text(device),
        },
        status=200 if error is None and not form.errors else 400,
    )


@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = _staff_or_redirect(request)
    if not isinstance(user, User):
        return user
    if is_verified(user) or not conf.staff_2fa_required():
        return redirect(pop_next(request))
    if not selectors.has_confirmed_totp(user):
        return redirect("accounts:otp_enrol")
    form = OTPTokenForm(request.POST or None)
    error: str | None = None
    if request.method == "POST" and form.is_valid():
        outcome = twofactor.otp_check(user=user, token=form.cleaned_data["token"])
        if outcome.device is not None:
            otp_login(request, outcome.device)
            return redirect(pop_next(request))
        error = (
            _throttle_message(outcome.throttled_until)
            if outcome.throttled_until
            else _("Mã xác thực không đúng hoặc đã được dùng. Vui lòng thử lại.")
        )
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "otp_error": error},
        status=200 if error is None and not form.errors else 400,
    )


@require_POST
@officer_required
def otp_backup_codes(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    codes = twofactor.backup_codes_regenerate(user=request.user)
    return render(
        request,
        "accounts/otp_backup_codes.html",
        {"codes": codes, "continue_url": "", "first_time": False},
    )


@require_POST
@officer_required
def otp_reset(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    twofactor.totp_reset(user=request.user)
    return redirect("accounts:otp_enrol")
