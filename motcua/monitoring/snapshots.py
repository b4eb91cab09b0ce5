"""Frozen weekly snapshots (issue 27 point 5, law.md R28a).

When the Friday report is generated its content is frozen:

- `data.json`: the canonical JSON (sorted keys, compact, UTF-8; the audit log's
  `canonical_json`) of the figures, the rankings of units and unit heads and the list of
  attributed late dossiers;
- `manifest.json`: the SHA-256 of `data.json` and of the XLSX, the snapshot's number,
  week and version, the previous snapshot's `snapshot_hash` and the audit chain tips
  (every lane's `[position, entry_hash]` and the newest seal) at the moment of freezing;
- both files are attached to the report PDF, which is then PAdES-signed (the agency
  seal of reports._sign): one signature covers the report, the manifest and the data;
- `snapshot_hash = SHA-256(canonical JSON {"manifest_sha256", "pdf_sha256"})` chains the
  snapshots in `number` order (the first one to "0" * 64);
- the freeze is audited (`monitoring.weekly_snapshot_freeze`, with the snapshot hash),
  so the audit chain also points at the snapshot.

`snapshot_verify` re-checks all of it and names, in Vietnamese, what broke.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import canonical_json

if TYPE_CHECKING:
    from motcua.monitoring.models import WeeklySnapshot
    from motcua.monitoring.reports import WeeklyData

GENESIS_HASH = "0" * 64
FORMAT = "motcua.weekly-snapshot/1"
MANIFEST_NAME = "manifest.json"
DATA_NAME = "data.json"


def sha256(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return hashlib.sha256(raw).hexdigest()


def _num(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _moment(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def weekly_payload(data: WeeklyData) -> dict[str, Any]:
    """The frozen content of the report: figures, rankings, attributed late dossiers,
    and the disputes decided since the previous report."""
    from motcua.monitoring.indicators import GROUPS

    lines = []
    for ln in data.lines:
        w, y = ln.week, ln.ytd
        lines.append(
            {
                "unit": ln.unit.code,
                "name": ln.unit.name,
                "kind": ln.unit.kind,
                "head": ln.head,
                "week_total": _num(w.card.total) if w.has_data else None,
                "week_colour": w.colour.css_class.removeprefix("level-"),
                "week_band": str(w.band.label),
                "rank": ln.rank,
                "ytd_total": _num(y.card.total) if y.has_data else None,
                "rank_ytd": ln.rank_ytd,
                "groups": {g.key: _num(w.card.groups[g.key].score) for g in GROUPS if w.has_data},
                "form06a_week": ln.week06a.cells(),
                "form06a_ytd": ln.ytd06a.cells(),
                "apologies": ln.apologies,
                "late_no_apology": ln.late_no_apology,
            }
        )
    return {
        "week": data.week,
        "start": data.period.start.isoformat(),
        "end": data.period.end.isoformat(),
        "generated_at": _moment(data.generated_at),
        "units": lines,
        "totals_week": data.totals_week.cells(),
        "totals_ytd": data.totals_ytd.cells(),
        "late": [
            {
                "code": o.code,
                "procedure": o.procedure,
                "unit": o.unit_code,
                "unit_name": o.unit,
                "step": o.step,
                "officer": o.officer,
                "due": _moment(o.due),
                "days_late": _num(o.days_late),
                "reason_kind": o.reason_kind,
                "reason": o.reason,
            }
            for o in data.overdue
        ],
        "heads": [
            {
                "rank": h.rank,
                "name": h.name,
                "unit": h.unit,
                "start": h.start.isoformat(),
                "end": h.end.isoformat(),
                "total": _num(h.total),
                "groups": {k: _num(v) for k, v in sorted(h.groups.items())},
            }
            for h in data.heads
        ],
        "disputes": [d.as_json() for d in getattr(data, "disputes", [])],
        "ranking_scheme": data.ranking_scheme,
    }


# --- PDF attachments ----------------------------------------------------------------


def pdf_attach(pdf: bytes, files: dict[str, bytes]) -> bytes:
    """Attach files to the PDF (incremental update, before it is signed)."""
    from pyhanko.pdf_utils import embed
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for name, content in files.items():
        embed.embed_file(
            writer,
            embed.FileSpec(
                file_spec_string=name,
                file_name=name,
                embedded_data=embed.EmbeddedFileObject.from_file_data(
                    writer, content, mime_type="application/json"
                ),
                description=name,
            ),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_attachments(pdf: bytes) -> dict[str, bytes]:
    """The embedded files of the PDF's latest revision, by name ({} when unreadable)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        out: dict[str, bytes] = {}
        for i in range(0, len(names) - 1, 2):
            spec = names[i + 1].get_object()
            out[str(names[i])] = spec["/EF"]["/F"].get_object().data
        return out
    except Exception:  # malformed or tampered file: no attachments
        return {}


