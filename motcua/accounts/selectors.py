"""Read-side queries for accounts."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.backends import normalise_identifier
from motcua.accounts.models import ExternalAccount, User


def user_by_identifier(identifier: str) -> User | None:
    """The account a login identifier names (same lookup as IdentifierBackend)."""
    ident = normalise_identifier(identifier)
    if not ident:
        return None
    return (
        User.objects.filter(
            Q(username=ident) | Q(personal_id=ident) | Q(phone=ident) | Q(tax_code=ident)
        )
        .order_by("id")
        .first()
    )


def identifier_taken(identifier: str, *, exclude: User | None = None) -> bool:
    """True when `identifier` is already a login identifier of another account."""
    ident = normalise_identifier(identifier)
    qs = User.objects.filter(
        Q(username=ident) | Q(personal_id=ident) | Q(phone=ident) | Q(tax_code=ident)
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.exists()


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def backup_codes_left(user: User) -> int:
    device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    return device.token_set.count() if device is not None else 0


def external_accounts(user: User) -> list[ExternalAccount]:
    return list(user.external_accounts.order_by("provider"))


def pending_activation(user: Any, now: Any = None) -> Any:
    """The account's activation code still to be claimed (printed on Form 01), if any."""
    from django.utils import timezone

    from motcua.accounts.models import AccountActivation

    if user is None or not getattr(user, "pk", None):
        return None
    return (
        AccountActivation.objects.filter(
            user=user,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )
        .exclude(code="")
        .order_by("-created_at")
        .first()
    )


def activation_awaited(user: Any) -> bool:
    """An account handed over with activation codes and never claimed."""
    from motcua.accounts.models import AccountActivation

    codes = AccountActivation.objects.filter(user=user)
    return codes.exists() and not codes.filter(used_at__isnull=False).exists()
