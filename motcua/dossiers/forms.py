"""Forms of the dossier pages: one small form per workflow action (all carry the
record version for optimistic locking), worklist filters, counter reception."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User, personal_id_validator, phone_validator
from motcua.catalog.constants import Requirement
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import Channel, DelayReasonKind, DossierStatus, ReturnChannel
from motcua.org.models import OrgUnit

REASON_LABELS: dict[str, Any] = {
    "return_for_completion": _("Giấy tờ cần bổ sung, hoàn thiện và lý do"),
    "request_supplement": _("Giấy tờ cần bổ sung và lý do (một lần, đầy đủ)"),
    "refuse_reception": _("Lý do từ chối tiếp nhận"),
    "refuse_after_appraisal": _("Lý do từ chối giải quyết"),
    "send_back": _("Nội dung cần sửa"),
    "extend_with_apology": _("Lý do chậm trễ"),
    "transfer": _("Lý do chuyển"),
    "withdraw": _("Lý do rút hồ sơ"),
    "stop_by_applicant": _("Lý do dừng giải quyết hồ sơ (theo yêu cầu người nộp)"),
    "request_payment": _("Nghĩa vụ tài chính cần thực hiện"),
    "start_consultation": _("Nội dung lấy ý kiến"),
    "request_correction": _("Sai sót cần đính chính trong kết quả"),
    "decline_correction": _("Lý do kết quả không có sai sót (trả lời người nộp)"),
}


class ActionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, transition: wf.Transition, dossier: Any = None, **kw: Any):
        kw.setdefault("prefix", transition.action)
        super().__init__(*args, **kw)
        self.transition = transition
        self.dossier = dossier
        # The number the form this action issues has in the dossier's rule set (R1).
        rules = dossier.rules if dossier is not None else None
        key = str(transition.form)
        self.form_number = (
            rules.form(key).number if rules is not None and key and rules.has_form(key) else ""
        )
        if transition.reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].label = REASON_LABELS.get(transition.action, _("Lý do"))
        elif transition.action not in {"submit_for_approval", "approve"}:
            del self.fields["reason"]
        else:
            self.fields["reason"].label = _("Ghi chú")

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("expected_version", None)
        if self.transition.action in {"submit_for_approval", "approve"}:
            data["note"] = data.pop("reason", "")
        return data


class AssignForm(ActionForm):
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Chuyên viên xử lý"), queryset=User.objects.none()
    )

    def __init__(self, *args: Any, specialists: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = cast(forms.ModelChoiceField[Any], self.fields["assignee"])
        field.queryset = User.objects.filter(pk__in=[u.pk for u in specialists])


FORM01_LABEL = _("Cấp Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)")
FORM01_HELP = _(
    "Thủ tục trả kết quả ngay khi tiếp nhận: chỉ cấp Mẫu 01 khi người nộp yêu cầu "
    "(trạng thái và kết quả vẫn được ghi vào hệ thống)."
)


def form01_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=FORM01_LABEL, required=False, initial=True, help_text=FORM01_HELP
    )


def immediate(dossier: Any) -> bool:
    version = getattr(dossier, "procedure_version", None)
    return bool(getattr(version, "immediate_result", False))


class ReceiveForm(ActionForm):
    """Form 01 is optional only for immediate-result procedures (law.md R7); for the
    others the field stays hidden and Form 01 is always issued."""

    form01_requested = form01_field()

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if not immediate(self.dossier):
            self.fields["form01_requested"].widget = forms.HiddenInput()
        else:
            self.fields["form01_requested"].initial = False


class TransferForm(ActionForm):
    to_unit = forms.ModelChoiceField(label=_("Chuyển đến cơ quan"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        # Only the other units competent for the procedure (Decree 61/2018 Art. 18(3)).
        from motcua.dossiers.selectors import transfer_targets

        field = cast(forms.ModelChoiceField[Any], self.fields["to_unit"])
        field.queryset = transfer_targets(self.dossier)


class ConsultForm(ActionForm):
    consulted_units = forms.ModelMultipleChoiceField(
        label=_("Cơ quan được lấy ý kiến"),
        queryset=OrgUnit.objects.order_by("code"),
        required=False,
        help_text=_(
            "Cán bộ của các cơ quan này xem được hồ sơ và tệp đính kèm khi đang lấy ý kiến."
        ),
    )
    answer_days = forms.IntegerField(
        label=_("Thời hạn trả lời của mỗi cơ quan (ngày làm việc)"),
        min_value=1,
        max_value=60,
        initial=5,
        help_text=_(
            "Không muộn hơn hạn giải quyết hồ sơ; quá hạn mà cơ quan chưa trả lời thì "
            "người đứng đầu Bộ phận Một cửa được thông báo."
        ),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["consulted_units"] = list(data.pop("consulted_units"))
        return data


class ExtendForm(ActionForm):
    new_due_at = forms.DateTimeField(
        label=_("Ngày hẹn trả mới"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
    reason_kind = forms.ChoiceField(label=_("Loại lý do"), choices=DelayReasonKind.choices)


class IssueForm(ActionForm):
    result_number = forms.CharField(label=_("Số, ký hiệu văn bản kết quả"), max_length=100)
    result_summary = forms.CharField(
        label=_("Trích yếu"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _result_file_field(label: Any) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=_(
            "Để trống: hệ thống tạo văn bản kết quả theo mẫu của thủ tục. "
            "Tệp đã ký số được kiểm tra chữ ký khi tải lên."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


class SubmitForApprovalForm(ActionForm):
    result_file = _result_file_field(_("Dự thảo kết quả (PDF, không bắt buộc)"))


class CorrectResultForm(ActionForm):
    result_file = _result_file_field(_("Kết quả đính chính (PDF, không bắt buộc)"))


class ReturnForm(ActionForm):
    channel = forms.ChoiceField(label=_("Hình thức trả"), choices=ReturnChannel.choices)
    collected_by = forms.CharField(label=_("Người nhận kết quả"), required=False, max_length=200)


class SupplementRequestForm(ActionForm):
    """Form 02 after appraisal (law.md R12b): tick the components of the procedure
    version the dossier was received under, each with its reason; anything else goes
    into "other papers", one per line, and is reported as a possible request for papers
    the law does not require. A second request (Decree 61/2018 rule set) is the
    leader's, with the reason they approve it."""

    other_items = forms.CharField(
        label=_("Giấy tờ khác ngoài danh mục đã công bố (mỗi dòng: tên giấy tờ: lý do)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Chỉ khi thật cần: mỗi mục ngoài danh mục được tự động báo cáo lãnh đạo đơn vị "
            "và thanh tra là có dấu hiệu yêu cầu giấy tờ ngoài quy định."
        ),
    )
    approval_reason = forms.CharField(
        label=_("Lãnh đạo phê duyệt yêu cầu bổ sung lần thứ hai: lý do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        d = self.dossier
        self.fields["reason"].required = False
        self.fields["reason"].label = _("Hướng dẫn chung cho người nộp (không bắt buộc)")
        self.components = list(d.procedure_version.components.all()) if d is not None else []
        for c in self.components:
            self.fields[f"item_{c.pk}"] = forms.BooleanField(label=c.name, required=False)
            self.fields[f"why_{c.pk}"] = forms.CharField(
                label=_("Lý do cần bổ sung: %(name)s") % {"name": c.name},
                required=False,
                max_length=1000,
            )
        if d is None or d.supplement_count < 1:
            del self.fields["approval_reason"]
        # Ticked components and other papers first in the page order.
        order = [
            *(name for c in self.components for name in (f"item_{c.pk}", f"why_{c.pk}")),
            "other_items",
            "reason",
        ]
        if "approval_reason" in self.fields:
            order.append("approval_reason")
        self.order_fields(order)

    def clean(self) -> dict[str, Any]:
        from motcua.dossiers.supplement_items import SupplementItem

        data = super().clean() or {}
        items: list[SupplementItem] = []
        for c in self.components:
            why = (data.get(f"why_{c.pk}") or "").strip()
            if data.get(f"item_{c.pk}"):
                if not why:
                    self.add_error(f"why_{c.pk}", _("Nêu lý do cần bổ sung giấy tờ này."))
                items.append(SupplementItem(reason=why, component_id=c.pk))
        for line in (data.get("other_items") or "").splitlines():
            if not line.strip():
                continue
            name, _sep, why = line.partition(":")
            if not why.strip():
                self.add_error(
                    "other_items", _("Mỗi dòng: tên giấy tờ, dấu hai chấm, rồi lý do cần bổ sung.")
                )
                break
            items.append(SupplementItem(reason=why.strip(), name=name.strip()))
        if not items and not self.errors:
            raise forms.ValidationError(_("Chọn ít nhất một giấy tờ cần bổ sung."))
        data["items"] = items
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {"reason": data.get("reason", ""), "items": data["items"]}
        if "approval_reason" in self.fields:
            kwargs["approval_reason"] = data.get("approval_reason", "")
        return kwargs


FORMS: dict[str, type[ActionForm]] = {
    "request_supplement": SupplementRequestForm,
    "receive": ReceiveForm,
    "assign": AssignForm,
    "transfer": TransferForm,
    "start_consultation": ConsultForm,
    "extend_with_apology": ExtendForm,
    "issue_result": IssueForm,
    "submit_for_approval": SubmitForApprovalForm,
    "correct_result": CorrectResultForm,
    "return_result": ReturnForm,
}


def action_form(
    transition: wf.Transition,
    dossier: Any,
    data: Any = None,
    specialists: Any = (),
    files: Any = None,
) -> ActionForm:
    cls = FORMS.get(transition.action, ActionForm)
    kw: dict[str, Any] = {"transition": transition, "dossier": dossier}
    if cls is AssignForm:
        kw["specialists"] = specialists
    initial = {"expected_version": dossier.version}
    return cls(data, files, initial=initial, **kw)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *DossierStatus.choices]
    )
    procedure = forms.ChoiceField(label=_("Thủ tục"), required=False, choices=[])
    overdue = forms.BooleanField(label=_("Chỉ hồ sơ quá hạn"), required=False)
    q = forms.CharField(label=_("Mã hồ sơ, tên, số định danh"), required=False)
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            ("due", _("Hạn xử lý gần nhất")),
            ("-due", _("Hạn xử lý xa nhất")),
            ("-received", _("Tiếp nhận mới nhất")),
            ("received", _("Tiếp nhận cũ nhất")),
            ("code", _("Mã hồ sơ")),
            ("-created", _("Tạo mới nhất")),
        ],
    )

    def __init__(self, *args: Any, procedures: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["procedure"]).choices = [("", _("Tất cả"))] + [
            (str(p.pk), p.name) for p in procedures
        ]


