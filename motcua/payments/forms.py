from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.payments.providers.base import enabled_codes, provider_label


def _online_choices() -> list[tuple[str, str]]:
    from motcua.payments.providers.base import get_provider

    return [
        (code, provider_label(code))
        for code in enabled_codes()
        if get_provider(code).citizen_selectable
    ]


class PayForm(forms.Form):
    provider = forms.ChoiceField(label=_("Hình thức thanh toán"), widget=forms.RadioSelect)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = _online_choices()  # type: ignore[attr-defined]


class CashForm(forms.Form):
    amount = forms.IntegerField(label=_("Số tiền thu (đồng)"), min_value=1)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=200)


class RefundForm(forms.Form):
    amount = forms.IntegerField(label=_("Số tiền hoàn (đồng)"), min_value=1)
    reason = forms.CharField(label=_("Lý do hoàn tiền"), widget=forms.Textarea(attrs={"rows": 2}))
    # The child of a linked application whose share of a combined payment goes back.
    member = forms.IntegerField(label=_("Hồ sơ thành phần"), required=False, min_value=1)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=255)


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Lý do miễn (căn cứ)"), max_length=255)


class ObligationForm(forms.Form):
    name = forms.CharField(label=_("Khoản phải nộp"), max_length=255)
    amount = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1)
    description = forms.CharField(
        label=_("Nội dung yêu cầu gửi người nộp"), widget=forms.Textarea(attrs={"rows": 2})
    )
    pause_clock = forms.BooleanField(
        label=_("Tạm dừng tính thời hạn giải quyết trong thời gian chờ nộp"),
        required=False,
        initial=True,
        help_text=_("Theo quy định chuyên ngành (ví dụ đất đai); trạng thái quốc gia số 6."),
    )
    due_date = forms.DateField(
        label=_("Hạn nộp"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV hoặc XLSX"))

    def clean_file(self):  # type: ignore[no-untyped-def]
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx."))
        if f.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp vượt quá 10 MB."))
        return f


class SettlementForm(UploadForm):
    provider = forms.ChoiceField(label=_("Nhà cung cấp"))
    day = forms.DateField(label=_("Ngày đối soát"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [  # type: ignore[attr-defined]
            (c, provider_label(c)) for c in enabled_codes() if c != "cash"
        ]
        self.fields["file"].required = False
        self.fields["file"].help_text = _(
            "Để trống để lấy tệp đối soát trực tiếp từ nhà cung cấp (nếu có)."
        )
        self.order_fields(["provider", "day", "file"])

    def clean_file(self):  # type: ignore[no-untyped-def]
        if not self.cleaned_data.get("file"):
            return None
        return super().clean_file()


def yesterday() -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=1)
