"""Back-office forms for editing a draft version (no code, no JSON except the
e-form editor and optional conditions)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog import conditions
from motcua.catalog.constants import ImplementingLevel, Subject
from motcua.catalog.models import (
    Component,
    FeeRule,
    Field,
    ProcedureCase,
    ProcedureVersion,
    ProcessStep,
)
from motcua.org.models import OrgUnit


class JSONTextField(forms.CharField):
    """A JSON value typed in a textarea; empty means None."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "mono"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text or not str(text).strip():
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("JSON không hợp lệ (dòng %(line)s): %(msg)s"),
                params={"line": exc.lineno, "msg": exc.msg},
            ) from exc

    def prepare_value(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value or ""
        return json.dumps(value, ensure_ascii=False)


class ConditionField(JSONTextField):
    def validate(self, value: Any) -> None:
        super().validate(value)
        errors = conditions.validate(value)
        if errors:
            raise forms.ValidationError(errors)


class ProcedureCreateForm(forms.Form):
    code = forms.CharField(label=_("Mã thủ tục"), max_length=32)
    name = forms.CharField(label=_("Tên thủ tục"), max_length=500)
    field = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Field.objects.all())
    level = forms.ChoiceField(label=_("Cấp thực hiện"), choices=ImplementingLevel.choices)


