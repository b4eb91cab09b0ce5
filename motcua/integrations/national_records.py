"""Dossiers filed on the national portal, as the portal hands them to the province
(Decree 118/2025 Art. 15, 17(2); law.md R22a): the record's fields, its signature and
its validation. Pure functions — no database.

A record (field names in the DVCQG convention of the sync messages, law.md §12.1):

    {"MaHoSo": "...", "MaTTHC": "...", "MaDonVi": "<receiving unit code>",
     "MaTruongHop": "", "NgayTiepNhanTrenCong": "yyyyMMddHHmmss",
     "ChuHoSo": {"HoTen", "LoaiDinhDanh": "1", "SoDinhDanh", "SoDienThoai", "Email",
                 "DiaChi"},
     "TaiKhoanDuocXacThucVoiVNeID": 1,
     "DuLieuToKhai": {...e-form answers...},
     "TaiLieuNop": [{"MaThanhPhanHoSo", "TenTepDinhKem", "LoaiTep", "NoiDung": base64}],
     "DanhSachLePhi": [{"MaPhiLePhi", "TenPhiLePhi", "SoTien", "MaGiaoDich",
                        "NgayThanhToan"}],
     "ChuKy": "v1=<hex HMAC-SHA256(secret, canonical JSON of the other fields)>"}

The real exchange specification is issued by the Ministry of Public Security (Decree
309/2026 Art. 10) and is not public; the field names follow the sync messages and the
signature stands for the portal's (docs/integrations.md, "Inbound")."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SIGNATURE = "ChuKy"
DATE_FORMAT = "%Y%m%d%H%M%S"
MAX_FILE_BYTES = 20 * 1024 * 1024


def canonical(record: dict[str, Any]) -> bytes:
    body = {k: v for k, v in record.items() if k != SIGNATURE}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign_record(secret: str, record: dict[str, Any]) -> str:
    return "v1=" + hmac.new(secret.encode(), canonical(record), hashlib.sha256).hexdigest()


def verify_record(secret: str, record: dict[str, Any]) -> bool:
    given = record.get(SIGNATURE)
    if not secret or not isinstance(given, str):
        return False
    return hmac.compare_digest(sign_record(secret, record), given)


def format_time(value: dt.datetime) -> str:
    return value.astimezone(TZ).strftime(DATE_FORMAT)


@dataclass(frozen=True)
class Attachment:
    component_code: str
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class FeePaid:
    code: str
    name: str
    amount: int
    transaction_id: str
    paid_at: dt.datetime | None


@dataclass(frozen=True)
class NationalRecord:
    code: str
    procedure_code: str
    unit_code: str
    case_code: str
    acknowledged_at: dt.datetime
    full_name: str
    personal_id: str
    phone: str
    email: str
    address: str
    vneid: bool
    answers: dict[str, Any]
    attachments: tuple[Attachment, ...] = ()
    fees: tuple[FeePaid, ...] = field(default_factory=tuple)

    @property
    def fees_total(self) -> int:
        return sum(f.amount for f in self.fees)


class InvalidRecord(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(value), DATE_FORMAT).replace(tzinfo=TZ)
    except ValueError:
        return None


def _text(obj: dict[str, Any], key: str, limit: int) -> str:
    value = obj.get(key, "")
    return str(value).strip()[:limit] if value is not None else ""


def parse(record: Any) -> NationalRecord:
    """The record as Motcua reads it, or InvalidRecord listing every problem."""
    if not isinstance(record, dict):
        raise InvalidRecord(["record is not an object"])
    errors: list[str] = []
    code = _text(record, "MaHoSo", 64)
    if not code:
        errors.append("MaHoSo is required")
    procedure_code = _text(record, "MaTTHC", 32)
    if not procedure_code:
        errors.append("MaTTHC is required")
    unit_code = _text(record, "MaDonVi", 32)
    if not unit_code:
        errors.append("MaDonVi is required")
    acknowledged = _time(record.get("NgayTiepNhanTrenCong", ""))
    if acknowledged is None:
        errors.append("NgayTiepNhanTrenCong must be yyyyMMddHHmmss")
    owner = record.get("ChuHoSo")
    if not isinstance(owner, dict):
        owner = {}
        errors.append("ChuHoSo is required")
    personal_id = _text(owner, "SoDinhDanh", 12)
    if not (personal_id.isdigit() and len(personal_id) in (9, 12)):
        errors.append("ChuHoSo.SoDinhDanh must be a 12-digit personal id (or 9 digits)")
    answers = record.get("DuLieuToKhai") or {}
    if not isinstance(answers, dict):
        errors.append("DuLieuToKhai must be an object")
        answers = {}
    attachments: list[Attachment] = []
    for i, item in enumerate(record.get("TaiLieuNop") or []):
        if not isinstance(item, dict):
            errors.append(f"TaiLieuNop[{i}] is not an object")
            continue
        try:
            content = base64.b64decode(str(item.get("NoiDung", "")), validate=True)
        except (binascii.Error, ValueError):
            errors.append(f"TaiLieuNop[{i}].NoiDung is not base64")
            continue
        if not content or len(content) > MAX_FILE_BYTES:
            errors.append(f"TaiLieuNop[{i}].NoiDung is empty or too large")
            continue
        attachments.append(
            Attachment(
                component_code=_text(item, "MaThanhPhanHoSo", 50),
                name=_text(item, "TenTepDinhKem", 200) or f"tep-{i + 1}",
                content_type=_text(item, "LoaiTep", 100),
                content=content,
            )
        )
    fees: list[FeePaid] = []
    for i, item in enumerate(record.get("DanhSachLePhi") or []):
        amount = item.get("SoTien") if isinstance(item, dict) else None
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            errors.append(f"DanhSachLePhi[{i}].SoTien must be a whole number of VND")
            continue
        fees.append(
            FeePaid(
                code=_text(item, "MaPhiLePhi", 64),
                name=_text(item, "TenPhiLePhi", 255),
                amount=amount,
                transaction_id=_text(item, "MaGiaoDich", 64),
                paid_at=_time(item.get("NgayThanhToan", "")),
            )
        )
    if errors:
        raise InvalidRecord(errors)
    assert acknowledged is not None
    return NationalRecord(
        code=code,
        procedure_code=procedure_code,
        unit_code=unit_code,
        case_code=_text(record, "MaTruongHop", 50),
        acknowledged_at=acknowledged,
        full_name=_text(owner, "HoTen", 200),
        personal_id=personal_id,
        phone=_text(owner, "SoDienThoai", 15),
        email=_text(owner, "Email", 254),
        address=_text(owner, "DiaChi", 255),
        vneid=str(record.get("TaiKhoanDuocXacThucVoiVNeID", "0")) == "1",
        answers=answers,
        attachments=tuple(attachments),
        fees=tuple(fees),
    )
