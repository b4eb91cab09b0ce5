"""Endpoints of the sandbox VNeID provider: discovery, JWKS, authorize (with its own
login page — the provider's citizens are not Motcua accounts), token, userinfo."""

from __future__ import annotations

from typing import Any

from authlib.oauth2 import OAuth2Error
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.sandbox_idp.models import OAuthClient, OAuthToken, SandboxCitizen
from motcua.sandbox_idp.server import current_issuer, jwks, server, user_info


def issuer_for(request: HttpRequest) -> str:
    return request.build_absolute_uri("/sandbox/vneid")


def ensure_default_client() -> None:
    """The relying party configured in this site's settings is registered on first use."""
    OAuthClient.objects.get_or_create(
        client_id=getattr(settings, "MOTCUA_VNEID_CLIENT_ID", "motcua"),
        defaults={
            "client_secret": getattr(
                settings, "MOTCUA_VNEID_CLIENT_SECRET", "motcua-sandbox-secret"
            ),
            "name": "Motcua",
        },
    )


def discovery(request: HttpRequest) -> JsonResponse:
    iss = issuer_for(request)
    return JsonResponse(
        {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/authorize",
            "token_endpoint": f"{iss}/token",
            "userinfo_endpoint": f"{iss}/userinfo",
            "jwks_uri": f"{iss}/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "name",
                "personal_id",
                "phone_number",
                "email",
                "birthdate",
                "vneid_level",
                "nonce",
            ],
        }
    )


def jwks_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(jwks())


class LoginForm(forms.Form):
    personal_id = forms.CharField(label="Số định danh cá nhân", max_length=12)
    password = forms.CharField(label="Mật khẩu", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        citizen = SandboxCitizen.objects.filter(personal_id=data.get("personal_id", "")).first()
        if citizen is None or not citizen.check_password(data.get("password", "")):
            raise forms.ValidationError("Số định danh hoặc mật khẩu không đúng.")
        data["citizen"] = citizen
        return data


@never_cache
def authorize(request: HttpRequest) -> HttpResponse:
    ensure_default_client()
    if not SandboxCitizen.objects.exists():
        from motcua.sandbox_idp.seed import seed

        seed()  # the demo works without a separate seeding step
    try:
        grant = server.get_consent_grant(request, end_user=None)
    except OAuth2Error as error:
        return render(
            request,
            "sandbox_idp/error.html",
            {"error": error.error, "description": error.description},
            status=400,
        )
    if request.method == "POST" and "deny" in request.POST:
        return server.create_authorization_response(request, grant_user=None, grant=grant)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return server.create_authorization_response(
            request, grant_user=form.cleaned_data["citizen"], grant=grant
        )
    return render(
        request,
        "sandbox_idp/login.html",
        {
            "form": form,
            "client": grant.client,
            "query": request.META.get("QUERY_STRING", ""),
            "demo": SandboxCitizen.objects.order_by("personal_id")[:5],
        },
    )


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    ensure_default_client()
    reset = current_issuer.set(issuer_for(request))
    try:
        return server.create_token_response(request)
    finally:
        current_issuer.reset(reset)


@csrf_exempt
def userinfo(request: HttpRequest) -> JsonResponse:
    auth = request.headers.get("Authorization", "")
    tok = (
        OAuthToken.objects.select_related("user").filter(access_token=auth[7:]).first()
        if auth.startswith("Bearer ")
        else None
    )
    if tok is None or tok.is_expired() or tok.is_revoked():
        resp = JsonResponse({"error": "invalid_token"}, status=401)
        resp["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return resp
    return JsonResponse(dict(user_info(tok.user, tok.scope)))
