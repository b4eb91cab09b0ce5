"""XLSX export of the catalogue for officers (XlsxWriter)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from motcua.catalog.interchange import export_catalogue

HEADERS = (
    gettext_noop("Mã thủ tục"),
    gettext_noop("Tên thủ tục"),
    gettext_noop("Lĩnh vực"),
    gettext_noop("Cấp thực hiện"),
    gettext_noop("Mức độ trực tuyến"),
    gettext_noop("Đủ điều kiện toàn trình"),
    gettext_noop("Thời hạn giải quyết"),
    gettext_noop("Đơn vị thời hạn"),
    gettext_noop("Phí, lệ phí"),
    gettext_noop("Thành phần hồ sơ"),
    gettext_noop("Cơ quan thực hiện"),
    gettext_noop("Căn cứ pháp lý"),
    gettext_noop("Hiệu lực từ"),
    gettext_noop("Dữ liệu minh họa"),
)


def _rows(data: list[dict[str, Any]]) -> list[list[Any]]:
    from motcua.catalog.constants import ImplementingLevel, OnlineMode, TimeUnit

    rows = []
    for p in data:
        fees = "; ".join(
            _("%(name)s: %(amount)s đ")
            % {"name": f["name"], "amount": f"{f['amount']:,}".replace(",", ".")}
            + ((" " + _("(trường hợp %(case)s)") % {"case": f["case"]}) if f.get("case") else "")
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
                _("Có") if p["full_process_eligible"] else _("Không"),
                p["processing_time"]["value"],
                str(TimeUnit(p["processing_time"]["unit"]).label),
                fees or _("Không"),
                components,
                units,
                legal,
                p["effective_from"] or "",
                _("Có") if p["is_example_data"] else _("Không"),
            ]
        )
    return rows


def catalogue_xlsx() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Danh mục TTHC"))
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for col, header in enumerate(HEADERS):
        sheet.write(0, col, _(header), bold)
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
