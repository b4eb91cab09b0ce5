"""Run every benchmarks/bench_*.py module and record its figures.

Each module exposes `run() -> list[dict]` where a dict has `name`, `value`, `unit` (and
optionally `note`). Results are printed as a table and written to
benchmarks/results/<YYYY-MM-DD>.json. Usage: `make bench` or
`python benchmarks/run.py [substring ...]` to run only matching modules.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def load(path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def machine() -> dict:
    """The machine a result file was measured on (shared by bench_quick.py)."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
    }


def main(argv: list[str]) -> int:
    selected = [
        p for p in sorted(HERE.glob("bench_*.py")) if not argv or any(a in p.stem for a in argv)
    ]
    rows: list[dict] = []
    failed = 0
    for path in selected:
        print(f"--- {path.stem}", flush=True)
        started = time.perf_counter()
        # Each module runs in its own process: they configure Django differently (settings
        # module, temporary database) and must not see each other's state.
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(path)],
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        if proc.returncode or "RESULTS" not in proc.stdout:
            failed += 1
            rows.append(
                {"benchmark": path.stem, "name": "FAILED", "value": proc.returncode, "unit": "exit"}
            )
        else:
            for result in json.loads(proc.stdout.rsplit("RESULTS", 1)[1]):
                rows.append({"benchmark": path.stem, **result})
        print(f"    ({time.perf_counter() - started:.1f} s)", flush=True)
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "results": rows,
    }
    suffix = "".join(f"-{a}" for a in argv)  # a partial run does not replace the full one
    out = HERE / "results" / f"{dt.date.today().isoformat()}{suffix}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    width = max((len(r["name"]) for r in rows), default=10)
    print()
    print(f"{'benchmark':<22} {'figure':<{width}} {'value':>14} unit")
    for r in rows:
        value = r["value"]
        shown = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        print(f"{r['benchmark']:<22} {r['name']:<{width}} {shown:>14} {r['unit']}")
    print(f"\nwritten to {out.relative_to(HERE.parent)}")
    return 1 if failed else 0


def one(path: str) -> int:
    results = load(Path(path)).run()
    print("RESULTS" + json.dumps(results, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        raise SystemExit(one(sys.argv[2]))
    raise SystemExit(main(sys.argv[1:]))
