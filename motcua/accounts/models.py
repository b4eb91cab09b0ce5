"""Accounts for citizens (12-digit personal identification number or phone), businesses
(tax code) and staff (username + password + TOTP)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.constants import AccountKind

personal_id_validator = RegexValidator(r"^\d{12}$", _("Số định danh cá nhân gồm đúng 12 chữ số."))
phone_validator = RegexValidator(r"^0\d{9}$", _("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0."))
tax_code_validator = RegexValidator(
    r"^\d{10}(-\d{3})?$", _("Mã số thuế gồm 10 chữ số (hoặc 10 chữ số, dấu gạch và 3 chữ số).")
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        if not username:
            raise ValueError("username is required")
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("kind", AccountKind.STAFF)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """`username` is the login identifier: staff choose one; for citizens it is the
    personal identification number (or phone when they have none), for businesses the
    tax code. Login also accepts the phone number or personal id (see backends)."""

    kind = models.CharField(_("loại tài khoản"), max_length=16, choices=AccountKind.choices)
    username = models.CharField(_("tên đăng nhập"), max_length=150, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    personal_id = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[personal_id_validator],
    )
    phone = models.CharField(
        _("số điện thoại"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[phone_validator],
    )
    tax_code = models.CharField(
        _("mã số thuế"),
        max_length=14,
        unique=True,
        null=True,
        blank=True,
        validators=[tax_code_validator],
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(
        _("quyền trang quản trị Django"),
        default=False,
        help_text=_("Chỉ dành cho quản trị kỹ thuật."),
    )
    date_joined = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    preferred_language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name", "kind"]

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_officer(self) -> bool:
        return self.kind == AccountKind.STAFF

    @property
    def is_citizen(self) -> bool:
        return self.kind in (AccountKind.CITIZEN, AccountKind.BUSINESS)
