import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.org.interchange import OrgImportError, export_json, import_data
from motcua.org.models import OrgUnit


def doc(units, successions=()):
    return {"units": list(units), "successions": list(successions)}


def unit(code, parent=None, **extra):
    return {"code": code, "name": f"Đơn vị {code}", "kind": "department", "parent": parent, **extra}


def test_parents_listed_after_children_and_paths(db):
    result = import_data(doc([unit("C", "B"), unit("B", "A"), unit("A", None, kind="province")]))
    assert result.created == 3
    a, b, c = (OrgUnit.objects.get(code=x) for x in "ABC")
    assert c.parent == b and b.parent == a
    assert c.path == f"/{a.pk}/{b.pk}/{c.pk}/"
    assert c.depth == 2


def test_import_is_idempotent_and_upserts_by_code(db):
    data = doc([unit("A", None, kind="province"), unit("B", "A")])
    import_data(data)
    again = import_data(data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    data["units"][1]["name"] = "Sở B (tên mới)"
    third = import_data(data)
    assert third.updated == 1
    assert OrgUnit.objects.get(code="B").name == "Sở B (tên mới)"
    assert OrgUnit.objects.count() == 2


def test_validation_errors_name_the_unit_and_write_nothing(db):
    bad = doc(
        [
            unit("A", None, kind="province"),
            unit("B", "KHONG-CO"),
            {"code": "C", "name": "", "kind": "sở", "parent": "A"},
            unit("D", "A", valid_from="2025-07-01", valid_to="2025-06-30"),
            unit("A", None),
            unit("E", "A", valid_from="01/07/2025"),
        ],
        [{"from": "A", "to": "ZZZ", "kind": "merged_into", "effective_date": "2025-07-01"}],
    )
    with pytest.raises(OrgImportError) as exc:
        import_data(bad)
    text = "\n".join(exc.value.errors)
    assert "«B»" in text and "KHONG-CO" in text
    assert "«C»" in text and "«name»" in text and "sở" in text
    assert "«D»" in text and "hết hiệu lực trước" in text
    assert "mã bị trùng" in text
    assert "«E»" in text and "YYYY-MM-DD" in text
    assert "ZZZ" in text
    assert OrgUnit.objects.count() == 0


def test_cycle_is_reported(db):
    with pytest.raises(OrgImportError) as exc:
        import_data(doc([unit("A", "B"), unit("B", "A")]))
    assert "vòng lặp" in "\n".join(exc.value.errors)
    assert not OrgUnit.objects.exists()


def test_error_in_successions_keeps_existing_db_untouched(db):
    import_data(doc([unit("A", None, kind="province")]))
    with pytest.raises(OrgImportError):
        import_data(
            doc(
                [unit("A", None, kind="province", name="Đổi tên"), unit("B", "A")],
                [{"from": "A", "to": "B", "kind": "eaten_by", "effective_date": "2025-07-01"}],
            )
        )
    assert OrgUnit.objects.get(code="A").name == "Đơn vị A"
    assert not OrgUnit.objects.filter(code="B").exists()


def test_round_trip_export_import_export_is_identical(db, tmp_path):
    call_command("demo_load", "--org-only", stdout=io.StringIO())
    first = export_json()
    path = tmp_path / "org.json"
    path.write_text(first, encoding="utf-8")
    call_command("org_import", str(path), stdout=io.StringIO())
    assert export_json() == first
    data = json.loads(first)
    assert {"from", "to", "kind", "effective_date", "legal_basis"} <= set(data["successions"][0])
    seen: set[str] = set()
    for row in data["units"]:  # parents always come first
        assert row["parent"] is None or row["parent"] in seen
        seen.add(row["code"])


def test_org_import_command_reports_errors_in_vietnamese(db, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc([unit("B", "A")])), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("org_import", str(path))
    assert "không có dữ liệu nào được ghi" in str(exc.value)
    assert "«B»" in capsys.readouterr().err
    assert not OrgUnit.objects.exists()


def test_org_export_to_stdout(db, capsys):
    import_data(doc([unit("A", None, kind="province")]))
    call_command("org_export")
    data = json.loads(capsys.readouterr().out)
    assert data["units"] == [{"code": "A", "name": "Đơn vị A", "kind": "province", "parent": None}]
