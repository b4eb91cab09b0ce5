"""The redirect gateway: IPN verification, idempotency, return URL, expiry, retry.
Each case checks the end state and that nothing is counted twice."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.payments import services
from motcua.payments.constants import AttemptStatus, MessageKind, RequestStatus
from motcua.payments.errors import NotAllowed, PaymentError
from motcua.payments.models import PaymentAttempt, ProviderMessage, Receipt, Refund
from motcua.payments.providers.sandbox_gateway import bank, protocol

from .conftest import SECRET, ipn_params, key, send_ipn, start


def _state(req):
    req.refresh_from_db()
    return req.status, req.paid_amount, Receipt.objects.filter(request=req).count()


def test_fee_request_lines_follow_the_catalogue(fee_request):
    lines = {line.code: line for line in fee_request.lines.all()}
    # 3 copies × 10,000 đ with the 50 % online discount; the charge is not exempt.
    assert (lines["LP"].gross, lines["LP"].discount, lines["LP"].amount) == (30000, 15000, 15000)
    assert (lines["PHI"].amount, lines["PHI"].exempt) == (20000, False)
    assert fee_request.amount == 35000
    assert fee_request.status == RequestStatus.UNPAID


def test_exempt_answers_waive_the_line(personas, version):
    from motcua.dossiers import services as ds

    d = ds.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"so_ban": 1, "ho_ngheo": True},
    )
    req = services.payment_request_for_fees(dossier=d, actor=personas.citizen_a)
    phi = req.lines.get(code="PHI")
    assert phi.exempt and phi.amount == 0 and phi.exemption_reason == "Hộ nghèo được miễn"
    assert req.amount == 5000


def test_happy_path_through_the_sandbox_bank(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a)
    assert attempt.status == AttemptStatus.PENDING
    params = dict(p.split("=", 1) for p in attempt.payload.split("?", 1)[1].split("&"))
    from urllib.parse import unquote_plus

    params = {k: unquote_plus(v) for k, v in params.items()}
    assert protocol.verify(params, SECRET)
    assert params["vnp_Amount"] == "3500000"
    result = bank.pay(params, "success")
    assert result.ipn_answer == ("00", "Confirm Success")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED and attempt.provider_txn_id
    assert _state(fee_request) == (RequestStatus.PAID, 35000, 1)
    fee_request.refresh_from_db()
    assert fee_request.online_flag == 2  # DuocThanhToanTrucTuyen: provincial gateway
    kinds = list(attempt.messages.values_list("kind", flat=True))
    assert kinds == [MessageKind.REDIRECT, MessageKind.IPN]


def test_signature_forgery_is_refused(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a)
    forged = ipn_params(attempt, secret="attacker-guess")
    assert send_ipn(forged) == protocol.RSP_BAD_SIGNATURE
    # A valid signature on other values, then one value changed afterwards.
    tampered = {**ipn_params(attempt), "vnp_TxnRef": attempt.txn_ref, "vnp_ResponseCode": "00"}
    tampered["vnp_Amount"] = "100"
    assert send_ipn(tampered) == protocol.RSP_BAD_SIGNATURE
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PENDING
    assert _state(fee_request) == (RequestStatus.PENDING, 0, 0)
    stored = ProviderMessage.objects.filter(kind=MessageKind.IPN)
    assert stored.count() == 2 and not stored.filter(signature_ok=True).exists()


def test_amount_mismatch_is_refused(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a)
    assert send_ipn(ipn_params(attempt, amount=3500)) == protocol.RSP_BAD_AMOUNT
    assert send_ipn(ipn_params(attempt, currency="USD")) == protocol.RSP_BAD_AMOUNT
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PENDING
    assert _state(fee_request)[1:] == (0, 0)


def test_unknown_order_and_merchant(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a)
    other = protocol.signed({**ipn_params(attempt), "vnp_TxnRef": "MCNOTEXIST00"}, SECRET)
    assert send_ipn(other) == protocol.RSP_NOT_FOUND
    merchant = protocol.signed({**ipn_params(attempt), "vnp_TmnCode": "OTHER"}, SECRET)
    assert send_ipn(merchant) == protocol.RSP_NOT_FOUND


def test_replayed_ipn_changes_nothing(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a)
    params = ipn_params(attempt)
    assert send_ipn(params) == protocol.RSP_OK
    assert send_ipn(params) == protocol.RSP_ALREADY
    # A later, validly signed "failed" message for the same order is also refused.
    assert send_ipn(ipn_params(attempt, code="51", txn_no="999")) == protocol.RSP_ALREADY
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED
    assert _state(fee_request) == (RequestStatus.PAID, 35000, 1)
    assert attempt.messages.filter(kind=MessageKind.IPN).count() == 3  # all kept verbatim


def test_ipn_endpoint_over_http_is_csrf_exempt_and_answers_json(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a)
    client = Client(enforce_csrf_checks=True)
    url = reverse("pay:gateway_ipn")
    bad = client.get(url + "?" + urlencode(ipn_params(attempt, secret="x")))
    assert bad.json() == {"RspCode": "97", "Message": "Invalid signature"}
    ok = client.post(url, ipn_params(attempt))
    assert ok.status_code == 200
    assert ok.json() == {"RspCode": "00", "Message": "Confirm Success"}
    again = client.get(url + "?" + urlencode(ipn_params(attempt)))
    assert again.json()["RspCode"] == "02"
    assert _state(fee_request) == (RequestStatus.PAID, 35000, 1)


def test_ipn_before_return(personas, fee_request, client_for):
    attempt = start(fee_request, personas.citizen_a)
    params = ipn_params(attempt)
    send_ipn(params)
    c = client_for(personas.citizen_a)
    response = c.get(reverse("pay:gateway_return") + "?" + urlencode(params), follow=True)
    assert response.status_code == 200
    assert 'data-status="succeeded"' in response.content.decode()
    assert _state(fee_request) == (RequestStatus.PAID, 35000, 1)


def test_return_without_ipn_does_not_trust_the_query(personas, fee_request, client_for):
    attempt = start(fee_request, personas.citizen_a)
    c = client_for(personas.citizen_a)
    # Correctly signed "success" but the bank never booked it (no IPN, no ledger entry).
    params = ipn_params(attempt)
    response = c.get(reverse("pay:gateway_return") + "?" + urlencode(params), follow=True)
    assert 'data-status="pending"' in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PENDING
    assert _state(fee_request)[1:] == (0, 0)
    # Forged return: refused outright.
    forged = {**params, protocol.HASH_FIELD: "0" * 128}
    assert c.get(reverse("pay:gateway_return") + "?" + urlencode(forged)).status_code == 400


def test_return_without_ipn_settles_from_the_gateway_query(personas, fee_request, client_for):
    """The IPN was lost but the bank did charge: the return page asks the gateway
    (server to server) and records the payment once."""
    from motcua.payments.models import SandboxLedgerEntry

    attempt = start(fee_request, personas.citizen_a)
    SandboxLedgerEntry.objects.create(
        txn_ref=attempt.txn_ref,
        transaction_no="777",
        amount=35000,
        response_code="00",
        paid_at=timezone.now(),
    )
    c = client_for(personas.citizen_a)
    params = ipn_params(attempt, txn_no="777")
    c.get(reverse("pay:gateway_return") + "?" + urlencode(params))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED and attempt.provider_txn_id == "777"
    # The late IPN arrives afterwards: acknowledged, nothing added.
    assert send_ipn(params) == protocol.RSP_ALREADY
    assert _state(fee_request) == (RequestStatus.PAID, 35000, 1)


def test_double_click_creates_one_pending_transaction(personas, fee_request, client_for):
    c = client_for(personas.citizen_a)
    url = reverse("pay:request", args=[fee_request.pk])
    idem = key()
    first = c.post(url, {"provider": "sandbox_gateway", "idempotency_key": idem})
    second = c.post(url, {"provider": "sandbox_gateway", "idempotency_key": idem})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert first["Location"].startswith(reverse("pay:sandbox_bank"))
    # A second tab (new key) while the first is pending reuses the same transaction.
    third = c.post(url, {"provider": "sandbox_gateway", "idempotency_key": key()})
    assert third["Location"] == first["Location"]
    assert PaymentAttempt.objects.filter(request=fee_request).count() == 1


def test_expiry_then_retry_then_late_success_is_not_double_counted(
    personas, fee_request, client_for
):
    first = start(fee_request, personas.citizen_a)
    PaymentAttempt.objects.filter(pk=first.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    c = client_for(personas.citizen_a)
    poll = c.get(reverse("pay:attempt_status", args=[first.pk]))
    assert poll.status_code == 286  # htmx: stop polling
    first.refresh_from_db()
    assert first.status == AttemptStatus.EXPIRED
    fee_request.refresh_from_db()
    assert fee_request.status == RequestStatus.UNPAID
    # Retry: a new attempt, paid.
    second = start(fee_request, personas.citizen_a)
    assert second.pk != first.pk
    assert send_ipn(ipn_params(second, txn_no="201")) == protocol.RSP_OK
    # The bank confirms the expired one late (money did move): recorded as a duplicate
    # and put up for refund, the request is still paid once.
    assert send_ipn(ipn_params(first, txn_no="202")) == protocol.RSP_OK
    first.refresh_from_db()
    assert first.status == AttemptStatus.SUCCEEDED and first.duplicate
    assert Refund.objects.filter(attempt=first, amount=35000).exists()
    assert _state(fee_request) == (RequestStatus.PAID, 35000, 1)


def test_retry_after_failure(personas, fee_request):
    first = start(fee_request, personas.citizen_a)
    assert send_ipn(ipn_params(first, code="51")) == protocol.RSP_OK
    first.refresh_from_db()
    assert first.status == AttemptStatus.FAILED
    fee_request.refresh_from_db()
    assert fee_request.status == RequestStatus.UNPAID
    second = start(fee_request, personas.citizen_a)
    assert second.pk != first.pk
    send_ipn(ipn_params(second, txn_no="3"))
    assert _state(fee_request) == (RequestStatus.PAID, 35000, 1)
    with pytest.raises(PaymentError):
        start(fee_request, personas.citizen_a)


def test_only_the_applicant_pays(personas, fee_request, client_for):
    url = reverse("pay:request", args=[fee_request.pk])
    assert client_for(personas.citizen_b).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    assert client_for(personas.citizen_a).get(url).status_code == 200
    with pytest.raises(NotAllowed):
        start(fee_request, personas.citizen_b)


def test_sandbox_bank_page_is_off_unless_enabled(personas, fee_request, client_for, settings):
    attempt = start(fee_request, personas.citizen_a)
    c = client_for(personas.citizen_a)
    assert c.get(attempt.payload).status_code == 200
    settings.MOTCUA_PAYGATE_SANDBOX = False
    assert c.get(attempt.payload).status_code == 404


def test_bank_refuses_a_tampered_redirect(personas, fee_request, client_for):
    attempt = start(fee_request, personas.citizen_a)
    c = client_for(personas.citizen_a)
    tampered = attempt.payload.replace("vnp_Amount=3500000", "vnp_Amount=100")
    assert c.get(tampered).status_code == 400


def test_cancel_at_the_bank_then_pay(personas, fee_request):
    from urllib.parse import parse_qsl

    first = start(fee_request, personas.citizen_a)
    params = dict(parse_qsl(first.payload.split("?", 1)[1]))
    result = bank.pay(params, "cancel")
    assert result.ipn_answer == protocol.RSP_OK
    first.refresh_from_db()
    assert first.status == AttemptStatus.CANCELLED
    # Replaying the cancel notice changes nothing.
    assert send_ipn(result.ipn_params) == protocol.RSP_ALREADY
    second = start(fee_request, personas.citizen_a)
    bank.pay(dict(parse_qsl(second.payload.split("?", 1)[1])), "success")
    assert _state(fee_request) == (RequestStatus.PAID, 35000, 1)


def test_provider_messages_are_append_only(personas, fee_request):
    start(fee_request, personas.citizen_a)
    message = ProviderMessage.objects.first()
    message.outcome = "edited"
    with pytest.raises(RuntimeError):
        message.save()
    with pytest.raises(RuntimeError):
        message.delete()
