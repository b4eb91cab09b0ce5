"""Base models and the append-only, hash-chained audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnly(models.Model):
    """Rows are inserted, never changed or deleted by the application (the database
    triggers of core migrations 0002/0005 enforce it below the ORM)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{type(self).__name__} rows are append-only")


class AuditChainHead(models.Model):
    """The tip of one audit chain (docs/audit.md, "How the chain works").

    Row 0 is the chain written before the lanes existed (entries without a `chain`);
    rows 1..AUDIT_LANES are the lanes. A transaction appending entries locks one free
    lane row (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE
    transactions serialise writers and use lane 1), so concurrent writers append to
    different lanes instead of queueing on one row, and each lane stays linear.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_position = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"{self.pk}#{self.last_position} {self.last_hash[:12]}"


class AuditEntry(AppendOnly):
    """One append-only audit record. `entry_hash` = SHA-256 over the canonical JSON of
    this entry's fields plus `prev_hash` (the hash of the entry before it in the same
    chain), so editing or deleting any row breaks its chain from that point (see
    motcua.core.audit.verify_chain). `sequence` orders all entries of all chains;
    `chain`/`position` place the entry in its lane (both empty for entries written
    before the lanes: they form chain 0, ordered by `sequence`)."""

    sequence = models.BigIntegerField(_("số thứ tự"), unique=True)
    chain = models.PositiveSmallIntegerField(_("chuỗi"), null=True, blank=True)
    position = models.BigIntegerField(_("vị trí trong chuỗi"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("tên người thực hiện"), max_length=200, blank=True)
    role = models.CharField(_("vai trò"), max_length=40, blank=True)
    unit_code = models.CharField(_("mã đơn vị"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=100, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=300, blank=True)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    # The request (X-Request-ID) or background job ("job:<task id>") that wrote the entry:
    # joins the entry with the JSON log lines of that request or job (docs/audit.md).
    # Nullable (None: written outside both) so that SQLite adds the column in place: a
    # table rebuild would drop the append-only triggers (migration 0002).
    request_id = models.CharField(  # noqa: DJ001
        _("mã yêu cầu"), max_length=80, null=True, blank=True, db_index=True
    )
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("bản ghi nhật ký")
        verbose_name_plural = _("nhật ký hệ thống")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            # Partial: no table rebuild on SQLite (which would drop the triggers), and
            # the index verification walks a lane by.
            models.UniqueConstraint(
                fields=["chain", "position"],
                condition=models.Q(chain__isnull=False),
                name="core_auditentry_chain_position",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_repr}"


class AuditSeal(AppendOnly):
    """The province chain: each seal records the tip of every audit chain at one moment
    and is itself hash-chained to the seal before it. Verification checks that every
    sealed tip is still in its chain; the newest seal (``seal:N:HASH``) is the anchor
    to keep outside the database (docs/audit.md, "Anchors")."""

    number = models.BigIntegerField(_("số niêm phong"), unique=True)
    sealed_at = models.DateTimeField(_("thời điểm"))
    heads = models.JSONField(_("đầu các chuỗi"))
    prev_hash = models.CharField(max_length=64)
    seal_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("niêm phong nhật ký")
        verbose_name_plural = _("niêm phong nhật ký")

    def __str__(self) -> str:
        return f"seal:{self.number}:{self.seal_hash}"


class ScheduledJobRun(models.Model):
    """One enqueued slot of a periodic job (motcua.config.schedules).

    The unique (job, slot) constraint makes enqueueing idempotent: a restarted
    scheduler, or several schedulers running at once, never enqueue the same slot twice.
    """

    job = models.CharField(_("công việc"), max_length=100)
    slot = models.DateTimeField(_("lượt chạy"))
    enqueued_at = models.DateTimeField(_("đưa vào hàng đợi lúc"), auto_now_add=True)
    task_path = models.CharField(_("tác vụ"), max_length=200)
    task_result_id = models.CharField(_("mã kết quả"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("lượt chạy định kỳ")
        verbose_name_plural = _("lượt chạy định kỳ")
        ordering = ["-slot"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="unique_job_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class AuditVerification(models.Model):
    """One run of the audit chain verification (on demand from the audit browser, or
    nightly from the scheduler); the background task fills in the outcome."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    ok = models.BooleanField(_("toàn vẹn"), null=True)
    entry_count = models.BigIntegerField(_("số bản ghi"), default=0)
    broken_sequence = models.BigIntegerField(_("số thứ tự lỗi"), null=True, blank=True)
    broken_entry_id = models.BigIntegerField(_("mã bản ghi lỗi"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    # Tip of the chain as verified; the next run checks it is still there unchanged.
    last_sequence = models.BigIntegerField(_("số thứ tự cuối"), null=True, blank=True)
    last_hash = models.CharField(_("băm cuối"), max_length=64, blank=True)
    # The province seal appended after a successful run (last_hash is then its hash);
    # empty for runs before the lanes, whose last_sequence/last_hash name chain 0's tip.
    seal_number = models.BigIntegerField(_("số niêm phong"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần kiểm tra chuỗi nhật ký")
        verbose_name_plural = _("lần kiểm tra chuỗi nhật ký")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None
