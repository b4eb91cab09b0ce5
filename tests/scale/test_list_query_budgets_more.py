"""Query-count budgets for the remaining list pages (issue 11 §5), in the style and with
the helpers of tests/scale/test_list_query_budgets.py: the finance lists (refunds,
receipts, bank statement lines, reconciliation runs), the monitoring drill-down list,
early warnings and weekly reports, the dead letters of the national-portal sync, the
citizen's e-data warehouse and the register (Form 06, a PDF). Each page is counted with a
few rows, then with a full page: no more than 2 extra queries, and a fixed budget.

The catalogue admin list and the citizen's own feedback list are paginated: their second
pages are checked here too."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone

from motcua.catalog.models import FeeRule
from motcua.core.testing import fixtures as fx
from motcua.core.testing.personas import Personas, make_officer
from motcua.org.constants import Role, UnitKind
from tests.scale.test_list_query_budgets import (  # noqa: F401 — the autouse fixture too
    SLACK,
    Page,
    _check,
    _fresh_calendar_cache,
    _measure,
    _procedure,
    _received,
    _serial,
    _unit,
)

pytestmark = pytest.mark.django_db


def _pdf_text(response: Any) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# --- payments ---------------------------------------------------------------------------


def test_finance_lists(personas: Personas, client_for: Any, settings: Any, tmp_path: Any) -> None:
    """Refunds (with the approve / refuse forms for the leader), receipts, bank
    statement lines and reconciliation runs of unit X, for its leader (finance and
    refund approver) and for a supervisor (read only, over a province whose units grow
    with the rows: nothing may be looked up once per unit either)."""
    from motcua.dossiers import services as dossier_services
    from motcua.payments import services
    from motcua.payments.providers.base import SettlementLine
    from motcua.payments.reconciliation import StatementRow, reconcile, statement_import

    fx.use_payment_sandbox(settings, tmp_path, secret="budget-secret")
    p = personas
    clerk = make_officer("vanthu.x", p.unit_x, Role.CLERK)
    version = fx.make_published_version(p.unit_x, **fx.COPY_PROCEDURE)
    FeeRule.objects.create(version=version, name="Lệ phí cấp bản sao", **fx.COPY_LEVY)
    today = timezone.localdate()

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(_serial)
            _unit(p.province, UnitKind.DEPARTMENT, "Sở")
            dossier = _received(p, version, {"so_ban": 2})
            req = services.payment_request_for_fees(dossier=dossier, actor=p.citizen_a)
            # Paid in cash at the counter: a receipt.
            attempt = services.cash_record(
                request=req, actor=p.receptionist_x, amount=req.outstanding
            )
            # Stopped by the citizen (Decree 118/2025 Art. 21): the fee may go back (a
            # refund, every other one approved by the leader).
            dossier.refresh_from_db()
            dossier_services.dossier_stop_by_applicant(
                dossier=dossier,
                actor=p.citizen_a,
                expected_version=dossier.version,
                reason="Không cần nữa",
            )
            refund = services.refund_request(
                attempt=attempt, actor=clerk, amount=attempt.amount, reason=f"Rút hồ sơ {i}"
            )
            if i % 2:
                services.refund_complete(refund=refund, actor=p.leader_x)
            # A bank statement line naming the transaction, and one naming nothing.
            booked = timezone.now() - dt.timedelta(minutes=i)
            statement_import(
                rows=[
                    StatementRow(
                        f"NH{i:08d}", booked, attempt.amount, f"Thanh toan {attempt.txn_ref}"
                    ),
                    StatementRow(f"NHX{i:07d}", booked, 12_000, f"Chuyen tien {i}"),
                ],
                source="budget.csv",
            )
            # One reconciliation run a day (the cash of that day, one unknown line).
            reconcile(
                provider_code="cash",
                day=today - dt.timedelta(days=i),
                lines=[SettlementLine(f"MCX{i:09d}", f"{i}", 1000)],
                source="budget",
            )

    leader, supervisor = client_for(p.leader_x), client_for(p.supervisor)
    base = "/quan-tri/thanh-toan"
    refund = rf'href="{base}/\d+/"'
    receipt = r'<td><a href="/thanh-toan/bien-lai/\d+/'
    statement = r'<td class="mono">NH'
    run = rf'<td><a href="{base}/doi-soat/\d+/"'
    _check(
        [
            Page(leader, f"{base}/hoan-tien/", 11 + SLACK, refund, per_page=50),
            Page(supervisor, f"{base}/hoan-tien/", 15 + SLACK, refund, per_page=50),
            Page(leader, f"{base}/bien-lai/", 10 + SLACK, receipt, per_page=50),
            Page(supervisor, f"{base}/bien-lai/", 14 + SLACK, receipt, per_page=50),
            Page(leader, f"{base}/sao-ke/", 11 + SLACK, statement, per_page=50),
            Page(supervisor, f"{base}/sao-ke/", 15 + SLACK, statement, per_page=50),
            Page(leader, f"{base}/doi-soat/", 8 + SLACK, run, per_page=50),
        ],
        grow,
        many=52,
    )


# --- monitoring -------------------------------------------------------------------------

MARCH = "period=month&date=2026-03-15"


def _in_process(p: Personas, version: Any, specialist: Any, at: dt.datetime) -> Any:
    """A dossier of citizen A received at unit X on `at` and assigned to `specialist`
    (still open: late by now)."""
    dossier = fx.submit_online_dossier(
        version=version, applicant=p.citizen_a, unit=p.unit_x, file_names=False, now=at
    )
    dossier = fx.receive_dossier(dossier, receptionist=p.receptionist_x, now=at)
    return fx.assign_dossier(
        dossier, leader=p.leader_x, assignee=specialist, now=at + dt.timedelta(hours=1)
    )


def test_monitoring_drill_down_and_warnings(
    personas: Personas, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The dossiers behind a number of unit X's page (all received in March, the late
    ones: with their responsible step, officer and days late) and the early-warning
    list (open dossiers past their due date)."""
    p = personas
    version = _procedure(p)
    specialist = make_officer("chuyenvien.x", p.unit_x, Role.SPECIALIST)

    def grow(n: int) -> None:
        # The monitoring updater runs on commit: it records each dossier's contribution.
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(n):
                at = fx.MONDAY + dt.timedelta(days=next(_serial) % 4, hours=1)
                _in_process(p, version, specialist, at)

    supervisor = client_for(p.supervisor)
    drill = f"/quan-tri/giam-sat/don-vi/{p.unit_x.pk}/ho-so/"
    row = r'<th scope="row"><a href="/quan-tri/ho-so/\d+/"'
    _check(
        [
            Page(supervisor, f"{drill}?kind=received&{MARCH}", 14 + SLACK, row, per_page=50),
            Page(supervisor, f"{drill}?kind=late&{MARCH}", 14 + SLACK, row, per_page=50),
            Page(
                client_for(p.leader_x), f"{drill}?kind=late&{MARCH}", 14 + SLACK, row, per_page=50
            ),
            Page(supervisor, "/quan-tri/giam-sat/canh-bao/", 14 + SLACK, row, per_page=300),
            Page(
                supervisor,
                f"/quan-tri/giam-sat/canh-bao/?unit={p.unit_x.pk}",
                16 + SLACK,
                row,
                per_page=300,
            ),
        ],
        grow,
        many=52,
    )


