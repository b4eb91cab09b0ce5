"""Audit chain: recording, secret stripping, tamper detection, DB-level append-only."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import itertools
import json
import threading
import uuid

import pytest
from django.core.management import call_command, execute_from_command_line
from django.db import DatabaseError, connection, transaction

from motcua.core import request_context
from motcua.core.audit import GENESIS_HASH, audit_record, snapshot, verify_chain
from motcua.core.models import AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db

TABLE = "core_auditentry"


def _fill(n: int, **kwargs) -> list[AuditEntry]:
    return [
        audit_record(action="test.write", after={"i": i, "text": f"Hồ sơ số {i}"}, **kwargs)
        for i in range(n)
    ]


def _disable_append_only_triggers() -> None:
    """What an attacker with direct DB access would do before tampering."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER core_auditentry_append_only")
        else:
            cursor.execute("DROP TRIGGER core_auditentry_no_update")
            cursor.execute("DROP TRIGGER core_auditentry_no_delete")


def _raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _verify_exit_code() -> tuple[int, str]:
    return _verify_exit_code_with([])


def _verify_exit_code_with(args: list[str]) -> tuple[int, str]:
    """Run `motcua audit_verify` as the command line would; return (exit code, output)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            execute_from_command_line(["motcua", "audit_verify", *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue() + err.getvalue()


def test_chain_intact_after_many_entries(personas):
    _fill(250, actor=personas.admin, obj=personas.unit_x, unit_code="000.00.01.H47")
    result = verify_chain(chunk_size=37)  # several keyset pages, ragged last page
    assert result.ok, result
    assert result.count == 250
    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [e.sequence for e in entries] == list(range(1, 251))
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_sequence, head.last_hash) == (250, entries[-1].entry_hash)
    code, output = _verify_exit_code()
    assert code == 0
    assert "OK: 250 entries" in output


def test_empty_chain_verifies():
    code, output = _verify_exit_code()
    assert code == 0
    assert "OK: 0 entries" in output


def test_entry_fields_from_object_actor_and_request_context(personas):
    token = request_context.set_current(
        request_context.RequestContext(ip_address="203.0.113.7", user=personas.supervisor)
    )
    try:
        entry = audit_record(action="org.unit_update", obj=personas.unit_x, role="supervisor")
    finally:
        request_context.reset(token)
    entry.refresh_from_db()
    assert entry.actor_id == personas.supervisor.pk
    assert entry.actor_label == "giamsat"
    assert entry.ip_address == "203.0.113.7"
    assert entry.object_type == "org.orgunit"
    assert entry.object_id == str(personas.unit_x.pk)
    assert entry.object_repr == "Sở X"


def test_anonymous_request_user_is_not_an_actor(personas):
    from django.contrib.auth.models import AnonymousUser

    token = request_context.set_current(request_context.RequestContext(user=AnonymousUser()))
    try:
        entry = audit_record(action="portal.lookup")
    finally:
        request_context.reset(token)
    assert entry.actor_id is None and entry.actor_label == ""


def test_hash_follows_documented_canonical_json(personas):
    """docs/audit.md promises this exact recipe so third parties can re-verify."""
    entry = audit_record(
        action="test.doc", actor=personas.admin, after={"ten": "Sở Tư pháp", "b": 1}
    )
    entry.refresh_from_db()
    payload = {
        "sequence": entry.sequence,
        "occurred_at": entry.occurred_at.astimezone(dt.UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "role": entry.role,
        "unit_code": entry.unit_code,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "ip_address": entry.ip_address,
        "prev_hash": entry.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert "Sở Tư pháp" in text
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == entry.entry_hash


def test_secrets_are_stripped_from_snapshots(personas):
    entry = audit_record(
        action="accounts.update",
        before={
            "password": "old",
            "username": "a",
            "profile": {"otp_secret": "JBSW", "api_token": "t0k", "footprint": 3},
            "devices": [{"secret_key": "x", "name": "phone"}],
        },
        after=snapshot(personas.citizen_a),
    )
    entry.refresh_from_db()
    assert entry.before == {
        "username": "a",
        "profile": {"footprint": 3},
        "devices": [{"name": "phone"}],
    }
    assert "password" not in entry.after
    assert entry.after["username"] == "001090000001"
    stored = json.dumps([entry.before, entry.after])
    assert (
        "JBSW" not in stored and "t0k" not in stored and personas.citizen_a.password not in stored
    )


def test_snapshot_normalises_values_and_selects_fields(personas):
    unit = personas.unit_x
    data = snapshot(unit, fields=["code", "parent", "created_at"])
    assert data == {
        "code": "000.00.01.H47",
        "parent_id": personas.province.pk,
        "created_at": unit.created_at.astimezone(dt.UTC).isoformat(),
    }
    entry = audit_record(
        action="test.values",
        after={
            "amount": decimal.Decimal("1.50"),
            "uid": uuid.UUID(int=1),
            "day": dt.date(2026, 2, 1),
        },
    )
    entry.refresh_from_db()
    assert entry.after == {
        "amount": "1.50",
        "uid": "00000000-0000-0000-0000-000000000001",
        "day": "2026-02-01",
    }
    assert verify_chain().ok


def test_audit_record_joins_callers_transaction(personas):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.rolled_back")
        raise RuntimeError("business write failed")
    assert not AuditEntry.objects.exists()
    assert AuditChainHead.objects.get(pk=1).last_sequence == 0
    audit_record(action="test.after")
    assert verify_chain().ok


def test_database_rejects_update_and_delete():
    _fill(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw(f"UPDATE {TABLE} SET action = 'x' WHERE sequence = 2")
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw(f"DELETE FROM {TABLE} WHERE sequence = 2")
    assert AuditEntry.objects.get(sequence=2).action == "test.write"
    entry = AuditEntry.objects.get(sequence=2)
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_tampered_field_is_named(personas):
    _fill(10)
    _disable_append_only_triggers()
    _raw(f"UPDATE {TABLE} SET object_repr = 'đã sửa' WHERE sequence = 6")
    result = verify_chain()
    broken = AuditEntry.objects.get(sequence=6)
    assert (result.ok, result.broken_sequence, result.broken_id) == (False, 6, broken.pk)
    assert result.reason_code == "hash_mismatch"
    assert result.count == 5
    code, output = _verify_exit_code()
    assert code != 0
    assert "sequence 6" in output and f"id {broken.pk}" in output and "hash_mismatch" in output


def test_tampered_snapshot_with_recomputed_hash_breaks_next_link():
    """An attacker who also recomputes the edited row's hash breaks the next link."""
    from motcua.core.audit import compute_hash

    _fill(5)
    _disable_append_only_triggers()
    entry = AuditEntry.objects.get(sequence=3)
    entry.after = {"i": 999, "password": "injected"}
    new_hash = compute_hash(entry)
    _raw(
        f"UPDATE {TABLE} SET after = %s, entry_hash = %s WHERE sequence = 3",
        [json.dumps(entry.after), new_hash],
    )
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.reason_code) == (False, 4, "prev_mismatch")


