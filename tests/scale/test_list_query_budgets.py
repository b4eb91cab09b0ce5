"""Query-count budgets for the other list pages of the web UI (issue 11 §5): back-office
queues and admin lists, the monitoring dashboard and the citizen's own lists. Each page
is counted with a few rows, then with a full page of rows: the count must not grow with
the rows (no N+1, at most 2 more queries) and stays under a fixed budget per page.
tests/scale/test_query_budgets.py covers the dossier worklists and the API lists.

Rows are made with the real services where they are simple to call (feedback, payment
requests, notifications, erasure requests, drafts, API clients, audit entries) and with
the shared builders of motcua.core.testing otherwise (units, procedures, assignments)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import FeeRule
from motcua.core.testing import fixtures as fx
from motcua.core.testing.personas import SINCE, Personas, make_citizen, make_officer, make_unit
from motcua.org.constants import Role, UnitKind
from motcua.org.models import StaffAssignment
from motcua.workdays.selectors import clear_cache

pytestmark = pytest.mark.django_db

FEW = 3
# Allowed growth between FEW rows and a full page (a second page link, a lazily built
# per-unit calendar, …): anything more is one query per row.
GROWTH = 2
# Budgets below are the count measured with a full page (the same on SQLite and
# PostgreSQL) plus this slack, for a small change to the layout or the permissions.
SLACK = 3

_serial = count(1)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # Unit ids are reused between tests (rolled-back transactions): drop cached calendars.
    clear_cache()
    yield
    clear_cache()


@dataclass(frozen=True)
class Page:
    client: Client
    path: str
    budget: int
    row: str  # regular expression matching once per listed row
    per_page: int = 10_000  # rows the page shows at most
    # The text the rows are counted in (the HTML by default; e.g. a PDF's text).
    text: Callable[[Any], str] | None = None


def _measure(page: Page) -> tuple[int, int]:
    """(queries, rows shown) of a page in steady state (the first request warms the
    per-process caches: work calendars, site settings)."""
    page.client.get(page.path)
    with CaptureQueriesContext(connection) as ctx:
        response = page.client.get(page.path)
    assert response.status_code == 200, page.path
    text = page.text(response) if page.text else response.content.decode()
    return len(ctx.captured_queries), len(re.findall(page.row, text))


def _check(pages: list[Page], grow: Callable[[int], None], *, many: int) -> None:
    grow(FEW)
    before = [_measure(p) for p in pages]
    grow(many - FEW)
    problems = []
    for page, (few_queries, few_rows) in zip(pages, before, strict=True):
        many_queries, many_rows = _measure(page)
        print(
            f"\n[budget] {page.path}: {few_queries} queries with {few_rows} rows, "
            f"{many_queries} with {many_rows} rows (budget {page.budget})"
        )
        if few_rows < FEW or many_rows < min(many, page.per_page):
            problems.append(f"{page.path}: shows {few_rows} then {many_rows} rows")
        if many_queries > few_queries + GROWTH:
            problems.append(
                f"{page.path}: {few_queries} queries with {few_rows} rows, "
                f"{many_queries} with {many_rows}"
            )
        if many_queries > page.budget:
            problems.append(f"{page.path}: {many_queries} queries, budget {page.budget}")
    assert not problems, problems


# --- builders -------------------------------------------------------------------------


def _procedure(p: Personas, **kwargs: Any) -> Any:
    """A published procedure version of its own field, settled by unit X."""
    from motcua.catalog.services import procedure_refresh_search_text

    n = next(_serial)
    version = fx.make_published_version(
        p.unit_x,
        procedure=(f"9.{n:06d}", f"Thủ tục thử nghiệm {n}"),
        field=(f"TN{n:04d}", f"Lĩnh vực thử nghiệm {n}"),
        **kwargs,
    )
    procedure_refresh_search_text(version.procedure)
    return version


def _received(p: Personas, version: Any, form_answers: dict[str, Any] | None = None) -> Any:
    dossier = fx.submit_online_dossier(
        version=version,
        applicant=p.citizen_a,
        unit=p.unit_x,
        form_answers=form_answers,
        file_names=False,
    )
    return fx.receive_dossier(dossier, receptionist=p.receptionist_x)


def _unit(parent: Any, kind: str = UnitKind.DISTRICT_OFFICE, name: str = "Phòng") -> Any:
    n = next(_serial)
    return make_unit(f"TN.{n:05d}.H47", f"{name} thử nghiệm {n}", kind, parent)


# --- back office ------------------------------------------------------------------------


def test_feedback_queue_and_citizen_feedback_list(personas: Personas, client_for: Any) -> None:
    """Back-office queue of unit X's leader (open and all statuses) and the citizen's
    own page (their feedback, and their dossiers waiting for a rating)."""
    from motcua.feedback import services
    from motcua.feedback.constants import FeedbackChannel, FeedbackKind

    p = personas
    version = _procedure(p)

    def grow(n: int) -> None:
        for _ in range(n):
            dossier = _received(p, version)
            i = next(_serial)
            services.feedback_submit(
                kind=FeedbackKind.DOSSIER if i % 2 else FeedbackKind.REGULATION,
                title=f"Phản ánh thử nghiệm {i}",
                content=f"Nội dung phản ánh số {i} về việc giải quyết hồ sơ.",
                channel=FeedbackChannel.PORTAL,
                submitter=p.citizen_a,
                dossier=dossier,
                unit=p.unit_x,
            )

    leader, citizen = client_for(p.leader_x), client_for(p.citizen_a)
    queue_row = r'<td class="mono"><a href="/quan-tri/phan-anh/\d+/"'
    _check(
        [
            Page(leader, "/quan-tri/phan-anh/", 9 + SLACK, queue_row, per_page=50),
            Page(leader, "/quan-tri/phan-anh/?status=", 9 + SLACK, queue_row, per_page=50),
            # The feedback they sent, 20 a page.
            Page(
                citizen,
                "/phan-anh-kien-nghi/cua-toi/",
                6 + SLACK,
                r'<td class="mono"><a href="/phan-anh',
                per_page=20,
            ),
            # The same page's dossiers waiting for a rating (the 30 most recent ones).
            Page(
                citizen,
                "/phan-anh-kien-nghi/cua-toi/",
                6 + SLACK,
                r'<li><a href="/phan-anh-kien-nghi/danh-gia/\d+/',
                per_page=30,
            ),
        ],
        grow,
        many=55,
    )


def test_published_feedback_list(personas: Personas) -> None:
    """The portal's page of published answers (anyone, 20 a page)."""
    from django.utils import timezone

    from motcua.feedback import services
    from motcua.feedback.constants import FeedbackChannel, FeedbackKind, FeedbackStatus
    from motcua.feedback.models import Feedback

    p = personas

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(_serial)
            fb = services.feedback_submit(
                kind=FeedbackKind.REGULATION,
                title=f"Kiến nghị thử nghiệm {i}",
                content=f"Nội dung kiến nghị số {i} về thủ tục hành chính.",
                channel=FeedbackChannel.HOTLINE,
                sender_name=f"Người gọi {i}",
                entered_by=p.receptionist_x,
                unit=p.unit_x if i % 2 else p.unit_y,
            ).feedback
            # The end of the answer workflow (accept, answer, approve, publish) as data:
            # the list reads only these fields.
            Feedback.objects.filter(pk=fb.pk).update(
                status=FeedbackStatus.PUBLISHED,
                is_public=True,
                published_at=timezone.now(),
                public_summary=f"Kiến nghị thử nghiệm {i}",
                public_answer="Nội dung trả lời đã công khai.",
            )

    _check(
        [
            Page(
                Client(),
                "/phan-anh-kien-nghi/",
                2 + SLACK,
                r"Kiến nghị thử nghiệm \d+",
                per_page=20,
            )
        ],
        grow,
        many=25,
    )


