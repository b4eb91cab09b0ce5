"""Reads of erasure requests."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from motcua.privacy.models import ErasureRequest


def requests_for_review(status: str = "") -> QuerySet[ErasureRequest]:
    qs = ErasureRequest.objects.select_related("subject", "decided_by", "executed_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-pk")


def requests_of(subject: Any) -> QuerySet[ErasureRequest]:
    return ErasureRequest.objects.filter(subject=subject).order_by("-requested_at", "-pk")
