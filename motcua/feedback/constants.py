"""Choices of the feedback (PAKN) and satisfaction-rating module, each with its label
and colour in one place (design.md §2): templates never hard-code a colour."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class FeedbackStatus(models.TextChoices):
    # Mapped to the national PAKN statuses (law.md §7.3) in NATIONAL_GROUP below.
    RECEIVED = "received", _("Mới tiếp nhận, chờ phân loại")
    IN_PROCESS = "in_process", _("Đang xử lý")
    WAITING_SUPPLEMENT = "waiting_supplement", _("Chờ người gửi bổ sung thông tin")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ lãnh đạo duyệt trả lời")
    AWAITING_PUBLICATION = "awaiting_publication", _("Chờ công khai")
    PUBLISHED = "published", _("Đã trả lời, công khai")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    TRANSFERRED_OUT = "transferred_out", _("Đã chuyển cơ quan khác ngoài hệ thống")


class FeedbackKind(models.TextChoices):
    # Decree 20/2008 Art. 9(1): classification on reception (law.md §7.1, §7.5).
    REGULATION = "regulation", _("Về quy định hành chính, thủ tục hành chính")
    BEHAVIOUR = "behaviour", _("Về hành vi, thái độ của cán bộ (nhũng nhiễu, gây phiền hà…)")
    DOSSIER = "dossier", _("Về việc giải quyết một hồ sơ cụ thể")


class FeedbackChannel(models.TextChoices):
    PORTAL = "portal", _("Cổng dịch vụ công")
    COUNTER = "counter", _("Trực tiếp tại Bộ phận Một cửa")
    HOTLINE = "hotline", _("Đường dây nóng")
    LETTER = "letter", _("Thư, văn bản")
    KIOSK = "kiosk", _("Thiết bị đánh giá tại quầy")
    NATIONAL_PORTAL = "national_portal", _("Cổng Dịch vụ công quốc gia")


class CitizenVerdict(models.TextChoices):
    # The national portal counts likes/dislikes (law.md §7.4).
    SATISFIED = "satisfied", _("Hài lòng với trả lời")
    UNSATISFIED = "unsatisfied", _("Chưa hài lòng với trả lời")


STATUS_COLOUR: dict[str, str] = {
    FeedbackStatus.RECEIVED: "blue",
    FeedbackStatus.IN_PROCESS: "blue",
    FeedbackStatus.WAITING_SUPPLEMENT: "yellow",
    FeedbackStatus.AWAITING_APPROVAL: "blue",
    FeedbackStatus.AWAITING_PUBLICATION: "yellow",
    FeedbackStatus.PUBLISHED: "green",
    FeedbackStatus.REFUSED: "grey",
    FeedbackStatus.TRANSFERRED_OUT: "grey",
}

# What the citizen (or the anonymous tracking page) is told: status words only.
CITIZEN_STATUS_TEXT: dict[str, str | Promise] = {
    FeedbackStatus.RECEIVED: _("Phản ánh đã được tiếp nhận, đang chờ phân loại."),
    FeedbackStatus.IN_PROCESS: _("Cơ quan có thẩm quyền đang xem xét, xử lý."),
    FeedbackStatus.WAITING_SUPPLEMENT: _("Cần bạn bổ sung thông tin theo yêu cầu."),
    FeedbackStatus.AWAITING_APPROVAL: _("Đang xem xét, xử lý."),
    FeedbackStatus.AWAITING_PUBLICATION: _("Đã có kết quả xử lý, đang chờ công khai."),
    FeedbackStatus.PUBLISHED: _("Đã có trả lời."),
    FeedbackStatus.REFUSED: _("Phản ánh không được tiếp nhận (xem lý do)."),
    FeedbackStatus.TRANSFERRED_OUT: _("Phản ánh đã được chuyển đến cơ quan có thẩm quyền."),
}


EVENT_LABELS: dict[str, str | Promise] = {
    "submit": _("Tiếp nhận vào sổ"),
    "accept": _("Phân loại, thụ lý"),
    "refuse": _("Từ chối tiếp nhận"),
    "request_supplement": _("Yêu cầu bổ sung thông tin"),
    "supplement": _("Người gửi bổ sung"),
    "transfer": _("Chuyển đơn vị có thẩm quyền"),
    "transfer_out": _("Chuyển cơ quan ngoài hệ thống"),
    "submit_answer": _("Trình dự thảo trả lời"),
    "return_draft": _("Lãnh đạo trả lại dự thảo"),
    "approve": _("Lãnh đạo duyệt trả lời"),
    "publish": _("Công khai trả lời"),
    "rate": _("Người gửi đánh giá"),
    "reopen": _("Người gửi đề nghị xem xét lại"),
    "reminder": _("Nhắc hạn"),
}


class RatingStage(models.TextChoices):
    # Circular 01/2018 Art. 12: slips handed out with Forms 01–03 (reception) and after
    # the result is returned (Decree 61/2018 Art. 29–31).
    RECEPTION = "reception", _("Sau khi tiếp nhận hồ sơ")
    RESULT = "result", _("Sau khi nhận kết quả")


class RatingLevel(models.TextChoices):
    # Circular 32/2017/TT-BTTTT Art. 12: three levels for every item.
    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    UNSATISFIED = "unsatisfied", _("Chưa hài lòng")


LEVEL_COLOUR: dict[str, str] = {
    RatingLevel.VERY_SATISFIED: "green",
    RatingLevel.SATISFIED: "blue",
    RatingLevel.UNSATISFIED: "red",
}


class RatingChannel(models.TextChoices):
    PORTAL = "portal", _("Cổng dịch vụ công")
    KIOSK = "kiosk", _("Thiết bị đánh giá tại quầy")
    QR = "qr", _("Mã QR trên phiếu")
    SMS = "sms", _("Đường dẫn qua tin nhắn")


# Decree 61/2018 Art. 31 — content of citizens' evaluation (points a–i).
class Criterion(models.TextChoices):
    RETURN_TIME = "a_return_time", _("Thời gian trả kết quả so với quy định")
    BODIES_CONTACTED = "b_bodies", _("Số lượng cơ quan phải liên hệ để hoàn thiện hồ sơ")
    CONTACTS = "c_contacts", _("Số lần phải liên hệ với nơi tiếp nhận hồ sơ")
    PUBLICITY = "d_publicity", _("Tính chính xác, đầy đủ, kịp thời của thông tin thủ tục công khai")
    ATTITUDE = "dd_attitude", _("Thái độ của cán bộ, công chức")
    LEGALITY = (
        "e_legality",
        _("Tính hợp pháp của kết quả và chi phí (kể cả chi phí không chính thức)"),
    )
    FEEDBACK_HANDLING = "g_feedback", _("Thời gian, chất lượng giải trình phản ánh, kiến nghị")
    ONLINE = "h_online", _("Tiến độ, chất lượng cung cấp dịch vụ công trực tuyến")


# Deadlines of the national PAKN system (law.md §7.2, Decision 766 indicator 5.2),
# and the out-of-competence transfer of Decree 20/2008 Art. 9(1); in working days.
REFUSE_DAYS = 2
SUPPLEMENT_DAYS = 5
TRANSFER_DAYS = 5
HANDLE_DAYS = 15
PUBLISH_DAYS = 2
