"""The sandbox portal's side of the online channel (Decree 118/2025 Art. 15, 17(2)):
citizens file dossiers here; the portal acknowledges them, then forwards them to the
province — by answering its pull (`LayDanhSachHoSo`, cursor = id) and by pushing each
one to the province's webhook — until the province confirms receipt
(`XacNhanTiepNhanHoSo`). Record shape and signature: integrations/national_records.py."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from motcua.integrations import http
from motcua.integrations.national_records import format_time, sign_record
from motcua.integrations.webhooks import sign
from motcua.sandbox_portal.models import NationalDossier

PUSH_PATH = "/quan-tri/lien-thong/dvcqg/ho-so/"


def secret() -> str:
    return str(getattr(settings, "MOTCUA_DVCQG_INBOUND_SECRET", ""))


def push_url() -> str:
    """Where the portal pushes: the province's webhook (in-process in dev/test/demo)."""
    return str(getattr(settings, "MOTCUA_DVCQG_INBOUND_PUSH_URL", "")) or (
        "http://testserver" + PUSH_PATH
    )


@dataclass(frozen=True)
class Owner:
    full_name: str
    personal_id: str
    phone: str = ""
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class File:
    component_code: str
    name: str
    content: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class Fee:
    code: str
    name: str
    amount: int


def _next_code(at: dt.datetime) -> str:
    day = timezone.localtime(at).strftime("%Y%m%d")
    n = NationalDossier.objects.filter(code__startswith=f"QG-{day}-").count() + 1
    return f"QG-{day}-{n:07d}"


def file_dossier(
    *,
    procedure_code: str,
    unit_code: str,
    owner: Owner,
    answers: dict[str, Any] | None = None,
    files: list[File] | None = None,
    fees: list[Fee] | None = None,
    case_code: str = "",
    code: str = "",
    at: dt.datetime | None = None,
) -> NationalDossier:
    """A citizen files a dossier on the portal, logged in with VNeID; fees are paid on
    the portal's payment platform at once. The portal acknowledges it (now)."""
    at = at or timezone.now()
    for _ in range(5):
        number = code or _next_code(at)
        record: dict[str, Any] = {
            "MaHoSo": number,
            "MaTTHC": procedure_code,
            "MaDonVi": unit_code,
            "MaTruongHop": case_code,
            "NgayTiepNhanTrenCong": format_time(at),
            "KenhThucHien": 2,
            "ChuHoSo": {
                "HoTen": owner.full_name,
                "LoaiDinhDanh": "1",
                "SoDinhDanh": owner.personal_id,
                "SoDienThoai": owner.phone,
                "Email": owner.email,
                "DiaChi": owner.address,
            },
            "TaiKhoanDuocXacThucVoiVNeID": 1,
            "DuLieuToKhai": answers or {},
            "TaiLieuNop": [
                {
                    "MaThanhPhanHoSo": f.component_code,
                    "TenTepDinhKem": f.name,
                    "LoaiTep": f.content_type,
                    "NoiDung": base64.b64encode(f.content).decode(),
                }
                for f in files or []
            ],
            "DanhSachLePhi": [
                {
                    "MaPhiLePhi": fee.code,
                    "TenPhiLePhi": fee.name,
                    "SoTien": fee.amount,
                    "MaGiaoDich": f"PAYGOV-{number}-{i + 1}",
                    "NgayThanhToan": format_time(at),
                }
                for i, fee in enumerate(fees or [])
            ],
            "DuocThanhToanTrucTuyen": 1 if fees else 0,
        }
        record["ChuKy"] = sign_record(secret(), record)
        try:
            with transaction.atomic():
                return NationalDossier.objects.create(
                    code=number,
                    procedure_code=procedure_code,
                    unit_code=unit_code,
                    record=record,
                    acknowledged_at=at,
                )
        except IntegrityError:
            if code:
                return NationalDossier.objects.get(code=code)
    raise RuntimeError("could not allocate a national dossier code")


def push(dossier: NationalDossier) -> str:
    """POST the dossier to the province, signed: X-DVCQG-Signature is
    `v1=HMAC-SHA256(secret, "<timestamp>." + body)` (as Motcua's own webhooks). Returns
    what happened ("ok", "duplicate", "http 503", "unreachable")."""
    body = json.dumps(
        {"service": "ChuyenHoSo", "data": [dossier.record]}, ensure_ascii=False
    ).encode()
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-DVCQG-Timestamp": str(ts),
        "X-DVCQG-Signature": sign(secret(), ts, body),
    }
    try:
        resp = http.request("POST", push_url(), body=body, headers=headers, timeout=15)
        outcome = f"http {resp.status}"
        if resp.status in (200, 202):
            data = resp.json()
            outcome = "duplicate" if data.get("duplicate") else "ok"
    except (http.TransportError, ValueError, AttributeError) as exc:
        outcome = f"unreachable: {exc}"[:64]
    NationalDossier.objects.filter(pk=dossier.pk).update(
        pushes=F("pushes") + 1, last_push_status=outcome[:64]
    )
    return outcome


def push_unacknowledged() -> dict[str, int]:
    """The portal's retry: push again every dossier the province has not confirmed."""
    counts: dict[str, int] = {}
    for d in NationalDossier.objects.filter(province_acked_at__isnull=True):
        outcome = push(d).split(":")[0]
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def list_since(cursor: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """LayDanhSachHoSo: the dossiers after `cursor`, oldest first, with the new cursor."""
    rows = list(NationalDossier.objects.filter(pk__gt=cursor).order_by("pk")[:limit])
    if rows:
        NationalDossier.objects.filter(pk__in=[r.pk for r in rows]).update(served=F("served") + 1)
    return [r.record for r in rows], (rows[-1].pk if rows else cursor)


def acknowledge(code: str, province_ref: str) -> bool:
    """XacNhanTiepNhanHoSo: the province confirms it holds the dossier. Repeats count."""
    now = timezone.now()
    done = NationalDossier.objects.filter(code=code).update(acks=F("acks") + 1)
    NationalDossier.objects.filter(code=code, province_acked_at__isnull=True).update(
        province_acked_at=now, province_ref=province_ref[:64]
    )
    return bool(done)
