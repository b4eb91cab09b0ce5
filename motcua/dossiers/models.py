"""Dossiers (hồ sơ), their components, process steps, pauses, the append-only event
log (the Control Sheet, Form 05, is derived from it) and the per-unit daily code
counter (law.md §1, §14.2–14.4)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel
from motcua.dossiers import rulesets
from motcua.dossiers.constants import (
    STATUS_COLOUR,
    Channel,
    DelayReasonKind,
    DossierStatus,
    PauseKind,
    ReturnChannel,
    StepStatus,
)
from motcua.org.constants import Role

USER = settings.AUTH_USER_MODEL


class DossierGroup(TimeStampedModel):
    """A linked application (hồ sơ liên thông, Decree 63/2024/NĐ-CP; law.md R40): the
    parent of one child Dossier per member procedure of a ProcedureBundle. The
    applicant answers and attaches once here; each child is then submitted through
    the ordinary online submission at its own competent authority, so deadlines,
    processing, monitoring and the national sync work per child unchanged."""

    bundle = models.ForeignKey(
        "catalog.ProcedureBundle",
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name=_("nhóm thủ tục liên thông"),
    )
    applicant = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="dossier_groups", verbose_name=_("người nộp")
    )
    receiving_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nơi tiếp nhận"),
    )
    # The linked e-form as typed, and its last validated answers.
    raw_form = models.JSONField(_("tờ khai đang nhập"), default=dict, blank=True)
    answers = models.JSONField(_("tờ khai liên thông"), default=dict, blank=True)
    form_valid = models.BooleanField(_("tờ khai hợp lệ"), default=False)
    # {shared document code: {"file", "name", "size", "pages", "content_type"}}
    attachments = models.JSONField(_("giấy tờ dùng chung"), default=dict, blank=True)
    # Pinned at submission (R2: a later catalogue edit never changes a received group).
    return_mode = models.CharField(_("cách trả kết quả"), max_length=16, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("hồ sơ liên thông")
        verbose_name_plural = _("hồ sơ liên thông")
        indexes = [models.Index(fields=["applicant", "-created_at"], name="dossiergroup_applicant")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The number the applicant quotes (each child has its own dossier code)."""
        return f"LT-{self.pk:06d}"


