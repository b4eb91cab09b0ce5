"""Reception outcomes (Decree 61/2018 Art. 17): Form 01, 02, 03 and resubmission."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers import deadlines, rulesets
from motcua.dossiers.codes import allocate_code, code_unit, national_code
from motcua.dossiers.constants import Channel
from motcua.dossiers.files import links_name_dossier
from motcua.dossiers.models import (
    Dossier,
)
from motcua.dossiers.services import _pipeline as p
from motcua.dossiers.services._pipeline import (
    ComponentInput,
)
from motcua.dossiers.services._steps import (
    _complete_step,
    _create_steps,
    _span,
)
from motcua.dossiers.services.creation import _add_components
from motcua.org.constants import Role

# --- reception ------------------------------------------------------------------------


@transaction.atomic
def dossier_receive(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    form01_requested: bool = True,
    now: dt.datetime | None = None,
) -> Dossier:
    """Form 01 (Decree 61/2018 Art. 17(1)(c), 17(3); Decree 118/2025 Art. 17(1)(c),
    17(3): the clock starts at official reception, also for online dossiers): store the
    rule set in force now (R1), allocate the dossier code, start the clock, compute the
    appointment from the pinned version/case and plan the steps.
    For a procedure whose result is returned right away, Form 01 is issued only when the
    applicant asks (`form01_requested`; Decree 61/2018 Art. 17(4), Decree 118/2025
    Art. 17(4); law.md R7): the event's payload says whether it was."""
    act = p._begin(dossier, actor, "receive", expected_version, now)
    d = act.dossier
    _online_reception_warnings(act)
    rules = rulesets.ruleset_at(act.now)
    due = deadlines.due_at(d.receiving_unit, act.now, _span(d))
    p._write(act, received_at=act.now, due_at=due, original_due_at=due, rule_set=rules.name)
    # A dossier filed on the national portal keeps the portal's code (law.md R22a).
    code = national_code(d)
    if not code:
        prefix = code_unit(rules, receiving=d.receiving_unit, competent=d.competent_unit)
        code = allocate_code(prefix, timezone.localtime(act.now).date(), rules)
    Dossier.objects.filter(pk=d.pk).update(code=code)
    d.code = code
    links_name_dossier(d)
    _create_steps(d, act.now)
    step = _complete_step(d, Role.RECEPTIONIST, actor, act.now)
    form01 = form01_requested or not d.procedure_version.immediate_result
    p._record(
        act,
        payload={"code": code, "due_at": due, "form01": form01, "rule_set": rules.name},
        step=step,
    )
    return d


@transaction.atomic
def dossier_return_for_completion_at_reception(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Form 02 at reception: one complete list of what is missing, with reasons
    (Decree 61/2018 Art. 15(3), 17(1)(a)). The dossier is not received. An online
    dossier under Decree 118/2025 is answered in one round within 8 working hours
    (Art. 17(2)(a), law.md R11a): a second request or a late one is recorded with a
    warning (the officer may still have to ask, e.g. for a wrong resubmission)."""
    act = p._begin(dossier, actor, "return_for_completion", expected_version, now, reason)
    _online_reception_warnings(act)
    if act.dossier.events.filter(action="return_for_completion").exists() and (
        act.rules.online_reception_working_hours and act.dossier.channel == Channel.ONLINE
    ):
        act.warnings.append(
            _("Hồ sơ trực tuyến chỉ được yêu cầu bổ sung, hoàn thiện một lần (%(basis)s).")
            % {"basis": act.rules.cite("online")}
        )
    p._write(act, status_reason=reason)
    p._record(act, reason=reason)
    return act.dossier


def _online_reception_warnings(act: p._Act) -> None:
    """Decree 118/2025 Art. 17(2): the officer answers an online dossier within 8
    working hours of its arrival; a later answer is recorded with a warning."""
    from motcua.dossiers.services.stops import reception_due_at

    due = reception_due_at(act.dossier, rules=act.rules)
    if due is not None and act.now > due:
        act.warnings.append(
            _("Quá 08 giờ làm việc kể từ khi hồ sơ trực tuyến đến hệ thống (%(basis)s).")
            % {"basis": act.rules.cite("online")}
        )


@transaction.atomic
def dossier_resubmit(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    form_answers: dict[str, Any] | None = None,
    components: Iterable[ComponentInput] = (),
    now: dt.datetime | None = None,
) -> Dossier:
    """The applicant sends the completed dossier again (same dossier, no code yet)."""
    act = p._begin(dossier, actor, "resubmit", expected_version, now)
    changes: dict[str, Any] = {"submitted_at": act.now, "status_reason": ""}
    if form_answers is not None:
        changes["form_answers"] = form_answers
    p._write(act, **changes)
    _add_components(act.dossier, components, supplemented=True, actor=act.actor)
    p._record(act)
    return act.dossier


@transaction.atomic
def dossier_refuse_reception(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Form 03 (Decree 61/2018 Art. 17(1)(b)): refused, with specific reasons."""
    act = p._begin(dossier, actor, "refuse_reception", expected_version, now, reason)
    p._write(act, status_reason=reason, completed_at=act.now)
    p._record(act, reason=reason)
    return act.dossier
