"""Bounded soak test (issue 12, part 6): citizen and officer workers in parallel threads,
each with its own database connection, for MOTCUA_SOAK_SECONDS seconds; afterwards
every dossier is consistent: its events replay to its stored status and version, the
monitoring aggregates equal a full rebuild, the audit chain verifies and has one entry
per transition.

Run on demand, against PostgreSQL (loopback only):
    MOTCUA_SOAK_SECONDS=300 MOTCUA_SOAK_WORKERS=8 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_soak \
    .venv/bin/pytest tests/reliability/test_soak.py -q -s
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter

import pytest
from django.db import OperationalError, connection, connections

from motcua.core.audit import verify_chain
from motcua.core.models import AuditEntry
from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus as S
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier, DossierEvent

SECONDS = float(os.environ.get("MOTCUA_SOAK_SECONDS", "0"))
WORKERS = int(os.environ.get("MOTCUA_SOAK_WORKERS", "6"))

pytestmark = [
    pytest.mark.skipif(SECONDS <= 0, reason="soak test: set MOTCUA_SOAK_SECONDS"),
    pytest.mark.django_db(transaction=True),
]


def test_soak_mixed_citizens_and_officers(personas, staff, version, e_signing):
    deadline = time.monotonic() + SECONDS
    stats: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    components = list(version.components.all())

    def bump(key: str) -> None:
        with lock:
            stats[key] += 1

    def citizen(rng: random.Random) -> None:
        services.dossier_submit_online(
            applicant=personas.citizen_a,
            procedure_version=version,
            receiving_unit=personas.unit_x,
            form_answers={"ho_ten_tre": f"Bé {rng.randrange(10**6)}"},
            components=[services.ComponentInput(component=c) for c in components],
        )
        bump("submit_online")

    # status -> (service, actor, extra kwargs)
    next_step = {
        S.SUBMITTED: ("receive", personas.receptionist_x, {}),
        S.RECEIVED: ("assign", personas.leader_x, {"assignee": staff.specialist_x}),
        S.IN_PROCESS: ("submit_for_approval", staff.specialist_x, {}),
        S.AWAITING_APPROVAL: ("approve", personas.leader_x, {}),
    }

    def officer(rng: random.Random) -> None:
        ids = list(
            Dossier.objects.filter(status__in=list(next_step)).values_list("pk", flat=True)[:50]
        )
        if not ids:
            return
        d = Dossier.objects.get(pk=rng.choice(ids))
        action, actor, extra = next_step[S(d.status)]
        try:
            services.SERVICES[action](dossier=d, actor=actor, expected_version=d.version, **extra)
            bump(action)
        except DossierError:
            bump("conflict")  # another officer moved it first: expected, nothing written

    def worker(n: int) -> None:
        rng = random.Random(n)
        try:
            while time.monotonic() < deadline:
                try:
                    (citizen if rng.random() < 0.35 else officer)(rng)
                except OperationalError:  # SQLite "database is locked" under load
                    bump("db_busy")
        except BaseException as exc:  # reported after join
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"\nsoak {SECONDS}s × {WORKERS} workers on {connection.vendor}: {dict(stats)}")
    assert not errors, errors
    transitions = sum(v for k, v in stats.items() if k not in ("conflict", "db_busy"))
    assert transitions > 0

    # Every dossier: its events replay to the stored status and version.
    for d in Dossier.objects.all():
        events = list(DossierEvent.objects.filter(dossier=d).order_by("pk"))
        status = ""
        for e in events:
            assert e.from_status in ("", status), (d.pk, e.action, e.from_status, status)
            status = e.to_status or status
        assert status == d.status, d.pk
        assert len(events) == d.version, d.pk
    assert DossierEvent.objects.count() == transitions

    # One audit entry per transition, and the chain is intact.
    dossier_audits = AuditEntry.objects.filter(object_type="dossiers.dossier").count()
    assert dossier_audits == transitions
    assert verify_chain().ok

    # Monitoring aggregates kept live equal a rebuild from the dossiers.
    from motcua.monitoring.updater import rebuild, rows_snapshot

    live = rows_snapshot()
    rebuild()
    assert rows_snapshot() == live
