"""Feedback and petitions (PAKN, law.md §7) and satisfaction ratings (§8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel
from motcua.feedback.constants import (
    STATUS_COLOUR,
    CitizenVerdict,
    FeedbackChannel,
    FeedbackKind,
    FeedbackStatus,
    RatingChannel,
    RatingLevel,
    RatingStage,
)

USER = settings.AUTH_USER_MODEL


class Feedback(TimeStampedModel):
    """One feedback item, registered in the feedback register (sổ tiếp nhận, Decree
    20/2008 Art. 9(1)). Behaviour complaints name a subject officer and unit; the
    visibility rule (selectors.feedback_visible_to) keeps them away from the subject
    and from the ordinary staff of the subject's unit."""

    code = models.CharField(_("mã phản ánh"), max_length=20, unique=True)
    pin_hash = models.CharField(max_length=128, blank=True, editable=False)
    channel = models.CharField(_("kênh tiếp nhận"), max_length=20, choices=FeedbackChannel.choices)
    kind = models.CharField(_("phân loại"), max_length=20, choices=FeedbackKind.choices)
    status = models.CharField(
        _("trạng thái"),
        max_length=24,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
        db_index=True,
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    content = models.TextField(_("nội dung"))
    # The sender: an account, or typed by an officer (hotline, letter), or nobody.
    submitter = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_sent",
        verbose_name=_("người gửi (tài khoản)"),
    )
    is_anonymous = models.BooleanField(_("ẩn danh"), default=False)
    sender_name = models.CharField(_("họ tên người gửi"), max_length=200, blank=True)
    sender_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    sender_email = models.EmailField(_("thư điện tử"), blank=True)
    sender_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ nhập"),
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
        verbose_name=_("hồ sơ liên quan"),
    )
    subject_officer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ bị phản ánh"),
    )
    subject_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị của cán bộ bị phản ánh"),
    )
    handling_unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        related_name="feedback_handled",
        verbose_name=_("đơn vị xử lý"),
    )
    handler = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_assigned",
        verbose_name=_("người xử lý"),
    )
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    # Start of the §7.2 clocks: submission, or the latest transfer / supplement.
    clock_started_at = models.DateTimeField(_("bắt đầu tính hạn"))
    handle_due_at = models.DateTimeField(_("hạn xử lý"), db_index=True)
    accepted_at = models.DateTimeField(_("phân loại lúc"), null=True, blank=True)
    refused_at = models.DateTimeField(_("từ chối lúc"), null=True, blank=True)
    first_supplement_at = models.DateTimeField(_("yêu cầu bổ sung lần đầu"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("chuyển lúc"), null=True, blank=True)
    awaiting_publication_at = models.DateTimeField(
        _("chuyển chờ công khai lúc"), null=True, blank=True
    )
    publish_due_at = models.DateTimeField(_("hạn công khai"), null=True, blank=True)
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    # Timeliness of the (latest) handling, kept for reports after re-opening.
    handled_late = models.BooleanField(_("xử lý quá hạn"), null=True, blank=True)
    published_late = models.BooleanField(_("công khai quá hạn"), null=True, blank=True)
    status_reason = models.TextField(_("lý do / nội dung yêu cầu gần nhất"), blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    public_summary = models.TextField(_("tóm tắt công khai (đã ẩn thông tin cá nhân)"), blank=True)
    public_answer = models.TextField(_("trả lời công khai (đã ẩn thông tin cá nhân)"), blank=True)
    is_public = models.BooleanField(_("đăng trên Cổng"), default=True)
    approved_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lãnh đạo duyệt"),
    )
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    verdict = models.CharField(
        _("đánh giá của người gửi"), max_length=16, choices=CitizenVerdict.choices, blank=True
    )
    verdict_at = models.DateTimeField(_("đánh giá lúc"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("số lần mở lại"), default=0)
    # Integrity (abuse detection for anonymous submissions).
    fingerprint = models.CharField(max_length=64, db_index=True, editable=False)
    client_key = models.CharField(max_length=40, blank=True, editable=False)
    flags = models.JSONField(_("dấu hiệu cần chú ý"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["handling_unit", "status"], name="feedback_unit_status"),
            models.Index(fields=["subject_unit", "kind"], name="feedback_subject_unit"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def status_colour(self) -> str:
        return STATUS_COLOUR.get(self.status, "grey")


class FeedbackExclusion(models.Model):
    """An officer who must never see this item: the subject of a behaviour complaint,
    and, for a complaint about a dossier, every officer who acted on it (the citizen
    usually cannot name the officer)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="exclusions")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feedback", "user"], name="unique_feedback_exclusion")
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id} ⊘ {self.user_id}"


class FeedbackEvent(models.Model):
    """Append-only history of an item (who, when, from/to, note)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("thao tác"), max_length=40)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    unit = models.ForeignKey(
        "org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("diễn biến phản ánh")
        verbose_name_plural = _("diễn biến phản ánh")

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.action}"


class SubmissionThrottle(models.Model):
    """Per-client counters (keyed hash of the IP) for anonymous submissions and code +
    PIN look-ups: a fixed window, shared by every web worker through the database."""

    scope = models.CharField(max_length=16)
    key = models.CharField(max_length=40)
    window_started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="unique_feedback_throttle")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.count})"


class SatisfactionRating(models.Model):
    """One rating per dossier and stage (Decree 61/2018 Art. 29–31; Circular 32/2017
    Art. 12). `rater` is stored for integrity and is never shown to officers: the back
    office only reads aggregates (selectors.rating_*)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="ratings"
    )
    stage = models.CharField(_("thời điểm đánh giá"), max_length=16, choices=RatingStage.choices)
    level = models.CharField(_("mức độ hài lòng"), max_length=16, choices=RatingLevel.choices)
    criteria = models.JSONField(_("tiêu chí"), default=dict, blank=True)
    problem = models.TextField(_("điều chưa hài lòng"), blank=True)
    channel = models.CharField(_("kênh đánh giá"), max_length=16, choices=RatingChannel.choices)
    rater = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    officer = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated_at = models.DateTimeField(_("đánh giá lúc"), db_index=True)
    complaint = models.ForeignKey(
        Feedback, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "stage"], name="unique_rating_per_stage")
        ]
        indexes = [models.Index(fields=["unit", "rated_at"], name="rating_unit_day")]

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.stage}: {self.level}"
