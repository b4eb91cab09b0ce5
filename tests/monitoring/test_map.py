"""An administrator loads a GeoJSON of the units; the dashboard draws the same colours on
the map; without one the tile map is shown (demo)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.monitoring import geomap
from tests.dossiers.conftest import staff, version  # noqa: F401
from tests.monitoring.test_drilldown import MARCH, history  # noqa: F401


def _square(code, x, y):
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return {
        "type": "Feature",
        "properties": {"code": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        _square("000.00.01.H47", 108.0, 15.0),
        _square("000.00.02.H47", 109.0, 15.0),
        _square("KHONG-CO", 108.0, 16.0),
    ],
}


def test_projection_fits_and_keeps_north_up():
    paths, width, height = geomap.svg_paths(geomap.parse(GEOJSON), 800, 600)
    assert [code for code, _d in paths] == ["000.00.01.H47", "000.00.02.H47", "KHONG-CO"]
    assert width <= 800.5 and height <= 600.5
    # the square at latitude 16 is drawn above (smaller y) the one at latitude 15
    assert "L0.0,0.0" in paths[2][1] and ",600.0" not in paths[2][1]
    assert ",600.0" in paths[0][1]
    with pytest.raises(geomap.GeoJSONError):
        geomap.parse({"type": "FeatureCollection", "features": [{"properties": {}}]})


@pytest.mark.django_db
def test_admin_loads_a_map_and_the_dashboard_colours_it(personas, client_for, history):  # noqa: F811
    dashboard = reverse("monitoring:dashboard") + "?" + MARCH
    supervisor = client_for(personas.supervisor)
    assert "mon-map" not in supervisor.get(dashboard).content.decode()  # works without
    upload = SimpleUploadedFile("qn.geojson", json.dumps(GEOJSON).encode(), "application/json")
    assert (
        client_for(personas.supervisor)
        .post(reverse("monitoring:map_layer"), {"file": upload})
        .status_code
        == 403
    )
    upload.seek(0)
    response = client_for(personas.admin).post(
        reverse("monitoring:map_layer"), {"name": "Quảng Nam", "file": upload}, follow=True
    )
    assert "KHONG-CO" in response.content.decode()  # reported as unknown
    html = supervisor.get(dashboard).content.decode()
    entry = next(
        e for e in supervisor.get(dashboard).context["entries"] if e.unit == personas.unit_x
    )
    assert html.index('class="mon-map"') > html.index("</form>")  # drawn above the tiles
    assert html.index('class="mon-map"') < html.index('class="mon-tiles"')
    assert f'class="mon-area {entry.level.css_class}" data-code="000.00.01.H47"' in html
    assert 'class="mon-area level-grey" data-code="KHONG-CO"' in html
    bad = SimpleUploadedFile("x.geojson", b"{not json", "application/json")
    assert (
        client_for(personas.admin).post(reverse("monitoring:map_layer"), {"file": bad}).status_code
        == 400
    )
