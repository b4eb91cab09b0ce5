"""Issue 22 deliverable 3 through the API (law.md R40, Decree 63/2024/NĐ-CP): a linked
application opened, answered, documented, submitted and paid once through
/api/v1/linked-applications/ — by a system with its token on a citizen's behalf and by
the citizen's own session — with the same services as the portal's linked wizard."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.accounts.models import User
from motcua.api.services import api_client_create
from motcua.core.testing.files import tiny_image
from motcua.core.testing.personas import login
from motcua.dossiers.models import Dossier, DossierGroup
from motcua.org.demo import CITIZENS, SOCIAL_SECURITY
from motcua.org.models import OrgUnit
from motcua.payments.providers.sandbox_gateway import bank
from tests.dossiers.test_linked import BIRTH_ANSWERS, COMMUNE, linked_demo  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/linked-applications/"


@pytest.fixture
def world(linked_demo, settings):  # noqa: F811
    settings.MOTCUA_PAYGATE_SECRET = "linked-api-secret"
    settings.MOTCUA_PAYGATE_TMN_CODE = "MOTCUA01"
    settings.MOTCUA_PAYGATE_SANDBOX = True
    settings.MOTCUA_PAYMENT_PROVIDERS = ["sandbox_gateway", "vietqr", "cash"]
    return linked_demo


def _token(scopes, units):
    name = f"Cổng DVC quốc gia {uuid.uuid4().hex[:8]}"
    _, token = api_client_create(name=name, scopes=scopes, units=units)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(api, url, body, key=None):
    return api.post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex
    )


def _upload():
    return SimpleUploadedFile("chung-sinh.png", tiny_image(), content_type="image/png")


def test_bundles_are_listed_with_members_and_authorities(world):
    r = Client().get(URL + "bundles")
    assert r.status_code == 401  # as every non-public operation
    r = login(Client(), world).get(URL + "bundles")
    assert r.status_code == 200
    bundles = {b["code"]: b for b in r.json()}
    assert set(bundles) == {"LT-KHAISINH", "LT-KHAITU"}
    birth = bundles["LT-KHAISINH"]
    assert [m["procedure_code"] for m in birth["members"]] == ["1.001193", "1.004222", "DEMO-BHYT6"]
    assert SOCIAL_SECURITY in {a["code"] for a in birth["members"][2]["competent_authorities"]}
    assert "63/2024/NĐ-CP" in {b["number"] for b in birth["legal_basis"]}
    assert birth["return_mode"] == "together"
    assert "ho_ten_tre" in birth["shared_form"]["properties"]
    assert "GIAY_CHUNG_SINH" in {d["code"] for d in birth["shared_documents"]}
    # A token needs procedures:read.
    commune = OrgUnit.objects.get(code=COMMUNE)
    assert _token([], [commune]).get(URL + "bundles").status_code == 403
    assert _token(["procedures:read"], [commune]).get(URL + "bundles").status_code == 200


def test_a_system_files_a_linked_application_and_starts_the_one_payment(world):
    citizen = world
    commune = OrgUnit.objects.get(code=COMMUNE)
    api = _token(["dossiers:create", "dossiers:read"], [commune])
    body = {
        "bundle": "LT-KHAISINH",
        "receiving_unit": commune.pk,
        "applicant_personal_id": citizen.personal_id,
    }
    key = uuid.uuid4().hex
    r = _post(api, URL, body, key)
    assert r.status_code == 201, r.content
    app = r.json()
    assert _post(api, URL, body, key).json() == app  # retry: the same application
    assert DossierGroup.objects.filter(applicant=citizen).count() == 1
    assert app["problems"] and not app["form_valid"] and app["children"] == []

    # Validation errors of the shared e-form, as problems listing each field.
    bad = api.post(
        f"{URL}{app['id']}/answers",
        {"answers": {**BIRTH_ANSWERS, "ngay_sinh": "không phải ngày", "khong_co": 1}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    assert bad.json()["code"] == "validation_error"
    assert bad.json()["errors"][0]["loc"] == "body.answers.khong_co"
    bad = api.post(
        f"{URL}{app['id']}/answers",
        {"answers": {**BIRTH_ANSWERS, "ngay_sinh": "không phải ngày"}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "eform_invalid"
    assert "body.answers.ngay_sinh" in {e["loc"] for e in bad.json()["errors"]}

    r = api.post(
        f"{URL}{app['id']}/answers", {"answers": BIRTH_ANSWERS}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["form_valid"], r.content
    assert r.json()["answers"]["ho_ten_tre"] == "Nguyễn Thị Bé"

    # Submitting with a document missing is refused (a problem, in Vietnamese).
    refused = _post(api, f"{URL}{app['id']}/submit", {"declared": True})
    assert refused.status_code == 422 and refused.json()["code"] == "dossier_error"
    assert "Chưa đính kèm" in refused.json()["detail"]

    # The content is checked as every upload: a fake PNG is refused.
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    r = api.post(f"{URL}{app['id']}/documents/GIAY_CHUNG_SINH", {"files": [fake]})
    assert r.status_code == 422 and r.json()["code"] == "upload_rejected"
    assert (
        api.post(f"{URL}{app['id']}/documents/KHONG_CO", {"files": [_upload()]}).status_code == 404
    )
    r = api.post(f"{URL}{app['id']}/documents/GIAY_CHUNG_SINH", {"files": [_upload()]})
    assert r.status_code == 200, r.content
    assert r.json()["problems"] == []

    key = uuid.uuid4().hex
    r = _post(api, f"{URL}{app['id']}/submit", {"declared": True}, key)
    assert r.status_code == 201, r.content
    done = r.json()
    assert _post(api, f"{URL}{app['id']}/submit", {"declared": True}, key).json() == done
    assert Dossier.objects.filter(group_id=app["id"]).count() == 3  # never second children
    again = _post(api, f"{URL}{app['id']}/submit", {"declared": True})
    assert again.status_code == 422 and again.json()["code"] == "already_submitted"

    # The children exist at their own authorities.
    by_code = {c["procedure_code"]: c for c in done["children"]}
    assert by_code["1.001193"]["competent_unit"]["code"] == COMMUNE
    assert by_code["DEMO-BHYT6"]["competent_unit"]["code"] == SOCIAL_SECURITY
    assert all(c["status"] == "submitted" and c["reference"] for c in done["children"])
    assert done["results_released"] is False and done["submitted_at"]
    # One combined payment for every fee (8,000 + 10,000 VND).
    assert done["payment"]["amount"] == 18_000 and done["payment"]["outstanding"] == 18_000

    key = uuid.uuid4().hex
    started = _post(api, f"{URL}{app['id']}/payments", {"provider": "sandbox_gateway"}, key)
    assert started.status_code == 201, started.content
    attempt = started.json()
    assert attempt["amount"] == 18_000 and attempt["payment_url"]
    retry = _post(api, f"{URL}{app['id']}/payments", {"provider": "sandbox_gateway"}, key)
    assert retry.json() == attempt
    params = dict(parse_qsl(urlsplit(attempt["payment_url"]).query))
    assert bank.pay(params, "success").ipn_answer == ("00", "Confirm Success")
    paid = api.get(f"{URL}{app['id']}").json()["payment"]
    assert paid["status"] == "paid" and paid["outstanding"] == 0
    # Each child's own fee request is settled; the child is readable as any dossier.
    fees = api.get(f"/api/v1/dossiers/{by_code['1.001193']['id']}/fees").json()
    assert fees["outstanding"] == 0

    # The citizen sees on their session what a system filed for them (as /applications/).
    assert login(Client(), citizen).get(f"{URL}{app['id']}").json()["id"] == app["id"]


def test_the_citizen_session_and_who_sees_what(world):
    citizen = world
    other = User.objects.get(username=CITIZENS[1]["username"])
    commune = OrgUnit.objects.get(code=COMMUNE)
    mine = login(Client(), citizen)
    body = {"bundle": "LT-KHAISINH", "receiving_unit": commune.pk, "answers": BIRTH_ANSWERS}
    r = _post(mine, URL, body)
    assert r.status_code == 201, r.content
    app = r.json()
    assert app["form_valid"]
    # The same application as on the portal: an open one of the bundle is reused.
    assert _post(mine, URL, body).json()["id"] == app["id"]
    r = mine.post(f"{URL}{app['id']}/documents/GIAY_CHUNG_SINH", {"files": [_upload()]})
    assert r.status_code == 200 and r.json()["problems"] == []
    # Member drafts are not submitted one by one through /applications/.
    draft = DossierGroup.objects.get(pk=app["id"]).drafts.first()
    assert mine.get(f"/api/v1/applications/{draft.pk}").status_code == 404

    # Another citizen, an officer-less token and a token without the scope: nothing.
    theirs = login(Client(), other)
    assert theirs.get(f"{URL}{app['id']}").status_code == 404
    assert _post(theirs, f"{URL}{app['id']}/submit", {"declared": True}).status_code == 404
    api = _token(["dossiers:create"], [commune])
    assert api.get(f"{URL}{app['id']}").status_code == 404  # not opened by the client
    assert _token(["dossiers:read"], [commune]).get(f"{URL}{app['id']}").status_code == 403
    # Without Idempotency-Key, a create is refused.
    r = mine.post(f"{URL}{app['id']}/submit", {"declared": True}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_missing"
    r = _post(mine, f"{URL}{app['id']}/submit", {"declared": False})
    assert r.status_code == 422 and r.json()["code"] == "dossier_error"

    r = _post(mine, f"{URL}{app['id']}/submit", {"declared": True})
    assert r.status_code == 201, r.content
    assert len(r.json()["children"]) == 3
    assert theirs.get(f"{URL}{app['id']}").status_code == 404
    assert mine.get(f"{URL}{app['id']}").json()["children"] == r.json()["children"]


def test_client_scope_and_unit_binding(world):
    citizen = world
    commune = OrgUnit.objects.get(code=COMMUNE)
    body = {
        "bundle": "LT-KHAISINH",
        "receiving_unit": commune.pk,
        "applicant_personal_id": citizen.personal_id,
    }
    assert _post(_token(["dossiers:read"], [commune]), URL, body).status_code == 403
    elsewhere = OrgUnit.objects.get(code=SOCIAL_SECURITY)
    r = _post(_token(["dossiers:create"], [elsewhere]), URL, body)
    assert r.status_code == 403 and r.json()["code"] == "unit_not_allowed"
    r = _post(_token(["dossiers:create"], [commune]), URL, {**body, "bundle": "KHONG-CO"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == "body.bundle"
    r = _post(_token(["dossiers:create"], [commune]), URL, {**body, "applicant_personal_id": None})
    assert r.status_code == 422
    # A citizen cannot name someone else.
    r = _post(login(Client(), citizen), URL, body)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == "body.applicant_personal_id"
