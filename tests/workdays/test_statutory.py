import datetime as dt

import pytest
from django.template.loader import render_to_string

from motcua.workdays import statutory
from motcua.workdays.calendar import Duration


@pytest.mark.parametrize(
    ("year", "tet", "hung"),
    [
        (2025, dt.date(2025, 1, 29), dt.date(2025, 4, 7)),
        (2026, dt.date(2026, 2, 17), dt.date(2026, 4, 26)),
        (2027, dt.date(2027, 2, 6), dt.date(2027, 4, 16)),
    ],
)
def test_lunar_holidays_from_the_vietnamese_calendar(year, tet, hung):
    assert statutory.lunar_new_year(year) == tet
    assert statutory.hung_kings_day(year) == hung
    days_off = statutory.statutory_year(year).days_off
    assert "Tết Nguyên đán" in days_off[tet]
    assert "Hùng Vương" in days_off[hung]


def test_vietnamese_and_chinese_new_year_differ_in_1985():
    # The Vietnamese calendar (UTC+7) put Tết Ất Sửu on 21/01/1985, the Chinese one on
    # 20/02/1985: a Chinese lunar library would be a month off.
    assert statutory.lunar_new_year(1985) == dt.date(1985, 1, 21)


def test_lunar_holidays_are_realigned_when_the_package_disagrees(monkeypatch):
    statutory.statutory_year.cache_clear()
    monkeypatch.setattr(statutory, "lunar_new_year", lambda year: dt.date(2026, 2, 18))
    try:
        days_off = statutory.statutory_year(2026).days_off
        assert "Tết Nguyên đán" in days_off[dt.date(2026, 2, 19)]  # shifted by one day
        assert dt.date(2026, 2, 16) not in days_off
    finally:
        statutory.statutory_year.cache_clear()


def test_tet_2026_is_monday_16_to_friday_20_february():
    days_off = statutory.statutory_year(2026).days_off
    tet = sorted(d for d, reason in days_off.items() if "Tết Nguyên đán" in reason)
    assert tet == [dt.date(2026, 2, d) for d in range(16, 21)]


def test_explanation_include_renders_counted_and_skipped_days(cal):
    explanation = cal.explain(dt.datetime(2026, 2, 13, 16), Duration.days(3))
    html = render_to_string("workdays/_explanation.html", {"explanation": explanation})
    assert "16:00 25/02/2026" in html
    assert "không tính: nghỉ Tết Nguyên đán (Mùng hai Tết Nguyên Đán)" in html
    assert html.count("<tr>") == len(explanation.lines) + 1
    assert render_to_string("workdays/_explanation.html", {"explanation": None}).strip() == ""


def test_statutory_days_carry_their_legal_basis(cal):
    assert cal.legal_basis(dt.date(2026, 4, 30)) == statutory.LABOUR_CODE_BASIS
    assert cal.legal_basis(dt.date(2026, 8, 22)) == statutory.SWAP_BASIS
    assert cal.legal_basis(dt.date(2026, 3, 7)) == ""  # a plain Saturday
