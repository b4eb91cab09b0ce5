"""`motcua monitoring_scores --unit CODE --from YYYY-MM-DD --to YYYY-MM-DD
[--format json|table] [--no-subtree]` — Decision 766 scores of a unit (and its
subtree) computed from the daily aggregate rows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.monitoring.indicators import GROUP_BY_KEY, INDICATOR_BY_ID, scorecard_as_dict
from motcua.monitoring.selectors import scores_for
from motcua.org.models import OrgUnit


def _date(raw: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"{name} không hợp lệ (cần YYYY-MM-DD): {raw}") from exc


class Command(BaseCommand):
    help = "In điểm Bộ chỉ số 766 của một đơn vị trong một khoảng thời gian."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="Mã đơn vị")
        parser.add_argument("--from", dest="date_from", required=True, help="Từ ngày YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="Đến ngày YYYY-MM-DD")
        parser.add_argument("--format", choices=("json", "table"), default="json")
        parser.add_argument(
            "--no-subtree", action="store_true", help="Chỉ tính riêng đơn vị, không gồm cấp dưới"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unit = OrgUnit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {options['unit']}")
        date_from = _date(options["date_from"], "--from")
        date_to = _date(options["date_to"], "--to")
        if date_to < date_from:
            raise CommandError("--to phải sau hoặc bằng --from")
        result = scores_for(unit, date_from, date_to, include_subtree=not options["no_subtree"])
        body = scorecard_as_dict(result.card)
        payload = {
            "unit": unit.code,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            **body,
            "total": body["total"] if result.has_data else None,
            "band": result.band.key,
            "band_label": str(result.band.label),
            "colour": result.colour.key,
            "has_data": result.has_data,
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self._table(unit, payload)

    def _table(self, unit: OrgUnit, payload: dict[str, Any]) -> None:
        def fmt(value: Any) -> str:
            return (
                "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
            )

        w = self.stdout.write
        w(f"{unit.code} {unit.name}: {payload['from']} → {payload['to']}")
        w(
            f"{'Chỉ số':<6} {'Tử số':>10} {'Mẫu số':>10} {'Tỷ lệ %':>9} "
            f"{'Điểm':>7} {'Tối đa':>6}  Tên"
        )
        for key, ind in payload["indicators"].items():
            w(
                f"{key:<6} {fmt(ind['numerator']):>10} {fmt(ind['denominator']):>10} "
                f"{fmt(ind['ratio']):>9} {fmt(ind['score']):>7} {fmt(ind['max']):>6}  "
                f"{INDICATOR_BY_ID[key].label}"
            )
        w("")
        for key, group in payload["groups"].items():
            label = GROUP_BY_KEY[key].label
            w(f"{label!s:<28} {fmt(group['score']):>7} / {fmt(group['max'])}")
        w(
            f"{'Tổng':<28} {fmt(payload['total']):>7} / 100  "
            f"{payload['band_label']} ({payload['colour']})"
        )
