"""The HTTP answer carrying a stored file's bytes, once a view has checked access.

Django streams the file itself by default. Behind nginx with
MOTCUA_MEDIA_ACCEL_REDIRECT set (docs/operations/deploy.md), the answer is empty and
carries `X-Accel-Redirect: <prefix><storage name>`: nginx then serves the bytes from its
`internal` location (never reachable from outside), so a gunicorn worker is not held
for the length of a download. Object storage always streams through Django."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from motcua.documents import storage


def accel_redirect_path(storage_name: str) -> str | None:
    """The internal nginx path of a local file, or None when Django must stream it."""
    prefix = getattr(settings, "MOTCUA_MEDIA_ACCEL_REDIRECT", "")
    if not prefix or not isinstance(storage.document_storage(), FileSystemStorage):
        return None
    return prefix + quote(storage_name, safe="/")


def stored_file_response(
    stored: Any, *, filename: str, as_attachment: bool = True, digest: bool = True
) -> HttpResponse:
    """`stored` (a StoredFile) as a download (or inline), never cached by a proxy."""
    internal = accel_redirect_path(stored.storage_name)
    response: HttpResponse
    if internal is None:
        response = FileResponse(  # type: ignore[assignment]  # FileResponse streams
            storage.open_file(stored.storage_name),
            as_attachment=as_attachment,
            filename=filename,
            content_type=stored.mime_type,
        )
        response["Content-Length"] = str(stored.size)
    else:
        # nginx keeps Content-Type, Content-Disposition and Cache-Control of this answer
        # and adds the length and the bytes; the rest is set again in its location.
        response = HttpResponse(content_type=stored.mime_type)
        response["X-Accel-Redirect"] = internal
        disposition = content_disposition_header(as_attachment, filename)
        if disposition:
            response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if digest:
        response["Digest"] = f"sha-256={stored.sha256}"
    return response
