"""Ends of a dossier that Decree 118/2025 adds (rule sets from 1/7/2025, see
dossiers/rulesets.py): the applicant stops it (Art. 21) and the one-stop unit closes a
dossier whose supplement was not completed in time (Art. 19(5))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import TimeUnit
from motcua.dossiers import deadlines, rulesets
from motcua.dossiers.constants import Channel, DossierStatus, PauseKind
from motcua.dossiers.errors import ClosureNotDue, DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import _pipeline as p


def close_day_kind() -> rulesets.DayKind:
    """Decree 118/2025 Art. 19(5) says "15 ngày" without saying working or calendar days
    (law.md §15 Q1). Default: working days, the reading that gives
    the applicant the longer time (setting MOTCUA_SUPPLEMENT_CLOSE_DAY_KIND,
    "working_days" or "days")."""
    value = getattr(settings, "MOTCUA_SUPPLEMENT_CLOSE_DAY_KIND", rulesets.DayKind.WORKING)
    return rulesets.DayKind(value)


def supplement_close_at(d: Dossier, *, rules: rulesets.RuleSet | None = None) -> dt.datetime | None:
    """When `d`, waiting for its supplement, is closed if still incomplete (Decree
    118/2025 Art. 19(5)): N days after the notice on the receiving unit's calendar; None
    when its rule set has no such rule or it is not waiting for a supplement."""
    rules = rules or d.rules
    if rules.supplement_close_days is None or d.status != DossierStatus.SUPPLEMENT_REQUESTED:
        return None
    pause = d.pauses.filter(kind=PauseKind.SUPPLEMENT, ended_at__isnull=True).first()
    if pause is None:
        return None
    kind = close_day_kind()
    unit = TimeUnit.WORKING_DAYS if kind == rulesets.DayKind.WORKING else TimeUnit.DAYS
    span = deadlines.Span(Decimal(rules.supplement_close_days), unit)
    return deadlines.add(d.receiving_unit, pause.started_at, span)


def reception_due_at(d: Dossier, *, rules: rulesets.RuleSet | None = None) -> dt.datetime | None:
    """Decree 118/2025 Art. 17(2) (law.md R11a): an online dossier waiting for reception
    must be received, or sent back for correction in one round, within 8 working hours
    of its arrival in the system; None when the rule set has no such limit or the
    dossier is not an online one waiting for reception. The set is the one in force when
    the dossier arrived (it is not received yet, so nothing is stored)."""
    rules = rules or rulesets.ruleset_for(d.rule_set, d.received_at, d.submitted_at)
    hours = rules.online_reception_working_hours
    if (
        hours is None
        or d.channel != Channel.ONLINE
        or d.status != DossierStatus.SUBMITTED
        or d.submitted_at is None
    ):
        return None
    span = deadlines.Span(Decimal(hours), TimeUnit.WORKING_HOURS)
    return deadlines.add(d.receiving_unit, d.submitted_at, span)


@transaction.atomic
def dossier_stop_by_applicant(
    *,
    dossier: Dossier | int,
    actor: Any,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """The applicant stops the dossier (Decree 118/2025 Art. 21): online through their
    account, or at the counter for a paper dossier, at any time up to the decision. The
    clock stops; open pauses end; the stop notice (Circular 03/2025 Form 05) follows."""
    act = p._begin(dossier, actor, "stop_by_applicant", expected_version, now, reason)
    p._write(act, completed_at=act.now, status_reason=reason)
    act.dossier.pauses.filter(ended_at__isnull=True).update(ended_at=act.now)
    p._record(act, reason=reason, payload={"basis": act.rules.cite("stop")})
    return act.dossier


@transaction.atomic
def dossier_close_unsupplemented(
    *,
    dossier: Dossier | int,
    actor: Any = None,
    expected_version: int,
    now: dt.datetime | None = None,
) -> Dossier:
    """Close a dossier whose supplement was not completed in time (Decree 118/2025
    Art. 19(5)). `actor` None: the scheduler (the SYSTEM pseudo-role)."""
    act = p._begin(
        dossier, actor, "close_unsupplemented", expected_version, now, system=actor is None
    )
    d = act.dossier
    close_at = supplement_close_at(d, rules=act.rules)
    if close_at is None or act.now < close_at:
        raise ClosureNotDue(
            _("Chưa hết thời hạn bổ sung hồ sơ (%(basis)s).")
            % {"basis": act.rules.cite("supplement")}
        )
    reason = _("Quá thời hạn bổ sung hồ sơ theo thông báo (hạn %(moment)s; %(basis)s).") % {
        "moment": deadlines.format_moment(close_at),
        "basis": act.rules.cite("supplement"),
    }
    p._write(act, completed_at=act.now, status_reason=reason)
    d.pauses.filter(ended_at__isnull=True).update(ended_at=act.now)
    p._record(act, reason=reason, payload={"close_at": close_at})
    return d


def close_expired_supplements(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The scheduler's sweep: close every dossier whose supplement time ran out. Cheap
    pre-filter: the notice is at least N calendar days old (N working days are never
    shorter). Each dossier is its own transaction; one that changed meanwhile is left
    for the next run. Returns how many were closed."""
    now = now or timezone.now()
    days = [s.supplement_close_days for s in rulesets.REGISTRY.values()]
    shortest = min((n for n in days if n), default=0)
    if not shortest:
        return 0
    candidates = list(
        Dossier.objects.filter(
            status=DossierStatus.SUPPLEMENT_REQUESTED,
            pauses__kind=PauseKind.SUPPLEMENT,
            pauses__ended_at__isnull=True,
            pauses__started_at__lte=now - dt.timedelta(days=shortest),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()[:limit]
    )
    closed = 0
    for pk in candidates:
        d = Dossier.objects.select_related("receiving_unit").get(pk=pk)
        if not d.rules.allows("close_unsupplemented", d.status):
            continue
        close_at = supplement_close_at(d)
        if close_at is None or now < close_at:
            continue
        try:
            dossier_close_unsupplemented(dossier=d, expected_version=d.version, now=now)
        except DossierError:  # changed meanwhile: the next run looks again
            continue
        closed += 1
    return closed
