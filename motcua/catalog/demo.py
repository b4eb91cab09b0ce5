"""Demo catalogue: 25 real procedures (law.md §11) in the interchange format,
loaded idempotently. Run after the organisation demo (motcua/org/data/quangnam.json)
so that competence and process steps find their units.

The procedures are in force from 1/7/2025 (procedures.json); in 2026 the province
announces an amended version of each (announcements_2026.json: decision number and
date, publication in the national database), so Decision 766 indicators 1.1/1.2 have
facts in the demo year — most announced ≥ 5 working days before taking effect and
published within 5 working days, a few late (law.md §4.4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from motcua.catalog.interchange import ImportResult, import_catalogue
from motcua.catalog.models import Procedure

DATA_FILE = Path(__file__).resolve().parent / "data" / "procedures.json"
ANNOUNCEMENTS_FILE = Path(__file__).resolve().parent / "data" / "announcements_2026.json"


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def load_demo_catalogue() -> ImportResult:
    # The monitoring's 1.1/1.2 rows are written once for the whole catalogue, not at
    # every save of every version (issue 21: the two-level demo has twice the communes).
    from motcua.monitoring.updater import announcements_deferred

    with announcements_deferred():
        return _load_demo_catalogue()


def _load_demo_catalogue() -> ImportResult:
    base: list[dict[str, Any]] = _read(DATA_FILE)
    amended = {a["code"]: a for a in _read(ANNOUNCEMENTS_FILE)}
    existing = set(
        Procedure.objects.filter(code__in=[i["code"] for i in base]).values_list("code", flat=True)
    )
    # First load: the 2025 versions; a reload compares only with the amended ones.
    first = import_catalogue([i for i in base if i["code"] not in existing])
    result = import_catalogue([{**i, **amended.get(i["code"], {})} for i in base])
    result.created += first.created
    result.new_versions += first.new_versions
    result.competences_created += first.competences_created
    result.warnings = first.warnings + result.warnings
    return result


LINKED_PROCEDURES_FILE = Path(__file__).resolve().parent / "data" / "linked_procedures.json"
BUNDLES_FILE = Path(__file__).resolve().parent / "data" / "bundles.json"


def load_demo_linked() -> tuple[ImportResult, tuple[int, int]]:
    """The two Project 06 linked bundles (Decree 63/2024/NĐ-CP; law.md R40) with the
    member procedures the 25 do not include (health insurance card of a child under
    six, removal from permanent residence). Needs the Social Security unit
    (org.demo.linked_demo_load). Idempotent."""
    from motcua.catalog.services import bundle_import

    procedures = import_catalogue(_read(LINKED_PROCEDURES_FILE))
    return procedures, bundle_import(data=_read(BUNDLES_FILE))
