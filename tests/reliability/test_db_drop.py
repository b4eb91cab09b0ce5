"""The database connection drops in the middle of a dossier transition: the transition
happened fully or not at all, and the officer sees a clear Vietnamese retry message."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.urls import reverse

from motcua.core.audit import verify_chain
from motcua.core.models import AuditEntry
from motcua.dossiers import services
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier, DossierEvent
from tests.dossiers.conftest import MONDAY

MIDDLEWARE = "motcua.core.faults.InfrastructureFaultMiddleware"

# The writes of one transition, in the order the service makes them.
WRITES = [
    'UPDATE "dossiers_dossier"',
    'INSERT INTO "dossiers_dossierevent"',
    'INSERT INTO "core_auditentry"',
    'UPDATE "core_auditchainhead"',
]


@contextmanager
def connection_drops_at(pattern: str):
    """Raise OperationalError (as psycopg does when the server goes away) on the first
    statement containing `pattern`; record whether it was reached."""
    seen = {"hit": False}

    def wrapper(execute, sql, params, many, context):
        if not seen["hit"] and pattern in sql:
            seen["hit"] = True
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


@pytest.fixture
def submitted(personas, version):
    return services.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        form_answers={"ho_ten_tre": "Nguyễn Văn Bé"},
        components=[
            services.ComponentInput(component=c, files=[{"name": f"{c.code}.pdf"}])
            for c in version.components.all()
        ],
        now=MONDAY,
    )


def state(pk: int) -> tuple:
    d = Dossier.objects.get(pk=pk)
    return (
        d.status,
        d.version,
        d.code,
        d.due_at,
        DossierEvent.objects.filter(dossier=d).count(),
        d.steps.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize("pattern", WRITES)
def test_transition_is_all_or_nothing_when_the_connection_drops(personas, submitted, pattern):
    before = state(submitted.pk)
    with connection_drops_at(pattern) as seen, pytest.raises(OperationalError):
        services.dossier_receive(
            dossier=submitted, actor=personas.receptionist_x, expected_version=1, now=MONDAY
        )
    assert seen["hit"], f"the transition never wrote {pattern}"
    assert state(submitted.pk) == before  # no event, no version bump, no audit entry
    assert verify_chain().ok

    # Retrying the same request (same expected version) then succeeds exactly once.
    d = services.dossier_receive(
        dossier=Dossier.objects.get(pk=submitted.pk),
        actor=personas.receptionist_x,
        expected_version=1,
        now=MONDAY,
    )
    assert d.status == DossierStatus.RECEIVED and d.version == 2
    assert DossierEvent.objects.filter(dossier=d).count() == before[4] + 1
    assert verify_chain().ok


def _post_receive(client, submitted):
    client.raise_request_exception = False
    with connection_drops_at('INSERT INTO "core_auditentry"'):
        return client.post(
            reverse("dossiers:act", args=[submitted.pk, "receive"]),
            {"receive-expected_version": submitted.version},
            HTTP_REFERER=f"http://testserver{reverse('dossiers:detail', args=[submitted.pk])}",
        )


def test_officer_sees_a_retry_message_not_a_server_error(personas, submitted, client_for, settings):
    if MIDDLEWARE not in settings.MIDDLEWARE:  # see test_middleware_is_installed below
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    before = state(submitted.pk)
    response = _post_receive(client_for(personas.receptionist_x), submitted)
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.content.decode()
    assert "CHƯA được thực hiện" in body and "thử lại" in body
    assert reverse("dossiers:detail", args=[submitted.pk]) in body  # "Thử lại" link
    assert state(submitted.pk) == before


@pytest.mark.xfail(
    MIDDLEWARE not in settings.MIDDLEWARE,
    reason="settings.MIDDLEWARE lacks InfrastructureFaultMiddleware (see faults.md)",
    strict=True,
)
def test_middleware_is_installed(personas, submitted, client_for):
    response = _post_receive(client_for(personas.receptionist_x), submitted)
    assert response.status_code == 503
