"""The legal assessment of an erasure request: what can be erased now, what is only
pseudonymised, what must be kept and why (docs/operations/backup.md).

Decree 13/2023/ND-CP Art. 16 gives the data subject the right to erasure, except where
another law requires the data to be kept (Art. 16(3)); the Law on Personal Data
Protection 91/2025/QH15 keeps the same exception. Kept here:

* dossiers of administrative procedures, their events, components, files and results,
  open or within their retention period (Decree 61/2018/ND-CP; Law 33/2024/QH15 on
  archives; period `MOTCUA_DOSSIER_RETENTION_YEARS` from the closing date);
* payment requests, receipts and refunds (Law on Accounting 88/2015/QH13 Art. 41:
  accounting documents are kept for their retention period);
* complaints/feedback and their handling (records of the handling body);
* the audit log (append-only hash chain: traceability of processing, Decree 61/2018).

Everything without such a ground is erased: unsent drafts and their files, e-data
warehouse items not used by a dossier, notification preferences and messages, sessions,
second-factor devices, linked external identities (VNeID) and login counters. The
account itself is never deleted (retained rows point to it): it is disabled and its
personal fields are pseudonymised, keeping only the identification needed by retained
records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.privacy.constants import Treatment

# Account fields: contact data is always pseudonymised; identification is kept while a
# retained record needs to name its applicant.
CONTACT_FIELDS = ("phone", "email", "address")
IDENTITY_FIELDS = (
    "full_name",
    "personal_id",
    "tax_code",
    "date_of_birth",
    "representative_name",
    "representative_position",
)


@dataclass
class Category:
    key: str
    label: str
    count: int
    treatment: str
    basis: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Assessment:
    categories: list[Category] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    keep_identity: bool = False
    computed_at: str = ""

    @property
    def can_execute(self) -> bool:
        return not self.blockers

    def by_treatment(self, treatment: str) -> list[Category]:
        return [c for c in self.categories if c.treatment == treatment and c.count]

    def as_dict(self) -> dict[str, Any]:
        return {
            "computed_at": self.computed_at,
            "keep_identity": self.keep_identity,
            "blockers": list(self.blockers),
            "categories": [c.as_dict() for c in self.categories],
        }


def retention_years() -> int:
    return int(getattr(settings, "MOTCUA_DOSSIER_RETENTION_YEARS", 10))


def retention_cutoff(now: dt.datetime) -> dt.datetime:
    """Dossiers closed before this instant are past their retention period."""
    years = retention_years()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _terminal() -> list[str]:
    from motcua.dossiers.workflow import TERMINAL

    return [str(s) for s in TERMINAL]


def user_dossiers(user: Any) -> QuerySet[Any]:
    from motcua.dossiers.models import Dossier

    return Dossier.objects.filter(applicant=user).exclude(status="draft")


def open_dossiers(user: Any) -> QuerySet[Any]:
    return user_dossiers(user).exclude(status__in=_terminal())


def _closed_before(cutoff: dt.datetime) -> Q:
    """Closed (terminal) and closed before `cutoff`; the closing date is the result
    return, else the end of processing, else the last change."""
    return (
        Q(returned_at__lt=cutoff)
        | Q(returned_at__isnull=True, completed_at__lt=cutoff)
        | Q(returned_at__isnull=True, completed_at__isnull=True, updated_at__lt=cutoff)
    )


def expired_dossiers(user: Any, now: dt.datetime) -> QuerySet[Any]:
    return (
        user_dossiers(user)
        .filter(status__in=_terminal())
        .filter(_closed_before(retention_cutoff(now)))
    )


def retained_dossiers(user: Any, now: dt.datetime) -> QuerySet[Any]:
    return user_dossiers(user).exclude(pk__in=expired_dossiers(user, now).values("pk"))


def unsent_drafts(user: Any) -> QuerySet[Any]:
    from motcua.dossiers.models import DossierDraft

    return DossierDraft.objects.filter(applicant=user, dossier__isnull=True)


def _draft_file_ids(user: Any) -> set[str]:
    ids: set[str] = set()
    for attachments in unsent_drafts(user).values_list("attachments", flat=True):
        for value in (attachments or {}).values():
            if isinstance(value, dict) and value.get("file") and not value.get("warehouse_item"):
                ids.add(str(value["file"]))
    return ids


def _used_in_dossiers(user: Any) -> set[str]:
    """File ids named by any component or result of the user's dossiers."""
    from motcua.dossiers.models import DossierComponent

    used: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("file", "id", "file_id") and isinstance(item, str):
                    used.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for files in DossierComponent.objects.filter(dossier__applicant=user).values_list(
        "files", flat=True
    ):
        walk(files)
    for files in user_dossiers(user).values_list("result_files", flat=True):
        walk(files)
    return used


