"""Procedure catalogue (TTHC): procedures, immutable published versions, cases,
components, fee rules, internal process steps and effective-dated competence.

A dossier pins a ProcedureVersion (and case) at reception: catalogue edits create a new
version and never alter a received dossier's deadline or fee (law.md R2).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import (
    CollectionTiming,
    DocumentForm,
    FeeBasis,
    FeeKind,
    ImplementingLevel,
    NationalDatabase,
    OnlineMode,
    Requirement,
    ReturnMode,
    StepUnitRule,
    TimeUnit,
    VersionStatus,
)
from motcua.core.models import TimeStampedModel
from motcua.org.constants import Role


class Field(models.Model):
    """Sector/field (lĩnh vực) with its code (Circular 01/2018 Art. 20)."""

    code = models.CharField(_("mã lĩnh vực"), max_length=32, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class Procedure(TimeStampedModel):
    """The stable identity of a procedure; its content lives in versions."""

    code = models.CharField(_("mã thủ tục"), max_length=32, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, verbose_name=_("lĩnh vực"))
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=ImplementingLevel.choices)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    # Normalised (accent-free, lower-case) name + code for accent-insensitive search.
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ProcedureVersion(TimeStampedModel):
    """One version of a procedure's content. Published versions are immutable."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="versions", verbose_name=_("thủ tục")
    )
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    subjects = models.JSONField(_("đối tượng thực hiện"), default=list)  # list[Subject]
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list)  # [{"number","title","date"}]
    announcement_decision = models.CharField(_("quyết định công bố"), max_length=255, blank=True)
    # Decision 766 indicators 1.1/1.2 (law.md §4.4): the date of the announcement
    # decision (QĐCB) and of the "publish" click in the national procedure database.
    announced_on = models.DateField(_("ngày quyết định công bố"), null=True, blank=True)
    national_published_on = models.DateField(
        _("ngày công khai trên CSDL quốc gia về TTHC"), null=True, blank=True
    )
    # Indicator 4.2b (ELECTRONIC_CERTIFIED_COPY): a certification of copies from originals.
    certified_copy_service = models.BooleanField(
        _("thủ tục chứng thực bản sao từ bản chính"), default=False
    )
    online_mode = models.CharField(
        _("mức độ trực tuyến"), max_length=16, choices=OnlineMode.choices, default=OnlineMode.NONE
    )
    full_process_eligible = models.BooleanField(_("đủ điều kiện toàn trình"), default=False)
    # Decree 61/2018 Art. 17(4), Decree 118/2025 Art. 17(4): the result is returned right
    # after reception; Form 01 only when the applicant asks (law.md R7).
    immediate_result = models.BooleanField(
        _("trả kết quả ngay khi tiếp nhận"),
        default=False,
        help_text=_("Không cấp Giấy tiếp nhận (Mẫu 01) trừ khi người nộp yêu cầu."),
    )
    steps_description = models.TextField(_("trình tự thực hiện"), blank=True)
    methods_description = models.TextField(_("cách thức thực hiện"), blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    result_name = models.CharField(_("kết quả thực hiện"), max_length=500, blank=True)
    result_is_paper_equivalent = models.BooleanField(
        _("kết quả điện tử có giá trị như bản giấy"), default=True
    )
    result_template = models.TextField(_("mẫu kết quả (HTML)"), blank=True)
    processing_time_value = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=6, decimal_places=2, default=0
    )
    processing_time_unit = models.CharField(
        _("đơn vị thời hạn"),
        max_length=16,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAYS,
    )
    processing_time_note = models.CharField(_("ghi chú thời hạn"), max_length=500, blank=True)
    fee_collection_timing = models.CharField(
        _("thời điểm thu phí"),
        max_length=16,
        choices=CollectionTiming.choices,
        default=CollectionTiming.AT_SUBMISSION,
    )
    form_schema = models.JSONField(_("lược đồ biểu mẫu (JSON Schema)"), default=dict, blank=True)
    form_layout = models.JSONField(_("bố cục biểu mẫu"), default=dict, blank=True)
    is_example_data = models.BooleanField(
        _("dữ liệu minh họa (chưa xác minh)"),
        default=False,
        help_text=_("Đánh dấu số liệu lấy làm ví dụ, cần đối chiếu CSDL quốc gia về TTHC."),
    )
    change_note = models.CharField(_("nội dung thay đổi"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="unique_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"


class ProcedureCase(models.Model):
    """A case (trường hợp, MaTruongHop) that may differ in time, fee and components."""

    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.CASCADE,
        related_name="cases",
        verbose_name=_("phiên bản"),
    )
    code = models.CharField(_("mã trường hợp"), max_length=32)
    name = models.CharField(_("tên trường hợp"), max_length=500)
    is_default = models.BooleanField(_("mặc định"), default=False)
    processing_time_value = models.DecimalField(
        _("thời hạn riêng"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    processing_time_unit = models.CharField(
        _("đơn vị thời hạn riêng"), max_length=16, choices=TimeUnit.choices, blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("trường hợp")
        verbose_name_plural = _("trường hợp")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_case_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Component(models.Model):
    """A required document (thành phần hồ sơ)."""

    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.CASCADE,
        related_name="components",
        verbose_name=_("phiên bản"),
    )
    case = models.ForeignKey(
        ProcedureCase,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="components",
        verbose_name=_("chỉ áp dụng cho trường hợp"),
    )
    code = models.CharField(_("mã giấy tờ"), max_length=64)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    document_form = models.CharField(
        _("loại bản"), max_length=32, choices=DocumentForm.choices, default=DocumentForm.ORIGINAL
    )
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    requirement = models.CharField(
        _("yêu cầu"), max_length=16, choices=Requirement.choices, default=Requirement.REQUIRED
    )
    # Condition on the e-form answers for CONDITIONAL components (see catalog.conditions).
    condition = models.JSONField(_("điều kiện"), null=True, blank=True)
    template_name = models.CharField(_("tên mẫu đơn, tờ khai"), max_length=255, blank=True)
    template_url = models.CharField(_("đường dẫn mẫu"), max_length=500, blank=True)
    accepted_types = models.JSONField(
        _("định dạng chấp nhận"), default=list, blank=True
    )  # e.g. ["application/pdf", "image/jpeg"]
    max_size_mb = models.PositiveIntegerField(_("dung lượng tối đa (MB)"), default=10)
    warehouse_reusable = models.BooleanField(_("dùng lại từ kho dữ liệu công dân"), default=False)
    national_database = models.CharField(
        _("lấy từ CSDL quốc gia"),
        max_length=16,
        choices=NationalDatabase.choices,
        blank=True,
        default="",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_component_code"),
        ]

    def __str__(self) -> str:
        return self.name


class FeeRule(models.Model):
    """A fee line (phí / lệ phí) in VND, with per-copy/per-page rules, caps, exemptions
    and online-channel discounts. catalog.fees computes lines from answers."""

    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.CASCADE,
        related_name="fee_rules",
        verbose_name=_("phiên bản"),
    )
    case = models.ForeignKey(
        ProcedureCase,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fee_rules",
        verbose_name=_("chỉ áp dụng cho trường hợp"),
    )
    code = models.CharField(_("mã phí"), max_length=64)
    kind = models.CharField(_("loại"), max_length=16, choices=FeeKind.choices)
    name = models.CharField(_("tên phí, lệ phí"), max_length=255)
    amount = models.PositiveBigIntegerField(_("mức thu (VND)"))
    basis = models.CharField(
        _("cách tính"), max_length=16, choices=FeeBasis.choices, default=FeeBasis.PER_DOSSIER
    )
    quantity_field = models.CharField(
        _("trường biểu mẫu chứa số bản/trang"), max_length=100, blank=True
    )
    copies_field = models.CharField(
        _("trường biểu mẫu chứa số bản (nhân sau mức tối đa)"), max_length=100, blank=True
    )
    tiers = models.JSONField(
        _("bậc giá"), default=list, blank=True
    )  # [{"from": 3, "amount": 1000}]
    cap = models.PositiveBigIntegerField(_("mức tối đa (VND)"), null=True, blank=True)
    exemption = models.JSONField(_("điều kiện miễn"), null=True, blank=True)
    exemption_note = models.CharField(_("căn cứ miễn"), max_length=255, blank=True)
    online_discount_percent = models.PositiveSmallIntegerField(
        _("giảm khi nộp trực tuyến (%)"), default=0
    )
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        ordering = ["version", "code"]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        constraints = [
            models.UniqueConstraint(fields=["version", "case", "code"], name="unique_fee_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} đ"


class ProcessStep(models.Model):
    """A step of the internal process (quy trình nội bộ, Circular 01/2018 Art. 8).
    Steps with the same `parallel_group` run at once (electronic inter-agency work)."""

    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("phiên bản"),
    )
    case = models.ForeignKey(
        ProcedureCase,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("chỉ áp dụng cho trường hợp"),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=255)
    unit_rule = models.CharField(
        _("đơn vị thực hiện"),
        max_length=16,
        choices=StepUnitRule.choices,
        default=StepUnitRule.COMPETENT,
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị chỉ định"),
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    duration_value = models.DecimalField(_("thời gian"), max_digits=6, decimal_places=2)
    duration_unit = models.CharField(
        _("đơn vị"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    parallel_group = models.PositiveSmallIntegerField(_("nhóm song song"), null=True, blank=True)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("quy trình nội bộ")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Competence(TimeStampedModel):
    """Which units settle (and receive) a procedure, effective-dated (law.md §10.3(5))."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="competences", verbose_name=_("thủ tục")
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        related_name="competences",
        verbose_name=_("đơn vị"),
    )
    is_competent = models.BooleanField(_("có thẩm quyền giải quyết"), default=True)
    is_reception_point = models.BooleanField(_("là nơi tiếp nhận"), default=True)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("thẩm quyền")
        verbose_name_plural = _("thẩm quyền")
        indexes = [models.Index(fields=["procedure", "unit", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="competence_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} @ {self.unit}"


class ProcedureBundle(TimeStampedModel):
    """A linked procedure (thủ tục hành chính liên thông, Decree 63/2024/NĐ-CP; Project
    06, Decision 06/QĐ-TTg): one application whose shared answers and documents are
    asked once and which becomes one child dossier per member procedure, each settled
    by its own competent authority within its own time limit (law.md R40).

    `shared_form` is the linked e-form (JSON Schema + layout, like a version's e-form);
    each member maps its own e-form fields and components onto it. Effective-dated like
    a procedure version: a bundle in force is one whose dates cover today."""

    code = models.CharField(_("mã nhóm thủ tục liên thông"), max_length=32, unique=True)
    name = models.CharField(_("tên nhóm thủ tục liên thông"), max_length=500)
    description = models.TextField(_("mô tả"), blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list)  # [{"number","title","date"}]
    return_mode = models.CharField(
        _("cách trả kết quả"),
        max_length=16,
        choices=ReturnMode.choices,
        default=ReturnMode.TOGETHER,
    )
    shared_form = models.JSONField(_("tờ khai liên thông"), default=dict, blank=True)
    # Documents asked once: [{"code", "name", "accepted_types", "max_size_mb",
    # "requirement"}]; members say which of their components each one stands for.
    shared_documents = models.JSONField(_("giấy tờ dùng chung"), default=list, blank=True)
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nhóm thủ tục liên thông")
        verbose_name_plural = _("nhóm thủ tục liên thông")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class BundleMember(models.Model):
    """A procedure of a linked bundle, in order, with how its e-form answers and its
    components are filled from the bundle's shared answers and documents."""

    bundle = models.ForeignKey(
        ProcedureBundle, on_delete=models.CASCADE, related_name="members", verbose_name=_("nhóm")
    )
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        related_name="bundle_members",
        verbose_name=_("thủ tục"),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    # {member e-form field: shared field} and fixed values {member field: {"value": v}}.
    answers_map = models.JSONField(_("ánh xạ tờ khai"), default=dict, blank=True)
    # {member component code: shared document code, or "@to_khai" for the linked
    # declaration printed from the shared answers}.
    documents_map = models.JSONField(_("ánh xạ giấy tờ"), default=dict, blank=True)

    class Meta:
        ordering = ["bundle", "order", "pk"]
        verbose_name = _("thủ tục thành phần")
        verbose_name_plural = _("thủ tục thành phần")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "procedure"], name="unique_bundle_member"),
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}: {self.procedure_id}"
