"""Creation of dossiers: online by the applicant, at the counter on their behalf."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import OnlineMode, VersionStatus
from motcua.catalog.models import Competence, ProcedureCase, ProcedureVersion
from motcua.dossiers import rulesets
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import (
    APPLICANT,
    Channel,
)
from motcua.dossiers.errors import (
    InvalidDossierData,
    NotPermitted,
)
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
)
from motcua.dossiers.permissions import roles_in_units
from motcua.dossiers.services import _pipeline as p
from motcua.dossiers.services._pipeline import (
    ComponentInput,
    S,
    _Act,
)
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import valid_on

# --- creation -------------------------------------------------------------------------


def _check_version(version: ProcedureVersion, case: ProcedureCase | None) -> None:
    if version.status != VersionStatus.PUBLISHED:
        raise InvalidDossierData(_("Thủ tục này chưa được công bố hoặc đã hết hiệu lực."))
    if case is not None and case.version_id != version.pk:
        raise InvalidDossierData(_("Trường hợp không thuộc phiên bản thủ tục đã chọn."))


def default_case(version: ProcedureVersion) -> ProcedureCase | None:
    cases = list(version.cases.all())
    return next((c for c in cases if c.is_default), cases[0] if cases else None)


def competent_unit_for(
    version: ProcedureVersion, receiving_unit: OrgUnit, at: dt.date | None = None
) -> OrgUnit:
    """The competent authority: the receiving unit if competent for the procedure, else
    the first competent unit on record (Competence is effective-dated), else the
    receiving unit itself."""
    at = at or timezone.localdate()
    # One indexed query: the receiving unit's competence sorts first, else the lowest
    # unit code (a commune-level procedure is competent in 100+ units: none is loaded).
    first = (
        Competence.objects.filter(
            valid_on(at), procedure_id=version.procedure_id, is_competent=True
        )
        .annotate(
            not_receiving=Case(When(unit_id=receiving_unit.pk, then=0), default=1),
        )
        .select_related("unit")
        .order_by("not_receiving", "unit__code")
        .first()
    )
    if first is None or first.unit_id == receiving_unit.pk:
        return receiving_unit
    return first.unit


def _add_components(
    d: Dossier, components: Iterable[ComponentInput], supplemented: bool, actor: Any = None
) -> None:
    from motcua.dossiers.files import link_component_files

    DossierComponent.objects.bulk_create(
        [
            DossierComponent(
                dossier=d,
                component=c.component,
                name=c.name or (c.component.name if c.component else ""),
                files=c.files,
                quantity=c.quantity,
                digitized=c.digitized,
                reused=c.reused,
                from_warehouse=c.from_warehouse,
                supplemented=supplemented,
            )
            for c in components
        ]
    )
    # The files become readable by the officers handling the dossier (documents.access).
    rows = DossierComponent.objects.filter(dossier=d).select_related("component")
    link_component_files(d, list(rows), actor=actor)


def _create(
    *,
    action: str,
    actor: Any,
    role: str,
    applicant: Any,
    procedure_version: ProcedureVersion,
    case: ProcedureCase | None,
    receiving_unit: OrgUnit,
    competent_unit: OrgUnit | None,
    channel: str,
    form_answers: dict[str, Any] | None,
    components: Iterable[ComponentInput],
    representative_name: str,
    representative_id: str,
    on_behalf: bool,
    now: dt.datetime | None,
) -> Dossier:
    if not getattr(applicant, "is_citizen", False):
        raise InvalidDossierData(_("Người nộp phải là tài khoản công dân hoặc tổ chức."))
    _check_version(procedure_version, case)
    t = wf.check(action, wf.INITIAL, role)
    now = now or timezone.now()
    case = case or default_case(procedure_version)
    competent = competent_unit or competent_unit_for(procedure_version, receiving_unit)
    d = Dossier.objects.create(
        procedure_version=procedure_version,
        case=case,
        applicant=applicant,
        representative_name=representative_name,
        representative_id=representative_id,
        submitted_by=actor,
        submitted_on_behalf_by=actor if on_behalf else None,
        channel=channel,
        receiving_unit=receiving_unit,
        competent_unit=competent,
        form_answers=form_answers or {},
        status=t.next_state(wf.INITIAL),
        submitted_at=now if t.target == S.SUBMITTED else None,
    )
    _add_components(d, components, supplemented=False, actor=actor)
    from motcua.integrations.vneid import dossier_flag_write  # lazy: integrations is later

    dossier_flag_write(d, applicant)  # in the dossier's transaction (KPI 4.5)
    act = _Act(
        d,
        t,
        role,
        receiving_unit if on_behalf else None,
        actor,
        0,
        now,
        wf.INITIAL,
        rulesets.ruleset_at(now),
    )
    p._record(act, payload={"channel": channel, "on_behalf": on_behalf}, unit=receiving_unit)
    return d


@transaction.atomic
def dossier_submit_online(
    *,
    applicant: Any,
    procedure_version: ProcedureVersion,
    receiving_unit: OrgUnit,
    case: ProcedureCase | None = None,
    competent_unit: OrgUnit | None = None,
    form_answers: dict[str, Any] | None = None,
    components: Iterable[ComponentInput] = (),
    representative_name: str = "",
    representative_id: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """A citizen or business submits online (channel 2, Decree 61/2018 Art. 16(3))."""
    if procedure_version.online_mode == OnlineMode.NONE:
        raise InvalidDossierData(_("Thủ tục này chưa hỗ trợ nộp hồ sơ trực tuyến."))
    return _create(
        action="submit_online",
        actor=applicant,
        role=APPLICANT,
        applicant=applicant,
        procedure_version=procedure_version,
        case=case,
        receiving_unit=receiving_unit,
        competent_unit=competent_unit,
        channel=Channel.ONLINE,
        form_answers=form_answers,
        components=components,
        representative_name=representative_name,
        representative_id=representative_id,
        on_behalf=False,
        now=now,
    )


@transaction.atomic
def dossier_create_at_counter(
    *,
    actor: Any,
    applicant: Any,
    procedure_version: ProcedureVersion,
    receiving_unit: OrgUnit,
    case: ProcedureCase | None = None,
    competent_unit: OrgUnit | None = None,
    form_answers: dict[str, Any] | None = None,
    components: Iterable[ComponentInput] = (),
    representative_name: str = "",
    representative_id: str = "",
    channel: str = Channel.IN_PERSON,
    now: dt.datetime | None = None,
) -> Dossier:
    """A receptionist records a paper dossier (channel 1, or 3 for postal) through the
    citizen's own account (Directive 04): `applicant` stays the citizen."""
    held = roles_in_units(actor)
    if Role.RECEPTIONIST not in held.get(receiving_unit.pk, set()):
        raise NotPermitted(_("Bạn không phải cán bộ tiếp nhận của đơn vị này."))
    if channel not in (Channel.IN_PERSON, Channel.POSTAL):
        raise InvalidDossierData(_("Kênh nộp tại quầy phải là trực tiếp hoặc bưu chính."))
    return _create(
        action="create_at_counter",
        actor=actor,
        role=Role.RECEPTIONIST,
        applicant=applicant,
        procedure_version=procedure_version,
        case=case,
        receiving_unit=receiving_unit,
        competent_unit=competent_unit,
        channel=channel,
        form_answers=form_answers,
        components=components,
        representative_name=representative_name,
        representative_id=representative_id,
        on_behalf=True,
        now=now,
    )
