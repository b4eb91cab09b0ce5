"""A stand-in for the National Public Service Portal (DVCQG): stores what it receives,
keyed by (MaHoSo, seq) so a re-delivered message changes nothing, and can be told to
fail or be slow (dev/test/demo only, settings.MOTCUA_SANDBOXES)."""

from __future__ import annotations

from django.db import models


class Mode(models.TextChoices):
    OK = "ok", "Bình thường"
    DOWN = "down", "Ngừng hoạt động (HTTP 503)"
    SLOW = "slow", "Chậm"
    LOSE_ACK = "lose_ack", "Lưu nhưng trả lỗi 503 (mất xác nhận)"


class PortalSwitch(models.Model):
    """Single row (pk=1) of switches."""

    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.OK)
    delay_ms = models.PositiveIntegerField(default=0)
    token = models.CharField(max_length=128, blank=True, default="")  # blank: any token
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.mode

    @classmethod
    def get(cls) -> PortalSwitch:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class ReceivedMessage(models.Model):
    ma_ho_so = models.CharField(max_length=64)
    seq = models.PositiveIntegerField()
    service = models.CharField(max_length=32)
    is_updating = models.BooleanField(default=False)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    deliveries = models.PositiveIntegerField(default=1)  # how many times it arrived

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["ma_ho_so", "seq"], name="sandbox_msg_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.ma_ho_so}#{self.seq}"


class Rejection(models.Model):
    """Invalid messages, kept for the tester to look at."""

    received_at = models.DateTimeField(auto_now_add=True)
    body = models.TextField()
    errors = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.received_at}: {len(self.errors)} errors"


class NationalDossier(models.Model):
    """A dossier a citizen filed on the national portal (the online channel under Decree
    118/2025 Art. 15): the portal acknowledged it (`acknowledged_at`, Art. 17(2)) and
    forwards it to the province — pulled by cursor (`pk`) or pushed to the province's
    webhook — until the province acknowledges receipt (`province_acked_at`)."""

    code = models.CharField(max_length=64, unique=True)  # MaHoSo given by the portal
    procedure_code = models.CharField(max_length=32)  # MaTTHC
    unit_code = models.CharField(max_length=32)  # MaDonVi: the receiving unit chosen
    record = models.JSONField()  # the dossier as delivered (see sandbox_portal/national.py)
    acknowledged_at = models.DateTimeField()
    served = models.PositiveIntegerField(default=0)  # times handed out by a pull
    pushes = models.PositiveIntegerField(default=0)  # push attempts
    last_push_status = models.CharField(max_length=64, blank=True)
    province_acked_at = models.DateTimeField(null=True, blank=True)
    province_ref = models.CharField(max_length=64, blank=True)  # the province's dossier id
    acks = models.PositiveIntegerField(default=0)  # acknowledgements received

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.code
