"""Benchmark: data-size dependent figures (issue 11, b, c, e) in process, without HTTP.

Either on an existing large database (BENCH_SCALE_DATABASE_URL, e.g. a PostgreSQL
database filled with `motcua demo_generate --dossiers 1000000`; nothing is generated
and nothing is dropped), or on a temporary SQLite database filled with BENCH_DOSSIERS
(default 10,000) generated dossiers over one year.

Figures: generation rows/s (when generating), officer worklist page p95 for the own /
all / overdue tabs (Django test client, one specialist), full monitoring rebuild,
dashboard `scores_for` province p95 over a year and `scores_for_units` for every unit,
and the deadline recompute check over every open dossier (dry run).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from timing import p95_ms  # benchmarks/ is the script's folder

ROOT = Path(__file__).resolve().parents[1]
DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))


_p95 = p95_ms


def run() -> list[dict]:
    """Runs in a child process: Django settings of other benchmarks in the runner's
    process must not leak in (and vice versa)."""
    import json
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--json"], capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.rsplit("JSON", 1)[1])


def _run() -> list[dict]:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings_bench"
    existing = os.environ.get("BENCH_SCALE_DATABASE_URL")
    if existing:
        os.environ["DATABASE_URL"] = existing
    else:
        db = Path(tempfile.mkdtemp(prefix="bench-scale-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from motcua.accounts.models import User
    from motcua.core.generator import generate
    from motcua.dossiers.models import Dossier
    from motcua.monitoring import updater
    from motcua.monitoring.dashboard import previous_period
    from motcua.monitoring.periods import period_for
    from motcua.monitoring.selectors import scores_for, scores_for_units
    from motcua.org.demo import PROVINCE
    from motcua.org.models import OrgUnit
    from motcua.workdays.recompute import appointments_recompute

    rows: list[dict] = []
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if not existing:
        call_command("migrate", verbosity=0)
        call_command("demo_load", "--org-only", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("catalog_load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        result = generate(dossiers=DOSSIERS, years=1)
        rows.append(
            {
                "name": "scale: demo_generate",
                "value": round(result.rows_per_second),
                "unit": "rows/s",
                "note": f"{result.rows:,} rows for {result.dossiers:,} dossiers, {vendor}",
            }
        )
    total = Dossier.objects.count()
    size = f"{vendor}, {total:,} dossiers, {os.cpu_count()} cores"

    settings.MOTCUA_STAFF_2FA_REQUIRED = False
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="chuyenvien.stp"))
    for label, path in (
        ("own tab", "/quan-tri/ho-so/"),
        ("all of unit", "/quan-tri/ho-so/?tab=all"),
        ("overdue", "/quan-tri/ho-so/?tab=overdue"),
    ):
        rows.append(
            {
                "name": f"scale: worklist p95 ({label})",
                "value": round(_p95(lambda p=path: client.get(p), REPEAT), 1),
                "unit": "ms",
                "note": f"in process, {REPEAT} requests; {size}",
            }
        )

    started = time.perf_counter()
    rebuilt = updater.rebuild()
    elapsed = time.perf_counter() - started
    rows.append(
        {
            "name": "scale: monitoring full rebuild (set-based)",
            "value": round(elapsed, 2),
            "unit": "s",
            "note": f"{rebuilt.dossiers / elapsed:,.0f} dossiers/s; {size}",
        }
    )
    province = OrgUnit.objects.get(code=PROVINCE)
    today = timezone.localdate()
    year = period_for("year", today)
    before = previous_period(year)
    units = list(OrgUnit.objects.all())
    rows.append(
        {
            "name": "scale: dashboard scores_for province p95, 1 year",
            "value": round(_p95(lambda: scores_for(province, year.start, year.end), REPEAT), 1),
            "unit": "ms",
            "note": size,
        }
    )

    def dashboard() -> None:  # the two grouped reads of monitoring.dashboard.build
        scores_for_units(units, year.start, year.end)
        scores_for_units(units, before.start, before.end)

    rows.append(
        {
            "name": f"scale: dashboard scores p95 ({len(units)} units, year + previous)",
            "value": round(_p95(dashboard, REPEAT), 1),
            "unit": "ms",
            "note": size,
        }
    )
    started = time.perf_counter()
    changes = appointments_recompute(apply=False)
    rows.append(
        {
            "name": "scale: deadline recompute check, open dossiers",
            "value": round(time.perf_counter() - started, 2),
            "unit": "s",
            "note": f"{len(changes)} would change; {size}",
        }
    )
    return rows


if __name__ == "__main__":
    if "--json" in sys.argv:
        import json

        print("JSON" + json.dumps(_run(), ensure_ascii=False))
        raise SystemExit(0)
    for row in _run():
        print(f"{row['name']:<55} {row['value']:>12} {row['unit']}  {row.get('note', '')}")
