"""Regenerate the web fonts in motcua/static/fonts/ (committed; run by hand).

Be Vietnam Pro ships as full TrueType files in the fontpkg-be-vietnam-pro package
(about 135 KiB each; the PDF renderer keeps using those). Phones on slow networks
get WOFF2 subsets instead: Latin + Vietnamese only, without TrueType hinting
(Android, iOS and macOS ignore it; it is half of each file), about 15 KiB a face.

    .venv/bin/python scripts/subset_fonts.py

fontTools and brotli come with weasyprint (a runtime dependency: it requires
fonttools[woff]), so regeneration needs nothing beyond the normal install.
"""

from __future__ import annotations

from pathlib import Path

import fontpkg_be_vietnam_pro
from fontTools import subset

OUT = Path(__file__).resolve().parent.parent / "motcua" / "static" / "fonts"
FACES = ("Regular", "Italic", "SemiBold", "Bold")

# Google Fonts' "latin" and "vietnamese" ranges, plus the arrows and comparison signs
# the templates use (← → ≤ ≥ ≠; code points the font lacks are skipped and the browser
# falls back to a system font for them). Vietnamese: Ă Đ Ĩ Ũ Ơ Ư and their lower case, the
# combining tone marks (U+0300-0309, U+0323) for decomposed input, the precomposed
# letters of Latin Extended Additional (U+1EA0-1EF9) and the đồng sign (U+20AB).
UNICODES = (
    "U+0020-007E, U+00A0-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC,"
    " U+2000-206F, U+20AC, U+2122, U+2190-2193, U+2212, U+2215, U+2260, U+2264-2265,"
    " U+FEFF, U+FFFD,"
    " U+0102-0103, U+0110-0111, U+0128-0129, U+0168-0169, U+01A0-01A1, U+01AF-01B0,"
    " U+0300-0301, U+0303-0304, U+0308-0309, U+0323, U+0329, U+1EA0-1EF9, U+20AB"
)


def main() -> None:
    source = Path(fontpkg_be_vietnam_pro.ROOT) / "files"
    OUT.mkdir(parents=True, exist_ok=True)
    for face in FACES:
        target = OUT / f"BeVietnamPro-{face}.woff2"
        subset.main(
            [
                str(source / f"BeVietnamPro-{face}.ttf"),
                f"--unicodes={UNICODES}",
                "--flavor=woff2",
                "--no-hinting",
                # Default OpenType features (kern, liga, mark, mkmk, ccmp, locl, ...):
                # mark/mkmk place the stacked Vietnamese tone marks.
                f"--output-file={target}",
            ]
        )
        print(f"{target.relative_to(OUT.parent.parent.parent)}: {target.stat().st_size} B")


if __name__ == "__main__":
    main()
