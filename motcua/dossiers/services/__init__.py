"""Dossier writes (design.md §2). Each service is one transaction that checks, in this
order: permission (applicant, or an officer holding the role in the dossier's relevant
unit) → state (workflow table) → record version (`expected_version`, optimistic
locking) → then writes with `UPDATE ... WHERE version = expected`, appends a
DossierEvent, records an audit entry and schedules `dossier_transitioned` on commit.
Any refusal raises a DossierError before anything is written.
"""

from __future__ import annotations

from typing import Any

from motcua.dossiers.errors import DossierError
from motcua.dossiers.permissions import RECEPTION_ROLES
from motcua.dossiers.services._pipeline import SUPPLEMENT_NOTICE_WORKING_DAYS, ComponentInput
from motcua.dossiers.services.counter import (
    CounterComponent,
    CounterUploadRejected,
    dossier_receive_at_counter,
)
from motcua.dossiers.services.creation import (
    competent_unit_for,
    default_case,
    dossier_create_at_counter,
    dossier_submit_online,
)
from motcua.dossiers.services.notice import (
    supplement_notice_delivered,
    supplement_notice_phoned,
    supplement_notices_escalate,
)
from motcua.dossiers.services.processing import (
    dossier_approve,
    dossier_assign,
    dossier_end_consultation,
    dossier_payment_fulfilled,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_send_back,
    dossier_start_consultation,
    dossier_submit_for_approval,
    dossier_supplement_provided,
    dossier_transfer,
)
from motcua.dossiers.services.reception import (
    dossier_receive,
    dossier_refuse_reception,
    dossier_resubmit,
    dossier_return_for_completion_at_reception,
)
from motcua.dossiers.services.results import (
    correction_due,
    dossier_correct_result,
    dossier_decline_correction,
    dossier_extend_with_apology,
    dossier_issue_result,
    dossier_refuse_after_appraisal,
    dossier_request_correction,
    dossier_return_result,
    dossier_withdraw,
)
from motcua.dossiers.services.stops import (
    close_expired_supplements,
    dossier_close_unsupplemented,
    dossier_stop_by_applicant,
    reception_due_at,
    supplement_close_at,
)

# The actions people take (pages and API). `payment_fulfilled` is not one of them: only
# the payments app triggers it, when it records the obligation as paid or waived.
SERVICES: dict[str, Any] = {
    "receive": dossier_receive,
    "return_for_completion": dossier_return_for_completion_at_reception,
    "resubmit": dossier_resubmit,
    "refuse_reception": dossier_refuse_reception,
    "assign": dossier_assign,
    "transfer": dossier_transfer,
    "request_supplement": dossier_request_supplement,
    "supplement_provided": dossier_supplement_provided,
    "request_payment": dossier_request_payment,
    "start_consultation": dossier_start_consultation,
    "end_consultation": dossier_end_consultation,
    "submit_for_approval": dossier_submit_for_approval,
    "approve": dossier_approve,
    "send_back": dossier_send_back,
    "issue_result": dossier_issue_result,
    "correct_result": dossier_correct_result,
    "request_correction": dossier_request_correction,
    "decline_correction": dossier_decline_correction,
    "return_result": dossier_return_result,
    "refuse_after_appraisal": dossier_refuse_after_appraisal,
    "withdraw": dossier_withdraw,
    "extend_with_apology": dossier_extend_with_apology,
    "stop_by_applicant": dossier_stop_by_applicant,
    "close_unsupplemented": dossier_close_unsupplemented,
}

__all__ = [
    "RECEPTION_ROLES",
    "SERVICES",
    "SUPPLEMENT_NOTICE_WORKING_DAYS",
    "ComponentInput",
    "CounterComponent",
    "CounterUploadRejected",
    "DossierError",
    "close_expired_supplements",
    "competent_unit_for",
    "correction_due",
    "default_case",
    "dossier_approve",
    "dossier_assign",
    "dossier_close_unsupplemented",
    "dossier_correct_result",
    "dossier_create_at_counter",
    "dossier_decline_correction",
    "dossier_end_consultation",
    "dossier_extend_with_apology",
    "dossier_issue_result",
    "dossier_payment_fulfilled",
    "dossier_receive",
    "dossier_receive_at_counter",
    "dossier_refuse_after_appraisal",
    "dossier_refuse_reception",
    "dossier_request_correction",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_resubmit",
    "dossier_return_for_completion_at_reception",
    "dossier_return_result",
    "dossier_send_back",
    "dossier_start_consultation",
    "dossier_stop_by_applicant",
    "dossier_submit_for_approval",
    "dossier_submit_online",
    "dossier_supplement_provided",
    "dossier_transfer",
    "dossier_withdraw",
    "reception_due_at",
    "supplement_close_at",
    "supplement_notice_delivered",
    "supplement_notice_phoned",
    "supplement_notices_escalate",
]