# --- audit anchor -------------------------------------------------------------------


def audit_anchor() -> dict[str, Any]:
    """The audit chain tips now ({"<chain>": [position, entry_hash]}) and the newest
    seal ("seal:N:HASH", "" when none)."""
    from motcua.core.models import AuditChainHead, AuditSeal

    heads = {
        str(h.pk): [h.last_position, h.last_hash]
        for h in AuditChainHead.objects.filter(last_position__gt=0).order_by("pk")
    }
    seal = AuditSeal.objects.order_by("-number").first()
    return {"heads": heads, "seal": f"seal:{seal.number}:{seal.seal_hash}" if seal else ""}


# --- freeze -------------------------------------------------------------------------


def chain_hash(manifest_json: str, pdf_sha256: str) -> str:
    return sha256(
        canonical_json({"manifest_sha256": sha256(manifest_json), "pdf_sha256": pdf_sha256})
    )


def weekly_snapshot_freeze(
    *, data: WeeklyData, pdf: bytes, xlsx: bytes, actor: Any = None
) -> WeeklySnapshot:
    """Freeze the report: attach the manifest and the data to the PDF, sign it, chain
    it to the previous snapshot and the audit chain, store it append-only. Audited."""
    from motcua.core.audit import audit_record
    from motcua.monitoring.models import WeeklySnapshot
    from motcua.monitoring.reports import _sign

    data_json = canonical_json(weekly_payload(data))
    units = [ln.unit for ln in data.lines]
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = WeeklySnapshot.objects.order_by("-number").first()
                version = WeeklySnapshot.objects.filter(week=data.week).order_by("-version").first()
                manifest: dict[str, Any] = {
                    "format": FORMAT,
                    "number": (last.number if last else 0) + 1,
                    "week": data.week,
                    "version": (version.version if version else 0) + 1,
                    "frozen_at": _moment(timezone.now()),
                    "files": {DATA_NAME: sha256(data_json), "xlsx": sha256(xlsx)},
                    "prev_hash": last.snapshot_hash if last else GENESIS_HASH,
                    "audit": audit_anchor(),
                }
                manifest_json = canonical_json(manifest)
                attached = pdf_attach(
                    pdf,
                    {
                        MANIFEST_NAME: manifest_json.encode("utf-8"),
                        DATA_NAME: data_json.encode("utf-8"),
                    },
                )
                signed, signer = _sign(attached, units)
                pdf_sha = sha256(signed)
                snapshot = WeeklySnapshot(
                    number=manifest["number"],
                    week=data.week,
                    version=manifest["version"],
                    frozen_at=dt.datetime.fromisoformat(manifest["frozen_at"]),
                    data_json=data_json,
                    manifest_json=manifest_json,
                    pdf=signed,
                    xlsx=xlsx,
                    pdf_sha256=pdf_sha,
                    prev_hash=manifest["prev_hash"],
                    snapshot_hash=chain_hash(manifest_json, pdf_sha),
                    signed_by=signer,
                )
                snapshot.save(force_insert=True)
                audit_record(
                    action="monitoring.weekly_snapshot_freeze",
                    actor=actor,
                    obj=snapshot,
                    after={
                        "week": snapshot.week,
                        "version": snapshot.version,
                        "number": snapshot.number,
                        "snapshot_hash": snapshot.snapshot_hash,
                        "prev_hash": snapshot.prev_hash,
                        "signed_by": signer,
                    },
                )
                return snapshot
        except IntegrityError:  # another freeze took the number: chain after it
            continue
    raise RuntimeError("could not freeze the weekly report")


# --- verify -------------------------------------------------------------------------


@dataclass
class SnapshotCheck:
    week: str
    version: int
    number: int
    problems: list[str] = field(default_factory=list)
    signature: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        return _("Báo cáo tuần %(week)s (bản %(version)s, số %(number)s)") % {
            "week": self.week,
            "version": self.version,
            "number": self.number,
        }


