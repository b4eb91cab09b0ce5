"""VietQR transfers: QR on screen and on the notice, matching by statement lines from a
CSV/XLSX upload or the signed API, idempotent imports."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.payments import vietqr
from motcua.payments.constants import AttemptStatus, RequestStatus, StatementStatus
from motcua.payments.models import PaymentAttempt, Receipt, Refund, StatementLine
from motcua.payments.reconciliation import StatementRow, find_reference, statement_import

from .conftest import start


def _row(txn, amount, text):
    return StatementRow(txn, timezone.now(), amount, text)


def test_qr_carries_amount_and_reference(personas, fee_request, client_for):
    attempt = start(fee_request, personas.citizen_a, provider="vietqr")
    decoded = vietqr.decode(attempt.payload)
    assert decoded.amount == 35000 and decoded.purpose == attempt.txn_ref and decoded.dynamic
    c = client_for(personas.citizen_a)
    page = c.get(reverse("pay:attempt", args=[attempt.pk])).content.decode()
    assert "data:image/svg+xml" in page and attempt.txn_ref in page
    notice = c.get(reverse("pay:notice", args=[attempt.pk]))
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")


def test_reference_survives_bank_formatting():
    assert (
        find_reference("CT tu 0123 NGUYEN VAN A chuyen tien MC7K2P-9XQ4 RT ho so") == "MC7K2P9XQ4RT"
    )
    assert find_reference("chuyen tien hoc phi") == ""


def test_statement_line_matches_once(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a, provider="vietqr")
    text = f"NGUYEN VAN A chuyen khoan {attempt.txn_ref.lower()}"
    lines = statement_import(rows=[_row("FT001", 35000, text)], source="test")
    assert lines[0].status == StatementStatus.MATCHED
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED and attempt.provider_txn_id == "FT001"
    again = statement_import(rows=[_row("FT001", 35000, text)], source="test")
    assert again[0].pk == lines[0].pk
    fee_request.refresh_from_db()
    assert (fee_request.status, fee_request.paid_amount) == (RequestStatus.PAID, 35000)
    assert Receipt.objects.filter(request=fee_request).count() == 1


def test_wrong_amount_and_unknown_reference_are_listed(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a, provider="vietqr")
    lines = statement_import(
        rows=[_row("FT002", 30000, attempt.txn_ref), _row("FT003", 50000, "khong co ma")]
    )
    assert [line.status for line in lines] == [
        StatementStatus.AMOUNT_MISMATCH,
        StatementStatus.UNMATCHED,
    ]
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PENDING


def test_second_transfer_is_a_duplicate_to_refund(personas, fee_request):
    attempt = start(fee_request, personas.citizen_a, provider="vietqr")
    statement_import(rows=[_row("FT010", 35000, attempt.txn_ref)])
    lines = statement_import(rows=[_row("FT011", 35000, attempt.txn_ref)])
    assert lines[0].status == StatementStatus.DUPLICATE
    twin = PaymentAttempt.objects.get(provider_txn_id="FT011")
    assert twin.duplicate and Refund.objects.filter(attempt=twin).exists()
    fee_request.refresh_from_db()
    assert fee_request.paid_amount == 35000


def test_upload_csv_and_xlsx(personas, staff, fee_request, client_for):
    import openpyxl

    a1 = start(fee_request, personas.citizen_a, provider="vietqr")
    c = client_for(staff.clerk_x)
    csv_text = (
        "bank_txn_id,booked_at,amount,description\n"
        f'FT100,{timezone.now():%d/%m/%Y %H:%M},"35,000",{a1.txn_ref}\n'
    )
    r = c.post(
        reverse("payments:statements"),
        {"file": SimpleUploadedFile("sao-ke.csv", csv_text.encode())},
    )
    assert r.status_code == 302
    a1.refresh_from_db()
    assert a1.status == AttemptStatus.SUCCEEDED
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["bank_txn_id", "booked_at", "amount", "description"])
    sheet.append(["FT101", dt.datetime(2026, 11, 27, 9, 0), 1000, "khong ro"])
    out = io.BytesIO()
    book.save(out)
    r = c.post(
        reverse("payments:statements"), {"file": SimpleUploadedFile("sk.xlsx", out.getvalue())}
    )
    assert r.status_code == 302
    assert StatementLine.objects.get(bank_txn_id="FT101").status == StatementStatus.UNMATCHED
    # Citizens cannot import statements.
    assert client_for(personas.citizen_a).post(reverse("payments:statements")).status_code == 403


def test_statement_api_requires_the_hmac(personas, fee_request, client):
    attempt = start(fee_request, personas.citizen_a, provider="vietqr")
    body = json.dumps(
        {
            "lines": [
                {
                    "bank_txn_id": "API1",
                    "booked_at": "2026-11-27T09:00:00+07:00",
                    "amount": 35000,
                    "description": attempt.txn_ref,
                }
            ]
        }
    ).encode()
    url = reverse("pay:statement_api")
    bad = client.post(
        url, body, content_type="application/json", headers={"X-Motcua-Signature": "00"}
    )
    assert bad.status_code == 403
    sig = hmac.new(b"webhook-secret", body, hashlib.sha256).hexdigest()
    ok = client.post(
        url, body, content_type="application/json", headers={"X-Motcua-Signature": sig}
    )
    assert ok.status_code == 200
    assert ok.json() == {"lines": [{"bank_txn_id": "API1", "status": "matched"}]}
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED
