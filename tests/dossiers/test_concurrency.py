"""No lost update with two real database connections (PostgreSQL only: SQLite
serialises writers for the whole transaction, so the race cannot happen there)."""

import threading

import pytest
from django.db import connection

from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.errors import ConcurrentModification
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import _pipeline as pipeline

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs two PostgreSQL connections"
    ),
]


def test_two_officers_same_version_one_wins(personas, staff, in_process, monkeypatch):
    version = in_process.version
    a_wrote = threading.Event()
    b_began = threading.Event()
    original_write, original_begin = pipeline._write, pipeline._begin

    def write(act, **changes):
        original_write(act, **changes)
        if threading.current_thread().name == "A":
            a_wrote.set()
            b_began.wait(10)  # keep the row locked until B has read the old version

    def begin(*args, **kwargs):
        act = original_begin(*args, **kwargs)
        if threading.current_thread().name == "B":
            b_began.set()
        return act

    monkeypatch.setattr(pipeline, "_write", write)
    monkeypatch.setattr(pipeline, "_begin", begin)
    outcome: dict[str, object] = {}

    def run(name, call):
        try:
            outcome[name] = call()
        except Exception as exc:
            outcome[name] = exc
        finally:
            connection.close()

    a = threading.Thread(
        name="A",
        target=run,
        args=(
            "A",
            lambda: services.dossier_submit_for_approval(
                dossier=in_process.pk, actor=staff.specialist_x, expected_version=version
            ),
        ),
    )

    def b_call():
        a_wrote.wait(10)
        return services.dossier_request_supplement(
            dossier=in_process.pk,
            actor=staff.specialist_x,
            expected_version=version,
            reason="Thiếu giấy tờ",
        )

    b = threading.Thread(name="B", target=run, args=("B", b_call))
    a.start()
    b.start()
    a.join(30)
    b.join(30)

    assert isinstance(outcome["A"], Dossier)
    assert isinstance(outcome["B"], ConcurrentModification)
    d = Dossier.objects.get(pk=in_process.pk)
    assert d.status == DossierStatus.AWAITING_APPROVAL
    assert d.version == version + 1
    assert d.supplement_count == 0 and not d.pauses.exists()
    assert d.events.filter(action="request_supplement").count() == 0


def test_parallel_receptions_get_distinct_codes(personas, version):
    """Eight connections receive at once: every code distinct, numbers 1..8."""
    dossiers = [
        services.dossier_submit_online(
            applicant=personas.citizen_a, procedure_version=version, receiving_unit=personas.unit_x
        )
        for _ in range(8)
    ]
    barrier = threading.Barrier(len(dossiers))
    codes: list[str] = []
    errors: list[Exception] = []

    def run(d):
        try:
            barrier.wait(10)
            codes.append(
                services.dossier_receive(
                    dossier=d.pk, actor=personas.receptionist_x, expected_version=1
                ).code
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(d,)) for d in dossiers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(set(codes)) == 8
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == list(range(1, 9))
