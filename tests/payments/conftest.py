"""Fixtures for the payments tests: a published procedure with fee rules (one with an
online discount, one exempted by an answer), a received online dossier of citizen A at
unit X, finance staff of unit X, and helpers that play the sandbox bank."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest

from motcua.catalog.constants import FeeKind
from motcua.catalog.models import FeeRule, ProcedureVersion
from motcua.core.testing import fixtures as fx
from motcua.payments import services
from motcua.payments.providers.sandbox_gateway import protocol

SECRET = "test-paygate-secret"


@pytest.fixture(autouse=True)
def payment_settings(settings, tmp_path):
    fx.use_payment_sandbox(settings, tmp_path, secret=SECRET)
    settings.MOTCUA_VIETQR_WEBHOOK_SECRET = "webhook-secret"
    return settings


@pytest.fixture
def staff(personas) -> fx.Staff:
    return fx.make_staff(personas, "clerk_x", "specialist_x")


@pytest.fixture
def version(personas) -> ProcedureVersion:
    v = fx.make_published_version(personas.unit_x, **fx.COPY_PROCEDURE)
    FeeRule.objects.create(
        version=v, name="Lệ phí cấp bản sao", online_discount_percent=50, **fx.COPY_LEVY
    )
    FeeRule.objects.create(
        version=v,
        code="PHI",
        kind=FeeKind.CHARGE,
        name="Phí tra cứu",
        amount=20_000,
        exemption={"field": "ho_ngheo", "equals": True},
        exemption_note="Hộ nghèo được miễn",
    )
    return v


@pytest.fixture
def dossier(personas, version):
    """An online dossier of citizen A, received at unit X (3 copies, not poor)."""
    d = fx.submit_online_dossier(
        version=version,
        applicant=personas.citizen_a,
        unit=personas.unit_x,
        form_answers={"so_ban": 3, "ho_ngheo": False},
        file_names=False,
    )
    return fx.receive_dossier(d, receptionist=personas.receptionist_x)


@pytest.fixture
def in_process(personas, staff, dossier):
    return fx.assign_dossier(dossier, leader=personas.leader_x, assignee=staff.specialist_x)


@pytest.fixture
def fee_request(personas, dossier):
    return services.payment_request_for_fees(dossier=dossier, actor=personas.citizen_a)


def key() -> str:
    return uuid.uuid4().hex


def start(req, user, provider="sandbox_gateway", idem=None):
    return services.attempt_start(
        request=req,
        provider_code=provider,
        actor=user,
        idempotency_key=idem or key(),
        return_url="http://testserver/thanh-toan/cong/ket-qua/",
        client_ip="127.0.0.1",
    )


def ipn_params(
    attempt, *, code="00", amount=None, txn_no="14000001", currency="VND", secret=SECRET
):
    params = {
        "vnp_Amount": str((attempt.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_CurrCode": currency,
        "vnp_OrderInfo": "Thanh toan",
        "vnp_PayDate": "20261127100000",
        "vnp_ResponseCode": code,
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TransactionNo": txn_no,
        "vnp_TransactionStatus": code if code == "00" else "02",
        "vnp_TxnRef": attempt.txn_ref,
    }
    return protocol.signed(params, secret)


def send_ipn(params):
    return services.gateway_ipn(params=params, raw=urlencode(params))
