"""Visible signature stamp in Vietnamese: signer, unit, time (Decree 30/2020 shows the
signer's name and position; the stamp text is NFC because pyHanko shapes it with
HarfBuzz and a decomposed string would misplace the diacritics)."""

from __future__ import annotations

import logging
import os
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import fontpkg_be_vietnam_pro
from django.utils import timezone

NOTO_SERIF = Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")

STAMP_TEXT = "Ký bởi: %(signer)s\nĐơn vị: %(unit)s\nVai trò: %(role)s\nThời gian: %(time)s"


# Latin, Latin-1, Latin Extended-A/B (ơ, ư), combining marks, Latin Extended
# Additional (Vietnamese precomposed letters), the đồng sign and common punctuation.
VIETNAMESE_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x1A0, 0x1B0),
    (0x300, 0x323),
    (0x1EA0, 0x1EF9),
    (0x2010, 0x2026),
    (0x20AB, 0x20AB),
)


def _source_font() -> Path:
    if NOTO_SERIF.exists():
        return NOTO_SERIF
    return Path(fontpkg_be_vietnam_pro.ROOT) / "files" / "BeVietnamPro-Regular.ttf"


@cache
def font_path() -> str:
    """A Vietnamese-only subset of the stamp font, made once per machine: pyHanko
    subsets the font again for every signature, and doing that from the full Noto
    Serif (~3,000 glyphs) costs about a second per signature."""
    from django.conf import settings
    from fontTools import subset

    source = _source_font()
    target = Path(settings.VAR_DIR) / "cache" / f"stamp-{source.stem}-vi-v2.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        options = subset.Options()
        # Stamp text is NFC, so every Vietnamese letter is one precomposed glyph: the
        # OpenType layout tables (the slow part of subsetting) are not needed.
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF"]
        options.name_IDs = ["*"]
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(
            unicodes=[cp for start, end in VIETNAMESE_RANGES for cp in range(start, end + 1)]
        )
        subsetter.subset(font)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        subset.save_font(font, str(tmp), options)
        tmp.replace(target)
    return str(target)


@cache
def stamp_style() -> Any:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text=STAMP_TEXT,
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(font_path(), font_size=8, bcp47_lang_code="vi"),
        ),
        border_width=1,
    )


def stamp_params(*, signer: str, unit: str, role: str) -> dict[str, str]:
    # Local wall-clock time (Asia/Ho_Chi_Minh); the cryptographic time is the RFC 3161
    # token inside the signature.
    now = timezone.localtime()
    values = {
        "signer": signer,
        "unit": unit,
        "role": role,
        "time": now.strftime("%d/%m/%Y %H:%M:%S ") + (now.strftime("%Z") or ""),
    }
    return {key: unicodedata.normalize("NFC", value) for key, value in values.items()}


# fontTools logs every subsetting step at INFO when pyHanko embeds the stamp font.
logging.getLogger("fontTools").setLevel(logging.WARNING)
