"""Back-office forms for the organisation (validation messages in Vietnamese)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.constants import AccountKind
from motcua.accounts.models import User
from motcua.org.constants import Role, SuccessionKind, UnitKind
from motcua.org.models import OrgUnit

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitForm(forms.Form):
    code = forms.CharField(label=_("Mã định danh"), max_length=64)
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    short_name = forms.CharField(label=_("Tên ngắn"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("Loại đơn vị"), choices=UnitKind.choices)
    parent = forms.ModelChoiceField(
        label=_("Đơn vị cấp trên"), queryset=OrgUnit.objects.none(), required=False
    )
    admin_area_code = forms.CharField(
        label=_("Mã đơn vị hành chính (GSO)"), max_length=16, required=False
    )
    valid_from = forms.DateField(label=_("Hiệu lực từ"), required=False, widget=DATE_WIDGET)
    valid_to = forms.DateField(label=_("Hiệu lực đến"), required=False, widget=DATE_WIDGET)
    receives_on_saturday = forms.BooleanField(label=_("Tiếp nhận sáng thứ Bảy"), required=False)

    def __init__(self, *args: Any, parents: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        return data


class SuccessionForm(forms.Form):
    successor = forms.ModelChoiceField(label=_("Đơn vị mới"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("Hình thức"), choices=SuccessionKind.choices)
    effective_date = forms.DateField(label=_("Ngày hiệu lực"), widget=DATE_WIDGET)
    legal_basis = forms.CharField(
        label=_("Căn cứ pháp lý"),
        max_length=255,
        help_text=_("Ví dụ: Nghị quyết 202/2025/QH15"),
    )
    close_predecessor = forms.BooleanField(
        label=_("Kết thúc hiệu lực đơn vị cũ vào ngày trước ngày hiệu lực (khi sáp nhập, đổi tên)"),
        required=False,
        initial=True,
    )
    carries_records = forms.BooleanField(
        label=_(
            "Chuyển hồ sơ và số liệu giám sát của đơn vị cũ sang đơn vị mới "
            "(cán bộ đơn vị mới xử lý tiếp; không chọn khi chia tách)"
        ),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = units  # type: ignore[attr-defined]


def staff_users() -> QuerySet[User]:
    return User.objects.filter(kind=AccountKind.STAFF, is_active=True).order_by("full_name")


class AssignmentForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Cán bộ"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    position = forms.CharField(label=_("Chức vụ"), max_length=120, required=False)
    is_head = forms.BooleanField(label=_("Là người đứng đầu đơn vị"), required=False)
    valid_from = forms.DateField(label=_("Từ ngày"), widget=DATE_WIDGET)
    valid_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_users()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


class AssignmentEndForm(forms.Form):
    valid_to = forms.DateField(label=_("Ngày kết thúc"), widget=DATE_WIDGET)


class DelegationForm(forms.Form):
    delegator = forms.ModelChoiceField(label=_("Người ủy quyền"), queryset=User.objects.none())
    delegate = forms.ModelChoiceField(label=_("Người được ủy quyền"), queryset=User.objects.none())
    valid_from = forms.DateField(label=_("Từ ngày"), widget=DATE_WIDGET)
    valid_to = forms.DateField(label=_("Đến ngày"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Lý do"), max_length=255, required=False)

    def __init__(self, *args: Any, members: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegator"].queryset = members  # type: ignore[attr-defined]
        self.fields["delegate"].queryset = members  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        if data.get("delegator") and data.get("delegator") == data.get("delegate"):
            self.add_error("delegate", _("Không thể tự ủy quyền cho chính mình."))
        return data


class TreeFilterForm(forms.Form):
    q = forms.CharField(label=_("Tên hoặc mã"), required=False)
    kind = forms.ChoiceField(
        label=_("Loại đơn vị"), required=False, choices=[("", _("Tất cả")), *UnitKind.choices]
    )
    at = forms.DateField(label=_("Cơ cấu tại ngày"), required=False, widget=DATE_WIDGET)
