"""Settings of the payments app with their defaults, read in one place. The project
settings define them from the environment (docs/payments.md lists each variable);
the defaults here keep the app working in a bare checkout and in tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

DEMO_PAYGATE_SECRET = "motcua-demo-paygate-secret-not-for-production"

DEFAULTS: dict[str, Any] = {
    "MOTCUA_PAYMENT_PROVIDERS": ["sandbox_gateway", "vietqr", "cash"],
    "MOTCUA_PAYGATE_SECRET": DEMO_PAYGATE_SECRET,
    "MOTCUA_PAYGATE_TMN_CODE": "MOTCUA01",
    "MOTCUA_PAYGATE_URL": "",  # empty: Motcua's own sandbox bank page
    "MOTCUA_PAYGATE_SANDBOX": None,  # serve the sandbox bank page; None: MOTCUA_DEMO
    "MOTCUA_PAYGATE_TTL_MINUTES": 15,
    "MOTCUA_VIETQR_BANK_BIN": "970415",
    "MOTCUA_VIETQR_ACCOUNT": "113366668888",
    "MOTCUA_VIETQR_ACCOUNT_NAME": "KHO BAC NHA NUOC",
    "MOTCUA_VIETQR_WEBHOOK_SECRET": "",  # empty: statement API disabled
    "MOTCUA_RECEIPT_TEMPLATE": "01BLP0-001",
    "MOTCUA_RECEIPT_SYMBOL_SUFFIX": "AA",
    "MOTCUA_REFUNDABLE_DOSSIER_STATUSES": [
        "withdrawn",
        "stopped",
        "closed_unsupplemented",
        "refused",
        "rejected_at_reception",
    ],
}


def get(name: str) -> Any:
    value = getattr(settings, name, DEFAULTS[name])
    if name == "MOTCUA_PAYGATE_SANDBOX" and value is None:
        return bool(getattr(settings, "MOTCUA_DEMO", False))
    return value


def paygate_ttl() -> dt.timedelta:
    return dt.timedelta(minutes=int(get("MOTCUA_PAYGATE_TTL_MINUTES")))
