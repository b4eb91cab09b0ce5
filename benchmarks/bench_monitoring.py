"""Benchmark: monitoring over a year of generated history of the demo province.

Dataset: the monitoring demo history (BENCH_MONITORING_PER_UNIT dossiers per unit, default
80, ~5,000 dossiers) plus BENCH_DOSSIERS dossiers from the bulk generator
(`motcua demo_generate`, default 0 so that `make bench` stays fast; e.g. 200000).

Figures (each with the dataset size, database and cores): full rebuild — set-based
(`motcua monitoring_rebuild`) and, up to BENCH_REFERENCE_MAX dossiers (default 20,000),
the per-dossier Python reference — in dossiers/s; `scores_for` of the province for a
calendar year and a rolling year (p95); the dashboard (`scores_for_units` of every unit
for the period and the previous one, as dashboard.build does: p95); one live refresh.

Run alone with `python benchmarks/bench_monitoring.py` or through `make bench`. Uses the
test settings and a temporary SQLite database unless DATABASE_URL is set (then that
database is used as is: give a throwaway one).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from timing import p95_ms  # benchmarks/ is the script's folder

PER_UNIT = int(os.environ.get("BENCH_MONITORING_PER_UNIT", "80"))
DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "0"))
REFERENCE_MAX = int(os.environ.get("BENCH_REFERENCE_MAX", "20000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))
ROOT = Path(__file__).resolve().parents[1]


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings.test")
    if "DATABASE_URL" not in os.environ:
        db = Path(tempfile.mkdtemp(prefix="bench-monitoring-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, skip_checks=True)


_p95 = p95_ms


def _timed(fn, repeat: int = 1) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run() -> list[dict]:
    _setup_django()
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from motcua.catalog.demo import load_demo_catalogue
    from motcua.core.generator import generate
    from motcua.dossiers.models import Dossier
    from motcua.monitoring import demo, updater
    from motcua.monitoring.dashboard import previous_period
    from motcua.monitoring.models import UnitDayStats, UnitMonthStats
    from motcua.monitoring.periods import period_for
    from motcua.monitoring.selectors import scores_for, scores_for_units
    from motcua.org.demo import PROVINCE, demo_load
    from motcua.org.models import OrgUnit

    demo_load()
    load_demo_catalogue()
    gen_s, created = _timed(lambda: demo.generate(per_unit=PER_UNIT))
    out: list[dict] = []
    if DOSSIERS:
        result = generate(dossiers=DOSSIERS, years=1)
        out.append(
            {
                "name": "monitoring: demo_generate",
                "value": round(result.rows_per_second),
                "unit": "rows/s",
                "note": f"{result.dossiers:,} dossiers",
            }
        )
    received = Dossier.objects.filter(received_at__isnull=False).count()
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    size = f"{vendor}, {received:,} received dossiers, {os.cpu_count()} cores"
    rebuild_s, result = _timed(updater.rebuild)
    rows = UnitDayStats.objects.count()
    months = UnitMonthStats.objects.count()
    out += [
        {"name": "monitoring: dossiers generated", "value": created, "unit": "dossiers"},
        {"name": "monitoring: generate history", "value": round(gen_s, 2), "unit": "s"},
        {
            "name": "monitoring: full rebuild (set-based SQL)",
            "value": round(rebuild_s, 2),
            "unit": "s",
            "note": f"{size}; {rows:,} day rows, {months:,} month rows",
        },
        {
            "name": "monitoring: rebuild throughput (set-based SQL)",
            "value": round(result.dossiers / rebuild_s),  # type: ignore[attr-defined]
            "unit": "dossiers/s",
            "note": size,
        },
    ]
    if received <= REFERENCE_MAX:
        ref_s, ref = _timed(updater.rebuild_reference)
        out.append(
            {
                "name": "monitoring: rebuild throughput (Python reference)",
                "value": round(ref.dossiers / ref_s),  # type: ignore[attr-defined]
                "unit": "dossiers/s",
                "note": size,
            }
        )
        updater.rebuild()
    province = OrgUnit.objects.get(code=PROVINCE)
    today = timezone.localdate()
    units = list(OrgUnit.objects.all())
    year = period_for("year", today)
    rolling = (today - dt.timedelta(days=364), today)
    before = previous_period(year)

    def dashboard() -> None:  # the two grouped reads of dashboard.build
        scores_for_units(units, year.start, year.end)
        scores_for_units(units, before.start, before.end)

    out += [
        {
            "name": "monitoring: scores_for province p95, calendar year",
            "value": round(_p95(lambda: scores_for(province, year.start, year.end), REPEAT), 1),
            "unit": "ms",
            "note": size,
        },
        {
            "name": "monitoring: scores_for province p95, rolling year",
            "value": round(_p95(lambda: scores_for(province, *rolling), REPEAT), 1),
            "unit": "ms",
            "note": f"{size}; partial edge months read from day rows",
        },
        {
            "name": f"monitoring: dashboard scores p95 ({len(units)} units, year + previous)",
            "value": round(_p95(dashboard, REPEAT), 1),
            "unit": "ms",
            "note": size,
        },
    ]
    pk = (
        Dossier.objects.filter(received_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[0]
    )
    refresh_s, _ = _timed(
        lambda: updater.dossier_contribution_refresh(dossier_id=pk, as_of=timezone.now()),
        repeat=20,
    )
    out.append(
        {
            "name": "monitoring: live refresh of one dossier (task)",
            "value": round(refresh_s * 1000, 1),
            "unit": "ms",
            "note": "runs in a task worker since issue 11, not in the request",
        }
    )
    return out


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<55} {row['value']:>10} {row['unit']}  {row.get('note', '')}")
