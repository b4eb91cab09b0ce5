"""Forms of the application wizard. Messages in plain Vietnamese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import personal_id_validator


class CaseForm(forms.Form):
    case = forms.ChoiceField(
        label=_("Trường hợp của bạn"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn trường hợp của bạn.")},
    )

    def __init__(self, *args: Any, cases: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [(str(c.pk), c.name) for c in cases]  # type: ignore[attr-defined]
        if self.initial.get("case") is not None:
            self.initial["case"] = str(self.initial["case"])


class DeclarationForm(forms.Form):
    unit = forms.ChoiceField(
        label=_("Nơi tiếp nhận hồ sơ"),
        error_messages={"required": _("Vui lòng chọn nơi tiếp nhận hồ sơ.")},
    )
    on_behalf = forms.BooleanField(
        label=_("Tôi nộp thay cho người khác (có văn bản ủy quyền)"), required=False
    )
    principal_name = forms.CharField(
        label=_("Họ và tên người được nộp thay"), max_length=200, required=False
    )
    principal_id = forms.CharField(
        label=_("Số định danh cá nhân của người được nộp thay"),
        max_length=12,
        required=False,
        validators=[personal_id_validator],
    )
    declaration = forms.BooleanField(
        label=_(
            "Tôi cam đoan những thông tin đã khai là đúng sự thật và chịu trách nhiệm "
            "trước pháp luật về nội dung đã khai."
        ),
        required=False,
    )

    def __init__(self, *args: Any, points: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(p.pk), p.name) for p in points]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("on_behalf"):
            if not data.get("principal_name"):
                self.add_error("principal_name", _("Vui lòng nhập họ tên người được nộp thay."))
            if not data.get("principal_id"):
                self.add_error(
                    "principal_id", _("Vui lòng nhập số định danh của người được nộp thay.")
                )
        return data
