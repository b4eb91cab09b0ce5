"""Consultations (Decree 61/2018 Art. 19(5); Decree 118/2025 Art. 19(4); law.md R16a):
each consulted body has its own answer deadline, inside the dossier's due moment, and a
body still silent at its deadline is reported once to the head of the one-stop unit."""

import datetime as dt

import pytest
from django.urls import reverse

from motcua.dossiers import selectors, services
from motcua.dossiers.constants import DossierStatus as S
from motcua.notifications.models import Notification
from motcua.notifications.reminders import notify_late_consultations

from .conftest import MONDAY, TZ

pytestmark = pytest.mark.django_db


def at(d, hh, mm=0):
    return dt.datetime(2026, 3, d, hh, mm, tzinfo=TZ)


def consult(d, actor, units, days, now):
    return services.dossier_start_consultation(
        dossier=d,
        actor=actor,
        expected_version=d.version,
        reason="Xin ý kiến về nơi cư trú",
        consulted_units=units,
        answer_days=days,
        now=now,
    )


def test_each_body_has_its_deadline_and_the_head_is_told_once(personas, staff, in_process):
    # Received Mon 02/03/2026 08:00, 5 working days -> due Mon 09/03 08:00. Consulted
    # on Mon 10:00 for 2 working days -> answer by Wed 04/03 10:00.
    assert in_process.due_at == at(9, 8)
    d = consult(in_process, staff.specialist_x, [personas.unit_y], 2, at(2, 10))
    assert d.status == S.IN_CONSULTATION
    bodies = selectors.consultation_bodies(d)
    assert [(b.unit, b.answer_by) for b in bodies] == [(personas.unit_y, at(4, 10))]

    assert notify_late_consultations(now=at(4, 9, 59)) == 0
    assert notify_late_consultations(now=at(4, 10, 1)) == 1  # leader X heads unit X
    assert notify_late_consultations(now=at(4, 11)) == 0  # once per body and deadline
    notice = Notification.objects.get(event="consultation_late")
    assert notice.recipient == personas.leader_x
    assert personas.unit_y.name in notice.body and d.code in notice.subject


def test_a_deadline_after_the_dossier_due_is_brought_back_to_it(personas, staff, in_process):
    # 10 working days from Mon 02/03 10:00 would be Mon 16/03 10:00, after the dossier's
    # due moment Mon 09/03 08:00: the body must answer by then (R3a), with a warning.
    d = consult(in_process, staff.specialist_x, [personas.unit_y], 10, at(2, 10))
    assert [b.answer_by for b in selectors.consultation_bodies(d)] == [at(9, 8)]
    assert any("rút về hạn giải quyết" in w for w in d.warnings)


def test_the_page_asks_for_the_deadline_and_lists_the_bodies(
    personas, staff, in_process, client_for
):
    client = client_for(staff.specialist_x)
    page = client.get(reverse("dossiers:detail", args=[in_process.pk])).content.decode()
    assert "Thời hạn trả lời của mỗi cơ quan (ngày làm việc)" in page
    response = client.post(
        reverse("dossiers:act", args=[in_process.pk, "start_consultation"]),
        {
            "start_consultation-expected_version": in_process.version,
            "start_consultation-reason": "Xin ý kiến",
            "start_consultation-consulted_units": [personas.unit_y.pk],
            "start_consultation-answer_days": 3,
        },
    )
    assert response.status_code in (200, 302)
    page = client.get(reverse("dossiers:detail", args=[in_process.pk])).content.decode()
    assert "Cơ quan được lấy ý kiến" in page and personas.unit_y.name in page
    # The dossier (due Mon 09/03/2026) is already overdue today: the body still gets its
    # 3 working days from now, so it is not late yet.
    assert "Quá hạn trả lời" not in page
    d = type(in_process).objects.get(pk=in_process.pk)
    [body] = selectors.consultation_bodies(d)
    assert body.answer_by > d.due_at > MONDAY and not body.late


def test_the_api_takes_the_answer_time_like_the_page(personas, staff, in_process, client_for):
    c = client_for(staff.specialist_x)
    body = {
        "expected_version": in_process.version,
        "reason": "Xin ý kiến",
        "consulted_units": [personas.unit_y.pk],
        "answer_days": 0,
    }
    url = f"/api/v1/dossiers/{in_process.pk}/actions/start_consultation"
    assert c.post(url, body, content_type="application/json").status_code == 422
    body["answer_days"] = 3
    assert c.post(url, body, content_type="application/json").status_code == 200
    d = type(in_process).objects.get(pk=in_process.pk)
    [body_] = selectors.consultation_bodies(d)
    assert body_.unit == personas.unit_y and body_.answer_by is not None
