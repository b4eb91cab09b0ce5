"""Satisfaction ratings per dossier and stage (Decree 61/2018 Art. 29–31)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.feedback.constants import (
    Criterion,
    FeedbackChannel,
    FeedbackKind,
    RatingChannel,
    RatingLevel,
    RatingStage,
)
from motcua.feedback.models import (
    Feedback,
    SatisfactionRating,
)
from motcua.feedback.services._base import _audit, _now, _require
from motcua.feedback.services.feedback import feedback_submit

# --- Satisfaction ratings (Decree 61/2018 Art. 29–31) -----------------------------

RESULT_STATUSES = {"resolved", "result_returned", "refused"}
RECEPTION_STATUSES = {"returned_for_completion", "rejected_at_reception"}
INVITATION_SALT = "motcua.feedback.rating-invitation"
INVITATION_MAX_AGE = 7 * 24 * 3600


def rating_stage_open(dossier: Any, stage: str) -> bool:
    """Reception: once Form 01, 02 or 03 has been handed out; result: once the result
    (or the refusal) exists."""
    if stage == RatingStage.RECEPTION:
        return dossier.received_at is not None or dossier.status in RECEPTION_STATUSES
    if stage == RatingStage.RESULT:
        return dossier.status in RESULT_STATUSES
    return False


def ratings_due(dossiers: list[Any]) -> list[dict[str, Any]]:
    """(dossier, stage, label) the citizen may still rate: the stage is open and no
    rating exists yet (the ratings of all the dossiers in one query)."""
    from motcua.feedback.selectors import rated_stages

    rated = rated_stages([d.pk for d in dossiers])
    return [
        {"dossier": dossier, "stage": stage, "label": label}
        for dossier in dossiers
        for stage, label in RatingStage.choices
        if rating_stage_open(dossier, stage) and (dossier.pk, stage) not in rated
    ]


def rating_invitation(dossier: Any, stage: str) -> str:
    """A signed token for the kiosk page / QR code / SMS link of one dossier and stage."""
    return signing.dumps({"d": dossier.pk, "s": stage}, salt=INVITATION_SALT, compress=True)


def read_invitation(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return int(data["d"]), str(data["s"])


def _rated_officer(dossier: Any, stage: str) -> Any:
    if stage == RatingStage.RESULT:
        return dossier.assignee
    if getattr(dossier, "submitted_on_behalf_by", None) is not None:
        return dossier.submitted_on_behalf_by
    events = getattr(dossier, "events", None)
    if events is not None:
        event = (
            events.filter(to_status="received", actor__isnull=False).select_related("actor").first()
        )
        if event is not None:
            return event.actor
    return None


@dataclass(frozen=True)
class Rated:
    rating: SatisfactionRating
    complaint: Feedback | None
    pin: str


@transaction.atomic
def rating_submit(
    *,
    dossier: Any,
    stage: str,
    level: str,
    channel: str,
    criteria: dict[str, str] | None = None,
    problem: str = "",
    rater: Any = None,
    make_complaint: bool = False,
    client_ip: str = "",
    now: dt.datetime | None = None,
) -> Rated:
    """One rating per dossier and stage. "Chưa hài lòng" asks what went wrong and, if
    the citizen wishes, becomes a feedback item about that dossier."""
    now = _now(now)
    if stage not in RatingStage.values or level not in RatingLevel.values:
        raise ValidationError(_("Mức đánh giá không hợp lệ."))
    if channel not in RatingChannel.values:
        raise ValidationError(_("Kênh đánh giá không hợp lệ."))
    if rater is not None and dossier.applicant_id != rater.pk:
        raise PermissionDenied(_("Chỉ người nộp hồ sơ được đánh giá hồ sơ này."))
    if not rating_stage_open(dossier, stage):
        raise ValidationError(_("Hồ sơ chưa đến thời điểm đánh giá này."))
    criteria = {
        k: v
        for k, v in (criteria or {}).items()
        if k in Criterion.values and v in RatingLevel.values
    }
    if level == RatingLevel.UNSATISFIED:
        problem = _require(problem, _("Vui lòng cho biết điều bạn chưa hài lòng."))
    if SatisfactionRating.objects.filter(dossier=dossier, stage=stage).exists():
        raise ValidationError(_("Hồ sơ này đã được đánh giá ở bước này."))
    unit = dossier.receiving_unit if stage == RatingStage.RECEPTION else dossier.competent_unit
    officer = _rated_officer(dossier, stage)
    try:
        with transaction.atomic():
            rating = SatisfactionRating.objects.create(
                dossier=dossier,
                stage=stage,
                level=level,
                criteria=criteria,
                problem=problem.strip(),
                channel=channel,
                rater=rater,
                unit=unit,
                officer=officer,
                rated_at=now,
            )
    except IntegrityError as exc:  # a concurrent rating of the same stage won
        raise ValidationError(_("Hồ sơ này đã được đánh giá ở bước này.")) from exc
    complaint, pin = None, ""
    if level == RatingLevel.UNSATISFIED and make_complaint:
        attitude_bad = criteria.get(Criterion.ATTITUDE) == RatingLevel.UNSATISFIED
        submitted = feedback_submit(
            kind=FeedbackKind.BEHAVIOUR if attitude_bad else FeedbackKind.DOSSIER,
            title=_("Chưa hài lòng về hồ sơ %(code)s") % {"code": dossier.code or dossier.pk},
            content=problem,
            channel=FeedbackChannel.PORTAL if rater is not None else FeedbackChannel.KIOSK,
            submitter=rater,
            dossier=dossier,
            client_ip=client_ip,
            # A kiosk link is signed by an officer and rates one dossier stage once, so
            # the counter tablet's shared address is not rate-limited here.
            throttle=False,
            now=now,
        )
        complaint, pin = submitted.feedback, submitted.pin
        rating.complaint = complaint
        rating.save(update_fields=["complaint"])
    # The audit entry carries the level, not the rater's identity in clear text beyond
    # the standard actor field (visible to auditors only).
    _audit(
        action="feedback.rating_submit",
        actor=rater,
        obj=rating,
        after={"stage": stage, "level": level, "channel": channel},
        unit_code=unit.code,
        object_repr=f"{dossier.code or dossier.pk} / {stage}",
    )
    return Rated(rating, complaint, pin)
