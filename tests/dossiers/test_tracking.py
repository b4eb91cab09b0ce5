"""Public tracking look-up (code + last 4 digits of the applicant's ID): a success writes
nothing; failures are counted per client and, after TRACKING_MAX_FAILURES within the
window, every look-up of that client is refused until the window ends."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers.models import TrackingThrottle
from motcua.dossiers.services.drafts import (
    TRACKING_MAX_FAILURES,
    TRACKING_WINDOW,
    TrackingThrottled,
    tracking_lookup,
)
from tests.dossiers.conftest import MONDAY

pytestmark = pytest.mark.django_db


def _factor(personas) -> str:
    return personas.citizen_a.personal_id[-4:]


def test_right_code_and_factor_find_the_dossier_without_writing(personas, received):
    found = tracking_lookup(code=received.code, factor=_factor(personas), client="1.2.3.4")
    assert found == received
    assert not TrackingThrottle.objects.exists()


def test_wrong_factor_reveals_nothing_and_is_counted(personas, received):
    assert tracking_lookup(code=received.code, factor="0000", client="1.2.3.4") is None
    assert tracking_lookup(code="KHONG-CO", factor=_factor(personas), client="1.2.3.4") is None
    assert TrackingThrottle.objects.get().attempts == 2


def test_client_is_blocked_after_too_many_failures_then_freed(personas, received):
    for _ in range(TRACKING_MAX_FAILURES):
        tracking_lookup(code=received.code, factor="0000", client="1.2.3.4", now=MONDAY)
    # Even the right answer is refused now: guessing cannot continue.
    with pytest.raises(TrackingThrottled):
        tracking_lookup(code=received.code, factor=_factor(personas), client="1.2.3.4", now=MONDAY)
    # Another client is not affected.
    assert (
        tracking_lookup(code=received.code, factor=_factor(personas), client="5.6.7.8", now=MONDAY)
        == received
    )
    # After the window a new one starts.
    later = MONDAY + TRACKING_WINDOW + dt.timedelta(seconds=1)
    assert (
        tracking_lookup(code=received.code, factor=_factor(personas), client="1.2.3.4", now=later)
        == received
    )
    tracking_lookup(code=received.code, factor="0000", client="1.2.3.4", now=later)
    assert TrackingThrottle.objects.get(attempts__lt=TRACKING_MAX_FAILURES).attempts == 1