class Dossier(TimeStampedModel):
    # Dossier code (Decree 61/2018 Art. 26; Circular 01/2018 Art. 19): allocated at
    # reception, unique forever, unchanged by supplements.
    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True, null=True, blank=True)
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("phiên bản thủ tục"),
    )
    case = models.ForeignKey(
        "catalog.ProcedureCase",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("trường hợp"),
    )
    applicant = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("người nộp"),
        # No single-column index: Meta's (applicant, -created_at) leads with it.
        db_index=False,
    )
    representative_name = models.CharField(_("người được ủy quyền"), max_length=200, blank=True)
    representative_id = models.CharField(
        _("giấy tờ tùy thân người được ủy quyền"), max_length=32, blank=True
    )
    submitted_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người bấm nộp"),
    )
    # Directive 04: the receptionist submits through the citizen's own account.
    submitted_on_behalf_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ nộp thay"),
    )
    channel = models.CharField(_("kênh nộp"), max_length=1, choices=Channel.choices)
    receiving_unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name=_("đơn vị tiếp nhận"),
        db_index=False,  # covered by (receiving_unit, status) and (receiving_unit, due_at)
    )
    competent_unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        related_name="competent_dossiers",
        verbose_name=_("cơ quan giải quyết"),
        db_index=False,  # covered by (competent_unit, status) and (competent_unit, due_at)
    )
    form_answers = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=32,
        choices=DossierStatus.choices,
        default=DossierStatus.DRAFT,
    )
    status_reason = models.TextField(_("lý do gần nhất"), blank=True)
    assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
        verbose_name=_("chuyên viên xử lý"),
        db_index=False,  # covered by (assignee, status)
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True, db_index=True)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    # Decree 61/2018 Art. 19(9): one new appointment at most (Form 04).
    extended_at = models.DateTimeField(_("gia hạn lúc"), null=True, blank=True)
    due_before_extension = models.DateTimeField(_("hẹn trả trước gia hạn"), null=True, blank=True)
    extension_reason = models.TextField(_("lý do gia hạn"), blank=True)
    extension_reason_kind = models.CharField(
        _("loại lý do chậm"), max_length=16, choices=DelayReasonKind.choices, blank=True
    )
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    completed_at = models.DateTimeField(_("kết thúc xử lý lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    return_channel = models.CharField(
        _("hình thức trả kết quả"), max_length=16, choices=ReturnChannel.choices, blank=True
    )
    result_collected_by = models.CharField(_("người nhận kết quả"), max_length=200, blank=True)
    result_number = models.CharField(_("số, ký hiệu kết quả"), max_length=100, blank=True)
    result_summary = models.TextField(_("trích yếu kết quả"), blank=True)
    # Placeholder until the documents app stores files: a list of stored-file refs.
    # Decree 118/2025 Art. 23(1) (law.md R19a): an open request to correct the issued
    # result and when the corrected result is due (None: the rule set sets no limit).
    correction_requested_at = models.DateTimeField(
        _("đề nghị đính chính lúc"), null=True, blank=True
    )
    correction_due_at = models.DateTimeField(_("hạn đính chính"), null=True, blank=True)
    result_files = models.JSONField(_("tệp kết quả"), default=list, blank=True)
    # R1: the rule set in force at reception (dossiers/rulesets.py), stored then so that
    # the dossier keeps its rules, forms and code format for good. Blank before
    # reception (and on rows written before sets were stored: derived from received_at).
    rule_set = models.CharField(
        _("bộ quy định áp dụng"), max_length=32, blank=True, default="", db_default=""
    )
    version = models.PositiveIntegerField(_("phiên bản bản ghi"), default=1)
    # A child of a linked application (law.md R40); NULL for an ordinary dossier.
    group = models.ForeignKey(
        DossierGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("hồ sơ liên thông"),
    )

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["competent_unit", "status"], name="dossier_competent_status"),
            models.Index(fields=["receiving_unit", "status"], name="dossier_receiving_status"),
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant"),
            models.Index(fields=["assignee", "status"], name="dossier_assignee_status"),
            # A plain b-tree (db_index=True on a CharField also adds a LIKE index on
            # PostgreSQL that no query uses).
            models.Index(fields=["status"], name="dossier_status"),
            # Worklists sort by due moment within the officer's units.
            models.Index(fields=["competent_unit", "due_at"], name="dossier_competent_due"),
            models.Index(fields=["receiving_unit", "due_at"], name="dossier_receiving_due"),
        ]

    def __str__(self) -> str:
        return self.code or _("Hồ sơ #%(pk)s (chưa có mã)") % {"pk": self.pk}

    @property
    def rules(self) -> rulesets.RuleSet:
        """The dossier's rule set (stored at reception; before it, the set in force now)."""
        return rulesets.ruleset_for(self.rule_set, self.received_at, timezone.now())

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None

    @property
    def status_colour(self) -> str:
        return STATUS_COLOUR.get(self.status, "grey")


