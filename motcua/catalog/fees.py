"""Fee computation (no ORM): fee rules of a procedure version + e-form answers +
channel → fee lines.

Rules (law.md §5.1): a line is a charge (phí) or a levy (lệ phí) in VND, charged per
dossier, per copy or per page (with optional page tiers, e.g. certified copies: 2,000 đ
per page for pages 1–2, 1,000 đ from page 3, at most 200,000 đ per copy — Circular
226/2016/TT-BTC), capped, multiplied by a number of copies, exempted by a condition
on the answers (e.g. on-time birth/death registration, Law on Civil Status 2014
Art. 11) and discounted when submitted online (provincial resolutions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from motcua.catalog import conditions

ONLINE = "online"
PER_DOSSIER = "per_dossier"
PER_COPY = "per_copy"
PER_PAGE = "per_page"
MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class FeeTier:
    start: int  # first unit (1-based) charged at `amount`
    amount: int


@dataclass(frozen=True)
class FeeRuleSpec:
    code: str
    name: str
    amount: int
    kind: str = "le_phi"
    basis: str = PER_DOSSIER
    quantity_field: str = ""
    copies_field: str = ""
    tiers: tuple[FeeTier, ...] = ()
    cap: int | None = None
    exemption: Mapping[str, Any] | None = None
    exemption_note: str = ""
    online_discount_percent: int = 0
    case_code: str | None = None


@dataclass(frozen=True)
class FeeLine:
    code: str
    kind: str
    name: str
    quantity: int
    copies: int
    gross: int  # before cap and discount
    capped: bool
    discount: int
    amount: int  # what the applicant pays for this line
    exempt: bool = False
    exemption_reason: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def _count(answers: Mapping[str, Any], name: str) -> int:
    if not name:
        return 1
    value = conditions.lookup(answers, name)
    if isinstance(value, list):  # a repeating group: one unit per row
        return max(0, min(len(value), MAX_QUANTITY))
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(0, min(number, MAX_QUANTITY))


def tiered_amount(base: int, tiers: Sequence[FeeTier], units: int) -> int:
    """Sum of the per-unit price over `units` units; tier `start` is 1-based."""
    # Price bands: [1, first tier start) at `base`, then each tier until the next one.
    # With several tiers on the same start the last listed wins.
    bands: dict[int, int] = {1: base}
    for tier in sorted(tiers, key=lambda t: t.start):
        bands[max(1, tier.start)] = tier.amount
    starts = sorted(bands)
    total = 0
    for i, start in enumerate(starts):
        end = (starts[i + 1] - 1) if i + 1 < len(starts) else units
        count = max(0, min(end, units) - start + 1)
        total += count * max(0, bands[start])
    return total


def applicable_rules(rules: Iterable[FeeRuleSpec], case_code: str | None) -> list[FeeRuleSpec]:
    """General rules plus those of the case; a case rule replaces a general rule with the
    same code."""
    general = {r.code: r for r in rules if r.case_code in (None, "")}
    if case_code:
        for r in rules:
            if r.case_code == case_code:
                general[r.code] = r
    return list(general.values())


def compute_line(rule: FeeRuleSpec, answers: Mapping[str, Any], channel: str) -> FeeLine:
    units = 1 if rule.basis == PER_DOSSIER else _count(answers, rule.quantity_field)
    copies = _count(answers, rule.copies_field) if rule.copies_field else 1
    per_set = tiered_amount(max(0, rule.amount), rule.tiers, units)
    capped = rule.cap is not None and per_set > rule.cap
    if capped and rule.cap is not None:
        per_set = rule.cap
    gross = per_set * copies
    if conditions.evaluate(rule.exemption, answers) and rule.exemption:
        return FeeLine(
            code=rule.code,
            kind=rule.kind,
            name=rule.name,
            quantity=units,
            copies=copies,
            gross=gross,
            capped=capped,
            discount=0,
            amount=0,
            exempt=True,
            exemption_reason=rule.exemption_note or "Miễn theo quy định",
        )
    percent = min(100, max(0, rule.online_discount_percent)) if channel == ONLINE else 0
    discount = gross * percent // 100
    return FeeLine(
        code=rule.code,
        kind=rule.kind,
        name=rule.name,
        quantity=units,
        copies=copies,
        gross=gross,
        capped=capped,
        discount=discount,
        amount=gross - discount,
    )


def compute_fee_lines(
    rules: Iterable[FeeRuleSpec],
    answers: Mapping[str, Any],
    channel: str,
    case_code: str | None = None,
) -> list[FeeLine]:
    rules = list(rules)
    return [compute_line(rule, answers, channel) for rule in applicable_rules(rules, case_code)]


def total(lines: Iterable[FeeLine]) -> int:
    return sum(line.amount for line in lines)


def spec_from_dict(data: Mapping[str, Any]) -> FeeRuleSpec:
    """Build a spec from the interchange/JSON shape (see docs/catalog-format.md)."""
    return FeeRuleSpec(
        code=str(data["code"]),
        name=str(data.get("name", "")),
        amount=int(data.get("amount") or 0),
        kind=str(data.get("kind") or "le_phi"),
        basis=str(data.get("basis") or PER_DOSSIER),
        quantity_field=str(data.get("quantity_field") or ""),
        copies_field=str(data.get("copies_field") or ""),
        tiers=tuple(
            FeeTier(start=int(t["from"]), amount=int(t["amount"])) for t in data.get("tiers") or []
        ),
        cap=None if data.get("cap") in (None, "") else int(data["cap"]),
        exemption=data.get("exemption") or None,
        exemption_note=str(data.get("exemption_note") or ""),
        online_discount_percent=int(data.get("online_discount_percent") or 0),
        case_code=data.get("case") or None,
    )
