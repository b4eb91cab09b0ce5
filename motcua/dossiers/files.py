"""Files attached to dossier components, stored through the documents app: every upload
is content-checked (type, size, PDF structure, image limits, virus scan plugin) before
anything is stored; photos and scans become one PDF. At the counter, a component marked
"digitized" becomes a digitized copy of the paper original, certified (signed) by the
receptionist when a signing credential is available (Directive 04; domain.md §3.4, R5)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAX_FILES_PER_COMPONENT = 20


def store_citizen_files(
    *,
    actor: Any,
    uploads: Sequence[Any],
    policy: Any,
    name: str,
    unit: Any = None,
    owner: Any = None,
    digitized: bool = False,
) -> Any:
    """Check and store what was sent for one document, online or at the counter. Every
    file is checked by the documents app before anything is stored; several files, or
    any photo, are joined into one PDF (phone camera pictures become one document).
    The stored file belongs to `owner` (the actor when not given: a citizen applying
    for themself). With `digitized`, the pages become a digitized copy of the paper
    original, certified by the receptionist when possible. Raises UploadRejected with
    a message in plain Vietnamese."""
    from motcua.documents.inspection import UploadRejected, inspect_upload
    from motcua.documents.services import read_upload, stored_file_create

    owner = actor if owner is None else owner
    uploads = [u for u in uploads if u is not None and getattr(u, "size", None) != 0]
    if not uploads:
        raise UploadRejected(_("Vui lòng chọn tệp hoặc chụp ảnh giấy tờ."), "empty")
    if len(uploads) > MAX_FILES_PER_COMPONENT:
        raise UploadRejected(
            _("Chỉ gửi tối đa %(n)s tệp cho một giấy tờ.") % {"n": MAX_FILES_PER_COMPONENT},
            "too_many_files",
        )
    datas, kinds = [], []
    for upload in uploads:
        data = read_upload(upload, policy)
        try:
            inspection = inspect_upload(data, policy, upload.name or "")
        except UploadRejected as exc:
            raise UploadRejected(f"{upload.name}: {exc.message}", exc.code) from exc
        datas.append(data)
        kinds.append(inspection.mime_type)
    name = name[:180]
    if digitized:
        return _digitized_copy(datas, name=name, actor=actor, owner=owner, unit=unit)
    if len(datas) == 1 and kinds[0] == "application/pdf":
        return stored_file_create(
            data=datas[0],
            original_name=uploads[0].name or f"{name}.pdf",
            actor=actor,
            owner=owner,
            unit=unit,
            policy=policy,
        )
    combined = _combine(datas)
    if len(combined) > policy.max_bytes:
        raise UploadRejected(
            _("Các ảnh sau khi ghép vượt quá dung lượng cho phép; hãy chụp ít trang hơn."),
            "too_large",
        )
    # The pages were checked one by one above; the joined PDF is our own output.
    return stored_file_create(
        data=combined,
        original_name=f"{name}.pdf",
        actor=actor,
        owner=owner,
        unit=unit,
        trusted=True,
    )


def _combine(datas: Sequence[bytes]) -> bytes:
    from motcua.documents.services import scans_to_pdf

    pdf, _pages = scans_to_pdf(list(datas))
    return pdf


def _digitized_copy(datas: Sequence[bytes], *, name: str, actor: Any, owner: Any, unit: Any) -> Any:
    from motcua.documents.services import digitized_copy_certify, digitized_copy_create

    stored = digitized_copy_create(
        pages=datas, original_description=name, actor=actor, owner=owner, unit=unit, title=name
    )
    try:
        return digitized_copy_certify(file=stored, actor=actor, unit=unit)
    except Exception:  # no credential / token unavailable: keep the unsigned copy
        logger.warning("Digitized copy %s stored without certification", stored.pk)
        return stored


def store_upload(
    upload: Any,
    *,
    actor: Any,
    owner: Any = None,
    unit: Any = None,
    component: Any = None,
    digitized: bool = False,
) -> dict[str, Any]:
    """Store one uploaded file for `component` (store_citizen_files with the
    component's upload policy); returns the reference kept on the dossier component."""
    from motcua.documents.inspection import UploadPolicy

    title = str(getattr(component, "name", "") or "") or (upload.name or "")
    stored = store_citizen_files(
        actor=actor,
        uploads=[upload],
        policy=UploadPolicy.for_component(component),
        name=title,
        unit=unit,
        owner=owner,
        digitized=digitized,
    )
    return file_ref(stored, (upload.name if digitized else "") or stored.original_name)


def file_ref(stored: Any, name: str) -> dict[str, Any]:
    """The reference to a stored file kept in a dossier component's `files`."""
    return {
        "name": PurePath(name or "tep").name[:200],
        "size": stored.size,
        "content_type": stored.mime_type,
        "ref": stored.storage_name,
        "stored_file": str(stored.pk),
    }
