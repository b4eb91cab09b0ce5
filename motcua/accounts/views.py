"""Placeholder views; the accounts issue replaces them with the full login flow."""

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

login_view = auth_views.LoginView.as_view(template_name="accounts/login.html")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


def otp_verify(request: HttpRequest) -> HttpResponse:
    return redirect("accounts:login")


def home(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "is_officer", False):
        return redirect("backoffice:home")
    return redirect("portal:home")