class VersionBasicForm(forms.ModelForm):
    subjects = forms.MultipleChoiceField(
        label=_("Đối tượng thực hiện"),
        choices=Subject.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    legal_basis_text = forms.CharField(
        label=_("Căn cứ pháp lý"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi dòng một văn bản: số hiệu | tên văn bản | ngày ban hành (YYYY-MM-DD)."),
    )

    class Meta:
        model = ProcedureVersion
        fields = [
            "name",
            "subjects",
            "online_mode",
            "full_process_eligible",
            "immediate_result",
            "processing_time_value",
            "processing_time_unit",
            "processing_time_note",
            "fee_collection_timing",
            "steps_description",
            "methods_description",
            "requirements",
            "result_name",
            "result_is_paper_equivalent",
            "result_template",
            "announcement_decision",
            "announced_on",
            "national_published_on",
            "certified_copy_service",
            "is_example_data",
            "change_note",
        ]
        widgets = {
            "steps_description": forms.Textarea(attrs={"rows": 4}),
            "methods_description": forms.Textarea(attrs={"rows": 3}),
            "requirements": forms.Textarea(attrs={"rows": 3}),
            "result_template": forms.Textarea(attrs={"rows": 4, "class": "mono"}),
            "announced_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "national_published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.initial["legal_basis_text"] = "\n".join(
                " | ".join(str(doc.get(k, "")) for k in ("number", "title", "date"))
                for doc in self.instance.legal_basis or []
            )

    def clean_legal_basis_text(self) -> list[dict[str, str]]:
        docs = []
        for line in (self.cleaned_data.get("legal_basis_text") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")] + ["", ""]
            docs.append({"number": parts[0], "title": parts[1], "date": parts[2]})
        return docs

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["legal_basis"] = self.cleaned_data["legal_basis_text"]
        return data


class _VersionChildForm(forms.ModelForm):
    def __init__(self, *args: Any, version: ProcedureVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.version = version
        if "case" in self.fields:
            self.fields["case"].queryset = ProcedureCase.objects.filter(version=version)  # type: ignore[attr-defined]
            self.fields["case"].required = False


class ComponentForm(_VersionChildForm):
    condition = ConditionField(
        label=_("Điều kiện (khi yêu cầu là “Theo điều kiện”)"),
        required=False,
        help_text=_('Ví dụ: {"field": "co_giay_chung_sinh", "equals": false}'),
    )
    accepted_types = JSONTextField(
        label=_("Định dạng chấp nhận (danh sách JSON)"),
        required=False,
        help_text=_('Ví dụ: ["application/pdf", "image/jpeg"]'),
    )

    class Meta:
        model = Component
        fields = [
            "code",
            "name",
            "case",
            "document_form",
            "quantity",
            "requirement",
            "condition",
            "template_name",
            "template_url",
            "accepted_types",
            "max_size_mb",
            "warehouse_reusable",
            "national_database",
            "order",
        ]

    def clean_accepted_types(self) -> list[str]:
        value = self.cleaned_data.get("accepted_types") or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(_("Cần một danh sách chuỗi."))
        return value


class FeeRuleForm(_VersionChildForm):
    exemption = ConditionField(label=_("Điều kiện miễn"), required=False)
    tiers = JSONTextField(
        label=_("Bậc giá (JSON)"),
        required=False,
        help_text=_('Ví dụ: [{"from": 3, "amount": 1000}] — từ trang/bản thứ 3 thu 1.000 đ.'),
    )

    class Meta:
        model = FeeRule
        fields = [
            "code",
            "kind",
            "name",
            "case",
            "amount",
            "basis",
            "quantity_field",
            "copies_field",
            "tiers",
            "cap",
            "exemption",
            "exemption_note",
            "online_discount_percent",
            "legal_basis",
        ]

    def clean_tiers(self) -> list[dict[str, int]]:
        value = self.cleaned_data.get("tiers") or []
        try:
            return [{"from": int(t["from"]), "amount": int(t["amount"])} for t in value]
        except (TypeError, KeyError, ValueError) as exc:
            raise forms.ValidationError(_("Mỗi bậc cần “from” và “amount” là số.")) from exc

    def clean_online_discount_percent(self) -> int:
        value = self.cleaned_data["online_discount_percent"]
        if value > 100:
            raise forms.ValidationError(_("Tỷ lệ giảm không quá 100%."))
        return int(value)


class StepForm(_VersionChildForm):
    class Meta:
        model = ProcessStep
        fields = [
            "order",
            "name",
            "case",
            "unit_rule",
            "unit",
            "role",
            "duration_value",
            "duration_unit",
            "parallel_group",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.order_by("path")  # type: ignore[attr-defined]
        self.fields["unit"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit_rule") == "fixed" and not data.get("unit"):
            self.add_error("unit", _("Chọn đơn vị khi bước do đơn vị chỉ định thực hiện."))
        return data


class CaseForm(_VersionChildForm):
    class Meta:
        model = ProcedureCase
        fields = [
            "code",
            "name",
            "is_default",
            "processing_time_value",
            "processing_time_unit",
            "order",
        ]


CHILD_FORMS: dict[str, type[_VersionChildForm]] = {
    "truong-hop": CaseForm,
    "thanh-phan": ComponentForm,
    "phi": FeeRuleForm,
    "buoc": StepForm,
}


class EformEditForm(forms.Form):
    schema = forms.CharField(
        label=_("Lược đồ (JSON Schema)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
    )
    layout = forms.CharField(
        label=_("Bố cục (sections, visible_if, prefill, help, widgets)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )


class AnnouncementForm(forms.ModelForm):
    """Decision 766 1.1/1.2 facts of a version, recordable after it is published."""

    class Meta:
        model = ProcedureVersion
        fields = ["announcement_decision", "announced_on", "national_published_on"]
        widgets = {
            "announced_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "national_published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "announcement_decision": _("Số, ký hiệu quyết định công bố, ví dụ 1234/QĐ-UBND."),
            "national_published_on": _(
                "Ngày thủ tục được công khai trên CSDL quốc gia về TTHC "
                "(chỉ số 1.2: chậm nhất 5 ngày làm việc sau ngày quyết định)."
            ),
        }


class PublishForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Áp dụng từ ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CompetenceForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=OrgUnit.objects.order_by("path"))
    is_competent = forms.BooleanField(
        label=_("Có thẩm quyền giải quyết"), required=False, initial=True
    )
    is_reception_point = forms.BooleanField(
        label=_("Là nơi tiếp nhận"), required=False, initial=True
    )
    valid_from = forms.DateField(
        label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CompetenceEndForm(forms.Form):
    valid_to = forms.DateField(
        label=_("Kết thúc từ ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
