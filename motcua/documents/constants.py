"""Choices of the documents app; each status carries its label and badge colour in one map."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FileKind(models.TextChoices):
    UPLOAD = "upload", _("Tệp tải lên")
    DIGITIZED = "digitized", _("Bản số hóa")
    FORM = "form", _("Biểu mẫu")
    RESULT = "result", _("Kết quả giải quyết")
    SIGNED = "signed", _("Bản đã ký số")


class SignerRole(models.TextChoices):
    """Who signs, in the order of Decree 30/2020 (clerical work): the competent person
    first, then the agency (seal) signature; the receptionist signs digitized sets."""

    RECEPTIONIST = "receptionist", _("Cán bộ tiếp nhận")
    OFFICER = "officer", _("Cán bộ xử lý")
    LEADER = "leader", _("Lãnh đạo")
    AGENCY = "agency", _("Cơ quan (dấu)")


class CredentialKind(models.TextChoices):
    PERSONAL = "personal", _("Cá nhân cán bộ")
    AGENCY = "agency", _("Cơ quan, đơn vị")


class WarehouseSource(models.TextChoices):
    SUBMITTED = "submitted", _("Giấy tờ đã nộp")
    RESULT = "result", _("Kết quả đã nhận")
    NATIONAL = "national", _("Kho dữ liệu Cổng DVC quốc gia")


class SignatureVerdict(models.TextChoices):
    """Bottom line of one signature check (law.md §6.2)."""

    VALID = "valid", _("Hợp lệ")
    UNTRUSTED = "untrusted", _("Toàn vẹn, chưa xác thực được chứng thư")
    REVOKED = "revoked", _("Chứng thư ký số đã bị thu hồi")
    BROKEN = "broken", _("Không toàn vẹn — tài liệu đã bị sửa")


VERDICT_COLOURS = {
    SignatureVerdict.VALID: "green",
    SignatureVerdict.UNTRUSTED: "orange",
    SignatureVerdict.REVOKED: "red",
    SignatureVerdict.BROKEN: "red",
}

# National sync flag DuocTaiSuDung (law.md §3.2): 0 no, 1 reused, 2 reused with a
# replacement result code (MaKetQuaThayThe).
REUSE_NONE, REUSE_YES, REUSE_REPLACED = 0, 1, 2


# Types a browser shows itself: opened inline (?xem=1) by the officer's file viewer.
VIEWABLE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
