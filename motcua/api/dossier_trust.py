"""Issue 26 through the REST API: the same services as the pages (browser and API are
two doors to the same services).

- Consent at the counter (law.md R4a, dossiers.services.consent): the receptionist of
  the receiving unit sends the one-time code by SMS, confirms with the code the citizen
  reads out, or goes on without it with a reason; the applicant (their session) confirms
  a dossier submitted without their confirmation or reports "Tôi không nộp hồ sơ này".
- The plain-language timeline (law.md R16b, dossiers.timeline): stage, holder (a unit
  and a role, never a name), working time left or late, paused clock, what the applicant
  must do, next step, and the sentences read aloud.
- Supplement notice delivery (law.md R12c, dossiers.services.notice): its state, the
  receptionist's recorded phone call ("Đã gọi điện, người nộp đã nhận thông báo") and
  the list behind the worklist tab "Cần gọi điện cho người nộp".

Who: officers by their session (second factor passed); API clients act through their
acting account (`ApiClient.acting_user`) with scope `dossiers:write` for a change and
`dossiers:read` for a read, within their units (else 404, no probing); the applicant
by their session (citizens have no tokens). Refusals are RFC 7807 problems."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from motcua.api.idempotency import HEADER_DOC, idempotent_create
from motcua.api.models import ApiClient
from motcua.api.problems import ApiError
from motcua.api.readers import DossierList, Page, _row, need_scope, paginate
from motcua.core import request_context
from motcua.dossiers.api import _client_actor, api_read_note, dossier_load
from motcua.dossiers.api import _run as _run_action
from motcua.dossiers.errors import ConsentRefused

router = Router(tags=["dossiers"])
worklist = Router(tags=["dossiers"])


def _client(request: HttpRequest) -> ApiClient | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiClient) else None


def _officer_actor(request: HttpRequest, d: Any) -> tuple[Any, str]:
    """(the officer acting, the audit's `via`) for a change by an officer: the session's
    officer, or the client's acting account (scope `dossiers:write`, its units)."""
    client = _client(request)
    if client is not None:
        return _client_actor(client, d), f"API: {client.name}"
    user = request.user
    if not getattr(user, "is_officer", False):
        raise ApiError(403, _("Chỉ cán bộ tiếp nhận thực hiện thao tác này."), "officers_only")
    return user, ""


def _need_receptionist(actor: Any, d: Any) -> None:
    from motcua.dossiers.permissions import roles_in_units
    from motcua.org.constants import Role

    if Role.RECEPTIONIST not in roles_in_units(actor).get(d.receiving_unit_id, set()):
        raise ApiError(
            403,
            _("Chỉ cán bộ tiếp nhận của đơn vị đã nhận hồ sơ mới thực hiện được."),
            "not_permitted",
        )


def _load(request: HttpRequest, pk: int, *, scope: str = "dossiers:read") -> Any:
    client = _client(request)
    if client is not None:
        need_scope(client, scope)
    return dossier_load(request, pk)


def _run(call: Any) -> None:
    """A service call with its refusals as problems; a refused consent step (no phone,
    SMS down, wrong/expired code, too many codes) is 400 `consent_refused`."""
    try:
        _run_action(call)
    except ApiError as exc:
        cause = exc.__cause__
        if isinstance(cause, ConsentRefused):
            raise ApiError(400, str(cause), "consent_refused") from cause
        raise


def _acting(via: str) -> Any:
    return request_context.acting_via(via) if via else contextlib.nullcontext()


# --- consent at the counter (law.md R4a) ---------------------------------------------------


class ConsentOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dossier": 97,
                    "state": "pending",
                    "state_label": "Chờ người nộp xác nhận",
                    "without_consent": False,
                    "phone": "0905•••678",
                    "code_live": True,
                    "code_expires_at": "2026-01-07T09:10:00+07:00",
                    "attempts_left": 5,
                    "codes_left": 4,
                    "confirmed_at": None,
                    "waived_at": None,
                    "waive_reason": "",
                    "answer": "",
                    "answer_label": "Chưa trả lời",
                    "answered_at": None,
                    "feedback_code": None,
                }
            ]
        }
    )

    dossier: int
    state: Literal["pending", "confirmed", "absent"]
    state_label: str
    # Submitted without the applicant's confirmation (waived, or pending with no live
    # code): the applicant is asked on the portal.
    without_consent: bool
    phone: str  # masked: enough for the citizen to recognise their number
    code_live: bool
    code_expires_at: dt.datetime | None
    attempts_left: int
    codes_left: int
    confirmed_at: dt.datetime | None
    waived_at: dt.datetime | None
    waive_reason: str
    answer: Literal["", "confirmed", "disowned"]
    answer_label: str
    answered_at: dt.datetime | None
    feedback_code: str | None  # the complaint filed by "Tôi không nộp hồ sơ này"


