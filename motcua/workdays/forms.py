from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.org.models import OrgUnit
from motcua.workdays.calendar import Duration, DurationUnit
from motcua.workdays.models import OverrideKind


class CalculatorForm(forms.Form):
    start = forms.DateTimeField(
        label=_("Thời điểm tiếp nhận"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    unit_kind = forms.ChoiceField(
        label=_("Loại thời hạn"),
        choices=[
            (DurationUnit.WORKING_DAYS, _("Ngày làm việc")),
            (DurationUnit.WORKING_HOURS, _("Giờ làm việc")),
            (DurationUnit.SAME_DAY, _("Giải quyết trong ngày")),
        ],
        initial=DurationUnit.WORKING_DAYS,
    )
    amount = forms.IntegerField(
        label=_("Thời hạn"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Số ngày hoặc số giờ làm việc; bỏ trống với thủ tục trong ngày."),
    )
    unit = forms.ModelChoiceField(
        label=_("Cơ quan tiếp nhận"),
        queryset=OrgUnit.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("— Lịch chung —"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("unit_kind")
        if kind in (DurationUnit.WORKING_DAYS, DurationUnit.WORKING_HOURS) and (
            data.get("amount") is None
        ):
            self.add_error("amount", _("Cần nhập thời hạn."))
        return data

    def duration(self) -> Duration:
        kind = DurationUnit(self.cleaned_data["unit_kind"])
        if kind == DurationUnit.SAME_DAY:
            return Duration.same_day()
        return Duration(kind, int(self.cleaned_data["amount"]))


class OverrideForm(forms.Form):
    date = forms.DateField(label=_("Ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Loại"), choices=OverrideKind.choices)
    reason = forms.CharField(label=_("Lý do"), max_length=255)
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý"), max_length=255, required=False)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị (để trống: áp dụng chung)"),
        queryset=OrgUnit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("— Áp dụng chung —"),
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp JSON"))
    replace = forms.BooleanField(
        label=_("Thay thế dữ liệu đã có của các năm trong tệp"), required=False
    )


def _time(label: Any, initial: dt.time) -> forms.TimeField:
    return forms.TimeField(
        label=label, initial=initial, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class OfficeHoursForm(forms.Form):
    morning_start = _time(_("Sáng từ"), dt.time(7, 30))
    morning_end = _time(_("Sáng đến"), dt.time(11, 30))
    afternoon_start = _time(_("Chiều từ"), dt.time(13, 0))
    afternoon_end = _time(_("Chiều đến"), dt.time(17, 0))
    same_day_cutoff = _time(_("Giờ chốt thủ tục trong ngày"), dt.time(15, 0))
