"""Reception of a paper dossier at the counter in one step (Directive 04): the
receptionist's scans are stored through the documents app, then the dossier is created
on the citizen's behalf and received (Form 01) in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.catalog.models import Component, ProcedureVersion
from motcua.documents.inspection import UploadRejected
from motcua.dossiers.constants import Channel
from motcua.dossiers.errors import NotPermitted
from motcua.dossiers.files import store_upload
from motcua.dossiers.models import Dossier
from motcua.dossiers.permissions import roles_in_units
from motcua.dossiers.services._pipeline import ComponentInput
from motcua.dossiers.services.consent import counter_consent_open
from motcua.dossiers.services.creation import dossier_create_at_counter
from motcua.dossiers.services.reception import dossier_receive
from motcua.org.constants import Role
from motcua.org.models import OrgUnit


@dataclass(frozen=True)
class CounterComponent:
    """One component of the paper dossier: the file scanned or brought (None when
    nothing was attached) and whether it is a digitized copy of a paper original."""

    component: Component
    upload: Any = None
    digitized: bool = False


class CounterUploadRejected(UploadRejected):
    """The file of `component` was refused; nothing was created."""

    def __init__(self, component: Component, rejected: UploadRejected) -> None:
        super().__init__(rejected.message, rejected.code)
        self.component = component


def dossier_receive_at_counter(
    *,
    actor: Any,
    applicant: Any,
    procedure_version: ProcedureVersion,
    receiving_unit: OrgUnit,
    form_answers: dict[str, Any] | None = None,
    components: Iterable[CounterComponent] = (),
    representative_name: str = "",
    representative_id: str = "",
    channel: str = Channel.IN_PERSON,
    form01_requested: bool = True,
    now: dt.datetime | None = None,
) -> Dossier:
    """Store the files (owned by the citizen), then create the dossier at the counter
    and receive it. The files are checked and stored first, each on its own, so that no
    database transaction is held open while a digitized copy is being signed; a refused
    file raises CounterUploadRejected before the dossier exists. Creation and reception
    are one transaction (each audited and recorded as a dossier event); a DossierError
    from either leaves no dossier behind."""
    if Role.RECEPTIONIST not in roles_in_units(actor).get(receiving_unit.pk, set()):
        # Checked again on creation; here so that nothing is stored for a stranger.
        raise NotPermitted(_("Bạn không phải cán bộ tiếp nhận của đơn vị này."))
    inputs = []
    for item in components:
        try:
            files = (
                [
                    store_upload(
                        item.upload,
                        actor=actor,
                        owner=applicant,
                        unit=receiving_unit,
                        component=item.component,
                        digitized=item.digitized,
                    )
                ]
                if item.upload
                else []
            )
        except UploadRejected as exc:
            raise CounterUploadRejected(item.component, exc) from exc
        inputs.append(
            ComponentInput(
                component=item.component, files=files, digitized=item.digitized and bool(files)
            )
        )
    with transaction.atomic():
        dossier = dossier_create_at_counter(
            actor=actor,
            applicant=applicant,
            procedure_version=procedure_version,
            receiving_unit=receiving_unit,
            form_answers=form_answers,
            components=inputs,
            representative_name=representative_name,
            representative_id=representative_id,
            channel=channel,
            now=now,
        )
        received = dossier_receive(
            dossier=dossier,
            actor=actor,
            expected_version=dossier.version,
            form01_requested=form01_requested,
            now=now,
        )
        # Submitted on the citizen's account: their confirmation is asked next (law.md
        # R4a); it never blocks reception.
        counter_consent_open(dossier=received, actor=actor, now=now)
        return received
