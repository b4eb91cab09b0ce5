"""A tiny, safe condition language over e-form answers (no eval).

    {"field": "on_time", "equals": true}
    {"field": "so_ban", "gte": 2}            also: not_equals, in, gt, lt, lte, empty
    {"all": [c1, c2]}   {"any": [c1, c2]}   {"not": c}

Used for conditional components, fee exemptions and conditional e-form fields.
An empty/None condition is always true.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

COMPARATORS = ("equals", "not_equals", "in", "gt", "gte", "lt", "lte", "empty")
MAX_DEPTH = 10


class ConditionError(ValueError):
    pass


def lookup(answers: Mapping[str, Any], path: str) -> Any:
    """Dotted path lookup ("applicant.age"); missing → None."""
    value: Any = answers
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
    return value


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "equals":
        return bool(left == right)
    if op == "not_equals":
        return bool(left != right)
    if op == "in":
        return isinstance(right, list) and left in right
    if op == "empty":
        is_empty = left is None or left == "" or left == [] or left == {}
        return is_empty == bool(right)
    if left is None:
        return False
    try:
        if op == "gt":
            return bool(left > right)
        if op == "gte":
            return bool(left >= right)
        if op == "lt":
            return bool(left < right)
        if op == "lte":
            return bool(left <= right)
    except TypeError:
        return False
    raise ConditionError(op)


def evaluate(condition: Any, answers: Mapping[str, Any], _depth: int = 0) -> bool:
    if not condition:
        return True
    if _depth > MAX_DEPTH:
        raise ConditionError("condition nested too deeply")
    if not isinstance(condition, Mapping):
        raise ConditionError("condition must be an object")
    if "all" in condition:
        return all(evaluate(c, answers, _depth + 1) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, answers, _depth + 1) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers, _depth + 1)
    if "field" in condition:
        left = lookup(answers, str(condition["field"]))
        ops = [op for op in COMPARATORS if op in condition]
        if len(ops) != 1:
            raise ConditionError("a field test needs exactly one comparator")
        return _compare(ops[0], left, condition[ops[0]])
    raise ConditionError("unknown condition")


def validate(condition: Any, known_fields: set[str] | None = None, _depth: int = 0) -> list[str]:
    """Structural check; returns Vietnamese error messages (empty when valid)."""
    if condition is None or condition == {}:
        return []
    if _depth > MAX_DEPTH:
        return [_("Điều kiện lồng quá sâu.")]
    if not isinstance(condition, Mapping):
        return [_("Điều kiện phải là một đối tượng JSON.")]
    errors: list[str] = []
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        items = condition[key]
        if not isinstance(items, list) or not items:
            return [_("“%(key)s” phải là danh sách điều kiện không rỗng.") % {"key": key}]
        for item in items:
            errors += validate(item, known_fields, _depth + 1)
        return errors
    if "not" in condition:
        return validate(condition["not"], known_fields, _depth + 1)
    if "field" in condition:
        name = condition["field"]
        if not isinstance(name, str) or not name:
            return [_("Tên trường trong điều kiện không hợp lệ.")]
        if known_fields is not None and name.split(".")[0] not in known_fields:
            errors.append(
                _("Điều kiện tham chiếu trường không tồn tại: %(name)s.") % {"name": name}
            )
        ops = [op for op in COMPARATORS if op in condition]
        if len(ops) != 1:
            errors.append(
                _("Điều kiện trên trường %(name)s cần đúng một phép so sánh.") % {"name": name}
            )
        elif ops[0] == "in" and not isinstance(condition["in"], list):
            errors.append(_("Phép “in” trên trường %(name)s cần một danh sách.") % {"name": name})
        return errors
    return [_("Điều kiện không hợp lệ (dùng field/all/any/not).")]


def fields_referenced(condition: Any) -> set[str]:
    if not isinstance(condition, Mapping):
        return set()
    found: set[str] = set()
    for key in ("all", "any"):
        for item in condition.get(key) or []:
            found |= fields_referenced(item)
    if "not" in condition:
        found |= fields_referenced(condition["not"])
    if isinstance(condition.get("field"), str):
        found.add(condition["field"])
    return found


def describe(condition: Any, labels: Mapping[str, str] | None = None) -> str:
    """A short Vietnamese reading of a condition, for citizens and officers."""
    labels = labels or {}
    if not condition:
        return ""
    if not isinstance(condition, Mapping):
        return str(condition)
    if "all" in condition:
        joiner = " " + _("và") + " "
        return joiner.join(f"({describe(c, labels)})" for c in condition["all"])
    if "any" in condition:
        joiner = " " + _("hoặc") + " "
        return joiner.join(f"({describe(c, labels)})" for c in condition["any"])
    if "not" in condition:
        return _("không phải: %(condition)s") % {"condition": describe(condition["not"], labels)}
    name = str(condition.get("field", ""))
    label = f"“{labels.get(name, name)}”"

    def show(value: Any) -> str:
        if value is True:
            return _("Có")
        if value is False:
            return _("Không")
        if isinstance(value, list):
            return ", ".join(show(v) for v in value)
        return str(value)

    patterns = {
        "equals": gettext_noop("%(field)s là %(value)s"),
        "not_equals": gettext_noop("%(field)s khác %(value)s"),
        "in": gettext_noop("%(field)s thuộc %(value)s"),
        "gt": "%(field)s > %(value)s",
        "gte": "%(field)s ≥ %(value)s",
        "lt": "%(field)s < %(value)s",
        "lte": "%(field)s ≤ %(value)s",
    }
    for op, pattern in patterns.items():
        if op in condition:
            return _(pattern) % {"field": label, "value": show(condition[op])}
    if "empty" in condition:
        if condition["empty"]:
            return _("%(field)s để trống") % {"field": label}
        return _("%(field)s có khai") % {"field": label}
    return ""


def labels_from_schema(schema: Mapping[str, Any] | None) -> dict[str, str]:
    props = (schema or {}).get("properties") or {}
    return {
        name: str(p.get("title") or name) for name, p in props.items() if isinstance(p, Mapping)
    }