def test_weekly_report_archive(personas: Personas, client_for: Any) -> None:
    """One row per archived week (a year of Fridays: no pagination needed)."""
    from motcua.monitoring.reports import weekly_report_generate

    p = personas
    weeks = iter(range(1, 53))

    def grow(n: int) -> None:
        for _ in range(n):
            weekly_report_generate(week=f"2025-W{next(weeks):02d}", send=False)

    _check(
        [
            Page(
                client_for(p.supervisor),
                "/quan-tri/giam-sat/bao-cao-tuan/",
                7 + SLACK,
                r'<th scope="row">2025-W\d\d</th>',
            )
        ],
        grow,
        many=12,
    )


# --- national-portal sync ---------------------------------------------------------------


def test_dead_letter_list(personas: Personas, client_for: Any) -> None:
    """Messages the national portal refused (the 200 most recent), for the
    administrator (with the replay button) and a supervisor."""
    from motcua.integrations import relay
    from motcua.integrations.models import OutboxMessage, OutboxStatus

    p = personas
    version = _procedure(p)

    def grow(n: int) -> None:
        for _ in range(n):
            _received(p, version)
        relay.relay()
        # The head message of each new dossier was refused: a dead letter.
        heads = OutboxMessage.objects.filter(seq=1, status=OutboxStatus.PENDING)
        heads.update(
            status=OutboxStatus.DEAD,
            attempts=1,
            last_http_status=400,
            last_error="NgayTiepNhan: sai định dạng yyyyMMddHHmmss",
            dead_at=timezone.now(),
        )

    row = r'<td><a href="/quan-tri/lien-thong/thong-diep/\d+/"'
    _check(
        [
            Page(client_for(p.admin), "/quan-tri/lien-thong/loi/", 8 + SLACK, row, per_page=200),
            Page(
                client_for(p.supervisor), "/quan-tri/lien-thong/loi/", 8 + SLACK, row, per_page=200
            ),
        ],
        grow,
        many=40,
    )


