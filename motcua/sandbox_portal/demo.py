"""Sample dossiers filed on the sandbox national portal (demo and the console's button):
the criminal-record certificate of the demo catalogue, received by the provincial PAS
centre, filed by demo identities logged in with VNeID, fees paid on the portal."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.sandbox_portal import national
from motcua.sandbox_portal.models import NationalDossier

PROCEDURE = "DEMO-LLTP"
UNIT = "000.00.01.H47"  # Trung tâm Phục vụ hành chính công tỉnh
OWNERS = (
    national.Owner("Trần Thị Bình", "049192005678", "0905000002", "", "Hội An, Quảng Nam"),
    national.Owner("Lê Văn Cường", "049093007711", "0905100711", "", "Tam Kỳ, Quảng Nam"),
    national.Owner("Phạm Thị Dung", "049195008822", "", "dung@example.vn", "Điện Bàn, Quảng Nam"),
)


def _answers(owner: national.Owner) -> dict[str, object]:
    return {
        "ho_ten": owner.full_name,
        "ngay_sinh": "1992-05-17",
        "gioi_tinh": "nu" if "Thị" in owner.full_name else "nam",
        "so_dinh_danh": owner.personal_id,
        "noi_cu_tru": owner.address,
        "loai_phieu": "so_1",
        "muc_dich": "Bổ sung hồ sơ xin việc",
        "so_ban": 1,
        "cam_doan": True,
    }


def file_samples(
    count: int,
    *,
    push: bool = True,
    at: dt.datetime | None = None,
    prefix: str = "",
    first: int = 1,
) -> list[NationalDossier]:
    """File `count` sample dossiers on the portal (and push each to the province).
    With `prefix`, codes are `<prefix>-<n>` and filing is idempotent (demo data)."""
    from motcua.catalog.constants import VersionStatus
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.selectors import fee_lines
    from motcua.core.testing.files import tiny_pdf

    version = (
        ProcedureVersion.objects.filter(procedure__code=PROCEDURE, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )
    at = at or timezone.now()
    out = []
    start = first - 1 if prefix else NationalDossier.objects.count()
    for i in range(count):
        owner = OWNERS[(start + i) % len(OWNERS)]
        answers = _answers(owner)
        fees = (
            [
                national.Fee(line.code, line.name, line.amount)
                for line in fee_lines(version, answers, "online", None)
                if line.amount
            ]
            if version is not None
            else []
        )
        pdf = tiny_pdf()
        dossier = national.file_dossier(
            procedure_code=PROCEDURE,
            unit_code=UNIT,
            owner=owner,
            answers=answers,
            files=[
                national.File("TO_KHAI", "to-khai-lltp.pdf", pdf),
                national.File("GIAY_TO_TUY_THAN", "can-cuoc.pdf", pdf),
            ],
            fees=fees,
            code=f"{prefix}-{start + i + 1:04d}" if prefix else "",
            at=at,
        )
        if push:
            national.push(dossier)
        out.append(dossier)
    return out
