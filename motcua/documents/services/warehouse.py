"""Citizen / organisation e-data warehouse (law.md §3.3; R6 "do not ask again")."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.documents.constants import REUSE_YES, WarehouseSource
from motcua.documents.models import FileLink, IssuedDocument, StoredFile, WarehouseItem
from motcua.documents.services.files import LinkTarget, file_link_create


def warehouse_push_result(*, issued: IssuedDocument, actor: Any = None) -> WarehouseItem:
    """Put (or refresh) an issued result in its owner's warehouse; KPI 4.4 counts the
    push of the electronic result link (law.md §3.3)."""
    if issued.owner_id is None or issued.file is None:
        raise ValueError("issued document without owner or file")
    with transaction.atomic():
        item, created = WarehouseItem.objects.update_or_create(
            owner_id=issued.owner_id,
            source=WarehouseSource.RESULT,
            result_code=issued.code,
            defaults={
                "title": issued.title,
                "issuer": issued.issuer_name,
                "issued_on": issued.issued_at.date(),
                "valid_until": issued.valid_until,
                "dossier_code": issued.dossier_code,
                "file": issued.file,
                "is_active": issued.revoked_at is None,
            },
        )
        audit_record(
            action="documents.warehouse_push",
            actor=actor,
            obj=item,
            after={"result_code": issued.code, "file": str(issued.file_id), "new": created},
        )
    return item


def warehouse_item_add(
    *,
    owner: Any,
    file: StoredFile,
    title: str,
    actor: Any = None,
    doc_type: str = "",
    issuer: str = "",
    issued_on: Any = None,
    valid_until: Any = None,
    dossier_code: str = "",
    source: str = WarehouseSource.SUBMITTED,
) -> WarehouseItem:
    """Keep a submitted document for reuse (after the dossier it came with succeeded,
    or when the citizen files it themselves)."""
    if file.owner_id != owner.pk:
        raise PermissionDenied(_("Tệp không thuộc về chủ kho dữ liệu."))
    with transaction.atomic():
        item = WarehouseItem.objects.create(
            owner=owner,
            source=source,
            title=title,
            doc_type=doc_type,
            issuer=issuer,
            issued_on=issued_on,
            valid_until=valid_until,
            dossier_code=dossier_code,
            file=file,
        )
        audit_record(
            action="documents.warehouse_add",
            actor=actor,
            obj=item,
            after={"title": title, "file": str(file.pk), "source": source},
        )
    return item


def warehouse_item_reuse(*, item: WarehouseItem, actor: Any, target: LinkTarget) -> FileLink:
    """Attach a warehouse document to a new dossier component instead of asking for it
    again. The link carries the national flags DuocTaiSuDung=1 and
    DuocLayTuKhoDMQG=1 when the item came from the national warehouse."""
    if actor.pk != item.owner_id and not getattr(actor, "is_officer", False):
        raise PermissionDenied(_("Bạn không có quyền dùng giấy tờ này."))
    if not item.is_active:
        raise PermissionDenied(_("Giấy tờ này không còn hiệu lực để sử dụng lại."))
    with transaction.atomic():
        link = file_link_create(
            file=item.file,
            target=target,
            actor=actor,
            audit=False,
            reuse_flag=REUSE_YES,
            from_national_warehouse=item.source == WarehouseSource.NATIONAL,
            warehouse_item=item,
        )
        audit_record(
            action="documents.warehouse_reuse",
            actor=actor,
            obj=item,
            after={
                "dossier_code": target.dossier_code,
                "component_code": target.component_code,
                "DuocTaiSuDung": REUSE_YES,
                "DuocLayTuKhoDMQG": int(link.from_national_warehouse),
            },
        )
    return link