# --- documents --------------------------------------------------------------------------


def test_citizen_warehouse(
    personas: Personas, client_for: Any, settings: Any, tmp_path: Any
) -> None:
    """The citizen's e-data warehouse: documents they filed and results received."""
    from motcua.core.testing.files import tiny_pdf
    from motcua.documents.services import stored_file_create, warehouse_item_add

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_VIRUS_SCANNER = ""
    p = personas

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(_serial)
            stored = stored_file_create(
                data=tiny_pdf(), original_name=f"giay-to-{i}.pdf", owner=p.citizen_a
            )
            warehouse_item_add(
                owner=p.citizen_a,
                file=stored,
                title=f"Giấy tờ thử nghiệm {i}",
                doc_type="CCCD",
                actor=p.citizen_a,
            )

    _check(
        [
            Page(
                client_for(p.citizen_a),
                "/tai-lieu/kho-du-lieu/",
                3 + SLACK,
                r"Giấy tờ thử nghiệm \d+",
            )
        ],
        grow,
        many=40,
    )


# --- dossiers ---------------------------------------------------------------------------


def test_register_pdf(personas: Personas, client_for: Any) -> None:
    """Form 06 (Sổ theo dõi hồ sơ) of unit X for a week: one line per dossier received,
    with the date it went to the settling unit (from its steps)."""
    p = personas
    version = _procedure(p)
    specialist = make_officer("chuyenvien.x", p.unit_x, Role.SPECIALIST)

    def grow(n: int) -> None:
        for _ in range(n):
            at = fx.MONDAY + dt.timedelta(days=next(_serial) % 4, hours=1)
            _in_process(p, version, specialist, at)

    week = f"unit={p.unit_x.pk}&date_from=2026-03-02&date_to=2026-03-08"
    _check(
        [
            Page(
                client_for(p.receptionist_x),
                f"/quan-tri/ho-so/so-theo-doi/?{week}",
                # +1: the read log's coalescing SELECT (law.md R32a: the register shows
                # each applicant's address and phone; one bulk INSERT on a new read).
                9 + SLACK,
                r"Thủ tục\s+thử\s+nghiệm",
                text=_pdf_text,
            )
        ],
        grow,
        many=30,
    )


# --- paginated lists: the second page ---------------------------------------------------


def _rows(client: Any, path: str, row: str) -> tuple[list[str], str]:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    return re.findall(row, html), html


