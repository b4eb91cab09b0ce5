"""Self-registration of citizens (personal id) and businesses (tax code)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from motcua.accounts import services
from motcua.accounts.forms import BusinessSignupForm, CitizenSignupForm
from motcua.accounts.models import User
from motcua.accounts.redirects import safe_next
from motcua.core.middleware import client_ip


def _next(request: HttpRequest) -> str:
    """Where the citizen was going when asked to log in (e.g. the application of a
    procedure); kept through sign-up. Only safe local targets."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next")) or ""


def _done(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user)
    messages.success(request, _("Đăng ký tài khoản thành công. Chào mừng bạn!"))
    return redirect(_next(request) or "accounts:my_account")


def _render(
    request: HttpRequest, form: Form, business: bool, *, throttled: bool = False
) -> HttpResponse:
    if throttled:
        messages.error(request, _("Bạn đã đăng ký quá nhiều lần. Vui lòng thử lại sau 1 giờ."))
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "business": business, "next": _next(request)},
        status=429 if throttled else 400 if form.errors else 200,
    )


def _throttled(request: HttpRequest) -> bool:
    """Count a sign-up POST before any identifier is checked (no probing)."""
    if request.method != "POST":
        return False
    try:
        services.signup_attempt(ip=client_ip(request))
    except services.SignupThrottled:
        return True
    return False


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    if _throttled(request):
        return _render(request, CitizenSignupForm(), business=False, throttled=True)
    form = CitizenSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.citizen_register(
                full_name=data["full_name"],
                personal_id=data["personal_id"],
                phone=data["phone"],
                email=data["email"],
                password=data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _done(request, user)
    return _render(request, form, business=False)


@sensitive_post_parameters("password1", "password2")
def signup_business(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    if _throttled(request):
        return _render(request, BusinessSignupForm(), business=True, throttled=True)
    form = BusinessSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.business_register(
                company_name=data["company_name"],
                tax_code=data["tax_code"],
                representative_name=data["representative_name"],
                representative_position=data["representative_position"],
                phone=data["phone"],
                email=data["email"],
                password=data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _done(request, user)
    return _render(request, form, business=True)