def test_payment_request_lists(personas: Personas, client_for: Any) -> None:
    """The finance list of unit X's leader, a supervisor's read-only list and the
    citizen's own payments."""
    from motcua.payments import services

    p = personas
    version = fx.make_published_version(p.unit_x, **fx.COPY_PROCEDURE)
    FeeRule.objects.create(version=version, name="Lệ phí cấp bản sao", **fx.COPY_LEVY)

    def grow(n: int) -> None:
        for _ in range(n):
            dossier = _received(p, version, {"so_ban": 2})
            services.payment_request_for_fees(dossier=dossier, actor=p.citizen_a)

    row = r'href="/quan-tri/thanh-toan/\d+/"'
    _check(
        [
            Page(client_for(p.leader_x), "/quan-tri/thanh-toan/", 11 + SLACK, row, per_page=50),
            Page(client_for(p.supervisor), "/quan-tri/thanh-toan/", 15 + SLACK, row, per_page=50),
            Page(
                client_for(p.citizen_a),
                "/thanh-toan/",
                3 + SLACK,
                r'href="/thanh-toan/yeu-cau/\d+/"',
            ),
        ],
        grow,
        many=55,
    )


def test_audit_log_list(personas: Personas, client_for: Any) -> None:
    from motcua.core.audit import audit_record

    p = personas
    actors = [p.citizen_a, p.receptionist_x, p.leader_x, p.specialist_y, p.supervisor, p.admin]

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(_serial)
            audit_record(
                action="test.list_budget",
                actor=actors[i % len(actors)],
                obj=p.unit_x,
                unit_code=p.unit_x.code,
                role=Role.LEADER,
                after={"n": i},
            )

    row = r'<td class="num"><a href="/quan-tri/nhat-ky/\d+/"'
    _check(
        [
            Page(client_for(p.admin), "/quan-tri/nhat-ky/", 10 + SLACK, row, per_page=50),
            Page(client_for(p.supervisor), "/quan-tri/nhat-ky/", 11 + SLACK, row, per_page=50),
        ],
        grow,
        many=60,
    )


