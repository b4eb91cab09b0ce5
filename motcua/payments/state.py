"""Payment state machines as pure tables (no ORM).

A *payment request* (yêu cầu thanh toán) is what a dossier owes; each try to pay it is
an *attempt* (giao dịch) with one provider. Attempts follow the table below; the
request's status is derived from its attempts and refunds, so retrying after a failure
never double-counts: only succeeded, non-duplicate attempts add to what is paid.

    created ─► pending ─► succeeded ─► partially_refunded ─► refunded
                 │  │  └► failed
                 │  └──► expired  ─► succeeded   (late bank confirmation: the money moved)
                 └─────► cancelled ─► succeeded  (idem)
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttemptStatus(models.TextChoices):
    CREATED = "created", _("Mới tạo")
    PENDING = "pending", _("Đang chờ thanh toán")
    SUCCEEDED = "succeeded", _("Thành công")
    FAILED = "failed", _("Không thành công")
    EXPIRED = "expired", _("Hết hạn")
    CANCELLED = "cancelled", _("Đã hủy")
    PARTIALLY_REFUNDED = "partially_refunded", _("Đã hoàn một phần")
    REFUNDED = "refunded", _("Đã hoàn tiền")


A = AttemptStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    A.CREATED: frozenset({A.PENDING, A.SUCCEEDED, A.CANCELLED, A.FAILED}),
    A.PENDING: frozenset({A.SUCCEEDED, A.FAILED, A.EXPIRED, A.CANCELLED}),
    A.SUCCEEDED: frozenset({A.PARTIALLY_REFUNDED, A.REFUNDED}),
    A.PARTIALLY_REFUNDED: frozenset({A.PARTIALLY_REFUNDED, A.REFUNDED}),
    A.FAILED: frozenset(),
    A.EXPIRED: frozenset({A.SUCCEEDED}),
    A.CANCELLED: frozenset({A.SUCCEEDED}),
    A.REFUNDED: frozenset(),
}

OPEN: frozenset[str] = frozenset({A.CREATED, A.PENDING})
PAID: frozenset[str] = frozenset({A.SUCCEEDED, A.PARTIALLY_REFUNDED, A.REFUNDED})

ATTEMPT_COLOUR: dict[str, str] = {
    A.CREATED: "grey",
    A.PENDING: "yellow",
    A.SUCCEEDED: "green",
    A.FAILED: "red",
    A.EXPIRED: "grey",
    A.CANCELLED: "grey",
    A.PARTIALLY_REFUNDED: "orange",
    A.REFUNDED: "blue",
}


class IllegalPaymentTransition(Exception):
    pass


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_move(current: str, target: str) -> str:
    if not can_move(current, target):
        raise IllegalPaymentTransition(f"{current} → {target}")
    return target


def refund_status(paid: int, refunded: int) -> str:
    """Attempt status after refunds totalling `refunded` out of `paid`."""
    if refunded <= 0:
        return A.SUCCEEDED
    return A.REFUNDED if refunded >= paid else A.PARTIALLY_REFUNDED


class RequestStatus(models.TextChoices):
    UNPAID = "unpaid", _("Chưa thanh toán")
    PENDING = "pending", _("Đang chờ xác nhận")
    PAID = "paid", _("Đã thanh toán")
    PARTIALLY_REFUNDED = "partially_refunded", _("Đã hoàn một phần")
    REFUNDED = "refunded", _("Đã hoàn tiền")
    EXPIRED = "expired", _("Quá hạn nộp")
    CANCELLED = "cancelled", _("Đã hủy")
    WAIVED = "waived", _("Không phải nộp (miễn)")


REQUEST_COLOUR: dict[str, str] = {
    RequestStatus.UNPAID: "yellow",
    RequestStatus.PENDING: "yellow",
    RequestStatus.PAID: "green",
    RequestStatus.PARTIALLY_REFUNDED: "orange",
    RequestStatus.REFUNDED: "blue",
    RequestStatus.EXPIRED: "red",
    RequestStatus.CANCELLED: "grey",
    RequestStatus.WAIVED: "green",
}


def request_status(
    *,
    amount: int,
    paid: int,
    refunded: int,
    has_open_attempt: bool,
    expired: bool,
    cancelled: bool,
) -> str:
    """Status of a request from its totals (paid counts each request once: duplicate
    payments are refunded, not counted)."""
    if cancelled:
        return RequestStatus.CANCELLED
    if amount == 0:
        return RequestStatus.WAIVED
    if paid >= amount:
        if refunded <= 0:
            return RequestStatus.PAID
        return RequestStatus.REFUNDED if refunded >= paid else RequestStatus.PARTIALLY_REFUNDED
    if has_open_attempt:
        return RequestStatus.PENDING
    if expired:
        return RequestStatus.EXPIRED
    return RequestStatus.UNPAID
