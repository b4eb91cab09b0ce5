"""Refusals of dossier services. Each is a ValidationError so forms and views can show
the Vietnamese message as is; nothing is written when one is raised."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class DossierError(ValidationError):
    default_message = _("Không thể thực hiện thao tác trên hồ sơ.")
    code = "dossier_error"

    def __init__(self, message: Any = None, **params: Any) -> None:
        text = message if message is not None else self.default_message
        super().__init__(text, code=self.code, params=params or None)

    def __str__(self) -> str:
        return " ".join(str(m) for m in self.messages)


class ConcurrentModification(DossierError):
    default_message = _(
        "Hồ sơ đã được người khác cập nhật trong lúc bạn thao tác. "
        "Vui lòng tải lại trang để xem trạng thái mới nhất rồi thực hiện lại."
    )
    code = "concurrent_modification"


class IllegalTransition(DossierError):
    default_message = _("Không thể thực hiện thao tác này ở trạng thái hiện tại của hồ sơ.")
    code = "illegal_transition"


class NotPermitted(DossierError):
    default_message = _("Bạn không có thẩm quyền thực hiện thao tác này trên hồ sơ.")
    code = "not_permitted"


class ReasonRequired(DossierError):
    default_message = _("Vui lòng nêu rõ lý do.")
    code = "reason_required"


class ExtensionRefused(DossierError):
    default_message = _("Không thể gia hạn hồ sơ.")
    code = "extension_refused"


class InvalidDossierData(DossierError):
    default_message = _("Thông tin hồ sơ không hợp lệ.")
    code = "invalid"


class SignatureMissing(DossierError):
    """Decree 45/2020 Art. 9; Decree 30/2020 Art. 8: an electronic result has legal
    value only with the competent person's and the agency's digital signatures."""

    default_message = _("Kết quả điện tử chưa có đủ chữ ký số theo quy định.")
    code = "signature_required"


class SupplementRefused(DossierError):
    default_message = _("Không thể yêu cầu bổ sung hồ sơ.")
    code = "supplement_refused"


class ClosureNotDue(DossierError):
    default_message = _("Chưa hết thời hạn bổ sung hồ sơ theo thông báo.")
    code = "closure_not_due"


class ConsentRefused(DossierError):
    """Consent at the counter (law.md R4a): no phone, SMS down, wrong/expired code."""

    default_message = _("Không thực hiện được bước xác nhận của người nộp.")
    code = "consent_refused"
