"""VietQR (NAPAS) payload: EMVCo Merchant-Presented QR in TLV form (law.md §5.5).

Pure functions, no ORM. Each field is ID (2 digits) + length (2 digits) + value; the
payload ends with field 63 holding CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no
reflection, no final XOR) computed over the whole string up to and including "6304".
Checked against NAPAS's published "static QR to account" vector (tests/payments).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
STATIC = "11"
DYNAMIC = "12"


class VietQRError(ValueError):
    pass


def crc16_ccitt_false(data: str | bytes) -> int:
    raw = data.encode("ascii") if isinstance(data, str) else data
    crc = 0xFFFF
    for byte in raw:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise VietQRError(f"bad tag {tag!r}")
    if len(value) > 99:
        raise VietQRError(f"value of tag {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def with_crc(body: str) -> str:
    """Append field 63 (CRC) to a payload that does not have it yet."""
    head = body + "6304"
    return head + f"{crc16_ccitt_false(head):04X}"


def ascii_text(text: str, limit: int = 25) -> str:
    """Bank transfer descriptions are ASCII in practice: strip Vietnamese diacritics
    (đ → d) and anything outside letters, digits and spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9 ]+", " ", folded).strip()[:limit].strip()


@dataclass(frozen=True)
class Beneficiary:
    bank_bin: str  # 6-digit acquirer BIN, e.g. 970436
    account: str
    name: str = ""
    city: str = ""
    to_card: bool = False


def build_payload(beneficiary: Beneficiary, *, amount: int | None = None, purpose: str = "") -> str:
    """Dynamic QR (point of initiation 12) when an amount is given, static (11) otherwise;
    `purpose` goes to 62-08 (the payment reference used for matching)."""
    if not re.fullmatch(r"\d{6}", beneficiary.bank_bin):
        raise VietQRError("bank BIN must be 6 digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", beneficiary.account):
        raise VietQRError("account must be 1-19 letters or digits")
    if amount is not None and amount <= 0:
        raise VietQRError("amount must be positive")
    service = SERVICE_TO_CARD if beneficiary.to_card else SERVICE_TO_ACCOUNT
    org = tlv("00", beneficiary.bank_bin) + tlv("01", beneficiary.account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", org) + tlv("02", service)
    parts = [
        tlv("00", "01"),
        tlv("01", DYNAMIC if amount is not None else STATIC),
        tlv("38", merchant),
        tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(tlv("54", str(int(amount))))
    parts.append(tlv("58", COUNTRY_VN))
    if beneficiary.name:
        parts.append(tlv("59", ascii_text(beneficiary.name, 25).upper()))
    if beneficiary.city:
        parts.append(tlv("60", ascii_text(beneficiary.city, 15).upper()))
    purpose = ascii_text(purpose, 25)
    if purpose:
        parts.append(tlv("62", tlv("08", purpose)))
    return with_crc("".join(parts))


def parse_tlv(data: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    i = 0
    while i < len(data):
        if i + 4 > len(data):
            raise VietQRError("truncated TLV header")
        tag, length = data[i : i + 2], data[i + 2 : i + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise VietQRError(f"bad TLV header at {i}")
        end = i + 4 + int(length)
        if end > len(data):
            raise VietQRError(f"value of tag {tag} runs past the end")
        fields[tag] = data[i + 4 : end]
        i = end
    return fields


def crc_ok(payload: str) -> bool:
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    return f"{crc16_ccitt_false(payload[:-4]):04X}" == payload[-4:].upper()


@dataclass(frozen=True)
class Decoded:
    bank_bin: str
    account: str
    service: str
    amount: int | None
    purpose: str
    dynamic: bool


def decode(payload: str) -> Decoded:
    if not crc_ok(payload):
        raise VietQRError("CRC mismatch")
    top = parse_tlv(payload)
    merchant = parse_tlv(top.get("38", ""))
    if merchant.get("00") != NAPAS_GUID:
        raise VietQRError("not a NAPAS VietQR payload")
    org = parse_tlv(merchant.get("01", ""))
    extra = parse_tlv(top["62"]) if "62" in top else {}
    return Decoded(
        bank_bin=org.get("00", ""),
        account=org.get("01", ""),
        service=merchant.get("02", ""),
        amount=int(top["54"]) if "54" in top else None,
        purpose=extra.get("08", ""),
        dynamic=top.get("01") == DYNAMIC,
    )
