"""Redirect gateway in the style of the Vietnamese bank gateways (protocol.py).

In demo/test mode the "bank" is Motcua's own sandbox page (views.sandbox_bank), which
keeps a ledger (SandboxLedgerEntry) so the transaction query and the settlement file
behave like a real gateway's. With `MOTCUA_PAYGATE_URL` set, the redirect goes to that
gateway instead (same parameters and signature)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.payments import conf
from motcua.payments.providers.base import (
    PaymentProvider,
    ProviderOutcome,
    RefundResult,
    SettlementLine,
    StartResult,
)
from motcua.payments.providers.sandbox_gateway import protocol

if TYPE_CHECKING:
    from motcua.payments.models import PaymentAttempt

VN_TZ = dt.timezone(dt.timedelta(hours=7))


def gw_time(moment: dt.datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


def parse_gw_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=VN_TZ)
    except (TypeError, ValueError):
        return None


def secret() -> str:
    return str(conf.get("MOTCUA_PAYGATE_SECRET"))


def outcome_from_params(params: dict[str, str]) -> ProviderOutcome:
    """Read an IPN / return / query answer (already signature-checked)."""
    try:
        amount = int(params.get("vnp_Amount", "")) // 100
        exact = int(params.get("vnp_Amount", "")) % 100 == 0
    except ValueError:
        amount, exact = -1, False
    code = params.get("vnp_ResponseCode", "")
    status = params.get("vnp_TransactionStatus", code)
    return ProviderOutcome(
        txn_ref=params.get("vnp_TxnRef", ""),
        succeeded=code == protocol.SUCCESS and status == protocol.SUCCESS,
        amount=amount if exact else -1,
        provider_txn_id=params.get("vnp_TransactionNo", ""),
        currency=params.get("vnp_CurrCode", ""),
        reason="" if code == protocol.SUCCESS else f"response code {code}",
        bank_code=params.get("vnp_BankCode", ""),
        cancelled=code == protocol.CANCELLED_BY_CUSTOMER,
    )


class SandboxGateway(PaymentProvider):
    code = "sandbox_gateway"
    label = _("Cổng thanh toán (thẻ ATM / tài khoản ngân hàng)")

    @property
    def attempt_ttl(self) -> dt.timedelta:  # type: ignore[override]
        return conf.paygate_ttl()

    def start(self, attempt: PaymentAttempt, *, return_url: str, client_ip: str) -> StartResult:
        now = timezone.now()
        expires = now + self.attempt_ttl
        params = protocol.signed(
            {
                "vnp_Version": protocol.VERSION,
                "vnp_Command": "pay",
                "vnp_TmnCode": str(conf.get("MOTCUA_PAYGATE_TMN_CODE")),
                "vnp_Amount": str(attempt.amount * 100),
                "vnp_CurrCode": "VND",
                "vnp_TxnRef": attempt.txn_ref,
                "vnp_OrderInfo": f"Thanh toan {attempt.request.reference}",
                "vnp_OrderType": "other",
                "vnp_Locale": "vn",
                "vnp_ReturnUrl": return_url,
                "vnp_IpAddr": client_ip or "127.0.0.1",
                "vnp_CreateDate": gw_time(now),
                "vnp_ExpireDate": gw_time(expires),
            },
            secret(),
        )
        base = str(conf.get("MOTCUA_PAYGATE_URL")) or reverse("pay:sandbox_bank")
        query = urlencode(params)
        return StartResult(redirect_url=f"{base}?{query}", raw=query, expires_at=expires)

    def query(self, attempt: PaymentAttempt) -> ProviderOutcome | None:
        """querydr: the sandbox answers from its ledger (a real gateway from its API)."""
        from motcua.payments.models import SandboxLedgerEntry

        entry = SandboxLedgerEntry.objects.filter(txn_ref=attempt.txn_ref).order_by("-pk").first()
        if entry is None:
            return None
        return ProviderOutcome(
            txn_ref=entry.txn_ref,
            succeeded=entry.response_code == protocol.SUCCESS,
            amount=entry.amount,
            provider_txn_id=entry.transaction_no,
            currency="VND",
            reason="" if entry.response_code == protocol.SUCCESS else entry.response_code,
            bank_code=entry.bank_code,
        )

    def refund(self, attempt: PaymentAttempt, amount: int, reason: str) -> RefundResult:
        params = protocol.signed(
            {
                "vnp_Command": "refund",
                "vnp_TmnCode": str(conf.get("MOTCUA_PAYGATE_TMN_CODE")),
                "vnp_TxnRef": attempt.txn_ref,
                "vnp_TransactionNo": attempt.provider_txn_id or "",
                "vnp_Amount": str(amount * 100),
                "vnp_CreateDate": gw_time(timezone.now()),
            },
            secret(),
        )
        return RefundResult(
            ok=True,
            provider_refund_id=f"RF{attempt.provider_txn_id or attempt.pk}-{amount}",
            raw=urlencode(params),
        )

    def settlement(self, day: dt.date) -> list[SettlementLine] | None:
        from motcua.payments.models import SandboxLedgerEntry

        rows = SandboxLedgerEntry.objects.filter(response_code=protocol.SUCCESS)
        return [
            SettlementLine(r.txn_ref, r.transaction_no, r.amount, r.paid_at)
            for r in rows
            if timezone.localdate(r.paid_at) == day
        ]
