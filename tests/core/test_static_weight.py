"""Light pages (issue 24): the web fonts are Vietnamese-complete WOFF2 subsets, and the
demo's static files are served compressed (motcua/core/staticfiles.py)."""

from __future__ import annotations

import os
import re
import time
import unicodedata
from pathlib import Path

from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from fontTools.ttLib import TTFont

from motcua.config.settings import base
from motcua.core.staticfiles import DemoStaticFilesMiddleware

COMPRESSED = "whitenoise.storage.CompressedStaticFilesStorage"
CSS = Path(base.PACKAGE_DIR) / "static" / "css" / "motcua.css"

# Every letter of the Vietnamese alphabet with every tone, upper and lower case, the
# combining tone marks and the đồng sign.
VIETNAMESE = (
    "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
    + "ĂăÂâĐđÊêÔôƠơƯưÀÁÃÈÉÌÍĨÒÓÕÙÚŨÝàáãèéìíĩòóõùúũý"
    + "\u0300\u0301\u0303\u0309\u0323₫"
)


def test_css_loads_only_woff2_fonts_with_swap_and_each_covers_vietnamese():
    css = CSS.read_text()
    faces = re.findall(r"@font-face \{[^}]*\}", css)
    assert len(faces) == 4
    for face in faces:
        assert "font-display: swap" in face
        (url,) = re.findall(r'url\("\.\./fonts/([^"]+)"\)', face)
        assert url.endswith(".woff2")
        path = CSS.parent.parent / "fonts" / url
        assert path.stat().st_size < 20_000, f"{url}: not a subset any more?"
        font = TTFont(path)
        assert font.flavor == "woff2"
        cmap = font.getBestCmap()
        missing = [f"{c} {unicodedata.name(c)}" for c in VIETNAMESE if ord(c) not in cmap]
        assert not missing, f"{url} lacks {missing}"
        # The stacked tone marks are placed by these OpenType features.
        features = {r.FeatureTag for r in font["GPOS"].table.FeatureList.FeatureRecord}
        assert {"mark", "mkmk"} <= features


def _serve(path: str):
    middleware = DemoStaticFilesMiddleware(lambda request: HttpResponse(status=404))
    request = RequestFactory().get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    response = middleware(request)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_demo_serves_the_collected_compressed_copy_until_the_source_is_edited(settings, tmp_path):
    source_dir = tmp_path / "source"
    (source_dir / "css").mkdir(parents=True)
    source = source_dir / "css" / "site.css"
    source.write_text("body { color: #1b1f24; }\n" * 200)
    settings.DEBUG = True  # runserver under `make demo`: WhiteNoise autorefresh + finders
    settings.STATICFILES_DIRS = [source_dir]
    settings.STATIC_ROOT = tmp_path / "collected"
    # What `make setup` does with the storage of the base settings (the test settings
    # replace it with the plain one).
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": COMPRESSED}}
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["ninja"])
    assert (tmp_path / "collected" / "css" / "site.css.br").exists()

    response, body = _serve("/static/css/site.css")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert len(body) < 200

    # A developer edits the stylesheet: the next reload shows it (uncompressed).
    source.write_text("body { color: #0b4f8a; }\n")
    later = time.time() + 5
    os.utime(source, (later, later))
    response, body = _serve("/static/css/site.css")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert body == b"body { color: #0b4f8a; }\n"

    # Not in the collected copy at all (e.g. django-ninja's API-docs assets): the source.
    (source_dir / "css" / "new.css").write_text("p { margin: 0; }\n")
    response, body = _serve("/static/css/new.css")
    assert body == b"p { margin: 0; }\n"
