"""Issue 24 deliverable 3: the request id reaches the audit entries — an entry written
during a request carries its X-Request-ID, one written by a background job carries
"job:<task id>" (the id on the worker's log lines), both are hashed into the chain and the
audit browser filters by them."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.tasks import task

from motcua.core import logs
from motcua.core.audit import audit_record, compute_hash, verify_chain
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _write_in_request(rf, request_id: str) -> AuditEntry:
    written: list[AuditEntry] = []

    def view(request):
        written.append(audit_record(action="test.in_request"))
        return HttpResponse("ok")

    logs.RequestIdMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID=request_id))
    return written[0]


@task
def _job_that_audits() -> str:
    return str(audit_record(action="test.in_job").pk)


def test_entry_written_in_a_request_carries_its_id_and_the_chain_holds_it(rf):
    entry = _write_in_request(rf, "lb-req-7")
    assert AuditEntry.objects.get(pk=entry.pk).request_id == "lb-req-7"
    assert verify_chain().ok
    # The id is hashed: a forged one would not match the entry's hash.
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert compute_hash(stored) == stored.entry_hash
    stored.request_id = "forged"
    assert compute_hash(stored) != stored.entry_hash


def test_entry_written_by_a_job_names_the_job_and_one_outside_both_names_nothing():
    result = _job_that_audits.enqueue()  # immediate backend: outside any request
    entry = AuditEntry.objects.get(pk=int(result.return_value))
    assert entry.request_id == f"job:{result.id}"
    assert audit_record(action="test.nowhere").request_id is None
    assert verify_chain().ok


def test_audit_browser_filters_by_request_id(rf, client_for, personas):
    mine = _write_in_request(rf, "req-mine")
    _write_in_request(rf, "req-other")
    client = client_for(personas.admin)
    page = client.get("/quan-tri/nhat-ky/", {"request_id": "req-mine"}).content.decode()
    assert f"/quan-tri/nhat-ky/{mine.pk}/" in page
    assert page.count("test.in_request") == 1
    detail = client.get(f"/quan-tri/nhat-ky/{mine.pk}/").content.decode()
    assert "req-mine" in detail
    export = client.get("/quan-tri/nhat-ky/xuat-csv/", {"request_id": "req-mine"})
    assert b"req-mine" in b"".join(export.streaming_content)
