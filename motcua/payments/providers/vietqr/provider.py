"""VietQR bank transfer: a dynamic NAPAS QR with the attempt reference in 62-08; the
payment is confirmed when a bank statement line carrying that reference arrives
(services.statement_import). No server-to-server callback exists."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.payments import conf, vietqr
from motcua.payments.providers.base import PaymentProvider, StartResult

if TYPE_CHECKING:
    from motcua.payments.models import PaymentAttempt


def beneficiary() -> vietqr.Beneficiary:
    return vietqr.Beneficiary(
        bank_bin=conf.get("MOTCUA_VIETQR_BANK_BIN"),
        account=conf.get("MOTCUA_VIETQR_ACCOUNT"),
        name=conf.get("MOTCUA_VIETQR_ACCOUNT_NAME"),
    )


class VietQRTransfer(PaymentProvider):
    code = "vietqr"
    label = _("Chuyển khoản bằng mã VietQR")
    attempt_ttl = dt.timedelta(days=3)

    def start(self, attempt: PaymentAttempt, *, return_url: str, client_ip: str) -> StartResult:
        payload = vietqr.build_payload(
            beneficiary(), amount=attempt.amount, purpose=attempt.txn_ref
        )
        return StartResult(
            qr_payload=payload, raw=payload, expires_at=timezone.now() + self.attempt_ttl
        )
