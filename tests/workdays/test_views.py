import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.workdays import services
from motcua.workdays.models import DayOverride, OfficeHours

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.workdays.urls")]


def test_officers_read_the_calendar_with_statutory_days(personas, client_for):
    response = client_for(personas.receptionist_x).get(reverse("workdays:calendar") + "?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert "nghỉ Tết Nguyên đán (Giao thừa Tết Nguyên Đán)" in html
    assert "làm việc bù cho ngày nghỉ 31/08/2026" in html
    assert "Thêm ngày điều chỉnh" not in html  # no edit form for non-administrators


def test_citizens_and_anonymous_cannot_open_the_back_office(personas, client_for, client):
    url = reverse("workdays:calendar")
    assert client_for(personas.citizen_a).get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_administrator_adds_and_deletes_a_day(personas, client_for):
    admin = client_for(personas.admin)
    response = admin.post(
        reverse("workdays:override_add"),
        {
            "date": "2026-03-03",
            "kind": "day_off",
            "reason": "Nghỉ đột xuất do bão",
            "legal_basis": "Công điện 01/CĐ-UBND",
            "year": "2026",
        },
    )
    assert response.status_code == 302
    row = DayOverride.objects.get()
    assert (row.reason, row.legal_basis, row.unit) == (
        "Nghỉ đột xuất do bão",
        "Công điện 01/CĐ-UBND",
        None,
    )
    page = admin.get(reverse("workdays:calendar") + "?year=2026").content.decode()
    assert "Nghỉ đột xuất do bão" in page and "Lịch chính thức (quản trị nhập)" in page
    admin.post(reverse("workdays:override_delete", args=[row.pk]))
    assert not DayOverride.objects.exists()


def test_non_administrator_cannot_edit(personas, client_for):
    row = services.day_override_save(
        actor=None, date=dt.date(2026, 3, 3), kind="day_off", reason="x"
    )
    leader = client_for(personas.leader_x)
    data = {"date": "2026-03-04", "kind": "day_off", "reason": "y"}
    assert leader.post(reverse("workdays:override_add"), data).status_code == 403
    assert leader.post(reverse("workdays:override_delete", args=[row.pk])).status_code == 403
    upload = SimpleUploadedFile("a.json", b'{"days_off": ["2026-03-05"]}')
    assert leader.post(reverse("workdays:import"), {"file": upload}).status_code == 403
    assert list(DayOverride.objects.values_list("reason", flat=True)) == ["x"]


def test_import_upload(personas, client_for):
    admin = client_for(personas.admin)
    body = json.dumps({"days_off": ["2026-03-05"], "basis": "QĐ 5/QĐ-UBND"}).encode()
    response = admin.post(
        reverse("workdays:import"),
        {"file": SimpleUploadedFile("lich.json", body, content_type="application/json")},
        follow=True,
    )
    assert "Đã nạp 1 ngày" in response.content.decode()
    assert DayOverride.objects.get().legal_basis == "QĐ 5/QĐ-UBND"
    bad = SimpleUploadedFile("lich.json", b"{nope")
    response = admin.post(reverse("workdays:import"), {"file": bad}, follow=True)
    assert "Tệp không phải JSON hợp lệ." in response.content.decode()


def test_office_hours_per_unit(personas, client_for):
    admin = client_for(personas.admin)
    url = reverse("workdays:office_hours") + f"?unit={personas.unit_x.code}"
    assert admin.get(url).status_code == 200
    data = {
        "morning_start": "07:00",
        "morning_end": "11:00",
        "afternoon_start": "13:30",
        "afternoon_end": "16:30",
        "same_day_cutoff": "15:00",
    }
    assert admin.post(url, data).status_code == 302
    assert OfficeHours.objects.get(unit=personas.unit_x).afternoon_end == dt.time(16, 30)
    bad = {**data, "morning_end": "14:00"}
    response = admin.post(url, bad)
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert client_for(personas.receptionist_x).post(url, data).status_code in (403, 404)


def test_back_office_calculator_shows_due_and_explanation(personas, client_for):
    response = client_for(personas.receptionist_x).get(
        reverse("workdays:calculator"),
        {"start": "2026-02-13T16:00", "unit_kind": "days", "amount": "3"},
    )
    html = response.content.decode()
    assert "16:00 25/02/2026" in html
    assert "nghỉ Tết Nguyên đán" in html


def test_public_calculator_for_citizens(client):
    url = reverse("workdays_public:calculator")
    assert url == "/tra-cuu-ngay-hen/"
    assert client.get(url).status_code == 200
    html = client.get(
        url, {"start": "2026-04-24T10:00", "unit_kind": "days", "amount": "1"}
    ).content.decode()
    assert "10:00 28/04/2026" in html
    assert "nghỉ bù Ngày Giỗ Tổ Hùng Vương" in html
    same_day = client.get(url, {"start": "2026-03-02T15:00", "unit_kind": "same_day"})
    assert "17:00 03/03/2026" in same_day.content.decode()
    missing = client.get(url, {"start": "2026-03-02T15:00", "unit_kind": "days"})
    assert "error-summary" in missing.content.decode()
    outside = client.get(url, {"start": "1990-03-02T15:00", "unit_kind": "same_day"})
    assert "error-summary" in outside.content.decode()


def test_calendar_of_a_unit_shows_its_local_days(personas, client_for):
    services.day_override_save(
        actor=None,
        date=dt.date(2026, 3, 3),
        kind="day_off",
        reason="Lễ hội riêng của tỉnh",
        unit=personas.province,
    )
    client = client_for(personas.admin)
    url = reverse("workdays:calendar")
    unit_page = client.get(url, {"year": 2026, "unit": personas.unit_x.code}).content.decode()
    national = client.get(url, {"year": 2026}).content.decode()
    # Both pages list the override and its change log; only the unit's calendar table
    # (units below the province) has the day off itself.
    assert unit_page.count("Lễ hội riêng của tỉnh") == national.count("Lễ hội riêng của tỉnh") + 1
    other = client_for(personas.receptionist_x).get(url, {"unit": personas.unit_y.code})
    assert other.status_code == 404
