"""The sandbox "bank": what a real gateway does after the citizen confirms on its page.
It checks the merchant's signature and expiry, books the outcome in its ledger, sends
the signed IPN (in-process here: no outbound HTTP in demo/tests) and sends the browser
back to the merchant's return URL with the same signed parameters."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone

from motcua.payments import conf
from motcua.payments.providers.sandbox_gateway import protocol
from motcua.payments.providers.sandbox_gateway.provider import gw_time, parse_gw_time, secret

CHOICES = {
    "success": protocol.SUCCESS,
    "failure": protocol.INSUFFICIENT_FUNDS,
    "cancel": protocol.CANCELLED_BY_CUSTOMER,
}


class BankRefused(Exception):
    pass


@dataclass
class BankResult:
    ipn_params: dict[str, str]
    ipn_answer: tuple[str, str]
    return_url: str


def check_order(params: dict[str, str]) -> None:
    if not protocol.verify(params, secret()):
        raise BankRefused("Invalid signature")
    if params.get("vnp_TmnCode") != str(conf.get("MOTCUA_PAYGATE_TMN_CODE")):
        raise BankRefused("Unknown merchant")
    expires = parse_gw_time(params.get("vnp_ExpireDate", ""))
    if expires is None or expires < timezone.now():
        raise BankRefused("Transaction expired")


def pay(params: dict[str, str], choice: str) -> BankResult:
    from motcua.payments.models import SandboxLedgerEntry
    from motcua.payments.services import gateway_ipn

    check_order(params)
    code = CHOICES.get(choice)
    if code is None:
        raise BankRefused("Unknown choice")
    now = timezone.now()
    transaction_no = str(10_000_000 + secrets.randbelow(89_999_999))
    with transaction.atomic():
        SandboxLedgerEntry.objects.create(
            txn_ref=params["vnp_TxnRef"],
            transaction_no=transaction_no,
            amount=int(params["vnp_Amount"]) // 100,
            response_code=code,
            paid_at=now,
        )
    ipn = protocol.signed(
        {
            "vnp_Amount": params["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": f"NCB{transaction_no}",
            "vnp_CardType": "ATM",
            "vnp_CurrCode": params.get("vnp_CurrCode", "VND"),
            "vnp_OrderInfo": params.get("vnp_OrderInfo", ""),
            "vnp_PayDate": gw_time(now),
            "vnp_ResponseCode": code,
            "vnp_TmnCode": params["vnp_TmnCode"],
            "vnp_TransactionNo": transaction_no,
            "vnp_TransactionStatus": code if code == protocol.SUCCESS else "02",
            "vnp_TxnRef": params["vnp_TxnRef"],
        },
        secret(),
    )
    answer = gateway_ipn(params=ipn, raw=urlencode(ipn), remote_addr="127.0.0.1")
    return_url = f"{params.get('vnp_ReturnUrl', '/')}?{urlencode(ipn)}"
    return BankResult(ipn_params=ipn, ipn_answer=answer, return_url=return_url)
