import datetime as dt

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.testing.personas import PASSWORD

LOGIN_URL = "/tai-khoan/dang-nhap/"


def totp_now(device: TOTPDevice) -> str:
    """The code an authenticator app would show right now for this device."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def post_login(client, identifier: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"identifier": identifier, "password": password, **extra})


class Clock:
    """A controllable `timezone.now` for lockout expiry tests."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(timezone, "now", fake)
    return fake
