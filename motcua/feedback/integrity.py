"""Pure helpers for anonymous submissions: tracking codes, PINs, abuse signals and
anonymisation of published text (no ORM)."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata

# Crockford-style alphabet without look-alikes (0/O, 1/I/L, U): easy to read out on the
# phone; 12 characters = 60 random bits, unguessable in practice (with rate limiting).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
PIN_LENGTH = 6

MAX_LINKS = 3
MIN_LENGTH = 20

_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(\+?84|0)\d{8,10}(?!\d)")
_ID = re.compile(r"(?<!\d)\d{9,12}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_REPEAT = re.compile(r"(.)\1{14,}")


def new_tracking_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"PA-{body}"


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))


def normalise_code(text: str) -> str:
    cleaned = re.sub(r"[\s-]", "", text or "").upper()
    if cleaned.startswith("PA"):
        cleaned = cleaned[2:]
    return f"PA-{cleaned}"


def normalise_text(text: str) -> str:
    """Case-, accent-form- and whitespace-insensitive form used to spot repeats."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    return " ".join(text.split())


def content_fingerprint(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode()).hexdigest()


def abuse_signals(text: str, *, recent_same_text: int = 0) -> list[str]:
    """Reasons to flag a submission for a handler's attention (it is still
    registered: Decree 20/2008 requires every item to be recorded)."""
    reasons: list[str] = []
    if len(_URL.findall(text or "")) > MAX_LINKS:
        reasons.append("too_many_links")
    if _REPEAT.search(text or ""):
        reasons.append("repeated_characters")
    if len(normalise_text(text)) < MIN_LENGTH:
        reasons.append("too_short")
    if recent_same_text > 0:
        reasons.append("duplicate_text")
    return reasons


def anonymise(text: str, names: list[str] | tuple[str, ...] = ()) -> str:
    """Mask personal data before an answer is published on the portal: e-mail
    addresses, phone numbers, identity numbers and the given names."""
    result = _EMAIL.sub("[…]", text or "")
    result = _PHONE.sub("[…]", result)
    result = _ID.sub("[…]", result)
    for name in names:
        name = (name or "").strip()
        if len(name) >= 3:
            result = re.sub(re.escape(name), "[…]", result, flags=re.IGNORECASE)
    return result


def ip_key(ip: str, salt: str) -> str:
    """Rate-limit key: a keyed hash, so the counter table holds no raw addresses."""
    return hashlib.sha256(f"{salt}:{ip}".encode()).hexdigest()[:40]
