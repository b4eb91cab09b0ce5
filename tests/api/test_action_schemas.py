"""Issue 20 finding 2: every API action has its own input schema (only the fields of
the action's page form); the caller never chooses the time, the declaration or the
result files; unknown fields are a 422 with a clear message; event times are monotonic
per dossier."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from tests.dossiers.conftest import in_process, received, staff, submitted, version  # noqa: F401

pytestmark = pytest.mark.django_db


def _post(client, d, action: str, body: dict):
    return client.post(
        f"/api/v1/dossiers/{d.pk}/actions/{action}", body, content_type="application/json"
    )


def _refused(response, field: str) -> None:
    assert response.status_code == 422, response.content
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert any(e["loc"] == f"body.{field}" for e in problem["errors"]), problem
    assert "Trường này không được chấp nhận" in response.content.decode() or field != "now"


def test_citizen_cannot_backdate_a_withdrawal(personas, submitted, client_for):  # noqa: F811
    c = client_for(personas.citizen_a)
    body = {"expected_version": submitted.version, "reason": "Không cần nữa"}
    _refused(_post(c, submitted, "withdraw", {**body, "now": "2019-01-01T00:00:00+07:00"}), "now")
    _refused(_post(c, submitted, "withdraw", {**body, "params": {"now": "2019"}}), "params")
    assert Dossier.objects.get(pk=submitted.pk).status == "submitted"
    before = timezone.now()
    assert _post(c, submitted, "withdraw", body).status_code == 200
    event = DossierEvent.objects.get(dossier=submitted, action="withdraw")
    assert event.at >= before  # the server's time


def test_issue_result_takes_no_time_and_no_files(
    personas,
    staff,  # noqa: F811
    in_process,  # noqa: F811
    client_for,
    e_signing,
):
    d = in_process
    services.dossier_submit_for_approval(
        dossier=d, actor=staff.specialist_x, expected_version=d.version
    )
    d.refresh_from_db()
    services.dossier_approve(dossier=d, actor=personas.leader_x, expected_version=d.version)
    d.refresh_from_db()
    c = client_for(staff.clerk_x)
    body = {"expected_version": d.version, "result_number": "12/QĐ-UBND"}
    _refused(_post(c, d, "issue_result", {**body, "now": "2026-01-01T00:00:00Z"}), "now")
    _refused(_post(c, d, "issue_result", {**body, "now": "not a date"}), "now")
    _refused(_post(c, d, "issue_result", {**body, "result_files": [{"ref": "x"}]}), "result_files")
    before = timezone.now()
    r = _post(c, d, "issue_result", body)
    assert r.status_code == 200, r.content
    d.refresh_from_db()
    # The result files are the server's: the signed result it issued, nothing sent.
    from motcua.dossiers.services.e_result import result_document_of

    assert d.completed_at >= before
    assert [f["ref"] for f in d.result_files] == [result_document_of(d).code]


def test_supplement_cannot_rewrite_the_declaration(personas, staff, in_process, client_for):  # noqa: F811
    d = in_process
    services.dossier_request_supplement(
        dossier=d, actor=staff.specialist_x, expected_version=d.version, reason="Thiếu giấy"
    )
    d.refresh_from_db()
    answers = dict(d.form_answers)
    body = {"expected_version": d.version}
    forged = {**body, "form_answers": {"ho_ten_tre": "X", "khac": 1}}
    for who in (personas.citizen_a, personas.receptionist_x):
        _refused(_post(client_for(who), d, "supplement_provided", forged), "form_answers")
    # The applicant supplements with files on the portal page (documents checks).
    r = _post(client_for(personas.citizen_a), d, "supplement_provided", body)
    assert r.status_code == 422 and r.json()["code"] == "files_required"
    d.refresh_from_db()
    assert d.form_answers == answers and d.status == "supplement_requested"


def test_assign_only_a_specialist_of_the_unit(personas, staff, received, client_for):  # noqa: F811
    c = client_for(personas.leader_x)
    body = {"expected_version": received.version}
    _refused(_post(c, received, "assign", {**body, "assignee": personas.citizen_a.pk}), "assignee")
    _refused(_post(c, received, "assign", {**body, "assignee": "abc"}), "assignee")
    ok = _post(c, received, "assign", {**body, "assignee": staff.specialist_x.pk})
    assert ok.status_code == 200, ok.content


def test_event_times_are_monotonic(personas, version, client_for):  # noqa: F811
    ahead = timezone.now() + dt.timedelta(hours=2)  # e.g. the clock stepped back since
    d = services.dossier_submit_online(
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        now=ahead,
    )
    r = _post(client_for(personas.receptionist_x), d, "receive", {"expected_version": d.version})
    assert r.status_code == 200, r.content
    event = DossierEvent.objects.get(dossier=d, action="receive")
    assert event.at >= ahead


def test_each_api_schema_takes_exactly_the_fields_of_the_page_form(personas, received):  # noqa: F811
    """API and page stay in step: the same inputs for every action (plus nothing).
    File fields are the page's only (a JSON body carries no file; without the draft
    upload the result is generated from the procedure's template)."""
    from django import forms as django_forms

    from motcua.dossiers import forms
    from motcua.dossiers import workflow as wf
    from motcua.dossiers.api import ACTION_SCHEMAS

    assert set(ACTION_SCHEMAS) == set(services.SERVICES)
    for action, schema in ACTION_SCHEMAS.items():
        fields = forms.action_form(wf.transition(action), received).fields
        page = {n for n, f in fields.items() if not isinstance(f, django_forms.FileField)}
        if action == "request_supplement":
            # The page's per-component tick boxes (item_<id>, why_<id>) and its "other
            # papers" lines are the API's list of items; the approval reason is shown
            # from the second request on.
            page = {n for n in page if not n.startswith(("item_", "why_"))}
            page = (page - {"other_items"}) | {"items", "approval_reason"}
        assert set(schema.model_fields) == page, action


def test_applicant_supplements_with_files_over_the_api(personas, staff, in_process, client_for):  # noqa: F811
    """The API's supplement takes files through the documents checks, like the page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.documents.conftest import make_pdf

    d = in_process
    services.dossier_request_supplement(
        dossier=d, actor=staff.specialist_x, expected_version=d.version, reason="Thiếu giấy"
    )
    d.refresh_from_db()
    url = f"/api/v1/dossiers/{d.pk}/files/supplement_provided"
    citizen = client_for(personas.citizen_a)
    fake = SimpleUploadedFile("giay.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = citizen.post(url, {"expected_version": d.version, "files": [fake]})
    assert refused.status_code == 422 and refused.json()["code"] == "upload_rejected"
    officer = client_for(personas.receptionist_x)
    pdf = SimpleUploadedFile("giay.pdf", make_pdf(), content_type="application/pdf")
    assert officer.post(url, {"expected_version": d.version, "files": [pdf]}).status_code == 403
    pdf = SimpleUploadedFile("giay.pdf", make_pdf(), content_type="application/pdf")
    ok = citizen.post(url, {"expected_version": d.version, "files": [pdf], "note": "Bản sao"})
    assert ok.status_code == 200, ok.content
    d.refresh_from_db()
    assert d.status == "in_process"
    assert d.components.filter(name="Bản sao").exists()
