"""Issue 18: history that predates the sync is marked once, the relay starts from what
is new, and no relay transaction covers more than one small batch."""

import pytest
from django.db import transaction

from motcua.dossiers.models import DossierEvent
from motcua.integrations import delivery, history, relay
from motcua.integrations.models import OutboxMessage, OutboxStatus, RelayCursor
from motcua.sandbox_portal.models import ReceivedMessage

pytestmark = pytest.mark.django_db


def test_history_is_marked_once_and_the_relay_starts_after_it(make_dossier, receive_and_assign):
    old = [receive_and_assign(make_dossier()) for _ in range(3)]
    old[1].form_answers = {"_sync": {"synced": False}}
    old[1].save(update_fields=["form_answers"])
    result = history.outbox_history_mark()
    assert result.marked and result.delivered == 2
    assert result.watermark == DossierEvent.objects.order_by("-pk").first().pk
    rows = OutboxMessage.objects.order_by("dossier_id")
    assert [r.dossier_id for r in rows] == [old[0].pk, old[2].pk]
    assert {r.status for r in rows} == {OutboxStatus.DELIVERED}
    assert all(r.payload == history.HISTORICAL_PAYLOAD and r.delivered_at for r in rows)
    # Second run: nothing (the cursor exists).
    assert not history.outbox_history_mark().marked
    assert relay.relay().events == 0

    new = receive_and_assign(make_dossier())
    relayed = relay.relay()
    assert relayed.events == DossierEvent.objects.filter(dossier=new).count() > 0
    assert set(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).values_list(
            "dossier_id", flat=True
        )
    ) == {new.pk}
    assert delivery.deliver().delivered > 0
    assert set(ReceivedMessage.objects.values_list("ma_ho_so", flat=True)) == {new.code}


def test_history_draw_is_stable_without_a_recorded_fact(make_dossier, receive_and_assign):
    d = receive_and_assign(make_dossier())
    assert history.was_synced(d)  # handled here: sent
    d.form_answers = {"demo_history": True}
    assert history.was_synced(d) == history.was_synced(d)


def test_each_relay_transaction_holds_one_small_batch(
    monkeypatch, make_dossier, receive_and_assign
):
    for _ in range(4):
        receive_and_assign(make_dossier())
    total = DossierEvent.objects.count()
    monkeypatch.setattr(relay, "BATCH", 2)
    sizes: list[int] = []
    real_atomic = transaction.atomic
    created = []

    def counting_create(*args, **kwargs):  # type: ignore[no-untyped-def]
        created.append(kwargs["event_id"])
        return original(*args, **kwargs)

    original = relay.RelayedEvent.objects.create
    monkeypatch.setattr(relay.RelayedEvent.objects, "create", counting_create)

    class Outer:
        def __init__(self) -> None:
            self.cm = real_atomic()

        def __enter__(self):  # type: ignore[no-untyped-def]
            self.before = len(created)
            return self.cm.__enter__()

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            sizes.append(len(created) - self.before)
            return self.cm.__exit__(*exc)

    monkeypatch.setattr(relay.transaction, "atomic", lambda *a, **k: Outer())
    result = relay.relay()
    outer = [s for s in sizes if s]
    assert result.events == total
    assert max(outer) <= 2 and sum(outer) == total
    assert RelayCursor.objects.filter(name=relay.CURSOR).exists()
