"""Small valid files for upload tests: uploads are content- and structure-checked by
the documents app, so tests send real (tiny) PDFs and images."""

from __future__ import annotations

import io


def tiny_pdf(pages: int = 1) -> bytes:
    """A blank A4 PDF of `pages` pages (pikepdf), no active content."""
    import pikepdf

    pdf = pikepdf.Pdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def tiny_image(
    size: tuple[int, int] = (200, 100), colour: str = "white", kind: str = "PNG"
) -> bytes:
    """A plain image of one colour (Pillow), PNG or JPEG."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=kind)
    return out.getvalue()
