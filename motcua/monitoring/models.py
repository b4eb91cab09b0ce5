"""Monitoring storage: effective-dated configuration (colour levels, scoring policy) and
per-unit, per-procedure, per-day aggregate counters (design.md §3: monitoring never
scans dossiers on a page view; scores are sums over these rows)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel


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


class UnitDayStats(models.Model):
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
    cat_in_competence = models.PositiveSmallIntegerField(default=0)
    cat_online_partial = models.PositiveSmallIntegerField(default=0)
    cat_online_full = models.PositiveSmallIntegerField(default=0)
    cat_full_eligible = models.PositiveSmallIntegerField(default=0)
    cat_online_service = models.PositiveSmallIntegerField(default=0)
    cat_fee_bearing = models.PositiveSmallIntegerField(default=0)
    cat_citizen_facing = models.PositiveSmallIntegerField(default=0)
    cat_published = models.PositiveSmallIntegerField(default=0)
    cat_content_complete = models.PositiveSmallIntegerField(default=0)
    cat_announced = models.PositiveSmallIntegerField(default=0)
    cat_announced_late = models.PositiveSmallIntegerField(default=0)
    cat_publish_due = models.PositiveSmallIntegerField(default=0)
    cat_published_late = models.PositiveSmallIntegerField(default=0)

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
