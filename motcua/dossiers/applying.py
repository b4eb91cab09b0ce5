"""Pure rules of the online application (no ORM): the wizard's steps, which components
must be asked for, and the second factor of public tracking.

Rule "do not ask again" (law.md §3.3; Decree 45/2020; Resolution 66.7/2025/NQ-CP):
a component whose information the state already holds in a national database is not
requested, and a document already in the applicant's e-data warehouse is reused
instead of being uploaded again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STEP_CASE = "case"
STEP_FORM = "form"
STEP_COMPONENTS = "components"
STEP_REVIEW = "review"
STEP_DECLARATION = "declaration"
STEPS = (STEP_CASE, STEP_FORM, STEP_COMPONENTS, STEP_REVIEW, STEP_DECLARATION)

# How a component is satisfied.
NATIONAL = "national"  # the agency reads it from a national database: not requested
WAREHOUSE = "warehouse"  # reused from the applicant's e-data warehouse
UPLOADED = "uploaded"
MISSING = "missing"
OPTIONAL = "optional"  # not required and not given
# The declaration the applicant filled in online as the e-form: not uploaded again
# (Decree 45/2020 Art. 9(2): the e-form's data is the declaration of the dossier).
EFORM = "eform"


@dataclass(frozen=True)
class ComponentPlan:
    component: Any
    mode: str
    attachment: Mapping[str, Any] | None = None
    suggested_item: Any = None  # a warehouse item that matches this component

    @property
    def code(self) -> str:
        return str(self.component.code)

    @property
    def requested(self) -> bool:
        return self.mode not in (NATIONAL, EFORM)


def steps_for(case_count: int) -> tuple[str, ...]:
    """The case choice only appears when the procedure has more than one case."""
    return STEPS if case_count > 1 else STEPS[1:]


DECLINED = "_declined"  # key in a draft's attachments: codes whose reuse was declined


def warehouse_attachment(item: Any) -> dict[str, Any]:
    return {
        "file": str(item.file_id),
        "name": str(item.title),
        "size": getattr(item.file, "size", 0),
        "pages": getattr(item.file, "page_count", None),
        "content_type": getattr(item.file, "mime_type", ""),
        "parts": 1,
        "warehouse_item": item.pk,
    }


def _words(text: Any) -> str:
    return " ".join(str(text or "").casefold().split())


def eform_component_code(
    components: Iterable[Any], schema: Mapping[str, Any] | None, layout: Mapping[str, Any] | None
) -> str | None:
    """The component the procedure's e-form stands for: the code named by the layout's
    "component" key, else the component named like the e-form's title (e.g. "Tờ khai
    đăng ký khai sinh"). None when the procedure has no e-form."""
    if not (schema or {}).get("properties"):
        return None
    components = list(components)
    explicit = (layout or {}).get("component")
    if explicit:
        return explicit if any(c.code == explicit for c in components) else None
    title = _words((schema or {}).get("title"))
    match = next((c for c in components if title and _words(c.name) == title), None)
    return str(match.code) if match is not None else None


def plan_components(
    components: Iterable[Any],
    attachments: Mapping[str, Any],
    warehouse_items: Sequence[Any] = (),
    optional_requirements: Iterable[str] = ("optional",),
    eform_code: str | None = None,
) -> list[ComponentPlan]:
    """One plan per component. `components` are catalog components (code,
    national_database, requirement); `warehouse_items` have `doc_type`. A warehouse
    item whose type is the component's code is used automatically (not requested)
    unless the applicant declined it. The component `eform_code` (see
    eform_component_code) is filled in as the e-form and not requested."""
    optional = set(optional_requirements)
    declined = set(attachments.get(DECLINED) or [])
    by_type: dict[str, Any] = {}
    for item in warehouse_items:
        if getattr(item, "doc_type", "") and item.doc_type not in by_type:
            by_type[item.doc_type] = item
    plans = []
    for c in components:
        suggested = by_type.get(c.code)
        attachment = attachments.get(c.code)
        if not attachment and suggested is not None and c.code not in declined:
            attachment = warehouse_attachment(suggested)
        if getattr(c, "national_database", ""):
            plans.append(ComponentPlan(c, NATIONAL))
        elif c.code == eform_code and not attachments.get(c.code):
            plans.append(ComponentPlan(c, EFORM))
        elif attachment:
            mode = WAREHOUSE if attachment.get("warehouse_item") else UPLOADED
            plans.append(ComponentPlan(c, mode, attachment, suggested))
        elif getattr(c, "requirement", "") in optional:
            plans.append(ComponentPlan(c, OPTIONAL, None, suggested))
        else:
            plans.append(ComponentPlan(c, MISSING, None, suggested))
    return plans


def missing(plans: Iterable[ComponentPlan]) -> list[ComponentPlan]:
    return [p for p in plans if p.mode == MISSING]


_DIGITS = re.compile(r"\D+")


def second_factor_matches(factor: str, personal_id: str, phone: str, tax_code: str = "") -> bool:
    """Public tracking asks for the last 4 digits of the applicant's personal ID number,
    phone number or tax code. Exactly 4 digits; empty identifiers never match."""
    digits = _DIGITS.sub("", factor or "")
    if len(digits) != 4:
        return False
    for value in (personal_id, phone, tax_code):
        clean = _DIGITS.sub("", value or "")
        if len(clean) >= 4 and clean[-4:] == digits:
            return True
    return False
