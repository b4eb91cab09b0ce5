"""Worklist counts are capped so a big unit's history is not counted on every page view:
the pager shows "N+" pages and tab badges "999+" beyond the caps."""

from __future__ import annotations

import pytest

from motcua.core.testing.fixtures import submit_online_dossier
from motcua.dossiers import selectors as sel
from motcua.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_submitted(personas, version):
    return [
        submit_online_dossier(version=version, applicant=personas.citizen_a, unit=personas.unit_x)
        for _ in range(4)
    ]


def test_pager_count_is_capped(monkeypatch, four_submitted):
    monkeypatch.setattr(sel, "PAGINATION_COUNT_CAP", 2)
    monkeypatch.setattr(sel, "PAGE_SIZE", 1)
    page, rows = sel.paginate(Dossier.objects.order_by("pk"), 1)
    assert page.paginator.capped and page.paginator.count == 3
    # The page itself is exact: the first dossier, loaded with its joins.
    assert [r.dossier for r in rows] == [four_submitted[0]]


def test_pager_exact_below_the_cap(four_submitted):
    page, rows = sel.paginate(Dossier.objects.order_by("-pk"), 1)
    assert not page.paginator.capped and page.paginator.count == 4
    assert [r.dossier for r in rows] == list(reversed(four_submitted))


def test_tab_badges_are_capped(monkeypatch, personas, four_submitted):
    tabs = [t for t in sel.tabs_for(personas.receptionist_x) if t.key == "to_receive"]
    assert sel.tab_counts(personas.receptionist_x, tabs) == {"to_receive": 4}
    monkeypatch.setattr(sel, "TAB_COUNT_CAP", 3)
    assert sel.tab_counts(personas.receptionist_x, tabs) == {"to_receive": "3+"}


def test_one_side_of_the_unit_scope_reaching_the_cap_caps_the_count(monkeypatch, four_submitted):
    """The "all" and "overdue" tabs count each side of their OR (received by / decided by
    my units) up to the cap instead of the OR itself (a BitmapOr of a unit's history)."""
    monkeypatch.setattr(sel, "PAGINATION_COUNT_CAP", 2)
    ids = [d.pk for d in four_submitted]
    qs = Dossier.objects.order_by("pk")
    arms = [qs.filter(pk__in=ids[:3]), qs.filter(pk__in=ids[3:])]
    page, _rows = sel.paginate(qs, 1, arms=arms)
    assert page.paginator.capped and page.paginator.count == 3


def test_sides_below_the_cap_count_their_union_exactly(monkeypatch, four_submitted):
    monkeypatch.setattr(sel, "PAGINATION_COUNT_CAP", 5)
    ids = [d.pk for d in four_submitted]
    qs = Dossier.objects.order_by("pk")
    overlapping = [qs.filter(pk__in=ids[:3]), qs.filter(pk__in=ids[1:])]  # 3 + 3, union 4
    page, _rows = sel.paginate(qs, 1, arms=overlapping)
    assert not page.paginator.capped and page.paginator.count == 4


def test_all_tab_of_a_unit_lists_and_counts_received_and_decided(
    monkeypatch, client_for, personas, four_submitted
):
    monkeypatch.setattr(sel, "PAGE_SIZE", 3)
    response = client_for(personas.leader_x).get("/quan-tri/ho-so/?tab=all")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 3
    assert response.context["page"].paginator.count == 4
    monkeypatch.setattr(sel, "PAGINATION_COUNT_CAP", 2)
    capped = client_for(personas.leader_x).get("/quan-tri/ho-so/?tab=all")
    assert capped.context["page"].paginator.capped
