"""Issue 20 findings 3, 4, 5: behaviour complaints stay invisible to the accused's unit
(monitoring drill-down included, while still counting in 5.4); the audit entry of a
behaviour complaint does not name its sender; anonymous complaints about a dossier need
the dossier's tracking second factor and are throttled before any look-up."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.core.models import AuditEntry
from motcua.dossiers.services.drafts import TRACKING_MAX_FAILURES
from motcua.feedback import services
from motcua.feedback.constants import FeedbackChannel, FeedbackKind
from motcua.feedback.models import Feedback
from motcua.monitoring import drilldown
from tests.dossiers.conftest import version  # noqa: F401
from tests.monitoring.test_drilldown import MARCH, history  # noqa: F401

pytestmark = pytest.mark.django_db


def _complain(client: Client, code: str, factor: str = ""):
    return client.post(
        reverse("feedback_public:submit"),
        {
            "kind": FeedbackKind.BEHAVIOUR,
            "title": "Cán bộ gây phiền hà",
            "content": "Cán bộ yêu cầu nộp thêm giấy tờ không có trong danh mục.",
            "dossier_code": code,
            "dossier_factor": factor,
        },
        REMOTE_ADDR="198.51.100.4",
    )


def _behaviour(personas, dossier, **extra):
    return services.feedback_submit(
        kind=FeedbackKind.BEHAVIOUR,
        title="Cán bộ gây phiền hà",
        content="Cán bộ hẹn lại nhiều lần.",
        channel=FeedbackChannel.PORTAL,
        submitter=personas.citizen_a,
        dossier=dossier,
        **extra,
    )


def test_anonymous_complaint_needs_the_dossier_second_factor(personas, dossier):
    factor = personas.citizen_a.personal_id[-4:]
    c = Client()
    no_factor = _complain(c, dossier.code)
    assert no_factor.status_code == 200 and not Feedback.objects.exists()
    wrong = _complain(c, dossier.code, "0000" if factor != "0000" else "1111")
    missing = _complain(c, "H47.01-000000-9999", factor)
    # The same answer whether the code exists or not: no existence oracle.
    assert "Không tìm thấy hồ sơ" not in wrong.content.decode()
    assert "Mã hồ sơ hoặc 4 số cuối không khớp" in wrong.content.decode()
    assert "Mã hồ sơ hoặc 4 số cuối không khớp" in missing.content.decode()
    assert not Feedback.objects.exists()
    ok = _complain(c, dossier.code, factor)
    assert ok.status_code == 302
    assert Feedback.objects.get().dossier == dossier


def test_dossier_guesses_are_throttled_before_any_lookup(personas, dossier):
    c = Client()
    for _ in range(TRACKING_MAX_FAILURES):
        _complain(c, "H47.01-000000-9999", "1234")
    # Even the right code and factor are refused now: the limit comes first.
    r = _complain(c, dossier.code, personas.citizen_a.personal_id[-4:])
    assert r.status_code == 429
    assert not Feedback.objects.exists()


def test_audit_entry_does_not_name_the_sender_of_a_behaviour_complaint(
    personas, dossier, client_for
):
    _behaviour(personas, dossier, client_ip="198.51.100.5")
    entry = AuditEntry.objects.get(action="feedback.submit")
    assert entry.actor is None and entry.actor_label == "" and entry.ip_address is None
    admin = client_for(personas.admin)
    page = admin.get(reverse("core:audit_detail", args=[entry.pk])).content.decode()
    assert personas.citizen_a.full_name not in page
    assert personas.citizen_a.personal_id not in page
    export = admin.get(reverse("core:audit_export") + "?action=feedback.submit")
    assert personas.citizen_a.personal_id not in b"".join(export.streaming_content).decode()
    # Other feedback keeps naming its sender.
    services.feedback_submit(
        kind=FeedbackKind.REGULATION,
        title="Đề nghị",
        content="Đề nghị đơn giản hóa.",
        channel=FeedbackChannel.PORTAL,
        submitter=personas.citizen_a,
        unit=personas.unit_x,
    )
    assert AuditEntry.objects.filter(actor=personas.citizen_a, action="feedback.submit").exists()


def test_unit_leaders_do_not_see_behaviour_complaints_in_the_drilldown(
    personas,
    staff,
    e_signing,
    client_for,
    history,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    ok, _overdue, _apologised = history
    with django_capture_on_commit_callbacks(execute=True):
        _behaviour(personas, ok)
    url = reverse("monitoring:unit_dossiers", args=[personas.unit_x.pk])
    url += "?kind=unsatisfied&" + MARCH
    # It still counts in 5.4 ...
    counted = drilldown.contributions(
        personas.unit_x, drilldown.period_for("month", ok.received_at.date()), "unsatisfied"
    )
    assert ok.pk in {c.dossier_id for c in counted}
    # ... but the accused's unit sees neither the dossier nor its officer.
    leader = client_for(personas.leader_x).get(url)
    assert leader.status_code == 200
    assert ok.code not in leader.content.decode()
    assert leader.context["hidden_behaviour"] == 1
    # Per officer not even the count: it would point at the accused.
    by_officer = client_for(personas.leader_x).get(url + f"&officer={ok.assignee_id}")
    assert ok.code not in by_officer.content.decode()
    assert by_officer.context["hidden_behaviour"] == 0
    # The province's supervisors (who handle the complaint) see it.
    supervisor = client_for(personas.supervisor).get(url)
    assert ok.code in supervisor.content.decode()
