"""Read replica for monitoring (issue 11, docs/operations/scale-out.md).

When `DATABASE_REPLICA_URL` is set, the monitoring aggregates (day and month roll-ups,
period snapshots, weekly reports) are read from that PostgreSQL streaming replica: the
province dashboard, reports and public statistics then cost the primary nothing.
Everything else — dossiers, the officer worklist, the citizen's own pages — keeps
reading the primary (read-your-writes), and every write goes to the primary.

A read made inside a transaction on the primary also stays there: the aggregate updater
and `monitoring_rebuild` read rows in order to write them, and a replica lags by up to
a few seconds.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
REPLICA_READ_MODELS = frozenset(
    {
        ("monitoring", "unitdaystats"),
        ("monitoring", "unitmonthstats"),
        ("monitoring", "periodsnapshot"),
        ("monitoring", "weeklyreport"),
    }
)


class MonitoringReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if (model._meta.app_label, model._meta.model_name) not in REPLICA_READ_MODELS:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: objects read from either may relate.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica's schema arrives by replication, never by `migrate`.
        return False if db == REPLICA else None
