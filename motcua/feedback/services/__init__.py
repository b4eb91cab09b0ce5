"""Writes of the feedback module. Each service is one transaction: permission → state
(workflow.py) → write → event → audit entry (design.md §2).

* `_base`     — rate limiting, routing (who handles, who is excluded), events + audit;
* `feedback`  — submission, transitions, the sender's side, deadline reminders;
* `ratings`   — satisfaction ratings per dossier and stage, kiosk invitations.
"""

from motcua.feedback.services._base import (
    DEFAULT_LIMITS,
    RateLimited,
    Route,
    client_key,
    officers_on_dossier,
    root_unit,
    route,
    throttle_hit,
)
from motcua.feedback.services.feedback import (
    Submitted,
    feedback_accept,
    feedback_approve,
    feedback_lookup,
    feedback_publish,
    feedback_rate,
    feedback_record_view,
    feedback_refuse,
    feedback_reopen,
    feedback_request_supplement,
    feedback_return_draft,
    feedback_send_reminders,
    feedback_submit,
    feedback_submit_answer,
    feedback_supplement,
    feedback_transfer,
    feedback_transfer_out,
    is_sender,
    verify_pin,
)
from motcua.feedback.services.ratings import (
    Rated,
    rating_invitation,
    rating_stage_open,
    rating_submit,
    ratings_due,
    read_invitation,
)

__all__ = [
    "DEFAULT_LIMITS",
    "RateLimited",
    "Rated",
    "Route",
    "Submitted",
    "client_key",
    "feedback_accept",
    "feedback_approve",
    "feedback_lookup",
    "feedback_publish",
    "feedback_rate",
    "feedback_record_view",
    "feedback_refuse",
    "feedback_reopen",
    "feedback_request_supplement",
    "feedback_return_draft",
    "feedback_send_reminders",
    "feedback_submit",
    "feedback_submit_answer",
    "feedback_supplement",
    "feedback_transfer",
    "feedback_transfer_out",
    "is_sender",
    "officers_on_dossier",
    "rating_invitation",
    "rating_stage_open",
    "rating_submit",
    "ratings_due",
    "read_invitation",
    "root_unit",
    "route",
    "throttle_hit",
    "verify_pin",
]
