"""Writes for API clients (design.md: business writes in services, audited)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.api.models import ApiClient, hash_token, new_token
from motcua.api.scopes import SCOPES


def api_client_create(*, name: str, scopes: list[str], actor: Any = None) -> tuple[ApiClient, str]:
    """Create a client; returns (client, token). The token is not stored anywhere."""
    from motcua.core.audit import audit_record, snapshot

    name = name.strip()
    if not name:
        raise ValidationError(_("Tên ứng dụng không được để trống."))
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError(
            _("Phạm vi không hợp lệ: %(unknown)s. Các phạm vi hợp lệ: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(SCOPES))}
        )
    with transaction.atomic():
        if ApiClient.objects.filter(name=name).exists():
            raise ValidationError(_("Đã có ứng dụng tên “%(name)s”.") % {"name": name})
        token = new_token()
        client = ApiClient.objects.create(
            name=name,
            token_hash=hash_token(token),
            token_hint=token[:8],
            scopes=sorted(set(scopes)),
        )
        audit_record(action="api.client_create", actor=actor, obj=client, after=snapshot(client))
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
