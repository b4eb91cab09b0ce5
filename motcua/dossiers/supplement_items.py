"""The legal document-list guard of a supplement request (issue 26 point 2, law.md R12b):
each requested item either cites a component of the procedure version the dossier was
received under (R2) — shown to the applicant with its legal basis — or is typed as free
text, which is a possible request for papers the law does not require ([118] Art.
5(1)(đ)) and is reported to the head of the competent unit and to inspection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from motcua.dossiers.errors import InvalidDossierData

MAX_ITEMS = 30


@dataclass(frozen=True)
class SupplementItem:
    """One requested item: `component_id` of the dossier's procedure version, or None
    with `name` typed by the officer (free text, not in the published list)."""

    reason: str
    component_id: int | None = None
    name: str = ""


def component_basis(version: Any) -> str:
    """Why a component is required: the published procedure and its legal bases."""
    procedure = version.procedure
    text = _("Thành phần hồ sơ của thủ tục %(code)s đã công bố") % {"code": procedure.code}
    if version.announcement_decision:
        text += _(" (%(decision)s)") % {"decision": version.announcement_decision}
    numbers = [str(b.get("number", "")).strip() for b in version.legal_basis or []]
    numbers = [n for n in numbers if n]
    if numbers:
        text += _("; căn cứ: %(laws)s") % {"laws": ", ".join(numbers[:4])}
    return text


def items_resolve(d: Any, items: Sequence[SupplementItem]) -> list[dict[str, Any]]:
    """The items as stored on the request event (and shown to the applicant): each
    with its name, reason, legal basis and whether it is in the published list.
    InvalidDossierData for an empty list, a missing reason or a component of another
    procedure version."""
    if not items:
        raise InvalidDossierData(_("Chọn ít nhất một giấy tờ cần bổ sung."))
    if len(items) > MAX_ITEMS:
        raise InvalidDossierData(_("Quá nhiều mục yêu cầu bổ sung."))
    version = d.procedure_version
    published = {c.pk: c for c in version.components.all()}
    basis = component_basis(version)
    resolved: list[dict[str, Any]] = []
    for item in items:
        reason = (item.reason or "").strip()[:1000]
        if item.component_id is not None:
            component = published.get(item.component_id)
            if component is None:
                raise InvalidDossierData(
                    _(
                        "Giấy tờ đã chọn không thuộc thủ tục mà hồ sơ được tiếp nhận; nếu vẫn "
                        "cần, hãy nhập vào mục khác (sẽ được báo cáo)."
                    )
                )
            name = component.name
        else:
            name = (item.name or "").strip()[:500]
            if not name:
                raise InvalidDossierData(_("Nhập tên giấy tờ cần bổ sung."))
        if not reason:
            raise InvalidDossierData(
                _("Nêu lý do cần bổ sung cho từng giấy tờ (%(name)s).") % {"name": name}
            )
        resolved.append(
            {
                "component": published[item.component_id].code if item.component_id else "",
                "name": name,
                "reason": reason,
                "basis": basis if item.component_id is not None else "",
                "published": item.component_id is not None,
            }
        )
    return resolved


def items_text(items: Sequence[dict[str, Any]]) -> str:
    """The request as one text (the event's reason, Form 02's list)."""
    lines = []
    for n, item in enumerate(items, start=1):
        line = f"{n}. {item['name']}: {item['reason']}"
        if not item["published"]:
            line += " " + _("(ngoài thành phần hồ sơ đã công bố)")
        lines.append(line)
    return "\n".join(lines)


def unpublished_items_report(*, event_id: int) -> int:
    """After the request is committed: tell the heads of the competent unit (in-app and
    by their channels) that a supplement request names papers outside the published
    list; inspection reads the same requests on its list (selectors.unpublished_requests).
    Once per event and head. Returns the number of notifications created."""
    from django.urls import reverse

    from motcua.dossiers.models import DossierEvent
    from motcua.notifications.services import notify
    from motcua.org.constants import Role
    from motcua.org.models import StaffAssignment
    from motcua.org.selectors import valid_on

    event = DossierEvent.objects.select_related("dossier", "actor").get(pk=event_id)
    d = event.dossier
    heads = StaffAssignment.objects.filter(
        valid_on(event.at.date()), is_head=True, role=Role.LEADER, unit_id=d.competent_unit_id
    ).select_related("user")
    sent = 0
    for head in heads:
        if head.user_id == event.actor_id:
            continue  # the head made the request: inspection still sees it
        n = notify(
            recipient=head.user,
            event="supplement_unpublished",
            context={
                "code": d.code or d.pk,
                "items": "; ".join(event.payload.get("unpublished", [])),
                "officer": event.actor.full_name if event.actor else "",
            },
            dossier=d,
            url=reverse("dossiers:detail", args=[d.pk]),
            dedup_key=f"supplement-unpublished:{event.pk}:{head.user_id}",
        )
        sent += n is not None
    return sent
