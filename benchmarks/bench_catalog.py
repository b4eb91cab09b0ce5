"""Benchmark: catalogue import/export and citizen search over a province-sized
catalogue (the 25 demo procedures cloned to N, default 2,000), plus pure fee maths.

Run alone with `python benchmarks/bench_catalog.py` or through `make bench`. Uses the
test settings and a temporary SQLite database unless DATABASE_URL is set.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
import time
from pathlib import Path

N = int(os.environ.get("BENCH_CATALOG_N", "2000"))
ROOT = Path(__file__).resolve().parents[1]
QUERIES = ("khai sinh", "dang ky ket hon", "giay phep xay dung", "khai sihn", "ho kinh doanh")


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings.test")
    if "DATABASE_URL" not in os.environ:
        db = Path(tempfile.mkdtemp(prefix="bench-catalog-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, skip_checks=True)


def run() -> list[dict]:
    _setup_django()
    from motcua.catalog import fees, selectors
    from motcua.catalog.demo import DATA_FILE
    from motcua.catalog.interchange import export_catalogue, import_catalogue

    demo = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data = []
    for i in range(N):
        item = copy.deepcopy(demo[i % len(demo)])
        if i >= len(demo):
            item["code"] = f"{item['code']}-{i}"
            item["name"] = f"{item['name']} (bản sao {i})"
        item["competence"] = []
        data.append(item)

    t0 = time.perf_counter()
    import_catalogue(data)
    import_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    exported = export_catalogue()
    export_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    reloaded = import_catalogue(json.loads(json.dumps(exported)))
    reimport_s = time.perf_counter() - t0
    assert reloaded.unchanged == N

    timings = {}
    for query in QUERIES:
        rounds = 5
        t0 = time.perf_counter()
        for _ in range(rounds):
            hits = selectors.search_procedures(selectors.SearchFilters(query=query))
        timings[query] = ((time.perf_counter() - t0) / rounds * 1000, len(hits))

    rule = fees.FeeRuleSpec(
        code="CT",
        name="x",
        amount=2000,
        basis="per_page",
        quantity_field="p",
        copies_field="c",
        tiers=(fees.FeeTier(3, 1000),),
        cap=200000,
    )
    t0 = time.perf_counter()
    for i in range(100_000):
        fees.compute_fee_lines([rule], {"p": i % 300, "c": 2}, "online")
    fee_rate = 100_000 / (time.perf_counter() - t0)

    results = [
        {"name": f"import {N} procedures", "value": round(import_s, 2), "unit": "s"},
        {"name": f"export {N} procedures", "value": round(export_s, 2), "unit": "s"},
        {"name": f"re-import {N} unchanged", "value": round(reimport_s, 2), "unit": "s"},
        {"name": "fee lines computed", "value": round(fee_rate), "unit": "per s"},
    ]
    for query, (ms, count) in timings.items():
        results.append(
            {"name": f"search “{query}” ({count} hits)", "value": round(ms, 1), "unit": "ms"}
        )
    return results


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<45} {row['value']:>12} {row['unit']}")
