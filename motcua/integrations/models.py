"""National-portal sync (DVCQG, law.md §12.1, R22): the transactional outbox.

How rows get here (docs/integrations.md, "Why a relay over DossierEvent"): every
dossier transition writes a DossierEvent inside its own transaction. The relay reads
events it has not seen yet and turns each into outbox messages. Nothing is lost if a
process dies between the commit and the relay, because the event row *is* the durable
record; the relay is idempotent thanks to RelayedEvent.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RelayCursor(models.Model):
    """Low watermark of the relay: every event with id <= watermark has been relayed.
    The watermark lags behind by a grace period so that a transaction that committed
    late with a lower id is still picked up (see relay.py)."""

    name = models.CharField(max_length=32, primary_key=True)
    watermark = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}@{self.watermark}"


class RelayedEvent(models.Model):
    """Marks a DossierEvent as turned into outbox messages (zero or more)."""

    event_id = models.BigIntegerField(unique=True)
    relayed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return str(self.event_id)


class Service(models.TextChoices):
    DOSSIER = "DongBoHoSoMC", _("Đồng bộ hồ sơ (DongBoHoSoMC)")
    PROGRESS = "CapNhatTienDoHoSoMC", _("Cập nhật tiến độ (CapNhatTienDoHoSoMC)")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    DELIVERED = "delivered", _("Đã gửi, được xác nhận")
    DEAD = "dead", _("Lỗi, chờ xử lý")


OUTBOX_STATUS_COLOUR: dict[str, str] = {
    OutboxStatus.PENDING: "yellow",
    OutboxStatus.DELIVERED: "green",
    OutboxStatus.DEAD: "red",
}


class OutboxMessage(models.Model):
    """One message to the national portal. Messages of one dossier are delivered in
    `seq` order; the receiver keys them by (MaHoSo, seq) so a re-delivery is a no-op."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="+", verbose_name=_("hồ sơ")
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị tiếp nhận"),
    )
    ma_ho_so = models.CharField(_("mã hồ sơ"), max_length=64, db_index=True)
    service = models.CharField(_("dịch vụ"), max_length=32, choices=Service.choices)
    seq = models.PositiveIntegerField(_("số thứ tự"))
    event_id = models.BigIntegerField(_("sự kiện"), null=True, blank=True)
    is_updating = models.BooleanField(default=False)
    mapping_version = models.CharField(_("phiên bản ánh xạ"), max_length=16)
    payload = models.JSONField(_("nội dung"))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=OutboxStatus.choices,
        default=OutboxStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), db_index=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    last_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    replays = models.PositiveSmallIntegerField(_("số lần gửi lại thủ công"), default=0)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    dead_at = models.DateTimeField(_("chuyển lỗi lúc"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("thông điệp đồng bộ")
        verbose_name_plural = _("thông điệp đồng bộ")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="outbox_dossier_seq"),
            models.UniqueConstraint(
                fields=["event_id", "service"],
                name="outbox_event_service",
                condition=models.Q(event_id__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["unit", "service", "status"], name="outbox_unit_status"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.ma_ho_so}#{self.seq}"

    @property
    def status_colour(self) -> str:
        return OUTBOX_STATUS_COLOUR.get(self.status, "grey")


class DossierIdentityFlag(models.Model):
    """TaiKhoanDuocXacThucVoiVNeID (law.md §12.3, KPI 4.5): recorded once when the
    dossier is submitted, from the applicant's account at that moment, so later link
    changes do not rewrite history."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    vneid_authenticated = models.BooleanField(default=False)
    personal_id = models.CharField(max_length=12, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("xác thực VNeID của hồ sơ")
        verbose_name_plural = _("xác thực VNeID của hồ sơ")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.vneid_authenticated}"


class CatalogPull(models.Model):
    """One pull of the procedure catalogue from the national database (LayThuTuc)."""

    started_at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField(default=False)
    received = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ok={self.ok}"


class WebhookEndpoint(models.Model):
    """A subscriber to dossier events (another system of the province). Each request is
    signed with HMAC-SHA256 over "<timestamp>.<body>" using `secret` (webhooks.py)."""

    name = models.CharField(_("tên"), max_length=100, unique=True)
    url = models.URLField(_("địa chỉ nhận"), max_length=500)
    secret = models.CharField(_("khóa ký"), max_length=128)
    # Workflow actions to send ([] = all), and the units whose dossiers it may see.
    actions = models.JSONField(_("thao tác"), default=list, blank=True)
    units = models.ManyToManyField("org.OrgUnit", blank=True, related_name="+")
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("điểm nhận webhook")
        verbose_name_plural = _("điểm nhận webhook")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.BigIntegerField()
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint_id}:{self.event_id} {self.status}"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Đã nhận, chờ tạo hồ sơ")
    IMPORTED = "imported", _("Đã tạo hồ sơ")
    FAILED = "failed", _("Lỗi, chờ xử lý")


class InboundDossier(models.Model):
    """A dossier filed on the national portal (Decree 118/2025 Art. 15, 17(2); law.md
    R22a), as it reached Motcua by pull or push. One row per national code (unique): a
    second delivery of the same dossier changes nothing but `deliveries`. The import
    creates the Motcua dossier and links it here in one transaction (the unique
    `dossier` makes a second import impossible); the acknowledgement to the portal is
    sent after that commit and retried until the portal confirms it."""

    national_code = models.CharField(_("mã hồ sơ trên Cổng DVCQG"), max_length=64, unique=True)
    record = models.JSONField(_("hồ sơ nhận được"))
    via = models.CharField(_("nhận qua"), max_length=8)  # "pull" or "push"
    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("Cổng DVCQG tiếp nhận lúc"))
    deliveries = models.PositiveIntegerField(_("số lần nhận"), default=1)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=InboundStatus.choices,
        default=InboundStatus.RECEIVED,
        db_index=True,
    )
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hồ sơ"),
    )
    attempts = models.PositiveIntegerField(_("số lần tạo hồ sơ"), default=0)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), db_index=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    imported_at = models.DateTimeField(_("tạo hồ sơ lúc"), null=True, blank=True)
    portal_acked_at = models.DateTimeField(_("đã báo Cổng DVCQG lúc"), null=True, blank=True)
    ack_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("hồ sơ nhận từ Cổng DVCQG")
        verbose_name_plural = _("hồ sơ nhận từ Cổng DVCQG")

    def __str__(self) -> str:
        return self.national_code
