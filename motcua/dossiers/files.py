"""Minimal upload storage until the documents app replaces it: files go to the default
storage under dossiers/YYYY/MM/ with a random name; the dossier keeps a JSON ref."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone


def store_upload(upload: Any) -> dict[str, Any]:
    suffix = PurePath(upload.name or "").suffix.lower()[:10]
    now = timezone.localtime()
    path = default_storage.save(f"dossiers/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}", upload)
    return {
        "name": PurePath(upload.name or "tep").name[:200],
        "size": upload.size,
        "content_type": getattr(upload, "content_type", "") or "",
        "ref": path,
    }
