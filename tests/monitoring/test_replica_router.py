"""Read replica for monitoring (motcua.core.db_router): with DATABASE_REPLICA_URL set, the
dashboard reads its aggregates from the replica, while dossiers, reads inside a write
transaction and every write stay on the primary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from motcua.core.db_router import REPLICA, MonitoringReplicaRouter
from motcua.dossiers.models import Dossier
from motcua.monitoring.models import UnitDayStats, UnitMonthStats

ROOT = Path(__file__).resolve().parents[2]
MOTCUA = Path(sys.executable).parent / "motcua"

PROBE = r"""
import json
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from motcua.accounts.models import User
from motcua.monitoring.models import UnitMonthStats

settings.MOTCUA_STAFF_2FA_REQUIRED = False
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="giamsat.tinh"))
out = {"aliases": sorted(settings.DATABASES)}
with CaptureQueriesContext(connections["default"]) as primary, \
        CaptureQueriesContext(connections["replica"]) as replica:
    out["status"] = client.get("/quan-tri/giam-sat/").status_code
out["page_primary"] = [q["sql"] for q in primary.captured_queries]
out["page_replica"] = [q["sql"] for q in replica.captured_queries]
with CaptureQueriesContext(connections["default"]) as primary, \
        CaptureQueriesContext(connections["replica"]) as replica:
    with transaction.atomic():
        list(UnitMonthStats.objects.all()[:1])
out["atomic_primary"] = [q["sql"] for q in primary.captured_queries]
out["atomic_replica"] = [q["sql"] for q in replica.captured_queries]
print("JSON" + json.dumps(out))
"""


def _model(app_label: str, model_name: str) -> SimpleNamespace:
    return SimpleNamespace(_meta=SimpleNamespace(app_label=app_label, model_name=model_name))


def test_router_sends_only_aggregate_reads_outside_transactions_to_the_replica(db) -> None:
    router = MonitoringReplicaRouter()
    # pytest-django wraps this test in a transaction: reads stay on the primary there.
    assert router.db_for_read(UnitMonthStats) is None
    assert router.allow_migrate(REPLICA, "monitoring") is False
    assert router.allow_migrate("default", "monitoring") is None
    assert router.db_for_write(UnitDayStats) is None
    assert router.db_for_read(Dossier) is None
    assert router.db_for_read(_model("monitoring", "maplayer")) is None


@pytest.mark.django_db(transaction=True)
def test_router_outside_a_transaction() -> None:
    router = MonitoringReplicaRouter()
    assert router.db_for_read(UnitMonthStats) == REPLICA
    assert router.db_for_read(UnitDayStats) == REPLICA
    assert router.db_for_read(Dossier) is None


def test_dashboard_reads_aggregates_from_the_replica(tmp_path: Path) -> None:
    """A real process with DATABASE_REPLICA_URL pointing at a copy of the database (the
    same SQLite file stands in for a streaming replica)."""
    db = tmp_path / "primary.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings.dev",
        "DATABASE_URL": f"sqlite:///{db}",
        "DATABASE_REPLICA_URL": f"sqlite:///{db}",
        "MOTCUA_VAR_DIR": str(tmp_path),
    }

    def motcua(*args: str) -> str:
        done = subprocess.run(
            [str(MOTCUA), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    motcua("migrate", "-v0")
    motcua("demo_load", "--org-only")
    out = json.loads(motcua("shell", "-c", PROBE).rsplit("JSON", 1)[1])
    assert out["aliases"] == ["default", "replica"]
    assert out["status"] == 200
    replica_sql = " ".join(out["page_replica"])
    assert "monitoring_unitmonthstats" in replica_sql or "monitoring_unitdaystats" in replica_sql
    # Nothing but aggregates is read from the replica; sessions, accounts, units and any
    # write stay on the primary.
    for sql in out["page_replica"]:
        assert sql.startswith("SELECT"), sql
        assert "monitoring_unit" in sql or "monitoring_periodsnapshot" in sql, sql
    assert not any("monitoring_unitmonthstats" in sql for sql in out["page_primary"])
    assert any("django_session" in sql for sql in out["page_primary"])
    # Read in order to write: inside a transaction the primary answers.
    assert out["atomic_replica"] == []
    assert any("monitoring_unitmonthstats" in sql for sql in out["atomic_primary"])
