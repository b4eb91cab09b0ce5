"""Payment requests per dossier with fee lines, attempts with providers, every provider
message verbatim (append-only), e-receipts numbered per collecting unit, refunds,
bank statement lines, reconciliation runs and the sandbox gateway's own ledger."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.payments.constants import (
    ATTEMPT_COLOUR,
    MISMATCH_COLOUR,
    REFUND_COLOUR,
    REQUEST_COLOUR,
    AttemptStatus,
    Direction,
    MessageKind,
    MismatchKind,
    OnlineFlag,
    RefundStatus,
    RequestKind,
    RequestStatus,
    StatementStatus,
)

USER = settings.AUTH_USER_MODEL


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise RuntimeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{type(self).__name__} rows are append-only")


class PaymentRequest(models.Model):
    """What a dossier owes (R21). `reference` identifies the request to people (notice,
    receipt); each attempt has its own `txn_ref` sent to the provider."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="payment_requests",
        verbose_name=_("hồ sơ"),
    )
    collecting_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị thu")
    )
    kind = models.CharField(
        _("loại"), max_length=16, choices=RequestKind.choices, default=RequestKind.FEE
    )
    reference = models.CharField(_("mã thanh toán"), max_length=20, unique=True)
    description = models.CharField(_("nội dung"), max_length=255)
    amount = models.PositiveBigIntegerField(_("số tiền phải nộp (VND)"))
    currency = models.CharField(_("tiền tệ"), max_length=3, default="VND")
    paid_amount = models.PositiveBigIntegerField(_("đã nộp (VND)"), default=0)
    refunded_amount = models.PositiveBigIntegerField(_("đã hoàn (VND)"), default=0)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.UNPAID,
        db_index=True,
    )
    online_flag = models.PositiveSmallIntegerField(
        _("thanh toán trực tuyến (DuocThanhToanTrucTuyen)"),
        choices=OnlineFlag.choices,
        default=OnlineFlag.NO,
    )
    pauses_clock = models.BooleanField(_("tạm dừng tính thời hạn"), default=False)
    due_at = models.DateTimeField(_("hạn nộp"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    # A child's fee request paid through its linked application's combined request.
    combined_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="combined_members",
        verbose_name=_("thanh toán gộp"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("yêu cầu thanh toán")
        verbose_name_plural = _("yêu cầu thanh toán")
        indexes = [models.Index(fields=["collecting_unit", "status"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_colour(self) -> str:
        return REQUEST_COLOUR.get(self.status, "grey")

    @property
    def outstanding(self) -> int:
        return max(0, self.amount - self.paid_amount)

    @property
    def is_settled(self) -> bool:
        return self.status in (RequestStatus.PAID, RequestStatus.WAIVED)


class FeeLine(models.Model):
    """A fee line copied from the catalogue at request time (amount, exemption, discount)
    so later catalogue edits never change what was asked (law.md R2)."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="lines")
    code = models.CharField(_("mã phí"), max_length=64)
    kind = models.CharField(_("loại"), max_length=16, blank=True)
    name = models.CharField(_("tên phí, lệ phí"), max_length=255)
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    copies = models.PositiveIntegerField(_("số bản"), default=1)
    gross = models.PositiveBigIntegerField(_("thành tiền trước giảm"))
    discount = models.PositiveBigIntegerField(_("giảm"), default=0)
    amount = models.PositiveBigIntegerField(_("phải nộp"))
    exempt = models.BooleanField(_("được miễn"), default=False)
    exemption_reason = models.CharField(_("căn cứ miễn"), max_length=255, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("khoản phí")
        verbose_name_plural = _("khoản phí")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class PaymentAttempt(models.Model):
    """One try to pay a request with one provider (state machine in payments.state)."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="attempts")
    provider = models.CharField(_("hình thức"), max_length=32)
    txn_ref = models.CharField(_("mã giao dịch Motcua"), max_length=32, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    # NULL (not "") until the provider names it, so the unique constraint ignores it.
    provider_txn_id = models.CharField(  # noqa: DJ001
        _("mã giao dịch ngân hàng"), max_length=64, null=True, blank=True
    )
    amount = models.PositiveBigIntegerField(_("số tiền"))
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=AttemptStatus.choices,
        default=AttemptStatus.CREATED,
        db_index=True,
    )
    # A second success on an already-paid request: kept, not counted, refunded.
    duplicate = models.BooleanField(_("thanh toán trùng"), default=False)
    refunded_amount = models.PositiveBigIntegerField(_("đã hoàn"), default=0)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    completed_at = models.DateTimeField(_("hoàn tất lúc"), null=True, blank=True)
    settled_at = models.DateTimeField(_("đã đối soát lúc"), null=True, blank=True)
    failure_reason = models.CharField(_("lý do"), max_length=255, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=32, blank=True)
    payload = models.TextField(_("nội dung mã QR / đường dẫn"), blank=True)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_txn_id"],
                condition=Q(provider_txn_id__isnull=False),
                name="unique_provider_txn",
            )
        ]

    def __str__(self) -> str:
        return self.txn_ref

    @property
    def status_colour(self) -> str:
        return ATTEMPT_COLOUR.get(self.status, "grey")

    @property
    def provider_display(self) -> str:
        from motcua.payments.providers.base import provider_label

        return provider_label(self.provider)


class ProviderMessage(AppendOnly):
    """Every message exchanged with a provider, stored verbatim before it is acted on,
    whatever its validity (audit trail for disputes)."""

    provider = models.CharField(_("nhà cung cấp"), max_length=32)
    direction = models.CharField(_("chiều"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("loại"), max_length=16, choices=MessageKind.choices)
    attempt = models.ForeignKey(
        PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    raw = models.TextField(_("nội dung nguyên văn"))
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    signature_ok = models.BooleanField(_("chữ ký hợp lệ"), null=True)
    outcome = models.CharField(_("kết quả xử lý"), max_length=120, blank=True)
    received_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("thông điệp thanh toán")
        verbose_name_plural = _("thông điệp thanh toán")

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.received_at:%Y-%m-%d %H:%M}"


class ReceiptSeries(models.Model):
    """Receipt template (mẫu số) and symbol (ký hiệu) of a collecting unit with its
    running number (Decree 123/2020, Circular 78/2021/TT-BTC; law.md §5.4)."""

    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    template_code = models.CharField(_("mẫu số"), max_length=20)
    symbol = models.CharField(_("ký hiệu"), max_length=20)
    last_number = models.PositiveIntegerField(_("số cuối đã cấp"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("quyển biên lai")
        verbose_name_plural = _("quyển biên lai")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "template_code", "symbol"], name="unique_receipt_series"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_code} {self.symbol}"


class Receipt(models.Model):
    """An electronic fee receipt (biên lai điện tử)."""

    series = models.ForeignKey(ReceiptSeries, on_delete=models.PROTECT, related_name="receipts")
    number = models.PositiveIntegerField(_("số"))
    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="receipts")
    attempt = models.OneToOneField(PaymentAttempt, on_delete=models.PROTECT, related_name="receipt")
    payer_name = models.CharField(_("người nộp"), max_length=200)
    payer_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    amount = models.PositiveBigIntegerField(_("số tiền"))
    items = models.JSONField(_("khoản thu"), default=list)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64, blank=True)
    payment_method = models.CharField(_("hình thức thanh toán"), max_length=64)
    issued_at = models.DateTimeField(_("ngày lập"))
    issued_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.ForeignKey(
        "documents.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed = models.BooleanField(_("đã ký số"), default=False)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="unique_receipt_number")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.number_display}"

    @property
    def number_display(self) -> str:
        return f"{self.number:07d}"


class Refund(models.Model):
    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="refunds")
    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="refunds")
    # A payment of a linked application's combined request is refunded per child: the
    # share of the child whose dossier was refused, withdrawn… (law.md R40).
    member = models.ForeignKey(
        PaymentRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_refunds",
        verbose_name=_("phần của hồ sơ thành phần"),
    )
    amount = models.PositiveBigIntegerField(_("số tiền hoàn"))
    reason = models.TextField(_("lý do"))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=RefundStatus.choices,
        default=RefundStatus.REQUESTED,
    )
    provider_refund_id = models.CharField(_("mã hoàn tiền"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("đề nghị lúc"), auto_now_add=True)
    decided_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("hoàn tiền")
        verbose_name_plural = _("hoàn tiền")

    def __str__(self) -> str:
        return f"{self.attempt} −{self.amount}"

    @property
    def status_colour(self) -> str:
        return REFUND_COLOUR.get(self.status, "grey")


class StatementLine(models.Model):
    """A credit line of the collecting account's bank statement (VietQR transfers)."""

    bank_txn_id = models.CharField(_("mã giao dịch ngân hàng"), max_length=64, unique=True)
    booked_at = models.DateTimeField(_("thời điểm ghi có"))
    amount = models.BigIntegerField(_("số tiền"))
    description = models.CharField(_("nội dung"), max_length=500)
    status = models.CharField(_("kết quả"), max_length=20, choices=StatementStatus.choices)
    attempt = models.ForeignKey(
        PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("nguồn"), max_length=100, blank=True)
    imported_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-booked_at", "-pk"]
        verbose_name = _("dòng sao kê")
        verbose_name_plural = _("sao kê ngân hàng")

    def __str__(self) -> str:
        return f"{self.bank_txn_id} {self.amount}"


class ReconciliationRun(models.Model):
    provider = models.CharField(_("nhà cung cấp"), max_length=32)
    day = models.DateField(_("ngày đối soát"))
    source = models.CharField(_("nguồn"), max_length=120)
    line_count = models.PositiveIntegerField(_("số dòng tệp đối soát"), default=0)
    matched_count = models.PositiveIntegerField(_("số giao dịch khớp"), default=0)
    mismatch_count = models.PositiveIntegerField(_("số chênh lệch"), default=0)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-created_at"]
        verbose_name = _("lần đối soát")
        verbose_name_plural = _("đối soát")

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"


class Mismatch(models.Model):
    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("loại chênh lệch"), max_length=24, choices=MismatchKind.choices)
    txn_ref = models.CharField(_("mã giao dịch Motcua"), max_length=32, blank=True)
    provider_txn_id = models.CharField(_("mã giao dịch ngân hàng"), max_length=64, blank=True)
    motcua_amount = models.BigIntegerField(_("số tiền Motcua"), null=True, blank=True)
    provider_amount = models.BigIntegerField(_("số tiền đối soát"), null=True, blank=True)
    attempt = models.ForeignKey(
        PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "txn_ref"]
        verbose_name = _("chênh lệch đối soát")
        verbose_name_plural = _("chênh lệch đối soát")

    def __str__(self) -> str:
        return f"{self.kind} {self.txn_ref}"

    @property
    def colour(self) -> str:
        return MISMATCH_COLOUR.get(self.kind, "grey")


class SandboxLedgerEntry(models.Model):
    """The sandbox bank's own books: what it charged. Used for the gateway's
    transaction query (querydr) and its daily settlement file; demo/tests only."""

    txn_ref = models.CharField(max_length=32, db_index=True)
    transaction_no = models.CharField(max_length=32, unique=True)
    amount = models.BigIntegerField()
    response_code = models.CharField(max_length=4)
    bank_code = models.CharField(max_length=16, default="NCB")
    paid_at = models.DateTimeField()

    class Meta:
        ordering = ["paid_at", "pk"]
        verbose_name = _("sổ cái ngân hàng thử nghiệm")
        verbose_name_plural = _("sổ cái ngân hàng thử nghiệm")

    def __str__(self) -> str:
        return f"{self.transaction_no} {self.txn_ref}"
