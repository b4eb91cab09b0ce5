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


def _disable_seal_trigger() -> None:
    if connection.vendor == "postgresql":
        _raw("ALTER TABLE core_auditseal DISABLE TRIGGER core_auditseal_append_only")
    else:
        _raw("DROP TRIGGER IF EXISTS core_auditseal_no_update")


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
    # One transaction, one lane: positions 1..250 in sequence order.
    assert len({e.chain for e in entries}) == 1 and entries[0].chain >= 1
    assert [e.position for e in entries] == list(range(1, 251))
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    assert all(a.sequence < b.sequence for a, b in itertools.pairwise(entries))
    head = AuditChainHead.objects.get(pk=entries[0].chain)
    assert (head.last_position, head.last_hash) == (250, entries[-1].entry_hash)
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
        "chain": entry.chain,
        "position": entry.position,
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
    assert not AuditChainHead.objects.exclude(last_position=0).exists()
    audit_record(action="test.after")
    assert verify_chain().ok


def _seq(position: int) -> int:
    """The global sequence of the test's entry at this lane position (a test's entries
    share one lane: one transaction; on PostgreSQL sequences need not start at 1)."""
    return AuditEntry.objects.get(chain__isnull=False, position=position).sequence


def test_database_rejects_update_and_delete():
    _fill(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw(f"UPDATE {TABLE} SET action = 'x' WHERE position = 2")
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw(f"DELETE FROM {TABLE} WHERE position = 2")
    entry = AuditEntry.objects.get(position=2)
    assert entry.action == "test.write"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_tampered_field_is_named(personas):
    _fill(10)
    _disable_append_only_triggers()
    _raw(f"UPDATE {TABLE} SET object_repr = 'đã sửa' WHERE position = 6")
    result = verify_chain()
    broken = AuditEntry.objects.get(position=6)
    assert (result.ok, result.broken_sequence, result.broken_id) == (
        False,
        broken.sequence,
        broken.pk,
    )
    assert result.reason_code == "hash_mismatch"
    assert result.count == 5
    code, output = _verify_exit_code()
    assert code != 0
    assert f"sequence {broken.sequence} (id {broken.pk})" in output and "hash_mismatch" in output


def test_tampered_snapshot_with_recomputed_hash_breaks_next_link():
    """An attacker who also recomputes the edited row's hash breaks the next link."""
    from motcua.core.audit import compute_hash

    _fill(5)
    _disable_append_only_triggers()
    entry = AuditEntry.objects.get(position=3)
    entry.after = {"i": 999, "password": "injected"}
    new_hash = compute_hash(entry)
    _raw(
        f"UPDATE {TABLE} SET after = %s, entry_hash = %s WHERE position = 3",
        [json.dumps(entry.after), new_hash],
    )
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.reason_code) == (
        False,
        _seq(4),
        "prev_mismatch",
    )


def test_injected_secret_key_changes_the_hash():
    _fill(3)
    _disable_append_only_triggers()
    _raw(
        f"""UPDATE {TABLE} SET after = %s WHERE position = 2""",
        ['{"i": 1, "text": "Hồ sơ số 1", "password": "x"}'],
    )
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.reason_code) == (
        False,
        _seq(2),
        "hash_mismatch",
    )


def test_moved_to_another_lane_changes_the_hash():
    _fill(3)
    _disable_append_only_triggers()
    entry = AuditEntry.objects.get(position=3)
    other = entry.chain % 16 + 1
    _raw(f"UPDATE {TABLE} SET chain = %s, position = 1 WHERE position = 3", [other])
    _raw(
        "UPDATE core_auditchainhead SET last_position = 1, last_hash = %s WHERE id = %s",
        [entry.entry_hash, other],
    )
    result = verify_chain()
    assert not result.ok and result.reason_code in (
        "head_mismatch",
        "prev_mismatch",
        "hash_mismatch",
    )


def test_deleted_row_is_named():
    _fill(8)
    _disable_append_only_triggers()
    _raw(f"DELETE FROM {TABLE} WHERE position = 4")
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.reason_code) == (
        False,
        _seq(5),
        "sequence_gap",
    )
    fifth = AuditEntry.objects.get(position=5)
    assert result.broken_id == fifth.pk
    code, output = _verify_exit_code()  # last: the command closes the connection
    assert code != 0 and f"sequence {fifth.sequence}" in output and "sequence_gap" in output


def test_deleted_last_row_is_caught_by_head():
    _fill(4)
    last = _seq(4)
    _disable_append_only_triggers()
    _raw(f"DELETE FROM {TABLE} WHERE position = 4")
    result = verify_chain()
    assert (result.ok, result.reason_code) == (False, "head_mismatch")
    assert result.broken_sequence == _seq(3) + 1 <= last
    assert _verify_exit_code()[0] != 0