def _consent_out(c: Any) -> ConsentOut:
    from motcua.dossiers.services.consent import MAX_ATTEMPTS, MAX_CODES
    from motcua.dossiers.views import mask_phone

    live = c.code_live()
    return ConsentOut(
        dossier=c.dossier_id,
        state=c.state,
        state_label=str(c.get_state_display()),
        without_consent=c.without_consent,
        phone=mask_phone(c.phone or ""),
        code_live=live,
        code_expires_at=c.code_expires_at if live else None,
        attempts_left=max(0, MAX_ATTEMPTS - c.attempts) if live else 0,
        codes_left=max(0, MAX_CODES - c.codes_sent),
        confirmed_at=c.confirmed_at,
        waived_at=c.waived_at,
        waive_reason=c.waive_reason,
        answer=c.answer,
        answer_label=str(c.get_answer_display()),
        answered_at=c.answered_at,
        feedback_code=c.feedback.code if c.feedback_id else None,
    )


def _consent(d: Any) -> Any:
    from motcua.dossiers.models import CounterConsent

    c = CounterConsent.objects.filter(dossier_id=d.pk).select_related("feedback").first()
    if c is None:
        raise ApiError(
            404, _("Hồ sơ này không được cán bộ nộp thay tại quầy."), "no_counter_consent"
        )
    return c


@router.get(
    "/{pk}/counter-consent",
    response=ConsentOut,
    summary="Xác nhận của người nộp với hồ sơ nộp thay tại quầy",
)
def consent_read(request: HttpRequest, pk: int) -> ConsentOut:
    """The consent record of a dossier a receptionist submitted on the citizen's account
    (law.md R4a): for the applicant, officers of its units and clients with
    `dossiers:read`. 404 `no_counter_consent` for a dossier not submitted so."""
    d = _load(request, pk)
    api_read_note(request, d)
    return _consent_out(_consent(d))


@router.post(
    "/{pk}/counter-consent/code",
    response={201: ConsentOut},
    summary="Gửi mã xác nhận một lần đến điện thoại của người nộp",
    openapi_extra=HEADER_DOC,
)
def consent_code(request: HttpRequest, pk: int) -> Any:
    """The receptionist of the receiving unit (or a client acting for one, scope
    `dossiers:write`) sends a new 6-digit code by SMS to the applicant's phone; earlier
    codes stop working; valid 10 minutes, 5 attempts, at most 5 codes per dossier
    (`consent_refused`). Needs `Idempotency-Key`: a retry answers the first answer and
    sends no second SMS. The code is never in an answer."""
    from motcua.dossiers.services.consent import counter_consent_request

    d = _load(request, pk, scope="dossiers:write")
    actor, via = _officer_actor(request, d)
    _need_receptionist(actor, d)
    _consent(d)

    def create() -> tuple[int, dict[str, Any]]:
        with _acting(via):
            _run(lambda: counter_consent_request(dossier=d, actor=actor))
        return 201, _consent_out(_consent(d)).model_dump(mode="json")

    return Status(*idempotent_create(request, {}, create))


class ConsentCodeIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "482913"}]})

    code: str = Field(min_length=1, max_length=20, description="Mã 6 chữ số người nộp đọc")