def _check_signature(snap: WeeklySnapshot, pdf: bytes, check: SnapshotCheck) -> None:
    from motcua.documents import selectors
    from motcua.documents.constants import SignatureVerdict
    from motcua.documents.signing.validation import validate_pdf

    report = validate_pdf(
        pdf,
        selectors.trust_roots(),
        crls=selectors.local_crls(),
        demo_fingerprints=selectors.demo_fingerprints(),
    )
    if report.error:
        check.problems.append(_("Không đọc được tệp PDF: %(error)s") % {"error": report.error})
        return
    if not report.signatures:
        if snap.signed_by:
            check.problems.append(
                _("Tệp PDF không còn chữ ký số (đã được ký bởi %(who)s khi chốt).")
                % {"who": snap.signed_by}
            )
        else:
            check.signature = _("Không có chữ ký số (chưa có chứng thư của cơ quan khi chốt).")
        return
    for s in report.signatures:
        if s.verdict != SignatureVerdict.VALID:
            check.problems.append(
                _("Chữ ký số %(field)s trên PDF không hợp lệ: %(verdict)s.")
                % {"field": s.signer_name or s.field_name, "verdict": s.verdict_label}
            )
    if not check.problems:
        check.signature = ", ".join(
            f"{s.signer_name or s.field_name}: {s.verdict_label}" for s in report.signatures
        )


def _check_audit(manifest: dict[str, Any], snap: WeeklySnapshot, check: SnapshotCheck) -> None:
    from motcua.core.models import AuditEntry, AuditSeal

    audit = manifest.get("audit") or {}
    for chain, (position, digest) in sorted((audit.get("heads") or {}).items()):
        qs = (
            AuditEntry.objects.filter(chain__isnull=True, sequence=position)
            if chain == "0"
            else AuditEntry.objects.filter(chain=int(chain), position=position)
        )
        found = qs.values_list("entry_hash", flat=True).first()
        if found != digest:
            check.problems.append(
                _(
                    "Điểm neo vào nhật ký kiểm toán không khớp: bản ghi vị trí %(position)s "
                    "của chuỗi %(chain)s đã bị thay đổi hoặc xóa."
                )
                % {"position": position, "chain": chain}
            )
    seal = audit.get("seal") or ""
    if seal:
        _prefix, number, digest = [*seal.split(":", 2), "", "", ""][:3]
        sealed = (
            AuditSeal.objects.filter(number=int(number)).values_list("seal_hash", flat=True)
            if number.isdigit()
            else AuditSeal.objects.none().values_list("seal_hash", flat=True)
        )
        if sealed.first() != digest:
            check.problems.append(
                _("Niêm phong nhật ký %(seal)s ghi trong bảng kê không còn trong nhật ký.")
                % {"seal": f"seal:{number}"}
            )
    from motcua.core.models import AuditEntry as Entry

    recorded = (
        Entry.objects.filter(
            action="monitoring.weekly_snapshot_freeze",
            object_type="monitoring.weeklysnapshot",
            object_id=str(snap.pk),
        )
        .values_list("after", flat=True)
        .first()
    )
    if recorded is None or recorded.get("snapshot_hash") != snap.snapshot_hash:
        check.problems.append(
            _("Nhật ký kiểm toán không ghi nhận việc chốt báo cáo với mã băm này.")
        )


