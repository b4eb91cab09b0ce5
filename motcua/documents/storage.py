"""Where file bytes live. Local filesystem (MEDIA_ROOT/documents/) by default; any
Django storage, e.g. S3-compatible object storage through django-storages, when
settings.STORAGES has a "documents" alias. Files are content-addressed by SHA-256
under a random prefix and are never served by a public media URL (see views)."""

from __future__ import annotations

import contextlib
import uuid
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

STORAGE_ALIAS = "documents"


def document_storage() -> Storage:
    if STORAGE_ALIAS in settings.STORAGES:
        return storages[STORAGE_ALIAS]
    # No public base_url: these bytes are only reachable through permission checks.
    return FileSystemStorage(location=settings.MEDIA_ROOT / "documents", base_url=None)


def new_storage_name(sha256: str, extension: str) -> str:
    return f"{sha256[:2]}/{sha256}-{uuid.uuid4().hex[:12]}{extension}"


def save_bytes(name: str, data: bytes) -> str:
    """Store `data`; if the write fails half way (disk full, quota, read-only), remove
    what was written so no truncated file is left behind, and re-raise."""
    storage = document_storage()
    existed = storage.exists(name)
    try:
        return storage.save(name, ContentFile(data))
    except OSError:
        if not existed:
            with contextlib.suppress(OSError):
                storage.delete(name)
        raise


def open_file(name: str) -> IO[bytes]:
    return document_storage().open(name, "rb")


def read_bytes(name: str) -> bytes:
    with open_file(name) as handle:
        return handle.read()


def delete(name: str) -> None:
    document_storage().delete(name)
