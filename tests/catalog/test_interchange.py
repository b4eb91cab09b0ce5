import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalog import selectors
from motcua.catalog.interchange import CatalogImportError, export_catalogue, import_catalogue
from motcua.catalog.models import Competence, Field, Procedure, ProcedureVersion


def _wipe_catalogue():
    Competence.objects.all().delete()
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()


def test_demo_has_at_least_20_real_procedures_with_eforms_and_processes(demo_catalog):
    assert Procedure.objects.count() >= 20
    versions = [selectors.version_in_force(p) for p in Procedure.objects.all()]
    assert all(v is not None for v in versions)
    assert sum(1 for v in versions if v.form_schema) >= 6
    assert all(v.steps.exists() for v in versions)
    from motcua.catalog.services import version_process_errors

    # R3: every demo internal process allocates exactly the legal time.
    assert {
        v.procedure.code: version_process_errors(v) for v in versions if version_process_errors(v)
    } == {}
    assert any(s.parallel_group for v in versions for s in v.steps.all())
    birth = Procedure.objects.get(code="1.001193")
    units = {u.code for u in selectors.competent_units(birth)}
    assert {"000.11.31.H47", "000.12.31.H47"} <= units  # every demo commune
    assert "000.00.01.H47" in {u.code for u in selectors.reception_points(birth)}  # PAS centre


def test_demo_load_is_idempotent(demo_catalog):
    again = import_catalogue(json.loads(json.dumps(export_catalogue())))
    assert not again.changed and again.unchanged == Procedure.objects.count()


def test_round_trip_into_an_empty_catalogue_is_identical(demo_catalog):
    exported = export_catalogue()
    _wipe_catalogue()
    assert Procedure.objects.count() == 0
    out = io.StringIO()
    call_command("catalog_export", stdout=out)  # empty catalogue → []
    assert json.loads(out.getvalue()) == []
    import_catalogue(copy.deepcopy(exported))
    assert export_catalogue() == exported


def test_export_and_import_commands(demo_catalog, tmp_path):
    path = tmp_path / "catalogue.json"
    call_command("catalog_export", str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {"code", "name", "field", "processing_time", "components", "fees"} <= set(data[0])
    # A changed fee becomes a new version on import; the old one stays for old dossiers.
    birth = next(p for p in data if p["code"] == "1.001193")
    # (The demo has the 2025 version and the province's 2026 amendment already.)
    birth["fees"][0]["amount"] = 9000
    birth["effective_from"] = "2027-01-01"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("catalog_import", str(path), stdout=out)
    assert "phiên bản mới 1" in out.getvalue()
    assert Procedure.objects.get(code="1.001193").versions.count() == 3


def test_invalid_file_changes_nothing(demo_units, tmp_path):
    good = {
        "code": "9.1",
        "name": "A",
        "field": {"code": "F", "name": "F"},
        "processing_time": {"value": 1, "unit": "working_days"},
        "components": [],
        "fees": [],
    }
    bad = {**good, "code": "9.2", "fees": [{"code": "X", "amount": -5}]}
    with pytest.raises(CatalogImportError) as exc:
        import_catalogue([good, bad])
    assert any("9.2" in e for e in exc.value.errors)
    assert Procedure.objects.count() == 0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"name": "no code"}]), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("catalog_import", str(path))


def test_unchanged_procedures_are_recognised_without_writing(demo_catalog):
    """The demo file with the 2026 amendments, normalised, equals what was stored:
    re-imports take the fast path."""
    from motcua.catalog.demo import ANNOUNCEMENTS_FILE, DATA_FILE
    from motcua.catalog.interchange import normalised_content, version_to_dict
    from motcua.org.models import OrgUnit

    known = set(OrgUnit.objects.values_list("code", flat=True))
    amended = {a["code"]: a for a in json.loads(ANNOUNCEMENTS_FILE.read_text(encoding="utf-8"))}
    for base in json.loads(DATA_FILE.read_text(encoding="utf-8")):
        item = {**base, **amended.get(base["code"], {})}
        stored = selectors.latest_published(Procedure.objects.get(code=item["code"]))
        assert normalised_content(item, known) == version_to_dict(stored), item["code"]
