"""Issue 26 done-when: on a 360 px phone a citizen sees the read log of their dossier
after two officers opened it, questions one entry, and inspection receives it."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from motcua.core.testing.fixtures import (
    MONDAY,
    assign_dossier,
    make_published_version,
    receive_dossier,
    submit_online_dossier,
)
from motcua.core.testing.personas import PASSWORD, build_personas, login, make_officer
from motcua.feedback.constants import FeedbackKind
from motcua.org.constants import Role
from motcua.privacy.models import DossierRead

pytestmark = pytest.mark.e2e


def test_citizen_questions_a_read_of_their_dossier_on_a_phone(mobile_page, transactional_db):
    p = build_personas()
    specialist = make_officer("chuyenvien.x", p.unit_x, Role.SPECIALIST, full_name="Lê Văn Xem")
    version = make_published_version(p.unit_x)
    d = submit_online_dossier(version=version, applicant=p.citizen_a, unit=p.unit_x, now=MONDAY)
    d = receive_dossier(d, receptionist=p.receptionist_x, now=MONDAY)
    d = assign_dossier(
        d, leader=p.leader_x, assignee=specialist, now=MONDAY + dt.timedelta(hours=1)
    )
    # Two officers open the dossier page: the specialist appraising it, and the
    # receptionist who holds no step of it any more.
    for officer in (specialist, p.receptionist_x):
        assert (
            login(Client(), officer).get(reverse("dossiers:detail", args=[d.pk])).status_code == 200
        )
    assert DossierRead.objects.filter(dossier=d).count() == 2

    page = mobile_page
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập", exact=False).first.fill(p.citizen_a.personal_id)
    page.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").last.click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    page.goto(f"/ho-so/{d.pk}/")
    log = page.locator("#reads")
    log.get_by_text("Ai đã xem hồ sơ của bạn").wait_for()
    entries = log.locator(".read-entry")
    assert entries.count() == 2
    text = log.inner_text()
    assert "Chuyên viên xử lý" in text and "Cán bộ tiếp nhận" in text and "Thẩm định" in text
    assert "Lê Văn Xem" not in text  # unit and role, never the officer's name
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Question the receptionist's read (outside an active step).
    outside = entries.filter(has_text="ngoài bước xử lý được giao")
    outside.get_by_role("link", name="Hỏi về lượt xem này").click()
    page.wait_for_url("**/luot-xem/*/hoi/")
    page.get_by_label("Bạn muốn hỏi điều gì?", exact=False).fill(
        "Hồ sơ đã chuyển đi, vì sao cán bộ tiếp nhận còn mở xem?"
    )
    page.get_by_role("button", name="Gửi câu hỏi").click()
    page.wait_for_url("**/phan-anh-kien-nghi/PA-*/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    read = DossierRead.objects.get(dossier=d, actor=p.receptionist_x)
    item = read.question
    assert item is not None and item.kind == FeedbackKind.BEHAVIOUR
    assert item.subject_officer_id == p.receptionist_x.pk
    # Inspection (the province's supervisor) receives it in the feedback queue; the
    # officer questioned and the leader of their unit do not.
    supervisor = login(Client(), p.supervisor)
    queue = supervisor.get(reverse("feedback:queue")).content.decode()
    assert item.code in queue
    assert supervisor.get(reverse("feedback:detail", args=[item.pk])).status_code == 200
    for officer in (p.receptionist_x, p.leader_x, specialist):
        assert (
            login(Client(), officer).get(reverse("feedback:detail", args=[item.pk])).status_code
            == 404
        )
    # Back on the dossier, the entry says it was questioned.
    page.goto(f"/ho-so/{d.pk}/")
    page.locator("#reads").get_by_text("Bạn đã hỏi về lượt xem này").wait_for()