class CitizenLookupForm(forms.Form):
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân của người nộp"),
        max_length=12,
        validators=[personal_id_validator],
    )


class CitizenRegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"), max_length=12, validators=[personal_id_validator]
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), max_length=10, required=False, validators=[phone_validator]
    )


class CounterForm(forms.Form):
    """Counter reception (Directive 04): the receptionist fills the dossier of a citizen."""

    channel = forms.ChoiceField(
        label=_("Kênh nộp"),
        choices=[
            (Channel.IN_PERSON, Channel.IN_PERSON.label),
            (Channel.POSTAL, Channel.POSTAL.label),
        ],
    )
    representative_name = forms.CharField(
        label=_("Người được ủy quyền nộp (nếu có)"), required=False, max_length=200
    )
    representative_id = forms.CharField(
        label=_("Số giấy tờ tùy thân người được ủy quyền"), required=False, max_length=32
    )
    answers_json = forms.CharField(
        label=_("Nội dung tờ khai (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text=_("Dùng khi thủ tục chưa có biểu mẫu điện tử."),
    )

    def __init__(
        self,
        *args: Any,
        components: Any = (),
        with_json: bool = True,
        applicant: Any = None,
        immediate: bool = False,
        **kw: Any,
    ):
        super().__init__(*args, **kw)
        self.component_fields: list[tuple[Any, str, str]] = []
        # At the counter: which paper documents were handed over (Form 01 lists only
        # those, with the scanned ones), and the address when the account has none.
        self.received_fields: dict[int, str] = {}
        if not with_json:
            del self.fields["answers_json"]
        if applicant is not None and not (applicant.address or "").strip():
            self.fields["applicant_address"] = forms.CharField(
                label=_("Địa chỉ người nộp"),
                required=False,
                max_length=300,
                help_text=_("In trên giấy tiếp nhận (Mẫu 01); tài khoản chưa có địa chỉ."),
            )
        if immediate:  # law.md R7: Form 01 only if the applicant asks
            self.fields["form01_requested"] = form01_field()
            self.fields["form01_requested"].initial = False
        for c in components:
            if applicant is not None:
                self.received_fields[c.pk] = f"received_{c.pk}"
                self.fields[f"received_{c.pk}"] = forms.BooleanField(
                    label=_("Đã nhận giấy tờ này"),
                    required=False,
                    initial=c.requirement == Requirement.REQUIRED,
                )
            fname, dname = f"file_{c.pk}", f"digitized_{c.pk}"
            self.fields[fname] = forms.FileField(
                label=c.name, required=False, help_text=c.get_document_form_display()
            )
            self.fields[dname] = forms.BooleanField(
                label=_("Đã số hóa (scan) bản giấy"), required=False, initial=True
            )
            self.component_fields.append((c, fname, dname))

    def clean_answers_json(self) -> dict[str, Any]:
        import json

        text = (self.cleaned_data.get("answers_json") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("Nội dung tờ khai không phải JSON hợp lệ.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Nội dung tờ khai phải là một đối tượng JSON."))
        return value

    def bound_components(self) -> list[tuple[Any, Any, Any]]:
        return [(c, self[f], self[d]) for c, f, d in self.component_fields]

    def counter_components(self) -> list[tuple[Any, Any, Any, Any]]:
        """At the counter, with the "received" tick of each component."""
        return [
            (
                c,
                self[f],
                self[d],
                self[self.received_fields[c.pk]] if self.received_fields else None,
            )
            for c, f, d in self.component_fields
        ]

    def handed_over(self, component: Any, file_field: str) -> bool:
        """A component is part of the dossier when its paper was ticked as received or
        a scan of it was attached."""
        name = self.received_fields.get(component.pk)
        ticked = name is None or bool(self.cleaned_data.get(name))
        return ticked or bool(self.cleaned_data.get(file_field))


class ConsentCodeForm(forms.Form):
    """The one-time code the citizen reads out at the counter (law.md R4a)."""

    code = forms.CharField(
        label=_("Mã người nộp đọc (6 chữ số)"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(c for c in self.cleaned_data["code"] if c.isdigit())
        if len(code) != 6:
            raise forms.ValidationError(_("Mã gồm 6 chữ số."))
        return code


class ConsentWaiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do không có xác nhận của người nộp"),
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ví dụ: người nộp không mang điện thoại; gửi qua bưu chính."),
    )
