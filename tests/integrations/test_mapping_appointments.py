"""NgayHenTraTruoc / NgayHenTraMoi of each supplement in the national sync (law.md R12,
R23): the appointment in force when the supplement was requested, and the one computed
when the complete supplement arrived."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers import services
from motcua.integrations import mapping as m
from motcua.integrations.snapshot import dossier_snapshot

pytestmark = pytest.mark.django_db
TZ = m.VN_TZ


def test_supplement_carries_previous_and_new_appointment(
    personas, specialist_x, make_dossier, receive_and_assign
):
    # Received Mon 02/03/2026 08:00, 5 working days -> due Mon 09/03 08:00.
    d = receive_and_assign(make_dossier())
    d = services.dossier_request_supplement(
        dossier=d,
        actor=specialist_x,
        expected_version=d.version,
        reason="Thiếu giấy chứng sinh",
        now=dt.datetime(2026, 3, 2, 10, tzinfo=TZ),
    )
    # The SMS reaches the applicant at once: the pause starts (law.md R12c).
    services.supplement_notice_delivered(
        dossier=d, channel="sms", now=dt.datetime(2026, 3, 2, 10, tzinfo=TZ)
    )
    waiting = m.dossier_v2018_2(dossier_snapshot(d))["DanhSachHoSoBoSung"]
    assert [(s["NgayHenTraTruoc"], s["NgayHenTraMoi"]) for s in waiting] == [
        ("20260309080000", "")  # still waiting: no new appointment yet
    ]
    d = services.dossier_supplement_provided(
        dossier=d,
        actor=personas.citizen_a,
        expected_version=d.version,
        now=dt.datetime(2026, 3, 4, 9, tzinfo=TZ),
    )
    # Restart from zero (Decree 61 Art. 19(4) / Decree 118 Art. 19(5)): Wed 04/03 09:00
    # + 5 working days = Wed 11/03 09:00.
    done = m.dossier_v2018_2(dossier_snapshot(d))["DanhSachHoSoBoSung"]
    assert [(s["NgayHenTraTruoc"], s["NgayHenTraMoi"]) for s in done] == [
        ("20260309080000", "20260311090000")
    ]
    assert d.due_at == dt.datetime(2026, 3, 11, 9, tzinfo=TZ)
