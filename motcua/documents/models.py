"""Stored files, their links to dossiers, signatures applied, issued results (verifiable
by code), signing credentials, the trust store and the citizen e-data warehouse."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.documents.constants import (
    CredentialKind,
    FileKind,
    SignerRole,
    WarehouseSource,
)


class StoredFile(models.Model):
    """One immutable blob. Signing or digitizing produces a new StoredFile that points
    to its `source`; the bytes of a stored file are never rewritten."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("loại tệp"), max_length=16, choices=FileKind.choices)
    storage_name = models.CharField(_("khóa lưu trữ"), max_length=255, unique=True)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    mime_type = models.CharField(_("định dạng"), max_length=100)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ sở hữu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    # The unit holding the file (receiving / issuing unit); officers of that unit may
    # open it through the built-in unit policy (documents.access).
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("đơn vị lưu giữ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lưu lúc"), auto_now_add=True)
    source = models.ForeignKey(
        "self",
        verbose_name=_("tạo từ tệp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
    )
    # Digitization (Decree 61/2018 Art. 17(1); Circular 01/2023): who, when, from what.
    digitized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người số hóa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    digitized_at = models.DateTimeField(_("số hóa lúc"), null=True, blank=True)
    digitized_from = models.CharField(_("số hóa từ bản gốc"), max_length=300, blank=True)
    ocr_applied = models.BooleanField(_("đã nhận dạng chữ (OCR)"), default=False)
    signature_count = models.PositiveSmallIntegerField(_("số chữ ký"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tệp lưu trữ")
        verbose_name_plural = _("tệp lưu trữ")

    def __str__(self) -> str:
        return self.original_name


class FileLink(models.Model):
    """Links a file to a dossier / component. Generic so that the dossiers app (or any
    other) can attach files without this app importing it; `dossier_code` and
    `component_code` keep the link readable and searchable on their own."""

    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64, blank=True, db_index=True)
    component_code = models.CharField(_("mã thành phần"), max_length=64, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    # National flags on the submitted document (TaiLieuNop, law.md §3.2).
    digitized = models.BooleanField(_("được số hóa (DuocSoHoa)"), default=False)
    reuse_flag = models.PositiveSmallIntegerField(_("được tái sử dụng (DuocTaiSuDung)"), default=0)
    from_national_warehouse = models.BooleanField(
        _("lấy từ kho DMQG (DuocLayTuKhoDMQG)"), default=False
    )
    warehouse_item = models.ForeignKey(
        "WarehouseItem", null=True, blank=True, on_delete=models.PROTECT, related_name="reuses"
    )

    class Meta:
        verbose_name = _("liên kết tệp")
        verbose_name_plural = _("liên kết tệp")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.file_id} → {self.dossier_code or self.object_id}"


class SigningCredential(models.Model):
    """A signing key of an officer (personal) or a unit (agency seal). The plugin name
    selects the signer implementation (documents.signing); `config` holds non-secret
    locators (PKCS#12 path, PKCS#11 module/token/key label). Secrets (passphrases,
    PINs) come from settings/environment, never from the database."""

    kind = models.CharField(_("loại"), max_length=16, choices=CredentialKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_credentials",
        verbose_name=_("cán bộ"),
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị"),
    )
    plugin = models.CharField(_("loại thiết bị ký"), max_length=32, default="pkcs12")
    config = models.JSONField(_("cấu hình"), default=dict, blank=True)
    certificate_pem = models.TextField(_("chứng thư số (PEM)"))
    subject = models.CharField(_("chủ thể"), max_length=300)
    serial = models.CharField(_("số hiệu"), max_length=80)
    not_after = models.DateTimeField(_("hết hạn"))
    is_active = models.BooleanField(_("đang dùng"), default=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revocation_reason = models.CharField(_("lý do thu hồi"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư ký số")
        verbose_name_plural = _("chứng thư ký số")

    def __str__(self) -> str:
        return self.subject


class SignatureRecord(models.Model):
    """One signature applied by this system (the PDF itself is the evidence; this row
    makes "who signed what when" queryable)."""

    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="signatures")
    signed_from = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, related_name="+", verbose_name=_("bản trước khi ký")
    )
    role = models.CharField(_("vai trò ký"), max_length=16, choices=SignerRole.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    credential = models.ForeignKey(SigningCredential, on_delete=models.PROTECT, related_name="+")
    field_name = models.CharField(max_length=64)
    level = models.CharField(_("mức PAdES"), max_length=16)
    signed_at = models.DateTimeField(_("ký lúc"), auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("chữ ký đã thực hiện")
        verbose_name_plural = _("chữ ký đã thực hiện")

    def __str__(self) -> str:
        return f"{self.role} {self.field_name}"


class IssuedDocument(models.Model):
    """An issued paper (result, form) verifiable by its code on /xac-minh/<code>/.
    `file` follows the latest signed version; `sha256` is the hash registered when
    that version was recorded, so the public page can show whether storage still
    matches (Decree 45/2020: electronic results have the legal value of paper ones)."""

    code = models.CharField(_("mã kết quả"), max_length=40, unique=True)
    title = models.CharField(_("tên giấy tờ"), max_length=300)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64, blank=True, db_index=True)
    procedure_code = models.CharField(_("mã thủ tục"), max_length=64, blank=True)
    issuer_name = models.CharField(_("cơ quan cấp"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, null=True, related_name="+")
    sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(_("cấp lúc"))
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revocation_reason = models.CharField(_("lý do thu hồi"), max_length=300, blank=True)
    # Decree 61/2018 Art. 21 (correction of results): a corrected or replacement result
    # points to the one it replaces; the old one stays, revoked, on its public page.
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay thế cho"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("giấy tờ đã cấp")
        verbose_name_plural = _("giấy tờ đã cấp")

    def __str__(self) -> str:
        return self.code


class TrustAnchor(models.Model):
    """A root certificate trusted by the validator (national roots are added by
    administrators; the demo root is flagged so the UI can label it)."""

    name = models.CharField(_("tên"), max_length=200)
    certificate_pem = models.TextField(_("chứng thư gốc (PEM)"))
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    is_demo = models.BooleanField(_("chỉ dùng cho bản demo"), default=False)
    is_active = models.BooleanField(_("đang tin cậy"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("kho chứng thư tin cậy")

    def __str__(self) -> str:
        return self.name


class WarehouseItem(models.Model):
    """One document in a citizen's / organisation's e-data warehouse (law.md §3.3)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="warehouse_items"
    )
    source = models.CharField(_("nguồn"), max_length=16, choices=WarehouseSource.choices)
    title = models.CharField(_("tên giấy tờ"), max_length=300)
    doc_type = models.CharField(_("loại giấy tờ"), max_length=64, blank=True)
    issuer = models.CharField(_("cơ quan cấp"), max_length=300, blank=True)
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    result_code = models.CharField(_("mã kết quả"), max_length=40, blank=True)
    dossier_code = models.CharField(_("từ hồ sơ"), max_length=64, blank=True)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(_("còn dùng"), default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu điện tử")

    def __str__(self) -> str:
        return self.title
