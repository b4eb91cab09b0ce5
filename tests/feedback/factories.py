"""Plain functions (usable from browser tests and benchmarks) that build the data the
feedback tests need: a minimal published procedure and dossiers created directly with
the dossiers models (their services are still moving)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from motcua.catalog.constants import ImplementingLevel, OnlineMode, TimeUnit, VersionStatus
from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.dossiers.constants import Channel, DossierStatus
from motcua.dossiers.models import Dossier, DossierEvent

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_codes = count(1)


def make_version() -> ProcedureVersion:
    field, _ = Field.objects.get_or_create(code="G01-TP", defaults={"name": "Tư pháp"})
    procedure, _ = Procedure.objects.get_or_create(
        code="1.001193",
        defaults={"name": "Đăng ký khai sinh", "field": field, "level": ImplementingLevel.PROVINCE},
    )
    version, _ = ProcedureVersion.objects.get_or_create(
        procedure=procedure,
        number=1,
        defaults={
            "status": VersionStatus.PUBLISHED,
            "name": "Đăng ký khai sinh",
            "online_mode": OnlineMode.FULL,
            "processing_time_value": Decimal(5),
            "processing_time_unit": TimeUnit.WORKING_DAYS,
            "effective_from": dt.date(2020, 1, 1),
        },
    )
    return version


def make_dossier(
    *,
    applicant: Any,
    unit: Any,
    status: str = DossierStatus.IN_PROCESS,
    assignee: Any = None,
    receptionist: Any = None,
    code: str | None = None,
) -> Dossier:
    now = timezone.now()
    dossier = Dossier.objects.create(
        code=code or f"H47.01-261127-{next(_codes):04d}",
        procedure_version=make_version(),
        applicant=applicant,
        channel=Channel.ONLINE,
        receiving_unit=unit,
        competent_unit=unit,
        status=status,
        assignee=assignee,
        submitted_at=now,
        received_at=now,
    )
    if receptionist is not None:
        DossierEvent.objects.create(
            dossier=dossier,
            at=now,
            actor=receptionist,
            action="receive",
            from_status=DossierStatus.SUBMITTED,
            to_status=DossierStatus.RECEIVED,
        )
    return dossier
