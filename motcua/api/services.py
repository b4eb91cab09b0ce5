"""Writes for API clients (design.md: business writes in services, audited), and the
unit scope of a client."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.api.models import ApiClient, hash_token, new_token
from motcua.api.scopes import SCOPES
from motcua.org.models import OrgUnit


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = sorted(set(scopes))
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError(
            _("Phạm vi không hợp lệ: %(unknown)s. Các phạm vi hợp lệ: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(SCOPES))}
        )
    return scopes


def resolve_units(codes: Iterable[str]) -> list[OrgUnit]:
    """Units by code; unknown codes are an error (a typo must not widen the scope)."""
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    units = list(OrgUnit.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {u.code for u in units})
    if missing:
        raise ValidationError(_("Không có đơn vị mã: %(codes)s.") % {"codes": ", ".join(missing)})
    return units


def check_acting_user(user: Any) -> Any:
    """The acting account must be an active officer (a citizen account holds no role,
    and a machine must never act as an applicant)."""
    if user is None:
        return None
    if not getattr(user, "is_officer", False) or not user.is_active:
        raise ValidationError(_("Tài khoản nghiệp vụ phải là tài khoản cán bộ đang hoạt động."))
    return user


def resolve_acting_user(username: str) -> Any:
    """Officer account by username (CLI); empty: none."""
    from django.contrib.auth import get_user_model

    username = (username or "").strip()
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError(_("Không có tài khoản “%(username)s”.") % {"username": username})
    return check_acting_user(user)


def _check_actor(actor: Any) -> None:
    """Management from the back office is for administrators (the CLI passes None)."""
    if actor is None:
        return
    from motcua.org.selectors import is_administrator

    if not is_administrator(actor):
        raise PermissionDenied


def _snapshot(client: ApiClient) -> dict[str, Any]:
    return {
        "name": client.name,
        "scopes": list(client.scopes or []),
        "units": sorted(client.units.values_list("code", flat=True)),
        "is_active": client.is_active,
        "rate_limit": client.rate_limit,
        "acting_user": client.acting_user.get_username() if client.acting_user else "",
        "token_hint": client.token_hint,
    }


def api_client_create(
    *,
    name: str,
    scopes: list[str],
    units: Iterable[OrgUnit] = (),
    rate_limit: int | None = None,
    acting_user: Any = None,
    actor: Any = None,
) -> tuple[ApiClient, str]:
    """Create a client; returns (client, token). The token is not stored anywhere."""
    from motcua.core.audit import audit_record

    _check_actor(actor)
    name = name.strip()
    if not name:
        raise ValidationError(_("Tên ứng dụng không được để trống."))
    clean_scopes = _check_scopes(scopes)
    check_acting_user(acting_user)
    with transaction.atomic():
        if ApiClient.objects.filter(name=name).exists():
            raise ValidationError(_("Đã có ứng dụng tên “%(name)s”.") % {"name": name})
        token = new_token()
        client = ApiClient.objects.create(
            name=name,
            token_hash=hash_token(token),
            token_hint=token[:8],
            scopes=clean_scopes,
            rate_limit=rate_limit or None,
            acting_user=acting_user,
        )
        client.units.set(list(units))
        audit_record(action="api.client_create", actor=actor, obj=client, after=_snapshot(client))
    return client, token


def api_client_update(
    *,
    client: ApiClient,
    scopes: list[str],
    units: Iterable[OrgUnit],
    rate_limit: int | None = None,
    acting_user: Any = None,
    actor: Any = None,
) -> ApiClient:
    from motcua.core.audit import audit_record

    _check_actor(actor)
    clean_scopes = _check_scopes(scopes)
    check_acting_user(acting_user)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        before = _snapshot(client)
        client.scopes = clean_scopes
        client.rate_limit = rate_limit or None
        client.acting_user = acting_user
        client.save(update_fields=["scopes", "rate_limit", "acting_user"])
        client.units.set(list(units))
        audit_record(
            action="api.client_update",
            actor=actor,
            obj=client,
            before=before,
            after=_snapshot(client),
        )
    return client


def api_client_revoke(*, client: ApiClient, actor: Any = None) -> ApiClient:
    """Deactivate: the token stops working at once (kept for the audit trail)."""
    from motcua.core.audit import audit_record

    _check_actor(actor)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        before = _snapshot(client)
        client.is_active = False
        client.save(update_fields=["is_active"])
        audit_record(
            action="api.client_revoke",
            actor=actor,
            obj=client,
            before=before,
            after=_snapshot(client),
        )
    return client


def api_client_rotate(*, client: ApiClient, actor: Any = None) -> tuple[ApiClient, str]:
    """New token (shown once); the old one stops working. Reactivates a revoked client."""
    from motcua.core.audit import audit_record

    _check_actor(actor)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        before = _snapshot(client)
        token = new_token()
        client.token_hash = hash_token(token)
        client.token_hint = token[:8]
        client.is_active = True
        client.save(update_fields=["token_hash", "token_hint", "is_active"])
        audit_record(
            action="api.client_rotate",
            actor=actor,
            obj=client,
            before=before,
            after=_snapshot(client),
        )
    return client, token


def api_client_authenticate(token: str) -> ApiClient | None:
    if not token:
        return None
    client = ApiClient.objects.filter(token_hash=hash_token(token), is_active=True).first()
    if client is None:
        return None
    now = timezone.now()
    # Throttle the bookkeeping write to once a minute per client.
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


def client_units(client: ApiClient) -> QuerySet[OrgUnit] | None:
    """Units whose data the client may see: None when it is not bound to units, else
    its units with their whole subtrees — the rule `org.selectors.units_visible_to`
    applies to province-wide officers (supervisors, administrators)."""
    bound = list(client.units.all())
    if not bound:
        return None
    condition = Q()
    for unit in bound:
        condition |= Q(path__startswith=unit.path)
    return OrgUnit.objects.filter(condition)
