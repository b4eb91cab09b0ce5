"""Forms of the feedback module (labels in Vietnamese, the source language)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.feedback.constants import (
    CitizenVerdict,
    Criterion,
    FeedbackChannel,
    FeedbackKind,
    RatingLevel,
    RatingStage,
)
from motcua.org.models import OrgUnit
from motcua.org.selectors import unit_valid_on

STAFF_CHANNELS = [
    (c.value, c.label)
    for c in (FeedbackChannel.COUNTER, FeedbackChannel.HOTLINE, FeedbackChannel.LETTER)
]


def _valid_units() -> Any:
    return OrgUnit.objects.filter(unit_valid_on(timezone.localdate())).order_by("path")


class _FeedbackFields(forms.Form):
    kind = forms.ChoiceField(
        label=_("Nội dung phản ánh thuộc loại"),
        choices=FeedbackKind.choices,
        widget=forms.RadioSelect,
    )
    unit = forms.ModelChoiceField(
        label=_("Cơ quan liên quan (nếu biết)"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("— Không rõ, để Bộ phận tiếp nhận chuyển —"),
    )
    title = forms.CharField(label=_("Tiêu đề"), max_length=255)
    content = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _valid_units()  # type: ignore[attr-defined]


class PortalFeedbackForm(_FeedbackFields):
    dossier = forms.ChoiceField(label=_("Hồ sơ liên quan (nếu có)"), required=False)
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ liên quan (nếu có)"), required=False, max_length=64
    )
    # Like public tracking: a dossier is named only with its second factor, so the form
    # neither tells which codes exist nor lets anyone attach complaints to any dossier.
    dossier_factor = forms.RegexField(
        label=_("4 số cuối số định danh (hoặc số điện thoại, mã số thuế) của người nộp hồ sơ"),
        regex=r"^[0-9]{4}$",
        required=False,
        max_length=4,
        error_messages={"invalid": _("Vui lòng nhập đúng 4 chữ số.")},
        help_text=_("Bắt buộc khi nhập mã hồ sơ."),
    )
    sender_name = forms.CharField(
        label=_("Họ và tên (không bắt buộc)"), required=False, max_length=200
    )
    sender_phone = forms.CharField(
        label=_("Số điện thoại liên hệ (không bắt buộc)"), required=False, max_length=20
    )
    sender_email = forms.EmailField(label=_("Thư điện tử (không bắt buộc)"), required=False)
    # Honeypot: invisible to people (visually hidden, skipped by keyboard), bots fill it.
    website = forms.CharField(
        label=_("Để trống ô này"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, dossiers: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logged_in = dossiers is not None
        if self.logged_in:
            choices: list[tuple[str, Any]] = [("", _("— Không gắn với hồ sơ —"))]
            choices += [
                (str(d.pk), f"{d.code or d.pk} — {d.procedure_version.name}")
                for d in dossiers or []
            ]
            self.fields["dossier"].choices = choices  # type: ignore[attr-defined]
            for name in (
                "dossier_code",
                "dossier_factor",
                "sender_name",
                "sender_phone",
                "sender_email",
            ):
                del self.fields[name]
        else:
            del self.fields["dossier"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("dossier_code", "").strip() and not data.get("dossier_factor"):
            self.add_error("dossier_factor", _("Vui lòng nhập 4 số cuối để gắn với hồ sơ."))
        return data


class StaffFeedbackForm(_FeedbackFields):
    channel = forms.ChoiceField(label=_("Kênh tiếp nhận"), choices=STAFF_CHANNELS)
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ liên quan (nếu có)"), required=False, max_length=64
    )
    subject_username = forms.CharField(
        label=_("Tên đăng nhập của cán bộ bị phản ánh (nếu có)"), required=False, max_length=150
    )
    sender_name = forms.CharField(
        label=_("Họ và tên người phản ánh"), required=False, max_length=200
    )
    sender_phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=20)
    sender_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    sender_address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=300)

    field_order = ["channel"]


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Mã phản ánh"), max_length=32)
    pin = forms.CharField(
        label=_("Mã bí mật (PIN)"), max_length=12, widget=forms.PasswordInput(render_value=False)
    )


class AcceptForm(forms.Form):
    kind = forms.ChoiceField(label=_("Phân loại"), choices=FeedbackKind.choices)
    subject_username = forms.CharField(
        label=_("Tên đăng nhập của cán bộ bị phản ánh (nếu xác định được)"),
        required=False,
        max_length=150,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}))


class SupplementRequestForm(forms.Form):
    request = forms.CharField(
        label=_("Nội dung đề nghị người gửi bổ sung"), widget=forms.Textarea(attrs={"rows": 3})
    )


class TransferForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Chuyển đến đơn vị"),
        queryset=OrgUnit.objects.none(),
        empty_label=_("— Chọn đơn vị —"),
    )
    reason = forms.CharField(label=_("Lý do chuyển"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _valid_units()  # type: ignore[attr-defined]


class TransferOutForm(forms.Form):
    body = forms.CharField(label=_("Cơ quan nhận (ngoài hệ thống)"), max_length=255)
    reason = forms.CharField(
        label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Nội dung trả lời người gửi"), widget=forms.Textarea(attrs={"rows": 6})
    )
    public_summary = forms.CharField(
        label=_("Tóm tắt nội dung phản ánh để công khai"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Để trống: dùng tiêu đề. Họ tên, số điện thoại, số giấy tờ được tự động che."),
    )
    public_answer = forms.CharField(
        label=_("Trả lời công khai trên Cổng"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Để trống: dùng nội dung trả lời (đã che thông tin cá nhân)."),
    )
    is_public = forms.BooleanField(
        label=_("Đăng công khai trên Cổng"), required=False, initial=True
    )


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Bạn đánh giá trả lời này"),
        choices=CitizenVerdict.choices,
        widget=forms.RadioSelect,
    )


class SupplementForm(forms.Form):
    text = forms.CharField(label=_("Thông tin bổ sung"), widget=forms.Textarea(attrs={"rows": 4}))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Điều bạn chưa hài lòng với trả lời"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Mức độ hài lòng chung"), choices=RatingLevel.choices, widget=forms.RadioSelect
    )
    problem = forms.CharField(
        label=_("Nếu chưa hài lòng: điều gì chưa tốt?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    make_complaint = forms.BooleanField(
        label=_("Gửi nội dung này thành phản ánh để cơ quan có thẩm quyền xem xét"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Criterion.choices:
            self.fields[f"c_{value}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", _("— Không đánh giá —")), *RatingLevel.choices],
            )

    @property
    def criterion_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("c_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("level") == RatingLevel.UNSATISFIED and not (data.get("problem") or "").strip():
            self.add_error("problem", _("Vui lòng cho biết điều bạn chưa hài lòng."))
        return data

    def criteria(self) -> dict[str, str]:
        return {
            name[2:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("c_") and value
        }


class InvitationForm(forms.Form):
    dossier_code = forms.CharField(label=_("Mã hồ sơ"), max_length=64)
    stage = forms.ChoiceField(label=_("Thời điểm đánh giá"), choices=RatingStage.choices)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))