@router.post(
    "/{pk}/counter-consent/confirm",
    response=ConsentOut,
    summary="Xác nhận bằng mã người nộp đọc",
)
def consent_confirm(request: HttpRequest, pk: int, payload: ConsentCodeIn) -> ConsentOut:
    """The code the citizen reads out (constant-time check). Right: `state` becomes
    `confirmed` at the server's time. Wrong, expired or exhausted: 400
    `consent_refused` with the attempts left in `detail` (a wrong try is counted)."""
    from motcua.dossiers.services.consent import counter_consent_confirm

    d = _load(request, pk, scope="dossiers:write")
    actor, via = _officer_actor(request, d)
    _need_receptionist(actor, d)
    _consent(d)
    with _acting(via):
        _run(lambda: counter_consent_confirm(dossier=d, actor=actor, code=payload.code))
    return _consent_out(_consent(d))


class ConsentWaiveIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Người nộp không mang điện thoại."}]},
    )

    reason: str = Field(min_length=5, max_length=500)


@router.post(
    "/{pk}/counter-consent/waive",
    response=ConsentOut,
    summary="Tiếp tục không có xác nhận của người nộp (nêu lý do)",
)
def consent_waive(request: HttpRequest, pk: int, payload: ConsentWaiveIn) -> ConsentOut:
    """The receptionist goes on without the confirmation: the dossier is marked
    "nộp không có xác nhận của người nộp" and the applicant is asked at their next visit
    to the portal (or through this API's `answer`)."""
    from motcua.dossiers.services.consent import counter_consent_waive

    d = _load(request, pk, scope="dossiers:write")
    actor, via = _officer_actor(request, d)
    _need_receptionist(actor, d)
    _consent(d)
    with _acting(via):
        _run(lambda: counter_consent_waive(dossier=d, actor=actor, reason=payload.reason))
    return _consent_out(_consent(d))


class ConsentAnswerIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"answer": "confirmed"},
                {"answer": "disowned", "text": "Tôi không đến bộ phận một cửa ngày hôm đó."},
            ]
        },
    )

    answer: Literal["confirmed", "disowned"]
    text: str = Field("", max_length=2000, description="Lời kể của người nộp (khi disowned)")


@router.post(
    "/{pk}/counter-consent/answer",
    response={201: ConsentOut},
    summary="Người nộp trả lời: đã nộp, hoặc không nộp hồ sơ này",
    openapi_extra=HEADER_DOC,
)
def consent_answer(request: HttpRequest, pk: int, payload: ConsentAnswerIn) -> Any:
    """The applicant only (their session; an API client is never the applicant), once,
    for a dossier submitted without their confirmation: `confirmed`, or `disowned`,
    which files a behaviour complaint about the receptionist routed to inspection
    (`feedback_code`). Needs `Idempotency-Key` (a complaint is created)."""
    from motcua.dossiers.services.consent import counter_consent_answer

    if _client(request) is not None or not getattr(request.user, "is_citizen", False):
        raise ApiError(403, _("Chỉ người nộp hồ sơ trả lời về hồ sơ nộp thay."), "not_an_applicant")
    d = dossier_load(request, pk)
    _consent(d)

    def create() -> tuple[int, dict[str, Any]]:
        _run(
            lambda: counter_consent_answer(
                dossier=d, citizen=request.user, answer=payload.answer, text=payload.text
            )
        )
        return 201, _consent_out(_consent(d)).model_dump(mode="json")

    return Status(*idempotent_create(request, payload.model_dump(mode="json"), create))


# --- plain-language timeline (law.md R16b) -------------------------------------------------


class HolderOut(Schema):
    role: str  # receptionist / specialist / leader / clerk, or "applicant"
    role_label: str
    unit: str  # the unit's name; never an officer's name


class PlainTimelineOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "in_process",
                    "stage": "Hồ sơ đang được thẩm định",
                    "finished": False,
                    "holder": {
                        "role": "specialist",
                        "role_label": "Chuyên viên thẩm định",
                        "unit": "Công an tỉnh Quảng Nam",
                    },
                    "due_at": "2026-01-16T17:00:00+07:00",
                    "remaining_seconds": 100800,
                    "days_left": 3,
                    "hours_left": 4,
                    "late": False,
                    "paused": False,
                    "time_text": (
                        "Còn 3 ngày 4 giờ làm việc đến hạn trả kết quả "
                        "(17 giờ ngày 16 tháng 1 năm 2026)."
                    ),
                    "todo_kind": "none",
                    "todo": "Bạn không cần làm gì lúc này.",
                    "todo_by": None,
                    "next_step": "Chuyên viên thẩm định xong và trình lãnh đạo phê duyệt",
                    "notes": [],
                    "sentences": [
                        "Hồ sơ đang được thẩm định.",
                        "Người đang giữ hồ sơ: Chuyên viên thẩm định, Công an tỉnh Quảng Nam.",
                        "Còn 3 ngày 4 giờ làm việc đến hạn trả kết quả "
                        "(17 giờ ngày 16 tháng 1 năm 2026).",
                        "Việc bạn cần làm: Bạn không cần làm gì lúc này.",
                        "Bước tiếp theo: Chuyên viên thẩm định xong và trình lãnh đạo phê duyệt.",
                    ],
                    "speech": "Hồ sơ đang được thẩm định. Người đang giữ hồ sơ: …",
                }
            ]
        }
    )

    status: str
    stage: str
    finished: bool
    holder: HolderOut | None
    due_at: dt.datetime | None
    # Working time left on the receiving unit's calendar (negative: late); null when no
    # clock runs (before reception, paused, ended).
    remaining_seconds: int | None
    days_left: int | None
    hours_left: int | None
    late: bool
    paused: bool
    time_text: str
    todo_kind: Literal["supplement", "payment", "collect", "new", "none"]
    todo: str
    todo_by: dt.datetime | None
    next_step: str
    notes: list[str]
    sentences: list[str]  # what "Nghe đọc" reads aloud, one utterance each
    speech: str  # the same sentences as one text


@router.get(
    "/{pk}/plain-timeline",
    response=PlainTimelineOut,
    summary="Tiến độ hồ sơ bằng lời dễ hiểu (có câu đọc to)",
)
def plain_timeline(request: HttpRequest, pk: int) -> PlainTimelineOut:
    """The block at the top of the citizen's dossier page (law.md R16b), as data: where
    the dossier is, who holds it (a unit and a role, never an officer's name), the
    working time left to the appointment on the receiving unit's calendar or how late it
    is, the paused clock while a supplement (once the notice is delivered, R12c) or a
    payment is awaited, what the applicant must do (and by when), the next step, and
    the sentences the page reads aloud. Same readers as `GET /dossiers/{id}`."""
    from motcua.dossiers.timeline import dossier_plain_timeline

    d = _load(request, pk)
    api_read_note(request, d)
    t = dossier_plain_timeline(d)
    holder = (
        HolderOut(role=t.holder.role, role_label=t.holder.role_label, unit=t.holder.unit_name)
        if t.holder is not None
        else None
    )
    return PlainTimelineOut(
        status=t.status,
        stage=t.stage,
        finished=t.finished,
        holder=holder,
        due_at=t.due_at,
        remaining_seconds=t.remaining_seconds,
        days_left=t.days_left,
        hours_left=t.hours_left,
        late=t.late,
        paused=t.paused,
        time_text=t.time_text,
        todo_kind=t.todo_kind,  # type: ignore[arg-type]
        todo=t.todo,
        todo_by=t.todo_by,
        next_step=t.next_step,
        notes=list(t.notes),
        sentences=t.sentences,
        speech=t.speech,
    )


# --- supplement notice delivery (law.md R12c) ----------------------------------------------


class SupplementNoticeOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dossier": 97,
                    "written_at": "2026-01-08T09:00:00+07:00",
                    "delivered_at": "2026-01-09T10:12:00+07:00",
                    "evidence": "phone",
                    "evidence_label": "Cán bộ đã gọi điện cho người nộp",
                    "escalated_at": "2026-01-09T09:15:00+07:00",
                    "paused_from": "2026-01-09T10:12:00+07:00",
                }
            ]
        }
    )

    dossier: int
    written_at: dt.datetime
    # The first evidence the notice reached the applicant; the clock pauses from then.
    delivered_at: dt.datetime | None
    evidence: Literal["", "sms", "email", "portal", "phone", "reply"]
    evidence_label: str
    escalated_at: dt.datetime | None  # sent to the receptionists to phone the applicant
    paused_from: dt.datetime | None


