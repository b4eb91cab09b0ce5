"""Field-by-field difference between two versions' content (no ORM): the input is
the interchange dict of each version (interchange.version_to_dict)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SCALARS = (
    ("name", "Tên thủ tục"),
    ("subjects", "Đối tượng thực hiện"),
    ("legal_basis", "Căn cứ pháp lý"),
    ("announcement_decision", "Quyết định công bố"),
    ("online_mode", "Mức độ trực tuyến"),
    ("full_process_eligible", "Đủ điều kiện toàn trình"),
    ("steps_description", "Trình tự thực hiện"),
    ("methods_description", "Cách thức thực hiện"),
    ("requirements", "Yêu cầu, điều kiện"),
    ("result", "Kết quả"),
    ("processing_time", "Thời hạn giải quyết"),
    ("fee_collection_timing", "Thời điểm thu phí"),
    ("eform", "Biểu mẫu điện tử"),
    ("is_example_data", "Dữ liệu minh họa"),
)
ITEM_LABELS = {
    "code": "Mã",
    "name": "Tên",
    "is_default": "Mặc định",
    "processing_time": "Thời hạn",
    "document_form": "Loại bản",
    "quantity": "Số lượng",
    "requirement": "Yêu cầu",
    "condition": "Điều kiện",
    "template_name": "Mẫu đơn, tờ khai",
    "template_url": "Đường dẫn mẫu",
    "accepted_types": "Định dạng chấp nhận",
    "max_size_mb": "Dung lượng tối đa (MB)",
    "warehouse_reusable": "Dùng lại từ kho dữ liệu",
    "national_database": "CSDL quốc gia",
    "case": "Trường hợp",
    "kind": "Loại phí",
    "amount": "Mức thu (VND)",
    "basis": "Cách tính",
    "quantity_field": "Trường số bản/trang",
    "copies_field": "Trường số bản",
    "tiers": "Bậc giá",
    "cap": "Mức tối đa",
    "exemption": "Điều kiện miễn",
    "exemption_note": "Căn cứ miễn",
    "online_discount_percent": "Giảm trực tuyến (%)",
    "legal_basis": "Căn cứ",
    "order": "Thứ tự",
    "unit_rule": "Đơn vị thực hiện",
    "unit": "Đơn vị chỉ định",
    "role": "Vai trò",
    "duration": "Thời gian",
    "parallel_group": "Nhóm song song",
}
LISTS = (
    ("cases", "Trường hợp", ("code",)),
    ("components", "Thành phần hồ sơ", ("code",)),
    ("fees", "Phí, lệ phí", ("case", "code")),
    ("process", "Quy trình nội bộ", ("order", "case")),
)


def show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is True:
        return "Có"
    if value is False:
        return "Không"
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
        Change(label, show(old.get(name)), show(new.get(name)))
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
                    Change(ITEM_LABELS.get(k, k), show(a.get(k)), show(b.get(k)))
                    for k in sorted(set(a) | set(b))
                    if a.get(k) != b.get(k)
                ]
                items.append(ItemDiff(key, "changed", str(b.get("name", key)), changes))
        lists.append(ListDiff(label, items))
    return VersionDiff(scalars, lists)
