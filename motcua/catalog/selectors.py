"""Read-side queries for the catalogue (design.md: reads in selectors)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from motcua.catalog import fees as fee_math
from motcua.catalog import text
from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import (
    Competence,
    FeeRule,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
)
from motcua.org.models import OrgUnit

LIVE_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.RETIRED)


def _today() -> dt.date:
    return timezone.localdate()


def in_force_q(at: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": LIVE_STATUSES, f"{prefix}effective_from__lte": at}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": at})
    )


def version_in_force(procedure: Procedure, at: dt.date | None = None) -> ProcedureVersion | None:
    """The published version that applies on date `at` (today by default)."""
    at = at or _today()
    return (
        ProcedureVersion.objects.filter(in_force_q(at), procedure=procedure)
        .order_by("-effective_from", "-number")
        .first()
    )


def latest_published(procedure: Procedure) -> ProcedureVersion | None:
    return (
        ProcedureVersion.objects.filter(procedure=procedure, status__in=LIVE_STATUSES)
        .order_by("-effective_from", "-number")
        .first()
    )


def current_or_latest(procedure: Procedure, at: dt.date | None = None) -> ProcedureVersion | None:
    """What the catalogue shows: the version in force, else the newest published."""
    return version_in_force(procedure, at) or latest_published(procedure)


def draft_of(procedure: Procedure) -> ProcedureVersion | None:
    return procedure.versions.filter(status=VersionStatus.DRAFT).order_by("-number").first()


def version_summary(
    procedure_ids: list[int], at: dt.date | None = None
) -> tuple[dict[int, ProcedureVersion], dict[int, ProcedureVersion]]:
    """(version in force, open draft) per procedure, in two queries, for lists."""
    at = at or _today()
    light = ("form_schema", "form_layout", "result_template", "steps_description")
    current: dict[int, ProcedureVersion] = {}
    for v in (
        ProcedureVersion.objects.filter(in_force_q(at), procedure_id__in=procedure_ids)
        .defer(*light)
        .order_by("procedure_id", "effective_from", "number")
    ):
        current[v.procedure_id] = v  # the latest wins
    drafts = {
        v.procedure_id: v
        for v in ProcedureVersion.objects.filter(
            status=VersionStatus.DRAFT, procedure_id__in=procedure_ids
        )
        .defer(*light)
        .order_by("procedure_id", "number")
    }
    return current, drafts


def versions_of(procedure: Procedure) -> QuerySet[ProcedureVersion]:
    return procedure.versions.select_related("created_by").order_by("-number")


def version_full(pk: int) -> ProcedureVersion:
    return (
        ProcedureVersion.objects.select_related("procedure", "procedure__field")
        .prefetch_related(
            "cases",
            Prefetch("components", queryset=_components_qs()),
            Prefetch("fee_rules", queryset=FeeRule.objects.select_related("case")),
            "steps__unit",
            "steps__case",
        )
        .get(pk=pk)
    )


def _components_qs() -> QuerySet[Any]:
    from motcua.catalog.models import Component

    return Component.objects.select_related("case").order_by("order", "pk")


# --- competence -------------------------------------------------------------------


def competences_on(procedure: Procedure, at: dt.date | None = None) -> QuerySet[Competence]:
    at = at or _today()
    return (
        Competence.objects.filter(procedure=procedure, valid_from__lte=at)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=at))
        .select_related("unit")
        .order_by("unit__path")
    )


def competent_units(procedure: Procedure, at: dt.date | None = None) -> list[OrgUnit]:
    return [c.unit for c in competences_on(procedure, at) if c.is_competent]


def reception_points(procedure: Procedure, at: dt.date | None = None) -> list[OrgUnit]:
    return [c.unit for c in competences_on(procedure, at) if c.is_reception_point]


def procedures_at_unit(unit: OrgUnit, at: dt.date | None = None) -> QuerySet[Procedure]:
    at = at or _today()
    return Procedure.objects.filter(
        Q(competences__unit=unit, competences__valid_from__lte=at)
        & (Q(competences__valid_to__isnull=True) | Q(competences__valid_to__gte=at))
    ).distinct()


# --- search -----------------------------------------------------------------------


@dataclass
class SearchFilters:
    query: str = ""
    field: str = ""  # field code
    level: str = ""
    unit: str = ""  # unit code
    online_mode: str = ""


@dataclass
class SearchHit:
    procedure: Procedure
    version: ProcedureVersion
    fuzzy: bool = False


def _filtered(filters: SearchFilters, at: dt.date) -> QuerySet[Procedure]:
    qs = Procedure.objects.filter(is_active=True).select_related("field")
    if filters.field:
        qs = qs.filter(field__code=filters.field)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.unit:
        qs = qs.filter(
            Q(competences__unit__code=filters.unit, competences__valid_from__lte=at)
            & (Q(competences__valid_to__isnull=True) | Q(competences__valid_to__gte=at))
        ).distinct()
    return qs


def search_procedures(filters: SearchFilters, at: dt.date | None = None) -> list[SearchHit]:
    """Accent-insensitive search with prefix matching on every token, falling back to
    a typo-tolerant match computed in Python over the (small) candidate set; the same
    on SQLite and PostgreSQL."""
    at = at or _today()
    base = _filtered(filters, at)
    tokens = text.tokenize(filters.query)
    fuzzy = False
    if tokens:
        narrowed = base
        for token in tokens:
            narrowed = narrowed.filter(search_text__contains=token)
        phrase = " ".join(tokens)
        candidates = sorted(
            (p for p in narrowed if text.prefix_match(tokens, text.tokens_of(p.search_text))),
            # Names containing the query as a phrase first, then shorter names.
            key=lambda p: (phrase not in text.normalise(p.name), len(p.name), p.name),
        )
        if not candidates:
            procedures = {p.pk: p for p in base}
            ranked = text.fuzzy_rank(
                tokens, [(p.pk, text.tokens_of(p.search_text)) for p in procedures.values()]
            )
            ranked.sort(key=lambda row: (row[0], procedures[row[1]].name))  # type: ignore[index]
            candidates = [procedures[pk] for _score, pk in ranked]  # type: ignore[index]
            fuzzy = True
    else:
        candidates = list(base)
    versions = {
        v.procedure_id: v
        for v in ProcedureVersion.objects.filter(
            in_force_q(at), procedure__in=[p.pk for p in candidates]
        )
        # Lists need the summary only, not the e-form or result template.
        .defer("form_schema", "form_layout", "result_template", "steps_description")
        .order_by("procedure_id", "effective_from", "number")
    }
    hits = []
    for p in candidates:
        version = versions.get(p.pk)
        if version is None:
            continue
        if filters.online_mode and version.online_mode != filters.online_mode:
            continue
        version.procedure = p
        hits.append(SearchHit(procedure=p, version=version, fuzzy=fuzzy))
    return hits


def public_procedure(code: str, at: dt.date | None = None) -> tuple[Procedure, ProcedureVersion]:
    """A published procedure and its version in force; raises Procedure.DoesNotExist."""
    procedure = Procedure.objects.select_related("field").get(code=code, is_active=True)
    version = version_in_force(procedure, at)
    if version is None:
        raise Procedure.DoesNotExist(code)
    return procedure, version_full(version.pk)


# --- what a pinned version means for a dossier ------------------------------------


def case_for(version: ProcedureVersion, case_code: str | None = None) -> ProcedureCase | None:
    cases = list(version.cases.all())
    if case_code:
        for case in cases:
            if case.code == case_code:
                return case
    return next((c for c in cases if c.is_default), None)


def processing_time(version: ProcedureVersion, case_code: str | None = None) -> tuple[Decimal, str]:
    """(value, unit) of the legal processing time for a version (and case). A dossier
    pins the version id at reception, so later catalogue edits never change this."""
    case = case_for(version, case_code)
    if case is not None and case.processing_time_value is not None:
        return Decimal(case.processing_time_value), case.processing_time_unit or str(
            version.processing_time_unit
        )
    return Decimal(version.processing_time_value), str(version.processing_time_unit)


def fee_specs(version: ProcedureVersion) -> list[fee_math.FeeRuleSpec]:
    return [
        fee_math.FeeRuleSpec(
            code=r.code,
            name=r.name,
            amount=int(r.amount),
            kind=str(r.kind),
            basis=str(r.basis),
            quantity_field=r.quantity_field,
            copies_field=r.copies_field,
            tiers=tuple(
                fee_math.FeeTier(start=int(t["from"]), amount=int(t["amount"]))
                for t in (r.tiers or [])
            ),
            cap=r.cap,
            exemption=r.exemption or None,
            exemption_note=r.exemption_note,
            online_discount_percent=r.online_discount_percent,
            case_code=r.case.code if r.case is not None else None,
        )
        for r in version.fee_rules.select_related("case")
    ]


def fee_lines(
    version: ProcedureVersion,
    answers: dict[str, Any],
    channel: str,
    case_code: str | None = None,
) -> list[fee_math.FeeLine]:
    return fee_math.compute_fee_lines(fee_specs(version), answers, channel, case_code)


def components_required(
    version: ProcedureVersion, answers: dict[str, Any], case_code: str | None = None
) -> list[Any]:
    """Components to request for these answers: general + case ones, conditional ones
    only when their condition holds."""
    from motcua.catalog import conditions
    from motcua.catalog.constants import Requirement

    result = []
    for component in version.components.select_related("case").order_by("order", "pk"):
        if component.case_id and (not case_code or component.case.code != case_code):  # type: ignore[union-attr]
            continue
        if component.requirement == Requirement.CONDITIONAL and not conditions.evaluate(
            component.condition, answers
        ):
            continue
        result.append(component)
    return result


def fields_in_use() -> QuerySet[Any]:
    from motcua.catalog.models import Field

    return Field.objects.filter(procedure__is_active=True).distinct().order_by("name")


def units_with_competence(at: dt.date | None = None) -> QuerySet[OrgUnit]:
    at = at or _today()
    return (
        OrgUnit.objects.filter(
            Q(competences__valid_from__lte=at)
            & (Q(competences__valid_to__isnull=True) | Q(competences__valid_to__gte=at))
        )
        .distinct()
        .order_by("path")
    )
