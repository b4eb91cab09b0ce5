"""No global serialisation point in the audit log (issue 23 deliverable 5, docs/audit.md):
several processes append at once on PostgreSQL while another transaction holds its
lane open, and nobody waits for it; every chain still verifies."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from django.db import connection

from motcua.core.audit import audit_lanes_ensure, verify_chain
from motcua.core.models import AuditEntry
from tests.reliability.conftest import MOTCUA, ROOT, _pg_url

# Holds a transaction with one audit entry open until its stdin closes.
HOLDER = """
import sys
from django.db import transaction
from motcua.core.audit import audit_record
with transaction.atomic():
    entry = audit_record(action="test.holder")
    print("LANE", entry.chain, flush=True)
    sys.stdin.read()
"""
# Appends N entries, one transaction each, two entries per transaction; fails instead of
# waiting if a lock is held elsewhere for more than 5 s (the holder never lets go).
WRITER = """
import json, sys
from django.db import connection, transaction
from motcua.core.audit import audit_record
lanes = set()
for i in range({n}):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
        first = audit_record(action="test.{name}", after={{"i": i}})
        second = audit_record(action="test.{name}", after={{"i": i, "again": True}})
        assert (second.chain, second.position) == (first.chain, first.position + 1)
        lanes.add(first.chain)
print(json.dumps(sorted(lanes)))
"""


@pytest.mark.django_db(transaction=True)
def test_writers_in_several_processes_never_wait_for_each_other(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has one writer at a time by design")
    # The processes use the (migrated) test database; this test commits for real.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings.test",
        "MOTCUA_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": _pg_url(connection.settings_dict, connection.settings_dict["NAME"]),
    }

    # The lane rows come from migration core.0005, but the flush between transactional
    # tests removes them: recreate them committed, or the holder would create them inside
    # its open transaction and every writer would wait on those rows.
    audit_lanes_ensure()
    holder = subprocess.Popen(
        [*MOTCUA, "shell", "-c", HOLDER],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        line = ""
        while not line.startswith("LANE "):  # its lane is locked once this is printed
            line = holder.stdout.readline()
            assert line, holder.stderr.read() if holder.stderr else "holder ended"
        held_lane = int(line.split()[1])
        writers = [
            subprocess.Popen(
                [*MOTCUA, "shell", "-c", WRITER.format(n=15, name=f"w{k}")],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for k in range(3)
        ]
        used: set[int] = set()
        for writer in writers:
            out, err = writer.communicate(timeout=600)
            assert writer.returncode == 0, err
            used |= set(json.loads(out.strip().splitlines()[-1]))
    finally:
        out, err = holder.communicate(input="", timeout=300)
    assert holder.returncode == 0, err
    # The writers committed while the holder kept its lane locked: they never needed it.
    assert held_lane not in used

    result = verify_chain()
    assert result.ok, result
    assert result.count == 91  # 1 + 3 processes x 15 transactions x 2
    assert len(result.heads) >= 2  # the holder's lane + the others
    assert AuditEntry.objects.filter(action="test.holder").get().chain == held_lane
