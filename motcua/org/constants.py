from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh / thành phố trực thuộc Trung ương")
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    SERVICE_CENTER = "service_center", _("Trung tâm Phục vụ hành chính công")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    DISTRICT = "district", _("Huyện, thị xã, thành phố thuộc tỉnh")
    DISTRICT_OFFICE = "district_office", _("Phòng chuyên môn cấp huyện")
    COMMUNE = "commune", _("Xã, phường, thị trấn")
    ONE_STOP = "one_stop", _("Bộ phận Một cửa")
    VERTICAL = "vertical", _("Cơ quan ngành dọc")


class SuccessionKind(models.TextChoices):
    MERGED_INTO = "merged_into", _("Hợp nhất / sáp nhập vào")
    SPLIT_INTO = "split_into", _("Chia tách thành")
    RENAMED_TO = "renamed_to", _("Đổi tên thành")
    FUNCTIONS_TRANSFERRED_TO = "functions_transferred_to", _("Chuyển giao chức năng cho")


class Role(models.TextChoices):
    RECEPTIONIST = "receptionist", _("Cán bộ tiếp nhận")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo đơn vị")
    CLERK = "clerk", _("Văn thư")
    SUPERVISOR = "supervisor", _("Giám sát")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")
