from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureConfirmForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    understood = forms.BooleanField(
        label=_(
            "Tôi hiểu rằng sau khi xóa, tôi không thể đăng nhập lại bằng tài khoản này và "
            "dữ liệu đã xóa không khôi phục được."
        ),
        error_messages={"required": _("Vui lòng xác nhận bạn đã hiểu hậu quả của việc xóa.")},
    )
    password = forms.CharField(
        label=_("Nhập lại mật khẩu để xác nhận"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do / ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
