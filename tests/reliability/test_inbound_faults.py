"""Dossiers filed on the national portal reach Motcua exactly once through faults (issue
22, law.md R22a): the portal is down when the job pulls, every dossier is pushed twice
and pulled again, and the real worker process is killed (SIGKILL) in the middle of the
import. After recovery every national dossier exists exactly once, in "Chờ tiếp nhận",
and the portal holds a confirmation for each (docs/integrations.md §1b)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

SETTINGS = "tests.reliability.worker_settings"
COUNT = 16

SETUP = f"""
from motcua.core.testing.files import tiny_pdf
from motcua.core.testing.fixtures import make_published_version
from motcua.core.testing.personas import build_personas
from motcua.sandbox_portal import national
from motcua.sandbox_portal.models import Mode, PortalSwitch

p = build_personas()
v = make_published_version(p.unit_x, components=[("TK", "Tờ khai"), ("GCS", "Giấy chứng sinh")])
pdf = tiny_pdf(3)
for i in range({COUNT}):
    national.file_dossier(
        procedure_code=v.procedure.code,
        unit_code=p.unit_x.code,
        owner=national.Owner(f"Công dân {{i}}", f"0490980{{i:05d}}"),
        answers={{"stt": i}},
        files=[national.File("TK", "tk.pdf", pdf), national.File("GCS", "gcs.pdf", pdf)],
    )
switch = PortalSwitch.get()
switch.mode = Mode.DOWN
switch.save()
"""

PUSH_TWICE_AND_UP = """
from motcua.sandbox_portal import national
from motcua.sandbox_portal.models import Mode, NationalDossier, PortalSwitch

outcomes = [national.push(d) for d in NationalDossier.objects.all() for _ in range(2)]
switch = PortalSwitch.get()
switch.mode = Mode.OK
switch.save()
print(json.dumps(sorted(set(outcomes))))
"""

STATE = """
import json
from collections import Counter
from motcua.dossiers.models import Dossier
from motcua.integrations.models import InboundDossier
from motcua.sandbox_portal.models import NationalDossier

codes = Counter(d.form_answers["_national"]["code"] for d in Dossier.objects.all())
print(json.dumps({
    "national": sorted(NationalDossier.objects.values_list("code", flat=True)),
    "dossier_codes": codes,
    "statuses": sorted(set(Dossier.objects.values_list("status", flat=True))),
    "rows": sorted(set(InboundDossier.objects.values_list("status", flat=True))),
    "min_deliveries": min(InboundDossier.objects.values_list("deliveries", flat=True)),
    "unconfirmed": NationalDossier.objects.filter(province_acked_at__isnull=True).count(),
    "files": sum(len(c.files) for d in Dossier.objects.all() for c in d.components.all()),
}))
"""


def _imported(database_url: str) -> int:
    sql = "SELECT COUNT(*) FROM integrations_inbounddossier WHERE dossier_id IS NOT NULL"
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30) as db:
            return int(db.execute(sql).fetchone()[0])
    import psycopg

    with psycopg.connect(database_url) as db:
        row = db.execute(sql).fetchone()
        return int(row[0]) if row else 0


def _shell(run_motcua, env, script: str) -> str:
    done = run_motcua("shell", "-c", "import json\n" + script, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_every_national_dossier_arrives_exactly_once_through_outage_repeats_and_a_killed_worker(
    tmp_path: Path, run_motcua, empty_database, worker
):
    url = empty_database("inbound")
    env = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": SETTINGS, "MOTCUA_VIRUS_SCANNER": ""}
    assert run_motcua("migrate", "--noinput", "-v0", env=env).returncode == 0
    _shell(run_motcua, env, SETUP)

    # 1. The portal is down when the job pulls: nothing arrives, nothing breaks.
    down = run_motcua("national_portal_inbound", env=env)
    assert down.returncode == 0, down.stderr
    assert "pulled=0" in down.stdout and "pull_error=" in down.stdout
    assert _imported(url) == 0

    # 2. The portal pushes every dossier twice (the import is queued, no worker runs yet),
    #    then comes back up.
    assert json.loads(_shell(run_motcua, env, PUSH_TWICE_AND_UP)) == ["duplicate", "ok"]

    # 3. The worker imports and is killed (SIGKILL) in the middle of it.
    running = worker.start(env)
    try:
        deadline = time.monotonic() + 180
        while _imported(url) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        running.kill()
        running.wait(timeout=30)
    at_kill = _imported(url)
    assert 1 <= at_kill < COUNT, f"the worker was not killed mid-import ({at_kill})"

    # 4. Recovery: the stale job goes back to the queue and the periodic pass runs (it
    #    also pulls, so every dossier is delivered a third time).
    requeued = run_motcua("tasks_requeue_stale", "--older-than", "0", env=env)
    assert requeued.returncode == 0, requeued.stderr
    again = run_motcua("national_portal_inbound", env=env)
    assert again.returncode == 0, again.stderr
    second = worker.run_once(env)
    assert second.returncode == 0, second.stderr

    state = json.loads(_shell(run_motcua, env, STATE))
    assert len(state["national"]) == COUNT
    assert state["dossier_codes"] == dict.fromkeys(state["national"], 1)  # each exactly once
    assert state["statuses"] == ["submitted"] and state["rows"] == ["imported"]
    assert state["min_deliveries"] >= 3  # two pushes and at least one pull each
    assert state["unconfirmed"] == 0
    assert state["files"] == 2 * COUNT
    verified = run_motcua("audit_verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