def test_reordered_rows_are_named():
    _fill(6)
    third, fourth = _seq(3), _seq(4)
    _disable_append_only_triggers()
    # Swap entries 3 and 4 (position and sequence, via temporary values: both unique).
    _raw(f"UPDATE {TABLE} SET position = -3, sequence = -3 WHERE position = 3")
    _raw(f"UPDATE {TABLE} SET position = 3, sequence = %s WHERE position = 4", [third])
    _raw(f"UPDATE {TABLE} SET position = 4, sequence = %s WHERE position = -3", [fourth])
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.reason_code) == (
        False,
        third,
        "prev_mismatch",
    )
    code, output = _verify_exit_code()
    assert code != 0 and f"sequence {third}" in output


def test_audit_verify_command_reports_ok_and_seals_via_call_command():
    _fill(2)
    import io

    from motcua.core.models import AuditSeal

    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    seal = AuditSeal.objects.get()
    assert out.getvalue().splitlines() == ["OK: 2 entries", f"head: seal:1:{seal.seal_hash}"]
    entry = AuditEntry.objects.get(position=2)
    assert seal.heads == {str(entry.chain): [2, entry.entry_hash]}
    # Nothing new: the same seal; --no-seal only reports it.
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    call_command("audit_verify", "--no-seal", stdout=out)
    assert AuditSeal.objects.count() == 1
    assert out.getvalue().splitlines()[-1] == f"head: seal:1:{seal.seal_hash}"


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


def _rewrite_from(position: int) -> str:
    """Rewrite the lane's entries from `position` on, recomputing every hash and the
    head (what an attacker with owner rights can do); returns the new tip hash."""
    from motcua.core.audit import compute_hash

    _disable_append_only_triggers()
    prev = AuditEntry.objects.get(position=position).prev_hash
    chain = 0
    for entry in AuditEntry.objects.filter(position__gte=position).order_by("position"):
        entry.after = {"i": entry.position, "text": "viết lại"}
        entry.prev_hash = prev
        new_hash = compute_hash(entry)
        _raw(
            f"UPDATE {TABLE} SET after = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
            [json.dumps(entry.after), prev, new_hash, entry.pk],
        )
        prev, chain = new_hash, entry.chain
    AuditChainHead.objects.filter(pk=chain).update(last_hash=prev)
    return prev


def test_rewritten_tail_with_consistent_hashes_is_caught_by_the_seal():
    """An attacker who rewrites the last entries and recomputes every later hash and
    the head leaves a self-consistent lane; the seal appended by the previous
    verification exposes it."""
    from motcua.core.models import AuditVerification
    from motcua.core.tasks import run_verification

    _fill(5)
    first = run_verification(AuditVerification.objects.create())
    assert first.ok and (first.seal_number, first.entry_count) == (1, 5)
    assert first.last_sequence == _seq(5)
    _rewrite_from(3)
    second = run_verification(AuditVerification.objects.create())
    assert (second.ok, second.broken_sequence) == (False, _seq(5))
    code, output = _verify_exit_code_with(["--anchor", f"seal:1:{first.last_hash}"])
    assert code != 0 and "anchor_mismatch" in output


def test_rewritten_seals_are_caught_by_the_kept_anchor():
    """If the attacker also rewrites the seals, the seal kept off-site catches it."""
    from motcua.core.audit import audit_seal, seal_hash_of
    from motcua.core.models import AuditSeal

    _fill(5)
    kept = audit_seal(verify_chain().heads)
    new_tip = _rewrite_from(3)
    _disable_seal_trigger()
    forged = AuditSeal.objects.get()
    forged.heads = {k: [v[0], new_tip] for k, v in forged.heads.items()}
    _raw(
        "UPDATE core_auditseal SET heads = %s, seal_hash = %s WHERE id = %s",
        [json.dumps(forged.heads), seal_hash_of(forged), forged.pk],
    )
    assert verify_chain().ok  # self-consistent again
    result = verify_chain(seal=(kept.number, kept.seal_hash))
    assert (result.ok, result.reason_code) == (False, "anchor_mismatch")
    code, output = _verify_exit_code_with(["--anchor", str(kept)])
    assert code != 0 and "anchor_mismatch" in output


def test_edited_seal_is_caught():
    from motcua.core.audit import audit_seal

    _fill(2)
    audit_seal(verify_chain().heads)
    _disable_seal_trigger()
    _raw("UPDATE core_auditseal SET heads = '{}'")
    result = verify_chain()
    assert (result.ok, result.reason_code) == (False, "seal_mismatch")


