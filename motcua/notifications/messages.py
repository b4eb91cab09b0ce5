"""Message templates per event and language: notifications/messages/<lang>/<event>.txt,
three parts separated by a line "---": subject, body (e-mail and notification centre),
SMS text (empty: no SMS for this event). Plain text, no HTML escaping."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils import translation

DIR = Path(__file__).parent / "templates" / "notifications" / "messages"
LANGUAGES = ("vi", "en")
_engine = Engine(dirs=[str(DIR)], autoescape=False)

EVENTS = (
    "dossier_submitted",
    "dossier_received",
    "dossier_returned_for_completion",
    "dossier_refused_reception",
    "dossier_supplement_requested",
    "dossier_payment_requested",
    "dossier_resolved",
    "dossier_result_returned",
    "dossier_refused",
    "dossier_extended",
    "dossier_withdrawn",
    "dossier_stopped",
    "dossier_closed_unsupplemented",
    "dossier_correction_requested",
    "dossier_correction_declined",
    "result_correction_requested",
    "dossier_waiting_reception",
    "supplement_undelivered",
    "dossier_assigned",
    "step_due_soon",
    "consultation_late",
    "supplement_unpublished",
    "leader_digest",
    "colour_forecast",
    "attribution_dispute_filed",
    "weekly_snapshot_broken",
    "privacy_request_approved",
    "privacy_request_refused",
    "privacy_request_executed",
    "account_activation",
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


def ascii_fold(text: str) -> str:
    """Vietnamese without diacritics, for SMS (GSM 7-bit, 160 characters a part)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def render(event: str, language: str, context: dict[str, Any]) -> Rendered:
    lang = language if language in LANGUAGES else "vi"
    template = _engine.get_template(f"{lang}/{event}.txt")
    with translation.override(lang):
        text = template.render(Context(context))
    parts = [p.strip() for p in text.split("\n---\n")]
    subject, body, sms = [*parts, "", "", ""][:3]
    return Rendered(subject=" ".join(subject.split())[:255], body=body, sms=ascii_fold(sms)[:480])
