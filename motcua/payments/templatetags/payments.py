"""`{% load payments %}{% payment_summary d %}` shows what a dossier owes and what is
paid (with receipts) on the citizen's and the officer's dossier pages."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.payments.selectors import dossier_payments

register = template.Library()


@register.inclusion_tag("payments/_summary.html", takes_context=True)
def payment_summary(context: Any, dossier: Any) -> dict[str, Any]:
    user = context.get("request").user if context.get("request") else None
    return {
        "summary": dossier_payments(dossier),
        "dossier": dossier,
        "citizen": getattr(user, "pk", None) == dossier.applicant_id,
    }


@register.filter
def vnd(value: Any) -> str:
    """12345678 → "12.345.678" (Vietnamese grouping, independent of locale settings)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    sign = "-" if number < 0 else ""
    return sign + f"{abs(number):,}".replace(",", ".")
