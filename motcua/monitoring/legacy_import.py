"""Migration of history: `motcua dossier_import FILE.jsonl` (issue 9 point 6).

One JSON object per line in the national sync shape `DongBoHoSoMC` (law.md §12.1),
dates `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh, plus `MaDonVi` (code of the settling unit).
Each valid line is written in its own transaction (dossier, components, supplement
pauses, result files, one append-only "import" event); an invalid line is reported with
its number and writes nothing. A dossier code already present is skipped (re-running an
import is harmless). Imported dossiers then get their monitoring contribution like
native ones, so they count in the scores.

Mapping (field → model):
  MaHoSo → code; MaTTHC → the procedure's latest published version; MaDonVi →
  receiving and competent unit; KenhThucHien 1/2/3 → channel; TrangThaiHoSo 1–10 →
  status (§1.10.1); NgayNopHoSo, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, NgayTra →
  submitted/received/due (also the first appointment)/completed/returned;
  (NgayKetThucXuLy, else NgayTra for a record that ended without it);
  ChuHoSo + SoDinhDanh → the applicant (existing account by personal id, else a citizen
  account without a usable password); TaiLieuNop[] → components (DuocSoHoa,
  DuocTaiSuDung, DuocLayTuKhoDMQG); DanhSachHoSoBoSung[] → supplement pauses
  (NgayBoSung → NgayTiepNhanBoSung); DanhSachGiayToKetQua[] → result files;
  DuocThanhToanTrucTuyen (1, 2), TaiKhoanDuocXacThucVoiVNeID, DanhSachLePhi (Gia > 0)
  → form_answers["_sync"] facts (synced: true — the record is in the sync shape,
  unless "DaDongBo": false).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

VN = ZoneInfo("Asia/Ho_Chi_Minh")
STATUS_BY_CODE = {
    1: "submitted",
    2: "received",
    3: "rejected_at_reception",
    4: "in_process",
    5: "supplement_requested",
    6: "payment_requested",
    7: "withdrawn",
    8: "refused",
    9: "resolved",
    10: "result_returned",
}
ENDED = {3, 7, 8, 9, 10}
DATE_RE = re.compile(r"^\d{14}$")


class LineError(ValueError):
    pass


@dataclass
class ImportReport:
    imported: list[int] = field(default_factory=list)  # dossier ids
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, code)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def parse_date(value: Any, name: str, *, required: bool = False) -> dt.datetime | None:
    if value in (None, ""):
        if required:
            raise LineError(f"thiếu {name}")
        return None
    text = str(value).strip()
    if not DATE_RE.match(text):
        raise LineError(f"{name} không đúng định dạng yyyyMMddHHmmss: {text!r}")
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=VN)
    except ValueError as exc:
        raise LineError(f"{name} không phải ngày giờ hợp lệ: {text!r}") from exc


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "2", "true", "co", "có")


@dataclass(frozen=True)
class Parsed:
    code: str
    procedure_code: str
    unit_code: str
    channel: str
    status: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    returned_at: dt.datetime | None
    applicant_name: str
    personal_id: str
    summary: str
    components: list[tuple[str, bool, bool, bool]]
    supplements: list[tuple[dt.datetime, dt.datetime | None, str]]
    result_files: list[dict[str, str]]
    sync: dict[str, bool]


def parse_record(record: Any) -> Parsed:
    """Validate one record (pure); raises LineError with a Vietnamese message."""
    if not isinstance(record, dict):
        raise LineError("dòng không phải một đối tượng JSON")
    for name in ("MaHoSo", "MaTTHC", "MaDonVi", "TrangThaiHoSo"):
        if not str(record.get(name) or "").strip():
            raise LineError(f"thiếu {name}")
    try:
        status_code = int(record["TrangThaiHoSo"])
    except (TypeError, ValueError) as exc:
        raise LineError("TrangThaiHoSo phải là số 1–10") from exc
    if status_code not in STATUS_BY_CODE:
        raise LineError("TrangThaiHoSo phải là số 1–10")
    channel = str(record.get("KenhThucHien") or "1").strip()
    if channel not in ("1", "2", "3"):
        raise LineError("KenhThucHien phải là 1, 2 hoặc 3")
    received = parse_date(record.get("NgayTiepNhan"), "NgayTiepNhan", required=status_code != 1)
    due = parse_date(record.get("NgayHenTra"), "NgayHenTra")
    processed = parse_date(record.get("NgayKetThucXuLy"), "NgayKetThucXuLy")
    returned = parse_date(record.get("NgayTra"), "NgayTra", required=status_code == 10)
    # End of processing = the time of the terminal status (law.md §4.4, 2.1): "processed"
    # (NgayKetThucXuLy) wins only when both it and "returned" (NgayTra) exist; the
    # national portal sends status 10 records with NgayTra and no NgayKetThucXuLy.
    ended = processed or (returned if status_code in ENDED else None)
    if status_code in ENDED and ended is None:
        raise LineError(
            f"TrangThaiHoSo {status_code} (đã kết thúc) cần NgayKetThucXuLy hoặc NgayTra"
        )
    submitted = parse_date(record.get("NgayNopHoSo"), "NgayNopHoSo") or received
    if received and due and due < received:
        raise LineError("NgayHenTra trước NgayTiepNhan")
    if received and ended and ended < received:
        raise LineError("NgayKetThucXuLy trước NgayTiepNhan")
    if received and returned and returned < received:
        raise LineError("NgayTra trước NgayTiepNhan")
    components = []
    for i, doc in enumerate(record.get("TaiLieuNop") or [], start=1):
        if not isinstance(doc, dict):
            raise LineError(f"TaiLieuNop[{i}] không hợp lệ")
        if _flag(doc.get("IsDeleted")):
            continue
        components.append(
            (
                str(doc.get("TenTepDinhKem") or doc.get("MaThanhPhanHoSo") or f"Giấy tờ {i}")[:500],
                _flag(doc.get("DuocSoHoa")),
                _flag(doc.get("DuocTaiSuDung")),
                _flag(doc.get("DuocLayTuKhoDMQG")),
            )
        )
    supplements = []
    for i, sup in enumerate(record.get("DanhSachHoSoBoSung") or [], start=1):
        if not isinstance(sup, dict):
            raise LineError(f"DanhSachHoSoBoSung[{i}] không hợp lệ")
        asked = parse_date(
            sup.get("NgayBoSung"), f"DanhSachHoSoBoSung[{i}].NgayBoSung", required=True
        )
        got = parse_date(
            sup.get("NgayTiepNhanBoSung"), f"DanhSachHoSoBoSung[{i}].NgayTiepNhanBoSung"
        )
        assert asked is not None
        if got is not None and got < asked:
            raise LineError(f"DanhSachHoSoBoSung[{i}]: ngày tiếp nhận bổ sung trước ngày yêu cầu")
        supplements.append((asked, got, str(sup.get("NoiDungBoSung") or "")))
    results = [
        {"name": str(r.get("TenGiayTo") or "ket-qua"), "ref": str(r.get("DuongDanTepTinKetQua"))}
        for r in record.get("DanhSachGiayToKetQua") or []
        if isinstance(r, dict) and r.get("DuongDanTepTinKetQua")
    ]
    fees = [f for f in record.get("DanhSachLePhi") or [] if isinstance(f, dict)]
    sync = {
        "synced": record.get("DaDongBo", True) not in (False, 0, "0", "false"),
        "fee_data_synced": any(float(f.get("Gia") or 0) > 0 for f in fees),
        "paid_online": _flag(record.get("DuocThanhToanTrucTuyen")),
        "population_data": _flag(record.get("TaiKhoanDuocXacThucVoiVNeID")),
    }
    return Parsed(
        code=str(record["MaHoSo"]).strip()[:64],
        procedure_code=str(record["MaTTHC"]).strip(),
        unit_code=str(record["MaDonVi"]).strip(),
        channel=channel,
        status=STATUS_BY_CODE[status_code],
        submitted_at=submitted,
        received_at=received,
        due_at=due,
        completed_at=ended if status_code in ENDED else None,
        returned_at=returned if status_code == 10 else None,
        applicant_name=str(record.get("ChuHoSo") or "").strip()[:200] or "(không rõ)",
        personal_id=str(record.get("SoDinhDanh") or "").strip(),
        summary=str(record.get("TrichYeuHoSo") or "")[:1000],
        components=components,
        supplements=supplements,
        result_files=results,
        sync=sync,
    )


def _applicant(p: Parsed) -> Any:
    from motcua.accounts.constants import AccountKind
    from motcua.accounts.models import User

    if re.fullmatch(r"\d{12}", p.personal_id):
        user = User.objects.filter(personal_id=p.personal_id).first()
        if user is not None:
            return user
        user = User(
            username=p.personal_id,
            personal_id=p.personal_id,
            full_name=p.applicant_name,
            kind=AccountKind.CITIZEN,
        )
    else:
        username = f"lichsu-{p.code}"[:150]
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        user = User(username=username, full_name=p.applicant_name, kind=AccountKind.CITIZEN)
    user.set_unusable_password()
    user.save()
    return user


def _write(p: Parsed, line: int, source: str) -> int:
    from motcua.catalog.constants import VersionStatus
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierPause
    from motcua.org.models import OrgUnit

    unit = OrgUnit.objects.filter(code=p.unit_code).first()
    if unit is None:
        raise LineError(f"không có đơn vị mã {p.unit_code}")
    version = (
        ProcedureVersion.objects.filter(
            procedure__code=p.procedure_code,
            status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED],
        )
        .order_by("-status", "-number")
        .first()
    )
    if version is None:
        raise LineError(f"không có thủ tục mã {p.procedure_code} trong danh mục")
    d = Dossier.objects.create(
        code=p.code,
        procedure_version=version,
        applicant=_applicant(p),
        channel=p.channel,
        receiving_unit=unit,
        competent_unit=unit,
        status=p.status,
        form_answers={"_legacy": {"source": source, "line": line}, "_sync": p.sync},
        submitted_at=p.submitted_at,
        received_at=p.received_at,
        due_at=p.due_at,
        original_due_at=p.due_at,
        supplement_count=len(p.supplements),
        completed_at=p.completed_at,
        returned_at=p.returned_at,
        result_summary=p.summary,
        result_files=p.result_files,
    )
    DossierComponent.objects.bulk_create(
        DossierComponent(dossier=d, name=n, digitized=s, reused=r, from_warehouse=w)
        for n, s, r, w in p.components
    )
    DossierPause.objects.bulk_create(
        DossierPause(dossier=d, kind="supplement", started_at=a, ended_at=g, reason=t)
        for a, g, t in p.supplements
    )
    DossierEvent.objects.create(
        dossier=d,
        at=p.received_at or p.submitted_at or timezone.now(),
        action="import_legacy",
        to_status=p.status,
        unit=unit,
        reason=f"Nhập từ hệ thống cũ ({source}, dòng {line})",
        payload={"source": source, "line": line},
    )
    return d.pk


class _DryRun(Exception):
    pass


def import_lines(lines: Iterable[str], *, source: str = "", dry_run: bool = False) -> ImportReport:
    """Import JSONL lines; each valid line in its own transaction. `dry_run`: every
    check and write happens (units, procedures, duplicates) inside one transaction that
    is rolled back, so the report says exactly what an import would do."""
    if dry_run:
        report = ImportReport()
        try:
            with transaction.atomic():
                report = _import_lines(lines, source)
                raise _DryRun
        except _DryRun:
            pass
        return report
    return _import_lines(lines, source)


def _import_lines(lines: Iterable[str], source: str) -> ImportReport:
    from motcua.dossiers.models import Dossier

    report = ImportReport()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            report.errors.append((number, f"JSON không hợp lệ: {exc.msg}"))
            continue
        try:
            parsed = parse_record(record)
            if Dossier.objects.filter(code=parsed.code).exists():
                report.skipped.append((number, parsed.code))
                continue
            with transaction.atomic():
                report.imported.append(_write(parsed, number, source))
        except LineError as exc:
            report.errors.append((number, str(exc)))
    return report


def refresh_imported(ids: list[int]) -> None:
    """Give the imported dossiers their monitoring contribution (a full rebuild when
    many were imported: faster than one refresh each)."""
    from motcua.monitoring.updater import dossier_contribution_refresh, rebuild

    if len(ids) > 500:
        rebuild()
        return
    for pk in ids:
        dossier_contribution_refresh(dossier_id=pk)
