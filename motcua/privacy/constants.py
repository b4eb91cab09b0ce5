from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", _("Đã gửi yêu cầu, chờ xem xét")
    APPROVED = "approved", _("Đã chấp thuận, chờ thực hiện")
    REFUSED = "refused", _("Từ chối")
    EXECUTED = "executed", _("Đã xóa dữ liệu")


OPEN_STATUSES = (ErasureStatus.REQUESTED, ErasureStatus.APPROVED)

STATUS_COLOUR = {
    ErasureStatus.REQUESTED: "yellow",
    ErasureStatus.APPROVED: "blue",
    ErasureStatus.REFUSED: "red",
    ErasureStatus.EXECUTED: "green",
}


class Treatment(models.TextChoices):
    """What the execution does with one category of data."""

    ERASE = "erase", _("Xóa")
    PSEUDONYMISE = "pseudonymise", _("Giả danh hóa (xóa thông tin cá nhân không cần lưu)")
    RETAIN = "retain", _("Giữ lại theo quy định")


class ReadKind(models.TextChoices):
    """What an officer opened (the read log, law.md R32a). The dossier page shows the
    applicant's personal data (name, identity number, form answers), so opening it is
    the personal-data read; files are logged one by one."""

    DOSSIER = "dossier", _("Mở trang hồ sơ (gồm thông tin cá nhân)")
    DOCUMENT = "document", _("Mở giấy tờ")
    FORM = "form", _("Xem, in mẫu phiếu của hồ sơ")
    REGISTER = "register", _("Lập sổ theo dõi hồ sơ")


class ReadChannel(models.TextChoices):
    """How the officer read (law.md R32a): the back office in a browser, or the REST API
    (a system acting for an officer account counts as that officer)."""

    WEB = "web", _("Trang nghiệp vụ")
    API = "api", _("API (phần mềm khác)")
