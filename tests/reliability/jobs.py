"""A background job for the worker-crash test: idempotent by a unique key.

Each attempt is logged; the effect is written once per key (exclusive create), then the
job waits while the `hold` file exists so the test can kill the worker mid-job."""

from __future__ import annotations

import time
from pathlib import Path

from django.tasks import task


@task(queue_name="default")
def record_and_hold(*, key: str, workdir: str) -> str:
    root = Path(workdir)
    with (root / "attempts.log").open("a") as log:
        log.write(f"{key}\n")
    try:
        with (root / f"effect-{key}").open("x") as effect:  # the unique key
            effect.write("done\n")
        outcome = "applied"
    except FileExistsError:
        outcome = "already-applied"
    deadline = time.monotonic() + 120
    while (root / "hold").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return outcome
