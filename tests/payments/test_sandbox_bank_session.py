"""Issue 20 finding 6: the sandbox bank confirms an order only in the session of the
citizen who started it; a signed URL alone is not enough."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from django.test import Client

from motcua.payments.constants import AttemptStatus

from .conftest import start

pytestmark = pytest.mark.django_db


def test_only_the_paying_citizen_confirms(personas, fee_request, client_for):
    attempt = start(fee_request, personas.citizen_a)
    params = dict(parse_qsl(attempt.payload.split("?", 1)[1]))
    url = attempt.payload.split("?", 1)[0]
    anonymous = Client()
    assert anonymous.get(attempt.payload).status_code == 302  # to the login page
    assert anonymous.post(url, {**params, "choice": "success"}).status_code == 302
    other = client_for(personas.citizen_b)
    assert other.get(attempt.payload).status_code == 403
    assert other.post(url, {**params, "choice": "success"}).status_code == 403
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PENDING
    payer = client_for(personas.citizen_a)
    assert payer.get(attempt.payload).status_code == 200
    assert payer.post(url, {**params, "choice": "success"}).status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED
