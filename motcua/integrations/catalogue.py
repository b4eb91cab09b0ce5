"""LayThuTuc record (national procedure database, law.md §12.1–12.2) → the catalogue
interchange format (docs/catalog-format.md). Pure logic, no ORM."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

# DONVITINH as observed → catalogue time units (unconfirmed spellings, lower-cased).
TIME_UNITS = {
    "ngày làm việc": "working_days",
    "ngày": "days",
    "giờ làm việc": "working_hours",
    "tháng": "months",
    "trong ngày": "same_day",
}
LEVELS = {"1": "central", "2": "province", "3": "district", "4": "commune"}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _slug(text: str, i: int) -> str:
    code = re.sub(r"[^A-Za-z0-9]+", "", text)[:16]
    return code or f"GT{i + 1}"


def _amount(value: Any) -> int:
    try:
        return max(0, int(Decimal(str(value).replace(".", "").replace(",", "") or "0")))
    except (InvalidOperation, ValueError):
        return 0


def from_lay_thu_tuc(rec: dict[str, Any]) -> dict[str, Any]:
    fields = _list(rec.get("LINHVUCTHUCHIEN"))
    fld = fields[0] if fields else {}
    time_value: Any = 0
    time_unit = "working_days"
    fees: list[dict[str, Any]] = []
    channels: list[str] = []
    for method in _list(rec.get("CACHTHUCTHUCHIEN")):
        channels.append(str(method.get("KENH", "")))
        for t in _list(method.get("THOIGIAN")):
            if not time_value and t.get("THOIGIANGIAIQUYET") not in (None, ""):
                time_value = t.get("THOIGIANGIAIQUYET")
                time_unit = TIME_UNITS.get(str(t.get("DONVITINH", "")).strip().lower(), time_unit)
            for j, fee in enumerate(_list(t.get("PHILEPHI"))):
                code = f"LP{len(fees) + 1}"
                if any(f["code"] == code for f in fees):
                    continue
                fees.append(
                    {
                        "code": code,
                        "kind": "le_phi",
                        "name": str(fee.get("MOTA") or "Lệ phí")[:255],
                        "amount": _amount(fee.get("SOTIEN")),
                    }
                )
                del j
    components = []
    seen: set[str] = set()
    for group in _list(rec.get("THANHPHANHOSO")):
        for i, doc in enumerate(_list(group.get("GIAYTO"))):
            name = str(doc.get("TENGIAYTO") or doc.get("TENMAUDON") or "").strip()
            code = str(doc.get("MAGIAYTO") or _slug(name, i))
            if not name or code in seen:
                continue
            seen.add(code)
            components.append(
                {
                    "code": code,
                    "name": name,
                    "template_name": str(doc.get("TENMAUDON") or ""),
                    "template_url": str(doc.get("URL") or ""),
                }
            )
    results = _list(rec.get("KETQUATHUCHIEN"))
    steps = [
        str(s.get("TENTRINHTU", ""))
        for g in _list(rec.get("TRINHTUTHUCHIEN"))
        for s in _list(g.get("TRINHTU"))
    ]
    return {
        "code": str(rec.get("MATTHC", "")),
        "name": str(rec.get("TENTTHC", "")),
        "field": {"code": str(fld.get("MALINHVUC", "")), "name": str(fld.get("TENLINHVUC", ""))},
        "level": LEVELS.get(str(rec.get("CAPTHUCHIEN", "")), "commune"),
        "steps_description": "\n".join(s for s in steps if s),
        "methods_description": ", ".join(c for c in channels if c),
        "requirements": str(rec.get("YEUCAU") or ""),
        "result": {"name": str(results[0].get("TENKETQUA", "")) if results else ""},
        "legal_basis": [
            {"number": str(b.get("SOVANBAN", "")), "title": str(b.get("TENVANBAN", ""))}
            for b in _list(rec.get("CANCUPHAPLY"))
        ],
        "processing_time": {"value": time_value or 0, "unit": time_unit},
        "components": components,
        "fees": fees,
    }