def test_catalogue_admin_list_second_page(personas: Personas, client_for: Any) -> None:
    """50 procedures a page; the pager keeps the search term; page 2 shows the rest
    within the same query budget."""
    p = personas
    codes = {_procedure(p).procedure.code for _ in range(55)}
    admin = client_for(p.admin)
    row = r'<td class="mono"><a href="/quan-tri/thu-tuc/([^/"]+)/"'
    for params in ("", "q=th%E1%BB%AD+nghi%E1%BB%87m&"):
        first, html = _rows(admin, f"/quan-tri/thu-tuc/?{params}", row)
        assert len(first) == 50
        assert "Trang 1/2" in html and f'href="?{params.replace("&", "&amp;")}page=2"' in html
        second, html = _rows(admin, f"/quan-tri/thu-tuc/?{params}page=2", row)
        assert len(second) == 5 and set(first) | set(second) == codes
        assert "Trang 2/2" in html and "Trang trước" in html and "Trang sau" not in html
        assert first == sorted(first) and max(first) < min(second)  # in code order
    queries, shown = _measure(Page(admin, "/quan-tri/thu-tuc/?page=2", 9 + SLACK, row))
    assert shown == 5 and queries <= 9 + SLACK
    # Past the last page: the last page (as Django's get_page).
    assert len(_rows(admin, "/quan-tri/thu-tuc/?page=9", row)[0]) == 5


def test_citizen_feedback_list_second_page(personas: Personas, client_for: Any) -> None:
    """The feedback a citizen sent, 20 a page, newest first; page 2 shows the rest."""
    from motcua.feedback import services
    from motcua.feedback.constants import FeedbackChannel, FeedbackKind

    p = personas
    sent = []
    for _ in range(25):
        i = next(_serial)
        sent.append(
            services.feedback_submit(
                kind=FeedbackKind.REGULATION,
                title=f"Kiến nghị thử nghiệm {i}",
                content=f"Nội dung kiến nghị số {i} về thủ tục hành chính.",
                channel=FeedbackChannel.PORTAL,
                submitter=p.citizen_a,
                unit=p.unit_x,
            ).feedback.code
        )
    citizen = client_for(p.citizen_a)
    row = r'<td class="mono"><a href="/phan-anh-kien-nghi/[^"]*">([^<]+)</a>'
    first, html = _rows(citizen, "/phan-anh-kien-nghi/cua-toi/", row)
    assert first == sent[::-1][:20]  # newest first
    assert "Trang 1/2" in html and 'href="?page=2"' in html
    second, html = _rows(citizen, "/phan-anh-kien-nghi/cua-toi/?page=2", row)
    assert second == sent[::-1][20:]
    assert "Trang 2/2" in html and 'href="?page=1"' in html
    queries, shown = _measure(Page(citizen, "/phan-anh-kien-nghi/cua-toi/?page=2", 6 + SLACK, row))
    assert shown == 5 and queries <= 6 + SLACK
    # Another citizen's list stays empty, with no pager.
    other, html = _rows(client_for(p.citizen_b), "/phan-anh-kien-nghi/cua-toi/", row)
    assert other == [] and "Phân trang" not in html


def test_load_forecast_board(personas: Personas, client_for: Any) -> None:
    """The unit head's load board (issue 27): officer rows × ten working days and the
    suggestions; a fixed number of queries whatever the officers and steps."""
    from django.utils import timezone

    from motcua.org.models import Absence

    p = personas
    version = _procedure(p)
    away = make_officer("chuyenvien.vang", p.unit_x, Role.SPECIALIST)
    today = timezone.localdate()
    Absence.objects.create(
        user=away, unit=p.unit_x, valid_from=today, valid_to=today + dt.timedelta(days=30)
    )

    def grow(n: int) -> None:
        for _ in range(n):
            k = next(_serial)
            if k % 3 == 0:
                make_officer(f"chuyenvien.tai{k}", p.unit_x, Role.SPECIALIST)
            dossier = _received(p, version)
            fx.assign_dossier(dossier, leader=p.leader_x, assignee=away)

    row = r'data-testid="suggestion-'
    _check(
        [Page(client_for(p.leader_x), "/quan-tri/giam-sat/tai-xu-ly/", 14 + SLACK, row)],
        grow,
        many=30,
    )
