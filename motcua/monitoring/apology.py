"""Pre-emptive apology (issue 27 point 2; law.md R14, Decree 118/2025 Art. 19(6) —
Decree 61/2018 Art. 19(9) before 1/7/2025).

A running dossier that the forecast predicts to pass its deadline (`forecast.predict`:
the officer's queue at their pace, their recent late share) and that has not been
extended yet gets a **draft Form 04** (apology and new appointment; under Decree 118 an
apology *and extension request*) for the head of the competent unit, while the law
still allows it: the request must come at least 1 working day before the deadline
(`WorkCalendar.extend`, R14), so the draft shows the last moment to sign. The draft is
derived, not stored: the head signs it with the existing action `extend_with_apology`
(`dossiers.services.dossier_extend_with_apology`), which keeps the Form 04 copy signed
with the head's own credential (PAdES, `forms_pdf.store_issued_form`) and notifies the
applicant (`dossier_extended`); the new appointment then stands (`_steps`). A late
dossier without an apology is its own figure (`late_without_apology`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.monitoring import forecast as fc
from motcua.org.models import OrgUnit
from motcua.workdays.calendar import CalendarError

HORIZON_DAYS = 366  # predictions reach the latest deadline, at most a year ahead
NO_PREDICTION_MARGIN = 5  # working days after the deadline when the queue gives no day


@dataclass(frozen=True)
class ApologyDraft:
    dossier: Any
    prediction: fc.Prediction
    sign_by: dt.datetime  # the last moment to sign: 1 working day before the deadline
    proposed_due_at: dt.datetime
    reason: str


def _paths(units: Iterable[OrgUnit]) -> list[str]:
    from motcua.monitoring.forecast_data import _minimal_paths

    return _minimal_paths(units)


def apology_drafts(units: Iterable[OrgUnit], now: dt.datetime | None = None) -> list[ApologyDraft]:
    """Draft Form 04 of every running dossier of `units` (their subtrees) predicted late
    and not extended, while it can still be signed in time. Queries: the dossiers (1),
    the pace (2), the calendar."""
    from motcua.dossiers import deadlines
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import RUNNING
    from motcua.monitoring.forecast_data import _under, recent_pace, working_days

    now = now or timezone.now()
    units = list(units)
    if not units:
        return []
    paths = _paths(units)
    tz = timezone.get_current_timezone()
    dossiers = list(
        Dossier.objects.filter(
            _under("competent_unit__path", paths),
            status__in=RUNNING,
            extended_at__isnull=True,
            due_at__isnull=False,
            due_at__gt=now,
        )
        .select_related("procedure_version__procedure", "competent_unit", "assignee")
        .order_by("due_at", "pk")
    )
    if not dossiers:
        return []
    cal = deadlines.calendar_for(min(units, key=lambda u: u.depth))
    pace = recent_pace(paths, now, cal)
    today = timezone.localdate(now)
    last = min(
        max(timezone.localtime(d.due_at).date() for d in dossiers),
        today + dt.timedelta(days=HORIZON_DAYS),
    )
    days = working_days(cal, today, last)
    open_dossiers = [
        fc.OpenDossier(
            pk=d.pk,
            code=d.code or str(d.pk),
            unit_id=d.competent_unit_id,
            assignee_id=d.assignee_id,
            due_at=d.due_at,
            flips_on=d.due_at.astimezone(tz).date() if d.due_at else None,
        )
        for d in dossiers
    ]
    predictions = fc.predict(open_dossiers, pace, days)
    out = []
    for d in dossiers:
        p, due = predictions[d.pk], d.due_at
        if not p.late or due is None:
            continue
        try:
            if cal.remaining_seconds(now, due) < cal.day_seconds:
                continue  # too late for an apology with a new appointment (R14)
            sign_by = cal.moment(cal.position(due) - cal.day_seconds)
            if p.done_on is not None:
                proposed = cal.close_of(cal.next_working_day(p.done_on))
            else:
                proposed = cal.add_working_days(due, NO_PREDICTION_MARGIN)
            proposed = max(proposed, cal.add_working_days(due, 1))
        except CalendarError:  # outside the calendar's years
            continue
        officer = d.assignee.full_name if d.assignee_id and d.assignee else _("chưa phân công")
        if p.done_on is not None:
            reason = _(
                "Theo tốc độ xử lý gần đây của cán bộ %(officer)s, hồ sơ dự kiến hoàn thành "
                "ngày %(done)s, sau hạn trả kết quả %(due)s."
            ) % {
                "officer": officer,
                "done": f"{p.done_on:%d/%m/%Y}",
                "due": f"{timezone.localtime(d.due_at):%d/%m/%Y}",
            }
        else:
            reason = _(
                "Theo tốc độ xử lý gần đây của cán bộ %(officer)s, hồ sơ không kịp hoàn thành "
                "trước hạn trả kết quả %(due)s."
            ) % {"officer": officer, "due": f"{timezone.localtime(d.due_at):%d/%m/%Y}"}
        out.append(ApologyDraft(d, p, sign_by, timezone.localtime(proposed), reason))
    return out


def late_without_apology(
    units: Iterable[OrgUnit], date_from: dt.date, date_to: dt.date
) -> dict[int, int]:
    """Per unit (its subtree): dossiers received in [date_from, date_to] counted late
    by 2.1 (Decision 766, the first appointment) with no apology letter (Form 04, never
    extended) — late "without a word" to the applicant (Directive 04, R14, R16). One
    grouped query over the dossiers' contributions."""
    from motcua.monitoring.models import DossierContribution

    units = list(units)
    if not units:
        return {}
    rows = (
        DossierContribution.objects.filter(
            _paths_q(units),
            day__gte=date_from,
            day__lte=date_to,
            on_time_766=False,
            dossier__extended_at__isnull=True,
        )
        .values_list("unit__path")
        .order_by()
        .annotate(n=Count("pk"))
    )
    totals = {u.pk: 0 for u in units}
    for path, n in rows:
        for u in units:
            if path.startswith(u.path):
                totals[u.pk] += n
    return totals


def _paths_q(units: list[OrgUnit]) -> Q:
    condition = Q(pk__in=[])
    for path in _paths(units):
        condition |= Q(unit__path__startswith=path)
    return condition


def headed_units(user: Any, today: dt.date | None = None) -> list[OrgUnit]:
    """The units `user` heads today (StaffAssignment.is_head)."""
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    today = today or timezone.localdate()
    return [
        a.unit
        for a in StaffAssignment.objects.filter(valid_on(today), user=user, is_head=True)
        .select_related("unit")
        .order_by("unit__path")
    ]