class DossierPause(models.Model):
    """The clock is paused while waiting for a supplement or a financial obligation;
    both timestamps are stored so both the restart rule (Decree 61/2018 Art. 19(4))
    and the subtract rule (Decision 766) can be computed (R12)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("loại"), max_length=16, choices=PauseKind.choices)
    started_at = models.DateTimeField(_("bắt đầu"))
    ended_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    reason = models.TextField(_("nội dung yêu cầu"), blank=True)
    # A supplement pause starts when the notice reached the applicant (law.md R12c):
    # when the notice was written, and which evidence showed it was delivered.
    written_at = models.DateTimeField(_("viết thông báo lúc"), null=True, blank=True)
    delivery_channel = models.CharField(_("bằng chứng đã nhận"), max_length=16, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("thời gian tạm dừng")
        verbose_name_plural = _("thời gian tạm dừng")

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%d/%m/%Y}"


class DossierComponent(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        "catalog.Component",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thành phần theo quy định"),
    )
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    # Placeholder until the documents issue: [{"name", "size", "content_type", "ref"}].
    files = models.JSONField(_("tệp"), default=list, blank=True)
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    digitized = models.BooleanField(_("đã số hóa"), default=False)  # DuocSoHoa (R5)
    reused = models.BooleanField(_("tái sử dụng"), default=False)
    from_warehouse = models.BooleanField(_("lấy từ kho dữ liệu"), default=False)
    supplemented = models.BooleanField(_("bổ sung"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self) -> str:
        return self.name


class DossierStep(models.Model):
    """A step of the internal process copied from the catalogue at reception (R3)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=255)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    duration_value = models.DecimalField(_("thời gian"), max_digits=6, decimal_places=2, default=0)
    duration_unit = models.CharField(_("đơn vị"), max_length=16, blank=True)
    parallel_group = models.PositiveSmallIntegerField(_("nhóm song song"), null=True, blank=True)
    assignee = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING
    )
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn"), null=True, blank=True)
    completed_at = models.DateTimeField(_("hoàn thành"), null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class DossierEvent(models.Model):
    """Append-only log of every transition: who, when, unit, role, from/to, reason —
    the Control Sheet (Form 05) and the progress feed (R17)."""

    # Indexed by Meta's (dossier, at), which every history read uses.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(_("vai trò"), max_length=32, blank=True)
    unit = models.ForeignKey(
        "org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("thao tác"), max_length=40)
    from_status = models.CharField(_("từ trạng thái"), max_length=32, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=32, blank=True)
    reason = models.TextField(_("lý do, nội dung"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    step = models.ForeignKey(
        DossierStep, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["dossier", "at"], name="dossierevent_dossier_at")]
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Dossier events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Dossier events are append-only")

    @property
    def action_label(self) -> str:
        from motcua.dossiers.workflow import BY_ACTION

        t = BY_ACTION.get(self.action)
        return t.label if t else self.action

    @property
    def from_label(self) -> str:
        return str(DossierStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return str(DossierStatus(self.to_status).label) if self.to_status else ""


class DossierCodeCounter(models.Model):
    """Last sequence number of a receiving unit on a reception date (XXXX in
    Circular 01/2018 Art. 19). Rows only grow, so a number is never handed out twice."""

    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("bộ đếm mã hồ sơ")
        verbose_name_plural = _("bộ đếm mã hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["unit", "date"], name="unique_code_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.date}: {self.last_number}"


class DossierDraft(TimeStampedModel):
    """An online application in progress (portal wizard). Saved on the server so that
    the applicant can resume on any device; becomes a Dossier on submission."""

    applicant = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="dossier_drafts", verbose_name=_("người nộp")
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("phiên bản thủ tục"),
    )
    case = models.ForeignKey(
        "catalog.ProcedureCase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("trường hợp"),
    )
    # The e-form as typed (unvalidated POST values) so a half-filled form comes back as
    # it was left; `answers` holds the last validated answers.
    raw_form = models.JSONField(_("tờ khai đang nhập"), default=dict, blank=True)
    answers = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    form_valid = models.BooleanField(_("tờ khai hợp lệ"), default=False)
    # {component_code: {"file": uuid, "name", "size", "pages", "warehouse_item": id|None}}
    attachments = models.JSONField(_("giấy tờ đã đính kèm"), default=dict, blank=True)
    receiving_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("nơi tiếp nhận"),
    )
    on_behalf = models.BooleanField(_("nộp thay người khác"), default=False)
    principal_name = models.CharField(_("người được nộp thay"), max_length=200, blank=True)
    principal_id = models.CharField(
        _("số định danh người được nộp thay"), max_length=32, blank=True
    )
    step = models.CharField(_("bước"), max_length=16, blank=True)
    dossier = models.OneToOneField(
        Dossier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="draft",
        verbose_name=_("hồ sơ đã nộp"),
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    # The member draft of a linked application (filled from the group's answers).
    group = models.ForeignKey(
        DossierGroup,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts",
        verbose_name=_("hồ sơ liên thông"),
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        indexes = [models.Index(fields=["applicant", "-updated_at"], name="draft_applicant")]

    def __str__(self) -> str:
        return f"{self.procedure_version_id} #{self.pk}"


class TrackingThrottle(models.Model):
    """Failed public-tracking look-ups per client in a fixed window (DB-backed so it
    holds across processes)."""

    key = models.CharField(max_length=64, unique=True)
    window_started_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("giới hạn tra cứu")
        verbose_name_plural = _("giới hạn tra cứu")

    def __str__(self) -> str:
        return f"{self.key}: {self.attempts}"


__all__ = [
    "Dossier",
    "DossierCodeCounter",
    "DossierComponent",
    "DossierDraft",
    "DossierEvent",
    "DossierGroup",
    "DossierPause",
    "DossierStep",
    "TrackingThrottle",
]


class ConsentState(models.TextChoices):
    PENDING = "pending", _("Chờ người nộp xác nhận")
    CONFIRMED = "confirmed", _("Người nộp đã xác nhận bằng mã một lần")
    ABSENT = "absent", _("Nộp không có xác nhận của người nộp")


class ConsentAnswer(models.TextChoices):
    NONE = "", _("Chưa trả lời")
    CONFIRMED = "confirmed", _("Người nộp xác nhận đã nộp (trên Cổng)")
    DISOWNED = "disowned", _("Người nộp báo không nộp hồ sơ này")


class CounterConsent(models.Model):
    """The citizen's consent to a dossier a receptionist submitted on their account
    (law.md R4a, issue 26): a 6-digit one-time code sent by SMS to the account's phone
    and read out at the counter. Only an HMAC of the code is kept. Without a
    confirmation the dossier stays marked as submitted without the applicant's consent
    and the applicant is told on their next visit to the portal, where they confirm it
    or report that they did not submit it (a feedback item routed to inspection)."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, related_name="counter_consent"
    )
    phone = models.CharField(_("số điện thoại nhận mã"), max_length=20, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(
        _("xác nhận của người nộp"),
        max_length=10,
        choices=ConsentState.choices,
        default=ConsentState.PENDING,
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waive_reason = models.CharField(max_length=500, blank=True)
    answer = models.CharField(
        max_length=10, choices=ConsentAnswer.choices, default=ConsentAnswer.NONE, blank=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    feedback = models.ForeignKey(
        "feedback.Feedback", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("xác nhận nộp hồ sơ tại quầy")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.state}"

    def code_live(self, now: Any = None) -> bool:
        return bool(
            self.code_hash
            and self.code_expires_at is not None
            and self.code_expires_at > (now or timezone.now())
        )

    @property
    def without_consent(self) -> bool:
        """Submitted without the applicant's confirmation: waived, or left pending with
        no live code."""
        if self.state == ConsentState.CONFIRMED:
            return False
        return self.state == ConsentState.ABSENT or not self.code_live()


class SupplementNotice(models.Model):
    """A supplement notice (Form 02) and its delivery to the applicant (law.md R12c,
    issue 26): the clock pauses at the first evidence that the notice reached the
    applicant — the SMS provider's delivery report, the applicant opening the dossier
    page that shows it, the applicant's reply, or the receptionist's phone call after
    the escalation — not when it was written. The pause (DossierPause) is created at
    that moment."""

    class Evidence(models.TextChoices):
        SMS = "sms", _("Báo cáo đã nhận tin nhắn SMS")
        EMAIL = "email", _("Báo cáo đã nhận thư điện tử")
        PORTAL = "portal", _("Người nộp đã xem trên Cổng dịch vụ công")
        PHONE = "phone", _("Cán bộ đã gọi điện cho người nộp")
        REPLY = "reply", _("Người nộp đã gửi bổ sung")

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="supplement_notices"
    )
    written_at = models.DateTimeField(_("viết lúc"))
    delivered_at = models.DateTimeField(_("người nộp đã nhận lúc"), null=True, blank=True)
    channel = models.CharField(
        _("bằng chứng đã nhận"), max_length=16, choices=Evidence.choices, blank=True
    )
    evidence = models.CharField(_("chi tiết bằng chứng"), max_length=200, blank=True)
    delivered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pause = models.OneToOneField(
        DossierPause, null=True, blank=True, on_delete=models.SET_NULL, related_name="notice"
    )
    escalated_at = models.DateTimeField(_("chuyển gọi điện lúc"), null=True, blank=True)

    class Meta:
        ordering = ["written_at", "pk"]
        verbose_name = _("thông báo yêu cầu bổ sung")
        indexes = [models.Index(fields=["delivered_at", "written_at"], name="suppl_notice_open")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.written_at:%d/%m/%Y %H:%M}"
