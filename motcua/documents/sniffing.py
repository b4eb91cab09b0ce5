"""Content-type detection from the bytes, never from the file name or the browser's
claim. Uses libmagic when available, else a small signature table."""

from __future__ import annotations

import functools

SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"MZ", 0, "application/x-dosexec"),
    (b"\x7fELF", 0, "application/x-executable"),
)

EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
    "image/gif": ".gif",
}


@functools.cache
def _magic():  # type: ignore[no-untyped-def]
    try:
        import magic

        return magic.Magic(mime=True)
    except (ImportError, OSError):  # python-magic or libmagic missing
        return None


def sniff_signature(head: bytes) -> str:
    for signature, offset, mime in SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def sniff(data: bytes) -> str:
    """MIME type of `data`. A PDF must start with %PDF- within the first 1 KiB
    (ISO 32000 tolerates leading garbage; we only accept it at the start)."""
    head = data[:2048]
    by_signature = sniff_signature(head)
    if by_signature != "application/octet-stream":
        return by_signature
    detector = _magic()
    if detector is not None:
        return str(detector.from_buffer(head))
    return by_signature


def extension_for(mime: str) -> str:
    return EXTENSIONS.get(mime, ".bin")
