"""`motcua dossier_import FILE.jsonl`: legacy dossiers in the DongBoHoSoMC shape; invalid
lines reported with numbers and nothing partial written; imported dossiers count in the
scores like native ones."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction

from motcua.dossiers.models import Dossier, DossierPause
from motcua.monitoring.models import DossierContribution
from motcua.monitoring.selectors import scores_for
from tests.dossiers.conftest import version  # noqa: F401

pytestmark = pytest.mark.django_db


def _record(**kw):
    base = {
        "MaHoSo": "H47.99-250310-0001",
        "MaTTHC": "1.001193",
        "MaDonVi": "000.00.01.H47",
        "KenhThucHien": "2",
        "ChuHoSo": "Lê Văn Cũ",
        "SoDinhDanh": "049090009999",
        "TrangThaiHoSo": 10,
        "NgayTiepNhan": "20250310080000",
        "NgayHenTra": "20250317080000",
        "NgayKetThucXuLy": "20250314100000",
        "NgayTra": "20250315090000",
        "TaiLieuNop": [{"TenTepDinhKem": "Tờ khai", "DuocSoHoa": 1}],
        "DanhSachGiayToKetQua": [{"TenGiayTo": "Giấy khai sinh", "DuongDanTepTinKetQua": "x"}],
        "DuocThanhToanTrucTuyen": 1,
    }
    base.update(kw)
    return json.dumps(base, ensure_ascii=False)


def test_import_reports_bad_lines_and_counts_good_ones(personas, version, tmp_path):  # noqa: F811
    lines = [
        _record(),
        _record(MaHoSo="H47.99-250310-0002", NgayTiepNhan="10/03/2025"),  # bad date format
        "{not json",
        _record(MaHoSo="H47.99-250310-0003", MaDonVi="KHONG-CO"),  # unknown unit
        _record(
            MaHoSo="H47.99-250311-0004",
            KenhThucHien="1",
            TrangThaiHoSo=9,
            NgayTiepNhan="20250311080000",
            NgayHenTra="20250312080000",
            NgayKetThucXuLy="20250320080000",  # late
            NgayTra=None,
            DanhSachHoSoBoSung=[
                {"NgayBoSung": "20250311100000", "NgayTiepNhanBoSung": "20250313100000"}
            ],
        ),
        _record(),  # the first line again: skipped, not duplicated
    ]
    path = tmp_path / "legacy.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("dossier_import", str(path), stdout=out, stderr=err)
    assert exit_info.value.code == 1
    messages = err.getvalue()
    assert "dòng 2: bị từ chối — NgayTiepNhan không đúng định dạng" in messages
    assert "dòng 3: bị từ chối — JSON không hợp lệ" in messages
    assert "dòng 4: bị từ chối — không có đơn vị mã KHONG-CO" in messages
    assert "dòng 6: hồ sơ H47.99-250310-0001 đã có" in out.getvalue()
    assert sorted(Dossier.objects.values_list("code", flat=True)) == [
        "H47.99-250310-0001",
        "H47.99-250311-0004",
    ]
    late = Dossier.objects.get(code="H47.99-250311-0004")
    assert late.status == "resolved" and late.supplement_count == 1
    assert DossierPause.objects.get(dossier=late).ended_at is not None
    first = Dossier.objects.get(code="H47.99-250310-0001")
    assert first.applicant.personal_id == "049090009999"
    assert first.received_at == dt.datetime(2025, 3, 10, 1, 0, tzinfo=dt.UTC)
    # they count like native dossiers
    assert DossierContribution.objects.count() == 2
    card = scores_for(personas.unit_x, dt.date(2025, 3, 1), dt.date(2025, 3, 31)).card
    assert card.indicators["2.1"].denominator == 2
    assert card.indicators["2.1"].numerator == 1
    assert card.indicators["3.3"].numerator == 1
    assert card.indicators["4.1"].numerator == 2


def _run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("dossier_import", str(path), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_returned_records_without_processed_time_end_at_the_return(
    personas,
    version,  # noqa: F811
    tmp_path,
):
    """Status 10 as the national portal sends it: NgayTra, no NgayKetThucXuLy; the end
    is the time of the terminal status. Both present: "processed" wins."""
    path = tmp_path / "returned.jsonl"
    path.write_text(
        "\n".join(
            [
                _record(MaHoSo="A-1", NgayKetThucXuLy=None, NgayTra="20250318090000"),
                _record(MaHoSo="A-2"),
                _record(MaHoSo="A-3", TrangThaiHoSo=9, NgayKetThucXuLy=None, NgayTra=None),
            ]
        ),
        encoding="utf-8",
    )
    code, _out, err = _run(path)
    assert code == 1
    assert "dòng 3: bị từ chối — TrangThaiHoSo 9 (đã kết thúc) cần NgayKetThucXuLy" in err
    a1, a2 = Dossier.objects.get(code="A-1"), Dossier.objects.get(code="A-2")
    assert a1.status == a2.status == "result_returned"
    assert a1.completed_at == dt.datetime(2025, 3, 18, 2, 0, tzinfo=dt.UTC)  # NgayTra
    assert a2.completed_at == dt.datetime(2025, 3, 14, 3, 0, tzinfo=dt.UTC)  # processed
    card = scores_for(personas.unit_x, dt.date(2025, 3, 1), dt.date(2025, 3, 31)).card
    assert (card.indicators["2.1"].numerator, card.indicators["2.1"].denominator) == (1, 2)


def test_dry_run_reports_every_line_and_writes_nothing(personas, version, tmp_path):  # noqa: F811
    path = tmp_path / "check.jsonl"
    path.write_text(
        "\n".join([_record(MaHoSo="B-1"), _record(MaHoSo="B-2", MaTTHC="9.999")]),
        encoding="utf-8",
    )
    code, out, err = _run(path, "--dry-run")
    assert code == 1
    assert "sẽ nhập 1 hồ sơ" in out
    assert "dòng 2: bị từ chối — không có thủ tục mã 9.999" in err
    assert not Dossier.objects.exists()


def test_march_replayed_in_december_scores_as_in_april(
    personas,
    version,  # noqa: F811
    tmp_path,
):
    """A March history imported in April (two dossiers still open, one already late)
    and the same history imported in December, when the open ones have ended — one of
    them far too late: March's scores are the same."""
    from motcua.monitoring.updater import rebuild

    april = [
        _record(MaHoSo="M-1"),
        _record(
            MaHoSo="M-2",
            TrangThaiHoSo=4,
            NgayTiepNhan="20250327080000",
            NgayHenTra="20250403080000",
            NgayKetThucXuLy=None,
            NgayTra=None,
        ),
        _record(
            MaHoSo="M-3",
            TrangThaiHoSo=4,
            NgayTiepNhan="20250317080000",
            NgayHenTra="20250324080000",
            NgayKetThucXuLy=None,
            NgayTra=None,
        ),
    ]
    december = [
        april[0],
        _record(
            MaHoSo="M-2",
            NgayTiepNhan="20250327080000",
            NgayHenTra="20250403080000",
            NgayKetThucXuLy="20250425080000",
            NgayTra="20250428080000",
        ),
        _record(
            MaHoSo="M-3",
            NgayTiepNhan="20250317080000",
            NgayHenTra="20250324080000",
            NgayKetThucXuLy="20250402080000",
            NgayTra="20250403080000",
        ),
    ]

    def march(lines, as_of):
        path = tmp_path / "march.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8")
        assert _run(path)[0] == 0
        rebuild(as_of=as_of)
        card = scores_for(personas.unit_x, dt.date(2025, 3, 1), dt.date(2025, 3, 31)).card
        return {
            k: (v.numerator, v.denominator, round(v.score, 6)) for k, v in card.indicators.items()
        }

    tz = dt.timezone(dt.timedelta(hours=7))
    with transaction.atomic():  # the April database, then rolled back
        in_april = march(april, dt.datetime(2025, 4, 2, 9, tzinfo=tz))
        transaction.set_rollback(True)
    assert not Dossier.objects.exists()
    in_december = march(december, dt.datetime(2025, 12, 7, 9, tzinfo=tz))
    assert in_april["2.1"][:2] == (2, 3)  # M-3 late at 31/3, M-2 not yet due
    # 2.2 (no points) averages completed dossiers "started in the period, may end in
    # another" (law.md §4.4): it grows as March dossiers end; every scored one is fixed
    in_april.pop("2.2"), in_december.pop("2.2")
    assert in_december == in_april
