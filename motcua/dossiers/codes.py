"""Dossier code allocation (Decree 61/2018 Art. 26; Circular 01/2018 Art. 19):
`<unit identifier>-YYMMDD-XXXX`, a per-receiving-unit per-day sequence.

The format is a str.format template in settings (MOTCUA_DOSSIER_CODE_FORMAT) with
`unit` (OrgUnit.code), `date` (the local reception date) and `seq` (int). The counter
row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers with
IMMEDIATE transactions) so concurrent receptions never get the same number.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from motcua.dossiers.models import DossierCodeCounter
from motcua.org.models import OrgUnit

DEFAULT_FORMAT = "{unit}-{date:%y%m%d}-{seq:04d}"


def code_format() -> str:
    return getattr(settings, "MOTCUA_DOSSIER_CODE_FORMAT", DEFAULT_FORMAT)


def format_code(unit_code: str, day: dt.date, seq: int) -> str:
    return code_format().format(unit=unit_code, date=day, seq=seq)


def next_sequence(unit: OrgUnit, day: dt.date) -> int:
    """Atomically take the next number of `unit` on `day` (inside the caller's transaction)."""
    with transaction.atomic():
        counter = DossierCodeCounter.objects.select_for_update().filter(unit=unit, date=day).first()
        if counter is None:
            try:
                with transaction.atomic():
                    counter = DossierCodeCounter.objects.create(unit=unit, date=day, last_number=0)
            except IntegrityError:  # another transaction created it first
                counter = DossierCodeCounter.objects.select_for_update().get(unit=unit, date=day)
        DossierCodeCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
        return DossierCodeCounter.objects.values_list("last_number", flat=True).get(pk=counter.pk)


def allocate_code(unit: OrgUnit, day: dt.date) -> str:
    return format_code(unit.code, day, next_sequence(unit, day))
