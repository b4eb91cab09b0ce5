"""HTML → PDF with WeasyPrint for official forms and results.

Templates extend `documents/pdf/official_base.html` (national motto header, Noto Serif
from fonts-noto-core with Be Vietnam Pro as fallback). All text is NFC-normalised:
decomposed Vietnamese (e.g. typed on macOS) renders with detached diacritics in some
fonts. Only local files under the font/static directories and data: URIs may be
loaded, so an administrator-edited result template cannot make the server fetch URLs.
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path
from typing import Any, Literal

import fontpkg_be_vietnam_pro
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string

PageSize = Literal["A4", "A5"]

NOTO_DIR = Path("/usr/share/fonts/truetype/noto")


def _allowed_roots() -> list[Path]:
    return [
        Path(fontpkg_be_vietnam_pro.ROOT).resolve(),
        NOTO_DIR,
        (settings.PACKAGE_DIR / "static").resolve(),
    ]


def _safe_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class SafeURLFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if not any(path.is_relative_to(root) for root in _allowed_roots()):
                    raise ValueError(f"PDF rendering may not load {url!r}")
            return super().fetch(url, headers)

    return SafeURLFetcher(allowed_protocols=("data", "file"), timeout=5)


def font_context() -> dict[str, str]:
    files = Path(fontpkg_be_vietnam_pro.ROOT) / "files"
    return {
        "font_regular_url": (files / "BeVietnamPro-Regular.ttf").as_uri(),
        "font_bold_url": (files / "BeVietnamPro-Bold.ttf").as_uri(),
    }


def nfc(value: Any) -> Any:
    """Recursively NFC-normalise strings in a context."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(nfc(v) for v in value)
    return value


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    html = unicodedata.normalize("NFC", html)
    document = HTML(string=html, base_url=str(settings.PACKAGE_DIR), url_fetcher=_safe_fetcher())
    return bytes(document.write_pdf())


def render_pdf(template_name: str, context: dict[str, Any], *, page_size: PageSize = "A4") -> bytes:
    """Render a Django template to PDF bytes (A4 portrait by default, A5 for receipts)."""
    full = {**font_context(), **nfc(dict(context)), "page_size": page_size}
    return html_to_pdf(render_to_string(template_name, full))


def render_pdf_from_source(
    body_source: str,
    context: dict[str, Any],
    *,
    title: str = "",
    page_size: PageSize = "A4",
    wrapper: str = "documents/pdf/result.html",
) -> bytes:
    """Render a procedure's result template (catalog ProcedureVersion.result_template,
    HTML edited by administrators) inside the official base: the body is a Django
    template rendered with `context`, then placed in `wrapper`."""
    body = Template(unicodedata.normalize("NFC", body_source)).render(Context(nfc(context)))
    return render_pdf(wrapper, {**context, "body": body, "title": title}, page_size=page_size)


# WeasyPrint reports each layout step at INFO; keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)
