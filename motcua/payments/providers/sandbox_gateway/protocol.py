"""Signed-redirect protocol of the sandbox gateway (pure, no ORM).

Same layout as the widely used Vietnamese bank gateways (VNPAY 2.1.0 field names):
parameters `vnp_*`, amount in VND × 100, `vnp_SecureHash` = hex HMAC-SHA512 with the
merchant secret over the query string of every other `vnp_` parameter sorted by name
and URL-encoded (spaces as "+"). The IPN and return URL carry the same signature.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote_plus

HASH_FIELD = "vnp_SecureHash"
HASH_TYPE_FIELD = "vnp_SecureHashType"
VERSION = "2.1.0"
SUCCESS = "00"
CANCELLED_BY_CUSTOMER = "24"
INSUFFICIENT_FUNDS = "51"

# IPN answers (RspCode) the gateway understands.
RSP_OK = ("00", "Confirm Success")
RSP_NOT_FOUND = ("01", "Order not found")
RSP_ALREADY = ("02", "Order already confirmed")
RSP_BAD_AMOUNT = ("04", "Invalid amount")
RSP_BAD_SIGNATURE = ("97", "Invalid signature")
RSP_UNKNOWN = ("99", "Unknown error")


def canonical(params: Mapping[str, str]) -> str:
    items = sorted(
        (k, str(v))
        for k, v in params.items()
        if k.startswith("vnp_") and k not in (HASH_FIELD, HASH_TYPE_FIELD) and str(v) != ""
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in items)


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(params).encode(), hashlib.sha512).hexdigest()


def signed(params: Mapping[str, str], secret: str) -> dict[str, str]:
    out = {k: str(v) for k, v in params.items() if k not in (HASH_FIELD, HASH_TYPE_FIELD)}
    out[HASH_FIELD] = sign(out, secret)
    return out


def verify(params: Mapping[str, str], secret: str) -> bool:
    given = str(params.get(HASH_FIELD, ""))
    if not given or not secret:
        # An empty key makes the HMAC computable by anyone: fail closed.
        return False
    return hmac.compare_digest(sign(params, secret).lower(), given.lower())


def query_string(params: Mapping[str, str]) -> str:
    """Full query string, signature last (what the redirect URL carries)."""
    body = canonical(params)
    return f"{body}&{HASH_FIELD}={params[HASH_FIELD]}" if HASH_FIELD in params else body
