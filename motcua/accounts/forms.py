"""Forms for login, registration, second factor and profile (labels in Vietnamese)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from motcua.accounts import selectors
from motcua.accounts.backends import normalise_identifier
from motcua.accounts.models import (
    User,
    personal_id_validator,
    phone_validator,
    tax_code_validator,
)
from motcua.accounts.passwords import HELP_TEXT, VietnamesePasswordMixin, validate_password

DUPLICATE_PHONE = _("Số điện thoại này đã được dùng cho một tài khoản khác.")
# Sign-up never says which identifier already has an account (no account enumeration).
SIGNUP_REFUSED = _(
    "Không đăng ký được với số định danh, mã số thuế hoặc số điện thoại này. Nếu bạn đã có "
    "tài khoản, hãy đăng nhập hoặc dùng chức năng quên mật khẩu."
)


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Số định danh cá nhân, số điện thoại, mã số thuế hoặc tên đăng nhập"),
        max_length=150,
        help_text=_(
            "Công dân: 12 chữ số định danh cá nhân hoặc số điện thoại. "
            "Doanh nghiệp: mã số thuế. Cán bộ: tên đăng nhập."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={
            "required": _(
                "Vui lòng nhập số định danh, số điện thoại, mã số thuế hoặc tên đăng nhập."
            )
        },
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Vui lòng nhập mật khẩu.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_identifier(self) -> str:
        return normalise_identifier(self.cleaned_data["identifier"])


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực"),
        max_length=16,
        help_text=_("6 chữ số trong ứng dụng xác thực, hoặc một mã dự phòng."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("Vui lòng nhập mã xác thực.")},
    )


class EnrolTokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Mã 6 chữ số hiện trong ứng dụng"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": _("Vui lòng nhập mã 6 chữ số."),
            "invalid": _("Mã xác thực gồm 6 chữ số."),
        },
    )


class _PasswordPairMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=HELP_TEXT,
        error_messages={"required": _("Vui lòng nhập mật khẩu.")},
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Vui lòng nhập lại mật khẩu.")},
    )
    declaration = forms.BooleanField(
        label=_(
            "Tôi cam đoan các thông tin đã khai là đúng sự thật và chịu trách nhiệm "
            "trước pháp luật về thông tin đã khai."
        ),
        error_messages={"required": _("Vui lòng đánh dấu ô cam đoan để tiếp tục.")},
    )

    def _user_for_similarity(self) -> User:
        raise NotImplementedError

    def _unique(self, value: str) -> str:
        if value and selectors.identifier_taken(value):
            self._taken = True
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if getattr(self, "_taken", False):
            self.add_error(None, forms.ValidationError(SIGNUP_REFUSED, code="duplicate"))
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        elif p1:
            try:
                validate_password(p1, self._user_for_similarity())
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class CitizenSignupForm(_PasswordPairMixin):
    field_order = [
        "full_name",
        "personal_id",
        "phone",
        "email",
        "password1",
        "password2",
        "declaration",
    ]

    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
    )
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        help_text=_("12 chữ số, in trên thẻ căn cước / căn cước công dân."),
        validators=[personal_id_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
        error_messages={"required": _("Vui lòng nhập số định danh cá nhân.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại.")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử (không bắt buộc)"),
        required=False,
        help_text=_("Dùng để nhận thông báo và lấy lại mật khẩu."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )

    def clean_personal_id(self) -> str:
        return self._unique(normalise_identifier(self.cleaned_data["personal_id"]))

    def clean_phone(self) -> str:
        return self._unique(normalise_identifier(self.cleaned_data["phone"]))

    def _user_for_similarity(self) -> User:
        data = self.cleaned_data
        return User(
            full_name=data.get("full_name", ""),
            username=data.get("personal_id", ""),
            email=data.get("email", ""),
        )


class BusinessSignupForm(_PasswordPairMixin):
    field_order = [
        "company_name",
        "tax_code",
        "representative_name",
        "representative_position",
        "phone",
        "email",
        "password1",
        "password2",
        "declaration",
    ]

    company_name = forms.CharField(
        label=_("Tên tổ chức, doanh nghiệp"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": _("Vui lòng nhập tên doanh nghiệp.")},
    )
    tax_code = forms.CharField(
        label=_("Mã số thuế (mã số doanh nghiệp)"),
        validators=[tax_code_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Vui lòng nhập mã số thuế.")},
    )
    representative_name = forms.CharField(
        label=_("Họ và tên người đại diện theo pháp luật"),
        max_length=200,
        error_messages={"required": _("Vui lòng nhập họ tên người đại diện.")},
    )
    representative_position = forms.CharField(
        label=_("Chức vụ người đại diện"), max_length=120, required=False
    )
    phone = forms.CharField(
        label=_("Số điện thoại liên hệ"),
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại.")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử (không bắt buộc)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )

    def clean_tax_code(self) -> str:
        return self._unique(normalise_identifier(self.cleaned_data["tax_code"]))

    def clean_phone(self) -> str:
        return self._unique(normalise_identifier(self.cleaned_data["phone"]))

    def _user_for_similarity(self) -> User:
        data = self.cleaned_data
        return User(
            full_name=data.get("company_name", ""),
            username=data.get("tax_code", ""),
            email=data.get("email", ""),
        )


class ProfileForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    address = forms.CharField(
        label=_("Địa chỉ liên hệ"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_phone(self) -> str:
        phone = normalise_identifier(self.cleaned_data.get("phone") or "")
        if phone and selectors.identifier_taken(phone, exclude=self.user):
            raise forms.ValidationError(DUPLICATE_PHONE, code="duplicate")
        return phone


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Thư điện tử đã đăng ký"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Vui lòng nhập địa chỉ thư điện tử."),
            "invalid": _("Địa chỉ thư điện tử không hợp lệ."),
        },
    )


class VietnameseSetPasswordForm(VietnamesePasswordMixin, SetPasswordForm):
    """Password reset: choose a new password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password1"].help_text = HELP_TEXT
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")


class VietnamesePasswordChangeForm(VietnamesePasswordMixin, PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password1"].help_text = HELP_TEXT
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")


class ActivationForm(_PasswordPairMixin):
    """Claim an account created at the counter (activation code from Form 01 / SMS)."""

    field_order = ["personal_id", "code", "password1", "password2", "declaration"]

    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        validators=[personal_id_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
        error_messages={"required": _("Vui lòng nhập số định danh cá nhân.")},
    )
    code = forms.CharField(
        label=_("Mã kích hoạt"),
        help_text=_("In trên Giấy tiếp nhận hồ sơ và gửi qua tin nhắn khi tạo tài khoản."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
        error_messages={"required": _("Vui lòng nhập mã kích hoạt.")},
    )

    def _user_for_similarity(self) -> User:
        return User(username=self.cleaned_data.get("personal_id", ""))
