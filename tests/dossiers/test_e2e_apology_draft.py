"""Issue 27 point 2 in headless Chromium: a dossier predicted late (its officer's recent
completions were all late) gets a draft Form 04 on the head's page "Phiếu xin lỗi chờ
ký"; the head of unit signs it there, more than 1 working day before the deadline
(law.md R14, Decree 118/2025 Art. 19(6)): the dossier is extended, the Form 04 copy is
signed (PAdES) with the head's credential and the applicant is notified."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.core.testing.fixtures import receive_dossier, submit_online_dossier
from motcua.dossiers import deadlines, forms_pdf
from motcua.dossiers.models import Dossier
from motcua.monitoring.apology import apology_drafts
from motcua.notifications.models import Notification
from tests.dossiers.test_e2e_backoffice import login_officer

pytestmark = pytest.mark.e2e


def _dossier(personas, version):
    d = submit_online_dossier(version=version, applicant=personas.citizen_a, unit=personas.unit_x)
    return receive_dossier(d, receptionist=personas.receptionist_x)


def test_the_head_signs_the_drafted_apology_before_the_deadline(
    page, transactional_db, personas, staff, version, e_signing
):
    now = timezone.now()
    officer = staff.specialist_x
    # the officer's recent history: two dossiers completed after their first appointment
    for days in (3, 6):
        old = _dossier(personas, version)
        Dossier.objects.filter(pk=old.pk).update(
            status="resolved",
            assignee=officer,
            original_due_at=now - dt.timedelta(days=days + 2),
            completed_at=now - dt.timedelta(days=days),
        )
    d = _dossier(personas, version)
    Dossier.objects.filter(pk=d.pk).update(assignee=officer)
    d.refresh_from_db()
    cal = deadlines.calendar_for(personas.unit_x)
    assert cal.remaining_seconds(now, d.due_at) >= cal.day_seconds  # still in time (R14)
    drafts = apology_drafts([personas.unit_x])
    assert [x.dossier.pk for x in drafts] == [d.pk]
    draft = drafts[0]
    assert draft.sign_by < d.due_at and draft.proposed_due_at > d.due_at

    login_officer(page, personas.leader_x)
    page.goto("/quan-tri/giam-sat/xin-loi/")
    card = page.locator(f"section.apology-draft[data-dossier='{d.code}']")
    card.wait_for()
    assert "Ký chậm nhất" in card.inner_text()
    assert card.locator("textarea").input_value().startswith("Theo tốc độ xử lý")
    # signing (PAdES) takes a few seconds on a loaded machine
    card.get_by_role("button", name="Ký số phiếu xin lỗi và gửi người nộp").click(timeout=60_000)
    page.get_by_text("Đã thực hiện: Xin lỗi và hẹn lại ngày trả kết quả.").wait_for(timeout=60_000)

    after = Dossier.objects.get(pk=d.pk)
    assert after.extended_at is not None and after.extended_at <= draft.sign_by
    assert after.due_before_extension == d.due_at
    assert timezone.localtime(after.due_at).date() == draft.proposed_due_at.date()
    signed = forms_pdf.signed_form_of(after, "04")
    assert signed is not None  # Form 04 signed with the head's own credential (PAdES)
    assert Notification.objects.filter(
        recipient=personas.citizen_a, event="dossier_extended", dossier=after
    ).exists()
    # signed: no draft any more
    page.goto("/quan-tri/giam-sat/xin-loi/")
    page.get_by_text("Không có hồ sơ nào được dự báo trễ hạn cần phiếu xin lỗi.").wait_for()