def test_injected_secret_key_changes_the_hash():
    _fill(3)
    _disable_append_only_triggers()
    _raw(
        f"""UPDATE {TABLE} SET after = %s WHERE sequence = 2""",
        ['{"i": 1, "text": "Hồ sơ số 1", "password": "x"}'],
    )
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.reason_code) == (False, 2, "hash_mismatch")


def test_deleted_row_is_named():
    _fill(8)
    _disable_append_only_triggers()
    _raw(f"DELETE FROM {TABLE} WHERE sequence = 4")
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.reason_code) == (False, 5, "sequence_gap")
    assert result.broken_id == AuditEntry.objects.get(sequence=5).pk
    code, output = _verify_exit_code()
    assert code != 0 and "sequence 5" in output and "sequence_gap" in output


def test_deleted_last_row_is_caught_by_head():
    _fill(4)
    _disable_append_only_triggers()
    _raw(f"DELETE FROM {TABLE} WHERE sequence = 4")
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.reason_code) == (False, 4, "head_mismatch")
    assert _verify_exit_code()[0] != 0


def test_reordered_rows_are_named():
    _fill(6)
    _disable_append_only_triggers()
    # Swap the positions of entries 3 and 4 (via a temporary sequence: it is unique).
    _raw(f"UPDATE {TABLE} SET sequence = -3 WHERE sequence = 3")
    _raw(f"UPDATE {TABLE} SET sequence = 3 WHERE sequence = 4")
    _raw(f"UPDATE {TABLE} SET sequence = 4 WHERE sequence = -3")
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.reason_code) == (False, 3, "prev_mismatch")
    code, output = _verify_exit_code()
    assert code != 0 and "sequence 3" in output


