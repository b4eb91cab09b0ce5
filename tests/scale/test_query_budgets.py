"""Query-count budgets for list pages and API lists (issue 11 §5): the number of SQL
queries a list page runs must not grow with the number of rows it shows (no N+1), and
stays under a fixed budget. Data comes from the bulk generator (motcua demo_generate)
on the demo province."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import User
from motcua.core.generator import generate
from motcua.dossiers.models import Dossier

# Budgets: generous enough for session, permissions, tabs and counts, far below one query
# per row (25 rows a page).
BUDGET = {
    "worklist": 40,
    "my_list": 25,
    "api_mine": 25,
    "api_list": 25,
}


@pytest.fixture
def world(db: Any, settings: Any) -> dict[str, Any]:
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.org.demo import demo_load

    settings.MOTCUA_STAFF_2FA_REQUIRED = False
    demo_load()
    load_demo_catalogue()
    officer = User.objects.get(username="tiepnhan.ttpvhcc")
    citizen = User.objects.get(personal_id="049090001234")
    return {"officer": officer, "citizen": citizen}


def _queries(client: Client, path: str) -> int:
    # Warm the per-process caches first (work calendars are built once per unit and
    # calendar version, then reused): the budget is for a page in steady state.
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def _grow(citizen: User, dossiers: int, seed: int) -> None:
    """Generate dossiers and give them all to `citizen` (so the citizen lists fill up)."""
    before = set(Dossier.objects.values_list("pk", flat=True))
    generate(dossiers=dossiers, seed=seed, chunk=500)
    Dossier.objects.exclude(pk__in=before).update(applicant=citizen)


def _check(citizen: User, pages: list[tuple[Client, str, int]]) -> list[str]:
    _grow(citizen, 40, seed=1)  # part of a page on every tab (an empty page skips queries)
    few = [_queries(client, path) for client, path, _b in pages]
    _grow(citizen, 400, seed=2)
    problems = []
    for (client, path, budget), before in zip(pages, few, strict=True):
        many = _queries(client, path)
        if many > before + 2:
            problems.append(f"{path}: {before} queries with few rows, {many} with a full page")
        if many > budget:
            problems.append(f"{path}: {many} queries, budget {budget}")
    return problems


def test_officer_worklists_and_api_list_have_no_n_plus_one(world: dict[str, Any]) -> None:
    officer, citizen = Client(), Client()
    officer.force_login(world["officer"])
    citizen.force_login(world["citizen"])
    problems = _check(
        world["citizen"],
        [
            (officer, "/quan-tri/ho-so/", BUDGET["worklist"]),
            (officer, "/quan-tri/ho-so/?tab=all", BUDGET["worklist"]),
            (officer, "/quan-tri/ho-so/?tab=overdue", BUDGET["worklist"]),
            (citizen, "/api/v1/dossiers/mine", BUDGET["api_mine"]),
            (officer, "/api/v1/dossiers/", BUDGET["api_list"]),
            (officer, "/api/v1/dossiers/?limit=100", BUDGET["api_list"]),
            (officer, "/api/v1/feedback/", BUDGET["api_list"]),
            # Issue 26: the receptionists' phone list (law.md R12c).
            (officer, "/api/v1/worklist/to-phone?limit=100", BUDGET["api_list"]),
        ],
    )
    assert not problems, problems


def test_public_api_lists_have_fixed_query_counts(world: dict[str, Any]) -> None:
    """Catalogue and organisation lists do not grow with the dossiers (nor per row)."""
    anonymous, officer = Client(), Client()
    officer.force_login(world["officer"])
    problems = _check(
        world["citizen"],
        [
            (anonymous, "/api/v1/catalogue/procedures?limit=100", BUDGET["api_list"]),
            (officer, "/api/v1/units/?limit=100", BUDGET["api_list"]),
            (officer, "/api/v1/units/tree", BUDGET["api_list"]),
        ],
    )
    assert not problems, problems


def test_citizen_dossier_list_has_no_n_plus_one(world: dict[str, Any]) -> None:
    citizen = Client()
    citizen.force_login(world["citizen"])
    problems = _check(world["citizen"], [(citizen, "/ho-so/", BUDGET["my_list"])])
    assert not problems, problems
