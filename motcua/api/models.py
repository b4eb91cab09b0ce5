"""API clients (machine-to-machine callers) authenticated by a bearer token."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "mc_"


def hash_token(token: str) -> str:
    """SHA-256 of the token. Tokens are 256-bit random values, so a fast hash is
    enough (no dictionary to attack) and lets lookup use a unique index."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiClient(models.Model):
    """A system calling the API (e.g. the national public-service portal connector).
    Only the token's hash is stored; the token is shown once at creation."""

    name = models.CharField(_("tên ứng dụng"), max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("gợi ý khóa"), max_length=12, editable=False)
    scopes = models.JSONField(_("phạm vi"), default=list, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    # Empty: the client is not bound to units (province-wide). Otherwise it sees only
    # data of these units and their descendants (motcua.api.services.client_units).
    units = models.ManyToManyField(
        "org.OrgUnit", blank=True, related_name="+", verbose_name=_("đơn vị được truy cập")
    )
    rate_limit = models.PositiveIntegerField(
        _("giới hạn số lần gọi mỗi chu kỳ"),
        null=True,
        blank=True,
        help_text=_("Để trống: dùng giới hạn chung của hệ thống."),
    )
    # The officer account on whose behalf the client changes dossier status: its staff
    # assignments (roles in units) decide which transitions are permitted, exactly as
    # for a person. Empty: the client cannot write.
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tài khoản nghiệp vụ"),
        help_text=_(
            "Tài khoản cán bộ mà ứng dụng thay mặt khi cập nhật trạng thái hồ sơ; "
            "vai trò của tài khoản này tại các đơn vị quyết định thao tác được phép."
        ),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("ứng dụng gọi API")
        verbose_name_plural = _("ứng dụng gọi API")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # Lets ninja/Django code treat request.auth uniformly with users.
    is_authenticated = True

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotencyRecord(models.Model):
    """The answer to a create sent with an `Idempotency-Key` header, kept per caller
    (API client or user): the same key and body gets the same answer again (never a
    second dossier); the same key with another body is refused."""

    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khóa chống gửi trùng")
        verbose_name_plural = _("khóa chống gửi trùng")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "key"],
                condition=models.Q(client__isnull=False),
                name="api_idem_client_key",
            ),
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=models.Q(user__isnull=False),
                name="api_idem_user_key",
            ),
        ]

    def __str__(self) -> str:
        return self.key


class ClientApplication(models.Model):
    """An online application (dossier draft) an API client opened on a citizen's
    behalf: the client may only continue, attach to and submit its own."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="applications")
    draft = models.OneToOneField(
        "dossiers.DossierDraft", on_delete=models.CASCADE, related_name="api_client_link"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ nháp do ứng dụng tạo")
        verbose_name_plural = _("hồ sơ nháp do ứng dụng tạo")

    def __str__(self) -> str:
        return f"{self.client_id} #{self.draft_id}"
