"""Back-office audit browser: who may see what, filters, paging, detail, CSV, verify."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from motcua.core.audit import audit_record
from motcua.core.models import AuditEntry, AuditVerification
from motcua.core.testing.personas import make_officer, make_unit
from motcua.org.constants import Role, UnitKind

pytestmark = pytest.mark.django_db

LIST = reverse("core:audit_list")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "audit-results"}


@pytest.fixture
def entries(personas):
    """One entry per unit plus one with no unit; distinct actors and actions."""
    p = personas
    return {
        "x": audit_record(
            action="org.unit_update", actor=p.leader_x, obj=p.unit_x, unit_code=p.unit_x.code
        ),
        "y": audit_record(
            action="dossier.receive", actor=p.specialist_y, obj=p.unit_y, unit_code=p.unit_y.code
        ),
        "province": audit_record(
            action="org.unit_create", actor=p.admin, obj=p.province, unit_code=p.province.code
        ),
        "none": audit_record(action="accounts.login", actor=p.citizen_a),
    }


@pytest.fixture
def supervisor_x(personas):
    return make_officer("giamsat.x", personas.unit_x, Role.SUPERVISOR)


def _sequences(response) -> set[int]:
    return {e.sequence for e in response.context["page"].entries}


@pytest.mark.parametrize("who", ["citizen_a", "receptionist_x", "leader_x", "specialist_y"])
def test_non_supervisors_are_refused(personas, client_for, entries, who):
    client = client_for(getattr(personas, who))
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("core:audit_detail", args=[entries["x"].pk])).status_code == 403
    assert client.get(reverse("core:audit_export")).status_code == 403


def test_anonymous_is_sent_to_login(client, entries):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_admin_sees_everything(personas, client_for, entries):
    response = client_for(personas.admin).get(LIST)
    assert response.status_code == 200
    assert _sequences(response) == {e.sequence for e in entries.values()}
    assert "Kiểm tra chuỗi nhật ký" in response.content.decode()


def test_supervisor_sees_only_own_subtree(personas, client_for, entries, supervisor_x):
    response = client_for(supervisor_x).get(LIST)
    assert response.status_code == 200
    assert _sequences(response) == {entries["x"].sequence}
    assert "Kiểm tra chuỗi nhật ký" not in response.content.decode()  # admins only
    detail = client_for(supervisor_x).get(reverse("core:audit_detail", args=[entries["y"].pk]))
    assert detail.status_code == 404


def test_provincial_supervisor_sees_all_units_below(personas, client_for, entries):
    response = client_for(personas.supervisor).get(LIST)
    assert _sequences(response) == {
        entries["x"].sequence,
        entries["y"].sequence,
        entries["province"].sequence,
    }


def test_supervisor_of_a_sub_unit_sees_its_children(personas, client_for, entries, supervisor_x):
    child = make_unit(
        "000.01.01.H47", "Phòng thuộc Sở X", UnitKind.DISTRICT_OFFICE, personas.unit_x
    )
    child_entry = audit_record(action="org.unit_update", obj=child, unit_code=child.code)
    response = client_for(supervisor_x).get(LIST)
    assert _sequences(response) == {entries["x"].sequence, child_entry.sequence}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "LANHDAO"}, {"x"}),
        ({"action": "org."}, {"x", "province"}),
        ({"action": "dossier.receive"}, {"y"}),
        ({"object_type": "org.orgunit"}, {"x", "y", "province"}),
        ({"unit": "000.00.02.H47"}, {"y"}),
        ({"actor": "quantri", "action": "dossier."}, set()),
    ],
)
def test_filters(personas, client_for, entries, params, expected):
    response = client_for(personas.admin).get(LIST, params)
    assert _sequences(response) == {entries[k].sequence for k in expected}


def test_object_id_filter(personas, client_for, entries):
    response = client_for(personas.admin).get(
        LIST, {"object_type": "org.orgunit", "object_id": str(personas.unit_y.pk)}
    )
    assert _sequences(response) == {entries["y"].sequence}


def test_date_range_filter_uses_local_days(personas, client_for, monkeypatch):
    """Days are Vietnamese calendar days: 23:30 and 00:30 local straddle the boundary
    although both are on 2026-11-20 in UTC."""
    import motcua.core.audit as audit

    late = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.UTC)  # 23:30 on the 20th in Hanoi
    early = dt.datetime(2026, 11, 20, 17, 30, tzinfo=dt.UTC)  # 00:30 on the 21st in Hanoi
    monkeypatch.setattr(audit, "_now", lambda: late)
    on_20th = audit_record(action="test.day")
    monkeypatch.setattr(audit, "_now", lambda: early)
    on_21st = audit_record(action="test.day")
    client = client_for(personas.admin)
    assert _sequences(client.get(LIST, {"date_to": "2026-11-20"})) == {on_20th.sequence}
    assert _sequences(client.get(LIST, {"date_from": "2026-11-21"})) >= {on_21st.sequence}
    assert on_20th.sequence not in _sequences(client.get(LIST, {"date_from": "2026-11-21"}))
    both = {"date_from": "2026-11-20", "date_to": "2026-11-21"}
    assert _sequences(client.get(LIST, both)) == {on_20th.sequence, on_21st.sequence}


def test_invalid_date_range_shows_error_and_no_rows(personas, client_for, entries):
    response = client_for(personas.admin).get(
        LIST, {"date_from": "2026-11-27", "date_to": "2026-11-01"}, **HTMX
    )
    assert response.status_code == 200
    assert _sequences(response) == set()
    assert "phải sau hoặc bằng" in response.content.decode()


def test_htmx_request_gets_only_the_results_table(personas, client_for, entries):
    response = client_for(personas.admin).get(LIST, {"action": "org."}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="audit-results"')
    assert "<html" not in body


def test_keyset_paging_walks_every_entry_once(personas, client_for):
    for i in range(120):
        audit_record(action="test.bulk", after={"i": i}, unit_code=personas.unit_x.code)
    client = client_for(personas.admin)
    seen: list[int] = []
    response = client.get(LIST, {"action": "test."})
    pages = 0
    while True:
        pages += 1
        page = response.context["page"]
        seen.extend(e.sequence for e in page.entries)
        if page.older_cursor is None:
            break
        response = client.get(LIST, {"action": "test.", "before": page.older_cursor})
    assert pages == 3
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 120
    # And back: newer page from the last page.
    newer = client.get(LIST, {"action": "test.", "after": response.context["page"].newer_cursor})
    assert [e.sequence for e in newer.context["page"].entries] == seen[50:100]


def test_detail_shows_diff_and_hash_links(personas, client_for):
    first = audit_record(action="test.first")
    entry = audit_record(
        action="org.unit_update",
        obj=personas.unit_x,
        before={"name": "Sở X", "short_name": "SX"},
        after={"name": "Sở X mới", "short_name": "SX"},
        unit_code=personas.unit_x.code,
        role="administrator",
    )
    response = client_for(personas.admin).get(reverse("core:audit_detail", args=[entry.pk]))
    assert response.status_code == 200
    diff = {row.key: row for row in response.context["diff"]}
    assert diff["name"].changed and diff["name"].after == "Sở X mới"
    assert not diff["short_name"].changed
    body = response.content.decode()
    assert "Quản trị hệ thống" in body  # role shown by its Vietnamese label
    assert entry.entry_hash in body and entry.prev_hash == first.entry_hash
    assert reverse("core:audit_detail", args=[first.pk]) in body


def test_csv_export_respects_scope_and_filters(personas, client_for, entries, supervisor_x):
    response = client_for(supervisor_x).get(reverse("core:audit_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Số thứ tự"
    assert [int(r[0]) for r in rows[1:]] == [entries["x"].sequence]
    # The export itself is audited.
    assert AuditEntry.objects.filter(action="core.audit_export", actor=supervisor_x).exists()


def test_csv_export_neutralises_formulas(personas, client_for):
    audit_record(action="test.csv", object_repr='=HYPERLINK("http://evil")')
    response = client_for(personas.admin).get(reverse("core:audit_export"), {"action": "test."})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_admin_runs_verification_in_background(personas, client_for, entries):
    client = client_for(personas.admin)
    response = client.post(reverse("core:audit_verify_start"))
    verification = AuditVerification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:audit_verify_status", args=[verification.pk])
    # Test settings use the immediate task backend, so it has already finished.
    # 4 entries plus the audited verification request itself.
    assert verification.ok is True and verification.entry_count == 5
    assert AuditEntry.objects.filter(
        action="core.audit_verify_requested", actor=personas.admin
    ).exists()
    status = client.get(response["Location"])
    assert "Toàn vẹn" in status.content.decode()
    assert "hx-trigger" not in status.content.decode()  # finished: no more polling


def test_unfinished_verification_polls(personas, client_for):
    verification = AuditVerification.objects.create(requested_by=personas.admin)
    response = client_for(personas.admin).get(
        reverse("core:audit_verify_status", args=[verification.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Đang kiểm tra" in body and 'hx-trigger="load delay:2s"' in body


def test_supervisor_cannot_run_verification(personas, client_for):
    response = client_for(personas.supervisor).post(reverse("core:audit_verify_start"))
    assert response.status_code == 403
    assert not AuditVerification.objects.exists()
