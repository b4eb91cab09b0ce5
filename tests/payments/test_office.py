"""Counter cash, receipts, refunds, the financial obligation (national status 6) and
reconciliation, through services and the finance officer screens."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.core.models import AuditEntry
from motcua.dossiers.constants import DossierStatus, PauseKind
from motcua.payments import services
from motcua.payments.constants import (
    AttemptStatus,
    MismatchKind,
    RefundStatus,
    RequestStatus,
)
from motcua.payments.errors import NotAllowed, PaymentError
from motcua.payments.models import PaymentAttempt, Receipt, ReconciliationRun
from motcua.payments.providers.base import SettlementLine
from motcua.payments.reconciliation import export_xlsx, reconcile, reconcile_daily

from .conftest import ipn_params, send_ipn, start


def test_receptionist_records_cash_with_a_receipt(personas, fee_request, client_for):
    c = client_for(personas.receptionist_x)
    r = c.post(reverse("payments:cash", args=[fee_request.pk]), {"amount": 35000, "note": ""})
    assert r.status_code == 302
    fee_request.refresh_from_db()
    assert (fee_request.status, fee_request.paid_amount) == (RequestStatus.PAID, 35000)
    assert fee_request.online_flag == 0  # paid in person
    receipt = Receipt.objects.get(request=fee_request)
    assert receipt.number == 1 and receipt.series.symbol.endswith("TAA")
    assert receipt.payer_name == personas.citizen_a.full_name
    # Wrong amount, or a second payment, is refused.
    with pytest.raises(PaymentError):
        services.cash_record(request=fee_request, actor=personas.receptionist_x, amount=35000)
    # An officer of another unit cannot take money for unit X.
    with pytest.raises(NotAllowed):
        services.cash_record(request=fee_request, actor=personas.specialist_y, amount=1)


def test_receipts_are_numbered_per_collecting_unit(personas, version, fee_request):
    from motcua.dossiers import services as ds

    other = ds.dossier_submit_online(
        applicant=personas.citizen_b,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"so_ban": 1},
    )
    req2 = services.payment_request_for_fees(dossier=other, actor=personas.citizen_b)
    services.cash_record(request=fee_request, actor=personas.receptionist_x, amount=35000)
    services.cash_record(request=req2, actor=personas.receptionist_x, amount=req2.amount)
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2]


def test_receipt_pdf_is_attached_and_only_for_its_people(personas, staff, fee_request, client_for):
    attempt = start(fee_request, personas.citizen_a)
    send_ipn(ipn_params(attempt))
    receipt = Receipt.objects.get(request=fee_request)
    url = reverse("pay:receipt", args=[receipt.pk])
    r = client_for(personas.citizen_a).get(url)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    receipt.refresh_from_db()
    assert receipt.file is not None
    link = receipt.file.links.get()
    assert link.dossier_code == fee_request.dossier.code and link.component_code == "BIEN_LAI"
    assert client_for(personas.citizen_b).get(url).status_code == 404
    assert client_for(staff.clerk_x).get(url).status_code == 200
    assert client_for(personas.specialist_y).get(url).status_code == 404
    # Visible on the citizen's dossier payment page.
    page = client_for(personas.citizen_a).get(reverse("pay:dossier", args=[fee_request.dossier_id]))
    assert url in page.content.decode()


def _paid(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a)
    send_ipn(ipn_params(attempt))
    attempt.refresh_from_db()
    return attempt


def test_refund_only_when_the_rules_allow(personas, staff, fee_request):
    attempt = _paid(personas, fee_request)
    with pytest.raises(PaymentError):  # dossier still being processed
        services.refund_request(attempt=attempt, actor=staff.clerk_x, amount=35000, reason="x")
    from motcua.dossiers import services as ds

    d = fee_request.dossier
    d.refresh_from_db()
    # Decree 118/2025 Art. 21: the applicant stops a received dossier.
    ds.dossier_stop_by_applicant(
        dossier=d, actor=personas.citizen_a, expected_version=d.version, reason="Không cần nữa"
    )
    with pytest.raises(NotAllowed):  # not a finance officer of unit X
        services.refund_request(
            attempt=attempt, actor=personas.receptionist_x, amount=1, reason="x"
        )
    with pytest.raises(PaymentError):
        services.refund_request(attempt=attempt, actor=staff.clerk_x, amount=40000, reason="x")
    refund = services.refund_request(
        attempt=attempt, actor=staff.clerk_x, amount=20000, reason="Rút hồ sơ"
    )
    with pytest.raises(NotAllowed):  # the clerk proposes, the leader approves
        services.refund_complete(refund=refund, actor=staff.clerk_x)
    services.refund_complete(refund=refund, actor=personas.leader_x)
    with pytest.raises(PaymentError):  # not twice
        services.refund_complete(refund=refund, actor=personas.leader_x)
    attempt.refresh_from_db()
    fee_request.refresh_from_db()
    assert attempt.status == AttemptStatus.PARTIALLY_REFUNDED and attempt.refunded_amount == 20000
    assert fee_request.status == RequestStatus.PARTIALLY_REFUNDED
    rest = services.refund_request(
        attempt=attempt, actor=staff.clerk_x, amount=15000, reason="Phần còn lại"
    )
    services.refund_complete(refund=rest, actor=personas.leader_x)
    fee_request.refresh_from_db()
    assert (fee_request.status, fee_request.refunded_amount) == (RequestStatus.REFUNDED, 35000)
    assert AuditEntry.objects.filter(action="payments.refund_complete").count() == 2


def test_duplicate_refund_does_not_touch_the_paid_total(personas, fee_request):
    first = _paid(personas, fee_request)
    dup = PaymentAttempt.objects.create(
        request=fee_request,
        provider="sandbox_gateway",
        txn_ref="MCDUPLICATE0",
        idempotency_key="dup",
        amount=35000,
        status=AttemptStatus.PENDING,
    )
    send_ipn(ipn_params(dup, txn_no="55"))
    dup.refresh_from_db()
    refund = dup.refunds.get()
    assert refund.status == RefundStatus.REQUESTED
    services.refund_complete(refund=refund, actor=personas.leader_x)
    fee_request.refresh_from_db()
    assert (fee_request.status, fee_request.paid_amount, fee_request.refunded_amount) == (
        RequestStatus.PAID,
        35000,
        0,
    )
    assert first.pk != dup.pk


def test_financial_obligation_pauses_and_resumes_the_clock(personas, staff, in_process):
    req = services.payment_request_for_obligation(
        dossier=in_process,
        actor=staff.specialist_x,
        lines=[services.ObligationLine(name="Lệ phí trước bạ", amount=500000)],
        description="Nộp lệ phí trước bạ theo thông báo của cơ quan thuế",
    )
    in_process.refresh_from_db()
    assert in_process.status == DossierStatus.PAYMENT_REQUESTED  # national status 6
    pause = in_process.pauses.get(kind=PauseKind.FINANCIAL)
    assert pause.ended_at is None
    attempt = start(req, personas.citizen_a)
    send_ipn(ipn_params(attempt))
    in_process.refresh_from_db()
    pause.refresh_from_db()
    assert in_process.status == DossierStatus.IN_PROCESS
    assert pause.ended_at is not None
    # Only processing officers of the competent unit may ask.
    with pytest.raises(NotAllowed):
        services.payment_request_for_obligation(
            dossier=in_process,
            actor=personas.receptionist_x,
            lines=[services.ObligationLine(name="x", amount=1)],
            description="x",
        )


def test_obligation_screen(personas, staff, in_process, client_for):
    url = reverse("payments:obligation", args=[in_process.pk])
    assert client_for(personas.specialist_y).get(url).status_code == 403
    c = client_for(staff.specialist_x)
    r = c.post(
        url,
        {
            "name": "Tiền sử dụng đất",
            "amount": 1200000,
            "description": "Theo thông báo thuế",
            "pause_clock": "on",
        },
    )
    assert r.status_code == 302
    in_process.refresh_from_db()
    assert in_process.status == DossierStatus.PAYMENT_REQUESTED


def test_reconciliation_lists_every_kind_of_mismatch(
    personas, version, fee_request, client_for, staff
):
    paid = _paid(personas, fee_request)
    from motcua.dossiers import services as ds

    d2 = ds.dossier_submit_online(
        applicant=personas.citizen_b,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"so_ban": 1},
    )
    req2 = services.payment_request_for_fees(dossier=d2, actor=personas.citizen_b)
    other = start(req2, personas.citizen_b)
    send_ipn(ipn_params(other, txn_no="9"))
    d3 = ds.dossier_submit_online(
        applicant=personas.citizen_b,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"so_ban": 1},
    )
    req3 = services.payment_request_for_fees(dossier=d3, actor=personas.citizen_b)
    pending = start(req3, personas.citizen_b)
    today = timezone.localdate()
    run = reconcile(
        provider_code="sandbox_gateway",
        day=today,
        lines=[
            SettlementLine(paid.txn_ref, paid.provider_txn_id, 35000),  # matched
            SettlementLine(pending.txn_ref, "88", 5000),  # paid at the bank, not recorded
            SettlementLine("MCUNKNOWN000", "89", 7000),
        ],
        source="test",
    )
    kinds = sorted(run.items.values_list("kind", flat=True))
    assert kinds == sorted(
        [
            MismatchKind.PAID_NOT_RECORDED,
            MismatchKind.PAID_NOT_RECORDED,
            MismatchKind.RECORDED_NOT_SETTLED,
        ]
    )
    assert run.matched_count == 1
    paid.refresh_from_db()
    assert paid.settled_at is not None
    diff = reconcile(
        provider_code="sandbox_gateway",
        day=today,
        lines=[
            SettlementLine(paid.txn_ref, paid.provider_txn_id, 34000),
            SettlementLine(other.txn_ref, "9", req2.amount),
        ],
    )
    assert list(diff.items.values_list("kind", flat=True)) == [MismatchKind.AMOUNT_DIFFERENCE]
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(run))).active
    values = [row for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert len(values) == 3 and {v[1] for v in values} >= {pending.txn_ref, other.txn_ref}
    r = client_for(staff.clerk_x).get(reverse("payments:run_xlsx", args=[run.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


def test_daily_job_reconciles_against_the_sandbox_settlement(personas, fee_request):
    from motcua.payments.providers.sandbox_gateway import bank

    attempt = start(fee_request, personas.citizen_a)
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(attempt.payload.split("?", 1)[1]))
    bank.pay(params, "success")
    day = timezone.localdate()
    runs = reconcile_daily(day=day)
    assert [(r.provider, r.matched_count, r.mismatch_count) for r in runs] == [
        ("sandbox_gateway", 1, 0)
    ]
    assert reconcile_daily(day=day) == []  # idempotent
    assert ReconciliationRun.objects.count() == 1
    assert reconcile_daily(day=day - dt.timedelta(days=1))[0].line_count == 0


def test_office_screens_and_scoping(personas, staff, fee_request, client_for):
    _paid(personas, fee_request)
    clerk = client_for(staff.clerk_x)
    for name in [
        "payments:list",
        "payments:receipts",
        "payments:refunds",
        "payments:statements",
        "payments:reconciliation",
    ]:
        assert clerk.get(reverse(name)).status_code == 200, name
    detail = clerk.get(reverse("payments:detail", args=[fee_request.pk]))
    assert detail.status_code == 200 and fee_request.reference in detail.content.decode()
    assert client_for(personas.specialist_y).get(
        reverse("payments:detail", args=[fee_request.pk])
    ).status_code in (403, 404)
    assert client_for(personas.citizen_a).get(reverse("payments:list")).status_code == 403
    assert (
        client_for(personas.supervisor)
        .get(reverse("payments:detail", args=[fee_request.pk]))
        .status_code
        == 200
    )
    run = clerk.post(
        reverse("payments:reconciliation"),
        {"provider": "sandbox_gateway", "day": timezone.localdate().isoformat()},
    )
    assert run.status_code == 302


def test_receipt_is_sealed_with_the_unit_credential(personas, fee_request, client_for, settings):
    """With an agency credential for the collecting unit the receipt PDF carries its
    PAdES signature (documents.signing), recorded as a signature of the unit."""
    from motcua.documents import pki
    from motcua.documents.models import SignatureRecord
    from motcua.documents.services import signing_credential_register, stored_file_bytes
    from motcua.documents.signing.engine import existing_signature_count

    pki.ensure_root()
    token = pki.issue_pkcs12(slug="unit-x", common_name="Sở X", organization="UBND tỉnh")
    from cryptography.hazmat.primitives.serialization import Encoding

    signing_credential_register(
        certificate_pem=token.certificate.public_bytes(Encoding.PEM).decode(),
        plugin="pkcs12",
        config={"path": str(token.p12_path)},
        unit=personas.unit_x,
    )
    services.cash_record(request=fee_request, actor=personas.receptionist_x, amount=35000)
    receipt = Receipt.objects.get(request=fee_request)
    r = client_for(personas.citizen_a).get(reverse("pay:receipt", args=[receipt.pk]))
    assert r.status_code == 200
    receipt.refresh_from_db()
    assert receipt.signed
    assert existing_signature_count(stored_file_bytes(receipt.file)) == 1
    assert SignatureRecord.objects.filter(file=receipt.file, role="agency").exists()


def test_dossier_summary_tag_shows_owed_and_paid(personas, fee_request, rf):
    from django.template import Context, Template

    from .conftest import ipn_params as ipn

    request = rf.get("/")
    request.user = personas.citizen_a
    tpl = Template("{% load payments %}{% payment_summary d %}")
    before = tpl.render(Context({"d": fee_request.dossier, "request": request}))
    assert "35.000 đ" in before and reverse("pay:request", args=[fee_request.pk]) in before
    attempt = start(fee_request, personas.citizen_a)
    send_ipn(ipn(attempt))
    after = tpl.render(Context({"d": fee_request.dossier, "request": request}))
    receipt = Receipt.objects.get(request=fee_request)
    assert reverse("pay:receipt", args=[receipt.pk]) in after
    assert "Đã thanh toán" in after
    request.user = personas.receptionist_x
    officer = tpl.render(Context({"d": fee_request.dossier, "request": request}))
    assert reverse("payments:detail", args=[fee_request.pk]) in officer


def test_finance_officer_cancels_an_unpaid_request(personas, staff, fee_request, client_for):
    attempt = start(fee_request, personas.citizen_a)
    url = reverse("payments:cancel", args=[fee_request.pk])
    assert client_for(personas.receptionist_x).post(url, {"reason": "x"}).status_code == 400
    r = client_for(staff.clerk_x).post(url, {"reason": "Thu nhầm khoản phí"})
    assert r.status_code == 302
    fee_request.refresh_from_db()
    attempt.refresh_from_db()
    assert fee_request.status == RequestStatus.CANCELLED
    assert attempt.status == AttemptStatus.CANCELLED
    with pytest.raises(PaymentError):
        start(fee_request, personas.citizen_a)