def test_audit_verify_command_reports_ok_via_call_command():
    _fill(2)
    import io

    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    head = AuditChainHead.objects.get(pk=1)
    assert out.getvalue().splitlines() == ["OK: 2 entries", f"head: 2:{head.last_hash}"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_stay_linear():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: in-memory SQLite has no concurrent connections")
    per_thread = 25
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def writer(name: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(action=f"test.{name}", after={"i": i})
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(f"t{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    result = verify_chain()
    assert result.ok, result
    assert result.count == 3 * per_thread
    assert {a for a in AuditEntry.objects.values_list("action", flat=True)} == {
        "test.t0",
        "test.t1",
        "test.t2",
    }


def test_rewritten_tail_with_consistent_hashes_is_caught_by_anchor():
    """An attacker who rewrites the last entries and recomputes every later hash and
    the head leaves a self-consistent chain; the head remembered by the previous
    verification (or printed by audit_verify and kept elsewhere) exposes it."""
    from motcua.core.audit import compute_hash
    from motcua.core.models import AuditVerification
    from motcua.core.tasks import run_verification

    _fill(5)
    first = run_verification(AuditVerification.objects.create())
    assert first.ok and (first.last_sequence, first.entry_count) == (5, 5)
    anchor_hash = first.last_hash

    _disable_append_only_triggers()
    prev = AuditEntry.objects.get(sequence=3).prev_hash
    for entry in AuditEntry.objects.filter(sequence__gte=3).order_by("sequence"):
        entry.after = {"i": entry.sequence, "text": "viết lại"}
        entry.prev_hash = prev
        new_hash = compute_hash(entry)
        _raw(
            f"UPDATE {TABLE} SET after = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
            [json.dumps(entry.after), prev, new_hash, entry.pk],
        )
        prev = new_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)

    assert verify_chain().ok  # self-consistent without an anchor
    second = run_verification(AuditVerification.objects.create())
    assert (second.ok, second.broken_sequence) == (False, 5)
    code, output = _verify_exit_code_with(["--anchor", f"5:{anchor_hash}"])
    assert code != 0 and "anchor_mismatch" in output


def test_truncated_tail_with_fixed_head_is_caught_by_anchor():
    from motcua.core.models import AuditVerification
    from motcua.core.tasks import run_verification

    _fill(4)
    first = run_verification(AuditVerification.objects.create())
    _disable_append_only_triggers()
    _raw(f"DELETE FROM {TABLE} WHERE sequence = 4")
    third = AuditEntry.objects.get(sequence=3)
    AuditChainHead.objects.filter(pk=1).update(last_sequence=3, last_hash=third.entry_hash)
    assert verify_chain().ok
    result = verify_chain(anchor=(first.last_sequence, first.last_hash))
    assert (result.ok, result.broken_sequence, result.reason_code) == (False, 4, "anchor_mismatch")
    assert run_verification(AuditVerification.objects.create()).ok is False


def test_anchor_option_accepts_a_matching_head():
    _fill(3)
    head = AuditChainHead.objects.get(pk=1)
    _fill(2)  # the chain grew since the anchor was taken: still fine
    code, output = _verify_exit_code_with(["--anchor", f"3:{head.last_hash}"])
    assert code == 0 and "OK: 5 entries" in output
