"""VNeID relying party (law.md §12.3; Decree 69/2024/NĐ-CP): OpenID Connect
authorization-code flow with PKCE (S256), state and nonce checks, and RS256 ID-token
signature validation against the provider's published JWKS.

Account linking is done by accounts.services.external_login: a level-2 identity
(verified personal id) is linked to the citizen account with the same personal id.

Configuration (all optional in dev/test, where the local provider in
motcua.sandbox_idp is used on the same site):
  MOTCUA_VNEID_ISSUER         issuer URL; empty + sandboxes on → <this site>/sandbox/vneid
  MOTCUA_VNEID_CLIENT_ID      default "motcua"
  MOTCUA_VNEID_CLIENT_SECRET  default "motcua-sandbox-secret"
  MOTCUA_VNEID_SCOPE          default "openid profile"
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from motcua.accounts.identity import ExternalIdentity, IdentityError, IdentityProvider
from motcua.integrations import http

PROVIDER_NAME = "vneid"
SESSION_KEY = "vneid_oidc_pending"
AUTH_METHOD_SESSION_KEY = "motcua_auth_method"
_DISCOVERY_TTL = 300.0
_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge), RFC 7636 §4.1–4.2."""
    verifier = _b64url(secrets.token_bytes(48))
    return verifier, _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _get_json(url: str) -> dict[str, Any]:
    try:
        resp = http.request("GET", url, headers={"Accept": "application/json"}, timeout=10)
    except http.TransportError as exc:
        raise IdentityError(_("Không kết nối được VNeID.")) from exc
    if resp.status != 200:
        raise IdentityError(_("VNeID trả lỗi (HTTP %(s)s).") % {"s": resp.status})
    data = resp.json()
    if not isinstance(data, dict):
        raise IdentityError(_("VNeID trả dữ liệu không hợp lệ."))
    return data


def _cached(url: str) -> dict[str, Any]:
    hit = _cache.get(url)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    data = _get_json(url)
    _cache[url] = (time.monotonic() + _DISCOVERY_TTL, data)
    return data


