"""Frozen weekly snapshots (issue 27 point 5, law.md R28a): freeze, sign, chain,
verify; tampering with the PDF, the data or the chain is named in Vietnamese."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from motcua.monitoring.models import WeeklyReport, WeeklySnapshot
from motcua.monitoring.reports import weekly_report_generate
from motcua.monitoring.snapshots import (
    DATA_NAME,
    MANIFEST_NAME,
    pdf_attachments,
    snapshots_verify,
)
from tests.dossiers.conftest import staff, version  # noqa: F401
from tests.monitoring.test_reports import march  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 13, 9, tzinfo=dt.UTC)


def _raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _unlock() -> None:
    """What someone with direct database access would do before tampering."""
    if connection.vendor == "postgresql":
        _raw(
            "ALTER TABLE monitoring_weeklysnapshot "
            "DISABLE TRIGGER monitoring_weeklysnapshot_append_only"
        )
    else:
        _raw("DROP TRIGGER IF EXISTS monitoring_weeklysnapshot_no_update")


def _verify(week: str | None = None) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["--week", week] if week else []
    try:
        call_command("weekly_verify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + err.getvalue() + str(exc)
    return 0, out.getvalue() + err.getvalue()


@pytest.fixture
def two_weeks(personas, march):  # noqa: F811
    first = weekly_report_generate(week="2026-W10", now=NOW, send=False)
    second = weekly_report_generate(week="2026-W11", now=NOW, send=False)
    return first, second


def test_freeze_signs_chains_and_verifies(two_weeks):
    a, b = WeeklySnapshot.objects.order_by("number")
    assert (a.week, a.number, a.version, b.week, b.number) == ("2026-W10", 1, 1, "2026-W11", 2)
    assert a.prev_hash == "0" * 64 and b.prev_hash == a.snapshot_hash
    assert a.signed_by  # the province's agency seal of the demo PKI
    attached = pdf_attachments(bytes(b.pdf))
    assert attached[MANIFEST_NAME].decode() == b.manifest_json
    assert attached[DATA_NAME].decode() == b.data_json
    manifest = json.loads(b.manifest_json)
    assert manifest["prev_hash"] == a.snapshot_hash and manifest["audit"]["heads"]
    data = json.loads(b.data_json)
    assert data["late"] and data["late"][0]["unit"]  # attributed late dossiers
    assert {u["unit"] for u in data["units"]}
    report = WeeklyReport.objects.get(week="2026-W11")
    assert bytes(report.pdf) == bytes(b.pdf)
    assert report.summary["snapshot"]["hash"] == b.snapshot_hash
    assert all(c.ok for c in snapshots_verify()), [c.problems for c in snapshots_verify()]
    code, output = _verify("2026-W11")
    assert code == 0 and "OK" in output


def test_regenerating_keeps_the_frozen_version(two_weeks):
    first = WeeklySnapshot.objects.get(week="2026-W10")
    weekly_report_generate(week="2026-W10", now=NOW, send=False)
    again = WeeklySnapshot.objects.get(week="2026-W10", version=2)
    assert WeeklySnapshot.objects.get(pk=first.pk).snapshot_hash == first.snapshot_hash
    assert again.number == 3 and all(c.ok for c in snapshots_verify())


def test_snapshots_are_append_only(two_weeks):
    snap = WeeklySnapshot.objects.first()
    with pytest.raises(RuntimeError):
        snap.save()
    with pytest.raises(RuntimeError):
        snap.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        WeeklySnapshot.objects.filter(pk=snap.pk).update(signed_by="x")


def test_tampered_pdf_fails_with_a_clear_message(two_weeks):
    snap = WeeklySnapshot.objects.get(week="2026-W11")
    pdf = bytearray(bytes(snap.pdf))
    pdf[len(pdf) // 3] ^= 0x01
    _unlock()
    WeeklySnapshot.objects.filter(pk=snap.pk).update(pdf=bytes(pdf))
    code, output = _verify("2026-W11")
    assert code == 2
    assert "Tệp PDF đã bị thay đổi: mã băm SHA-256 không khớp." in output


def test_tampered_pdf_with_recomputed_hashes_breaks_the_signature(two_weeks):
    """An attacker who also recomputes the stored digests still breaks the signature
    and the chain."""
    from motcua.monitoring.snapshots import chain_hash, sha256

    snap = WeeklySnapshot.objects.get(week="2026-W10")
    pdf = bytes(snap.pdf)
    start = pdf.index(b"/ByteRange")
    pdf = pdf[:100] + bytes([pdf[100] ^ 0x01]) + pdf[101:]
    assert start > 100
    _unlock()
    new_hash = chain_hash(snap.manifest_json, sha256(pdf))
    WeeklySnapshot.objects.filter(pk=snap.pk).update(
        pdf=pdf, pdf_sha256=sha256(pdf), snapshot_hash=new_hash
    )
    checks = {c.week: c for c in snapshots_verify()}
    assert any("Chữ ký số" in p for p in checks["2026-W10"].problems), checks["2026-W10"].problems
    assert any("Nhật ký kiểm toán" in p for p in checks["2026-W10"].problems)
    assert any("Chuỗi bị đứt" in p for p in checks["2026-W11"].problems)


def test_tampered_data_fails_with_a_clear_message(two_weeks):
    snap = WeeklySnapshot.objects.get(week="2026-W11")
    data = json.loads(snap.data_json)
    data["late"] = data["late"][1:]  # someone quietly drops a late dossier
    _unlock()
    WeeklySnapshot.objects.filter(pk=snap.pk).update(data_json=json.dumps(data))
    code, output = _verify("2026-W11")
    assert code == 2
    assert "Dữ liệu đã chốt (số liệu, xếp hạng, hồ sơ trễ hạn) đã bị thay đổi" in output


def test_tampered_xlsx_fails(two_weeks):
    snap = WeeklySnapshot.objects.get(week="2026-W10")
    _unlock()
    WeeklySnapshot.objects.filter(pk=snap.pk).update(xlsx=bytes(snap.xlsx) + b"x")
    code, output = _verify("2026-W10")
    assert code == 2 and "Tệp XLSX đã bị thay đổi" in output


def test_broken_chain_fails_with_a_clear_message(two_weeks):
    snap = WeeklySnapshot.objects.get(week="2026-W11")
    _unlock()
    WeeklySnapshot.objects.filter(pk=snap.pk).update(prev_hash="f" * 64)
    code, output = _verify("2026-W11")
    assert code == 2
    assert "Chuỗi bị đứt" in output
    assert "Số thứ tự, tuần hoặc liên kết của bản ghi khác với bảng kê đã ký." in output


def test_deleted_snapshot_is_noticed(two_weeks):
    first = WeeklySnapshot.objects.get(week="2026-W10")
    if connection.vendor == "postgresql":
        _unlock()
    _raw("DELETE FROM monitoring_weeklysnapshot WHERE id = %s", [first.pk])
    code, output = _verify()
    assert code == 2
    assert "không còn bản chốt số 1" in output
    assert "Bản chốt đã bị xóa" in output


def test_supervisor_page_button_verifies(personas, client_for, two_weeks):
    from django.urls import reverse

    url = reverse("monitoring:weekly_report_verify", args=["2026-W11"])
    client = client_for(personas.supervisor)
    assert (
        "Kiểm tra tính toàn vẹn"
        in client.get(reverse("monitoring:weekly_reports")).content.decode()
    )
    page = client.post(url).content.decode()
    assert "Nguyên vẹn" in page
    assert client_for(personas.leader_x).post(url).status_code == 403
    snap = WeeklySnapshot.objects.get(week="2026-W11")
    _unlock()
    WeeklySnapshot.objects.filter(pk=snap.pk).update(xlsx=b"PK")
    page = client.post(url).content.decode()
    assert "không còn nguyên vẹn" in page and "Tệp XLSX đã bị thay đổi" in page
    assert (
        client.post(reverse("monitoring:weekly_report_verify", args=["2030-W01"])).status_code
        == 404
    )


def test_the_nightly_check_tells_the_province_supervisors_what_broke(personas, two_weeks):
    """The scheduler's weekly-snapshots-verify job: intact reports tell nobody; a
    tampered one is named, in Vietnamese, to the province's supervisors, once a day."""
    from motcua.monitoring.tasks import weekly_snapshots_verify_nightly
    from motcua.notifications.models import Notification

    assert weekly_snapshots_verify_nightly.call() == {
        "slot": "",
        "checked": 2,
        "broken": 0,
        "told": 0,
    }
    snap = WeeklySnapshot.objects.get(week="2026-W11")
    _unlock()
    WeeklySnapshot.objects.filter(pk=snap.pk).update(data_json=snap.data_json + " ")
    result = weekly_snapshots_verify_nightly.call()
    assert (result["checked"], result["broken"]) == (2, 1) and result["told"] >= 1
    note = Notification.objects.get(recipient=personas.supervisor, event="weekly_snapshot_broken")
    assert "2026-W11" in note.subject
    assert "Dữ liệu đã chốt" in note.body
    assert weekly_snapshots_verify_nightly.call()["told"] == 0  # once a day
