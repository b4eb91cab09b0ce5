"""Demo catalogue: 25 real procedures (law.md §11) in the interchange format,
loaded idempotently. Run after the organisation demo (motcua/org/data/quangnam.json)
so that competence and process steps find their units."""

from __future__ import annotations

import json
from pathlib import Path

from motcua.catalog.interchange import ImportResult, import_catalogue

DATA_FILE = Path(__file__).resolve().parent / "data" / "procedures.json"


def load_demo_catalogue() -> ImportResult:
    with DATA_FILE.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return import_catalogue(data)
