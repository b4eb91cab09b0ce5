"""Issue 20 point 7: the authorization matrix's "write with tampered parameters"
dimension. Every persona posts every dossier action — on the back-office page, the
citizen portal and the API — with fields the caller must never choose (the event time,
the declaration, the result files, the old `params` bag). Whatever the persona may do,
the answer is never a 5xx, the API never accepts the body (422, or a refusal before it),
and nothing the caller chose is stored: no event dated before the request, the
declaration and the result files unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from tests.security import url_rules as R
from tests.security.conftest import client_as

pytestmark = pytest.mark.django_db

PAST = "2019-01-01T00:00:00+07:00"
FORGED_ANSWERS = {"ho_ten": "Người khác", "khoa_la": 1}
FORGED_FILES = [{"ref": "documents:999999", "name": "gia.pdf"}]
TAMPERED = {
    "now": PAST,
    "form_answers": FORGED_ANSWERS,
    "result_files": FORGED_FILES,
    "params": {"now": PAST, "form_answers": FORGED_ANSWERS},
}
ACTIONS = [*sorted(services.SERVICES), "payment_fulfilled"]


def _snapshot(pk: int) -> tuple:
    d = Dossier.objects.get(pk=pk)
    return d.form_answers, d.result_files


def _check_nothing_forged(world, before: tuple, started) -> None:
    d = world.dossier
    assert _snapshot(d.pk) == before
    assert (
        not DossierEvent.objects.filter(dossier=d, at__lt=started)
        .exclude(pk__in=world.extra["events_before"])
        .exists()
    )


@pytest.fixture
def tamper_world(world):
    world.extra["events_before"] = list(
        DossierEvent.objects.filter(dossier=world.dossier).values_list("pk", flat=True)
    )
    return world


@pytest.mark.parametrize("persona", R.PERSONAS)
def test_api_actions_refuse_tampered_bodies(tamper_world, persona):
    world = tamper_world
    client = client_as(world, persona)
    before, started = _snapshot(world.dossier.pk), timezone.now()
    for action in ACTIONS:
        d = Dossier.objects.get(pk=world.dossier.pk)
        body = {"expected_version": d.version, "reason": "Thử", **TAMPERED}
        r = client.post(
            f"/api/v1/dossiers/{d.pk}/actions/{action}", body, content_type="application/json"
        )
        assert r.status_code in (401, 403, 404, 422), (persona, action, r.status_code)
        assert Dossier.objects.get(pk=d.pk).version == d.version, (persona, action)
    _check_nothing_forged(world, before, started)


def test_api_token_actions_refuse_tampered_bodies(tamper_world):
    from django.test import Client

    world = tamper_world
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.api_token_full}")
    before, started = _snapshot(world.dossier.pk), timezone.now()
    for action in ACTIONS:
        d = Dossier.objects.get(pk=world.dossier.pk)
        body = {"expected_version": d.version, **TAMPERED}
        r = client.post(
            f"/api/v1/dossiers/{d.pk}/actions/{action}", body, content_type="application/json"
        )
        assert r.status_code in (403, 404, 422), (action, r.status_code)
    _check_nothing_forged(world, before, started)


@pytest.mark.parametrize("persona", R.PERSONAS)
def test_page_actions_ignore_tampered_fields(tamper_world, persona):
    """Back office (dossiers:act) and portal (my_dossiers:act): the forms take only their
    own fields, so a forged `now`, declaration or result file is never stored."""
    world = tamper_world
    client = client_as(world, persona)
    before, started = _snapshot(world.dossier.pk), timezone.now()
    for action in ACTIONS:
        d = Dossier.objects.get(pk=world.dossier.pk)
        data = {f"{action}-expected_version": d.version, "expected_version": d.version}
        for key, value in {**TAMPERED, "reason": "Thử", "confirm": "1"}.items():
            text = value if isinstance(value, str) else str(value)
            data[key] = data[f"{action}-{key}"] = text
        for name in ("dossiers:act", "my_dossiers:act"):
            r = client.post(reverse(name, args=[d.pk, action]), data)
            assert r.status_code < 500, (persona, name, action, r.status_code)
    _check_nothing_forged(world, before, started)
