"""Reads of the payments app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum
from django.http import Http404

from motcua.payments import permissions
from motcua.payments.constants import RequestKind, RequestStatus
from motcua.payments.models import (
    PaymentAttempt,
    PaymentRequest,
    Receipt,
    ReconciliationRun,
    Refund,
    StatementLine,
)


@dataclass
class DossierPayments:
    requests: list[PaymentRequest]
    owed: int
    paid: int
    refunded: int
    outstanding: int
    receipts: list[Receipt]


def dossier_payments(dossier: Any) -> DossierPayments:
    """What the dossier owes and what is paid (for the dossier pages)."""
    requests = list(
        PaymentRequest.objects.filter(dossier=dossier)
        .exclude(status=RequestStatus.CANCELLED)
        .prefetch_related("lines")
    )
    owed = sum(r.amount for r in requests)
    paid = sum(min(r.paid_amount, r.amount) for r in requests)
    refunded = sum(r.refunded_amount for r in requests)
    receipts = list(
        Receipt.objects.filter(request__dossier=dossier).select_related("series").order_by("pk")
    )
    return DossierPayments(requests, owed, paid, refunded, max(0, owed - paid), receipts)


def fee_request_due_at_submission(dossier: Any) -> PaymentRequest | None:
    """The open fee request of a dossier whose fees are collected at submission
    (catalogue fee_collection_timing), while something is still owed on it."""
    from motcua.catalog.constants import CollectionTiming

    if dossier.procedure_version.fee_collection_timing != CollectionTiming.AT_SUBMISSION:
        return None
    req = (
        PaymentRequest.objects.filter(
            dossier=dossier, kind=RequestKind.FEE, cancelled_at__isnull=True
        )
        .order_by("-pk")
        .first()
    )
    return req if req is not None and req.outstanding > 0 else None


def obligations_outstanding(*, dossier: Any) -> bool:
    """Whether a clock-pausing request of the dossier is still neither paid nor waived
    (cancelled requests no longer bind). The only truth for leaving the pause (R13)."""
    return (
        PaymentRequest.objects.filter(dossier=dossier, pauses_clock=True, cancelled_at__isnull=True)
        .exclude(status__in=[RequestStatus.PAID, RequestStatus.WAIVED])
        .exists()
    )


def request_for_applicant(user: Any, pk: int) -> PaymentRequest:
    req = (
        PaymentRequest.objects.select_related(
            "dossier", "collecting_unit", "dossier__procedure_version"
        )
        .filter(pk=pk, dossier__applicant=user)
        .first()
    )
    if req is None:
        raise Http404
    return req


def requests_of_applicant(user: Any) -> QuerySet[PaymentRequest]:
    return PaymentRequest.objects.filter(dossier__applicant=user).select_related(
        "dossier", "dossier__procedure_version"
    )


def attempt_for_applicant(user: Any, pk: int) -> PaymentAttempt:
    attempt = (
        PaymentAttempt.objects.select_related("request", "request__dossier")
        .filter(pk=pk, request__dossier__applicant=user)
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


def receipt_visible(user: Any, pk: int) -> Receipt:
    receipt = (
        Receipt.objects.select_related("request", "request__dossier", "series")
        .filter(pk=pk)
        .first()
    )
    if receipt is None:
        raise Http404
    if receipt.request.dossier.applicant_id == getattr(user, "pk", None):
        return receipt
    if receipt.request.collecting_unit_id in permissions.readable_units(user):
        return receipt
    raise Http404


def office_requests(user: Any) -> QuerySet[PaymentRequest]:
    return PaymentRequest.objects.filter(
        collecting_unit_id__in=permissions.readable_units(user)
    ).select_related("dossier", "collecting_unit", "dossier__applicant")


def office_request(user: Any, pk: int) -> PaymentRequest:
    req = office_requests(user).filter(pk=pk).first()
    if req is None:
        raise Http404
    return req


def office_receipts(user: Any) -> QuerySet[Receipt]:
    return Receipt.objects.filter(
        request__collecting_unit_id__in=permissions.readable_units(user)
    ).select_related("series", "request")


def office_refunds(user: Any) -> QuerySet[Refund]:
    return Refund.objects.filter(
        request__collecting_unit_id__in=permissions.readable_units(user)
    ).select_related("request", "attempt", "member__dossier")


def office_statement_lines(user: Any) -> QuerySet[StatementLine]:
    """Statement lines of the units' attempts, plus unmatched lines (finance only)."""
    units = permissions.readable_units(user)
    from django.db.models import Q

    qs = StatementLine.objects.filter(attempt__request__collecting_unit_id__in=units)
    if permissions.finance_units(user):
        qs = StatementLine.objects.filter(
            Q(attempt__request__collecting_unit_id__in=units) | Q(attempt__isnull=True)
        )
    return qs.select_related("attempt")


def reconciliation_runs() -> QuerySet[ReconciliationRun]:
    return ReconciliationRun.objects.all()


def totals(qs: QuerySet[PaymentRequest]) -> dict[str, int]:
    # A combined request of a linked application is counted through its members.
    qs = qs.exclude(kind=RequestKind.COMBINED)
    agg = qs.aggregate(owed=Sum("amount"), paid=Sum("paid_amount"), refunded=Sum("refunded_amount"))
    return {k: int(v or 0) for k, v in agg.items()}
