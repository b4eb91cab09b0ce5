"""The applicant's supplement or resubmission with files, shared by the portal's dossier
page and the API (issue 20): the files pass the documents checks (UploadPolicy) before
anything is stored, become one "Giấy tờ bổ sung" component, and the transition runs
with the server's time. Nothing else (no declaration, no time) comes from the caller."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from motcua.dossiers import services
from motcua.dossiers.errors import InvalidDossierData
from motcua.dossiers.files import store_citizen_files

FILE_ACTIONS = frozenset({"supplement_provided", "resubmit"})


def applicant_files_send(
    *,
    dossier: Any,
    actor: Any,
    action: str,
    expected_version: int,
    uploads: Sequence[Any],
    note: str,
) -> Any:
    """Store the checked files and take `action`; UploadRejected or DossierError."""
    from motcua.documents.inspection import UploadPolicy

    if action not in FILE_ACTIONS:
        raise InvalidDossierData(_("Thao tác này không gửi kèm tệp."))
    if not uploads:
        raise InvalidDossierData(_("Vui lòng chọn tệp hoặc chụp ảnh giấy tờ bổ sung."))
    note = (note or "").strip()[:300]
    name = note or _("Giấy tờ bổ sung")
    stored = store_citizen_files(
        actor=actor, uploads=uploads, policy=UploadPolicy(), name=name, unit=dossier.receiving_unit
    )
    component = services.ComponentInput(
        name=name,
        files=[
            {
                "name": stored.original_name,
                "size": stored.size,
                "content_type": stored.mime_type,
                "ref": f"documents:{stored.pk}",
                "file_id": str(stored.pk),
                "pages": stored.page_count,
            }
        ],
    )
    return services.SERVICES[action](
        dossier=dossier, actor=actor, expected_version=expected_version, components=[component]
    )
