"""Dossier statuses, channels and other choices, each with its label (and colour) in one
place so that templates never hard-code a colour (design.md §2)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    """Internal states (law.md §1.10.2). The national status code (TrangThaiHoSo,
    §1.10.1) of each state is in NATIONAL_STATUS. "Overdue" is a derived flag, and the
    extension with apology is a flag on the dossier (it keeps its processing state)."""

    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    RETURNED_FOR_COMPLETION = "returned_for_completion", _("Hướng dẫn bổ sung khi tiếp nhận")
    REJECTED_AT_RECEPTION = "rejected_at_reception", _("Từ chối tiếp nhận")
    RECEIVED = "received", _("Đã tiếp nhận, chờ phân công")
    IN_PROCESS = "in_process", _("Đang xử lý")
    IN_CONSULTATION = "in_consultation", _("Đang lấy ý kiến")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ bổ sung hồ sơ")
    PAYMENT_REQUESTED = "payment_requested", _("Chờ thực hiện nghĩa vụ tài chính")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ lãnh đạo phê duyệt")
    APPROVED = "approved", _("Đã phê duyệt, chờ ban hành")
    RESOLVED = "resolved", _("Đã có kết quả, chờ trả")
    RESULT_RETURNED = "result_returned", _("Đã trả kết quả")
    WITHDRAWN = "withdrawn", _("Đã rút hồ sơ")
    REFUSED = "refused", _("Dừng xử lý / từ chối giải quyết")
    # Decree 118/2025 Art. 19(5): not completed 15 days after the supplement notice.
    CLOSED_UNSUPPLEMENTED = "closed_unsupplemented", _("Đã đóng do không bổ sung hồ sơ")
    # Decree 118/2025 Art. 21: the applicant stopped the dossier before the decision.
    STOPPED = "stopped", _("Đã dừng giải quyết theo yêu cầu người nộp")


S = DossierStatus

# National status codes 1–10 (TrangThaiHoSo, law.md §1.10.1). None: not synced.
NATIONAL_STATUS: dict[str, int | None] = {
    S.DRAFT: None,
    S.SUBMITTED: 1,
    S.RETURNED_FOR_COMPLETION: 1,  # not received yet: a notice was sent (Art. 17(2))
    S.REJECTED_AT_RECEPTION: 3,
    S.RECEIVED: 2,
    S.IN_PROCESS: 4,
    S.IN_CONSULTATION: 4,
    S.SUPPLEMENT_REQUESTED: 5,
    S.PAYMENT_REQUESTED: 6,
    S.AWAITING_APPROVAL: 4,
    S.APPROVED: 4,
    S.RESOLVED: 9,
    S.RESULT_RETURNED: 10,
    S.WITHDRAWN: 7,
    S.REFUSED: 8,
    S.CLOSED_UNSUPPLEMENTED: 8,  # "Dừng xử lý": the unit closes it (Art. 19(5))
    S.STOPPED: 7,  # at the applicant's request (Art. 21), like a withdrawal
}

NATIONAL_STATUS_LABELS: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

# CSS level class suffix (badge level-<colour>) for each status.
STATUS_COLOUR: dict[str, str] = {
    S.DRAFT: "grey",
    S.SUBMITTED: "blue",
    S.RETURNED_FOR_COMPLETION: "yellow",
    S.REJECTED_AT_RECEPTION: "grey",
    S.RECEIVED: "blue",
    S.IN_PROCESS: "blue",
    S.IN_CONSULTATION: "blue",
    S.SUPPLEMENT_REQUESTED: "yellow",
    S.PAYMENT_REQUESTED: "yellow",
    S.AWAITING_APPROVAL: "blue",
    S.APPROVED: "blue",
    S.RESOLVED: "green",
    S.RESULT_RETURNED: "green",
    S.WITHDRAWN: "grey",
    S.REFUSED: "grey",
    S.CLOSED_UNSUPPLEMENTED: "grey",
    S.STOPPED: "grey",
}

# Plain-words description for the citizen's timeline ("what is happening now").
CITIZEN_STATUS_TEXT: dict[str, Any] = {
    S.DRAFT: _("Hồ sơ chưa được nộp."),
    S.SUBMITTED: _("Hồ sơ đã nộp, đang chờ cán bộ kiểm tra và tiếp nhận."),
    S.RETURNED_FOR_COMPLETION: _(
        "Hồ sơ chưa đủ để tiếp nhận. Vui lòng bổ sung theo hướng dẫn rồi nộp lại."
    ),
    S.REJECTED_AT_RECEPTION: _("Hồ sơ không được tiếp nhận (xem lý do)."),
    S.RECEIVED: _("Hồ sơ đã được tiếp nhận và chuyển đến cơ quan giải quyết."),
    S.IN_PROCESS: _("Cơ quan có thẩm quyền đang xem xét hồ sơ."),
    S.IN_CONSULTATION: _("Cơ quan giải quyết đang lấy ý kiến các cơ quan liên quan."),
    S.SUPPLEMENT_REQUESTED: _("Cần bạn bổ sung giấy tờ theo yêu cầu."),
    S.PAYMENT_REQUESTED: _("Cần bạn thực hiện nghĩa vụ tài chính (nộp thuế, phí, lệ phí)."),
    S.AWAITING_APPROVAL: _("Hồ sơ đang chờ lãnh đạo phê duyệt."),
    S.APPROVED: _("Kết quả đã được phê duyệt, đang ban hành."),
    S.RESOLVED: _("Đã có kết quả, mời bạn nhận kết quả."),
    S.RESULT_RETURNED: _("Bạn đã nhận kết quả."),
    S.WITHDRAWN: _("Hồ sơ đã được rút theo yêu cầu của bạn."),
    S.REFUSED: _("Cơ quan có thẩm quyền từ chối giải quyết hồ sơ (xem lý do)."),
    S.CLOSED_UNSUPPLEMENTED: _(
        "Hồ sơ đã bị đóng vì không được bổ sung trong thời hạn theo thông báo."
    ),
    S.STOPPED: _("Hồ sơ đã dừng giải quyết theo yêu cầu của bạn."),
}


class Channel(models.TextChoices):
    # KenhThucHien (law.md §1.2): 1 in person, 2 online, 3 public postal.
    IN_PERSON = "1", _("Trực tiếp")
    ONLINE = "2", _("Trực tuyến")
    POSTAL = "3", _("Bưu chính công ích")


class ReturnChannel(models.TextChoices):
    COUNTER = "counter", _("Tại Bộ phận Một cửa")
    POST = "post", _("Qua bưu chính")
    ONLINE = "online", _("Trực tuyến")
    WAREHOUSE = "warehouse", _("Vào kho dữ liệu điện tử")


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Chờ bổ sung hồ sơ")
    FINANCIAL = "financial", _("Chờ thực hiện nghĩa vụ tài chính")


class DelayReasonKind(models.TextChoices):
    # Directive 04: "no late dossiers for subjective reasons" (R16).
    SUBJECTIVE = "subjective", _("Chủ quan")
    OBJECTIVE = "objective", _("Khách quan")


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Chưa đến")
    ACTIVE = "active", _("Đang thực hiện")
    DONE = "done", _("Đã xong")
    SKIPPED = "skipped", _("Bỏ qua")


class FormCode(models.TextChoices):
    # Circular 01/2018/TT-VPCP Art. 9 (law.md §1.12.1).
    NONE = "", _("Không")
    RECEIPT = "01", _("Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT = "02", _("Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "03", _("Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    APOLOGY = "04", _("Mẫu 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    CONTROL_SHEET = "05", _("Mẫu 05 — Phiếu kiểm soát quá trình giải quyết hồ sơ")
    REGISTER = "06", _("Mẫu 06 — Sổ theo dõi hồ sơ")
    # Circular 03/2025/TT-VPCP Form 05 (the numbers printed follow the dossier's rule set).
    STOP = "stop", _("Thông báo dừng giải quyết hồ sơ")


# Colour of the derived time flag (workdays.calendar.Status values).
TIME_COLOUR: dict[str, str] = {
    "within": "green",
    "due_soon": "yellow",
    "overdue": "red",
    "paused": "grey",
    "none": "grey",
}
TIME_LABEL: dict[str, Any] = {
    "within": _("Trong hạn"),
    "due_soon": _("Sắp đến hạn"),
    "overdue": _("Quá hạn"),
    "paused": _("Tạm dừng"),
    "none": _("Chưa tính hạn"),
}

APPLICANT = "applicant"  # pseudo-role of the citizen/business in the workflow table
# Pseudo-role of the system itself: transitions that only a recorded fact may trigger
# (e.g. the payments app recording the financial obligation as paid, the scheduler
# closing a dossier whose supplement time ran out), never a person.
SYSTEM = "system"
