"""Scopes an API client may be granted. Later features add their scopes here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "procedures:read": _("Đọc danh mục thủ tục hành chính"),
    "dossiers:read": _("Đọc hồ sơ và tiến độ xử lý"),
    "dossiers:write": _("Tiếp nhận, cập nhật hồ sơ"),
    "dossiers:create": _("Nộp hồ sơ trực tuyến thay công dân, tổ chức"),
    "reports:read": _("Đọc số liệu báo cáo"),
    "monitoring:read": _("Đọc điểm đánh giá, xếp loại các đơn vị"),
    "org:read": _("Đọc cơ cấu tổ chức"),
}
