import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from motcua.dossiers.models import DossierStep
from motcua.notifications import delivery, reminders
from motcua.notifications.channels import SandboxSmsGateway
from motcua.notifications.messages import EVENTS, LANGUAGES, render
from motcua.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    Preference,
    SandboxSms,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(personas):
    c = personas.citizen_a
    c.email = "a@example.vn"
    c.save()
    return c


def test_every_event_has_a_vietnamese_and_an_english_message():
    ctx = {"name": "A", "code": "X-1", "procedure": "Đăng ký khai sinh", "url": "u", "site": "S"}
    for event in EVENTS:
        vi, en = (render(event, lang, ctx) for lang in LANGUAGES)
        assert vi.subject and vi.body and en.subject and en.body, event
        assert vi.subject != en.subject, event


def test_applicant_is_told_of_reception_by_email_sms_and_in_the_centre(
    citizen, make_dossier, receive_and_assign, django_capture_on_commit_callbacks, client_for
):
    with django_capture_on_commit_callbacks(execute=True):
        d = make_dossier(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        d = receive_and_assign(d)
    n = Notification.objects.get(recipient=citizen, event="dossier_received")
    assert d.code in n.subject
    emails = [m for m in mail.outbox if d.code in m.subject]
    assert emails and emails[0].to == ["a@example.vn"]
    assert SandboxSms.objects.filter(to=citizen.phone, text__contains=d.code).exists()
    assert not any(ch in SandboxSms.objects.last().text for ch in "ăâđêôơư")  # GSM-safe
    # The specialist assigned hears about it too.
    assert Notification.objects.filter(recipient=d.assignee, event="dossier_assigned").exists()
    page = client_for(citizen).get("/thong-bao/")
    assert page.status_code == 200 and d.code in page.content.decode()


def test_preferences_turn_channels_off_and_choose_english(
    citizen, make_dossier, django_capture_on_commit_callbacks, client_for
):
    resp = client_for(citizen).post(
        "/thong-bao/tuy-chon/", {"email_enabled": "", "sms_enabled": "", "language": "en"}
    )
    assert resp.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        make_dossier(citizen)
    n = Notification.objects.get(recipient=citizen)
    assert n.subject == "Your application has been submitted"
    assert not n.deliveries.exists() and not mail.outbox


def test_failed_sms_is_retried_with_backoff_and_recorded(citizen, make_dossier, monkeypatch):
    Preference.objects.create(user=citizen, email_enabled=False)
    monkeypatch.setattr(SandboxSmsGateway, "fail", True)
    from motcua.notifications.services import notify

    notify(recipient=citizen, event="dossier_submitted", context={"procedure": "P"})
    sms = Delivery.objects.get(channel=Channel.SMS)
    now = timezone.now()
    delivery.deliver_due(now=now)
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.PENDING and sms.attempts == 1
    assert sms.next_attempt_at == now + dt.timedelta(seconds=60)
    monkeypatch.setattr(SandboxSmsGateway, "fail", False)
    delivery.deliver_due(now=sms.next_attempt_at)
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT and sms.attempts == 2
    assert [a.ok for a in sms.log.all()] == [False, True]


def test_officer_is_reminded_once_before_a_step_deadline(make_dossier, receive_and_assign):
    d = receive_and_assign(make_dossier())
    step = DossierStep.objects.filter(dossier=d, status="active").first()
    assert step is not None
    now = step.due_at - dt.timedelta(hours=3)
    assert reminders.remind_step_deadlines(now=now) == 1
    assert reminders.remind_step_deadlines(now=now + dt.timedelta(hours=1)) == 0  # once
    n = Notification.objects.get(event="step_due_soon")
    assert n.recipient in (step.assignee, d.assignee)


def test_leaders_get_one_daily_digest(personas, make_dossier, receive_and_assign):
    d = receive_and_assign(make_dossier())
    now = d.due_at + dt.timedelta(days=1)  # the dossier is overdue by then
    assert reminders.leader_daily_digest(now=now) >= 1
    assert reminders.leader_daily_digest(now=now) == 0
    n = Notification.objects.get(event="leader_digest", recipient=personas.leader_x)
    assert d.code in n.body


def test_notifications_are_private(personas, citizen):
    from django.test import Client

    from motcua.core.testing.personas import login
    from motcua.notifications.services import notify

    n = notify(recipient=citizen, event="dossier_submitted", context={"procedure": "P"})
    other = login(Client(), personas.citizen_b)
    assert other.post(f"/thong-bao/{n.pk}/mo/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None
