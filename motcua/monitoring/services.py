"""Writes of the monitoring app: effective-dated configuration (administrators only,
audited) and the counter increment used by the event→aggregate updater."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from motcua.monitoring.indicators import CATALOGUE_SETS, INT_FIELDS, ScoringPolicy
from motcua.monitoring.levels import validate_config
from motcua.monitoring.models import LevelConfig, ScoringPolicyConfig, UnitDayStats
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import user_roles


def _audit(**kwargs: Any) -> None:
    from motcua.core.audit import audit_record  # lazy: keeps this module importable early

    audit_record(**kwargs)


def can_configure(actor: Any) -> bool:
    """Administrators set colour levels and scoring options; `None` is the CLI."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return Role.ADMINISTRATOR in user_roles(actor)


def _check(actor: Any) -> None:
    if not can_configure(actor):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được thay đổi cấu hình đánh giá."))


@transaction.atomic
def level_config_create(
    *, actor: Any, effective_from: dt.date, thresholds: Mapping[str, Any], legal_basis: str = ""
) -> LevelConfig:
    _check(actor)
    errors = validate_config(thresholds)
    if errors:
        raise ValidationError(errors)
    if LevelConfig.objects.filter(effective_from=effective_from).exists():
        raise ValidationError(_("Đã có cấu hình mức đánh giá hiệu lực từ ngày này."))
    try:
        with transaction.atomic():
            config = LevelConfig.objects.create(
                effective_from=effective_from,
                thresholds=dict(thresholds),
                legal_basis=legal_basis,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(_("Đã có cấu hình mức đánh giá hiệu lực từ ngày này.")) from exc
    _audit(
        action="monitoring.level_config_create",
        actor=actor,
        obj=config,
        after={
            "effective_from": effective_from.isoformat(),
            "thresholds": config.thresholds,
            "legal_basis": legal_basis,
        },
    )
    return config


@transaction.atomic
def scoring_policy_config_create(
    *, actor: Any, effective_from: dt.date, options: Mapping[str, Any], note: str = ""
) -> ScoringPolicyConfig:
    _check(actor)
    try:
        policy = ScoringPolicy.from_options(options)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Tùy chọn cách tính điểm không hợp lệ.")) from exc
    if ScoringPolicyConfig.objects.filter(effective_from=effective_from).exists():
        raise ValidationError(_("Đã có cấu hình cách tính điểm hiệu lực từ ngày này."))
    config = ScoringPolicyConfig.objects.create(
        effective_from=effective_from, options=policy.as_options(), note=note, created_by=actor
    )
    _audit(
        action="monitoring.scoring_policy_config_create",
        actor=actor,
        obj=config,
        after={
            "effective_from": effective_from.isoformat(),
            "options": config.options,
            "note": note,
        },
    )
    return config


def day_stats_apply(
    *, unit: OrgUnit, procedure_code: str, day: dt.date, delta: Mapping[str, int]
) -> None:
    """Add `delta` (counter name → increment, may be negative) to one row, creating it
    when missing; `cat_*` flags are set to the given value. For the event→aggregate
    updater, inside the caller's transaction. Derived data: not audited (the events
    that cause it are)."""
    unknown = set(delta) - set(INT_FIELDS) - set(CATALOGUE_SETS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    row, _created = UnitDayStats.objects.get_or_create(
        unit=unit, procedure_code=procedure_code, day=day
    )
    updates: dict[str, Any] = {}
    for name, value in delta.items():
        updates[name] = int(value) if name in CATALOGUE_SETS else F(name) + int(value)
    if updates:
        UnitDayStats.objects.filter(pk=row.pk).update(**updates)