def snapshot_verify(snap: WeeklySnapshot, previous: WeeklySnapshot | None) -> SnapshotCheck:
    """Check one frozen report: stored bytes against their hashes, the signature, the
    manifest inside the signed PDF, the link to the previous snapshot and the audit
    anchor. Every failure is one Vietnamese sentence naming what broke."""
    check = SnapshotCheck(week=snap.week, version=snap.version, number=snap.number)
    pdf, xlsx = bytes(snap.pdf), bytes(snap.xlsx)
    if sha256(pdf) != snap.pdf_sha256:
        check.problems.append(_("Tệp PDF đã bị thay đổi: mã băm SHA-256 không khớp."))
    if chain_hash(snap.manifest_json, snap.pdf_sha256) != snap.snapshot_hash:
        check.problems.append(
            _("Mã băm của bản chốt không khớp với bảng kê và tệp PDF đã lưu: bản ghi đã bị sửa.")
        )
    _check_signature(snap, pdf, check)
    attached = pdf_attachments(pdf)
    if attached.get(MANIFEST_NAME, b"").decode("utf-8", "replace") != snap.manifest_json:
        check.problems.append(
            _("Bảng kê đã ký trong tệp PDF khác với bảng kê lưu trong cơ sở dữ liệu.")
        )
    try:
        manifest = json.loads(snap.manifest_json)
    except ValueError:
        check.problems.append(_("Bảng kê lưu trữ không đọc được."))
        return check
    files = manifest.get("files") or {}
    if sha256(snap.data_json) != files.get(DATA_NAME):
        check.problems.append(
            _(
                "Dữ liệu đã chốt (số liệu, xếp hạng, hồ sơ trễ hạn) đã bị thay đổi: "
                "mã băm không khớp."
            )
        )
    if sha256(xlsx) != files.get("xlsx"):
        check.problems.append(_("Tệp XLSX đã bị thay đổi: mã băm SHA-256 không khớp."))
    if (manifest.get("number"), manifest.get("week"), manifest.get("version")) != (
        snap.number,
        snap.week,
        snap.version,
    ) or manifest.get("prev_hash") != snap.prev_hash:
        check.problems.append(
            _("Số thứ tự, tuần hoặc liên kết của bản ghi khác với bảng kê đã ký.")
        )
    expected_prev = previous.snapshot_hash if previous is not None else GENESIS_HASH
    if previous is None and snap.number > 1:
        check.problems.append(
            _("Chuỗi bị đứt: không còn bản chốt số %(n)s đứng trước.") % {"n": snap.number - 1}
        )
    elif snap.prev_hash != expected_prev:
        check.problems.append(
            _(
                "Chuỗi bị đứt: liên kết tới bản chốt trước (số %(n)s) không khớp; "
                "bản trước đã bị thay đổi hoặc thay thế."
            )
            % {"n": snap.number - 1}
        )
    _check_audit(manifest, snap, check)
    return check


def snapshots_verify(week: str | None = None) -> list[SnapshotCheck]:
    """Verify the snapshots of `week` (every version), or all of them, with their links."""
    from motcua.core.models import AuditEntry
    from motcua.monitoring.models import WeeklySnapshot

    qs = WeeklySnapshot.objects.order_by("number")
    targets = list(qs.filter(week=week) if week else qs)
    checks = []
    for snap in targets:
        previous = (
            WeeklySnapshot.objects.filter(number=snap.number - 1).first()
            if snap.number > 1
            else None
        )
        checks.append(snapshot_verify(snap, previous))
    # a snapshot removed outright: the audit log still remembers its freeze
    kept = set(WeeklySnapshot.objects.values_list("pk", flat=True))
    for after, object_id in AuditEntry.objects.filter(
        action="monitoring.weekly_snapshot_freeze"
    ).values_list("after", "object_id"):
        after = after or {}
        if week and after.get("week") != week:
            continue
        if int(object_id) not in kept:
            gone = SnapshotCheck(
                week=after.get("week", "?"),
                version=after.get("version", 0),
                number=after.get("number", 0),
            )
            gone.problems.append(
                _("Bản chốt đã bị xóa khỏi cơ sở dữ liệu (nhật ký kiểm toán ghi nhận đã chốt).")
            )
            checks.append(gone)
    return checks


def snapshots_verify_and_alert() -> dict[str, int]:
    """Verify every frozen report; for each broken one, log an error and tell the
    supervisors and administrators of the province (the root units) in Vietnamese what
    broke (dedup: once per snapshot, problems and day)."""
    import hashlib
    import logging

    from django.urls import reverse
    from django.utils import timezone

    from motcua.notifications.services import notify
    from motcua.org.constants import Role
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    logger = logging.getLogger(__name__)
    checks = snapshots_verify()
    broken = [c for c in checks if not c.ok]
    told = 0
    if broken:
        today = timezone.localdate()
        recipients = {
            a.user_id: a.user
            for a in StaffAssignment.objects.filter(
                valid_on(today),
                role__in=(Role.SUPERVISOR, Role.ADMINISTRATOR),
                unit__parent__isnull=True,
            ).select_related("user")
        }
        for check in broken:
            logger.error("frozen weekly report broken: %s: %s", check.label, check.problems)
            digest = hashlib.sha256("\n".join(check.problems).encode()).hexdigest()[:16]
            for user in recipients.values():
                n = notify(
                    recipient=user,
                    event="weekly_snapshot_broken",
                    context={"label": str(check.label), "problems": list(check.problems)},
                    url=reverse("monitoring:weekly_reports"),
                    dedup_key=f"snapbroken:{check.week}:{check.version}:{digest}:{today:%Y%m%d}:{user.pk}",
                )
                told += n is not None
    return {"checked": len(checks), "broken": len(broken), "told": told}
