"""Gaming signals page (law.md R28b): supervisors only, scoped to their units, filters,
evidence, confirm / dismiss with a reason, audited; bad input is a clear message."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.core.models import AuditEntry
from motcua.monitoring.models import GamingSignal, GamingStatus

pytestmark = pytest.mark.django_db

LIST = reverse("monitoring:gaming_list")


def signal(unit, kind="deadline_burst", key="k1") -> GamingSignal:
    return GamingSignal.objects.create(
        kind=kind,
        key=key,
        unit=unit,
        dossier_codes=["HS-1", "HS-2", "HS-3"],
        officer="Nguyễn Văn An",
        rule="3 hồ sơ kết thúc trong 15 phút cuối trước hạn",
        evidence={"completions": [{"code": "HS-1", "completed_at": "x", "due_at": "y"}]},
        detected_at=timezone.now(),
    )


@pytest.mark.parametrize("who", ["citizen_a", "receptionist_x", "leader_x", "admin"])
def test_only_supervisors_see_the_page(tree, client_for, who):
    s = signal(tree.p.unit_x)
    client = client_for(getattr(tree.p, who))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("monitoring:gaming_detail", args=[s.pk])).status_code == 403
    url = reverse("monitoring:gaming_decide", args=[s.pk])
    assert client.post(url, {"status": "confirmed", "reason": "x"}).status_code == 403
    s.refresh_from_db()
    assert s.status == GamingStatus.NEW


def test_list_filters_and_scope(tree, client_for, district_supervisor):
    signal(tree.p.unit_x, "deadline_burst", "a")
    signal(tree.commune, "refuse_loop", "b")
    html = client_for(tree.p.supervisor).get(LIST).content.decode()
    assert html.count("HS-1, HS-2, HS-3") == 2
    assert "100%" in html  # measured precision shown per detector
    html = client_for(tree.p.supervisor).get(LIST, {"kind": "refuse_loop"}).content.decode()
    assert html.count("HS-1, HS-2, HS-3") == 1
    bad = client_for(tree.p.supervisor).get(LIST, {"kind": "x", "unit": "abc", "status": "?"})
    assert bad.status_code == 200
    # the district supervisor sees the district's commune only
    html = client_for(district_supervisor).get(LIST).content.decode()
    assert html.count("HS-1, HS-2, HS-3") == 1
    other = GamingSignal.objects.get(key="a")
    detail = reverse("monitoring:gaming_detail", args=[other.pk])
    assert client_for(district_supervisor).get(detail).status_code == 404


def test_confirm_and_dismiss_are_audited(tree, client_for):
    s = signal(tree.p.unit_x)
    client = client_for(tree.p.supervisor)
    detail = reverse("monitoring:gaming_detail", args=[s.pk])
    html = client.get(detail).content.decode()
    assert "HS-1" in html and "Nguyễn Văn An" in html
    url = reverse("monitoring:gaming_decide", args=[s.pk])
    # a decision without a reason is refused with a message, nothing changes
    response = client.post(url, {"status": "confirmed", "reason": "  "}, follow=True)
    assert "Cần ghi lý do" in response.content.decode()
    response = client.post(url, {"status": "maybe", "reason": "x"}, follow=True)
    assert "Quyết định không hợp lệ" in response.content.decode()
    s.refresh_from_db()
    assert s.status == GamingStatus.NEW
    assert not AuditEntry.objects.filter(action="monitoring.gaming_signal_decide").exists()
    client.post(url, {"status": "confirmed", "reason": "Đã đối chiếu nhật ký ký số."})
    s.refresh_from_db()
    assert (s.status, s.decided_by, s.decision_reason) == (
        GamingStatus.CONFIRMED,
        tree.p.supervisor,
        "Đã đối chiếu nhật ký ký số.",
    )
    client.post(url, {"status": "dismissed", "reason": "Hệ thống ký gián đoạn."})
    entries = list(
        AuditEntry.objects.filter(action="monitoring.gaming_signal_decide").order_by("sequence")
    )
    assert [e.after["status"] for e in entries] == ["confirmed", "dismissed"]
    assert entries[1].before["status"] == "confirmed"
    assert entries[1].actor_id == tree.p.supervisor.pk
