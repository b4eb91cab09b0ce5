"""Staff second factor (TOTP with django-otp) and backup codes: services.

Wrong codes are throttled by django-otp on each device (ThrottlingMixin: the wait
doubles after every failure; OTP_TOTP_THROTTLE_FACTOR / OTP_STATIC_THROTTLE_FACTOR).
"""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.db import transaction
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User
from motcua.core.audit import audit_record

TOTP_DEVICE_NAME = "Ứng dụng xác thực"
BACKUP_DEVICE_NAME = "Mã dự phòng"
BACKUP_CODE_COUNT = 10


@dataclass(frozen=True)
class VerifyOutcome:
    device: Device | None = None
    throttled_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.device is not None


def totp_secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an authenticator app."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The provisioning URI as an SVG QR code in a data: URI (allowed by the CSP img-src)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


def totp_enrolment_device(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) TOTP device, created on first use."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _throttled_until(device: Device) -> dt.datetime | None:
    allowed, data = device.verify_is_allowed()
    if allowed or not data:
        return None
    return data.get("locked_until")


def totp_enrol_confirm(
    *, user: User, device: TOTPDevice, token: str
) -> tuple[VerifyOutcome, list[str]]:
    """Confirm a pending device with its first code; on success issue backup codes
    (shown once) and retire any older TOTP device of the user."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        until = _throttled_until(device)
        if until is not None:
            return VerifyOutcome(throttled_until=until), []
        if device.verify_token("".join(token.split())):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = _new_backup_codes(user)
            audit_record(action="accounts.totp_enrolled", actor=user, obj=user)
            return VerifyOutcome(device=device), codes
    audit_record(action="accounts.otp_failed", actor=user, obj=user, after={"stage": "enrolment"})
    return VerifyOutcome(), []


def otp_check(*, user: User, token: str) -> VerifyOutcome:
    """Verify a code from the authenticator app or one backup code (used up on success)."""
    token = "".join(token.split()).lower()
    devices: list[Device] = [
        *TOTPDevice.objects.devices_for_user(user, confirmed=True),
        *StaticDevice.objects.devices_for_user(user, confirmed=True),
    ]
    # Digits go to the app device, anything else to the backup codes; trying both
    # would double the throttling penalty of a single typo.
    is_totp_code = token.isdigit()
    candidates = [d for d in devices if isinstance(d, TOTPDevice) == is_totp_code]
    waits = [_throttled_until(d) for d in candidates]
    if candidates and all(w is not None for w in waits):
        return VerifyOutcome(throttled_until=max(w for w in waits if w is not None))
    for device in candidates:
        if verify_token(user, device.persistent_id, token) is not None:
            audit_record(
                action="accounts.otp_verified",
                actor=user,
                obj=user,
                after={"method": "backup_code" if isinstance(device, StaticDevice) else "app"},
            )
            return VerifyOutcome(device=device)
    audit_record(action="accounts.otp_failed", actor=user, obj=user, after={"stage": "login"})
    return VerifyOutcome()


def backup_codes_regenerate(*, user: User) -> list[str]:
    with transaction.atomic():
        codes = _new_backup_codes(user)
        audit_record(action="accounts.backup_codes_regenerated", actor=user, obj=user)
    return codes


def totp_reset(*, user: User) -> None:
    """Remove the user's second-factor devices; they enrol again at the next step."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(action="accounts.totp_reset", actor=user, obj=user)
