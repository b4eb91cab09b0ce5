from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImplementingLevel(models.TextChoices):
    CENTRAL = "central", _("Cấp Trung ương / ngành dọc")
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class OnlineMode(models.TextChoices):
    # Decree 42/2022/NĐ-CP Art. 11(1): full-process (toàn trình) / partial (một phần).
    FULL = "full", _("Dịch vụ công trực tuyến toàn trình")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    NONE = "none", _("Chỉ nộp trực tiếp / bưu chính")


class Subject(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class TimeUnit(models.TextChoices):
    # DonViTinh of the national procedure database (law.md §1.11(1)).
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    DAYS = "days", pgettext_lazy("time unit", "ngày")
    MONTHS = "months", _("tháng")
    SAME_DAY = "same_day", _("trong ngày (sau 15 giờ: ngày làm việc tiếp theo)")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Hết hiệu lực")


class DocumentForm(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
    ORIGINAL_TO_COMPARE = "original_to_compare", _("Bản sao kèm bản chính để đối chiếu")


class Requirement(models.TextChoices):
    REQUIRED = "required", _("Bắt buộc")
    CONDITIONAL = "conditional", _("Theo điều kiện")
    OPTIONAL = "optional", _("Không bắt buộc")


class NationalDatabase(models.TextChoices):
    NONE = "", _("Không")
    POPULATION = "population", _("CSDL quốc gia về dân cư")
    CIVIL_STATUS = "civil_status", _("CSDL hộ tịch điện tử")
    BUSINESS = "business", _("CSDL quốc gia về đăng ký doanh nghiệp")
    LAND = "land", _("CSDL đất đai")


class FeeKind(models.TextChoices):
    CHARGE = "phi", _("Phí")
    LEVY = "le_phi", _("Lệ phí")


class FeeBasis(models.TextChoices):
    PER_DOSSIER = "per_dossier", _("Theo hồ sơ")
    PER_COPY = "per_copy", _("Theo bản")
    PER_PAGE = "per_page", _("Theo trang")


class CollectionTiming(models.TextChoices):
    AT_SUBMISSION = "at_submission", _("Khi nộp hồ sơ")
    ON_REQUEST = "on_request", _("Khi có thông báo")
    AT_RETURN = "at_return", _("Khi nhận kết quả")


class StepUnitRule(models.TextChoices):
    RECEIVING = "receiving", _("Đơn vị tiếp nhận")
    COMPETENT = "competent", _("Cơ quan giải quyết")
    FIXED = "fixed", _("Đơn vị chỉ định")


class ReturnMode(models.TextChoices):
    # Linked procedures (Decree 63/2024/NĐ-CP, law.md R40): the results of the child
    # dossiers go back to the applicant together, or each one as soon as it is ready.
    TOGETHER = "together", _("Trả kết quả cùng lúc khi mọi hồ sơ thành phần xong")
    EACH = "each", _("Trả kết quả từng hồ sơ thành phần khi có")
