"""GeoJSON of the province's units → SVG paths (pure, no ORM). The dashboard draws the
map server-side, so no script and no map tiles are needed (strict CSP, works offline).

Accepted: a FeatureCollection whose features have a Polygon or MultiPolygon geometry
(lon/lat, RFC 7946) and a `code` property (OrgUnit.code; `ma`, `MaDonVi` also read)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

CODE_KEYS = ("code", "ma", "MaDonVi", "ma_don_vi")


class GeoJSONError(ValueError):
    pass


@dataclass(frozen=True)
class Area:
    code: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat) rings


def parse(data: Any) -> list[Area]:
    """Areas of a FeatureCollection; raises GeoJSONError with a Vietnamese message."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeoJSONError("Tệp phải là GeoJSON kiểu FeatureCollection.")
    areas = []
    for i, feature in enumerate(data.get("features") or [], start=1):
        props = (feature or {}).get("properties") or {}
        code = next((str(props[k]) for k in CODE_KEYS if props.get(k)), "")
        if not code:
            raise GeoJSONError(f"Đối tượng thứ {i} thiếu thuộc tính code (mã đơn vị).")
        geometry = (feature or {}).get("geometry") or {}
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        try:
            if kind not in ("Polygon", "MultiPolygon"):
                raise GeoJSONError(f"Đối tượng {code}: chỉ nhận Polygon hoặc MultiPolygon.")
            polygons: list[Any] = [coords] if kind == "Polygon" else list(coords or [])
            rings = tuple(
                tuple((float(p[0]), float(p[1])) for p in ring)
                for polygon in polygons
                for ring in polygon
            )
        except (TypeError, ValueError, IndexError) as exc:
            raise GeoJSONError(f"Đối tượng {code}: tọa độ không hợp lệ.") from exc
        if not rings or any(len(r) < 3 for r in rings):
            raise GeoJSONError(f"Đối tượng {code}: vùng không đủ điểm.")
        areas.append(Area(code, rings))
    if not areas:
        raise GeoJSONError("Tệp không có đối tượng nào.")
    return areas


def svg_paths(
    areas: Iterable[Area], width: float = 800, height: float = 600
) -> tuple[list[tuple[str, str]], float, float]:
    """(code, SVG path data) per area fitted into width × height (equirectangular with
    cos(latitude) correction, north up), and the drawing's actual width and height."""
    areas = list(areas)
    points = [p for a in areas for r in a.rings for p in r]
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    k = math.cos(math.radians((min_y + max_y) / 2))
    span_x, span_y = max((max_x - min_x) * k, 1e-9), max(max_y - min_y, 1e-9)
    scale = min(width / span_x, height / span_y)
    out = []
    for a in areas:
        parts = []
        for ring in a.rings:
            xy = [((x - min_x) * k * scale, (max_y - y) * scale) for x, y in ring]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + " Z")
        out.append((a.code, " ".join(parts)))
    return out, span_x * scale, span_y * scale
