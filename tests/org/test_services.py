import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motcua.core.models import AuditEntry
from motcua.org import selectors, services
from motcua.org.constants import Role, SuccessionKind, UnitKind
from motcua.org.models import OrgUnit

D = dt.date


def test_move_rewrites_path_and_depth_of_whole_subtree(small_tree):
    p, a, d, c1 = small_tree["P"], small_tree["A"], small_tree["D"], small_tree["C1"]
    services.unit_move(unit=d, new_parent=a)
    d.refresh_from_db()
    c1.refresh_from_db()
    assert d.path == f"{p.path}{a.pk}/{d.pk}/"
    assert d.depth == 2
    assert c1.path == f"{d.path}{c1.pk}/"
    assert c1.depth == 3
    assert set(selectors.subtree(a).values_list("code", flat=True)) == {"A", "D", "C1", "C2"}
    assert AuditEntry.objects.filter(action="org.unit_move").count() == 1


def test_move_to_root_and_into_own_subtree_is_refused(small_tree):
    d, c1 = small_tree["D"], small_tree["C1"]
    with pytest.raises(ValidationError):
        services.unit_move(unit=d, new_parent=c1)
    services.unit_move(unit=d, new_parent=None)
    c1.refresh_from_db()
    assert c1.depth == 1
    assert c1.path == f"/{d.pk}/{c1.pk}/"


def test_head_of_unit_is_effective_dated(small_tree, staff_user):
    dept = small_tree["A"]
    old, new = staff_user("old", "Huỳnh Thị Lan"), staff_user("new", "Võ Văn Thành")
    services.assignment_create(
        user=old, unit=dept, role=Role.LEADER, is_head=True, valid_from=D(2017, 8, 1)
    )
    first = dept.assignments.get(user=old)
    services.assignment_end(assignment=first, valid_to=D(2023, 2, 28))
    services.assignment_create(
        user=new, unit=dept, role=Role.LEADER, is_head=True, valid_from=D(2023, 3, 1)
    )
    assert selectors.head_of_unit(dept, D(2020, 6, 1)) == old
    assert selectors.head_of_unit(dept, D(2023, 2, 28)) == old
    assert selectors.head_of_unit(dept, D(2023, 3, 1)) == new
    assert selectors.head_of_unit(dept, D(2017, 7, 31)) is None
    assert [a.user for a in selectors.heads_history(dept)] == [new, old]


def test_two_heads_at_once_are_refused(small_tree, staff_user):
    dept = small_tree["A"]
    services.assignment_create(
        user=staff_user("h1"), unit=dept, role=Role.LEADER, is_head=True, valid_from=D(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(
            user=staff_user("h2"),
            unit=dept,
            role=Role.LEADER,
            is_head=True,
            valid_from=D(2024, 1, 1),
        )
    assert "người đứng đầu" in str(exc.value)


def test_delegation_acting_for_and_revoke(small_tree, staff_user):
    dept = small_tree["A"]
    boss, deputy = staff_user("boss"), staff_user("deputy")
    services.assignment_create(user=boss, unit=dept, role=Role.LEADER, valid_from=D(2020, 1, 1))
    services.assignment_create(user=deputy, unit=dept, role=Role.LEADER, valid_from=D(2020, 1, 1))
    delegation = services.delegation_create(
        delegator=boss,
        delegate=deputy,
        unit=dept,
        valid_from=D(2025, 8, 4),
        valid_to=D(2025, 8, 15),
    )
    assert list(selectors.acting_for(deputy, D(2025, 8, 10))) == [delegation]
    assert not selectors.acting_for(deputy, D(2025, 8, 16)).exists()
    services.delegation_revoke(delegation=delegation)
    assert not selectors.acting_for(deputy, D(2025, 8, 10)).exists()
    with pytest.raises(ValidationError):
        services.delegation_revoke(delegation=delegation)


def test_delegation_requires_leader(small_tree, staff_user):
    dept = small_tree["A"]
    clerk, other = staff_user("clerk"), staff_user("other")
    services.assignment_create(user=clerk, unit=dept, role=Role.CLERK, valid_from=D(2020, 1, 1))
    services.assignment_create(user=other, unit=dept, role=Role.CLERK, valid_from=D(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.delegation_create(
            delegator=clerk,
            delegate=other,
            unit=dept,
            valid_from=D(2025, 1, 1),
            valid_to=D(2025, 1, 2),
        )


def test_succession_resolves_to_todays_unit(small_tree):
    p = small_tree["P"]
    city = services.unit_create(
        code="DN", name="Thành phố Đà Nẵng", kind=UnitKind.PROVINCE, valid_from=D(2025, 7, 1)
    )
    services.succession_record(
        predecessor=p,
        successor=city,
        kind=SuccessionKind.MERGED_INTO,
        effective_date=D(2025, 7, 1),
        legal_basis="Nghị quyết 202/2025/QH15",
        close_predecessor=True,
    )
    p.refresh_from_db()
    assert p.valid_to == D(2025, 6, 30)
    assert selectors.resolve_current(p, D(2025, 6, 30)) == [p]
    assert selectors.resolve_current(p, D(2026, 1, 1)) == [city]
    with pytest.raises(ValidationError):  # a cycle back to the province
        services.succession_record(
            predecessor=city,
            successor=p,
            kind=SuccessionKind.RENAMED_TO,
            effective_date=D(2026, 1, 1),
        )


def test_split_resolves_to_several_units(small_tree):
    d, c1, c2 = small_tree["D"], small_tree["C1"], small_tree["C2"]
    for target in (c1, c2):
        services.succession_record(
            predecessor=d,
            successor=target,
            kind=SuccessionKind.SPLIT_INTO,
            effective_date=D(2025, 7, 1),
        )
    assert {u.code for u in selectors.resolve_current(d, D(2025, 7, 1))} == {"C1", "C2"}


def test_unit_tree_as_of_date_keeps_closed_ancestors(small_tree):
    services.unit_close(unit=small_tree["P"], valid_to=D(2025, 6, 30))
    services.unit_close(unit=small_tree["C2"], valid_to=D(2024, 12, 31))
    roots = selectors.unit_tree(D(2026, 1, 1))
    assert [(r.unit.code, r.valid) for r in roots] == [("P", False)]
    district = next(n for n in roots[0].children if n.unit.code == "D")
    assert [n.unit.code for n in district.children] == ["C1"]
    roots_2024 = selectors.unit_tree(D(2024, 6, 1))
    district = next(n for n in roots_2024[0].children if n.unit.code == "D")
    assert [n.unit.code for n in district.children] == ["C1", "C2"]
    assert roots_2024[0].valid


def test_duplicate_code_is_refused(small_tree):
    with pytest.raises(ValidationError):
        services.unit_create(code="A", name="Trùng", kind=UnitKind.DEPARTMENT)
    assert OrgUnit.objects.filter(code="A").count() == 1


def test_only_administrators_of_the_subtree_may_change_units(personas):
    with pytest.raises(PermissionDenied):
        services.unit_update(actor=personas.leader_x, unit=personas.unit_x, name="Sở X mới")
    services.unit_update(actor=personas.admin, unit=personas.unit_x, name="Sở X mới")
    personas.unit_x.refresh_from_db()
    assert personas.unit_x.name == "Sở X mới"
    entry = AuditEntry.objects.filter(action="org.unit_update").get()
    assert entry.actor == personas.admin
    assert entry.before["name"] == "Sở X"
    assert entry.after["name"] == "Sở X mới"
