"""DanhSachLePhi and DuocThanhToanTrucTuyen come from the dossier's real fee lines and
payments (mapping 2018.2); 2018.1 keeps its 0/1 flag for replays of old messages."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalog.constants import FeeKind
from motcua.catalog.models import FeeRule
from motcua.integrations import mapping as m
from motcua.integrations.snapshot import dossier_snapshot

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=m.VN_TZ)


def _snap(**kw) -> m.DossierSnapshot:
    base = dict(
        ma_ho_so="X-1",
        ma_tthc="1.001193",
        ten_tthc="Đăng ký khai sinh",
        ma_linh_vuc="G01",
        ten_linh_vuc="Hộ tịch",
        channel="2",
        applicant_name="A",
        applicant_kind="1",
        applicant_id="001090000001",
        email="",
        phone="",
        summary="",
        national_status=2,
        submitted_at=NOW,
        received_at=NOW,
        due_at=None,
        completed_at=None,
        returned_at=None,
        refused_at=None,
        processing_unit="UBND",
    )
    base.update(kw)
    return m.DossierSnapshot(**base)


def test_current_version_is_2018_2_and_old_version_still_builds():
    assert m.CURRENT_VERSION == "2018.2"
    snap = _snap(paid_online=True, online_payment=2)
    assert m.build(m.DONG_BO, snap, "2018.2")["DuocThanhToanTrucTuyen"] == 2
    assert m.build(m.DONG_BO, snap, "2018.1")["DuocThanhToanTrucTuyen"] == 1
    assert m.build(m.DONG_BO, _snap(), "2018.2")["DuocThanhToanTrucTuyen"] == 0


def test_fee_list_shape():
    snap = _snap(fees=(m.Fee(code="LP", name="Lệ phí", amount=8000, kind="1"),))
    item = m.build(m.DONG_BO, snap, m.CURRENT_VERSION)
    assert item["DanhSachLePhi"] == [
        {
            "TenPhiLePhi": "Lệ phí",
            "MaPhiLePhi": "LP",
            "HinhThucThu": "1",
            "Gia": 8000,
            "LoaiPhiLePhi": "1",
        }
    ]
    body = m.envelope(m.DONG_BO, False, item)
    assert m.validate(body) == []


@pytest.mark.django_db
def test_snapshot_reads_fee_lines_and_online_payment(personas, version, make_dossier):
    from motcua.payments import services as pay
    from motcua.payments.constants import OnlineFlag
    from motcua.payments.models import PaymentRequest

    FeeRule.objects.create(
        version=version, code="LP-KS", kind=FeeKind.LEVY, name="Lệ phí đăng ký", amount=8000
    )
    FeeRule.objects.create(
        version=version, code="P-BS", kind=FeeKind.CHARGE, name="Phí bản sao", amount=3000
    )
    d = make_dossier()
    d.code = d.code or "T-0001"
    d.save(update_fields=["code"])
    snap = dossier_snapshot(d)
    assert snap.fees == () and snap.online_payment == 0  # no fee request yet

    req = pay.payment_request_for_fees(dossier=d, actor=personas.citizen_a)
    item = m.build(m.DONG_BO, dossier_snapshot(d), m.CURRENT_VERSION)
    assert sorted(
        (f["MaPhiLePhi"], f["Gia"], f["LoaiPhiLePhi"]) for f in item["DanhSachLePhi"]
    ) == [
        ("LP-KS", 8000, "1"),
        ("P-BS", 3000, "2"),
    ]
    assert all(f["TenPhiLePhi"] for f in item["DanhSachLePhi"])
    assert item["DuocThanhToanTrucTuyen"] == 0  # not paid yet

    PaymentRequest.objects.filter(pk=req.pk).update(
        paid_amount=req.amount, online_flag=OnlineFlag.PROVINCIAL
    )
    item = m.build(m.DONG_BO, dossier_snapshot(d), m.CURRENT_VERSION)
    assert item["DuocThanhToanTrucTuyen"] == 2


@pytest.mark.django_db
def test_cash_payment_is_not_online(personas, version, make_dossier):
    from motcua.payments import services as pay

    FeeRule.objects.create(
        version=version, code="LP-KS", kind=FeeKind.LEVY, name="Lệ phí đăng ký", amount=8000
    )
    d = make_dossier()
    d.code = d.code or "T-0002"
    d.save(update_fields=["code"])
    req = pay.payment_request_for_fees(dossier=d, actor=personas.citizen_a)
    from motcua.core.testing.personas import make_officer
    from motcua.org.constants import Role

    cashier = make_officer("thungan.x", personas.unit_x, Role.RECEPTIONIST)
    pay.cash_record(request=req, actor=cashier, amount=req.outstanding)
    item = m.build(m.DONG_BO, dossier_snapshot(d), m.CURRENT_VERSION)
    assert item["DuocThanhToanTrucTuyen"] == 0
    assert [f["Gia"] for f in item["DanhSachLePhi"]] == [8000]
