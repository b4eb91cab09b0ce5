"""A data subject's request to erase their personal data (Decree 13/2023/ND-CP Art. 9,
Art. 16), its review and its execution (docs/operations/backup.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.privacy.constants import (
    OPEN_STATUSES,
    STATUS_COLOUR,
    ErasureStatus,
    ReadChannel,
    ReadKind,
)


class ErasureRequest(models.Model):
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="erasure_requests",
        verbose_name=_("chủ thể dữ liệu"),
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ErasureStatus.choices,
        default=ErasureStatus.REQUESTED,
        db_index=True,
    )
    reason = models.TextField(_("lý do của người yêu cầu"), blank=True)
    requested_at = models.DateTimeField(_("yêu cầu lúc"))
    # Decree 13/2023/ND-CP Art. 16(5): erasure within 72 hours of the request.
    due_at = models.DateTimeField(_("hạn xử lý"))
    # The legal assessment (motcua.privacy.assessment) when requested, then when executed.
    assessment = models.JSONField(_("đánh giá pháp lý"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decision_reason = models.TextField(_("lý do quyết định"), blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    executed_at = models.DateTimeField(_("thực hiện lúc"), null=True, blank=True)
    # Counts only (no personal data): what was erased, pseudonymised, retained.
    report = models.JSONField(_("kết quả thực hiện"), default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("yêu cầu xóa dữ liệu cá nhân")
        verbose_name_plural = _("yêu cầu xóa dữ liệu cá nhân")
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_erasure_request",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def status_colour(self) -> str:
        return STATUS_COLOUR.get(ErasureStatus(self.status), "grey")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def summary(self) -> dict[str, Any]:
        return {"status": self.status, "subject_id": self.subject_id}


class DossierRead(models.Model):
    """One officer's look at a dossier, one of its documents or a personal-data field
    (law.md R32a): who, for which unit and role, when, and the purpose derived from the
    step they hold. Written in one bulk insert per request and coalesced (one row per
    officer, dossier, object and purpose per `readlog.COALESCE`); shown to the applicant,
    who may question any entry (`question`: the behaviour complaint it became)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="reads", db_index=False
    )
    # The officer who read; empty for a system reading through the REST API without an
    # officer account (`client`, law.md R32a).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The API client (another system) that read: with `actor` when it acts for an
    # officer account, alone when it has none.
    client = models.ForeignKey(
        "api.ApiClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ứng dụng gọi API"),
    )
    unit = models.ForeignKey(
        "org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("vai trò"), max_length=32, blank=True)
    kind = models.CharField(_("nội dung xem"), max_length=16, choices=ReadKind.choices)
    channel = models.CharField(
        _("kênh"), max_length=8, choices=ReadChannel.choices, default=ReadChannel.WEB
    )
    object_ref = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_label = models.CharField(_("tên đối tượng"), max_length=255, blank=True)
    purpose = models.CharField(_("mục đích"), max_length=255, blank=True)
    in_active_step = models.BooleanField(_("trong bước xử lý được giao"), default=True)
    at = models.DateTimeField(_("thời điểm"))
    question = models.ForeignKey(
        "feedback.Feedback", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("lượt xem hồ sơ")
        verbose_name_plural = _("lượt xem hồ sơ")
        indexes = [
            models.Index(fields=["dossier", "at"], name="dossierread_dossier_at"),
            # The supervisors' list of reads outside an active step.
            models.Index(
                fields=["at"], condition=Q(in_active_step=False), name="dossierread_outside"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.actor_id} {self.at:%d/%m/%Y %H:%M}"

    @property
    def role_label(self) -> str:
        from motcua.org.constants import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def via_api(self) -> bool:
        return self.channel == ReadChannel.API

    @property
    def what(self) -> str:
        """What was read, in plain Vietnamese for the applicant (law.md R32a)."""
        from django.utils.translation import gettext as _g

        label = self.object_label
        if self.kind == ReadKind.DOCUMENT:
            text = _g("Mở tệp “%(name)s”") % {"name": label} if label else _g("Mở một giấy tờ")
        elif self.kind == ReadKind.FORM:
            text = _g("Xem, in %(form)s") % {"form": label} if label else _g("Xem, in mẫu phiếu")
        elif self.kind == ReadKind.REGISTER:
            text = _g("Lập sổ theo dõi hồ sơ của đơn vị (có tên, địa chỉ, số điện thoại của bạn)")
        elif self.via_api:
            text = _g("Xem thông tin hồ sơ")
        else:
            text = _g("Mở trang hồ sơ (có họ tên, số định danh, thông tin bạn khai)")
        if self.via_api and self.actor_id is None:
            text += " " + _g("qua API (hệ thống kết nối, không thay mặt cán bộ nào)")
        elif self.via_api:
            text += " " + _g("qua API (phần mềm khác của cơ quan, dùng tài khoản cán bộ)")
        return text

    @property
    def system_name(self) -> str:
        """Who read when no officer did: "Hệ thống <client name> (API)" (law.md R32a)."""
        if self.actor_id is not None or self.client is None:
            return ""
        from django.utils.translation import gettext as _g

        return _g("Hệ thống %(name)s (API)") % {"name": self.client.name}
