"""The national portal (DVCQG sandbox) is down and the payment gateway's IPN cannot
reach us: the citizen's request still goes through every step, and once the systems
are back the periodic jobs catch up — every message delivered once, in order, and the
payment recorded once (docs/operations/faults.md)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import OperationalError
from django.utils import timezone

from motcua.core.audit import verify_chain
from motcua.dossiers import services as ds
from motcua.dossiers.constants import DossierStatus
from motcua.integrations import delivery, tasks
from motcua.integrations.models import OutboxMessage, OutboxStatus
from motcua.payments import services as pay
from motcua.payments.constants import AttemptStatus, RequestStatus
from motcua.payments.models import Receipt
from motcua.payments.providers.sandbox_gateway import bank
from motcua.sandbox_portal.models import Mode, PortalSwitch, ReceivedMessage


@pytest.fixture
def outage_settings(settings, media):
    settings.MOTCUA_DVCQG_AUTO_SYNC = True  # every transition tries the portal at once
    settings.MOTCUA_VIRUS_SCANNER = ""
    settings.MOTCUA_PAYGATE_SECRET = "test-paygate-secret"
    settings.MOTCUA_PAYGATE_TMN_CODE = "MOTCUA01"
    settings.MOTCUA_PAYGATE_SANDBOX = True
    settings.MOTCUA_PAYMENT_PROVIDERS = ["sandbox_gateway", "cash"]
    return settings


def set_portal(mode: str) -> None:
    switch = PortalSwitch.get()
    switch.mode = mode
    switch.save()


@pytest.mark.parametrize("outage", [Mode.DOWN, Mode.LOSE_ACK])
def test_citizen_request_completes_during_outage_and_integrations_catch_up(
    personas,
    staff,
    version,
    outage_settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
    outage,
):
    set_portal(outage)
    with django_capture_on_commit_callbacks(execute=True):
        d = ds.dossier_submit_online(
            applicant=personas.citizen_a,
            procedure_version=version,
            receiving_unit=personas.unit_x,
            form_answers={"ho_ten_tre": "Nguyễn Văn Bé"},
            components=[ds.ComponentInput(component=c) for c in version.components.all()],
        )
        d = ds.dossier_receive(dossier=d, actor=personas.receptionist_x, expected_version=1)
        d = ds.dossier_assign(
            dossier=d,
            actor=personas.leader_x,
            expected_version=d.version,
            assignee=staff.specialist_x,
        )
        req = pay.payment_request_for_obligation(
            dossier=d,
            actor=staff.specialist_x,
            lines=[pay.ObligationLine(name="Lệ phí trước bạ", amount=500_000)],
            description="Nộp lệ phí trước bạ",
        )
    d.refresh_from_db()
    assert d.status == DossierStatus.PAYMENT_REQUESTED
    if outage == Mode.DOWN:
        assert not ReceivedMessage.objects.exists()
    else:  # stored by the portal, but the acknowledgement was lost
        assert ReceivedMessage.objects.exists()
    # Nothing acknowledged by the portal: everything still waits in the outbox.
    assert OutboxMessage.objects.exclude(status=OutboxStatus.DELIVERED).count() > 0
    assert not OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).exists()

    # The citizen pays; the bank charges the card but its IPN to us fails.
    attempt = pay.attempt_start(
        request=req,
        provider_code="sandbox_gateway",
        actor=personas.citizen_a,
        idempotency_key="k-outage",
        return_url="http://testserver/thanh-toan/cong/ket-qua/",
        client_ip="127.0.0.1",
    )
    params = dict(parse_qsl(urlsplit(attempt.payload).query))

    def ipn_unreachable(**kwargs):
        raise OperationalError("merchant endpoint unavailable")

    with monkeypatch.context() as m:
        m.setattr(pay, "gateway_ipn", ipn_unreachable)
        with pytest.raises(OperationalError):
            bank.pay(params, "success")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PENDING  # we have not heard of it yet

    # Recovery: the portal comes back; the periodic jobs run (the citizen closed the
    # browser and never came back to the return page).
    set_portal(Mode.OK)
    later = timezone.now() + dt.timedelta(days=2)
    assert pay.attempts_expire_stale(now=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_sync(deliver=False)
        delivery.deliver(now=later)
    tasks.run_sync(deliver=False)  # events of the resumed dossier
    delivery.deliver(now=later + dt.timedelta(days=1))

    attempt.refresh_from_db()
    req.refresh_from_db()
    d.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED
    assert (req.status, req.paid_amount) == (RequestStatus.PAID, 500_000)
    assert Receipt.objects.filter(request=req).count() == 1
    assert d.status == DossierStatus.IN_PROCESS  # the clock resumed after payment

    assert not OutboxMessage.objects.exclude(status=OutboxStatus.DELIVERED).exists()
    sent = list(
        OutboxMessage.objects.filter(dossier=d).order_by("seq").values_list("seq", flat=True)
    )
    got = list(ReceivedMessage.objects.filter(ma_ho_so=d.code).values_list("seq", flat=True))
    assert got == sent and len(sent) >= 6  # in order, none lost, no duplicate row
    if outage == Mode.DOWN:
        assert not ReceivedMessage.objects.filter(deliveries__gt=1).exists()
    assert verify_chain().ok
