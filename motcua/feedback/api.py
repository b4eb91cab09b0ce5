"""REST endpoints for feedback (django-ninja Router). Mount in motcua/api/v1.py with:
    from motcua.feedback.api import router as feedback_router
    api.add_router("/feedback/", feedback_router)

Read-only for officers and built on `selectors.feedback_visible_to`, exactly like the
pages: an officer who is the subject of a behaviour complaint cannot list, open,
search or count it here either. Machine clients (API tokens) get nothing: feedback
holds personal data and accusations against named officers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from motcua.api.problems import ApiError
from motcua.feedback import selectors

router = Router(tags=["feedback"])


class FeedbackOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    status: str
    status_label: str
    channel: str
    handling_unit: str
    received_at: dt.datetime
    handle_due_at: dt.datetime
    deadline_status: str | None
    dossier_code: str | None


class FeedbackDetailOut(FeedbackOut):
    content: str
    answer: str
    public_answer: str
    published_at: dt.datetime | None


class FeedbackList(Schema):
    count: int
    items: list[FeedbackOut]


class CountOut(Schema):
    count: int


def _officer(request: HttpRequest) -> Any:
    user = request.user
    if not getattr(user, "is_officer", False):
        raise ApiError(403, _("Chỉ cán bộ được xem phản ánh qua API."), "officers_only")
    return user


def _out(fb: Any, *, detail: bool = False) -> dict[str, Any]:
    info = selectors.feedback_deadlines(fb)
    data: dict[str, Any] = {
        "id": fb.pk,
        "code": fb.code,
        "title": fb.title,
        "kind": fb.kind,
        "status": fb.status,
        "status_label": str(fb.get_status_display()),
        "channel": fb.channel,
        "handling_unit": fb.handling_unit.code,
        "received_at": fb.received_at,
        "handle_due_at": fb.handle_due_at,
        "deadline_status": info.status.status if info.status else None,
        "dossier_code": fb.dossier.code if fb.dossier_id else None,
    }
    if detail:
        data.update(
            content=fb.content,
            answer=fb.answer,
            public_answer=fb.public_answer,
            published_at=fb.published_at,
        )
    return data


@router.get("/", response=FeedbackList, summary="Danh sách phản ánh trong phạm vi")
def list_feedback(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    kind: str = "",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    user = _officer(request)
    qs = selectors.feedback_queue(user, q=q, status=status, kind=kind)
    limit = max(1, min(limit, 200))
    # Generated inputs reached the ORM with a negative or 64-bit-overflowing offset (500).
    offset = max(0, min(offset, 10**9))
    return {
        "count": qs.count(),
        "items": [_out(fb) for fb in qs[offset : offset + limit]],
    }


@router.get("/count", response=CountOut, summary="Số phản ánh trong phạm vi")
def count_feedback(
    request: HttpRequest, q: str = "", status: str = "", kind: str = ""
) -> dict[str, int]:
    return {"count": selectors.feedback_count(_officer(request), q=q, status=status, kind=kind)}


@router.get("/{int:pk}", response=FeedbackDetailOut, summary="Chi tiết một phản ánh")
def get_feedback(request: HttpRequest, pk: int) -> dict[str, Any]:
    fb = selectors.feedback_visible_to(_officer(request)).filter(pk=pk).first()
    if fb is None:
        raise Http404
    return _out(fb, detail=True)