def erasable_files(user: Any, candidate_ids: set[str]) -> QuerySet[Any]:
    """Files of `user` among `candidate_ids` that nothing retained uses: no link to a
    dossier, no warehouse item, no derived file, signature or issued document."""
    from motcua.documents.models import (
        FileLink,
        IssuedDocument,
        SignatureRecord,
        StoredFile,
        WarehouseItem,
    )

    ids = candidate_ids - _used_in_dossiers(user)
    return (
        StoredFile.objects.filter(pk__in=ids, owner=user)
        .exclude(pk__in=FileLink.objects.values("file_id"))
        .exclude(pk__in=WarehouseItem.objects.values("file_id"))
        .exclude(pk__in=StoredFile.objects.filter(source__isnull=False).values("source_id"))
        .exclude(pk__in=SignatureRecord.objects.values("file_id"))
        .exclude(pk__in=IssuedDocument.objects.filter(file__isnull=False).values("file_id"))
    )


def free_warehouse_items(user: Any) -> QuerySet[Any]:
    """Warehouse items no dossier used (a reused item is part of that dossier)."""
    from motcua.documents.models import WarehouseItem

    return WarehouseItem.objects.filter(owner=user, reuses__isnull=True).distinct()


def user_sessions(user: Any) -> list[Any]:
    from django.contrib.sessions.models import Session

    found = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        try:
            data = session.get_decoded()
        except Exception:  # noqa: S112  (an undecodable session belongs to nobody)
            continue
        if str(data.get("_auth_user_id")) == str(user.pk):
            found.append(session)
    return found


def _count(qs: Any) -> int:
    return int(qs.count())


