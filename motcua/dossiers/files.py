"""Files attached to dossier components, stored through the documents app: every upload
is content-checked (type, size, PDF structure, image limits, virus scan plugin) before
anything is stored; photos and scans become one PDF. At the counter, a component marked
"digitized" becomes a digitized copy of the paper original, certified (signed) by the
receptionist when a signing credential is available (Directive 04; law.md §3.4, R5)."""

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


def stored_file_id(ref: dict[str, Any]) -> str | None:
    """The StoredFile id behind a reference kept in a dossier component's `files`
    (written by file_ref, by the online draft and by the portal supplement)."""
    if not isinstance(ref, dict):
        return None
    for key in ("stored_file", "file_id"):
        if ref.get(key):
            return str(ref[key])
    raw = str(ref.get("ref") or "")
    return raw.removeprefix("documents:") if raw.startswith("documents:") else None


def component_file_ids(component: Any) -> list[str]:
    return [pk for pk in map(stored_file_id, component.files or []) if pk]


def link_component_files(dossier: Any, components: Sequence[Any], *, actor: Any = None) -> None:
    """Link the stored files of dossier components to their component row, so that
    officers handling the dossier may open them (documents.access) and the file page
    names the dossier. Components taken from the e-data warehouse are linked by
    warehouse_item_reuse, with its flags."""
    import uuid

    from django.contrib.contenttypes.models import ContentType

    from motcua.documents.constants import FileKind
    from motcua.documents.models import FileLink, StoredFile

    wanted: dict[tuple[uuid.UUID, str], Any] = {}
    for component in components:
        if component.from_warehouse:
            continue
        for pk in component_file_ids(component):
            try:
                wanted[(uuid.UUID(pk), str(component.pk))] = component
            except ValueError:
                continue
    if not wanted:
        return
    kind = ContentType.objects.get_for_model(next(iter(wanted.values())))
    existing = set(
        FileLink.objects.filter(
            content_type=kind, object_id__in={row for _pk, row in wanted}
        ).values_list("file_id", "object_id")
    )
    kinds = dict(
        StoredFile.objects.filter(pk__in={pk for pk, _row in wanted}).values_list("pk", "kind")
    )
    FileLink.objects.bulk_create(
        FileLink(
            file_id=pk,
            content_type=kind,
            object_id=row,
            dossier_code=dossier.code or "",
            component_code=component.component.code[:64] if component.component_id else "",
            linked_by=actor if getattr(actor, "is_authenticated", False) else None,
            digitized=component.digitized or kinds[pk] == FileKind.DIGITIZED,
        )
        for (pk, row), component in wanted.items()
        if pk in kinds and (pk, row) not in existing
    )


def links_name_dossier(dossier: Any) -> None:
    """Write the dossier code, allocated at reception, on the links of its files
    (uploaded online before the dossier had a code)."""
    from django.contrib.contenttypes.models import ContentType

    from motcua.documents.models import FileLink
    from motcua.dossiers.models import DossierComponent

    rows = [str(pk) for pk in dossier.components.values_list("pk", flat=True)]
    if rows and dossier.code:
        FileLink.objects.filter(
            content_type=ContentType.objects.get_for_model(DossierComponent),
            object_id__in=rows,
            dossier_code="",
        ).update(dossier_code=dossier.code)


def files_for_display(component: Any) -> list[dict[str, Any]]:
    """The files of a dossier component as the officer's dossier page lists them: name,
    stored file id (for the download and inline viewer routes), viewer kind."""
    from motcua.documents.constants import VIEWABLE_TYPES

    shown = []
    for ref in component.files or []:
        if not isinstance(ref, dict):
            continue
        pk = stored_file_id(ref)
        kind = str(ref.get("content_type") or "")
        viewer = "" if kind not in VIEWABLE_TYPES else ("pdf" if kind.endswith("pdf") else "image")
        name = ref.get("name") or _("tệp")
        shown.append({"name": name, "id": pk, "viewer": viewer if pk else ""})
    return shown
