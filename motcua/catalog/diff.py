"""Field-by-field difference between two versions' content (no ORM): the input is
the interchange dict of each version (interchange.version_to_dict). Labels are marked
for translation here and translated when a diff is made."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

SCALARS = (
    ("name", gettext_noop("Tên thủ tục")),
    ("subjects", gettext_noop("Đối tượng thực hiện")),
    ("legal_basis", gettext_noop("Căn cứ pháp lý")),
    ("announcement_decision", gettext_noop("Quyết định công bố")),
    ("announced_on", gettext_noop("Ngày quyết định công bố")),
    ("national_published_on", gettext_noop("Ngày công khai trên CSDL quốc gia về TTHC")),
    ("certified_copy_service", gettext_noop("Thủ tục chứng thực bản sao từ bản chính")),
    ("online_mode", gettext_noop("Mức độ trực tuyến")),
    ("full_process_eligible", gettext_noop("Đủ điều kiện toàn trình")),
    ("immediate_result", gettext_noop("Trả kết quả ngay khi tiếp nhận")),
    ("steps_description", gettext_noop("Trình tự thực hiện")),
    ("methods_description", gettext_noop("Cách thức thực hiện")),
    ("requirements", gettext_noop("Yêu cầu, điều kiện")),
    ("result", gettext_noop("Kết quả")),
    ("processing_time", gettext_noop("Thời hạn giải quyết")),
    ("fee_collection_timing", gettext_noop("Thời điểm thu phí")),
    ("eform", gettext_noop("Biểu mẫu điện tử")),
    ("is_example_data", gettext_noop("Dữ liệu minh họa")),
)
ITEM_LABELS = {
    "code": gettext_noop("Mã"),
    "name": gettext_noop("Tên"),
    "is_default": gettext_noop("Mặc định"),
    "processing_time": gettext_noop("Thời hạn"),
    "document_form": gettext_noop("Loại bản"),
    "quantity": gettext_noop("Số lượng"),
    "requirement": gettext_noop("Yêu cầu"),
    "condition": gettext_noop("Điều kiện"),
    "template_name": gettext_noop("Mẫu đơn, tờ khai"),
    "template_url": gettext_noop("Đường dẫn mẫu"),
    "accepted_types": gettext_noop("Định dạng chấp nhận"),
    "max_size_mb": gettext_noop("Dung lượng tối đa (MB)"),
    "warehouse_reusable": gettext_noop("Dùng lại từ kho dữ liệu"),
    "national_database": gettext_noop("CSDL quốc gia"),
    "case": gettext_noop("Trường hợp"),
    "kind": gettext_noop("Loại phí"),
    "amount": gettext_noop("Mức thu (VND)"),
    "basis": gettext_noop("Cách tính"),
    "quantity_field": gettext_noop("Trường số bản/trang"),
    "copies_field": gettext_noop("Trường số bản"),
    "tiers": gettext_noop("Bậc giá"),
    "cap": gettext_noop("Mức tối đa"),
    "exemption": gettext_noop("Điều kiện miễn"),
    "exemption_note": gettext_noop("Căn cứ miễn"),
    "online_discount_percent": gettext_noop("Giảm trực tuyến (%)"),
    "legal_basis": gettext_noop("Căn cứ"),
    "order": gettext_noop("Thứ tự"),
    "unit_rule": gettext_noop("Đơn vị thực hiện"),
    "unit": gettext_noop("Đơn vị chỉ định"),
    "role": gettext_noop("Vai trò"),
    "duration": gettext_noop("Thời gian"),
    "parallel_group": gettext_noop("Nhóm song song"),
}
LISTS = (
    ("cases", gettext_noop("Trường hợp"), ("code",)),
    ("components", gettext_noop("Thành phần hồ sơ"), ("code",)),
    ("fees", gettext_noop("Phí, lệ phí"), ("case", "code")),
    ("process", gettext_noop("Quy trình nội bộ"), ("order", "case")),
)


def show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is True:
        return _("Có")
    if value is False:
        return _("Không")
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class ItemDiff:
    key: str
    status: str  # added / removed / changed
    name: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class ListDiff:
    label: str
    items: list[ItemDiff]


@dataclass
class VersionDiff:
    scalars: list[Change]
    lists: list[ListDiff]

    @property
    def is_empty(self) -> bool:
        return not self.scalars and not any(lst.items for lst in self.lists)


def _key(item: dict[str, Any], keys: tuple[str, ...]) -> str:
    return " / ".join(str(item.get(k)) for k in keys if item.get(k) not in (None, ""))


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> VersionDiff:
    scalars = [
        Change(_(label), show(old.get(name)), show(new.get(name)))
        for name, label in SCALARS
        if old.get(name) != new.get(name)
    ]
    lists = []
    for name, label, keys in LISTS:
        before = {_key(i, keys): i for i in old.get(name) or []}
        after = {_key(i, keys): i for i in new.get(name) or []}
        items: list[ItemDiff] = []
        for key in sorted(set(before) | set(after)):
            a, b = before.get(key), after.get(key)
            if a is None and b is not None:
                items.append(ItemDiff(key, "added", str(b.get("name", key))))
            elif b is None and a is not None:
                items.append(ItemDiff(key, "removed", str(a.get("name", key))))
            elif a is not None and b is not None and a != b:
                changes = [
                    Change(
                        _(ITEM_LABELS[k]) if k in ITEM_LABELS else k, show(a.get(k)), show(b.get(k))
                    )
                    for k in sorted(set(a) | set(b))
                    if a.get(k) != b.get(k)
                ]
                items.append(ItemDiff(key, "changed", str(b.get("name", key)), changes))
        lists.append(ListDiff(_(label), items))
    return VersionDiff(scalars, lists)
