"""The data every security test reuses: the personas plus one object of each kind owned
by citizen A / handled by unit X, built with each app's own services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from motcua.core.testing.fixtures import (
    COPY_LEVY,
    COPY_PROCEDURE,
    make_published_version,
    receive_dossier,
    submit_online_dossier,
)
from motcua.core.testing.personas import Personas, build_personas

MISSING = 999_999  # a primary key that exists nowhere


@dataclass
class World:
    p: Personas
    version: Any
    dossier: Any  # citizen A's dossier, received at unit X
    payment_request: Any
    attempt: Any
    receipt: Any
    stored_file: Any
    feedback: Any
    notification: Any
    audit_pk: int
    api_token_full: str = ""
    api_token_none: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _version(p: Personas) -> Any:
    from motcua.catalog.models import FeeRule

    v = make_published_version(p.unit_x, **COPY_PROCEDURE)
    FeeRule.objects.create(version=v, name="Lệ phí", **COPY_LEVY)
    return v


def build_world() -> World:
    from motcua.api.scopes import SCOPES
    from motcua.api.services import api_client_create
    from motcua.core.models import AuditEntry
    from motcua.documents.services.files import stored_file_create
    from motcua.feedback.constants import FeedbackChannel, FeedbackKind, RatingLevel, RatingStage
    from motcua.feedback.services.feedback import feedback_submit
    from motcua.feedback.services.ratings import rating_submit
    from motcua.notifications.models import Notification
    from motcua.payments import services as pay
    from tests.documents.conftest import make_pdf

    p = build_personas()
    v = _version(p)
    d = submit_online_dossier(
        version=v,
        applicant=p.citizen_a,
        unit=p.unit_x,
        form_answers={"so_ban": 3},
        file_names=False,
    )
    d = receive_dossier(d, receptionist=p.receptionist_x)
    req = pay.payment_request_for_fees(dossier=d, actor=p.citizen_a)
    attempt = pay.attempt_start(
        request=req,
        provider_code="sandbox_gateway",
        actor=p.citizen_a,
        idempotency_key=uuid.uuid4().hex,
        return_url="http://testserver/thanh-toan/cong/ket-qua/",
        client_ip="127.0.0.1",
    )
    cash = pay.cash_record(request=req, actor=p.receptionist_x, amount=req.outstanding)
    receipt = cash.request.receipts.first()
    stored = stored_file_create(
        data=make_pdf("A"), original_name="giay-to.pdf", actor=p.citizen_a, owner=p.citizen_a
    )
    fb = feedback_submit(
        kind=FeedbackKind.DOSSIER,
        title="Phản ánh thử <b>đậm</b>",
        content="Nội dung <script>alert(1)</script>",
        channel=FeedbackChannel.PORTAL,
        submitter=p.citizen_a,
        dossier=d,
        throttle=False,
    )
    rating = rating_submit(
        dossier=d,
        stage=RatingStage.RECEPTION,
        level=RatingLevel.values[0],
        channel=FeedbackChannel.PORTAL,
        rater=p.citizen_a,
    )
    fb_obj = getattr(fb, "feedback", fb)
    from motcua.notifications.messages import EVENTS
    from motcua.notifications.services import notify

    note = Notification.objects.filter(recipient=p.citizen_a).first() or notify(
        recipient=p.citizen_a,
        event="dossier_received" if "dossier_received" in EVENTS else EVENTS[0],
        context={"code": d.code, "dossier": d},
        dossier=d,
        url=f"/ho-so/{d.pk}/",
    )
    audit = AuditEntry.objects.order_by("pk").first()
    from motcua.dossiers.services.drafts import draft_start
    from motcua.org.models import StaffAssignment

    draft = draft_start(applicant=p.citizen_a, procedure_version=v)
    assignment_x = StaffAssignment.objects.filter(user=p.receptionist_x).first()
    _, full = api_client_create(name="full", scopes=sorted(SCOPES))
    _, none = api_client_create(name="none", scopes=[])
    return World(
        p=p,
        version=v,
        dossier=d,
        payment_request=req,
        attempt=attempt,
        receipt=receipt,
        stored_file=stored,
        feedback=fb_obj,
        notification=note,
        audit_pk=audit.pk if audit else MISSING,
        extra={"rating": rating, "draft": draft.pk, "assignment_x": assignment_x.pk},
        api_token_full=full,
        api_token_none=none,
    )