def test_truncated_tail_with_fixed_head_is_caught_by_the_seal():
    from motcua.core.models import AuditVerification
    from motcua.core.tasks import run_verification

    _fill(4)
    first = run_verification(AuditVerification.objects.create())
    fourth = _seq(4)
    _disable_append_only_triggers()
    _raw(f"DELETE FROM {TABLE} WHERE position = 4")
    third = AuditEntry.objects.get(position=3)
    AuditChainHead.objects.filter(pk=third.chain).update(
        last_position=3, last_hash=third.entry_hash
    )
    result = verify_chain()
    assert (result.ok, result.reason_code) == (False, "anchor_mismatch")  # seal 1 has 4
    assert result.broken_sequence == third.sequence + 1 <= fourth
    assert run_verification(AuditVerification.objects.create()).ok is False
    assert first.ok


def test_anchor_option_accepts_a_matching_seal():
    from motcua.core.audit import audit_seal

    _fill(3)
    kept = audit_seal(verify_chain().heads)
    _fill(2)  # the chain grew since the seal was taken: still fine
    import io

    out = io.StringIO()
    call_command("audit_verify", "--anchor", str(kept), stdout=out)
    assert "OK: 5 entries" in out.getvalue() and "head: seal:2:" in out.getvalue()
    code, output = _verify_exit_code_with(["--anchor", f"seal:3:{kept.seal_hash}"])
    assert code != 0 and "anchor_mismatch" in output  # a seal that never existed


# --- chain 0: entries written before the lanes (migration core.0005) ----------------


def _legacy_fill(n: int) -> list[AuditEntry]:
    """Entries as the single-chain code wrote them: no chain/position, sequence 1..n,
    hashed without the lane fields, tip in head row 0."""
    from motcua.core.audit import compute_hash

    prev, rows = GENESIS_HASH, []
    for i in range(1, n + 1):
        entry = AuditEntry(
            sequence=i,
            occurred_at=dt.datetime(2026, 11, 1, 8, i, tzinfo=dt.UTC),
            action="legacy.write",
            after={"i": i},
            prev_hash=prev,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
        prev = entry.entry_hash
        rows.append(entry)
    AuditChainHead.objects.update_or_create(pk=0, defaults={"last_position": n, "last_hash": prev})
    if connection.vendor == "postgresql":
        from motcua.core.audit import resync_sequence

        resync_sequence()
    return rows


def test_chain_zero_and_lanes_verify_together_and_old_anchors_still_work():
    legacy = _legacy_fill(4)
    _fill(3)
    result = verify_chain(anchor=(3, legacy[2].entry_hash))
    assert result.ok and result.count == 7
    assert result.heads[0] == (4, legacy[-1].entry_hash)
    assert AuditEntry.objects.filter(chain__isnull=False).order_by("sequence").first().sequence > 4
    assert verify_chain(anchor=(3, "f" * 64)).reason_code == "anchor_mismatch"
    assert verify_chain(anchor=(9, legacy[2].entry_hash)).reason_code == "anchor_mismatch"
    code, output = _verify_exit_code_with(["--anchor", f"3:{legacy[2].entry_hash}"])
    assert code == 0 and "OK: 7 entries" in output


def test_chain_zero_tampering_is_still_named():
    legacy = _legacy_fill(5)
    _fill(2)
    _disable_append_only_triggers()
    _raw(f"UPDATE {TABLE} SET object_repr = 'đã sửa' WHERE sequence = 3")
    result = verify_chain()
    assert (result.ok, result.broken_sequence, result.broken_id, result.reason_code) == (
        False,
        3,
        legacy[2].pk,
        "hash_mismatch",
    )


def test_append_needs_no_savepoint_and_one_lock_per_transaction():
    """Query budget (issue 23): the first entry of a transaction takes its lane in the
    statement that reads the tip (3 statements: lane, INSERT, head UPDATE; no
    savepoint), later ones skip the lock (PostgreSQL still draws the next sequence)."""
    from django.test.utils import CaptureQueriesContext

    from motcua.core.audit import audit_lanes_ensure

    # The lanes come from migration core.0005; a transactional test run before this one
    # in the same process flushes them (then the first append recreates them: +4).
    audit_lanes_ensure()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as first:
            audit_record(action="test.first")
        with CaptureQueriesContext(connection) as second:
            audit_record(action="test.second")
    assert len(first.captured_queries) == 3, first.captured_queries
    assert not any("SAVEPOINT" in q["sql"] for q in first.captured_queries)
    assert len(second.captured_queries) == (3 if connection.vendor == "postgresql" else 2)
    a, b = AuditEntry.objects.order_by("sequence")
    assert (b.chain, b.position, b.prev_hash) == (a.chain, a.position + 1, a.entry_hash)
