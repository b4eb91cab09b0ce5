from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.monitoring.levels import validate_config

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _threshold(label: Any, initial: float) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        initial=initial,
        error_messages={
            "required": _("Vui lòng nhập ngưỡng."),
            "invalid": _("Ngưỡng phải là một số."),
            "min_value": _("Ngưỡng phải nằm trong khoảng 0–100."),
            "max_value": _("Ngưỡng phải nằm trong khoảng 0–100."),
        },
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
    )


class LevelConfigForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Hiệu lực từ ngày"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Vui lòng nhập ngày hiệu lực."),
            "invalid": _("Ngày không hợp lệ."),
        },
    )
    excellent = _threshold(_("Xuất sắc từ (điểm)"), 90)
    good = _threshold(_("Tốt từ (điểm)"), 80)
    fair = _threshold(_("Khá từ (điểm)"), 70)
    average = _threshold(_("Trung bình từ (điểm); dưới mức này là Yếu"), 50)
    green = _threshold(_("Mức xanh từ (% điểm tối đa)"), 80)
    yellow = _threshold(_("Mức vàng từ (% điểm tối đa)"), 70)
    orange = _threshold(_("Mức cam từ (% điểm tối đa); dưới mức này là đỏ"), 50)
    overrides = forms.CharField(
        label=_("Ngưỡng màu riêng theo chỉ số/nhóm (JSON, không bắt buộc)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('Ví dụ: {"2.1": {"green": 90, "yellow": 80, "orange": 60}}'),
    )
    legal_basis = forms.CharField(
        label=_("Căn cứ pháp lý / ghi chú"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_overrides(self) -> dict[str, Any]:
        raw = (self.cleaned_data.get("overrides") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(_("Ngưỡng riêng không phải JSON hợp lệ.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Ngưỡng riêng phải là một đối tượng JSON."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = ("excellent", "good", "fair", "average", "green", "yellow", "orange")
        if any(data.get(n) is None for n in names) or "overrides" not in data:
            return data
        thresholds = {
            "bands": {n: float(data[n]) for n in ("excellent", "good", "fair", "average")},
            "colours": {n: float(data[n]) for n in ("green", "yellow", "orange")},
            "overrides": data["overrides"],
        }
        errors = validate_config(thresholds)
        if errors:
            raise forms.ValidationError(errors)
        data["thresholds"] = thresholds
        return data


class ScoringPolicyForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Hiệu lực từ ngày"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Vui lòng nhập ngày hiệu lực."),
            "invalid": _("Ngày không hợp lệ."),
        },
    )
    supplement_rule = forms.ChoiceField(
        label=_("Chỉ số 2.1 — hồ sơ có yêu cầu bổ sung"),
        choices=[
            ("subtract_766", _("Trừ thời gian bổ sung; bổ sung quá 1 lần tính trễ hạn (QĐ 766)")),
            ("recount_d61", _("Hạn đã tính lại từ đầu sau bổ sung (NĐ 61, Điều 19 khoản 4)")),
        ],
    )
    digitisation_42 = forms.ChoiceField(
        label=_("Chỉ số 4.2 — số hóa hồ sơ"),
        choices=[
            ("proportional", _("Tỷ lệ thuận (như Cổng DVCQG đang tính)")),
            ("threshold_80", _("Đủ điểm khi đạt 80% (tài liệu VPCP)")),
        ],
    )
    payment_35_cap = forms.TypedChoiceField(
        label=_("Chỉ số 3.5 — giới hạn 2 điểm"),
        coerce=lambda v: v == "True",
        choices=[("True", _("Có (tối đa 2 điểm)")), ("False", _("Không giới hạn (2,5 × tỷ lệ)"))],
    )
    online_33 = forms.ChoiceField(
        label=_("Chỉ số 3.3 — hồ sơ trực tuyến"),
        choices=[
            ("plain", _("Hồ sơ trực tuyến / tổng hồ sơ (như Cổng DVCQG)")),
            (
                "qualified_times_sync",
                _("Chỉ tính hồ sơ có kết quả điện tử, nhân tỷ lệ đồng bộ (tài liệu VPCP)"),
            ),
        ],
    )
    satisfaction_54 = forms.ChoiceField(
        label=_("Chỉ số 5.4 — mức độ hài lòng"),
        choices=[
            ("distinct", _("Trừ hồ sơ trễ hạn hoặc không hài lòng, mỗi hồ sơ một lần")),
            ("sum_of_ratios", _("100% − (tỷ lệ trễ hạn + tỷ lệ không hài lòng)")),
        ],
    )
    circular01_internal = forms.TypedChoiceField(
        label=_("Đánh giá nội bộ theo Thông tư 01/2018 (thang 0–2)"),
        coerce=lambda v: v == "True",
        required=False,
        empty_value=None,
        choices=[
            ("False", _("Không dùng (mặc định từ 01/7/2025)")),
            ("True", _("Dùng làm thang đánh giá nội bộ bổ sung")),
        ],
    )
    note = forms.CharField(
        label=_("Căn cứ / ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def options(self) -> dict[str, Any]:
        names = (
            "supplement_rule",
            "digitisation_42",
            "payment_35_cap",
            "online_33",
            "satisfaction_54",
        )
        options = {n: self.cleaned_data[n] for n in names}
        options["circular01_internal"] = bool(self.cleaned_data.get("circular01_internal"))
        return options
