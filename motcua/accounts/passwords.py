"""Password validation with Vietnamese messages.

The validators are Django's (settings.AUTH_PASSWORD_VALIDATORS); their messages are
re-worded here by error code, because Django's own Vietnamese catalogue misses some
(plural forms) and we want one consistent wording on every password form.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "password_too_short": _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự."),
    "password_too_common": _("Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác."),
    "password_entirely_numeric": _("Mật khẩu này hoàn toàn là số. Hãy thêm chữ cái hoặc ký hiệu."),
    "password_too_similar": _("Mật khẩu quá giống với %(verbose_name)s."),
}

HELP_TEXT = _(
    "Ít nhất 12 ký tự (nên dùng một cụm từ dễ nhớ), không chỉ gồm chữ số, không quá phổ "
    "biến và không giống họ tên hay số định danh của bạn."
)


def _reword(error: ValidationError) -> ValidationError:
    message = MESSAGES.get(error.code or "")
    if message is None:
        return error
    return ValidationError(message, code=error.code, params=error.params)


def validate_password(password: str, user: Any = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError([_reword(e) for e in exc.error_list]) from exc


class VietnamesePasswordMixin:
    """For Django's SetPasswordForm / PasswordChangeForm."""

    def validate_password_for_user(
        self,
        user: Any,
        password_field_name: str = "password2",  # noqa: S107
    ) -> None:
        password = self.cleaned_data.get(password_field_name)  # type: ignore[attr-defined]
        if password:
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.add_error(password_field_name, error)  # type: ignore[attr-defined]
