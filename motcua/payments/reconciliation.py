"""Bank statement import (VietQR matching) and reconciliation with providers'
settlement files, with XLSX export for the finance officer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from motcua.payments import state
from motcua.payments.constants import (
    AttemptStatus,
    Direction,
    MessageKind,
    MismatchKind,
    StatementStatus,
)
from motcua.payments.errors import PaymentError
from motcua.payments.models import (
    Mismatch,
    PaymentAttempt,
    ReconciliationRun,
    StatementLine,
)
from motcua.payments.providers.base import ProviderOutcome, SettlementLine, get_provider
from motcua.payments.services import REF_RE, _apply_outcome, _audit, message_store

MAX_ROWS = 20_000


@dataclass(frozen=True)
class StatementRow:
    bank_txn_id: str
    booked_at: dt.datetime
    amount: int
    description: str


def find_reference(description: str) -> str:
    """Banks upper-case transfer texts and may break them with spaces or dashes."""
    squeezed = re.sub(r"[^0-9A-Za-z]", "", description).upper()
    match = re.search(REF_RE, squeezed)
    return match.group(0) if match else ""


def _parse_when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(12))
    else:
        text = str(value or "").strip()
        moment = parse_datetime(text) or (
            dt.datetime.combine(d, dt.time(12)) if (d := parse_date(text)) else None
        )  # type: ignore[assignment]
        if moment is None:
            for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
                try:
                    # A bank statement's local time: made aware just below.
                    moment = dt.datetime.strptime(text, fmt)  # noqa: DTZ007
                    break
                except ValueError:
                    continue
        if moment is None:
            raise PaymentError(_("Không đọc được ngày giờ: %(v)s") % {"v": text})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _parse_amount(value: Any) -> int:
    text = re.sub(r"[^\d\-]", "", str(value or ""))
    if not text or text == "-":
        raise PaymentError(_("Không đọc được số tiền: %(v)s") % {"v": value})
    return int(text)


COLUMNS = {
    "bank_txn_id": ("bank_txn_id", "ma_giao_dich", "mã giao dịch", "transaction_id", "txn_ref"),
    "booked_at": ("booked_at", "ngay", "ngày", "thoi_gian", "thời gian", "paid_at", "date"),
    "amount": ("amount", "so_tien", "số tiền", "credit", "ghi_co"),
    "description": ("description", "noi_dung", "nội dung", "content"),
    "provider_txn_id": ("provider_txn_id", "transaction_no", "ma_ngan_hang"),
}


def _records(data: bytes, filename: str) -> list[dict[str, Any]]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file as dicts keyed by
    normalised header."""
    if filename.lower().endswith(".xlsx"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        book.close()
    else:
        text = data.decode("utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
        rows = [tuple(r) for r in csv.reader(io.StringIO(text), dialect)]
    if not rows:
        return []
    header = [str(h or "").strip().lower() for h in rows[0]]
    if len(rows) > MAX_ROWS + 1:
        raise PaymentError(_("Tệp có quá nhiều dòng (tối đa %(n)s).") % {"n": MAX_ROWS})
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]


def _pick(record: dict[str, Any], field: str) -> Any:
    for name in COLUMNS[field]:
        if name in record and record[name] not in (None, ""):
            return record[name]
    return None


def parse_statement(data: bytes, filename: str) -> list[StatementRow]:
    rows = []
    for record in _records(data, filename):
        txn = _pick(record, "bank_txn_id")
        if txn is None:
            raise PaymentError(_("Thiếu cột mã giao dịch (bank_txn_id)."))
        rows.append(
            StatementRow(
                bank_txn_id=str(txn).strip(),
                booked_at=_parse_when(_pick(record, "booked_at")),
                amount=_parse_amount(_pick(record, "amount")),
                description=str(_pick(record, "description") or ""),
            )
        )
    return rows


def parse_settlement(data: bytes, filename: str) -> list[SettlementLine]:
    lines = []
    for record in _records(data, filename):
        ref = _pick(record, "bank_txn_id")
        lines.append(
            SettlementLine(
                txn_ref=str(record.get("txn_ref") or ref or "").strip(),
                provider_txn_id=str(_pick(record, "provider_txn_id") or "").strip(),
                amount=_parse_amount(_pick(record, "amount")),
                paid_at=_parse_when(_pick(record, "booked_at"))
                if _pick(record, "booked_at")
                else None,
            )
        )
    return lines


def statement_import(
    *, rows: Iterable[StatementRow], actor: Any = None, source: str = ""
) -> list[StatementLine]:
    """Match credit lines to VietQR attempts by the reference in the transfer text.
    A line already imported (same bank transaction id) is returned unchanged."""
    result: list[StatementLine] = []
    for row in rows:
        with transaction.atomic():
            existing = StatementLine.objects.filter(bank_txn_id=row.bank_txn_id).first()
            if existing is not None:
                result.append(existing)
                continue
            ref = find_reference(row.description)
            attempt = PaymentAttempt.objects.filter(txn_ref=ref).first() if ref else None
            status = StatementStatus.UNMATCHED
            if row.amount <= 0:
                attempt = None
            if attempt is not None:
                message_store(
                    provider=attempt.provider,
                    direction=Direction.INBOUND,
                    kind=MessageKind.STATEMENT,
                    raw=f"{row.bank_txn_id};{row.booked_at.isoformat()};{row.amount};"
                    f"{row.description}",
                    attempt=attempt,
                    outcome="statement",
                )
                if row.amount != attempt.amount:
                    status = StatementStatus.AMOUNT_MISMATCH
                elif attempt.status in state.PAID:
                    status = StatementStatus.DUPLICATE
                    _duplicate_transfer(attempt, row)
                else:
                    outcome = ProviderOutcome(
                        txn_ref=attempt.txn_ref,
                        succeeded=True,
                        amount=row.amount,
                        provider_txn_id=row.bank_txn_id,
                    )
                    done = _apply_outcome(attempt.pk, outcome, actor=actor)
                    status = (
                        StatementStatus.DUPLICATE
                        if done == "duplicate"
                        else StatementStatus.MATCHED
                        if done == "succeeded"
                        else StatementStatus.UNMATCHED
                    )
            line = StatementLine.objects.create(
                bank_txn_id=row.bank_txn_id[:64],
                booked_at=row.booked_at,
                amount=row.amount,
                description=row.description[:500],
                status=status,
                attempt=attempt,
                source=source[:100],
                imported_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            result.append(line)
    if result:
        with transaction.atomic():
            _audit(
                "statement_import",
                actor,
                None,
                {"source": source, "lines": len(result)},
            )
    return result


def _duplicate_transfer(paid: PaymentAttempt, row: StatementRow) -> None:
    """A second transfer with a reference already paid: kept as its own (duplicate)
    attempt so that it is refunded, never counted."""
    from motcua.payments.services import new_reference

    twin = PaymentAttempt.objects.create(
        request=paid.request,
        provider=paid.provider,
        txn_ref=new_reference("MC"),
        idempotency_key=f"dup-{row.bank_txn_id}"[:64],
        amount=row.amount,
        status=AttemptStatus.PENDING,
    )
    _apply_outcome(
        twin.pk,
        ProviderOutcome(
            txn_ref=twin.txn_ref, succeeded=True, amount=row.amount, provider_txn_id=row.bank_txn_id
        ),
    )


# --- reconciliation ----------------------------------------------------------------------


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


@transaction.atomic
def reconcile(
    *,
    provider_code: str,
    day: dt.date,
    lines: Iterable[SettlementLine],
    actor: Any = None,
    source: str = "",
) -> ReconciliationRun:
    """Compare Motcua's successful attempts of `day` with the provider's settlement
    lines: paid but not recorded, recorded but not settled, amount differences."""
    lines = list(lines)
    start, end = _day_bounds(day)
    ours = {
        a.txn_ref: a
        for a in PaymentAttempt.objects.filter(
            provider=provider_code,
            status__in=state.PAID,
            completed_at__gte=start,
            completed_at__lt=end,
        )
    }
    run = ReconciliationRun.objects.create(
        provider=provider_code,
        day=day,
        source=source[:120] or "manual",
        line_count=len(lines),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    items: list[Mismatch] = []
    matched: list[int] = []
    seen: set[str] = set()
    for line in lines:
        seen.add(line.txn_ref)
        attempt = (
            ours.get(line.txn_ref)
            or PaymentAttempt.objects.filter(provider=provider_code, txn_ref=line.txn_ref).first()
        )
        if attempt is None or attempt.status not in state.PAID:
            items.append(
                Mismatch(
                    run=run,
                    kind=MismatchKind.PAID_NOT_RECORDED,
                    txn_ref=line.txn_ref,
                    provider_txn_id=line.provider_txn_id,
                    provider_amount=line.amount,
                    motcua_amount=attempt.amount if attempt else None,
                    attempt=attempt,
                )
            )
        elif attempt.amount != line.amount:
            items.append(
                Mismatch(
                    run=run,
                    kind=MismatchKind.AMOUNT_DIFFERENCE,
                    txn_ref=line.txn_ref,
                    provider_txn_id=line.provider_txn_id,
                    provider_amount=line.amount,
                    motcua_amount=attempt.amount,
                    attempt=attempt,
                )
            )
        else:
            matched.append(attempt.pk)
    for ref, attempt in ours.items():
        if ref not in seen:
            items.append(
                Mismatch(
                    run=run,
                    kind=MismatchKind.RECORDED_NOT_SETTLED,
                    txn_ref=ref,
                    provider_txn_id=attempt.provider_txn_id or "",
                    motcua_amount=attempt.amount,
                    attempt=attempt,
                )
            )
    Mismatch.objects.bulk_create(items)
    PaymentAttempt.objects.filter(pk__in=matched, settled_at__isnull=True).update(
        settled_at=timezone.now()
    )
    run.matched_count = len(matched)
    run.mismatch_count = len(items)
    run.save(update_fields=["matched_count", "mismatch_count"])
    message_store(
        provider=provider_code,
        direction=Direction.INBOUND,
        kind=MessageKind.SETTLEMENT,
        raw="\n".join(f"{x.txn_ref};{x.provider_txn_id};{x.amount}" for x in lines),
        outcome=f"{len(matched)} matched, {len(items)} mismatches",
    )
    _audit(
        "reconcile",
        actor,
        run,
        {"day": day.isoformat(), "matched": len(matched), "mismatches": len(items)},
    )
    return run


def reconcile_daily(*, day: dt.date | None = None) -> list[ReconciliationRun]:
    """Daily job: every provider offering a settlement file, for yesterday. Idempotent:
    a day already reconciled automatically is skipped."""
    from motcua.payments.providers.base import enabled_codes

    day = day or (timezone.localdate() - dt.timedelta(days=1))
    runs = []
    for code in enabled_codes():
        lines = get_provider(code).settlement(day)
        if lines is None:
            continue
        if ReconciliationRun.objects.filter(provider=code, day=day, source="auto").exists():
            continue
        runs.append(reconcile(provider_code=code, day=day, lines=lines, source="auto"))
    return runs


def export_xlsx(run: ReconciliationRun) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Chenh lech")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    sheet.write_row(0, 0, [_("Đối soát"), run.provider, run.day.isoformat()], bold)
    header = [
        _("Loại chênh lệch"),
        _("Mã giao dịch Motcua"),
        _("Mã giao dịch ngân hàng"),
        _("Số tiền Motcua"),
        _("Số tiền đối soát"),
        _("Chênh lệch"),
    ]
    sheet.write_row(2, 0, header, bold)
    for i, item in enumerate(run.items.all(), start=3):
        sheet.write(i, 0, str(item.get_kind_display()))
        sheet.write(i, 1, item.txn_ref)
        sheet.write(i, 2, item.provider_txn_id)
        if item.motcua_amount is not None:
            sheet.write_number(i, 3, item.motcua_amount, money)
        if item.provider_amount is not None:
            sheet.write_number(i, 4, item.provider_amount, money)
        sheet.write_number(i, 5, (item.provider_amount or 0) - (item.motcua_amount or 0), money)
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 5, 20)
    book.close()
    return out.getvalue()
