"""XLSX export of the catalogue for officers (XlsxWriter)."""

from __future__ import annotations

import io
from typing import Any

from motcua.catalog.interchange import export_catalogue

HEADERS = (
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Cấp thực hiện",
    "Mức độ trực tuyến",
    "Đủ điều kiện toàn trình",
    "Thời hạn giải quyết",
    "Đơn vị thời hạn",
    "Phí, lệ phí",
    "Thành phần hồ sơ",
    "Cơ quan thực hiện",
    "Căn cứ pháp lý",
    "Hiệu lực từ",
    "Dữ liệu minh họa",
)


def _rows(data: list[dict[str, Any]]) -> list[list[Any]]:
    from motcua.catalog.constants import ImplementingLevel, OnlineMode, TimeUnit

    rows = []
    for p in data:
        fees = "; ".join(
            f"{f['name']}: {f['amount']:,} đ".replace(",", ".")
            + (f" (trường hợp {f['case']})" if f.get("case") else "")
            for f in p["fees"]
        )
        components = "; ".join(f"{c['name']} ({c['quantity']})" for c in p["components"])
        units = "; ".join(c["unit"] for c in p["competence"] if c["is_competent"])
        legal = "; ".join(
            f"{lb.get('number', '')} {lb.get('title', '')}" for lb in p["legal_basis"]
        )
        rows.append(
            [
                p["code"],
                p["name"],
                p["field"]["name"],
                str(ImplementingLevel(p["level"]).label),
                str(OnlineMode(p["online_mode"]).label),
                "Có" if p["full_process_eligible"] else "Không",
                p["processing_time"]["value"],
                str(TimeUnit(p["processing_time"]["unit"]).label),
                fees or "Không",
                components,
                units,
                legal,
                p["effective_from"] or "",
                "Có" if p["is_example_data"] else "Không",
            ]
        )
    return rows


def catalogue_xlsx() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Danh mục TTHC")
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for col, header in enumerate(HEADERS):
        sheet.write(0, col, header, bold)
    rows = _rows(export_catalogue())
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value, wrap)
    widths = (12, 50, 24, 14, 24, 10, 10, 14, 40, 60, 30, 40, 12, 10)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(HEADERS) - 1)
    workbook.close()
    return buffer.getvalue()
