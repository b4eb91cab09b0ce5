"""Benchmark: recompute 1,000,000 open-dossier deadlines (issue 13 point 6).

Run alone with `python benchmarks/bench_workdays.py` or through `make bench`, which
imports `run()` and collects its figures. Uses the test settings and a temporary SQLite
database (migrated here); the calendar index is built once per unit, then every
deadline is O(1) arithmetic on it.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

N = int(os.environ.get("BENCH_WORKDAYS_N", "1000000"))
ROOT = Path(__file__).resolve().parents[1]


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings.test")
    if "DATABASE_URL" not in os.environ:
        db = Path(tempfile.mkdtemp(prefix="bench-workdays-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, skip_checks=True)


def run() -> list[dict]:
    _setup_django()
    import datetime as dt

    from motcua.workdays.calendar import TZ, Duration, IssuedAppointment, changed_appointments
    from motcua.workdays.selectors import clear_cache, get_calendar

    clear_cache()
    t0 = time.perf_counter()
    calendar = get_calendar()
    build = time.perf_counter() - t0

    rng = random.Random(13)
    base = dt.datetime(2025, 1, 1, tzinfo=TZ)
    span = 3 * 365 * 24 * 60  # minutes over 2025–2027
    kinds = [Duration.days(n) for n in (1, 3, 5, 7, 10, 15, 20, 30)]
    kinds += [Duration.hours(n) for n in (4, 8, 16, 24)] + [Duration.same_day()]
    starts = [base + dt.timedelta(minutes=rng.randrange(span)) for _ in range(N)]
    durations = [rng.choice(kinds) for _ in range(N)]

    t0 = time.perf_counter()
    add = calendar.add
    dues = [add(s, d) for s, d in zip(starts, durations, strict=True)]
    elapsed = time.perf_counter() - t0

    # The recompute check as the command runs it: compare with issued appointments.
    items = [
        IssuedAppointment(str(i), s, d, due)
        for i, (s, d, due) in enumerate(zip(starts, durations, dues, strict=True))
    ]
    t0 = time.perf_counter()
    changes = changed_appointments(calendar, items)
    check = time.perf_counter() - t0
    assert not changes

    return [
        {"name": "workdays.index_build", "value": round(build, 3), "unit": "s"},
        {"name": "workdays.deadlines_1M.total", "value": round(elapsed, 2), "unit": "s"},
        {"name": "workdays.deadlines.rate", "value": round(N / elapsed), "unit": "calls/s"},
        {"name": "workdays.recompute_check_1M.total", "value": round(check, 2), "unit": "s"},
        {"name": "workdays.recompute_check.rate", "value": round(N / check), "unit": "items/s"},
    ]


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['value']} {figure['unit']}")
