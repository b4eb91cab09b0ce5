"""Profile page, password change and password reset by e-mail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from motcua.accounts import selectors, services
from motcua.accounts.decorators import account_required
from motcua.accounts.forms import (
    EmailPasswordResetForm,
    ProfileForm,
    VietnamesePasswordChangeForm,
    VietnameseSetPasswordForm,
)
from motcua.accounts.models import User
from motcua.org.selectors import active_assignments


@account_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form: ProfileForm | None = None
    if user.is_citizen:
        initial = {"phone": user.phone or "", "email": user.email, "address": user.address}
        form = ProfileForm(request.POST or None, user=user, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.profile_update(user=user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã lưu thông tin liên hệ."))
                return redirect("accounts:profile")
    context: dict[str, Any] = {"form": form}
    if user.is_officer:
        context.update(
            assignments=list(active_assignments(user).order_by("unit__path", "role")),
            has_totp=selectors.has_confirmed_totp(user),
            backup_codes_left=selectors.backup_codes_left(user),
        )
    context["external_accounts"] = selectors.external_accounts(user)
    return render(
        request, "accounts/profile.html", context, status=400 if form and form.errors else 200
    )


@method_decorator(account_required, name="dispatch")  # type: ignore[arg-type]
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = VietnamesePasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed_record(user=form.user, via_reset=False)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        return {"site_name": settings.MOTCUA_SITE_NAME}

    def form_valid(self, form: Any) -> HttpResponse:
        services.password_reset_requested_record(email=form.cleaned_data["email"])
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = VietnameseSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed_record(user=form.user, via_reset=True)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