def test_notification_centre(personas: Personas, client_for: Any) -> None:
    """The same page for a citizen (portal layout, SMS deliveries) and an officer."""
    from motcua.notifications.services import notify

    p = personas

    def grow(n: int) -> None:
        for _ in range(n):
            for user in (p.citizen_a, p.leader_x):
                notify(recipient=user, event="dossier_submitted", context={"procedure": "P"})

    row = r'action="/thong-bao/\d+/mo/"'
    _check(
        [
            Page(client_for(p.citizen_a), "/thong-bao/", 6 + SLACK, row, per_page=20),
            Page(client_for(p.citizen_a), "/thong-bao/?chua-doc=1", 6 + SLACK, row, per_page=20),
            Page(client_for(p.leader_x), "/thong-bao/", 8 + SLACK, row, per_page=20),
        ],
        grow,
        many=30,
    )


def test_privacy_request_list(personas: Personas, client_for: Any) -> None:
    from motcua.core.testing.personas import PASSWORD
    from motcua.privacy import services

    p = personas

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(_serial)
            subject = make_citizen(f"0010991{i:05d}", f"Người yêu cầu {i}")
            req = services.erasure_request_create(subject=subject, password=PASSWORD)
            if i % 3 == 0:
                services.erasure_request_refuse(request=req, actor=p.admin, reason="Thử nghiệm")

    _check(
        [
            Page(
                client_for(p.admin),
                "/quan-tri/du-lieu-ca-nhan/",
                6 + SLACK,
                r'href="/quan-tri/du-lieu-ca-nhan/\d+/"',
            )
        ],
        grow,
        many=40,
    )


def test_org_unit_list(personas: Personas, client_for: Any) -> None:
    """The tree (no filter) and the filtered table."""
    p = personas

    def grow(n: int) -> None:
        for _ in range(n):
            _unit(p.unit_x if next(_serial) % 2 else p.unit_y)

    admin = client_for(p.admin)
    row = r'href="/quan-tri/to-chuc/\d+/"'
    _check(
        [
            Page(admin, "/quan-tri/to-chuc/", 7 + SLACK, row),
            Page(admin, "/quan-tri/to-chuc/?q=th%E1%BB%AD+nghi%E1%BB%87m", 7 + SLACK, row),
        ],
        grow,
        many=40,
    )


