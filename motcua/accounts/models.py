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
    # Businesses: the legal representative who registered the account.
    representative_name = models.CharField(_("người đại diện"), max_length=200, blank=True)
    representative_position = models.CharField(
        _("chức vụ người đại diện"), max_length=120, blank=True
    )

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


class ThrottleScope(models.TextChoices):
    ACCOUNT = "account", _("Tài khoản / định danh")
    IP = "ip", _("Địa chỉ IP")


class LoginThrottle(models.Model):
    """Failed-login counter for one account (or unknown identifier) or one client IP.

    `key` is "u<user id>" when the identifier names an account (so the four identifiers
    of one account share one counter), otherwise an HMAC of the normalised identifier
    (never the raw text: people sometimes type their password into the wrong field).
    For the IP scope it is the client address. Rules are in accounts/lockout.py.
    """

    scope = models.CharField(_("phạm vi"), max_length=16, choices=ThrottleScope.choices)
    key = models.CharField(_("khóa"), max_length=64)
    failures = models.PositiveIntegerField(_("số lần sai"), default=0)
    window_started_at = models.DateTimeField(_("bắt đầu đếm lúc"), null=True, blank=True)
    locked_until = models.DateTimeField(_("khóa đến"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("giới hạn đăng nhập")
        verbose_name_plural = _("giới hạn đăng nhập")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="unique_login_throttle")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.failures})"


class ExternalAccount(models.Model):
    """Links a subject id at an external identity provider (e.g. VNeID through the
    national portal, law.md §12.3) to a local account."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="external_accounts",
        verbose_name=_("tài khoản"),
    )
    provider = models.CharField(_("nhà cung cấp định danh"), max_length=64)
    subject = models.CharField(_("mã định danh bên ngoài"), max_length=255)
    created_at = models.DateTimeField(_("liên kết lúc"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("đăng nhập gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("liên kết định danh bên ngoài")
        verbose_name_plural = _("liên kết định danh bên ngoài")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="unique_external_subject")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject} → {self.user}"


class AccountActivation(models.Model):
    """A one-time code handing over an account created for a citizen by an officer (at
    the counter): printed on Form 01 and sent by SMS/e-mail, claimed on the portal by
    setting a password. The code is looked up by its keyed hash; its clear text is kept
    only while it is pending (Form 01 is printed, and may be reprinted, after the
    account is created) and wiped when it is used or revoked."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="activations", verbose_name=_("tài khoản")
    )
    code_hash = models.CharField(max_length=64, unique=True)
    code = models.CharField(_("mã"), max_length=16, blank=True)
    issued_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người cấp"),
    )
    created_at = models.DateTimeField(_("cấp lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    used_at = models.DateTimeField(_("dùng lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã kích hoạt tài khoản")
        verbose_name_plural = _("mã kích hoạt tài khoản")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