def _notice_out(n: Any) -> SupplementNoticeOut:
    return SupplementNoticeOut(
        dossier=n.dossier_id,
        written_at=n.written_at,
        delivered_at=n.delivered_at,
        evidence=n.channel,
        evidence_label=str(n.get_channel_display()) if n.channel else "",
        escalated_at=n.escalated_at,
        paused_from=n.pause.started_at if n.pause_id else None,
    )


def _latest_notice(d: Any) -> Any:
    n = d.supplement_notices.select_related("pause").order_by("-written_at", "-pk").first()
    if n is None:
        raise ApiError(
            404, _("Hồ sơ chưa có thông báo yêu cầu bổ sung nào."), "no_supplement_notice"
        )
    return n


@router.get(
    "/{pk}/supplement-notice",
    response=SupplementNoticeOut,
    summary="Thông báo bổ sung gần nhất và việc người nộp đã nhận",
)
def supplement_notice(request: HttpRequest, pk: int) -> SupplementNoticeOut:
    """The latest supplement notice (Form 02): written, delivered (and the evidence),
    escalated to the receptionists, the pause it started. Same readers as
    `GET /dossiers/{id}`; 404 `no_supplement_notice` when none was written."""
    d = _load(request, pk)
    api_read_note(request, d)
    return _notice_out(_latest_notice(d))


class PhonedIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "Gọi 09:05, bà An đã nhận thông báo."}]},
    )

    note: str = Field("", max_length=150)


@router.post(
    "/{pk}/supplement-notice/phoned",
    response=SupplementNoticeOut,
    summary="Ghi nhận đã gọi điện, người nộp đã nhận thông báo bổ sung",
)
def supplement_phoned(request: HttpRequest, pk: int, payload: PhonedIn) -> SupplementNoticeOut:
    """The receptionist of the receiving unit (or a client acting for one, scope
    `dossiers:write`) phoned the applicant, who has now received the notice: the clock
    pauses from now, server time (law.md R12c; the dossier page's "Đã gọi điện, người
    nộp đã nhận thông báo"). 400 `dossier_error` when no notice awaits delivery."""
    from motcua.dossiers.services.notice import supplement_notice_phoned

    d = _load(request, pk, scope="dossiers:write")
    actor, via = _officer_actor(request, d)
    _need_receptionist(actor, d)
    with _acting(via):
        _run(lambda: supplement_notice_phoned(dossier=d, actor=actor, note=payload.note))
    return _notice_out(_latest_notice(d))


@worklist.get(
    "/to-phone",
    response=DossierList,
    summary="Hồ sơ cần gọi điện cho người nộp (thông báo bổ sung chưa đến)",
)
def to_phone(request: HttpRequest, page: Query[Page]) -> dict[str, Any]:
    """The receptionists' worklist tab "Cần gọi điện cho người nộp" (law.md R12c):
    dossiers awaiting a supplement whose notice was escalated with no evidence of
    delivery, in the units where the caller (or the client's acting account, scope
    `dossiers:read`, within the client's units) receives. Oldest due first."""
    from motcua.dossiers import selectors as sel

    client = _client(request)
    if client is not None:
        from motcua.api.services import client_units
        from motcua.dossiers.api import _client_acting_user

        need_scope(client, "dossiers:read")
        user = _client_acting_user(client)
        if user is None:
            raise ApiError(
                403,
                _("Ứng dụng chưa được gán tài khoản nghiệp vụ nên không có danh sách việc."),
                "no_acting_account",
            )
        qs = sel.worklist(user, "to_phone")
        bound = client_units(client)
        if bound is not None:
            qs = qs.filter(receiving_unit_id__in=list(bound.values_list("pk", flat=True)))
    elif getattr(request.user, "is_officer", False):
        qs = sel.worklist(request.user, "to_phone")
    else:
        raise ApiError(403, _("Chỉ cán bộ tiếp nhận có danh sách này."), "officers_only")
    count, rows = paginate(qs.order_by("due_at", "pk"), page)
    return {"count": count, "items": [_row(d) for d in rows]}
