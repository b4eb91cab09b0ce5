import datetime as dt

import pytest

from motcua.workdays.calendar import WorkCalendar
from motcua.workdays.selectors import clear_cache
from motcua.workdays.statutory import statutory_year

FIRST_YEAR, LAST_YEAR = 2024, 2028


def national_calendar(**kwargs) -> WorkCalendar:
    days_off: dict[dt.date, str] = {}
    working: dict[dt.date, str] = {}
    bases: dict[dt.date, str] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        data = statutory_year(year)
        days_off.update(data.days_off)
        working.update(data.working_days)
        bases.update(data.legal_bases)
    return WorkCalendar(
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
        days_off=days_off,
        working_days=working,
        legal_bases=bases,
        **kwargs,
    )


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """The national calendar 2024–2028 from the statutory data only (no database)."""
    return national_calendar()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    clear_cache()
    yield
    clear_cache()
