"""Notifications: one in-app item per recipient and event (the notification centre),
its deliveries over e-mail and SMS with every attempt's outcome, and the recipient's
preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")
    SKIPPED = "skipped", _("Không gửi")


DELIVERY_COLOUR: dict[str, str] = {
    DeliveryStatus.PENDING: "yellow",
    DeliveryStatus.SENT: "green",
    DeliveryStatus.FAILED: "red",
    DeliveryStatus.SKIPPED: "grey",
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("người nhận")
    )
    event = models.CharField(_("sự kiện"), max_length=48, db_index=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hồ sơ"),
    )
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    sms_text = models.CharField(_("nội dung SMS"), max_length=480, blank=True)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    # Makes a notification happen once (e.g. one reminder per step, one digest a day).
    dedup_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_unread")]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("địa chỉ"), max_length=254)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lúc"), db_index=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider_ref = models.CharField(_("mã bên cung cấp"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    # The provider's delivery report (arrives later, asynchronously), at server time.
    delivered_at = models.DateTimeField(_("đã đến người nhận lúc"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("lần gửi thông báo")
        verbose_name_plural = _("lần gửi thông báo")

    def __str__(self) -> str:
        return f"{self.channel} → {self.address}: {self.status}"

    @property
    def status_colour(self) -> str:
        return DELIVERY_COLOUR.get(self.status, "grey")


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.at}: {'ok' if self.ok else self.error[:40]}"


class Preference(models.Model):
    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="notification_preference", primary_key=True
    )
    email_enabled = models.BooleanField(_("nhận thông báo qua thư điện tử"), default=True)
    sms_enabled = models.BooleanField(_("nhận tin nhắn SMS"), default=True)
    language = models.CharField(
        _("ngôn ngữ thông báo"),
        max_length=8,
        blank=True,
        choices=[("", _("Theo tài khoản")), ("vi", "Tiếng Việt"), ("en", "English")],
    )
    daily_digest = models.BooleanField(_("nhận bản tổng hợp hằng ngày (lãnh đạo)"), default=True)

    class Meta:
        verbose_name = _("tùy chọn thông báo")
        verbose_name_plural = _("tùy chọn thông báo")

    def __str__(self) -> str:
        return str(self.user_id)


class SandboxSms(models.Model):
    """Messages accepted by the sandbox SMS gateway (dev/test/demo)."""

    to = models.CharField(max_length=20)
    text = models.TextField()
    ref = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    # When the sandbox "handset" reported the message delivered (the report is sent
    # later, as a real provider does: notifications.delivery.delivery_report_receive).
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.to}: {self.text[:30]}"
