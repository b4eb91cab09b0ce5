"""`motcua dossier_import FILE.jsonl`: legacy dossiers in the DongBoHoSoMC shape; invalid
lines reported with numbers and nothing partial written; imported dossiers count in the
scores like native ones."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

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
    assert "dòng 2: NgayTiepNhan không đúng định dạng" in messages
    assert "dòng 3: JSON không hợp lệ" in messages
    assert "dòng 4: không có đơn vị mã KHONG-CO" in messages
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
