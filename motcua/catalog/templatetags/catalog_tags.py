"""Display helpers for catalogue pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from motcua.catalog.constants import TimeUnit

register = template.Library()


@register.filter
def vnd(value: Any) -> str:
    """12000 → "12.000 đ" (Vietnamese thousands separator)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{number:,}".replace(",", ".") + " đ"


@register.filter
def num(value: Any) -> str:
    """Decimal without trailing zeros, Vietnamese decimal comma: 0.50 → "0,5"."""
    if value in (None, ""):
        return ""
    d = Decimal(str(value)).normalize()
    text = f"{d:f}"
    return text.replace(".", ",")


@register.simple_tag
def duration(value: Any, unit: str) -> str:
    if unit == TimeUnit.SAME_DAY:
        return _("Trong ngày (nhận sau 15 giờ: trả trong ngày làm việc tiếp theo)")
    label = TimeUnit(unit).label if unit in TimeUnit.values else unit
    return f"{num(value)} {label}"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None
