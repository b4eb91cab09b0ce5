"""Provider plugin contract and registry.

A provider is a small class registered under a code; which providers are offered is
configured by `MOTCUA_PAYMENT_PROVIDERS` (codes, in display order) and
`MOTCUA_PAYMENT_PROVIDER_CLASSES` (code → dotted path, to add a real bank gateway
without touching this app). Providers speak their protocol; the services module owns
every state change, so all providers share one idempotent settlement path.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from motcua.payments.models import PaymentAttempt

DEFAULT_CLASSES: dict[str, str] = {
    "sandbox_gateway": "motcua.payments.providers.sandbox_gateway.provider.SandboxGateway",
    "vietqr": "motcua.payments.providers.vietqr.provider.VietQRTransfer",
    "cash": "motcua.payments.providers.cash.provider.CashAtCounter",
}


class ProviderUnavailable(RuntimeError):
    pass


@dataclass
class StartResult:
    redirect_url: str = ""  # redirect-style gateways
    qr_payload: str = ""  # VietQR
    raw: str = ""  # what was sent, stored verbatim
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class ProviderOutcome:
    """What a provider says happened to an attempt (from an IPN, a query, a statement)."""

    txn_ref: str
    succeeded: bool
    amount: int
    provider_txn_id: str = ""
    currency: str = "VND"
    reason: str = ""
    bank_code: str = ""
    cancelled: bool = False  # the payer gave up (not a failure of the bank)


@dataclass(frozen=True)
class SettlementLine:
    txn_ref: str
    provider_txn_id: str
    amount: int
    paid_at: dt.datetime | None = None


@dataclass
class RefundResult:
    ok: bool
    provider_refund_id: str = ""
    raw: str = ""
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class PaymentProvider(ABC):
    code: ClassVar[str]
    label: ClassVar[Any]
    online: ClassVar[bool] = True  # False for the counter
    # Citizens may choose it on the pay page (cash is recorded by a receptionist).
    citizen_selectable: ClassVar[bool] = True
    attempt_ttl: ClassVar[dt.timedelta] = dt.timedelta(minutes=15)

    def start(self, attempt: PaymentAttempt, *, return_url: str, client_ip: str) -> StartResult:
        return StartResult()

    def query(self, attempt: PaymentAttempt) -> ProviderOutcome | None:
        """Ask the provider what happened (server to server); None when unknown."""
        return None

    def refund(self, attempt: PaymentAttempt, amount: int, reason: str) -> RefundResult:
        return RefundResult(ok=True, message="recorded")

    def settlement(self, day: dt.date) -> list[SettlementLine] | None:
        """The provider's settlement file for `day`, or None if it offers none."""
        return None


def enabled_codes() -> list[str]:
    return list(getattr(settings, "MOTCUA_PAYMENT_PROVIDERS", list(DEFAULT_CLASSES)))


def _classes() -> dict[str, str]:
    return {**DEFAULT_CLASSES, **getattr(settings, "MOTCUA_PAYMENT_PROVIDER_CLASSES", {})}


def get_provider(code: str) -> PaymentProvider:
    if code not in enabled_codes():
        raise ProviderUnavailable(code)
    path = _classes().get(code)
    if not path:
        raise ProviderUnavailable(code)
    cls = import_string(path)
    return cls()  # type: ignore[no-any-return]


def enabled_providers() -> list[PaymentProvider]:
    return [get_provider(code) for code in enabled_codes()]


def provider_label(code: str) -> str:
    try:
        return str(get_provider(code).label)
    except (ProviderUnavailable, ImportError):
        return code
