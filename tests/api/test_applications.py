"""Issue 22 deliverable 1: online applications through the API, the portal wizard's
second door (same draft services, e-form validation, documents checks), with an
Idempotency-Key on every create, client scopes and unit binding."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.models import IdempotencyRecord
from motcua.api.services import api_client_create
from motcua.core.models import AuditEntry
from motcua.core.testing import fixtures as fx
from motcua.core.testing.files import tiny_pdf
from motcua.core.testing.personas import login
from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier, DossierDraft

pytestmark = pytest.mark.django_db

SCHEMA = {
    "title": "Tờ khai đăng ký khai sinh",
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ tên người con", "maxLength": 100},
        "so_ban": {"type": "integer", "title": "Số bản sao", "minimum": 1, "maximum": 10},
    },
    "required": ["ho_ten"],
}
ANSWERS = {"ho_ten": "Nguyễn Văn An", "so_ban": 2}


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_VIRUS_SCANNER = ""


@pytest.fixture
def version(personas):
    v = fx.make_published_version(
        personas.unit_x,
        components=(("TK", "Tờ khai đăng ký khai sinh"), ("GCS", "Giấy chứng sinh")),
    )
    v.form_schema = SCHEMA
    v.save(update_fields=["form_schema"])
    c = v.procedure.competences.get()
    c.is_reception_point = True
    c.save(update_fields=["is_reception_point"])
    return v


def token_client(name, scopes, *, units=()):
    _, token = api_client_create(name=name, scopes=scopes, units=units)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _create(c, body, key=None):
    return c.post(
        "/api/v1/applications/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


def _body(personas, version, **extra):
    return {
        "procedure_version": version.pk,
        "receiving_unit": personas.unit_x.pk,
        "answers": dict(ANSWERS),
        "applicant_personal_id": personas.citizen_a.personal_id,
        **extra,
    }


def _attach(c, app_id, code="GCS", data=None):
    upload = SimpleUploadedFile("giay-chung-sinh.pdf", data or tiny_pdf(), "application/pdf")
    return c.post(f"/api/v1/applications/{app_id}/components/{code}", {"files": [upload]})


def _submit(c, app_id, key=None, declared=True):
    return c.post(
        f"/api/v1/applications/{app_id}/submit",
        {"declared": declared},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


def test_client_creates_attaches_and_submits_on_a_citizens_behalf(personas, version):
    p = personas
    api = token_client("Cổng DVC quốc gia", ["dossiers:create"], units=[p.unit_x])
    created = _create(api, _body(p, version))
    assert created.status_code == 201, created.content
    app = created.json()
    modes = {c["code"]: c["mode"] for c in app["components"]}
    assert modes == {"TK": "eform", "GCS": "missing"}  # the e-form is the declaration
    assert app["problems"] and app["dossier"] is None

    refused = _submit(api, app["id"])
    assert refused.status_code == 422 and refused.json()["code"] == "dossier_error"
    assert "Giấy chứng sinh" in refused.json()["detail"]

    attached = _attach(api, app["id"])
    assert attached.status_code == 200, attached.content
    assert attached.json()["problems"] == []

    key = uuid.uuid4().hex
    submitted = _submit(api, app["id"], key)
    assert submitted.status_code == 201, submitted.content
    d = Dossier.objects.get(pk=submitted.json()["id"])
    assert d.applicant == p.citizen_a and d.channel == Channel.ONLINE and d.status == "submitted"
    assert d.form_answers["ho_ten"] == "Nguyễn Văn An" and d.form_answers["so_ban"] == 2
    assert {c.component.code for c in d.components.all()} == {"TK", "GCS"}
    entry = AuditEntry.objects.filter(action="dossiers.draft_submit").get()
    assert entry.after.get("via") == "API: Cổng DVC quốc gia"

    again = _submit(api, app["id"], key)  # a retried submit: the same dossier
    assert again.status_code == 201 and again.json() == submitted.json()
    assert Dossier.objects.count() == 1
    # The citizen sees the dossier as theirs on the portal and in the API.
    mine = login(Client(), p.citizen_a)
    assert [x["id"] for x in mine.get("/api/v1/dossiers/mine").json()] == [d.pk]


def test_retried_create_with_the_same_key_returns_the_same_application(personas, version):
    p = personas
    api = token_client("Cổng", ["dossiers:create"], units=[p.unit_x])
    key = uuid.uuid4().hex
    first = _create(api, _body(p, version), key)
    second = _create(api, _body(p, version), key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert DossierDraft.objects.count() == 1
    other = _create(api, _body(p, version, answers={"ho_ten": "Trần Thị Bình"}), key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert DossierDraft.objects.count() == 1
    # A new key is a new application (a system may file twice for the same citizen).
    assert _create(api, _body(p, version)).status_code == 201
    assert DossierDraft.objects.count() == 2
    # Keys are per caller: another client's same key is its own.
    api2 = token_client("Cổng 2", ["dossiers:create"], units=[p.unit_x])
    assert _create(api2, _body(p, version), key).json()["id"] != first.json()["id"]
    assert IdempotencyRecord.objects.filter(key=key).count() == 2


def test_create_without_key_is_refused(personas, version):
    api = token_client("Cổng", ["dossiers:create"], units=[personas.unit_x])
    r = api.post("/api/v1/applications/", _body(personas, version), content_type="application/json")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "idempotency_key_missing"
    assert DossierDraft.objects.count() == 0


def test_scope_and_unit_binding(personas, version):
    p = personas
    reader = token_client("Đọc", ["dossiers:read"], units=[p.unit_x])
    r = _create(reader, _body(p, version))
    assert r.status_code == 403 and r.json()["code"] == "missing_scope"
    elsewhere = token_client("Nơi khác", ["dossiers:create"], units=[p.unit_y])
    r = _create(elsewhere, _body(p, version))
    assert r.status_code == 403 and r.json()["code"] == "unit_not_allowed"
    assert DossierDraft.objects.count() == 0
    # A client reaches only the applications it opened.
    owner = token_client("Chủ", ["dossiers:create"], units=[p.unit_x])
    app = _create(owner, _body(p, version)).json()
    other = token_client("Khác", ["dossiers:create"], units=[p.unit_x])
    assert other.get(f"/api/v1/applications/{app['id']}").status_code == 404
    assert _attach(other, app["id"]).status_code == 404


def test_citizen_session_creates_their_own(personas, version, client_for):
    p = personas
    c = client_for(p.citizen_a)
    body = _body(p, version)
    body.pop("applicant_personal_id")
    r = _create(c, body)
    assert r.status_code == 201, r.content
    draft = DossierDraft.objects.get(pk=r.json()["id"])
    assert draft.applicant == p.citizen_a and draft.form_valid
    # Naming another applicant is only for systems.
    r = _create(c, _body(p, version))
    assert r.status_code == 422
    # Another citizen cannot see it.
    assert client_for(p.citizen_b).get(f"/api/v1/applications/{draft.pk}").status_code == 404


@pytest.mark.parametrize(
    ("answers", "loc"),
    [
        ({"so_ban": 2}, "body.answers.ho_ten"),  # required
        ({"ho_ten": "A", "so_ban": 99}, "body.answers.so_ban"),  # maximum
        ({"ho_ten": "A", "so_ban": "hai"}, "body.answers.so_ban"),  # not a number
        ({"ho_ten": "A", "la": 1}, "body.answers.la"),  # not in the e-form
    ],
)
def test_eform_answers_are_validated_like_the_wizard(personas, version, answers, loc):
    api = token_client("Cổng", ["dossiers:create"], units=[personas.unit_x])
    r = _create(api, _body(personas, version, answers=answers))
    assert r.status_code == 422, r.content
    assert loc in [e["loc"] for e in r.json()["errors"]]
    assert DossierDraft.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"procedure_version": 999999, "receiving_unit": 1, "answers": {}},
        {"procedure_version": "x"},
        {"procedure_version": 1, "receiving_unit": 1, "now": "2020-01-01"},
        [],
    ],
)
def test_bad_input_is_a_problem_not_a_500(personas, version, body):
    api = token_client("Cổng", ["dossiers:create"], units=[personas.unit_x])
    r = _create(api, body)
    assert 400 <= r.status_code < 500, r.content
    assert r["Content-Type"].startswith("application/problem+json")


def test_attachment_passes_the_documents_checks(personas, version):
    api = token_client("Cổng", ["dossiers:create"], units=[personas.unit_x])
    app = _create(api, _body(personas, version)).json()
    r = _attach(api, app["id"], data=b"MZ\x90\x00 not a pdf at all")
    assert r.status_code == 422 and r.json()["code"] == "upload_rejected"
    assert _attach(api, app["id"], code="NOPE").status_code == 404
    r = api.post(f"/api/v1/applications/{app['id']}/components/GCS", {})
    assert r.status_code == 422
