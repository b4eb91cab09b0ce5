from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A code typed into a public lookup (dossier code, result code): it becomes a URL path
# segment, so anything else (e.g. "a/b") is a clear 400, never a failed URL reversal.
PUBLIC_CODE_RE = r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$"
public_code_validator = RegexValidator(
    PUBLIC_CODE_RE, _("Mã chỉ gồm chữ, số, dấu chấm, gạch ngang; vui lòng kiểm tra lại.")
)


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=_("Người thực hiện"), required=False, max_length=200)
    action = forms.CharField(
        label=_("Hành động"),
        required=False,
        max_length=100,
        help_text=_("Khớp phần đầu, ví dụ “org.” cho mọi thao tác về tổ chức."),
    )
    object_type = forms.CharField(label=_("Loại đối tượng"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Mã đối tượng"), required=False, max_length=100)
    unit = forms.CharField(label=_("Mã đơn vị"), required=False, max_length=64)
    request_id = forms.CharField(
        label=_("Mã yêu cầu"),
        required=False,
        max_length=80,
        help_text=_("X-Request-ID của yêu cầu, hoặc “job:<mã>” của tác vụ nền, như trong nhật ký."),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        for name in ("actor", "action", "object_type", "object_id", "unit", "request_id"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError(_("“Đến ngày” phải sau hoặc bằng “Từ ngày”."))
        return data
