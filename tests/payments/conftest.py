"""Fixtures for the payments tests: a published procedure with fee rules (one with an
online discount, one exempted by an answer), a received online dossier of citizen A at
unit X, finance staff of unit X, and helpers that play the sandbox bank."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from motcua.accounts.models import User
from motcua.catalog.constants import (
    FeeKind,
    ImplementingLevel,
    OnlineMode,
    StepUnitRule,
    TimeUnit,
    VersionStatus,
)
from motcua.catalog.models import (
    Competence,
    Component,
    FeeRule,
    Field,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    ProcessStep,
)
from motcua.core.testing.personas import make_officer
from motcua.org.constants import Role
from motcua.payments import services
from motcua.payments.providers.sandbox_gateway import protocol

SECRET = "test-paygate-secret"


@pytest.fixture(autouse=True)
def payment_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_VIRUS_SCANNER = ""
    settings.MOTCUA_PAYGATE_SECRET = SECRET
    settings.MOTCUA_PAYGATE_TMN_CODE = "MOTCUA01"
    settings.MOTCUA_PAYGATE_SANDBOX = True
    settings.MOTCUA_PAYMENT_PROVIDERS = ["sandbox_gateway", "vietqr", "cash"]
    settings.MOTCUA_VIETQR_WEBHOOK_SECRET = "webhook-secret"
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")  # no signing credential: unsigned receipts
    return settings


@dataclass
class Staff:
    clerk_x: User
    specialist_x: User


@pytest.fixture
def staff(personas) -> Staff:
    return Staff(
        clerk_x=make_officer("vanthu.x", personas.unit_x, Role.CLERK),
        specialist_x=make_officer("chuyenvien.x", personas.unit_x, Role.SPECIALIST),
    )


@pytest.fixture
def version(personas) -> ProcedureVersion:
    field = Field.objects.create(code="G01-TP", name="Tư pháp")
    procedure = Procedure.objects.create(
        code="2.000635", name="Cấp bản sao trích lục", field=field, level=ImplementingLevel.PROVINCE
    )
    v = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=VersionStatus.PUBLISHED,
        name="Cấp bản sao trích lục hộ tịch",
        online_mode=OnlineMode.FULL,
        processing_time_value=Decimal(5),
        processing_time_unit=TimeUnit.WORKING_DAYS,
        effective_from=dt.date(2020, 1, 1),
    )
    ProcedureCase.objects.create(version=v, code="TH1", name="Thông thường", is_default=True)
    Component.objects.create(version=v, code="TK", name="Tờ khai", order=1)
    FeeRule.objects.create(
        version=v,
        code="LP",
        kind=FeeKind.LEVY,
        name="Lệ phí cấp bản sao",
        amount=10_000,
        basis="per_copy",
        quantity_field="so_ban",
        online_discount_percent=50,
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
    for order, name, role, rule in [
        (1, "Tiếp nhận", Role.RECEPTIONIST, StepUnitRule.RECEIVING),
        (2, "Thẩm định", Role.SPECIALIST, StepUnitRule.COMPETENT),
        (3, "Phê duyệt", Role.LEADER, StepUnitRule.COMPETENT),
    ]:
        ProcessStep.objects.create(
            version=v,
            order=order,
            name=name,
            role=role,
            duration_value=Decimal(1),
            duration_unit=TimeUnit.WORKING_DAYS,
            unit_rule=rule,
        )
    Competence.objects.create(
        procedure=procedure, unit=personas.unit_x, valid_from=dt.date(2020, 1, 1)
    )
    return v


@pytest.fixture
def dossier(personas, version):
    """An online dossier of citizen A, received at unit X (3 copies, not poor)."""
    from motcua.dossiers import services as ds

    d = ds.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"so_ban": 3, "ho_ngheo": False},
        components=[ds.ComponentInput(component=c) for c in version.components.all()],
    )
    return ds.dossier_receive(dossier=d, actor=personas.receptionist_x, expected_version=d.version)


@pytest.fixture
def in_process(personas, staff, dossier):
    from motcua.dossiers import services as ds

    return ds.dossier_assign(
        dossier=dossier,
        actor=personas.leader_x,
        expected_version=dossier.version,
        assignee=staff.specialist_x,
    )


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
