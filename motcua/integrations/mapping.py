"""Field mapping of the national-portal messages (law.md §12.1). Pure logic, no ORM:
`snapshot.py` reads the database into the dataclasses below, this module turns them
into the JSON the National Public Service Portal expects.

The mapping is versioned (R22: "field mapping versioned"): each outbox row stores the
version it was built with, and a future change of the official field list becomes a
new entry in MAPPINGS, so a replayed old message can still be rebuilt the old way.
Field names follow the implementations cited in §12.1 (OpenCPS and others); the
official VPCP technical guideline was not found, so the list is unconfirmed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

DONG_BO = "DongBoHoSoMC"
TIEN_DO = "CapNhatTienDoHoSoMC"

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss, §12.1 "Date format observed"
# 2018.2: DanhSachLePhi filled from the dossier's fee lines; DuocThanhToanTrucTuyen is
# the payment channel code (0 none, 1 national payment platform, 2 province/bank gateway)
# instead of 2018.1's 0/1 flag.
CURRENT_VERSION = "2018.2"

# Return method (HinhThuc): code values are unconfirmed; observed as 0 = at the
# one-stop unit, 1 = public postal service, 2 = online.
RETURN_METHOD = {"counter": "0", "post": "1", "online": "2", "warehouse": "2"}


def fmt_date(value: dt.datetime | None) -> str:
    """yyyyMMddHHmmss in Asia/Ho_Chi_Minh, '' when absent."""
    if value is None:
        return ""
    if value.tzinfo is None:
        raise ValueError("naive datetime in a national-portal message")
    return value.astimezone(VN_TZ).strftime(DATE_FORMAT)


def parse_date(text: str) -> dt.datetime:
    """Inverse of fmt_date; raises ValueError for anything else."""
    if len(text) != 14 or not text.isdigit():
        raise ValueError(f"not yyyyMMddHHmmss: {text!r}")
    return dt.datetime.strptime(text, DATE_FORMAT).replace(tzinfo=VN_TZ)


@dataclass(frozen=True)
class Attachment:
    id: str
    name: str
    component_code: str = ""
    url: str = ""
    digitized: bool = False
    reused: bool = False
    from_warehouse: bool = False


@dataclass(frozen=True)
class Supplement:
    id: str
    requested_by: str
    content: str
    requested_at: dt.datetime | None
    provided_at: dt.datetime | None
    due_before: dt.datetime | None
    due_after: dt.datetime | None


@dataclass(frozen=True)
class Fee:
    code: str
    name: str
    amount: int
    kind: str = "1"  # 1 = lệ phí, 2 = phí (unconfirmed codes)
    method: str = "1"


@dataclass(frozen=True)
class ResultDoc:
    id: str
    name: str
    url: str = ""
    code: str = ""


@dataclass(frozen=True)
class DossierSnapshot:
    ma_ho_so: str
    ma_tthc: str
    ten_tthc: str
    ma_linh_vuc: str
    ten_linh_vuc: str
    channel: str  # KenhThucHien: "1" in person, "2" online, "3" postal
    applicant_name: str
    applicant_kind: str  # LoaiDoiTuong: "1" citizen, "2" organisation
    applicant_id: str  # personal id or tax code
    email: str
    phone: str
    summary: str
    national_status: int
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    returned_at: dt.datetime | None
    refused_at: dt.datetime | None
    processing_unit: str
    return_channel: str = ""
    note: str = ""
    result_info: str = ""
    vneid_authenticated: bool = False
    paid_online: bool = False
    online_payment: int = 0  # DuocThanhToanTrucTuyen: 0 no, 1 national platform, 2 gateway
    attachments: tuple[Attachment, ...] = ()
    fees: tuple[Fee, ...] = ()
    supplements: tuple[Supplement, ...] = ()
    results: tuple[ResultDoc, ...] = ()


@dataclass(frozen=True)
class ProgressSnapshot:
    ma_ho_so: str
    officer_name: str
    officer_title: str
    at: dt.datetime
    department: str
    content: str
    national_status: int
    step_started_at: dt.datetime | None
    step_due_at: dt.datetime | None
    extra: dict[str, Any] = field(default_factory=dict)


def _b(value: bool) -> int:
    return 1 if value else 0


def dossier_v2018(s: DossierSnapshot) -> dict[str, Any]:
    return {
        "MaHoSo": s.ma_ho_so,
        "MaTTHC": s.ma_tthc,
        "TenTTHC": s.ten_tthc,
        "MaLinhVuc": s.ma_linh_vuc,
        "TenLinhVuc": s.ten_linh_vuc,
        "KenhThucHien": s.channel,
        "ChuHoSo": s.applicant_name,
        "LoaiDoiTuong": s.applicant_kind,
        "MaDoiTuong": s.applicant_id,
        "ThongTinKhac": "",
        "Email": s.email,
        "Fax": "",
        "SoDienThoai": s.phone,
        "TrichYeuHoSo": s.summary,
        "NgayNopHoSo": fmt_date(s.submitted_at),
        "NgayTiepNhan": fmt_date(s.received_at),
        "NgayHenTra": fmt_date(s.due_at),
        "TrangThaiHoSo": str(s.national_status),
        "NgayTra": fmt_date(s.returned_at),
        "ThongTinTra": s.result_info,
        "HinhThuc": RETURN_METHOD.get(s.return_channel, ""),
        "NgayKetThucXuLy": fmt_date(s.completed_at),
        "NgayTuChoi": fmt_date(s.refused_at),
        "DonViXuLy": s.processing_unit,
        "GhiChu": s.note,
        "TaiKhoanDuocXacThucVoiVNeID": _b(s.vneid_authenticated),
        "DuocThanhToanTrucTuyen": _b(s.paid_online),
        "HoSoCoThanhPhanSoHoa": _b(any(a.digitized for a in s.attachments)),
        # LoaiDinhDanh: 1 = personal identification number (CCCD), 2 = other.
        "LoaiDinhDanh": "1" if s.applicant_kind == "1" and s.applicant_id else "2",
        "SoDinhDanh": s.applicant_id,
        "TaiLieuNop": [
            {
                "TepDinhKemId": a.id,
                "TenTepDinhKem": a.name,
                "IsDeleted": False,
                "MaThanhPhanHoSo": a.component_code,
                "DuongDanTaiTepTin": a.url,
                "DuocSoHoa": _b(a.digitized),
                "DuocTaiSuDung": _b(a.reused),
                "DuocLayTuKhoDMQG": _b(a.from_warehouse),
                "MaKetQuaThayThe": "",
            }
            for a in s.attachments
        ],
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": f.name,
                "MaPhiLePhi": f.code,
                "HinhThucThu": f.method,
                "Gia": f.amount,
                "LoaiPhiLePhi": f.kind,
            }
            for f in s.fees
        ],
        "DanhSachTepDinhKemKhac": [],
        "DanhSachHoSoBoSung": [
            {
                "HoSoBoSungId": b.id,
                "NguoiYeuCauBoSung": b.requested_by,
                "NoiDungBoSung": b.content,
                "NgayBoSung": fmt_date(b.requested_at),
                "NguoiTiepNhanBoSung": "",
                "ThongTinTiepNhan": "",
                "NgayTiepNhanBoSung": fmt_date(b.provided_at),
                "TrangThaiBoSung": "1" if b.provided_at else "0",
                "DanhSachGiayToBoSung": [],
                "DanhSachLePhiBoSung": [],
                "NgayHenTraTruoc": fmt_date(b.due_before),
                "NgayHenTraMoi": fmt_date(b.due_after),
            }
            for b in s.supplements
        ],
        "DanhSachGiayToKetQua": [
            {
                "TenGiayTo": r.name,
                "MaThanhPhanHoSo": "",
                "GiayToId": r.id,
                "DuongDanTepTinKetQua": r.url,
                "MaGiayToKetQua": r.code,
            }
            for r in s.results
        ],
    }


def dossier_v2018_2(s: DossierSnapshot) -> dict[str, Any]:
    item = dossier_v2018(s)
    item["DuocThanhToanTrucTuyen"] = s.online_payment if s.online_payment in (1, 2) else 0
    return item


def progress_v2018(p: ProgressSnapshot) -> dict[str, Any]:
    return {
        "MaHoSo": p.ma_ho_so,
        "NguoiXuLy": p.officer_name,
        "ChucDanh": p.officer_title,
        "ThoiDiemXuLy": fmt_date(p.at),
        "PhongBanXuLy": p.department,
        "NoiDungXuLy": p.content,
        "TrangThai": str(p.national_status),
        "NgayBatDau": fmt_date(p.step_started_at or p.at),
        "NgayKetThucTheoQuyDinh": fmt_date(p.step_due_at),
    }


Builder = Callable[[Any], dict[str, Any]]
MAPPINGS: dict[str, dict[str, Builder]] = {
    "2018.1": {DONG_BO: dossier_v2018, TIEN_DO: progress_v2018},
    "2018.2": {DONG_BO: dossier_v2018_2, TIEN_DO: progress_v2018},
}


def build(service: str, snapshot: DossierSnapshot | ProgressSnapshot, version: str) -> dict:
    """The `data` item of one message."""
    try:
        builder = MAPPINGS[version][service]
    except KeyError as exc:
        raise ValueError(f"no mapping {version!r} for {service!r}") from exc
    return builder(snapshot)


def envelope(service: str, is_updating: bool, item: dict[str, Any]) -> dict[str, Any]:
    """Request body: {service, isUpdating, data: [...]} (§12.1)."""
    return {"service": service, "isUpdating": is_updating, "data": [item]}


# --- validation shared with the sandbox receiver -------------------------------------

REQUIRED: dict[str, tuple[str, ...]] = {
    DONG_BO: (
        "MaHoSo",
        "MaTTHC",
        "TenTTHC",
        "KenhThucHien",
        "ChuHoSo",
        "TrangThaiHoSo",
        "DonViXuLy",
    ),
    TIEN_DO: ("MaHoSo", "NguoiXuLy", "ThoiDiemXuLy", "NoiDungXuLy", "TrangThai"),
}
DATE_FIELDS: dict[str, tuple[str, ...]] = {
    DONG_BO: (
        "NgayNopHoSo",
        "NgayTiepNhan",
        "NgayHenTra",
        "NgayTra",
        "NgayKetThucXuLy",
        "NgayTuChoi",
    ),
    TIEN_DO: ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"),
}
STATUS_FIELD = {DONG_BO: "TrangThaiHoSo", TIEN_DO: "TrangThai"}


def validate(body: Any) -> list[str]:
    """Problems with a request body, as the receiving portal would report them."""
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    service = body.get("service")
    if service not in REQUIRED:
        return [f"unknown service {service!r}"]
    errors: list[str] = []
    if not isinstance(body.get("isUpdating"), bool):
        errors.append("isUpdating must be a boolean")
    data = body.get("data")
    if not isinstance(data, list) or not data:
        return [*errors, "data must be a non-empty list"]
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            errors.append(f"data[{i}] must be an object")
            continue
        for name in REQUIRED[service]:
            if item.get(name) in (None, ""):
                errors.append(f"data[{i}].{name} is required")
        for name in DATE_FIELDS[service]:
            value = item.get(name)
            if value:
                try:
                    parse_date(str(value))
                except ValueError:
                    errors.append(f"data[{i}].{name} must be yyyyMMddHHmmss")
        status = str(item.get(STATUS_FIELD[service], ""))
        if status and (not status.isdigit() or not 1 <= int(status) <= 10):
            errors.append(f"data[{i}].{STATUS_FIELD[service]} must be 1..10")
        if service == DONG_BO and str(item.get("KenhThucHien", "")) not in ("1", "2", "3"):
            errors.append(f"data[{i}].KenhThucHien must be 1, 2 or 3")
    return errors
