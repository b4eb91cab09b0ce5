"""Choices of the payments app (labels and colours in one place)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.payments.state import (  # noqa: F401  (re-exported)
    ATTEMPT_COLOUR,
    REQUEST_COLOUR,
    AttemptStatus,
    RequestStatus,
)


class RequestKind(models.TextChoices):
    # law.md §5.2: fees at submission, or a financial obligation during processing
    # (national status 6, e.g. land levies computed by the tax authority).
    FEE = "fee", _("Phí, lệ phí theo thủ tục")
    OBLIGATION = "obligation", _("Nghĩa vụ tài chính")
    # One payment for every fee of a linked application (law.md R40): the children's
    # fee requests are settled together when it is paid.
    COMBINED = "combined", _("Phí, lệ phí gộp của hồ sơ liên thông")


class OnlineFlag(models.IntegerChoices):
    # DuocThanhToanTrucTuyen in the national dossier sync (law.md §5.2, R21).
    NO = 0, _("Không thanh toán trực tuyến")
    NATIONAL = 1, _("Nền tảng thanh toán Cổng DVCQG")
    PROVINCIAL = 2, _("Cổng thanh toán của tỉnh / ngân hàng")


class Direction(models.TextChoices):
    INBOUND = "in", _("Nhận từ nhà cung cấp")
    OUTBOUND = "out", _("Gửi nhà cung cấp")


class MessageKind(models.TextChoices):
    REDIRECT = "redirect", _("Chuyển hướng thanh toán")
    RETURN = "return", _("Trang trả về")
    IPN = "ipn", _("Thông báo kết quả (IPN)")
    QUERY = "query", _("Truy vấn giao dịch")
    QR = "qr", _("Mã VietQR")
    STATEMENT = "statement", _("Dòng sao kê ngân hàng")
    CASH = "cash", _("Thu tiền mặt tại quầy")
    REFUND = "refund", _("Hoàn tiền")
    SETTLEMENT = "settlement", _("Tệp đối soát")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Chờ duyệt hoàn tiền")
    COMPLETED = "completed", _("Đã hoàn tiền")
    REJECTED = "rejected", _("Từ chối hoàn tiền")


REFUND_COLOUR: dict[str, str] = {
    RefundStatus.REQUESTED: "yellow",
    RefundStatus.COMPLETED: "green",
    RefundStatus.REJECTED: "grey",
}


class StatementStatus(models.TextChoices):
    MATCHED = "matched", _("Đã khớp")
    UNMATCHED = "unmatched", _("Không tìm thấy mã thanh toán")
    AMOUNT_MISMATCH = "amount_mismatch", _("Lệch số tiền")
    DUPLICATE = "duplicate", _("Đã thanh toán trước đó")


class MismatchKind(models.TextChoices):
    PAID_NOT_RECORDED = "paid_not_recorded", _("Ngân hàng đã thu, Motcua chưa ghi nhận")
    RECORDED_NOT_SETTLED = "recorded_not_settled", _("Motcua đã ghi nhận, chưa có trong đối soát")
    AMOUNT_DIFFERENCE = "amount_difference", _("Lệch số tiền")


MISMATCH_COLOUR: dict[str, str] = {
    MismatchKind.PAID_NOT_RECORDED: "red",
    MismatchKind.RECORDED_NOT_SETTLED: "orange",
    MismatchKind.AMOUNT_DIFFERENCE: "red",
}
