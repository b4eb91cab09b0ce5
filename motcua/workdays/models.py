"""Working-day calendar data (law.md §9): annual official overrides with their legal
basis and a change log, per-unit office hours, and a version counter that invalidates
the in-process calendar index on every edit."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel
from motcua.org.models import OrgUnit


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc")


class DayOverride(TimeStampedModel):
    """One day of the yearly official calendar that differs from the weekday rule and
    the statutory holidays: an extra day off (Tết range, National Day adjacent day), a
    compensatory day, or a swapped working day (working Saturday). `unit` is empty for
    the national calendar, set for a local decision that only applies to that unit."""

    date = models.DateField(_("ngày"))
    year = models.PositiveSmallIntegerField(_("năm"), db_index=True, editable=False)
    kind = models.CharField(_("loại"), max_length=16, choices=OverrideKind.choices)
    reason = models.CharField(_("lý do"), max_length=255)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("đơn vị (để trống: toàn quốc)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="day_overrides",
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày điều chỉnh lịch")
        verbose_name_plural = _("ngày điều chỉnh lịch")
        constraints = [
            models.UniqueConstraint(
                fields=["date"], condition=Q(unit__isnull=True), name="dayoverride_unique_national"
            ),
            models.UniqueConstraint(fields=["date", "unit"], name="dayoverride_unique_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}: {self.reason}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.year = self.date.year
        super().save(*args, **kwargs)

    def snapshot(self) -> dict[str, str]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "reason": self.reason,
            "legal_basis": self.legal_basis,
            "unit": self.unit.code if self.unit_id and self.unit else "",
        }


class DayOverrideChange(models.Model):
    """Change log of the calendar data, kept with the calendar (also in the audit log)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Thêm")
        UPDATE = "update", _("Sửa")
        DELETE = "delete", _("Xóa")

    occurred_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("thao tác"), max_length=16, choices=Action.choices)
    date = models.DateField(_("ngày"))
    unit_code = models.CharField(_("mã đơn vị"), max_length=64, blank=True)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("lịch sử thay đổi lịch")
        verbose_name_plural = _("lịch sử thay đổi lịch")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.date:%d/%m/%Y}"


class OfficeHours(TimeStampedModel):
    """Office hours of a unit (law.md §9.4); the row without a unit is the default
    for every unit that has none. Two periods a day, morning and afternoon."""

    unit = models.OneToOneField(
        OrgUnit,
        verbose_name=_("đơn vị (để trống: mặc định)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="office_hours",
    )
    morning_start = models.TimeField(_("sáng từ"), default=dt.time(7, 30))
    morning_end = models.TimeField(_("sáng đến"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("chiều từ"), default=dt.time(13, 0))
    afternoon_end = models.TimeField(_("chiều đến"), default=dt.time(17, 0))
    same_day_cutoff = models.TimeField(
        _("giờ chốt thủ tục trong ngày"),
        default=dt.time(15, 0),
        help_text=_("Nhận từ giờ này thì trả kết quả trong ngày làm việc tiếp theo."),
    )

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(unit__isnull=True), name="officehours_one_default"
            ),
            models.CheckConstraint(
                condition=Q(morning_start__lt=models.F("morning_end"))
                & Q(morning_end__lte=models.F("afternoon_start"))
                & Q(afternoon_start__lt=models.F("afternoon_end")),
                name="officehours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.morning_start:%H:%M}–{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"
        )

    def snapshot(self) -> dict[str, str]:
        return {
            "unit": self.unit.code if self.unit_id and self.unit else "",
            "morning": f"{self.morning_start:%H:%M}-{self.morning_end:%H:%M}",
            "afternoon": f"{self.afternoon_start:%H:%M}-{self.afternoon_end:%H:%M}",
            "same_day_cutoff": f"{self.same_day_cutoff:%H:%M}",
        }


class CalendarVersion(models.Model):
    """Single row; bumped by every calendar write so that each process rebuilds its
    cached working-day index on its next use."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("phiên bản lịch")

    def __str__(self) -> str:
        return str(self.version)
