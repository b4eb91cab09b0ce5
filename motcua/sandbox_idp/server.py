"""Authlib authorization server: authorization-code grant + OpenID Connect (ID token
RS256) + PKCE (S256 required)."""

from __future__ import annotations

import contextvars
import os
import time
import uuid
from typing import Any

from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode as _OpenIDCode
from joserfc.jwk import KeySet, RSAKey

from motcua.sandbox_idp.models import (
    AuthorizationCode,
    OAuthClient,
    OAuthToken,
    SandboxCitizen,
    SigningKey,
)

# The sandbox runs over plain http on the developer's machine (runserver, live_server);
# this app is only installed when settings.MOTCUA_SANDBOXES is on.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

# The issuer depends on the host the request came in on (any port in the demo).
current_issuer: contextvars.ContextVar[str] = contextvars.ContextVar("idp_issuer", default="")


def signing_key() -> RSAKey:
    row = SigningKey.objects.first()
    if row is None:
        kid = uuid.uuid4().hex[:16]
        key = RSAKey.generate_key(2048, parameters={"kid": kid}, private=True)
        row = SigningKey.objects.create(kid=kid, private_pem=key.as_pem(private=True).decode())
    return RSAKey.import_key(
        row.private_pem, parameters={"kid": row.kid, "use": "sig", "alg": "RS256"}
    )


def jwks() -> dict[str, Any]:
    signing_key()  # make sure one exists
    keys = [
        RSAKey.import_key(r.private_pem, parameters={"kid": r.kid, "use": "sig", "alg": "RS256"})
        for r in SigningKey.objects.all()
    ]
    return dict(KeySet(list(keys)).as_dict(private=False))  # type: ignore[arg-type]


def user_info(user: SandboxCitizen, scope: str) -> UserInfo:
    info = UserInfo(sub=user.subject, name=user.full_name, vneid_level=str(user.level))
    if user.level >= 2:
        info["personal_id"] = user.personal_id
    if user.phone:
        info["phone_number"] = user.phone
    if user.email:
        info["email"] = user.email
    if user.birthdate:
        info["birthdate"] = user.birthdate.isoformat()
    return info


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: Any) -> AuthorizationCode:
        data = request.payload.data
        return AuthorizationCode.objects.create(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope or "",
            user=request.user,
            nonce=data.get("nonce", ""),
            code_challenge=data.get("code_challenge", ""),
            code_challenge_method=data.get("code_challenge_method", ""),
            auth_time=int(time.time()),
        )

    def query_authorization_code(self, code: str, client: Any) -> AuthorizationCode | None:
        item = (
            AuthorizationCode.objects.select_related("user")
            .filter(code=code, client_id=client.client_id)
            .first()
        )
        if item and not item.is_expired():
            return item
        return None

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        authorization_code.delete()  # single use

    def authenticate_user(self, authorization_code: AuthorizationCode) -> SandboxCitizen:
        return authorization_code.user


class OpenIDCode(_OpenIDCode):
    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return AuthorizationCode.objects.filter(
            client_id=request.payload.client_id, nonce=nonce
        ).exists()

    def resolve_client_private_key(self, client: Any) -> RSAKey:
        return signing_key()

    def get_client_algorithm(self, client: Any) -> str:
        return "RS256"

    def get_encode_header(self, client: Any) -> dict[str, str]:
        return {"alg": "RS256", "kid": str(signing_key().kid)}

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        return {"iss": current_issuer.get(), "aud": [client.get_client_id()]}

    def generate_user_info(self, user: SandboxCitizen, scope: str) -> UserInfo:
        return user_info(user, scope)


class TokenServer(AuthorizationServer):
    def save_token(self, token: dict[str, Any], request: Any) -> OAuthToken:
        return OAuthToken.objects.create(
            client_id=request.client.client_id,
            user=request.user,
            token_type=token.get("token_type", "Bearer"),
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token") or "",
            scope=token.get("scope", ""),
            expires_in=int(token.get("expires_in", 3600)),
            issued_at=int(time.time()),
        )


class S256Only(CodeChallenge):
    """PKCE with S256 only (RFC 7636 §4.2: "plain" is for constrained clients)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]


server = TokenServer(OAuthClient, OAuthToken)
server.register_grant(
    AuthorizationCodeGrant, [OpenIDCode(require_nonce=True), S256Only(required=True)]
)
