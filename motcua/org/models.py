"""Organisation units as an effective-dated tree, succession links, staff assignments
and delegations (law.md §10.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel
from motcua.org.constants import Role, SuccessionKind, UnitKind


class OrgUnit(TimeStampedModel):
    """An agency or administrative unit. The internal id never changes; code and name
    may change over time (a rename is recorded as a successor link, law.md §10.3).

    `path` is a materialised path of ancestor ids ("/1/4/27/") so that a subtree is
    one indexed prefix query; it is maintained by org.services on every move.
    """

    code = models.CharField(_("mã định danh"), max_length=64, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    kind = models.CharField(_("loại đơn vị"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=512, db_index=True, editable=False, default="/")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    admin_area_code = models.CharField(_("mã đơn vị hành chính"), max_length=16, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    receives_on_saturday = models.BooleanField(_("tiếp nhận sáng thứ Bảy"), default=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class UnitSuccession(TimeStampedModel):
    """predecessor → successor from `effective_date` (law.md §10.3, R31). A link that
    `carries_records` hands the predecessor's dossiers and monitoring history to the
    successor: its officers see and act on them, and the Decision 766 figures roll up to
    it (org.selectors.records_successor_map). A unit has at most one such link; a split
    usually carries nothing (the old unit's records stay where they are)."""

    predecessor = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="successions", verbose_name=_("đơn vị cũ")
    )
    successor = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="predecessions",
        verbose_name=_("đơn vị mới"),
    )
    kind = models.CharField(_("hình thức"), max_length=32, choices=SuccessionKind.choices)
    effective_date = models.DateField(_("ngày hiệu lực"))
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    carries_records = models.BooleanField(
        _("chuyển hồ sơ và số liệu sang đơn vị mới"), default=True
    )

    class Meta:
        verbose_name = _("quan hệ kế thừa")
        verbose_name_plural = _("quan hệ kế thừa")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "kind"], name="unique_succession"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
            # The records of a unit go to one place (R31): one carrying link at most.
            models.UniqueConstraint(
                fields=["predecessor"],
                condition=Q(carries_records=True),
                name="one_records_successor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"


class StaffAssignment(TimeStampedModel):
    """An officer holds a role in a unit for a period. `is_head` marks the head of unit
    (người đứng đầu), which Directive 04 ranks; "who was head of X on date D" is a query."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("cán bộ"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    is_head = models.BooleanField(_("người đứng đầu"), default=False)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân công cán bộ")
        verbose_name_plural = _("phân công cán bộ")
        indexes = [models.Index(fields=["unit", "role", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="assignment_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class Delegation(TimeStampedModel):
    """A leader authorises a deputy to act (e.g. sign) in their place for a period."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("người ủy quyền"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("người được ủy quyền"),
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("ủy quyền")
        verbose_name_plural = _("ủy quyền")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="delegation_valid_range"
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")), name="delegation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.valid_from}–{self.valid_to})"


class Absence(TimeStampedModel):
    """An officer is away (leave, training, sickness) from `valid_from` to `valid_to`,
    both included: the load forecast gives them no capacity those days and suggests
    handing their steps due then to a colleague (docs/monitoring.md, rule L2). A
    delegation covers a leader's absence with a named deputy; this covers everyone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="absences",
        verbose_name=_("cán bộ"),
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    revoked_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lịch vắng mặt")
        verbose_name_plural = _("lịch vắng mặt")
        indexes = [models.Index(fields=["unit", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="absence_valid_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.valid_from}–{self.valid_to})"
