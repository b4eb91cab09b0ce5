"""Reads: officer worklists scoped to the officer's units, the citizen's own dossiers,
dossier pages and the public tracking view. Worklist rows carry the remaining working
time and colour computed through `deadlines` with one calendar per unit per page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Competence, Procedure
from motcua.dossiers import deadlines
from motcua.dossiers import workflow as wf
from motcua.dossiers.constants import DossierStatus, StepStatus
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierStep
from motcua.dossiers.permissions import roles_in_units, roles_on
from motcua.org.constants import Role
from motcua.org.models import OrgUnit
from motcua.org.selectors import units_visible_to

S = DossierStatus
PAGE_SIZE = 25
PAUSED = frozenset({S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED})
# States in which the clock runs (a dossier there can be overdue).
RUNNING = (S.RECEIVED, S.IN_PROCESS, S.IN_CONSULTATION, S.AWAITING_APPROVAL, S.APPROVED)
OPEN = (*RUNNING, *PAUSED)


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    roles: frozenset[str]


TABS: tuple[Tab, ...] = (
    Tab("to_receive", _("Chờ tiếp nhận"), frozenset({Role.RECEPTIONIST})),
    Tab("to_assign", _("Chờ phân công"), frozenset({Role.LEADER})),
    Tab("mine", _("Tôi đang xử lý"), frozenset({Role.SPECIALIST})),
    Tab("to_approve", _("Chờ phê duyệt"), frozenset({Role.LEADER})),
    Tab("to_issue", _("Chờ ban hành"), frozenset({Role.CLERK})),
    Tab("to_return", _("Chờ trả kết quả"), frozenset({Role.RECEPTIONIST})),
    # R12c: supplement notices escalated with no evidence of delivery.
    Tab("to_phone", _("Cần gọi điện cho người nộp"), frozenset({Role.RECEPTIONIST})),
    Tab("overdue", _("Quá hạn"), frozenset(Role.values)),
    Tab("all", _("Tất cả"), frozenset(Role.values)),
)
TAB_KEYS = {t.key for t in TABS}
SORTS = {
    "due": ("due_at", "pk"),
    "-due": ("-due_at", "-pk"),
    "received": ("received_at", "pk"),
    "-received": ("-received_at", "-pk"),
    "code": ("code", "pk"),
    "-created": ("-created_at", "-pk"),
}


def _base() -> QuerySet[Dossier]:
    return Dossier.objects.select_related(
        "procedure_version__procedure",
        "applicant",
        "receiving_unit",
        "competent_unit",
        "assignee",
    )


def _units_with(held: dict[int, set[str]], role: str) -> list[int]:
    return [unit for unit, roles in held.items() if role in roles]


def tabs_for(user: Any, held: dict[int, set[str]] | None = None) -> list[Tab]:
    held = roles_in_units(user) if held is None else held
    roles = set().union(*held.values()) if held else set()
    return [t for t in TABS if t.roles & roles]


def worklist(
    user: Any,
    tab: str,
    *,
    now: dt.datetime | None = None,
    held: dict[int, set[str]] | None = None,
    visible: list[int] | None = None,
    unit_scope: Q | None = None,
) -> QuerySet[Dossier]:
    """Dossiers of one worklist tab, scoped to the officer's units (and to the officer
    for "mine"). `held`/`visible` let a page that builds several tabs look the officer's
    assignments up once."""
    held = roles_in_units(user) if held is None else held
    qs = _base()
    if tab == "to_receive":
        return qs.filter(
            status=S.SUBMITTED, receiving_unit_id__in=_units_with(held, Role.RECEPTIONIST)
        )
    if tab == "to_assign":
        return qs.filter(status=S.RECEIVED, competent_unit_id__in=_units_with(held, Role.LEADER))
    if tab == "mine":
        return qs.filter(
            assignee=user,
            status__in=(S.IN_PROCESS, S.IN_CONSULTATION, *PAUSED),
            competent_unit_id__in=_units_with(held, Role.SPECIALIST),
        )
    if tab == "to_approve":
        return qs.filter(
            status=S.AWAITING_APPROVAL, competent_unit_id__in=_units_with(held, Role.LEADER)
        )
    if tab == "to_issue":
        return qs.filter(status=S.APPROVED, competent_unit_id__in=_units_with(held, Role.CLERK))
    if tab == "to_return":
        return qs.filter(
            status=S.RESOLVED, receiving_unit_id__in=_units_with(held, Role.RECEPTIONIST)
        )
    if tab == "to_phone":
        return qs.filter(
            status=S.SUPPLEMENT_REQUESTED,
            receiving_unit_id__in=_units_with(held, Role.RECEPTIONIST),
            pk__in=_escalated_undelivered(),
        )
    # A literal id list, not a subquery: inside an OR, PostgreSQL would otherwise scan the
    # due_at index and filter every row (735 ms → 0.12 ms at 200 k dossiers, see
    # docs/operations/performance.md).
    if visible is None:
        visible = list(units_visible_to(user).values_list("pk", flat=True))
    # `unit_scope` replaces the OR by one of its sides (Scope.arms: capped counts).
    scoped = qs.filter(
        unit_scope
        if unit_scope is not None
        else Q(receiving_unit_id__in=visible) | Q(competent_unit_id__in=visible)
    )
    if tab == "overdue":
        from django.db.models import Exists, OuterRef

        from motcua.dossiers.models import SupplementNotice

        # R12c: a supplement notice not delivered yet leaves the clock running.
        undelivered = Exists(
            SupplementNotice.objects.filter(dossier=OuterRef("pk"), delivered_at__isnull=True)
        )
        late = scoped.filter(due_at__lt=now or timezone.now())
        return late.filter(Q(status__in=RUNNING) | Q(undelivered, status=S.SUPPLEMENT_REQUESTED))
    if tab == "all":
        return scoped
    return qs.none()


def _escalated_undelivered() -> QuerySet[Any]:
    """Dossiers whose supplement notice was escalated to the receptionists and has no
    evidence of delivery yet: they phone the applicant (law.md R12c)."""
    from motcua.dossiers.models import SupplementNotice

    return SupplementNotice.objects.filter(
        escalated_at__isnull=False, delivered_at__isnull=True
    ).values("dossier_id")


@dataclass(frozen=True)
class Scope:
    """What one worklist request needs about the officer, looked up once: roles per unit
    and the ids of the units whose dossiers they may see."""

    held: dict[int, set[str]]
    visible: list[int]

    @property
    def arms(self) -> tuple[Q, Q]:
        """The two sides of the unit scope of the "all" and "overdue" tabs (see
        CappedPaginator.count)."""
        return Q(competent_unit_id__in=self.visible), Q(receiving_unit_id__in=self.visible)


def scope_of(user: Any) -> Scope:
    return Scope(
        held=roles_in_units(user), visible=list(units_visible_to(user).values_list("pk", flat=True))
    )


# Tabs scoped by "received or decided by one of my units" (an OR of two unit columns).
SCOPED_TABS = frozenset({"overdue", "all"})


def worklist_procedures(user: Any, visible: list[int] | None = None) -> QuerySet[Procedure]:
    """Procedures for the worklist filter: those the officer's units receive or decide
    (from the catalogue's competence table, past ones included), not a scan of the
    dossiers (which grows with the history: millions of rows)."""
    if visible is None:
        visible = list(units_visible_to(user).values_list("pk", flat=True))
    return Procedure.objects.filter(
        pk__in=Competence.objects.filter(unit_id__in=visible).values("procedure_id")
    ).order_by("name")


@dataclass(frozen=True)
class Row:
    dossier: Dossier
    time: deadlines.TimeState

    @property
    def colour(self) -> str:
        return self.time.colour


def with_time(dossiers: Iterable[Dossier], now: dt.datetime | None = None) -> list[Row]:
    """Attach the derived time flag; one calendar lookup per unit, not per row."""
    now = now or timezone.now()
    dossiers = list(dossiers)
    units = [d.receiving_unit for d in dossiers if d.status in OPEN]
    calendars = deadlines.calendars_for(units) if units else {}
    return [
        Row(d, time_state_of(d, now=now, cal=calendars.get(d.receiving_unit_id))) for d in dossiers
    ]


def clock_paused(d: Dossier) -> bool:
    """Whether the dossier's clock is stopped now. A supplement notice stops it only
    once delivered to the applicant (law.md R12c): until then the clock runs."""
    if d.status == S.SUPPLEMENT_REQUESTED:
        return any(p.kind == "supplement" and p.ended_at is None for p in d.pauses.all())
    return d.status in PAUSED


def time_state_of(
    d: Dossier, *, now: dt.datetime | None = None, cal: Any = None
) -> deadlines.TimeState:
    if d.status not in OPEN:
        return deadlines.time_state(None, None)
    return deadlines.time_state(
        d.receiving_unit, d.due_at, paused=clock_paused(d), now=now, cal=cal
    )


@dataclass(frozen=True)
class Filters:
    status: str = ""
    procedure: str = ""
    overdue: bool = False
    q: str = ""
    sort: str = "due"


def apply_filters(
    qs: QuerySet[Dossier], f: Filters, now: dt.datetime | None = None
) -> QuerySet[Dossier]:
    if f.status in S.values:
        qs = qs.filter(status=f.status)
    if f.procedure.isdigit():
        qs = qs.filter(procedure_version__procedure_id=int(f.procedure))
    if f.overdue:
        qs = qs.filter(status__in=RUNNING, due_at__lt=now or timezone.now())
    if f.q.strip():
        term = f.q.strip()
        qs = qs.filter(
            Q(code__icontains=term)
            | Q(applicant__full_name__icontains=term)
            | Q(applicant__personal_id=term)
        )
    return qs.order_by(*SORTS.get(f.sort, SORTS["due"]))


# Worklists count at most this many rows for their page numbers: an exact COUNT(*) of a
# big unit's history (30 k rows at 1 M dossiers: 165 ms) is paid on every page view.
# Beyond it the pager says "40+" pages; filters narrow the list.
PAGINATION_COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    def __init__(
        self, object_list: Any, per_page: int, *, arms: Iterable[QuerySet[Any]] = ()
    ) -> None:
        super().__init__(object_list, per_page)
        self.arms = tuple(arms)

    @cached_property
    def count(self) -> int:
        rows: QuerySet[Any] = self.object_list.order_by()  # type: ignore[attr-defined]
        # With an OR of two unit columns PostgreSQL builds a BitmapOr of every matching
        # row before the LIMIT applies: a department's whole history (300 k rows at 10 M
        # dossiers, ~100 ms). `arms` are the same list with one side of the OR each (not
        # the OR plus a side: the planner would count that column's selectivity twice):
        # an index range that stops at the cap. If neither reaches it, the OR covers at
        # most twice the cap and is cheap.
        for arm in self.arms:
            capped = arm.order_by()[: PAGINATION_COUNT_CAP + 1].count()
            if capped > PAGINATION_COUNT_CAP:
                return PAGINATION_COUNT_CAP + 1
        return rows[: PAGINATION_COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > PAGINATION_COUNT_CAP


def paginate(
    qs: QuerySet[Dossier],
    page: Any,
    now: dt.datetime | None = None,
    *,
    arms: Iterable[QuerySet[Dossier]] = (),
) -> tuple[Page, list[Row]]:
    # Deferred join: sort and cut the page on the dossier table alone (ids only), then
    # load the 25 rows with their joins. Joining users, units and procedures before the
    # sort made the "all" tab sort every joined row of a big unit (1 M dossiers: ~1 s).
    paginator = CappedPaginator(
        qs.select_related(None).values_list("pk", flat=True), PAGE_SIZE, arms=arms
    )
    page_obj = paginator.get_page(page)
    ids = list(page_obj.object_list)
    loaded = {d.pk: d for d in qs.order_by().filter(pk__in=ids)}
    return page_obj, with_time([loaded[pk] for pk in ids if pk in loaded], now)


def worklist_page(
    user: Any, tab: str, filters: Filters, scope: Scope, page: Any
) -> tuple[Page, list[Row]]:
    """One page of a worklist tab with its capped count; the "all" and "overdue" tabs
    also count each side of their unit scope (CappedPaginator.count)."""

    def listed(unit_scope: Q | None = None) -> QuerySet[Dossier]:
        qs = worklist(user, tab, held=scope.held, visible=scope.visible, unit_scope=unit_scope)
        return apply_filters(qs, filters)

    arms = [listed(arm) for arm in scope.arms] if tab in SCOPED_TABS else []
    return paginate(listed(), page, arms=arms)


# Tab badges count up to this many rows, then show "999+": an exact count of a big
# supervisor scope would read every matching row on each page view.
TAB_COUNT_CAP = 999


def tab_counts(user: Any, tabs: Iterable[Tab], scope: Scope | None = None) -> dict[str, int | str]:
    counts: dict[str, int | str] = {}
    scope = scope or scope_of(user)
    held, visible = scope.held, scope.visible
    for t in tabs:
        if t.key == "all":
            continue
        tab = worklist(user, t.key, held=held, visible=visible)
        n = tab.order_by()[: TAB_COUNT_CAP + 1].count()
        counts[t.key] = f"{TAB_COUNT_CAP}+" if n > TAB_COUNT_CAP else n
    return counts


def home_work(user: Any) -> list[Any]:
    """The officer's worklist tabs with their counts for the back-office home page,
    under the role each tab serves (the overdue tab under each of the officer's roles)."""
    from django.urls import reverse

    from motcua.backoffice.views import WorkItem

    scope = scope_of(user)
    tabs = [t for t in tabs_for(user, scope.held) if t.key != "all"]
    counts = tab_counts(user, tabs, scope)
    mine = set().union(*scope.held.values()) if scope.held else set()
    url = reverse("dossiers:worklist")
    return [
        WorkItem(role=role, label=t.label, count=counts[t.key], url=f"{url}?tab={t.key}")
        for t in tabs
        for role in sorted(t.roles & mine)
    ]


# --- single dossier -------------------------------------------------------------------


def _detail_qs() -> QuerySet[Dossier]:
    return (
        _base()
        .select_related("case", "submitted_on_behalf_by")
        .prefetch_related(
            "components__component",
            Prefetch("steps", queryset=DossierStep.objects.select_related("unit", "assignee")),
            Prefetch(
                "events", queryset=DossierEvent.objects.select_related("actor", "unit", "step")
            ),
            "pauses",
        )
    )


def consulted_units(d: Dossier) -> list[int]:
    """Units whose opinion is being sought on `d` (Decree 61/2018 Art. 19(5)): those
    named when the consultation started, while it lasts."""
    if d.status != S.IN_CONSULTATION:
        return []
    started = (
        DossierEvent.objects.filter(dossier=d, action="start_consultation")
        .order_by("-at", "-pk")
        .values_list("payload", flat=True)
        .first()
    )
    units = (started or {}).get("consulted_units") or []
    return [int(pk) for pk in units if str(pk).isdigit()]


@dataclass(frozen=True)
class ConsultedBody:
    unit: Any
    answer_by: dt.datetime | None

    @property
    def late(self) -> bool:
        return self.answer_by is not None and timezone.now() > self.answer_by


def consultation_bodies(d: Dossier) -> list[ConsultedBody]:
    """The bodies consulted on `d` with their own answer deadline (law.md R16a), while
    the consultation lasts."""
    if d.status != S.IN_CONSULTATION:
        return []
    started = (
        DossierEvent.objects.filter(dossier=d, action="start_consultation")
        .order_by("-at", "-pk")
        .values_list("payload", flat=True)
        .first()
    ) or {}
    answer_by = started.get("answer_by") or {}
    units = OrgUnit.objects.in_bulk(consulted_units(d))
    return [
        ConsultedBody(
            unit,
            dt.datetime.fromisoformat(answer_by[str(pk)]) if str(pk) in answer_by else None,
        )
        for pk, unit in sorted(units.items())
    ]


def can_officer_see(user: Any, d: Dossier) -> bool:
    """Officers of the receiving and the competent unit (after a transfer, the new
    one), the assigned specialist, and the consulted bodies while consulted."""
    if not getattr(user, "is_officer", False):
        return False
    if d.assignee_id == user.pk:
        return True
    units = [d.receiving_unit_id, d.competent_unit_id, *consulted_units(d)]
    return units_visible_to(user).filter(pk__in=units).exists()


def dossiers_holding(stored: Any) -> QuerySet[Dossier]:
    """Dossiers a stored file belongs to, through its links (documents.FileLink) to a
    dossier component or a dossier code."""
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType.objects.get_for_model(DossierComponent).pk
    rows, codes = [], []
    for content_type, object_id, code in stored.links.values_list(
        "content_type_id", "object_id", "dossier_code"
    ):
        if content_type == kind and object_id.isdigit():
            rows.append(int(object_id))
        if code:
            codes.append(code)
    if not rows and not codes:
        return Dossier.objects.none()
    holding = DossierComponent.objects.filter(pk__in=rows).values("dossier_id")
    return Dossier.objects.filter(Q(pk__in=holding) | Q(code__in=codes))


def officer_file_policy(user: Any, stored: Any) -> bool:
    """documents.access policy: an officer who may see a dossier may open its files."""
    if not getattr(user, "is_officer", False):
        return False
    return any(can_officer_see(user, d) for d in dossiers_holding(stored)[:20])


def dossier_for_officer(user: Any, pk: int) -> Dossier:
    d = _detail_qs().filter(pk=pk).first()
    if d is None or not can_officer_see(user, d):
        raise Http404
    return d


def dossier_for_applicant(user: Any, pk: int) -> Dossier:
    """A citizen sees only their own dossiers (anything else is 404, not 403)."""
    d = _detail_qs().filter(pk=pk, applicant_id=getattr(user, "pk", None)).first()
    if d is None:
        raise Http404
    return d


def my_dossiers(user: Any) -> QuerySet[Dossier]:
    return _base().filter(applicant=user).order_by("-created_at", "-pk")


def available_actions(
    user: Any, d: Dossier, held: dict[int, set[str]] | None = None
) -> list[wf.Transition]:
    """Transitions the user may take now (the page shows only these). `held`: the
    officer's roles by unit when the caller has them already (roles_in_units)."""
    roles = roles_on(user, d, held)
    result = []
    rules = d.rules
    for t in wf.actions_for(d.status, roles, rules.disabled_in(d.status)):
        if t.action == "extend_with_apology" and d.extended_at is not None:
            continue
        # Decree 118/2025 Art. 11(2)(c), 19(5): one supplement request at most.
        limit = rules.supplement_max_requests
        if t.action == "request_supplement" and limit is not None and d.supplement_count >= limit:
            continue
        if (
            Role.SPECIALIST in t.roles
            and not (roles & (t.roles - {Role.SPECIALIST}))
            and d.assignee_id not in (None, user.pk)
        ):
            continue
        result.append(t)
    return result


def due_explanation(d: Dossier) -> Any:
    if d.received_at is None or d.due_at is None or d.extended_at is not None:
        return None
    pauses = [
        deadlines.Pause(p.started_at, p.ended_at) for p in d.pauses.all() if p.kind == "supplement"
    ]
    if any(p.end is None for p in pauses):
        return None
    return deadlines.explain(
        d.receiving_unit, d.received_at, deadlines.span_of(d.procedure_version, d.case), pauses
    )


def steps_with_time(
    d: Dossier, now: dt.datetime | None = None
) -> list[tuple[DossierStep, deadlines.TimeState]]:
    cal = deadlines.calendar_for(d.receiving_unit)
    result = []
    for step in d.steps.all():
        if step.status == StepStatus.ACTIVE:
            state = deadlines.time_state(
                d.receiving_unit, step.due_at, paused=clock_paused(d), now=now, cal=cal
            )
        elif step.status == StepStatus.DONE and step.due_at and step.completed_at:
            late = step.completed_at > step.due_at
            state = deadlines.TimeState(
                "overdue" if late else "within",
                None,
                "red" if late else "green",
                "Trễ hạn" if late else "Đúng hạn",
            )
        else:
            state = deadlines.time_state(None, None)
        result.append((step, state))
    return result


def specialists_of(unit_id: int) -> list[Any]:
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    rows = (
        StaffAssignment.objects.filter(
            valid_on(timezone.localdate()), unit_id=unit_id, role=Role.SPECIALIST
        )
        .select_related("user")
        .order_by("user__full_name")
    )
    return [row.user for row in rows]


def by_code(code: str) -> Dossier | None:
    return (
        Dossier.objects.select_related("procedure_version", "receiving_unit", "competent_unit")
        .filter(code=code)
        .first()
    )


def supplement_appointments(
    dossier: Dossier,
) -> list[tuple[Any, dt.datetime | None, dt.datetime | None]]:
    """(pause, appointment before, appointment after) of each supplement request, for
    the national sync's NgayHenTraTruoc / NgayHenTraMoi (law.md R12, R23)."""
    from motcua.dossiers.services._steps import supplement_appointments as compute

    return compute(dossier)


def transfer_targets(dossier: Any, at: dt.date | None = None) -> QuerySet[Any]:
    """Units a dossier may be transferred to: the others competent for its procedure on
    `at` (Decree 61/2018 Art. 18(3): to the competent authority), by code."""
    from motcua.org.models import OrgUnit
    from motcua.org.selectors import valid_on

    at = at or timezone.localdate()
    if dossier is None:
        return OrgUnit.objects.none()
    competent = Competence.objects.filter(
        valid_on(at),
        procedure_id=dossier.procedure_version.procedure_id,
        is_competent=True,
    ).values("unit_id")
    return (
        OrgUnit.objects.filter(pk__in=competent)
        .exclude(pk=dossier.competent_unit_id)
        .order_by("code")
    )


def unpublished_requests(user: Any) -> QuerySet[DossierEvent]:
    """Supplement requests naming papers outside the published list (law.md R12b), for
    inspection: supervisors see those of dossiers in their subtree, heads of unit those
    of the dossiers their unit decides; nobody else. Newest first."""
    from motcua.org.selectors import active_assignments

    where = Q()
    for a in active_assignments(user).select_related("unit"):
        if a.role == Role.SUPERVISOR:
            where |= Q(dossier__competent_unit__path__startswith=a.unit.path)
            where |= Q(dossier__receiving_unit__path__startswith=a.unit.path)
        elif a.role == Role.LEADER and a.is_head:
            where |= Q(dossier__competent_unit_id=a.unit_id)
    if not where:
        return DossierEvent.objects.none()
    return (
        DossierEvent.objects.filter(where, action="request_supplement")
        .filter(payload__has_key="unpublished")
        .select_related("dossier", "actor", "unit")
        .order_by("-at", "-pk")
    )


def counter_consents_to_answer(user: Any) -> Any:
    """The applicant's dossiers submitted at the counter on their account without their
    confirmation, not answered yet (law.md R4a): waived by the receptionist, or left
    pending with no live code."""
    from motcua.dossiers.models import ConsentAnswer, ConsentState, CounterConsent

    if not getattr(user, "pk", None):
        return CounterConsent.objects.none()
    return (
        CounterConsent.objects.filter(dossier__applicant_id=user.pk, answer=ConsentAnswer.NONE)
        .exclude(state=ConsentState.CONFIRMED)
        .exclude(state=ConsentState.PENDING, code_hash__gt="", code_expires_at__gt=timezone.now())
        .select_related("dossier__procedure_version", "dossier__receiving_unit")
        .order_by("-created_at")
    )
