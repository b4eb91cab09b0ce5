"""Files attached to dossier components, stored through the documents app: every upload
is content-checked (type, size, PDF structure, image limits, virus scan plugin) before
anything is stored; a photo or scan becomes a PDF. At the counter, a component marked
"digitized" becomes a digitized copy of the paper original, certified (signed) by the
receptionist when a signing credential is available (Directive 04; domain.md §3.4, R5)."""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any

logger = logging.getLogger(__name__)


def _ref(stored: Any, name: str) -> dict[str, Any]:
    return {
        "name": PurePath(name or "tep").name[:200],
        "size": stored.size,
        "content_type": stored.mime_type,
        "ref": stored.storage_name,
        "stored_file": str(stored.pk),
    }


def store_upload(
    upload: Any,
    *,
    actor: Any,
    owner: Any = None,
    unit: Any = None,
    component: Any = None,
    digitized: bool = False,
) -> dict[str, Any]:
    """Check and store one uploaded file for `component`; returns the reference kept on
    the dossier component. Raises documents' UploadRejected with a Vietnamese message."""
    from motcua.documents.inspection import UploadPolicy, inspect_upload
    from motcua.documents.services import (
        digitized_copy_certify,
        digitized_copy_create,
        read_upload,
        stored_file_create,
    )

    policy = UploadPolicy.for_component(component)
    data = read_upload(upload, policy)
    inspection = inspect_upload(data, policy, upload.name or "")
    title = getattr(component, "name", "") or (upload.name or "")
    if digitized:
        stored = digitized_copy_create(
            pages=[data],
            original_description=title,
            actor=actor,
            owner=owner,
            unit=unit,
            title=title,
        )
        try:
            stored = digitized_copy_certify(file=stored, actor=actor, unit=unit)
        except Exception:  # no credential / token unavailable: keep the unsigned copy
            logger.warning("Digitized copy %s stored without certification", stored.pk)
        return _ref(stored, upload.name or f"{title}.pdf")
    if inspection.mime_type != "application/pdf":
        from motcua.documents.services import scans_to_pdf

        pdf, _pages = scans_to_pdf([data])
        stored = stored_file_create(
            data=pdf,
            original_name=f"{title}.pdf",
            actor=actor,
            owner=owner,
            unit=unit,
            trusted=True,  # our own output from pages checked above
        )
        return _ref(stored, f"{title}.pdf")
    stored = stored_file_create(
        data=data,
        original_name=upload.name or f"{title}.pdf",
        actor=actor,
        owner=owner,
        unit=unit,
        policy=policy,
    )
    return _ref(stored, upload.name or f"{title}.pdf")
