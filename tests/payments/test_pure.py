"""Pure modules: VietQR payload/CRC, the gateway signature, the state tables."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from motcua.payments import state, vietqr
from motcua.payments.providers.sandbox_gateway import protocol
from motcua.payments.receipts_pdf import amount_in_words

# NAPAS "static QR to account" test vector (QR Format T&C v1.0, law.md §5.5).
NAPAS_VECTOR = (
    "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304"
)
# Dynamic VietQR strings issued by live bank integrations (found in public code), each
# with amount and 62-08 purpose: the builder must reproduce them byte for byte.
LIVE_VECTORS = [
    (
        "00020101021238590010A000000727012900069704180115V3CAS62627239240208QRIBFTTA5303704"
        "54063750005802VN62250821CSPZKHEL6A2 NTK O000463044729",
        vietqr.Beneficiary("970418", "V3CAS6262723924"),
        375000,
        "CSPZKHEL6A2 NTK O0004",
    ),
    (
        "00020101021238570010A000000727012700069704220113VQRQACLNP26800208QRIBFTTA5303704"
        "54061000005802VN62270823Thanh toan don hang ABC6304CE4C",
        vietqr.Beneficiary("970422", "VQRQACLNP2680"),
        100000,
        "Thanh toan don hang ABC",
    ),
]


def test_napas_test_vector_crc():
    assert f"{vietqr.crc16_ccitt_false(NAPAS_VECTOR):04X}" == "F4E5"
    assert vietqr.crc_ok(NAPAS_VECTOR + "F4E5")
    assert not vietqr.crc_ok(NAPAS_VECTOR + "F4E6")


def test_crc_check_value_of_the_algorithm():
    # CRC-16/CCITT-FALSE catalogue check value for "123456789".
    assert vietqr.crc16_ccitt_false("123456789") == 0x29B1


@pytest.mark.parametrize(("expected", "beneficiary", "amount", "purpose"), LIVE_VECTORS)
def test_builder_reproduces_live_payloads(expected, beneficiary, amount, purpose):
    assert vietqr.build_payload(beneficiary, amount=amount, purpose=purpose) == expected
    decoded = vietqr.decode(expected)
    assert (decoded.bank_bin, decoded.account, decoded.amount, decoded.purpose) == (
        beneficiary.bank_bin,
        beneficiary.account,
        amount,
        purpose,
    )
    assert decoded.dynamic and decoded.service == vietqr.SERVICE_TO_ACCOUNT


def test_payload_fields_and_tampering():
    payload = vietqr.build_payload(
        vietqr.Beneficiary("970415", "113366668888", name="Kho bạc Nhà nước"),
        amount=35000,
        purpose="MC7K2P9XQ4RT",
    )
    top = vietqr.parse_tlv(payload)
    assert top["01"] == "12" and top["53"] == "704" and top["54"] == "35000"
    assert top["59"] == "KHO BAC NHA NUOC"
    assert vietqr.parse_tlv(top["62"])["08"] == "MC7K2P9XQ4RT"
    assert vietqr.NAPAS_GUID in top["38"]
    tampered = payload.replace("5405350005802", "5405950005802")
    with pytest.raises(vietqr.VietQRError):
        vietqr.decode(tampered)


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbarimg (zbar-tools) not installed")
def test_generated_qr_decodes_back_to_the_same_payload(tmp_path):
    from motcua.payments.qr import qr_png

    payload = vietqr.build_payload(
        vietqr.Beneficiary("970436", "0011001234567"), amount=1250000, purpose="MCABCDEFGH12"
    )
    path = tmp_path / "qr.png"
    path.write_bytes(qr_png(payload))
    out = subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == payload


def test_gateway_signature_detects_any_change():
    params = protocol.signed(
        {"vnp_Amount": "3500000", "vnp_TxnRef": "MC1", "vnp_OrderInfo": "a b"}, "k"
    )
    assert protocol.verify(params, "k")
    assert not protocol.verify(params, "other")
    assert not protocol.verify({**params, "vnp_Amount": "3500100"}, "k")
    assert not protocol.verify({k: v for k, v in params.items() if k != protocol.HASH_FIELD}, "k")
    # Sorted, URL-encoded with "+" for spaces, signature excluded.
    assert protocol.canonical(params) == "vnp_Amount=3500000&vnp_OrderInfo=a+b&vnp_TxnRef=MC1"
    assert len(params[protocol.HASH_FIELD]) == 128  # SHA-512 hex


def test_attempt_state_table():
    A = state.AttemptStatus
    assert state.can_move(A.PENDING, A.SUCCEEDED)
    assert state.can_move(A.EXPIRED, A.SUCCEEDED)  # the bank's late word wins
    assert not state.can_move(A.FAILED, A.SUCCEEDED)
    assert not state.can_move(A.SUCCEEDED, A.FAILED)
    assert not state.can_move(A.REFUNDED, A.SUCCEEDED)
    with pytest.raises(state.IllegalPaymentTransition):
        state.check_move(A.SUCCEEDED, A.PENDING)
    assert state.refund_status(35000, 10000) == A.PARTIALLY_REFUNDED
    assert state.refund_status(35000, 35000) == A.REFUNDED


def test_request_status_from_totals():
    R = state.RequestStatus
    base = {"has_open_attempt": False, "expired": False, "cancelled": False}
    assert state.request_status(amount=100, paid=0, refunded=0, **base) == R.UNPAID
    assert state.request_status(amount=100, paid=100, refunded=0, **base) == R.PAID
    assert state.request_status(amount=100, paid=100, refunded=40, **base) == R.PARTIALLY_REFUNDED
    assert state.request_status(amount=0, paid=0, refunded=0, **base) == R.WAIVED
    assert (
        state.request_status(amount=100, paid=0, refunded=0, **{**base, "has_open_attempt": True})
        == R.PENDING
    )


def test_amount_in_words():
    assert amount_in_words(35000) == "Ba mươi lăm nghìn đồng"
    assert amount_in_words(1_250_000) == "Một triệu hai trăm năm mươi nghìn đồng"
    assert amount_in_words(105_000) == "Một trăm lẻ năm nghìn đồng"
    assert amount_in_words(21_000) == "Hai mươi mốt nghìn đồng"


def test_deploy_check_refuses_the_demo_secret(settings):
    from motcua.payments import conf
    from motcua.payments.checks import paygate_secret_check

    settings.MOTCUA_DEMO = False
    settings.MOTCUA_PAYGATE_SANDBOX = False
    settings.MOTCUA_PAYGATE_SECRET = conf.DEMO_PAYGATE_SECRET
    assert [e.id for e in paygate_secret_check()] == ["payments.E001"]
    settings.MOTCUA_PAYGATE_SECRET = "a-real-secret"
    settings.MOTCUA_PAYGATE_SANDBOX = True
    assert [e.id for e in paygate_secret_check()] == ["payments.E002"]
    settings.MOTCUA_DEMO = True
    assert paygate_secret_check() == []
