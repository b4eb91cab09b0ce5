"""Idempotency-Key under concurrency (PostgreSQL): two identical creates sent at the
same time with the same key make one application, and both callers get its answer."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection
from django.test import Client

from motcua.api.services import api_client_create
from motcua.dossiers.models import DossierDraft
from motcua.dossiers.services import drafts
from tests.api.test_applications import _body, version  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two PostgreSQL connections"
    ),
]


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_VIRUS_SCANNER = ""


def test_parallel_retries_make_one_application(personas, version, monkeypatch):  # noqa: F811
    p = personas
    _, token = api_client_create(name="Cổng", scopes=["dossiers:create"], units=[p.unit_x])
    inside = threading.Event()
    second_sent = threading.Event()
    original = drafts.draft_start

    def held_start(**kwargs):
        draft = original(**kwargs)
        if threading.current_thread().name == "A":
            inside.set()
            # keep A's transaction (and its key row) open while B arrives
            second_sent.wait(5)
            # B's insert of the same key now waits on the unique index (if B is
            # slower, it replays the committed answer: the outcome is the same).
            time.sleep(0.5)
        return draft

    monkeypatch.setattr(drafts, "draft_start", held_start)
    key = uuid.uuid4().hex
    body = _body(p, version)
    answers: dict[str, object] = {}

    def call(name):
        try:
            c = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
            if name == "B":
                inside.wait(10)
                second_sent.set()
            r = c.post(
                "/api/v1/applications/",
                body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=key,
            )
            answers[name] = (r.status_code, r.json())
        finally:
            connection.close()

    threads = [threading.Thread(name=n, target=call, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert answers["A"][0] == answers["B"][0] == 201, answers
    assert answers["A"][1] == answers["B"][1]
    assert DossierDraft.objects.count() == 1
