"""Consent at the counter (law.md R4a, issue 26 point 4): the citizen confirms a dossier
submitted on their account with a one-time SMS code read out to the receptionist; without
it the dossier is marked and the citizen answers on the portal."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.core.models import AuditEntry
from motcua.core.testing.files import tiny_pdf
from motcua.core.testing.personas import login
from motcua.dossiers import services
from motcua.dossiers.errors import DossierError, IllegalTransition, NotPermitted
from motcua.dossiers.models import ConsentAnswer, ConsentState, CounterConsent
from motcua.dossiers.services import consent as svc
from motcua.feedback.constants import FeedbackKind
from motcua.notifications.channels import SandboxSmsGateway
from motcua.notifications.models import SandboxSms

from .conftest import MONDAY

CODE_RE = re.compile(r"Ma xac nhan (\d{6})\b")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def received(personas, version):
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


def _last_code(phone: str) -> str:
    sms = SandboxSms.objects.filter(to=phone).order_by("-pk").first()
    assert sms is not None
    found = CODE_RE.search(sms.text)
    assert found, sms.text
    return found.group(1)


def _consent(d) -> CounterConsent:
    return CounterConsent.objects.get(dossier=d)


# --- services -----------------------------------------------------------------------------


def test_reception_at_the_counter_opens_a_pending_consent(received):
    c = _consent(received)
    assert c.state == ConsentState.PENDING and c.without_consent
    assert AuditEntry.objects.filter(action="counter_consent.open", object_id=str(c.pk)).exists()


def test_right_code_confirms_at_server_time_and_is_spent(personas, received):
    c = svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    assert c.phone == personas.citizen_a.phone
    code = _last_code(c.phone)
    assert received.code in SandboxSms.objects.last().text
    before = timezone.now()
    c = svc.counter_consent_confirm(dossier=received, actor=personas.receptionist_x, code=code)
    assert c.state == ConsentState.CONFIRMED and not c.without_consent
    assert c.confirmed_by == personas.receptionist_x
    assert c.confirmed_at >= before
    assert c.code_hash == ""  # spent
    assert AuditEntry.objects.filter(action="counter_consent.confirm", object_id=str(c.pk)).exists()
    with pytest.raises(IllegalTransition):
        svc.counter_consent_confirm(dossier=received, actor=personas.receptionist_x, code=code)


def test_the_code_is_never_stored_in_clear(personas, received):
    c = svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    code = _last_code(c.phone)
    c.refresh_from_db()
    stored = " ".join(
        str(v) for v in CounterConsent.objects.filter(pk=c.pk).values().first().values()
    )
    assert code not in stored
    assert len(c.code_hash) == 64
    audit = " ".join(str(e.after) for e in AuditEntry.objects.filter(object_id=str(c.pk)))
    assert code not in audit


def test_wrong_code_uses_an_attempt_and_is_refused(personas, received):
    c = svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    code = _last_code(c.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(svc.ConsentRefused, match="còn 4 lần"):
        svc.counter_consent_confirm(dossier=received, actor=personas.receptionist_x, code=wrong)
    c.refresh_from_db()
    assert c.attempts == 1 and c.state == ConsentState.PENDING
    assert AuditEntry.objects.filter(action="counter_consent.wrong_code").count() == 1
    # The right code still works after a wrong one.
    svc.counter_consent_confirm(dossier=received, actor=personas.receptionist_x, code=code)


def test_too_many_attempts_burn_the_code(personas, received):
    c = svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    code = _last_code(c.phone)
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    for _ in range(svc.MAX_ATTEMPTS):
        with pytest.raises(svc.ConsentRefused):
            svc.counter_consent_confirm(dossier=received, actor=personas.receptionist_x, code=wrong)
    with pytest.raises(svc.ConsentRefused, match="quá 5 lần"):
        svc.counter_consent_confirm(dossier=received, actor=personas.receptionist_x, code=code)
    # A new code starts again.
    c = svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    svc.counter_consent_confirm(
        dossier=received, actor=personas.receptionist_x, code=_last_code(c.phone)
    )
    assert _consent(received).state == ConsentState.CONFIRMED


def test_expired_code_is_refused(personas, received):
    sent = timezone.now() - dt.timedelta(minutes=11)
    c = svc.counter_consent_request(dossier=received, actor=personas.receptionist_x, now=sent)
    code = _last_code(c.phone)
    with pytest.raises(svc.ConsentRefused, match="hết hạn"):
        svc.counter_consent_confirm(dossier=received, actor=personas.receptionist_x, code=code)
    assert _consent(received).state == ConsentState.PENDING


def test_a_new_code_replaces_the_old_one(personas, received):
    c = svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    old = _last_code(c.phone)
    svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    new = _last_code(c.phone)
    if old != new:
        with pytest.raises(svc.ConsentRefused):
            svc.counter_consent_confirm(dossier=received, actor=personas.receptionist_x, code=old)
    svc.counter_consent_confirm(dossier=received, actor=personas.receptionist_x, code=new)


def test_sms_outage_is_a_clear_error_and_no_code_is_live(personas, received, monkeypatch):
    monkeypatch.setattr(SandboxSmsGateway, "fail", True)
    with pytest.raises(svc.ConsentRefused, match="Không gửi được tin nhắn"):
        svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    c = _consent(received)
    assert not c.code_live() and c.state == ConsentState.PENDING


def test_only_receptionists_of_the_receiving_unit(personas, staff, received):
    for officer in (staff.receptionist_y, personas.leader_x, personas.supervisor):
        with pytest.raises(NotPermitted):
            svc.counter_consent_request(dossier=received, actor=officer)
        with pytest.raises(NotPermitted):
            svc.counter_consent_waive(dossier=received, actor=officer, reason="Không mang ĐT")
    assert not SandboxSms.objects.exists()


def test_waive_marks_the_dossier_with_the_reason(personas, received):
    with pytest.raises(DossierError):
        svc.counter_consent_waive(dossier=received, actor=personas.receptionist_x, reason=" ")
    c = svc.counter_consent_waive(
        dossier=received, actor=personas.receptionist_x, reason="Người nộp không mang điện thoại"
    )
    assert c.state == ConsentState.ABSENT and c.without_consent
    assert c.waived_by == personas.receptionist_x
    assert AuditEntry.objects.filter(action="counter_consent.waive").exists()
    with pytest.raises(IllegalTransition):
        svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)


# --- receptionist pages ------------------------------------------------------------------


def test_receptionist_sends_the_code_and_confirms_it_on_the_page(personas, received):
    client = login(Client(), personas.receptionist_x)
    form01 = client.get(reverse("dossiers:form01", args=[received.pk])).content.decode()
    assert reverse("dossiers:consent", args=[received.pk]) in form01
    url = reverse("dossiers:consent", args=[received.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Gửi mã xác nhận" in page.content.decode()
    response = client.post(url, {"step": "send"}, follow=True)
    assert "Đã gửi mã xác nhận" in response.content.decode()
    bad = client.post(url, {"step": "confirm", "code": "12"})
    assert bad.status_code == 400 and "Mã gồm 6 chữ số" in bad.content.decode()
    code = _last_code(personas.citizen_a.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = client.post(url, {"step": "confirm", "code": wrong})
    assert refused.status_code == 400 and "Mã không đúng" in refused.content.decode()
    done = client.post(url, {"step": "confirm", "code": code})
    assert done.status_code == 302
    assert _consent(received).state == ConsentState.CONFIRMED
    detail = client.get(reverse("dossiers:detail", args=[received.pk])).content.decode()
    assert "Người nộp đã xác nhận bằng mã một lần" in detail


def test_receptionist_continues_without_consent(personas, received):
    client = login(Client(), personas.receptionist_x)
    url = reverse("dossiers:consent", args=[received.pk])
    assert client.post(url, {"step": "waive", "reason": ""}).status_code == 400
    response = client.post(url, {"step": "waive", "reason": "Gửi qua bưu chính"})
    assert response.status_code == 302
    assert _consent(received).state == ConsentState.ABSENT
    detail = client.get(reverse("dossiers:detail", args=[received.pk])).content.decode()
    assert "Nộp không có xác nhận của người nộp" in detail


def test_consent_page_is_for_the_receiving_units_receptionists_only(personas, staff, received):
    url = reverse("dossiers:consent", args=[received.pk])
    assert login(Client(), personas.leader_x).get(url).status_code == 403
    assert login(Client(), personas.leader_x).post(url, {"step": "send"}).status_code == 403
    assert login(Client(), staff.receptionist_y).get(url).status_code == 404
    assert login(Client(), personas.citizen_a).get(url).status_code == 403
    assert not SandboxSms.objects.exists()


def test_no_consent_page_for_online_dossiers(personas, submitted):
    url = reverse("dossiers:consent", args=[submitted.pk])
    assert login(Client(), personas.receptionist_x).get(url).status_code == 404


# --- the citizen's notice ------------------------------------------------------------------


def test_citizen_is_told_and_confirms(personas, received):
    svc.counter_consent_waive(
        dossier=received, actor=personas.receptionist_x, reason="Không mang điện thoại"
    )
    client = login(Client(), personas.citizen_a)
    for url in (
        reverse("accounts:my_account"),
        reverse("my_dossiers:list"),
        reverse("my_dossiers:detail", args=[received.pk]),
    ):
        page = client.get(url).content.decode()
        assert "chưa có xác nhận của bạn" in page and received.code in page, url
    other = login(Client(), personas.citizen_b).get(reverse("my_dossiers:list")).content.decode()
    assert received.code not in other
    response = client.post(
        reverse("my_dossiers:consent", args=[received.pk]),
        {"answer": "confirmed", "next": reverse("accounts:my_account")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:my_account")
    c = _consent(received)
    assert c.answer == ConsentAnswer.CONFIRMED and c.feedback is None
    assert "consent-notice" not in client.get(reverse("accounts:my_account")).content.decode()
    assert AuditEntry.objects.filter(action="counter_consent.answer").exists()
    # Once only.
    again = client.post(
        reverse("my_dossiers:consent", args=[received.pk]), {"answer": "disowned"}, follow=True
    )
    assert "Bạn đã trả lời" in again.content.decode()


def test_citizen_reports_a_dossier_they_did_not_submit(personas, received):
    # Left pending at the counter (no live code): the notice shows it too.
    client = login(Client(), personas.citizen_a)
    assert received.code in client.get(reverse("my_dossiers:list")).content.decode()
    response = client.post(
        reverse("my_dossiers:consent", args=[received.pk]),
        {
            "answer": "disowned",
            "text": "Tôi không đến Bộ phận Một cửa hôm đó.",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("my_dossiers:list")
    c = _consent(received)
    assert c.answer == ConsentAnswer.DISOWNED and c.state == ConsentState.ABSENT
    item = c.feedback
    assert item.kind == FeedbackKind.BEHAVIOUR
    assert item.subject_officer_id == personas.receptionist_x.pk
    assert item.dossier_id == received.pk
    assert "không đến" in item.content
    assert "consent-notice" not in client.get(reverse("my_dossiers:list")).content.decode()


def test_no_notice_while_a_code_is_live_or_after_confirmation(personas, received):
    c = svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    client = login(Client(), personas.citizen_a)
    assert "consent-notice" not in client.get(reverse("my_dossiers:list")).content.decode()
    svc.counter_consent_confirm(
        dossier=received, actor=personas.receptionist_x, code=_last_code(c.phone)
    )
    assert "consent-notice" not in client.get(reverse("my_dossiers:list")).content.decode()
    response = client.post(
        reverse("my_dossiers:consent", args=[received.pk]), {"answer": "confirmed"}
    )
    assert response.status_code == 302
    assert _consent(received).answer == ConsentAnswer.NONE


def test_another_citizen_cannot_answer(personas, received):
    client = login(Client(), personas.citizen_b)
    response = client.post(
        reverse("my_dossiers:consent", args=[received.pk]), {"answer": "disowned"}
    )
    assert response.status_code == 404
    assert _consent(received).answer == ConsentAnswer.NONE


def test_sandbox_inbox_shows_a_citizen_only_their_own_number(personas, received):
    svc.counter_consent_request(dossier=received, actor=personas.receptionist_x)
    code = _last_code(personas.citizen_a.phone)
    url = reverse("sandbox_sms:inbox")
    assert code in login(Client(), personas.citizen_a).get(url).content.decode()
    assert code not in login(Client(), personas.citizen_b).get(url).content.decode()
    officer = login(Client(), personas.receptionist_x)
    assert code in officer.get(url, {"so": personas.citizen_a.phone}).content.decode()
    assert Client().get(url).status_code == 302