class VneidProvider(IdentityProvider):
    name = PROVIDER_NAME
    label = gettext_lazy("Đăng nhập bằng VNeID")

    # --- configuration ---------------------------------------------------------------
    def issuer(self, request: HttpRequest) -> str:
        issuer = getattr(settings, "MOTCUA_VNEID_ISSUER", "")
        if not issuer and getattr(settings, "MOTCUA_SANDBOXES", False):
            issuer = request.build_absolute_uri("/sandbox/vneid")
        if not issuer:
            raise IdentityError(_("Chưa cấu hình đăng nhập VNeID."))
        return issuer.rstrip("/")

    @property
    def client_id(self) -> str:
        return getattr(settings, "MOTCUA_VNEID_CLIENT_ID", "motcua")

    @property
    def client_secret(self) -> str:
        return getattr(settings, "MOTCUA_VNEID_CLIENT_SECRET", "motcua-sandbox-secret")

    def redirect_uri(self, request: HttpRequest) -> str:
        return request.build_absolute_uri(reverse("accounts:external_callback", args=[self.name]))

    def metadata(self, issuer: str) -> dict[str, Any]:
        meta = _cached(f"{issuer}/.well-known/openid-configuration")
        if meta.get("issuer", "").rstrip("/") != issuer:
            raise IdentityError(_("Cấu hình VNeID không khớp nhà cung cấp."))
        return meta

    # --- flow --------------------------------------------------------------------------
    def authorization_url(self, request: HttpRequest, state: str) -> str:
        issuer = self.issuer(request)
        meta = self.metadata(issuer)
        if "S256" not in meta.get("code_challenge_methods_supported", ["S256"]):
            raise IdentityError(_("VNeID không hỗ trợ PKCE S256."))
        verifier, challenge = pkce_pair()
        nonce = secrets.token_urlsafe(24)
        request.session[SESSION_KEY] = {
            "state": state,
            "nonce": nonce,
            "verifier": verifier,
            "issuer": issuer,
        }
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri(request),
                "scope": getattr(settings, "MOTCUA_VNEID_SCOPE", "openid profile"),
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{meta['authorization_endpoint']}?{query}"

    def complete(self, request: HttpRequest) -> ExternalIdentity:
        pending = request.session.pop(SESSION_KEY, None) or {}
        state = request.GET.get("state", "")
        if not pending or not state or not secrets.compare_digest(pending["state"], state):
            raise IdentityError(_("Phiên đăng nhập VNeID không hợp lệ."))
        if request.GET.get("error"):
            raise IdentityError(
                _("VNeID từ chối đăng nhập: %(e)s") % {"e": request.GET.get("error")}
            )
        code = request.GET.get("code", "")
        if not code:
            raise IdentityError(_("VNeID không trả mã xác thực."))
        issuer = pending["issuer"]
        meta = self.metadata(issuer)
        tokens = self._exchange(meta, request, code, pending["verifier"])
        claims = self.validate_id_token(meta, tokens.get("id_token", ""), issuer, pending["nonce"])
        request.session[AUTH_METHOD_SESSION_KEY] = PROVIDER_NAME
        level = str(claims.get("vneid_level", claims.get("acr", "")))
        return ExternalIdentity(
            subject=str(claims["sub"]),
            full_name=str(claims.get("name", "")),
            personal_id=claims.get("personal_id") or None,
            phone=claims.get("phone_number") or None,
            email=claims.get("email") or None,
            verified=level in ("2", "level2") and bool(claims.get("personal_id")),
            claims=claims,
        )

    def _exchange(
        self, meta: dict[str, Any], request: HttpRequest, code: str, verifier: str
    ) -> dict[str, Any]:
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        body = urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri(request),
                "code_verifier": verifier,
            }
        ).encode()
        try:
            resp = http.request(
                "POST",
                meta["token_endpoint"],
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": f"Basic {basic}",
                    "Accept": "application/json",
                },
            )
        except http.TransportError as exc:
            raise IdentityError(_("Không kết nối được VNeID.")) from exc
        try:
            data = json.loads(resp.body or b"{}")
        except ValueError:
            data = {}
        if resp.status != 200 or "id_token" not in data:
            raise IdentityError(
                _("VNeID không cấp mã thông báo: %(e)s") % {"e": data.get("error", resp.status)}
            )
        return data

    def validate_id_token(
        self, meta: dict[str, Any], id_token: str, issuer: str, nonce: str
    ) -> dict[str, Any]:
        """Signature (RS256 against the JWKS), then iss, aud, exp/iat, nonce."""
        keys = KeySet.import_key_set(_cached(meta["jwks_uri"]))  # type: ignore[arg-type]
        try:
            token = jwt.decode(id_token, keys, algorithms=["RS256"])
        except (JoseError, ValueError) as exc:
            # The key may have rotated: refetch the JWKS once.
            _cache.pop(meta["jwks_uri"], None)
            try:
                keys = KeySet.import_key_set(_cached(meta["jwks_uri"]))  # type: ignore[arg-type]
                token = jwt.decode(id_token, keys, algorithms=["RS256"])
            except (JoseError, ValueError):
                raise IdentityError(_("Chữ ký mã định danh VNeID không hợp lệ.")) from exc
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except JoseError as exc:
            raise IdentityError(_("Mã định danh VNeID không hợp lệ (%(e)s).") % {"e": exc}) from exc
        return dict(token.claims)


# --- the dossier flag (TaiKhoanDuocXacThucVoiVNeID) -----------------------------------


def vneid_linked(user: Any) -> bool:
    from motcua.accounts.models import ExternalAccount

    return ExternalAccount.objects.filter(user=user, provider=PROVIDER_NAME).exists()


def dossier_flag_write(dossier: Any, applicant: Any) -> None:
    """Record whether the applicant's account is authenticated with VNeID, in the
    transaction that creates the dossier (KPI 4.5: "at submission"). A plain insert, no
    post_save: the transition follow-up then refreshes the dossier's monitoring
    contribution once, with the flag (issue 23: it used to refresh it twice)."""
    from motcua.integrations.models import DossierIdentityFlag

    DossierIdentityFlag.objects.bulk_create(
        [
            DossierIdentityFlag(
                dossier=dossier,
                vneid_authenticated=vneid_linked(applicant),
                personal_id=getattr(applicant, "personal_id", None) or "",
            )
        ],
        ignore_conflicts=True,
    )


def record_dossier_flag(dossier_id: int) -> None:
    """Record, once, whether the applicant's account was authenticated with VNeID when
    the dossier was submitted (KPI 4.5). Dossiers created by the dossier services have
    it already (`dossier_flag_write`): then this is one indexed look-up."""
    from motcua.dossiers.models import Dossier
    from motcua.integrations.models import DossierIdentityFlag

    if DossierIdentityFlag.objects.filter(dossier_id=dossier_id).exists():
        return
    dossier = Dossier.objects.select_related("applicant").filter(pk=dossier_id).first()
    if dossier is None:
        return
    DossierIdentityFlag.objects.get_or_create(
        dossier=dossier,
        defaults={
            "vneid_authenticated": vneid_linked(dossier.applicant),
            "personal_id": dossier.applicant.personal_id or "",
        },
    )
