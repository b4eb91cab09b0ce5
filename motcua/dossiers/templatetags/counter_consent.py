"""{% counter_consent_notice %}: on the citizen's portal pages, the dossiers submitted at
the counter on their account without their confirmation (law.md R4a), each with "Tôi
xác nhận đã nộp" and "Tôi không nộp hồ sơ này"."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("dossiers/portal/_consent_notice.html", takes_context=True)
def counter_consent_notice(context: Any) -> dict[str, Any]:
    from motcua.dossiers.selectors import counter_consents_to_answer

    request = context.get("request")
    user = getattr(request, "user", None)
    items = (
        list(counter_consents_to_answer(user)[:10])
        if user is not None and getattr(user, "is_citizen", False)
        else []
    )
    return {
        "items": items,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
