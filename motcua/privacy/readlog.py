"""Who read my dossier (issue 26, law.md R32a): every officer view of a dossier, one of
its documents or a personal-data field is noted during the request and written after
the view in ONE bulk insert (`ReadLogMiddleware`), coalesced: at most one row per
officer, dossier, object and purpose per `COALESCE` (reloading a page or coming back to
it after an action adds nothing). The purpose comes from what the officer holds on the
dossier now: an active step assigned to them or to their role in the step's unit, an
action the workflow offers them, the assignment; anything else is a read outside an
active step, listed to supervisors.

Cost (benchmarks/bench_readlog.py): noting is in memory, the flush is one SELECT on
(dossier, at) and one INSERT, only on requests that noted a read."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.privacy.constants import ReadChannel, ReadKind

logger = logging.getLogger(__name__)

COALESCE = dt.timedelta(minutes=10)
# Workflow actions that are the work of a stage. Others are offered all along (transfer,
# withdrawal or stop on the applicant's behalf, apology, correction, closure) and give
# no purpose by themselves.
STEP_ACTIONS = frozenset(
    {
        "receive",
        "return_for_completion",
        "refuse_reception",
        "assign",
        "request_supplement",
        "request_payment",
        "start_consultation",
        "end_consultation",
        "submit_for_approval",
        "approve",
        "send_back",
        "issue_result",
        "return_result",
    }
)
_ATTR = "_motcua_reads"


@dataclass(frozen=True)
class Purpose:
    unit_id: int | None
    role: str
    text: str
    in_active_step: bool


@dataclass(frozen=True)
class Noted:
    dossier_id: int
    actor_id: int | None  # None: a system without an officer account (client_id)
    kind: str
    object_ref: str
    object_label: str
    purpose: Purpose
    at: dt.datetime
    channel: str = ReadChannel.WEB
    client_id: int | None = None  # the API client that read (law.md R32a)

    @property
    def key(self) -> tuple[int, str, str, bool, str]:
        return (
            self.dossier_id,
            self.kind,
            self.object_ref,
            self.purpose.in_active_step,
            self.channel,
        )


def purpose_of(
    user: Any, d: Any, held: dict[int, set[str]], offered: Iterable[Any] = ()
) -> Purpose:
    """Why `user` opens `d` now, from what they hold on it. `held` is unit id -> roles
    today (dossiers.permissions.roles_in_units), `offered` the workflow transitions the
    dossier page offers them (dossiers.selectors.available_actions)."""
    from motcua.dossiers.constants import DossierStatus, StepStatus
    from motcua.dossiers.permissions import relevant_unit
    from motcua.dossiers.workflow import TERMINAL
    from motcua.org.constants import Role

    for step in d.steps.all():  # prefetched by the dossier page
        if step.status != StepStatus.ACTIVE:
            continue
        mine = step.assignee_id == user.pk or (
            step.assignee_id is None and step.role in held.get(step.unit_id, set())
        )
        if mine:
            return Purpose(step.unit_id, step.role, step.name, True)
    for t in offered:
        if t.action not in STEP_ACTIONS:
            continue
        for role in sorted(t.roles):
            unit = relevant_unit(d, role) if role in Role.values else None
            if unit is not None and role in held.get(unit.pk, set()):
                return Purpose(unit.pk, role, str(t.label), True)
    reception = {DossierStatus.SUBMITTED, DossierStatus.RETURNED_FOR_COMPLETION}
    if d.status in reception and Role.RECEPTIONIST in held.get(d.receiving_unit_id, ()):
        return Purpose(d.receiving_unit_id, Role.RECEPTIONIST, _("Tiếp nhận hồ sơ"), True)
    if d.status == DossierStatus.IN_CONSULTATION:
        from motcua.dossiers.selectors import consulted_units

        for consulted in consulted_units(d):
            if held.get(consulted):
                role = sorted(held[consulted])[0]
                return Purpose(consulted, role, _("Cho ý kiến theo đề nghị lấy ý kiến"), True)
    if d.assignee_id == user.pk and d.status not in TERMINAL:
        return Purpose(d.competent_unit_id, Role.SPECIALIST, _("Xử lý hồ sơ được giao"), True)
    unit_id, role = _where(held, d)
    if role == Role.SUPERVISOR:
        return Purpose(unit_id, role, _("Giám sát, kiểm tra việc giải quyết hồ sơ"), False)
    return Purpose(unit_id, role, _("Không giữ bước xử lý nào của hồ sơ lúc xem"), False)


def _where(held: dict[int, set[str]], d: Any) -> tuple[int | None, str]:
    """The unit and role an officer without a step looked from: a role in the
    dossier's receiving or competent unit first, else any (supervisors above them)."""
    from motcua.org.constants import Role

    order = [Role.LEADER, Role.SPECIALIST, Role.RECEPTIONIST, Role.CLERK, Role.SUPERVISOR]
    for unit_id in (d.competent_unit_id, d.receiving_unit_id, *held):
        roles = held.get(unit_id, set())
        for role in order:
            if role in roles:
                return unit_id, str(role)
        if roles:
            return unit_id, sorted(roles)[0]
    return None, ""


