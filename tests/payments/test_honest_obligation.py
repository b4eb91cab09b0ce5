"""Issue 20 finding 1: a dossier leaves the financial-obligation pause only when the
payments app records the obligation as paid, or a finance officer waives it with a
reason (audited). Nobody can self-certify a payment: not the citizen on the portal,
not an officer on the dossier page, not a client through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.core.models import AuditEntry
from motcua.dossiers.constants import DossierStatus
from motcua.payments import services
from motcua.payments.constants import RequestStatus
from motcua.payments.errors import NotAllowed, PaymentError

from .conftest import ipn_params, send_ipn, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def obligation(personas, staff, in_process):
    req = services.payment_request_for_obligation(
        dossier=in_process,
        actor=staff.specialist_x,
        lines=[services.ObligationLine(name="Lệ phí trước bạ", amount=500000)],
        description="Nộp lệ phí trước bạ theo thông báo của cơ quan thuế",
    )
    in_process.refresh_from_db()
    assert in_process.status == DossierStatus.PAYMENT_REQUESTED
    return req


def _status(req) -> str:
    req.dossier.refresh_from_db()
    return req.dossier.status


def _try_to_fulfil(c, d, page_url: str, page_data: dict) -> None:
    assert c.post(page_url, page_data).status_code == 404
    r = c.post(
        f"/api/v1/dossiers/{d.pk}/actions/payment_fulfilled",
        {"expected_version": d.version},
        content_type="application/json",
    )
    assert r.status_code == 404


def test_citizen_cannot_mark_the_obligation_fulfilled(personas, obligation, client_for):
    d = obligation.dossier
    c = client_for(personas.citizen_a)
    page = c.get(reverse("my_dossiers:detail", args=[d.pk])).content.decode()
    assert "/thao-tac/payment_fulfilled/" not in page
    url = reverse("my_dossiers:act", args=[d.pk, "payment_fulfilled"])
    _try_to_fulfil(c, d, url, {"expected_version": d.version})
    assert _status(obligation) == DossierStatus.PAYMENT_REQUESTED


def test_officers_cannot_mark_it_fulfilled_either(personas, staff, obligation, client_for):
    d = obligation.dossier
    url = reverse("dossiers:act", args=[d.pk, "payment_fulfilled"])
    for officer in (staff.specialist_x, personas.receptionist_x):
        c = client_for(officer)
        _try_to_fulfil(c, d, url, {"payment_fulfilled-expected_version": d.version})
    assert _status(obligation) == DossierStatus.PAYMENT_REQUESTED


def test_the_service_checks_the_payments_records(personas, obligation):
    from motcua.dossiers.errors import DossierError
    from motcua.dossiers.services import dossier_payment_fulfilled

    d = obligation.dossier
    with pytest.raises(DossierError):
        dossier_payment_fulfilled(dossier=d, actor=personas.citizen_a, expected_version=d.version)
    assert _status(obligation) == DossierStatus.PAYMENT_REQUESTED


def test_paying_resumes_the_dossier(personas, obligation):
    send_ipn(ipn_params(start(obligation, personas.citizen_a)))
    assert _status(obligation) == DossierStatus.IN_PROCESS


def test_finance_officer_waives_with_a_reason(personas, staff, obligation, client_for):
    url = reverse("payments:waive", args=[obligation.pk])
    assert client_for(personas.receptionist_x).post(url, {"reason": "x"}).status_code == 400
    assert client_for(staff.clerk_x).post(url, {"reason": ""}).status_code == 400
    assert _status(obligation) == DossierStatus.PAYMENT_REQUESTED
    r = client_for(staff.clerk_x).post(url, {"reason": "Miễn theo Quyết định 12/QĐ-CT"})
    assert r.status_code == 302
    obligation.refresh_from_db()
    assert obligation.status == RequestStatus.WAIVED
    assert _status(obligation) == DossierStatus.IN_PROCESS
    entry = AuditEntry.objects.get(action="payments.request_waive")
    assert entry.actor == staff.clerk_x and "12/QĐ-CT" in entry.after["reason"]
    with pytest.raises(PaymentError):  # a waived request cannot be paid any more
        start(obligation, personas.citizen_a)
    with pytest.raises(PaymentError):  # nor waived twice
        services.payment_request_waive(request=obligation, actor=staff.clerk_x, reason="x")


def test_only_finance_may_waive(personas, staff, obligation):
    with pytest.raises(NotAllowed):
        services.payment_request_waive(request=obligation, actor=staff.specialist_x, reason="x")
    assert _status(obligation) == DossierStatus.PAYMENT_REQUESTED
