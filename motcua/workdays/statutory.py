"""Statutory holidays of Viet Nam, as plain data (no ORM).

Sources, in order (law.md §9):
1. `holidays` (pinned to 0.109 in pyproject.toml) — Vietnam calendar: Labour Code 2019
   Art. 112 holidays, the 5-day Tết range of the public sector, compensatory days
   (Art. 111(3): a holiday on the weekly rest day is compensated on the next working
   day), and the swaps it knows (a day off "thay cho" a working Saturday).
2. `lunar-vn` — the Vietnamese lunar calendar (UTC+7). The `holidays` package computes
   lunar dates with a Chinese-derived table; we cross-check Tết (1/1 lunar) and the Hùng
   Kings day (10/3 lunar) against lunar-vn and, if they ever disagree, shift the lunar
   holidays to the lunar-vn date (the Vietnamese and Chinese calendars differ in some
   years, e.g. Tết 1985).
3. Annual official data (the Prime Minister's yearly decisions) is not here: it lives
   in `DayOverride` rows edited by administrators, which win over this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays
import lunar_vn

# Names `holidays` gives (Vietnamese, its default language) to the lunar holidays.
TET_NAMES = frozenset(
    {
        "29 Tết",
        "Giao thừa Tết Nguyên Đán",
        "Tết Nguyên Đán",
        "Mùng hai Tết Nguyên Đán",
        "Mùng ba Tết Nguyên Đán",
        "Mùng bốn Tết Nguyên Đán",
        "Mùng năm Tết Nguyên Đán",
        "Mùng sáu Tết Nguyên Đán",
    }
)
HUNG_KINGS_NAME = "Ngày Giỗ Tổ Hùng Vương"
LABOUR_CODE_BASIS = "Bộ luật Lao động 2019, Điều 111–112"
SWAP_BASIS = "Hoán đổi ngày làm việc theo quyết định của Thủ tướng Chính phủ"
CULTURE_DAY_BASIS = "Nghị quyết 80-NQ/TW (Ngày Văn hóa Việt Nam)"


def basis_for(name: str) -> str:
    if name.startswith("Ngày nghỉ"):
        return SWAP_BASIS
    if "Văn hóa" in name:
        return CULTURE_DAY_BASIS
    return LABOUR_CODE_BASIS


@dataclass(frozen=True)
class StatutoryYear:
    """Days off (date -> Vietnamese reason) and swapped working days (date -> reason)."""

    days_off: dict[dt.date, str]
    working_days: dict[dt.date, str]
    legal_bases: dict[dt.date, str]


def lunar_new_year(year: int) -> dt.date:
    """1st day of the 1st lunar month (Tết Nguyên đán) in the Vietnamese calendar."""
    return lunar_vn.lunar_to_solar(lunar_vn.LunarDate(1, 1, year, False))


def hung_kings_day(year: int) -> dt.date:
    """10th day of the 3rd lunar month (Labour Code 2019 Art. 112(1)(đ))."""
    return lunar_vn.lunar_to_solar(lunar_vn.LunarDate(10, 3, year, False))


def reason_for(name: str) -> str:
    """A short Vietnamese reason shown in explanations, e.g. 'nghỉ Tết Nguyên đán (...)'."""
    base = name.removesuffix(" (nghỉ bù)").removesuffix(" (dự kiến)")
    if base in TET_NAMES:
        return f"nghỉ Tết Nguyên đán ({name})"
    if name.startswith("Ngày nghỉ"):
        return f"{name} — hoán đổi ngày làm việc"
    if name.endswith("(nghỉ bù)"):
        return f"nghỉ bù {base}"
    return f"nghỉ {name}"


def _shift_lunar(
    entries: dict[dt.date, str], names: frozenset[str], delta: dt.timedelta
) -> dict[dt.date, str]:
    shifted: dict[dt.date, str] = {}
    for day, name in entries.items():
        base = name.removesuffix(" (nghỉ bù)")
        shifted[day + delta if base in names else day] = name
    return shifted


@lru_cache(maxsize=256)
def statutory_year(year: int) -> StatutoryYear:
    vn = holidays.country_holidays("VN", years=year, language="vi")
    names: dict[dt.date, str] = {day: str(name) for day, name in vn.items() if day.year == year}
    # Cross-check the lunar holidays with the Vietnamese lunar calendar (see module doc).
    tet_by_pkg = next((d for d, n in names.items() if n == "Tết Nguyên Đán"), None)
    tet = lunar_new_year(year)
    if tet_by_pkg is not None and tet_by_pkg != tet:
        names = _shift_lunar(names, TET_NAMES, tet - tet_by_pkg)
    hung_by_pkg = next((d for d, n in names.items() if n == HUNG_KINGS_NAME), None)
    hung = hung_kings_day(year)
    if hung_by_pkg is not None and hung_by_pkg != hung:
        names = _shift_lunar(names, frozenset({HUNG_KINGS_NAME}), hung - hung_by_pkg)
    days_off = {day: reason_for(name) for day, name in names.items()}
    bases = {day: basis_for(name) for day, name in names.items()}

    # Swapped working days: `holidays` records the day off "thay cho ngày X"; X (usually a
    # Saturday) becomes a working day. Swaps are decided yearly by the Prime Minister.
    working: dict[dt.date, str] = {}
    for other_year in (year - 1, year, year + 1):
        cal = holidays.country_holidays("VN", years=other_year, language="vi")
        for work_day in getattr(cal, "weekend_workdays", ()):
            if work_day.year != year:
                continue
            swapped_for = [d for d, n in cal.items() if work_day.strftime("%d/%m/%Y") in str(n)]
            label = ", ".join(d.strftime("%d/%m/%Y") for d in sorted(swapped_for))
            working[work_day] = (
                f"làm việc bù cho ngày nghỉ {label}" if label else "ngày làm việc hoán đổi"
            )
            bases[work_day] = SWAP_BASIS
    return StatutoryYear(days_off=days_off, working_days=working, legal_bases=bases)
