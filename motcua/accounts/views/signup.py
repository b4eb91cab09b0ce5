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


def _next(request: HttpRequest) -> str:
    """Where the citizen was going when asked to log in (e.g. the application of a
    procedure); kept through sign-up. Only safe local targets."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next")) or ""


def _done(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user)
    messages.success(request, _("Đăng ký tài khoản thành công. Chào mừng bạn!"))
    return redirect(_next(request) or "accounts:my_account")


def _render(request: HttpRequest, form: Form, business: bool) -> HttpResponse:
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "business": business, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
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
