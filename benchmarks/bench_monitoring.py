"""Benchmark: monitoring over a year of generated history of the demo province
(about N dossiers, default ~5,000: BENCH_MONITORING_PER_UNIT dossiers per unit on average).

Figures: history generation, full rebuild (`motcua monitoring_rebuild`), `scores_for` of
the province subtree for a year (one grouped query over UnitDayStats), the dashboard's
`scores_for_units` over every unit, and one live refresh of a dossier.

Run alone with `python benchmarks/bench_monitoring.py` or through `make bench`. Uses the
test settings and a temporary SQLite database unless DATABASE_URL is set.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PER_UNIT = int(os.environ.get("BENCH_MONITORING_PER_UNIT", "80"))
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

    from django.utils import timezone

    from motcua.catalog.demo import load_demo_catalogue
    from motcua.dossiers.models import Dossier
    from motcua.monitoring import demo, updater
    from motcua.monitoring.models import UnitDayStats
    from motcua.monitoring.selectors import scores_for, scores_for_units
    from motcua.org.demo import PROVINCE, demo_load
    from motcua.org.models import OrgUnit

    demo_load()
    load_demo_catalogue()
    gen_s, created = _timed(lambda: demo.generate(per_unit=PER_UNIT))
    rebuild_s, result = _timed(updater.rebuild)
    rows = UnitDayStats.objects.count()
    province = OrgUnit.objects.get(code=PROVINCE)
    today = timezone.localdate()
    year_start = today - dt.timedelta(days=364)
    scores_s, _card = _timed(lambda: scores_for(province, year_start, today), repeat=20)
    units = list(OrgUnit.objects.all())
    dash_s, _ = _timed(lambda: scores_for_units(units, year_start, today), repeat=5)
    pk = (
        Dossier.objects.filter(received_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[0]
    )
    refresh_s, _ = _timed(
        lambda: updater.dossier_contribution_refresh(dossier_id=pk, as_of=timezone.now()),
        repeat=20,
    )
    note = f"{Dossier.objects.count()} dossiers, {rows} UnitDayStats rows"
    return [
        {"name": "monitoring: dossiers generated", "value": created, "unit": "dossiers"},
        {"name": "monitoring: generate history", "value": round(gen_s, 2), "unit": "s"},
        {
            "name": "monitoring: full rebuild",
            "value": round(rebuild_s, 2),
            "unit": "s",
            "note": note,
        },
        {
            "name": "monitoring: rebuild throughput",
            "value": round(result.dossiers / rebuild_s),  # type: ignore[attr-defined]
            "unit": "dossiers/s",
        },
        {
            "name": "monitoring: scores_for province, 1 year",
            "value": round(scores_s * 1000, 1),
            "unit": "ms",
            "note": note,
        },
        {
            "name": f"monitoring: scores_for_units, {len(units)} units, 1 year",
            "value": round(dash_s * 1000, 1),
            "unit": "ms",
        },
        {
            "name": "monitoring: live refresh of one dossier",
            "value": round(refresh_s * 1000, 1),
            "unit": "ms",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<55} {row['value']:>10} {row['unit']}  {row.get('note', '')}")
