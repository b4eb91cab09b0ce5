from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.forms import public_code_validator
from motcua.documents.constants import SignerRole
from motcua.org.models import OrgUnit


class WarehouseUploadForm(forms.Form):
    title = forms.CharField(label=_("Tên giấy tờ"), max_length=300)
    doc_type = forms.CharField(label=_("Loại giấy tờ"), max_length=64, required=False)
    issuer = forms.CharField(label=_("Cơ quan cấp"), max_length=300, required=False)
    issued_on = forms.DateField(
        label=_("Ngày cấp"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Hiệu lực đến"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    file = forms.FileField(
        label=_("Tệp (PDF, JPEG, PNG, TIFF)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.tif,.tiff"}),
    )


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã kết quả (in dưới mã QR)"), max_length=40, validators=[public_code_validator]
    )


class CompareForm(forms.Form):
    file = forms.FileField(label=_("Tệp bạn đang có"))


class SignForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Ký với vai trò"),
        choices=[
            (SignerRole.LEADER, SignerRole.LEADER.label),
            (SignerRole.AGENCY, SignerRole.AGENCY.label),
            (SignerRole.RECEPTIONIST, SignerRole.RECEPTIONIST.label),
            (SignerRole.OFFICER, SignerRole.OFFICER.label),
        ],
    )
    unit: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label=_("Đơn vị"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("— Đơn vị của tôi —"),
    )

    def __init__(self, *args, units=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()  # type: ignore[attr-defined]


class TrustAnchorForm(forms.Form):
    name = forms.CharField(label=_("Tên"), max_length=200, required=False)
    certificate = forms.FileField(label=_("Chứng thư gốc (PEM hoặc DER)"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class DigitizeForm(forms.Form):
    """Counter digitization (Decree 61/2018 Art. 17(1)): the officer scans the paper
    the applicant presents and certifies the electronic copy."""

    original_description = forms.CharField(
        label=_("Bản gốc đã xem"),
        max_length=300,
        help_text=_("Ví dụ: Giấy chứng nhận quyền sử dụng đất số AB 123456, bản chính."),
    )
    owner_identifier = forms.CharField(
        label=_("Số định danh cá nhân / mã số thuế của người nộp"), max_length=14, required=False
    )
    dossier_code = forms.CharField(label=_("Mã hồ sơ"), max_length=64, required=False)
    component_code = forms.CharField(label=_("Mã thành phần hồ sơ"), max_length=64, required=False)
    pages = MultipleFileField(
        label=_("Các trang quét (ảnh JPEG/PNG/TIFF hoặc PDF, theo thứ tự)"),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.tif,.tiff"}),
    )
    certify = forms.BooleanField(
        label=_("Ký số chứng thực bản sao điện tử ngay"), required=False, initial=True
    )
