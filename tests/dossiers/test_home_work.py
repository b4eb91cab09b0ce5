"""The back-office home shows the work waiting in the officer's worklists (issue 18: it
said "Chưa có việc cần làm." while worklists held work)."""

import re

from django.urls import reverse


def _panel(html: str, title: str) -> str:
    start = html.index(title)
    return html[start : html.index("</section>", start)]


def test_receptionist_sees_the_dossiers_waiting_for_reception(personas, client_for, submitted):
    html = client_for(personas.receptionist_x).get(reverse("backoffice:home")).content.decode()
    panel = _panel(html, "Tiếp nhận hồ sơ</h2>")
    assert "Chưa có việc cần làm." not in panel
    link = reverse("dossiers:worklist") + "?tab=to_receive"
    assert re.search(
        rf'href="{re.escape(link)}">Chờ tiếp nhận</a> <span class="badge level-blue">1<', panel
    )


def test_leader_sees_dossiers_to_assign_and_nothing_of_other_units(
    personas, client_for, staff, received
):
    html = client_for(personas.leader_x).get(reverse("backoffice:home")).content.decode()
    assert re.search(r">Chờ phân công</a> <span class=\"badge level-blue\">1<", html)
    other = client_for(staff.leader_y).get(reverse("backoffice:home")).content.decode()
    assert re.search(r">Chờ phân công</a> <span class=\"badge level-grey\">0<", other)
