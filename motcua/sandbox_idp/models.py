"""A local OpenID Connect provider standing in for VNeID (dev/test/demo only): its own
citizens (not Motcua accounts), registered clients, authorization codes with PKCE,
tokens and an RS256 signing key. Built on Authlib's authorization server."""

from __future__ import annotations

import time
import uuid

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin
from django.contrib.auth.hashers import check_password, make_password
from django.db import models


class SandboxCitizen(models.Model):
    subject = models.CharField(max_length=64, unique=True, default="")
    personal_id = models.CharField(max_length=12, unique=True)
    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=10, blank=True)
    email = models.EmailField(blank=True)
    birthdate = models.DateField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(default=2)  # VNeID account level 1 / 2
    password = models.CharField(max_length=128)

    def __str__(self) -> str:
        return f"{self.personal_id} {self.full_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.subject:
            self.subject = uuid.uuid4().hex
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def set_password(self, raw: str) -> None:
        self.password = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)


class OAuthClient(models.Model, ClientMixin):
    client_id = models.CharField(max_length=64, unique=True)
    client_secret = models.CharField(max_length=128)
    name = models.CharField(max_length=100)
    # One per line. A client may also allow any redirect on its own host in sandbox
    # mode (allow_any_local_redirect) so the demo works on any port.
    redirect_uris = models.TextField(blank=True)
    allow_any_local_redirect = models.BooleanField(default=True)
    scope = models.CharField(max_length=200, default="openid profile")

    def __str__(self) -> str:
        return self.client_id

    # ClientMixin
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.redirect_uris.split()
        return uris[0] if uris else None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(self.scope.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        if redirect_uri in self.redirect_uris.split():
            return True
        if self.allow_any_local_redirect:
            from urllib.parse import urlsplit

            from django.urls import reverse

            parts = urlsplit(redirect_uri)
            callback = reverse("accounts:external_callback", args=["vneid"])
            return (
                parts.hostname in ("127.0.0.1", "localhost", "testserver")
                and parts.path == callback
            )
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        import secrets

        return secrets.compare_digest(self.client_secret, client_secret or "")

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class AuthorizationCode(models.Model, AuthorizationCodeMixin):
    code = models.CharField(max_length=120, unique=True)
    client_id = models.CharField(max_length=64)
    redirect_uri = models.TextField()
    scope = models.TextField(blank=True)
    user = models.ForeignKey(SandboxCitizen, on_delete=models.CASCADE)
    nonce = models.CharField(max_length=200, blank=True)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=16, blank=True)
    auth_time = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.code[:8]

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return str(self.user.level)

    def get_amr(self) -> list[str]:
        return ["pwd"]

    def is_expired(self) -> bool:
        return self.auth_time + 300 < time.time()


class OAuthToken(models.Model, TokenMixin):
    client_id = models.CharField(max_length=64)
    user = models.ForeignKey(SandboxCitizen, on_delete=models.CASCADE)
    token_type = models.CharField(max_length=40)
    access_token = models.CharField(max_length=255, unique=True)
    refresh_token = models.CharField(max_length=255, blank=True)
    scope = models.TextField(blank=True)
    expires_in = models.IntegerField(default=3600)
    issued_at = models.IntegerField(default=0)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.access_token[:8]

    def check_client(self, client: ClientMixin) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self.issued_at + self.expires_in < time.time()

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> SandboxCitizen:
        return self.user

    def get_client(self) -> ClientMixin:
        return OAuthClient.objects.get(client_id=self.client_id)


class SigningKey(models.Model):
    """RS256 key pair; the newest one signs, all are published in the JWKS."""

    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid
