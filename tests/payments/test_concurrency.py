"""Two deliveries of the same IPN at the same moment (gateways retry aggressively):
row locks make exactly one of them count. Runs on PostgreSQL (SQLite serialises
writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from motcua.payments.constants import RequestStatus
from motcua.payments.models import Receipt

from .conftest import ipn_params, send_ipn, start

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
)


def test_simultaneous_ipns_count_once(transactional_db, personas, fee_request):
    attempt = start(fee_request, personas.citizen_a)
    params = ipn_params(attempt)
    barrier = threading.Barrier(4)
    answers: list[tuple[str, str]] = []

    def deliver() -> None:
        try:
            barrier.wait()
            answers.append(send_ipn(params))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(code for code, _ in answers) == ["00", "02", "02", "02"]
    fee_request.refresh_from_db()
    assert (fee_request.status, fee_request.paid_amount) == (RequestStatus.PAID, 35000)
    assert Receipt.objects.filter(request=fee_request).count() == 1
