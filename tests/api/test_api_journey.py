"""Issue 22 deliverable 4 (API part): another system, with its token only, files a
dossier on a citizen's behalf, attaches the required document, pays the fee in the
sandbox gateway (completed at the sandbox bank as the portal tests do), and, once the
agency has settled it, downloads the signed electronic result (validated with
pyHanko), Form 01 and the timeline."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.services import api_client_create
from motcua.catalog.constants import CollectionTiming
from motcua.catalog.models import FeeRule
from motcua.core.testing import fixtures as fx
from motcua.core.testing.files import tiny_pdf
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.payments.providers.sandbox_gateway import bank
from tests.api.test_applications import SCHEMA
from tests.dossiers.conftest import staff, version  # noqa: F401
from tests.dossiers.test_e_result import validate_with_pyhanko

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, staff, version, settings, tmp_path, signing_settings, e_signing):  # noqa: F811
    settings.MOTCUA_PAYGATE_SECRET = "api-journey-secret"
    settings.MOTCUA_PAYGATE_TMN_CODE = "MOTCUA01"
    settings.MOTCUA_PAYGATE_SANDBOX = True
    settings.MOTCUA_PAYMENT_PROVIDERS = ["sandbox_gateway", "vietqr", "cash"]
    version.form_schema = SCHEMA
    version.fee_collection_timing = CollectionTiming.AT_SUBMISSION
    version.save(update_fields=["form_schema", "fee_collection_timing"])
    FeeRule.objects.create(version=version, name="Lệ phí cấp bản sao", **fx.COPY_LEVY)
    c = version.procedure.competences.get()
    c.is_reception_point = True
    c.save(update_fields=["is_reception_point"])
    return version


def _token(personas, scopes, name="Cổng DVC quốc gia"):
    _, token = api_client_create(name=name, scopes=scopes, units=[personas.unit_x])
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(api, url, body, key=None):
    return api.post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex
    )


def test_a_system_files_pays_and_downloads_the_signed_result(personas, staff, world):  # noqa: F811
    p = personas
    api = _token(p, ["dossiers:create", "dossiers:read"])

    app = _post(
        api,
        "/api/v1/applications/",
        {
            "procedure_version": world.pk,
            "receiving_unit": p.unit_x.pk,
            "answers": {"ho_ten": "Nguyễn Văn An", "so_ban": 3},
            "applicant_personal_id": p.citizen_a.personal_id,
        },
    ).json()
    upload = SimpleUploadedFile("gcs.pdf", tiny_pdf(), "application/pdf")
    r = api.post(f"/api/v1/applications/{app['id']}/components/GCS", {"files": [upload]})
    assert r.status_code == 200 and r.json()["problems"] == []
    r = _post(api, f"/api/v1/applications/{app['id']}/submit", {"declared": True})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]

    # The fee requested at submission (3 copies x 10 000 VND), unpaid.
    fees = api.get(f"/api/v1/dossiers/{pk}/fees").json()
    assert fees["owed"] == 30_000 and fees["outstanding"] == 30_000
    (req,) = fees["requests"]
    assert req["lines"] == [{"name": "Lệ phí cấp bản sao", "amount": 30_000}]

    key = uuid.uuid4().hex
    url = f"/api/v1/dossiers/{pk}/fees/{req['id']}/payments"
    started = _post(api, url, {"provider": "sandbox_gateway"}, key)
    assert started.status_code == 201, started.content
    attempt = started.json()
    assert attempt["payment_url"] and attempt["amount"] == 30_000
    assert _post(api, url, {"provider": "sandbox_gateway"}, key).json() == attempt  # retry
    # The applicant pays at the sandbox bank the URL leads to.
    params = dict(parse_qsl(urlsplit(attempt["payment_url"]).query))
    assert bank.pay(params, "success").ipn_answer == ("00", "Confirm Success")
    fees = api.get(f"/api/v1/dossiers/{pk}/fees").json()
    assert fees["outstanding"] == 0 and fees["requests"][0]["status"] == "paid"
    paid_again = _post(api, url, {"provider": "sandbox_gateway"})
    assert paid_again.status_code == 422 and paid_again.json()["code"] == "payment_refused"

    # The agency settles the dossier: received, assigned, signed by the leader,
    # sealed and issued by the clerk.
    d = Dossier.objects.get(pk=pk)
    d = fx.receive_dossier(d, receptionist=p.receptionist_x)
    d = fx.assign_dossier(d, leader=p.leader_x, assignee=staff.specialist_x)
    d = services.dossier_submit_for_approval(
        dossier=d, actor=staff.specialist_x, expected_version=d.version
    )
    d = services.dossier_approve(dossier=d, actor=p.leader_x, expected_version=d.version)
    d = services.dossier_issue_result(
        dossier=d, actor=staff.clerk_x, expected_version=d.version, result_number="7/BS"
    )

    (result,) = api.get(f"/api/v1/dossiers/{pk}/results").json()
    assert result["signatures"] == ["leader", "agency"] and not result["revoked"]
    download = api.get(result["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    data = b"".join(download.streaming_content)
    signers = validate_with_pyhanko(data)
    assert [name for name, _s in signers] == [p.leader_x.full_name, p.unit_x.name]
    assert all(s.intact and s.valid and s.trusted for _n, s in signers)

    form01 = api.get(f"/api/v1/dossiers/{pk}/forms/01")
    assert form01.status_code == 200 and form01.content.startswith(b"%PDF")
    assert api.get(f"/api/v1/dossiers/{pk}/forms/03").status_code == 404  # nothing refused

    actions = [e["action"] for e in api.get(f"/api/v1/dossiers/{pk}/timeline").json()]
    assert actions[0] == "submit_online" and "receive" in actions and "issue_result" in actions

    # The citizen sees the same through their session.
    from motcua.core.testing.personas import login

    mine = login(Client(), p.citizen_a)
    assert mine.get(f"/api/v1/dossiers/{pk}/results").json() == [result]


def test_reads_and_payments_are_scoped(personas, staff, world):  # noqa: F811
    p = personas
    d = fx.submit_online_dossier(
        version=world,
        applicant=p.citizen_a,
        unit=p.unit_x,
        form_answers={"ho_ten": "A", "so_ban": 1},
        file_names=False,
    )
    from motcua.payments.services import payment_request_for_fees

    req = payment_request_for_fees(dossier=d, actor=p.citizen_a)
    # Without dossiers:read, nothing; outside its units, 404.
    assert _token(p, ["dossiers:create"]).get(f"/api/v1/dossiers/{d.pk}/fees").status_code == 403
    _, token = api_client_create(name="Sở Y", scopes=["dossiers:read"], units=[p.unit_y])
    other = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for path in ("fees", "timeline", "results", "forms/05"):
        assert other.get(f"/api/v1/dossiers/{d.pk}/{path}").status_code == 404, path
    # A client pays only for a dossier it filed itself.
    reader = _token(p, ["dossiers:create", "dossiers:read"], name="Cổng khác")
    r = _post(reader, f"/api/v1/dossiers/{d.pk}/fees/{req.pk}/payments", {"provider": "vietqr"})
    assert r.status_code == 403 and r.json()["code"] == "not_filed_by_client"
    # Another citizen cannot pay or read it; the applicant can.
    from motcua.core.testing.personas import login

    b = login(Client(), p.citizen_b)
    assert b.get(f"/api/v1/dossiers/{d.pk}/fees").status_code == 404
    a = login(Client(), p.citizen_a)
    r = _post(a, f"/api/v1/dossiers/{d.pk}/fees/{req.pk}/payments", {"provider": "bitcoin"})
    assert r.status_code == 422
    r = _post(a, f"/api/v1/dossiers/{d.pk}/fees/{req.pk}/payments", {"provider": "vietqr"})
    assert r.status_code == 201 and r.json()["qr_payload"]
