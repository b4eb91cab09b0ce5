"""Stop-the-clock from delivery (issue 26 point 3, law.md R12c): the supplement pause
starts at the first evidence that the notice reached the applicant — a delayed SMS
delivery report, the portal page, the receptionist's phone call — not when written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.core.audit import AuditEntry
from motcua.dossiers import services
from motcua.dossiers.constants import PauseKind
from motcua.dossiers.models import SupplementNotice
from motcua.dossiers.services.notice import supplement_notices_escalate
from motcua.notifications.channels import SandboxSmsGateway
from motcua.notifications.delivery import deliver_due, delivery_report_receive
from motcua.notifications.models import Delivery, Notification, SandboxSms

from .conftest import MONDAY, TZ

H = dt.timedelta(hours=1)
T0 = MONDAY + 2 * H  # Mon 02/03/2026 10:00: the specialist writes the notice


def _request(d, staff, capture):
    with capture(execute=True):
        return services.dossier_request_supplement(
            dossier=d,
            actor=staff.specialist_x,
            expected_version=d.version,
            reason="Thiếu tờ khai",
            now=T0,
        )


def _sms_ref(d):
    deliver_due(now=T0 + dt.timedelta(seconds=5))
    delivery = Delivery.objects.get(
        notification__dossier=d, notification__event="dossier_supplement_requested", channel="sms"
    )
    assert delivery.status == "sent" and delivery.provider_ref
    return delivery


def test_a_delayed_sms_delivery_report_starts_the_pause(
    personas, staff, in_process, settings, django_capture_on_commit_callbacks
):
    settings.MOTCUA_SUPPLEMENT_CLOCK_POLICY = "subtract"
    d = _request(in_process, staff, django_capture_on_commit_callbacks)
    notice = SupplementNotice.objects.get(dossier=d)
    assert notice.written_at == T0 and notice.delivered_at is None
    assert not d.pauses.exists()  # written, not delivered: the clock keeps running
    delivery = _sms_ref(d)
    # The provider's report arrives a working day later: Tue 03/03 10:00.
    t1 = T0 + dt.timedelta(days=1)
    assert delivery_report_receive(provider_ref=delivery.provider_ref, now=t1)
    pause = d.pauses.get()
    assert (pause.kind, pause.started_at, pause.written_at) == (PauseKind.SUPPLEMENT, t1, T0)
    assert pause.delivery_channel == "sms"
    notice.refresh_from_db()
    assert (notice.delivered_at, notice.channel) == (t1, "sms")
    assert notice.evidence == f"sms:{delivery.provider_ref}"
    delivery.refresh_from_db()
    assert delivery.delivered_at == t1
    entry = AuditEntry.objects.filter(action="supplement_notice.delivered").get()
    assert dt.datetime.fromisoformat(entry.after["written_at"]) == T0
    assert dt.datetime.fromisoformat(entry.after["delivered_at"]) == t1
    # A second report (or a later portal view) changes nothing.
    delivery_report_receive(provider_ref=delivery.provider_ref, now=t1 + H)
    assert d.pauses.get().started_at == t1
    # The complete supplement arrives Wed 04/03 10:00. Working time by hand: received
    # Mon 08:00, 5 working days → due Mon 09/03 08:00; the clock ran Mon 10:00 → Tue
    # 10:00 (the undelivered notice) and stopped Tue 10:00 → Wed 10:00 = 8 working
    # hours subtracted → Tue 10/03 08:00. From the writing it would be 16 hours → Wed
    # 11/03 08:00.
    d.refresh_from_db()
    d = services.dossier_supplement_provided(
        dossier=d,
        actor=personas.citizen_a,
        expected_version=d.version,
        now=T0 + dt.timedelta(days=2),
    )
    assert d.due_at == dt.datetime(2026, 3, 10, 8, 0, tzinfo=TZ)


def test_the_sandbox_reports_later_and_not_for_unreachable_phones(
    personas, staff, in_process, settings, django_capture_on_commit_callbacks
):
    d = _request(in_process, staff, django_capture_on_commit_callbacks)
    delivery = _sms_ref(d)
    settings.MOTCUA_SMS_SANDBOX_UNREACHABLE = [delivery.address]
    assert SandboxSmsGateway.report_due(now=timezone.now() + H) == 0
    assert not d.pauses.exists()
    settings.MOTCUA_SMS_SANDBOX_UNREACHABLE = []
    assert SandboxSmsGateway.report_due(now=timezone.now()) == 0  # not yet: 30 s later
    later = timezone.now() + dt.timedelta(seconds=31)
    assert SandboxSmsGateway.report_due(now=later) == 1
    assert SandboxSms.objects.get(ref=delivery.provider_ref).reported_at == later
    assert d.pauses.get().started_at == later


def test_the_portal_view_first_starts_the_pause(
    personas, staff, in_process, client_for, django_capture_on_commit_callbacks
):
    d = _request(in_process, staff, django_capture_on_commit_callbacks)
    delivery = _sms_ref(d)
    # Another officer opening the page is no evidence.
    client_for(staff.specialist_x).get(reverse("dossiers:detail", args=[d.pk]))
    assert not d.pauses.exists()
    before = timezone.now()
    page = client_for(personas.citizen_a).get(reverse("my_dossiers:detail", args=[d.pk]))
    assert page.status_code == 200 and "Thiếu tờ khai" in page.content.decode()
    pause = d.pauses.get()
    assert before <= pause.started_at <= timezone.now()
    assert pause.delivery_channel == "portal" and pause.written_at == T0
    # The SMS report arriving afterwards does not move the start.
    delivery_report_receive(provider_ref=delivery.provider_ref, now=timezone.now() + H)
    assert d.pauses.get().started_at == pause.started_at
    html = client_for(personas.receptionist_x).get(reverse("dossiers:detail", args=[d.pk]))
    assert "Người nộp đã nhận lúc" in html.content.decode()


def test_no_evidence_escalates_to_the_receptionist_who_phones(
    personas, staff, in_process, client_for, settings, django_capture_on_commit_callbacks
):
    settings.MOTCUA_SUPPLEMENT_DELIVERY_ESCALATE_HOURS = 24
    d = _request(in_process, staff, django_capture_on_commit_callbacks)
    assert supplement_notices_escalate(now=T0 + 23 * H) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert supplement_notices_escalate(now=T0 + 25 * H) == 1
    assert supplement_notices_escalate(now=T0 + 26 * H) == 0  # once
    note = Notification.objects.get(
        recipient=personas.receptionist_x, event="supplement_undelivered"
    )
    assert d.code in note.subject
    url = reverse("dossiers:detail", args=[d.pk])
    page = client_for(personas.receptionist_x).get(url).content.decode()
    assert "Chưa có bằng chứng người nộp đã nhận" in page
    assert "Đã gọi điện, người nộp đã nhận thông báo" in page
    phoned = reverse("dossiers:supplement_phoned", args=[d.pk])
    # Only a receptionist of the receiving unit records the call.
    assert client_for(staff.specialist_x).post(phoned, {"note": "x"}).status_code == 403
    assert not d.pauses.exists()
    before = timezone.now()
    response = client_for(personas.receptionist_x).post(phoned, {"note": "Đã gọi 0905"})
    assert response.status_code == 302
    pause = d.pauses.get()
    assert before <= pause.started_at <= timezone.now()
    assert pause.delivery_channel == "phone"
    notice = SupplementNotice.objects.get(dossier=d)
    assert notice.delivered_by == personas.receptionist_x and "Đã gọi 0905" in notice.evidence
    # A second record is refused with a clear message, never a 500.
    again = client_for(personas.receptionist_x).post(phoned, {"note": ""}, follow=True)
    assert again.status_code == 200 and "Không có thông báo bổ sung" in again.content.decode()


@pytest.mark.parametrize("policy", ["restart", "subtract"])
def test_a_reply_before_any_evidence_is_the_evidence(personas, staff, in_process, settings, policy):
    settings.MOTCUA_SUPPLEMENT_CLOCK_POLICY = policy
    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Thiếu tờ khai",
        now=T0,
    )
    t2 = T0 + dt.timedelta(days=1)
    d = services.dossier_supplement_provided(
        dossier=d, actor=personas.citizen_a, expected_version=d.version, now=t2
    )
    pause = d.pauses.get()
    assert (pause.started_at, pause.ended_at, pause.delivery_channel) == (t2, t2, "reply")
    expected = {
        # restart from zero at the reply: Tue 10:00 + 5 working days
        "restart": dt.datetime(2026, 3, 10, 10, 0, tzinfo=TZ),
        # nothing waited: the original due date
        "subtract": dt.datetime(2026, 3, 9, 8, 0, tzinfo=TZ),
    }[policy]
    assert d.due_at == expected


def test_the_worklist_clock_runs_until_delivery(personas, staff, in_process):
    from motcua.dossiers import selectors as sel

    d = services.dossier_request_supplement(
        dossier=in_process,
        actor=staff.specialist_x,
        expected_version=in_process.version,
        reason="Thiếu tờ khai",
        now=T0,
    )
    # Undelivered: the clock runs, and past the due date (Mon 09/03 08:00) it is late.
    assert sel.time_state_of(d, now=T0 + H).flag == "within"
    late = dt.datetime(2026, 3, 9, 9, 0, tzinfo=TZ)
    assert sel.time_state_of(d, now=late).flag == "overdue"
    services.supplement_notice_delivered(dossier=d, channel="sms", now=T0 + H)
    d = type(d).objects.get(pk=d.pk)
    assert sel.time_state_of(d, now=late).flag == "paused"


def test_the_providers_report_callback(
    personas, staff, in_process, client, settings, django_capture_on_commit_callbacks
):
    d = _request(in_process, staff, django_capture_on_commit_callbacks)
    delivery = _sms_ref(d)
    url = reverse("notifications:sms_report")
    body = {"id": delivery.provider_ref, "status": "delivered"}
    assert client.post(url, body, content_type="application/json").status_code == 404
    settings.MOTCUA_SMS_REPORT_TOKEN = "s3cret"
    bad = {"HTTP_AUTHORIZATION": "Bearer nope"}
    assert client.post(url, body, content_type="application/json", **bad).status_code == 401
    ok = {"HTTP_AUTHORIZATION": "Bearer s3cret"}
    assert client.post(url, "{", content_type="application/json", **ok).status_code == 400
    unknown = {"id": "nope"}
    assert client.post(url, unknown, content_type="application/json", **ok).status_code == 404
    before = timezone.now()
    assert client.post(url, body, content_type="application/json", **ok).status_code == 200
    pause = d.pauses.get()
    assert before <= pause.started_at <= timezone.now() and pause.delivery_channel == "sms"


def test_monitoring_follows_the_delivery(
    personas, staff, in_process, django_capture_on_commit_callbacks
):
    from motcua.monitoring.models import DossierContribution

    d = _request(in_process, staff, django_capture_on_commit_callbacks)
    # Judged at the end of March: undelivered, the clock ran past the due moment (Mon
    # 09/03 08:00), so the dossier counts late.
    before = DossierContribution.objects.get(dossier=d)
    with django_capture_on_commit_callbacks(execute=True):
        services.supplement_notice_delivered(dossier=d, channel="sms", now=T0 + H)
    # Delivered the same day: the supplement is awaited, not late.
    after = DossierContribution.objects.get(dossier=d)
    assert (before.on_time_766, after.on_time_766) == (False, True)
