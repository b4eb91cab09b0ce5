"""Issue 26 through the REST API (motcua/api/dossier_trust.py): the counter consent code
(law.md R4a), the plain-language timeline (R16b), the supplement notice's delivery and
the receptionist's phone call (R12c), and a system's read in the read log (R32a) — the
same services as the pages."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.api.services import api_client_create
from motcua.core.models import AuditEntry
from motcua.core.testing.files import tiny_pdf
from motcua.dossiers import services
from motcua.dossiers.models import ConsentState, CounterConsent, SupplementNotice
from motcua.dossiers.services.notice import supplement_notices_escalate
from motcua.dossiers.timeline import dossier_plain_timeline
from motcua.feedback.constants import FeedbackKind
from motcua.notifications.models import SandboxSms
from motcua.privacy import selectors as read_selectors
from motcua.privacy.constants import ReadChannel
from motcua.privacy.models import DossierRead
from tests.dossiers.conftest import (  # noqa: F401  (fixtures)
    MONDAY,
    in_process,
    received,
    staff,
    submitted,
    version,
)

pytestmark = pytest.mark.django_db
CODE_RE = re.compile(r"Ma xac nhan (\d{6})\b")
JSON = "application/json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def at_counter(personas, version):  # noqa: F811
    """Citizen A's dossier submitted by the receptionist of unit X on A's account."""
    first, _second = version.components.order_by("order")
    return services.dossier_receive_at_counter(
        actor=personas.receptionist_x,
        applicant=personas.citizen_a,
        procedure_version=version,
        receiving_unit=personas.unit_x,
        components=[
            services.CounterComponent(
                component=first, upload=SimpleUploadedFile("tokhai.pdf", tiny_pdf())
            )
        ],
        now=MONDAY,
    )


def _token(name: str, scopes: list[str], *, units=(), acting_user=None) -> Client:
    _, token = api_client_create(name=name, scopes=scopes, units=units, acting_user=acting_user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _key() -> dict[str, str]:
    return {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}


def _code(phone: str) -> str:
    sms = SandboxSms.objects.filter(to=phone).order_by("-pk").first()
    assert sms is not None
    found = CODE_RE.search(sms.text)
    assert found, sms.text
    return found.group(1)


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return body


# --- consent at the counter -----------------------------------------------------------------


def test_the_receptionist_sends_the_code_and_confirms_it_through_the_api(
    personas, client_for, at_counter
):
    d = at_counter
    api = client_for(personas.receptionist_x)
    base = f"/api/v1/dossiers/{d.pk}/counter-consent"
    state = api.get(base).json()
    assert state["state"] == "pending" and state["without_consent"] and not state["code_live"]
    # Sending a code creates something (an SMS): the Idempotency-Key is required.
    _problem(api.post(f"{base}/code"), 400, "idempotency_key_missing")
    key = _key()
    sent = api.post(f"{base}/code", **key)
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["code_live"] and body["attempts_left"] == 5 and body["codes_left"] == 4
    assert body["phone"].startswith("0905") and "•" in body["phone"]
    code = _code(personas.citizen_a.phone)
    assert code not in sent.content.decode()  # never in an answer
    # A retry with the same key answers the same and sends no second SMS.
    again = api.post(f"{base}/code", **key)
    assert again.status_code == 201 and again.json() == body
    assert SandboxSms.objects.filter(to=personas.citizen_a.phone).count() == 1
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = _problem(
        api.post(f"{base}/confirm", {"code": wrong}, content_type=JSON), 400, "consent_refused"
    )
    assert "còn 4 lần" in refused["detail"]
    ok = api.post(f"{base}/confirm", {"code": code}, content_type=JSON)
    assert ok.status_code == 200, ok.content
    assert ok.json()["state"] == "confirmed" and not ok.json()["without_consent"]
    assert CounterConsent.objects.get(dossier=d).confirmed_by == personas.receptionist_x
    _problem(api.post(f"{base}/confirm", {"code": code}, content_type=JSON), 400, "dossier_error")


def test_a_client_acts_for_its_receptionist_account_within_its_units(personas, at_counter):
    d = at_counter
    base = f"/api/v1/dossiers/{d.pk}/counter-consent"
    reader = _token("Đọc", ["dossiers:read"], units=[personas.unit_x])
    assert reader.get(base).status_code == 200
    _problem(reader.post(f"{base}/code", **_key()), 403, "missing_scope")
    no_account = _token("Không tài khoản", ["dossiers:read", "dossiers:write"])
    _problem(no_account.post(f"{base}/code", **_key()), 403, "no_acting_account")
    elsewhere = _token(
        "Sở Y",
        ["dossiers:read", "dossiers:write"],
        units=[personas.unit_y],
        acting_user=personas.receptionist_x,
    )
    _problem(elsewhere.get(base), 404, "not_found")
    not_receptionist = _token(
        "Lãnh đạo", ["dossiers:read", "dossiers:write"], acting_user=personas.leader_x
    )
    _problem(not_receptionist.post(f"{base}/code", **_key()), 403, "not_permitted")
    kiosk = _token(
        "Quầy tự động",
        ["dossiers:read", "dossiers:write"],
        units=[personas.unit_x],
        acting_user=personas.receptionist_x,
    )
    assert kiosk.post(f"{base}/code", **_key()).status_code == 201
    code = _code(personas.citizen_a.phone)
    ok = kiosk.post(f"{base}/confirm", {"code": code}, content_type=JSON)
    assert ok.status_code == 200 and ok.json()["state"] == "confirmed"
    entry = AuditEntry.objects.get(action="counter_consent.confirm")
    assert entry.after.get("via") == "API: Quầy tự động"


def test_waived_then_the_applicant_disowns_it_through_the_api(personas, client_for, at_counter):
    d = at_counter
    base = f"/api/v1/dossiers/{d.pk}/counter-consent"
    api = client_for(personas.receptionist_x)
    _problem(api.post(f"{base}/waive", {"reason": "x"}, content_type=JSON), 422, "validation_error")
    waived = api.post(f"{base}/waive", {"reason": "Không mang điện thoại"}, content_type=JSON)
    assert waived.status_code == 200 and waived.json()["state"] == "absent"
    # Only the applicant answers: not an officer, not a client, not another citizen.
    body = {"answer": "disowned", "text": "Tôi không đến bộ phận một cửa."}
    _problem(api.post(f"{base}/answer", body, content_type=JSON, **_key()), 403, "not_an_applicant")
    kiosk = _token("Cổng", ["dossiers:read", "dossiers:write"], acting_user=personas.receptionist_x)
    _problem(
        kiosk.post(f"{base}/answer", body, content_type=JSON, **_key()), 403, "not_an_applicant"
    )
    other = client_for(personas.citizen_b)
    _problem(other.post(f"{base}/answer", body, content_type=JSON, **_key()), 404, "not_found")
    mine = client_for(personas.citizen_a)
    assert mine.get(base).json()["without_consent"]
    key = _key()
    answered = mine.post(f"{base}/answer", body, content_type=JSON, **key)
    assert answered.status_code == 201, answered.content
    out = answered.json()
    assert out["answer"] == "disowned" and out["feedback_code"]
    consent = CounterConsent.objects.get(dossier=d)
    assert consent.state == ConsentState.ABSENT
    assert consent.feedback.kind == FeedbackKind.BEHAVIOUR
    assert consent.feedback.subject_officer_id == personas.receptionist_x.pk
    # A retry answers the same; a new answer is refused.
    assert mine.post(f"{base}/answer", body, content_type=JSON, **key).json() == out
    _problem(
        mine.post(f"{base}/answer", {"answer": "confirmed"}, content_type=JSON, **_key()),
        400,
        "dossier_error",
    )


def test_a_dossier_not_submitted_at_the_counter_has_no_consent(personas, client_for, received):  # noqa: F811
    api = client_for(personas.receptionist_x)
    _problem(api.get(f"/api/v1/dossiers/{received.pk}/counter-consent"), 404, "no_counter_consent")


# --- plain-language timeline -----------------------------------------------------------------


def test_the_plain_timeline_is_the_pages_data(personas, client_for, staff, in_process):  # noqa: F811
    d = in_process
    url = f"/api/v1/dossiers/{d.pk}/plain-timeline"
    body = client_for(personas.citizen_a).get(url).json()
    expected = dossier_plain_timeline(d)
    assert body["stage"] == expected.stage and body["status"] == "in_process"
    assert body["holder"] == {
        "role": "specialist",
        "role_label": expected.holder.role_label,
        "unit": personas.unit_x.name,
    }
    assert body["sentences"] == expected.sentences and body["speech"] == expected.speech
    assert " ".join(body["sentences"]) == body["speech"]
    assert body["todo_kind"] == "none" and body["next_step"] == expected.next_step
    assert not body["paused"] and body["due_at"]
    text = str(body)
    for officer in (staff.specialist_x, personas.leader_x, personas.receptionist_x):
        assert officer.full_name not in text  # a unit and a role, never a name
    assert client_for(personas.citizen_b).get(url).status_code == 404
    assert _token("Đọc", ["dossiers:read"], units=[personas.unit_x]).get(url).status_code == 200
    assert _token("Sở Y", ["dossiers:read"], units=[personas.unit_y]).get(url).status_code == 404
    _problem(_token("Không đọc", ["org:read"]).get(url), 403, "missing_scope")


# --- supplement notice delivery and the phone call --------------------------------------------


def test_the_receptionist_phones_through_the_api(
    personas,
    client_for,
    staff,  # noqa: F811
    in_process,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.MOTCUA_SUPPLEMENT_DELIVERY_ESCALATE_HOURS = 24
    written = MONDAY + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        d = services.dossier_request_supplement(
            dossier=in_process,
            actor=staff.specialist_x,
            expected_version=in_process.version,
            reason="Thiếu tờ khai",
            now=written,
        )
    receptionist = client_for(personas.receptionist_x)
    notice = receptionist.get(f"/api/v1/dossiers/{d.pk}/supplement-notice").json()
    assert notice["delivered_at"] is None and notice["paused_from"] is None
    assert receptionist.get("/api/v1/worklist/to-phone").json()["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert supplement_notices_escalate(now=written + dt.timedelta(hours=25)) == 1
    listed = receptionist.get("/api/v1/worklist/to-phone").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == d.pk
    assert client_for(staff.specialist_x).get("/api/v1/worklist/to-phone").json()["count"] == 0
    _problem(client_for(personas.citizen_a).get("/api/v1/worklist/to-phone"), 403, "officers_only")
    phoned = f"/api/v1/dossiers/{d.pk}/supplement-notice/phoned"
    _problem(
        client_for(staff.specialist_x).post(phoned, {"note": "x"}, content_type=JSON),
        403,
        "not_permitted",
    )
    out = receptionist.post(phoned, {"note": "Đã gọi 0905"}, content_type=JSON)
    assert out.status_code == 200, out.content
    body = out.json()
    assert body["evidence"] == "phone" and body["delivered_at"] == body["paused_from"]
    assert body["escalated_at"] is not None
    assert SupplementNotice.objects.get(dossier=d).delivered_by == personas.receptionist_x
    assert d.pauses.get().delivery_channel == "phone"
    assert receptionist.get("/api/v1/worklist/to-phone").json()["count"] == 0
    _problem(receptionist.post(phoned, {}, content_type=JSON), 400, "dossier_error")
    plain = client_for(personas.citizen_a).get(f"/api/v1/dossiers/{d.pk}/plain-timeline").json()
    assert plain["paused"] and plain["todo_kind"] == "supplement"


def test_a_client_lists_and_records_the_call_for_its_receptionist(
    personas,
    staff,  # noqa: F811
    in_process,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.MOTCUA_SUPPLEMENT_DELIVERY_ESCALATE_HOURS = 24
    written = MONDAY + dt.timedelta(hours=2)
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Thiếu tờ khai",
        now=written,
    )
    supplement_notices_escalate(now=written + dt.timedelta(hours=25))
    reader = _token("Đọc", ["dossiers:read"], units=[personas.unit_x])
    _problem(reader.get("/api/v1/worklist/to-phone"), 403, "no_acting_account")
    callcentre = _token(
        "Tổng đài",
        ["dossiers:read", "dossiers:write"],
        units=[personas.unit_x],
        acting_user=personas.receptionist_x,
    )
    assert callcentre.get("/api/v1/worklist/to-phone").json()["count"] == 1
    other = _token(
        "Tổng đài Y",
        ["dossiers:read"],
        units=[personas.unit_y],
        acting_user=personas.receptionist_x,
    )
    assert other.get("/api/v1/worklist/to-phone").json()["count"] == 0
    phoned = f"/api/v1/dossiers/{d.pk}/supplement-notice/phoned"
    _problem(reader.post(phoned, {}, content_type=JSON), 403, "missing_scope")
    assert callcentre.post(phoned, {"note": "ok"}, content_type=JSON).status_code == 200
    entry = AuditEntry.objects.get(action="supplement_notice.delivered")
    assert entry.after.get("via") == "API: Tổng đài"


# --- read log: a system without an officer account ----------------------------------------------


def test_a_systems_read_is_logged_with_its_name(personas, client_for, staff, in_process):  # noqa: F811
    d = in_process
    system = _token("Kho dữ liệu tỉnh", ["dossiers:read"], units=[personas.unit_x])
    assert system.get(f"/api/v1/dossiers/{d.pk}").status_code == 200
    assert system.get(f"/api/v1/dossiers/{d.pk}/plain-timeline").status_code == 200
    read = DossierRead.objects.get(dossier=d)  # coalesced: one row
    assert read.actor_id is None and read.client.name == "Kho dữ liệu tỉnh"
    assert read.channel == ReadChannel.API and not read.in_active_step
    page = client_for(personas.citizen_a).get(reverse("my_dossiers:detail", args=[d.pk]))
    assert "Hệ thống Kho dữ liệu tỉnh (API)" in page.content.decode()
    # Supervisors list it among the reads outside a step.
    assert [r.pk for r in read_selectors.reads_outside_step(personas.supervisor)] == [read.pk]
    listed = client_for(personas.supervisor).get(reverse("privacy:reads_outside"))
    assert "Hệ thống Kho dữ liệu tỉnh (API)" in listed.content.decode()
    # The applicant may question it: a complaint with the system named.
    url = reverse("my_reads:question", args=[d.pk, read.pk])
    assert client_for(personas.citizen_a).post(url, {"text": "Vì sao?"}).status_code == 302
    read.refresh_from_db()
    assert "Kho dữ liệu tỉnh" in read.question.content
    # A client acting for an officer is that officer, with the client recorded.
    acting = _token("Phần mềm sở", ["dossiers:read"], acting_user=personas.leader_x)
    assert acting.get(f"/api/v1/dossiers/{d.pk}").status_code == 200
    row = DossierRead.objects.get(dossier=d, actor=personas.leader_x)
    assert row.client.name == "Phần mềm sở"
