"""Monitoring storage: effective-dated configuration (colour levels, scoring policy) and
per-unit, per-procedure, per-day aggregate counters (design.md §3: monitoring never
scans dossiers on a page view; scores are sums over these rows)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import AppendOnly, TimeStampedModel


class LevelConfig(TimeStampedModel):
    """Rating bands and colour thresholds in force from `effective_from` (levels.py)."""

    effective_from = models.DateField(_("hiệu lực từ ngày"), unique=True)
    thresholds = models.JSONField(_("ngưỡng"), default=dict)
    legal_basis = models.TextField(_("căn cứ pháp lý / ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("cấu hình mức đánh giá")
        verbose_name_plural = _("cấu hình mức đánh giá")

    def __str__(self) -> str:
        return f"{self.effective_from:%d/%m/%Y}"


class ScoringPolicyConfig(TimeStampedModel):
    """Scoring options (indicators.ScoringPolicy) in force from `effective_from`."""

    effective_from = models.DateField(_("hiệu lực từ ngày"), unique=True)
    options = models.JSONField(_("tùy chọn"), default=dict)
    note = models.TextField(_("căn cứ / ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("cấu hình cách tính điểm")
        verbose_name_plural = _("cấu hình cách tính điểm")

    def __str__(self) -> str:
        return f"{self.effective_from:%d/%m/%Y}"


class CatalogueStateColumns(models.Model):
    """The catalogue state flags (0/1) of a procedure: 1.3, 3.1, 3.2, 3.5/3.5b, 4.5a
    (`catalogue_state.STATE_FLAGS`)."""

    cat_in_competence = models.PositiveSmallIntegerField(default=0)
    cat_online_partial = models.PositiveSmallIntegerField(default=0)
    cat_online_full = models.PositiveSmallIntegerField(default=0)
    cat_full_eligible = models.PositiveSmallIntegerField(default=0)
    cat_online_service = models.PositiveSmallIntegerField(default=0)
    cat_fee_bearing = models.PositiveSmallIntegerField(default=0)
    cat_citizen_facing = models.PositiveSmallIntegerField(default=0)
    cat_published = models.PositiveSmallIntegerField(default=0)
    cat_content_complete = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True


class StatsColumns(CatalogueStateColumns):
    """The counter columns shared by the day rows and the month roll-up: every integer
    column is a field of indicators.UnitCounts (same name); `cat_*` columns are 0/1
    catalogue flags of the procedure."""

    received = models.PositiveIntegerField(default=0)
    synced = models.PositiveIntegerField(default=0)
    on_time_766 = models.PositiveIntegerField(default=0)
    on_time_d61 = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    completed_seconds = models.BigIntegerField(default=0)
    channel_online = models.PositiveIntegerField(default=0)
    channel_online_qualified = models.PositiveIntegerField(default=0)
    channel_postal = models.PositiveIntegerField(default=0)
    fee_obligation = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)
    fee_data_synced = models.PositiveIntegerField(default=0)
    paper_result = models.PositiveIntegerField(default=0)
    e_result = models.PositiveIntegerField(default=0)
    digitised = models.PositiveIntegerField(default=0)
    reused_data = models.PositiveIntegerField(default=0)
    warehouse_linked = models.PositiveIntegerField(default=0)
    population_data = models.PositiveIntegerField(default=0)
    certified_copy = models.PositiveIntegerField(default=0)
    certified_copy_electronic = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    late_or_unsatisfied_766 = models.PositiveIntegerField(default=0)
    late_or_unsatisfied_d61 = models.PositiveIntegerField(default=0)
    fb_received = models.PositiveIntegerField(default=0)
    fb_regulation = models.PositiveIntegerField(default=0)
    fb_staff = models.PositiveIntegerField(default=0)
    fb_on_time = models.PositiveIntegerField(default=0)
    fb_satisfied = models.PositiveIntegerField(default=0)
    c01_1_points = models.PositiveIntegerField(default=0)
    c01_1_count = models.PositiveIntegerField(default=0)
    c01_2_points = models.PositiveIntegerField(default=0)
    c01_2_count = models.PositiveIntegerField(default=0)
    c01_3_points = models.PositiveIntegerField(default=0)
    c01_3_count = models.PositiveIntegerField(default=0)
    c01_4_points = models.PositiveIntegerField(default=0)
    c01_4_count = models.PositiveIntegerField(default=0)
    c01_7_points = models.PositiveIntegerField(default=0)
    c01_7_count = models.PositiveIntegerField(default=0)
    cat_announced = models.PositiveSmallIntegerField(default=0)
    cat_announced_late = models.PositiveSmallIntegerField(default=0)
    cat_publish_due = models.PositiveSmallIntegerField(default=0)
    cat_published_late = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True


class UnitDayStats(StatsColumns):
    """Counters of one unit, one procedure (""; feedback rows) and one day.

    Every integer column is a field of indicators.UnitCounts (same name); `cat_*`
    columns are 0/1 catalogue flags of the procedure on that day. Dossiers count on
    their reception day. Written by the event→aggregate updater (dossiers app) and
    by the rebuild command; read only through selectors.scores_for*."""

    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="day_stats", verbose_name=_("đơn vị")
    )
    procedure_code = models.CharField(_("mã thủ tục"), max_length=64, blank=True, default="")
    day = models.DateField(_("ngày"))

    class Meta:
        verbose_name = _("số liệu ngày của đơn vị")
        verbose_name_plural = _("số liệu ngày của đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "procedure_code", "day"], name="unitdaystats_unique_unit_proc_day"
            )
        ]
        indexes = [models.Index(fields=["unit", "day"], name="unitdaystats_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.procedure_code} {self.day}"


class UnitMonthStats(StatsColumns):
    """Roll-up of UnitDayStats by calendar month: one row per (unit, procedure, month)
    holding the sums of the day rows (the `cat_*` flags: 1 when any day row has it).

    Scores of a period read the months the period covers whole from here and only the
    partial months at its edges from the day rows, so a year costs at most
    12 × (unit, procedure) rows whatever the number of dossiers. Kept equal to the day
    rows by `services.month_stats_refresh` (live updater, feedback) and rebuilt with
    one INSERT … SELECT … GROUP BY (`updater.month_rows_rebuild`)."""

    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    procedure_code = models.CharField(_("mã thủ tục"), max_length=64, blank=True, default="")
    month = models.DateField(_("tháng"))  # the first day of the month

    class Meta:
        verbose_name = _("số liệu tháng của đơn vị")
        verbose_name_plural = _("số liệu tháng của đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "procedure_code", "month"],
                name="unitmonthstats_unique_unit_proc_month",
            )
        ]
        indexes = [models.Index(fields=["month", "unit"], name="unitmonthstats_month_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.procedure_code} {self.month:%Y-%m}"


class UnitCatalogueSpan(CatalogueStateColumns):
    """The catalogue facts of Decision 766 1.3, 3.1, 3.2, 3.5/3.5b and 4.5a of one unit
    and one procedure over [valid_from, valid_to]: the procedure is in the unit's
    competence (catalog.Competence) and the version in force (effective-dated) has these
    flags. Independent of dossiers: a procedure in competence with no dossier is still
    in 3.1's denominator. Written by `catalogue_state.catalogue_spans_write` (catalogue
    saves and the rebuild); read by the selectors with the day and month rows (a flag
    counts when a span with it overlaps the period)."""

    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    procedure_code = models.CharField(_("mã thủ tục"), max_length=64)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)  # open: in force

    class Meta:
        verbose_name = _("thủ tục thuộc thẩm quyền của đơn vị (giám sát)")
        verbose_name_plural = _("thủ tục thuộc thẩm quyền của đơn vị (giám sát)")
        indexes = [
            models.Index(fields=["unit", "valid_from"], name="unitcatspan_unit_from"),
            models.Index(fields=["procedure_code"], name="unitcatspan_code"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.procedure_code} {self.valid_from}–{self.valid_to or ''}"


class DossierContribution(models.Model):
    """What one dossier last added to UnitDayStats (its counters and the row key), so
    that the event→aggregate updater applies an exact, idempotent delta (new − old),
    and the drill-down lists exactly the dossiers behind a number."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        on_delete=models.CASCADE,
        related_name="monitoring_contribution",
        verbose_name=_("hồ sơ"),
    )
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    procedure_code = models.CharField(_("mã thủ tục"), max_length=64, blank=True, default="")
    day = models.DateField(_("ngày tiếp nhận"))
    counters = models.JSONField(_("bộ đếm"), default=dict)
    on_time_766 = models.BooleanField(default=True)
    on_time_d61 = models.BooleanField(default=True)
    # Open dossiers are judged at `judged_at`; their judgement changes at `flips_at`
    # (the deadline, shifted by completed supplement time): the sweep re-judges them.
    judged_at = models.DateTimeField(_("đánh giá lúc"))
    flips_at = models.DateTimeField(_("đổi trạng thái lúc"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("đóng góp của hồ sơ vào số liệu")
        verbose_name_plural = _("đóng góp của hồ sơ vào số liệu")
        indexes = [models.Index(fields=["unit", "day"], name="dossiercontrib_unit_day")]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.unit_id} {self.procedure_code} {self.day}"


class PeriodSnapshot(models.Model):
    """Scores of a closed period as they were at close (R24): later rebuilds or
    reorganisations do not silently change what was reported."""

    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    kind = models.CharField(_("loại kỳ"), max_length=16)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    data = models.JSONField(_("điểm số"), default=dict)
    taken_at = models.DateTimeField(_("chốt lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("số liệu chốt kỳ")
        verbose_name_plural = _("số liệu chốt kỳ")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "start", "end"], name="periodsnapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.start}–{self.end}"


class WeeklyReport(models.Model):
    """The Friday weekly report (Directive 04, law.md §13.3) of one ISO week, archived
    with its files (XLSX and PDF) and their SHA-256 digests."""

    week = models.CharField(_("tuần"), max_length=8, unique=True)  # "2026-W48"
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    generated_at = models.DateTimeField(_("lập lúc"))
    xlsx = models.BinaryField(_("tệp XLSX"))
    pdf = models.BinaryField(_("tệp PDF"))
    xlsx_sha256 = models.CharField(max_length=64)
    pdf_sha256 = models.CharField(max_length=64)
    signature = models.TextField(_("chữ ký"), blank=True)
    signed_by = models.CharField(_("ký bởi"), max_length=255, blank=True)
    emailed_to = models.JSONField(_("đã gửi thư tới"), default=list, blank=True)
    summary = models.JSONField(_("tóm tắt"), default=dict, blank=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("báo cáo tuần")
        verbose_name_plural = _("báo cáo tuần")

    def __str__(self) -> str:
        return self.week


class WeeklySnapshot(AppendOnly):
    """A frozen Friday report (issue 27 point 5, law.md R28a): the canonical JSON of its
    figures, rankings and attributed late dossiers, the XLSX, and the PDF that carries
    the signed manifest (SHA-256 of the JSON and the XLSX, the previous snapshot's hash,
    the audit chain tips) as an attachment under one PAdES signature. Append-only (the
    database triggers of migration 0007 enforce it below the ORM): a regenerated week is
    a new version, the earlier one stays as it was. `snapshot_hash` chains the rows in
    `number` order (monitoring/snapshots.py)."""

    number = models.BigIntegerField(_("số thứ tự"), unique=True)
    week = models.CharField(_("tuần"), max_length=8, db_index=True)
    version = models.PositiveIntegerField(_("bản"), default=1)
    frozen_at = models.DateTimeField(_("chốt lúc"))
    data_json = models.TextField(_("dữ liệu (JSON chuẩn hóa)"))
    manifest_json = models.TextField(_("bảng kê"))
    pdf = models.BinaryField(_("tệp PDF"))
    xlsx = models.BinaryField(_("tệp XLSX"))
    pdf_sha256 = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    snapshot_hash = models.CharField(max_length=64, unique=True)
    signed_by = models.CharField(_("ký bởi"), max_length=255, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["week", "version"], name="weeklysnapshot_week_version")
        ]
        verbose_name = _("báo cáo tuần đã chốt")
        verbose_name_plural = _("báo cáo tuần đã chốt")

    def __str__(self) -> str:
        return f"{self.week} v{self.version}"


class AttributionDispute(TimeStampedModel):
    """A unit head's dispute of a late dossier attributed to their unit in a frozen
    weekly report, and the supervisor's decision (law.md R28a). The frozen report is
    never changed: the decision is shown in the next week's report."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ quyết định")
        ACCEPTED = "accepted", _("Chấp nhận (không quy trách nhiệm cho đơn vị)")
        REJECTED = "rejected", _("Không chấp nhận (giữ quy trách nhiệm)")

    snapshot = models.ForeignKey(
        WeeklySnapshot,
        on_delete=models.PROTECT,
        related_name="disputes",
        verbose_name=_("báo cáo đã chốt"),
    )
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người khiếu nại"),
    )
    reason = models.TextField(_("lý do khiếu nại"))
    deadline = models.DateTimeField(_("hạn khiếu nại"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decision_reason = models.TextField(_("lý do quyết định"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "dossier_code"], name="attributiondispute_once"
            )
        ]
        verbose_name = _("khiếu nại quy trách nhiệm")
        verbose_name_plural = _("khiếu nại quy trách nhiệm")

    def __str__(self) -> str:
        return f"{self.snapshot.week} {self.dossier_code}"


class RollForward(TimeStampedModel):
    """An administrator's decision that a unit's history counts under its successor
    (law.md §10.3: reorganisations). Live rows and rebuilds attribute the dossiers of
    `source` to `target`; closed-period snapshots are not changed."""

    source = models.OneToOneField(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        related_name="monitoring_roll_forward",
        verbose_name=_("đơn vị cũ"),
    )
    target = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị kế thừa")
    )
    note = models.TextField(_("căn cứ"), blank=True)

    class Meta:
        verbose_name = _("chuyển lịch sử sang đơn vị kế thừa")
        verbose_name_plural = _("chuyển lịch sử sang đơn vị kế thừa")

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class MapLayer(TimeStampedModel):
    """A GeoJSON FeatureCollection of the province's units (feature property `code` =
    OrgUnit.code) loaded by an administrator; the dashboard draws the latest one."""

    name = models.CharField(_("tên lớp bản đồ"), max_length=200)
    geojson = models.JSONField(_("GeoJSON"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lớp bản đồ đơn vị")
        verbose_name_plural = _("lớp bản đồ đơn vị")

    def __str__(self) -> str:
        return self.name


class GamingStatus(models.TextChoices):
    NEW = "new", _("Mới phát hiện")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    DISMISSED = "dismissed", _("Đã bác bỏ")


class GamingSignal(models.Model):
    """A lead for inspection raised by a gaming detector (monitoring/gaming.py, law.md
    R28b). `key` is the detector's subject, unique: running detection again finds the
    same key and leaves the row (and the supervisor's decision) as it is."""

    kind = models.CharField(_("loại dấu hiệu"), max_length=32, db_index=True)
    key = models.CharField(max_length=200, unique=True)
    unit = models.ForeignKey(
        "org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dossiers = models.ManyToManyField("dossiers.Dossier", related_name="+", blank=True)
    dossier_codes = models.JSONField(_("mã hồ sơ"), default=list)
    officer = models.CharField(_("cán bộ"), max_length=200, blank=True)
    rule = models.CharField(_("quy tắc"), max_length=300)
    evidence = models.JSONField(_("bằng chứng"), default=dict)
    detected_at = models.DateTimeField(_("phát hiện lúc"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=GamingStatus.choices, default=GamingStatus.NEW
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decision_reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        indexes = [models.Index(fields=["status", "kind"], name="gamingsignal_status_kind")]
        verbose_name = _("dấu hiệu gian lận số liệu")
        verbose_name_plural = _("dấu hiệu gian lận số liệu")

    def __str__(self) -> str:
        return self.key


class PeriodJudgement(models.Model):
    """A closed period other than a month whose open dossiers were judged at the end of
    its last day (law.md §4.4; `period_judgement`): computed once, province-wide; a
    recomputation is explicit and audited (`monitoring_period_judge --replace`)."""

    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    judged_at = models.DateTimeField(_("đánh giá tại thời điểm"))
    computed_at = models.DateTimeField(_("tính lúc"))
    dossiers = models.PositiveIntegerField(_("số hồ sơ"), default=0)

    class Meta:
        verbose_name = _("đánh giá hồ sơ cuối kỳ")
        verbose_name_plural = _("đánh giá hồ sơ cuối kỳ")
        constraints = [
            models.UniqueConstraint(fields=["start", "end"], name="periodjudgement_unique_period")
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class PeriodDossierJudgement(models.Model):
    """The 2.1 judgement of one dossier received in the period, not ended by the stored
    instant, at the end of the period's last day (`period_judgement`)."""

    period = models.ForeignKey(PeriodJudgement, on_delete=models.CASCADE, related_name="judgements")
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="+", verbose_name=_("hồ sơ")
    )
    on_time_766 = models.BooleanField(default=True)
    on_time_d61 = models.BooleanField(default=True)
    # where the dossier counted and how its contribution judged it when computed (the
    # correction is read from this table alone, grouped by unit and procedure)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    procedure_code = models.CharField(_("mã thủ tục"), max_length=64, blank=True, default="")
    stored_766 = models.BooleanField(default=True)
    stored_d61 = models.BooleanField(default=True)
    unsatisfied = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("đánh giá hồ sơ cuối kỳ (hồ sơ)")
        verbose_name_plural = _("đánh giá hồ sơ cuối kỳ (hồ sơ)")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "dossier"], name="perioddossierjudgement_unique"
            )
        ]
        indexes = [models.Index(fields=["period", "unit"], name="perioddossierjudg_period_unit")]

    def __str__(self) -> str:
        return f"{self.period_id} {self.dossier_id}"