def assess(user: Any, now: dt.datetime | None = None) -> Assessment:
    """Compute the assessment for `user` now (no writes)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from motcua.accounts.models import ExternalAccount, LoginThrottle
    from motcua.core.models import AuditEntry
    from motcua.dossiers.models import DossierDraft
    from motcua.feedback.models import Feedback
    from motcua.notifications.models import Notification, Preference
    from motcua.payments.models import PaymentRequest

    now = now or timezone.now()
    years = retention_years()
    retained = _count(retained_dossiers(user, now))
    expired = _count(expired_dossiers(user, now))
    payments = _count(PaymentRequest.objects.filter(dossier__applicant=user))
    feedback = _count(Feedback.objects.filter(submitter=user))
    keep_identity = bool(retained or payments or feedback)
    devices = _count(TOTPDevice.objects.filter(user=user)) + _count(
        StaticDevice.objects.filter(user=user)
    )
    draft_files = _count(erasable_files(user, _draft_file_ids(user)))
    cats = [
        Category(
            "drafts",
            str(_("Hồ sơ nháp chưa nộp")),
            _count(unsent_drafts(user)),
            Treatment.ERASE,
            str(_("Không có căn cứ pháp lý để tiếp tục xử lý (Nghị định 13/2023/NĐ-CP, Điều 16).")),
        ),
        Category(
            "draft_files",
            str(_("Tệp đính kèm của hồ sơ nháp chưa nộp")),
            draft_files,
            Treatment.ERASE,
            str(_("Chưa thuộc hồ sơ thủ tục hành chính nào.")),
        ),
        Category(
            "warehouse",
            str(_("Giấy tờ trong kho dữ liệu chưa dùng cho hồ sơ nào")),
            _count(free_warehouse_items(user)),
            Treatment.ERASE,
            str(_("Kho dữ liệu là tiện ích theo sự đồng ý của công dân.")),
        ),
        Category(
            "notifications",
            str(_("Thông báo, tùy chọn nhận thông báo")),
            _count(Notification.objects.filter(recipient=user))
            + _count(Preference.objects.filter(user=user)),
            Treatment.ERASE,
            str(_("Bản sao tin nhắn; diễn biến hồ sơ được lưu trong hồ sơ.")),
        ),
        Category(
            "access",
            str(_("Phiên đăng nhập, thiết bị xác thực, liên kết VNeID, bộ đếm đăng nhập")),
            len(user_sessions(user))
            + devices
            + _count(ExternalAccount.objects.filter(user=user))
            + _count(LoginThrottle.objects.filter(key=f"u{user.pk}")),
            Treatment.ERASE,
            str(_("Chỉ phục vụ việc đăng nhập vào tài khoản bị xóa.")),
        ),
        Category(
            "account",
            str(_("Tài khoản: tên đăng nhập, số điện thoại, thư điện tử, địa chỉ, mật khẩu")),
            1,
            Treatment.PSEUDONYMISE,
            str(
                _(
                    "Tài khoản bị vô hiệu hóa; họ tên và số định danh chỉ được giữ khi hồ sơ, "
                    "khoản thu hoặc phản ánh còn trong thời hạn lưu trữ cần xác định người nộp."
                )
            ),
        ),
        Category(
            "dossiers_expired",
            str(_("Hồ sơ đã hết thời hạn lưu trữ")),
            expired,
            Treatment.PSEUDONYMISE,
            str(
                _(
                    "Nội dung tờ khai và thông tin người được ủy quyền được xóa; số liệu "
                    "thống kê của hồ sơ được giữ."
                )
            ),
        ),
        Category(
            "dossiers_retained",
            str(_("Hồ sơ thủ tục hành chính đang giải quyết hoặc còn thời hạn lưu trữ")),
            retained,
            Treatment.RETAIN,
            str(
                _(
                    "Lưu trữ theo Nghị định 61/2018/NĐ-CP và Luật Lưu trữ 2024 "
                    "(%(years)d năm kể từ khi kết thúc)."
                )
                % {"years": years}
            ),
        ),
        Category(
            "submitted_drafts",
            str(_("Bản tờ khai đã nộp kèm hồ sơ")),
            _count(DossierDraft.objects.filter(applicant=user, dossier__isnull=False)),
            Treatment.RETAIN,
            str(_("Thuộc hồ sơ đã nộp; được giả danh hóa cùng hồ sơ khi hết thời hạn lưu trữ.")),
        ),
        Category(
            "payments",
            str(_("Khoản thu phí, lệ phí, biên lai")),
            payments,
            Treatment.RETAIN,
            str(_("Chứng từ kế toán phải lưu trữ (Luật Kế toán 2015, Điều 41).")),
        ),
        Category(
            "feedback",
            str(_("Phản ánh, kiến nghị đã gửi")),
            feedback,
            Treatment.RETAIN,
            str(_("Hồ sơ xử lý phản ánh, kiến nghị của cơ quan có thẩm quyền.")),
        ),
        Category(
            "audit",
            str(_("Nhật ký hệ thống về các thao tác của bạn")),
            _count(AuditEntry.objects.filter(actor=user)),
            Treatment.RETAIN,
            str(_("Nhật ký không thể sửa, bảo đảm truy vết việc giải quyết thủ tục.")),
        ),
    ]
    blockers = []
    open_count = _count(open_dossiers(user))
    if open_count:
        blockers.append(
            str(
                _(
                    "Còn %(count)d hồ sơ đang giải quyết: chỉ có thể xóa tài khoản sau khi "
                    "các hồ sơ này kết thúc."
                )
                % {"count": open_count}
            )
        )
    return Assessment(
        categories=cats,
        blockers=blockers,
        keep_identity=keep_identity,
        computed_at=now.isoformat(),
    )
