"""Records follow successions (law.md R31, §10.3; issue 21 deliverable 2): the carrying
link of a unit hands its dossiers, its officers' scope and its monitoring history to
the successor, from the effective date, along chains."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from motcua.dossiers.permissions import roles_in_units
from motcua.org import selectors, services
from motcua.org.constants import Role, SuccessionKind, UnitKind
from motcua.org.interchange import OrgImportError, export_data, import_data
from motcua.org.models import UnitSuccession

D = dt.date
REFORM = D(2025, 7, 1)


@pytest.fixture
def reform(small_tree):
    """P (old province) → city DN; commune C1 → ward W (merged), district D → W
    (functions transferred), C2 split into W and W2 (carries nothing)."""
    t = dict(small_tree)
    t["DN"] = services.unit_create(
        code="DN", name="Thành phố Đà Nẵng", kind=UnitKind.PROVINCE, valid_from=REFORM
    )
    t["W"] = services.unit_create(
        code="W", name="Phường W", kind=UnitKind.COMMUNE, parent=t["DN"], valid_from=REFORM
    )
    t["W2"] = services.unit_create(
        code="W2", name="Xã W2", kind=UnitKind.COMMUNE, parent=t["DN"], valid_from=REFORM
    )
    links = [
        ("P", "DN", SuccessionKind.MERGED_INTO),
        ("C1", "W", SuccessionKind.MERGED_INTO),
        ("D", "W", SuccessionKind.FUNCTIONS_TRANSFERRED_TO),
        ("C2", "W", SuccessionKind.SPLIT_INTO),
        ("C2", "W2", SuccessionKind.SPLIT_INTO),
    ]
    for old, new, kind in links:
        services.succession_record(
            predecessor=t[old], successor=t[new], kind=kind, effective_date=REFORM
        )
    return t


def test_records_map_follows_carrying_links_from_their_date(reform):
    t = reform
    assert selectors.records_successor_map(D(2025, 6, 30)) == {}
    after = selectors.records_successor_map(D(2026, 12, 7))
    assert after == {t["P"].pk: t["DN"].pk, t["C1"].pk: t["W"].pk, t["D"].pk: t["W"].pk}
    assert selectors.unit_current(t["C1"], D(2026, 1, 1)) == t["W"]
    assert selectors.unit_current(t["C2"], D(2026, 1, 1)) == t["C2"]  # a split keeps them
    assert {u.code for u in selectors.unit_successors_at(t["C2"], D(2026, 1, 1))} == {"W", "W2"}


def test_chains_end_at_todays_unit(reform):
    t = reform
    later = services.unit_create(
        code="W3", name="Phường W (tên mới)", kind=UnitKind.COMMUNE, parent=t["DN"]
    )
    services.succession_record(
        predecessor=t["W"],
        successor=later,
        kind=SuccessionKind.RENAMED_TO,
        effective_date=D(2026, 9, 1),
    )
    assert selectors.unit_current(t["C1"], D(2026, 8, 31)) == t["W"]
    assert selectors.unit_current(t["C1"], D(2026, 9, 1)) == later
    assert selectors.record_predecessors({later.pk}, D(2026, 9, 1)) == {
        t["C1"].pk: later.pk,
        t["D"].pk: later.pk,
        t["W"].pk: later.pk,
    }


def test_a_unit_hands_its_records_to_one_successor(reform):
    t = reform
    with pytest.raises(ValidationError) as exc:
        services.succession_record(
            predecessor=t["C1"],
            successor=t["W2"],
            kind=SuccessionKind.MERGED_INTO,
            effective_date=REFORM,
        )
    assert "chỉ chuyển hồ sơ cho một đơn vị" in str(exc.value)
    services.succession_record(  # allowed when it carries nothing
        predecessor=t["C1"],
        successor=t["W2"],
        kind=SuccessionKind.FUNCTIONS_TRANSFERRED_TO,
        effective_date=REFORM,
        carries_records=False,
    )
    assert UnitSuccession.objects.filter(predecessor=t["C1"], carries_records=True).count() == 1


def test_officer_scope_follows_the_records(reform, staff_user):
    t = reform
    ward = staff_user("ward")
    services.assignment_create(user=ward, unit=t["W"], role=Role.SPECIALIST, valid_from=REFORM)
    visible = set(selectors.units_visible_to(ward, D(2026, 12, 7)).values_list("code", flat=True))
    assert visible == {"W", "C1", "D"}  # not C2 (split, nothing carried), not the province
    held = roles_in_units(ward)
    assert held[t["C1"].pk] == {Role.SPECIALIST} and held[t["D"].pk] == {Role.SPECIALIST}
    assert t["C2"].pk not in held
    # A supervisor of the city sees the old province's whole subtree.
    boss = staff_user("boss")
    services.assignment_create(user=boss, unit=t["DN"], role=Role.SUPERVISOR, valid_from=REFORM)
    codes = set(selectors.units_visible_to(boss, D(2026, 12, 7)).values_list("code", flat=True))
    assert codes == {"DN", "W", "W2", "P", "A", "D", "C1", "C2"}
    # Before the reform the ward officer's scope is the ward alone.
    early = staff_user("early")
    services.assignment_create(
        user=early, unit=t["W"], role=Role.SPECIALIST, valid_from=D(2025, 1, 1)
    )
    assert set(selectors.units_visible_to(early, D(2025, 6, 1)).values_list("code", flat=True)) == {
        "W"
    }


def test_import_and_export_carry_the_flag(small_tree):
    data = {
        "units": [
            {"code": "DN", "name": "Thành phố Đà Nẵng", "kind": "province", "parent": None},
            {"code": "W", "name": "Phường W", "kind": "commune", "parent": "DN"},
        ],
        "successions": [
            {"from": "C1", "to": "W", "kind": "merged_into", "effective_date": "2025-07-01"},
            {"from": "C2", "to": "W", "kind": "split_into", "effective_date": "2025-07-01"},
            {
                "from": "D",
                "to": "W",
                "kind": "functions_transferred_to",
                "effective_date": "2025-07-01",
                "carries_records": False,
            },
        ],
    }
    import_data(data)
    flags = dict(UnitSuccession.objects.values_list("predecessor__code", "carries_records"))
    assert flags == {"C1": True, "C2": False, "D": False}
    exported = export_data()["successions"]
    assert [s.get("carries_records") for s in exported] == [None, None, False]  # defaults omitted
    again = json.loads(json.dumps(export_data()))
    assert import_data(again).changed is False
    bad = {
        "units": [],
        "successions": [
            {"from": "C1", "to": "DN", "kind": "merged_into", "effective_date": "2025-07-01"}
        ],
    }
    with pytest.raises(OrgImportError) as exc:  # C1 already hands its records to W
        import_data(bad)
    assert "Đơn vị «C1»: hồ sơ chỉ được chuyển cho một đơn vị kế thừa" in exc.value.errors[0]