def read_note(
    request: HttpRequest,
    d: Any,
    *,
    kind: str = ReadKind.DOSSIER,
    held: dict[int, set[str]] | None = None,
    offered: Iterable[Any] = (),
    object_ref: str = "",
    object_label: str = "",
    actor: Any = None,
    channel: str = ReadChannel.WEB,
    client_id: int | None = None,
) -> None:
    """Note that the officer of `request` (or `actor`: the officer account an API client
    acts for) opened `d` (or one of its documents/fields); written by ReadLogMiddleware
    after the view. Citizens and anonymous users are not logged (the applicant reading
    their own dossier is not an officer's read)."""
    user: Any = actor if actor is not None else getattr(request, "user", None)
    if user is None or not getattr(user, "is_officer", False):
        return
    if held is None:
        from motcua.dossiers.permissions import roles_in_units

        held = roles_in_units(user)
    _noted(request).append(
        Noted(
            dossier_id=d.pk,
            actor_id=user.pk,
            kind=kind,
            object_ref=object_ref[:64],
            object_label=object_label[:255],
            purpose=purpose_of(user, d, held, offered),
            at=timezone.now(),
            channel=channel,
            client_id=client_id,
        )
    )


def _noted(request: HttpRequest) -> list[Noted]:
    reads: list[Noted] = request.__dict__.setdefault(_ATTR, [])
    return reads


def api_read_note(
    request: HttpRequest,
    d: Any,
    *,
    kind: str = ReadKind.DOSSIER,
    object_ref: str = "",
    object_label: str = "",
) -> None:
    """A read through the REST API (law.md R32a): an officer's session, or an API
    client acting for an officer account (`ApiClient.acting_user`), which counts as that
    officer (the client is recorded too); the applicant sees the channel. A client
    without an officer account is a system's read: recorded with the client, no officer,
    outside any step (the applicant sees "Hệ thống <name> (API)", supervisors list it).
    The applicant and anonymous callers are not logged."""
    if request.method not in ("GET", "HEAD"):
        return
    from motcua.api.models import ApiClient

    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiClient):
        actor = auth.acting_user if auth.acting_user_id else None
        if actor is None or not actor.is_active or not getattr(actor, "is_officer", False):
            _system_read_note(request, auth, d, kind, object_ref, object_label)
            return
        client_id: int | None = auth.pk
    else:
        actor = getattr(request, "user", None)
        client_id = None
    read_note(
        request,
        d,
        kind=kind,
        object_ref=object_ref,
        object_label=object_label,
        actor=actor,
        channel=ReadChannel.API,
        client_id=client_id,
    )


def _system_read_note(
    request: HttpRequest, client: Any, d: Any, kind: str, object_ref: str, object_label: str
) -> None:
    """A system (API client without an officer account) read `d`: no officer, no step,
    no unit (the client's name says who read; no extra query on the API read)."""
    unit_id = None
    purpose = Purpose(
        unit_id, "", _("Hệ thống kết nối đọc qua API, không thay mặt cán bộ nào"), False
    )
    _noted(request).append(
        Noted(
            dossier_id=d.pk,
            actor_id=None,
            kind=kind,
            object_ref=object_ref[:64],
            object_label=object_label[:255],
            purpose=purpose,
            at=timezone.now(),
            channel=ReadChannel.API,
            client_id=client.pk,
        )
    )


