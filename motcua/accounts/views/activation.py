"""Claiming an account that an officer created at the counter: the citizen enters the
one-time activation code (printed on Form 01, sent by SMS/e-mail) and sets a password."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from motcua.accounts import services
from motcua.accounts.forms import ActivationForm
from motcua.core.middleware import client_ip


@sensitive_post_parameters("code", "password1", "password2")
def activate(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = ActivationForm(request.POST or None, initial={"personal_id": request.GET.get("id", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activation_claim(
                personal_id=data["personal_id"],
                code=data["code"],
                password=data["password1"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã kích hoạt tài khoản. Vui lòng đăng nhập bằng mật khẩu vừa đặt.")
            )
            return redirect("accounts:login")
    return render(
        request, "accounts/activate.html", {"form": form}, status=400 if form.errors else 200
    )
