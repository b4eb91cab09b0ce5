"""Dossier code allocation (Decree 61/2018 Art. 26; Circular 01/2018 Art. 19):
`<unit identifier>-YYMMDD-XXXX`, a per-unit per-day sequence. Whose identifier leads
is the dossier's rule set's (rulesets.CodePrefix): the receiving unit under Decree
61/2018, the competent (settling) authority under Decree 118/2025 Art. 28(a).

The format is the rule set's str.format template, or the one in settings
(MOTCUA_DOSSIER_CODE_FORMAT) when the province sets one, with
`unit` (OrgUnit.code), `date` (the local reception date) and `seq` (int). The counter
row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers with
IMMEDIATE transactions) so concurrent receptions never get the same number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from motcua.dossiers import rulesets
from motcua.dossiers.models import DossierCodeCounter
from motcua.org.models import OrgUnit

DEFAULT_FORMAT = rulesets.DEFAULT_CODE_FORMAT


def code_format(rules: rulesets.RuleSet | None = None) -> str:
    fallback = rules.code_format if rules is not None else DEFAULT_FORMAT
    return getattr(settings, "MOTCUA_DOSSIER_CODE_FORMAT", None) or fallback


def format_code(
    unit_code: str, day: dt.date, seq: int, rules: rulesets.RuleSet | None = None
) -> str:
    return code_format(rules).format(unit=unit_code, date=day, seq=seq)


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


def allocate_code(unit: OrgUnit, day: dt.date, rules: rulesets.RuleSet | None = None) -> str:
    return format_code(unit.code, day, next_sequence(unit, day), rules)


def code_unit(rules: rulesets.RuleSet, *, receiving: OrgUnit, competent: OrgUnit) -> OrgUnit:
    """The unit whose identifier leads the code (Decree 118/2025 Art. 28(a): the
    competent authority; Decree 61/2018 Art. 26: the receiving unit)."""
    return competent if rules.code_prefix == rulesets.CodePrefix.COMPETENT else receiving


def national_code(dossier: Any) -> str:
    """The code the national portal gave a dossier filed there (Decree 118/2025 Art.
    17(2), 28: one code per dossier, the one the applicant looks up on the portal), kept
    in `form_answers["_national"]` by the import (integrations/inbound.py); "" for any
    other dossier. Reception keeps it instead of allocating a new one."""
    answers = getattr(dossier, "form_answers", None)
    note = answers.get("_national") if isinstance(answers, dict) else None
    return str(note.get("code") or "") if isinstance(note, dict) else ""