def register_read_note(
    request: HttpRequest, unit: Any, dossier_ids: Iterable[int], label: str
) -> None:
    """The dossier register (Form 06) of `unit` lists each applicant's address and phone:
    one read per dossier listed. Keeping the register is the work of the unit's one-stop
    staff (in step); anyone else (a supervisor above) reads outside a step."""
    from motcua.dossiers.permissions import roles_in_units
    from motcua.org.constants import Role

    user: Any = getattr(request, "user", None)
    if user is None or not getattr(user, "is_officer", False):
        return
    held = roles_in_units(user)
    roles = held.get(unit.pk, set())
    keepers = [r for r in (Role.RECEPTIONIST, Role.CLERK, Role.LEADER) if r in roles]
    if keepers:
        purpose = Purpose(unit.pk, str(keepers[0]), _("Lập sổ theo dõi hồ sơ của đơn vị"), True)
    else:
        here = SimpleNamespace(competent_unit_id=unit.pk, receiving_unit_id=unit.pk)
        unit_id, role = _where(held, here)
        purpose = Purpose(unit_id, role, _("Xem sổ theo dõi hồ sơ của đơn vị khác"), False)
    now = timezone.now()
    reads = _noted(request)
    for pk in dossier_ids:
        reads.append(
            Noted(
                dossier_id=pk,
                actor_id=user.pk,
                kind=ReadKind.REGISTER,
                object_ref=f"{unit.pk}",
                object_label=label[:255],
                purpose=purpose,
                at=now,
            )
        )


def file_read_note(request: HttpRequest, stored: Any) -> None:
    """documents.access read observer: an officer opened a file of one or more dossiers
    they may see (a file reused across dossiers counts for each, up to 5)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_officer", False):
        return
    from motcua.dossiers.permissions import roles_in_units
    from motcua.dossiers.selectors import available_actions, can_officer_see, dossiers_holding

    held = roles_in_units(user)
    for d in dossiers_holding(stored).prefetch_related("steps")[:5]:
        if can_officer_see(user, d):
            read_note(
                request,
                d,
                kind=ReadKind.DOCUMENT,
                held=held,
                offered=available_actions(user, d),
                object_ref=str(stored.pk),
                object_label=stored.original_name,
            )


def reads_flush(reads: list[Noted]) -> int:
    """Write the noted reads in one bulk insert, leaving out those already recorded
    within COALESCE (same officer, dossier, object and in/out of step). Returns the
    number of rows written."""
    from motcua.privacy.models import DossierRead

    if not reads:
        return 0
    # One request, one caller: an officer, or a system without one (its client).
    actor_id, client_id = reads[0].actor_id, reads[0].client_id
    since = min(r.at for r in reads) - COALESCE
    who = {"actor_id": actor_id} if actor_id is not None else {"client_id": client_id}
    seen = set(
        DossierRead.objects.filter(
            dossier_id__in={r.dossier_id for r in reads}, at__gte=since, **who
        ).values_list("dossier_id", "kind", "object_ref", "in_active_step", "channel")
    )
    rows = []
    for r in reads:
        if r.key in seen:
            continue
        seen.add(r.key)
        rows.append(
            DossierRead(
                dossier_id=r.dossier_id,
                actor_id=r.actor_id,
                unit_id=r.purpose.unit_id,
                role=r.purpose.role,
                kind=r.kind,
                object_ref=r.object_ref,
                object_label=r.object_label,
                purpose=r.purpose.text[:255],
                in_active_step=r.purpose.in_active_step,
                channel=r.channel,
                client_id=r.client_id,
                at=r.at,
            )
        )
    DossierRead.objects.bulk_create(rows, batch_size=500)
    return len(rows)


class ReadLogMiddleware:
    """Writes the reads a view noted, once, after the view returned. A failed write is
    logged as an error and never turns a page the officer already saw into an error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        reads = request.__dict__.pop(_ATTR, None)
        if reads:
            try:
                reads_flush(reads)
            except Exception:
                logger.exception("read log: %d read(s) not recorded", len(reads))
        return response
