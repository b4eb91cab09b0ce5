import json
import time

import pytest
from django.utils import timezone

from motcua.integrations import http, relay, webhooks
from motcua.integrations.models import OutboxStatus, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured(monkeypatch):
    calls = []
    answer = {"status": 200}

    def fake(method, url, *, body=None, headers=None, timeout=10.0):
        calls.append((url, body, dict(headers or {})))
        return http.Response(answer["status"], b"ok")

    monkeypatch.setattr(http, "request", fake)
    return calls, answer


def test_signature_verifies_and_rejects_tampering_and_old_timestamps():
    body = b'{"a":1}'
    ts = int(time.time())
    sig = webhooks.sign("s3cret", ts, body)
    assert webhooks.verify("s3cret", str(ts), body, sig)
    assert not webhooks.verify("s3cret", str(ts), b'{"a":2}', sig)
    assert not webhooks.verify("other", str(ts), body, sig)
    assert not webhooks.verify("s3cret", str(ts), body, sig, now=ts + 301)


def test_dossier_events_are_posted_signed_and_retried(
    personas, make_dossier, receive_and_assign, captured
):
    calls, answer = captured
    ep = WebhookEndpoint.objects.create(
        name="hcc", url="https://example.invalid/hook", secret="k", actions=["receive"]
    )
    ep.units.set([personas.province])
    d = receive_and_assign(make_dossier())
    relay.relay()
    assert WebhookDelivery.objects.count() == 1  # only the "receive" action

    answer["status"] = 500
    now = timezone.now()
    assert webhooks.deliver_webhooks(now=now)["failed"] == 1
    answer["status"] = 200
    delivery = WebhookDelivery.objects.get()
    assert webhooks.deliver_webhooks(now=delivery.next_attempt_at)["delivered"] == 1
    url, body, headers = calls[-1]
    assert url == "https://example.invalid/hook"
    assert webhooks.verify("k", headers["X-Motcua-Timestamp"], body, headers["X-Motcua-Signature"])
    payload = json.loads(body)
    d.refresh_from_db()
    assert payload["type"] == "dossier.receive" and payload["dossier"]["code"] == d.code
    assert headers["X-Motcua-Event-Id"] == str(payload["id"])
    delivery.refresh_from_db()
    assert delivery.status == OutboxStatus.DELIVERED and delivery.attempts == 2


def test_endpoint_only_sees_its_units(personas, make_dossier, receive_and_assign, captured):
    ep = WebhookEndpoint.objects.create(name="y", url="https://example.invalid/y", secret="k")
    ep.units.set([personas.unit_y])
    receive_and_assign(make_dossier())  # a dossier of unit X
    relay.relay()
    assert not WebhookDelivery.objects.exists()