def test_catalogue_admin_list(personas: Personas, client_for: Any) -> None:
    """Every procedure with its version in force and its open draft (50 a page); the
    public search page of the portal."""
    from motcua.catalog import services

    p = personas

    def grow(n: int) -> None:
        for _ in range(n):
            version = _procedure(p)
            if next(_serial) % 2:
                services.procedure_version_create_draft(procedure=version.procedure, actor=p.admin)

    admin = client_for(p.admin)
    row = r'<td class="mono"><a href="/quan-tri/thu-tuc/'
    public = r'<h2 class="procedure-title"><a href="/thu-tuc/'
    _check(
        [
            Page(admin, "/quan-tri/thu-tuc/", 9 + SLACK, row, per_page=50),
            Page(
                admin,
                "/quan-tri/thu-tuc/?q=th%E1%BB%AD+nghi%E1%BB%87m",
                11 + SLACK,
                row,
                per_page=50,
            ),
            # The public search page lists the same procedures (20 a page).
            Page(Client(), "/thu-tuc/", 4 + SLACK, public, per_page=20),
            Page(
                Client(), "/thu-tuc/?q=th%E1%BB%AD+nghi%E1%BB%87m", 4 + SLACK, public, per_page=20
            ),
        ],
        grow,
        many=55,
    )


def test_api_client_admin_list(personas: Personas, client_for: Any) -> None:
    from motcua.api import services

    p = personas

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(_serial)
            services.api_client_create(
                name=f"Ứng dụng thử nghiệm {i}",
                scopes=["dossiers:read", "org:read"],
                units=[p.unit_x, p.unit_y][: 1 + i % 2],
                acting_user=p.specialist_y if i % 2 else None,
                actor=p.admin,
            )

    _check(
        [
            Page(
                client_for(p.admin),
                "/quan-tri/ung-dung-api/",
                9 + SLACK,
                r'<td><a href="/quan-tri/ung-dung-api/\d+/"',
            )
        ],
        grow,
        many=40,
    )


def test_backoffice_home(personas: Personas, client_for: Any) -> None:
    """One panel per role, naming every unit of the officer's assignments."""
    p = personas
    officer = make_officer("nhieu.vaitro", p.unit_x, Role.RECEPTIONIST)
    roles = [Role.RECEPTIONIST, Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.SUPERVISOR]

    def grow(n: int) -> None:
        for _ in range(n):
            unit = _unit(p.province, UnitKind.DEPARTMENT, "Sở")
            role = roles[next(_serial) % len(roles)]
            StaffAssignment.objects.create(user=officer, unit=unit, role=role, valid_from=SINCE)

    # 5 for the panels + one count per worklist tab of the officer's roles (issue 18: the
    # home shows the work waiting; bounded by the number of tabs, not by the units);
    # + 2 since scopes follow successions (issue 21: one query of the carrying links in
    # roles_in_units and one in units_visible_to, law.md R31).
    _check(
        [Page(client_for(officer), "/quan-tri/", 15 + SLACK, r"Sở thử nghiệm \d+")],
        grow,
        many=40,
    )


def test_monitoring_dashboard(personas: Personas, client_for: Any) -> None:
    """A supervisor's province: every unit with its score (tiles and table)."""
    from tests.monitoring.factories import insert_counters

    p = personas
    district = _unit(p.province, UnitKind.DISTRICT, "Huyện")

    def grow(n: int) -> None:
        for _ in range(n):
            unit = _unit(district, UnitKind.COMMUNE, "Xã")
            i = next(_serial)
            insert_counters(unit, dt.date(2026, 3, 2), received=10, on_time_766=i % 11)

    march = "period=custom&from=2026-03-01&to=2026-03-31"
    supervisor = client_for(p.supervisor)
    row = r"Xã thử nghiệm \d+"
    # 24, + 2 for the units' catalogue spans of the period and the previous one (issue
    # 19: catalogue facts independent of dossiers), + 2 for the carrying successions
    # read by the two scope look-ups (issue 21, law.md R31); constant in the units;
    # + 1 for the dossiers late without an apology letter (issue 27 point 2).
    _check(
        [
            Page(supervisor, f"/quan-tri/giam-sat/?{march}", 29 + SLACK, row),
            Page(supervisor, f"/quan-tri/giam-sat/?{march}&view=table", 29 + SLACK, row),
        ],
        grow,
        many=40,
    )


# --- citizen portal ---------------------------------------------------------------------


def test_citizen_drafts_list(personas: Personas, client_for: Any) -> None:
    """Drafts (one per procedure version) above the submitted dossiers on /ho-so/."""
    from motcua.dossiers.services import drafts

    p = personas

    def grow(n: int) -> None:
        for _ in range(n):
            drafts.draft_start(applicant=p.citizen_a, procedure_version=_procedure(p))

    _check([Page(client_for(p.citizen_a), "/ho-so/", 4 + SLACK, "Tiếp tục soạn")], grow, many=40)
