"""Storing files safely and linking them to dossiers."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.documents import storage
from motcua.documents.constants import FileKind
from motcua.documents.inspection import UploadPolicy, UploadRejected, human_size, inspect_upload
from motcua.documents.models import FileLink, StoredFile
from motcua.documents.scanning import ScannerUnavailable, get_scanner
from motcua.documents.sniffing import extension_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkTarget:
    """Where a file belongs: a dossier (by code) and component, optionally a model
    instance of another app (generic relation)."""

    dossier_code: str = ""
    component_code: str = ""
    obj: models.Model | None = None
    digitized: bool = False


def _pdf_pages(data: bytes) -> int | None:
    import io

    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError:
        return None


def read_upload(uploaded: IO[bytes], policy: UploadPolicy) -> bytes:
    """Read at most policy.max_bytes + 1 bytes so an oversized upload is refused
    without loading all of it."""
    data = uploaded.read(policy.max_bytes + 1)
    if len(data) > policy.max_bytes:
        raise UploadRejected(
            _("Tệp vượt quá giới hạn %(limit)s cho giấy tờ này.")
            % {"limit": human_size(policy.max_bytes)},
            "too_large",
        )
    return data


def _virus_check(data: bytes) -> None:
    scanner = get_scanner()
    if scanner is None:
        return
    try:
        threat = scanner(data)
    except ScannerUnavailable as exc:
        logger.error("virus scanner unavailable: %s", exc)
        raise UploadRejected(
            _("Chưa kiểm tra được virus cho tệp; vui lòng thử lại sau ít phút."),
            "scanner_unavailable",
        ) from exc
    if threat:
        raise UploadRejected(
            _("Tệp có dấu hiệu chứa mã độc (%(name)s) nên bị từ chối.") % {"name": threat},
            "virus",
        )


def stored_file_create(
    *,
    data: bytes,
    original_name: str,
    kind: str = FileKind.UPLOAD,
    actor: Any = None,
    owner: Any = None,
    unit: Any = None,
    policy: UploadPolicy | None = None,
    source: StoredFile | None = None,
    link: LinkTarget | None = None,
    trusted: bool = False,
    extra: dict[str, Any] | None = None,
) -> StoredFile:
    """Check, store and record one file. Every check runs before any byte is written,
    so a rejected upload leaves nothing behind (raises UploadRejected). `trusted`
    skips the type checks for bytes this system produced itself (rendered, signed)."""
    policy = policy or UploadPolicy()
    if trusted:
        from motcua.documents.sniffing import sniff

        mime, pages = sniff(data), _pdf_pages(data) if data.startswith(b"%PDF-") else None
    else:
        inspection = inspect_upload(data, policy, original_name)
        mime, pages = inspection.mime_type, inspection.page_count
        _virus_check(data)
    digest = hashlib.sha256(data).hexdigest()
    try:
        name = storage.save_bytes(storage.new_storage_name(digest, extension_for(mime)), data)
    except OSError as exc:
        from motcua.core.faults import is_storage_full, storage_message

        if is_storage_full(exc):
            # Disk full / quota / read-only: say so on the form; nothing was stored.
            raise UploadRejected(storage_message(), "storage_unavailable") from exc
        raise
    try:
        with transaction.atomic():
            fields: dict[str, Any] = {
                "kind": kind,
                "storage_name": name,
                "original_name": original_name[:255] or "tep" + extension_for(mime),
                "sha256": digest,
                "size": len(data),
                "mime_type": mime,
                "page_count": pages,
                "owner": owner,
                "unit": unit,
                "uploaded_by": actor if getattr(actor, "is_authenticated", False) else None,
                "source": source,
            }
            stored = StoredFile.objects.create(**{**fields, **(extra or {})})
            if link is not None:
                file_link_create(file=stored, target=link, actor=actor, audit=False)
            audit_record(
                action="documents.file_store",
                actor=actor,
                obj=stored,
                after={
                    "kind": kind,
                    "sha256": digest,
                    "size": len(data),
                    "mime_type": mime,
                    "owner": getattr(owner, "pk", None),
                    "dossier_code": link.dossier_code if link else "",
                    "component_code": link.component_code if link else "",
                },
                unit_code=getattr(unit, "code", ""),
            )
    except BaseException:
        storage.delete(name)
        raise
    return stored


def stored_file_upload(
    *,
    uploaded: IO[bytes],
    original_name: str,
    actor: Any,
    owner: Any = None,
    unit: Any = None,
    policy: UploadPolicy | None = None,
    link: LinkTarget | None = None,
) -> StoredFile:
    """Store a file uploaded by a citizen or an officer (Django UploadedFile or any
    binary stream)."""
    policy = policy or UploadPolicy()
    data = read_upload(uploaded, policy)
    return stored_file_create(
        data=data,
        original_name=original_name,
        actor=actor,
        owner=owner if owner is not None else actor,
        unit=unit,
        policy=policy,
        link=link,
    )


def file_link_create(
    *, file: StoredFile, target: LinkTarget, actor: Any = None, audit: bool = True, **flags: Any
) -> FileLink:
    content_type = object_id = None
    if target.obj is not None:
        content_type = ContentType.objects.get_for_model(target.obj)
        object_id = str(target.obj.pk)
    with transaction.atomic():
        link = FileLink.objects.create(
            file=file,
            content_type=content_type,
            object_id=object_id or "",
            dossier_code=target.dossier_code,
            component_code=target.component_code,
            linked_by=actor if getattr(actor, "is_authenticated", False) else None,
            digitized=target.digitized or file.kind == FileKind.DIGITIZED,
            **flags,
        )
        if audit:
            audit_record(
                action="documents.file_link",
                actor=actor,
                obj=file,
                after={
                    "dossier_code": target.dossier_code,
                    "component_code": target.component_code,
                    **{k: getattr(v, "pk", v) for k, v in flags.items()},
                },
            )
    return link


def stored_file_bytes(stored: StoredFile) -> bytes:
    return storage.read_bytes(stored.storage_name)
