"""E-forms: a JSON Schema subset plus a UI layout rendered as a Django form.

Schema (per procedure version): {"type": "object", "properties": {...}, "required": [...]}
with property types string (optional enum/enumNames, format date/email/textarea,
minLength/maxLength/pattern), integer, number (minimum/maximum), boolean, and
array of objects (a repeating group; minItems/maxItems).

Layout: {"sections": [{"title": str, "fields": [names]}],
         "visible_if": {name: condition},   # catalog.conditions
         "prefill": {name: profile attribute}, "help": {name: str},
         "widgets": {name: "textarea" | "radio"}}

Hidden (condition false) fields are neither required nor returned, so the server
never rejects an answer the applicant could not see. Messages are Vietnamese.
Circular 32/2017/TT-BTTTT Art. 5 requires interactive e-forms for online services.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext, gettext_lazy

from motcua.catalog import conditions

SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "array")
PREFILL_SOURCES = ("full_name", "personal_id", "phone", "email", "address", "date_of_birth")
ROW_SEP = "__"
MAX_ROWS = 50
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def _msg_required(title: str) -> str:
    return f"Vui lòng nhập “{title}”."


def _messages(title: str) -> dict[str, str]:
    return {
        "required": _msg_required(title),
        "invalid": f"“{title}” không hợp lệ.",
        "invalid_choice": f"Giá trị đã chọn cho “{title}” không hợp lệ.",
        "max_length": f"“{title}” dài quá %(limit_value)d ký tự.",
        "min_length": f"“{title}” cần ít nhất %(limit_value)d ký tự.",
        "max_value": f"“{title}” không được lớn hơn %(limit_value)s.",
        "min_value": f"“{title}” không được nhỏ hơn %(limit_value)s.",
        "max_digits": f"“{title}” có quá nhiều chữ số.",
        "max_decimal_places": f"“{title}” có quá nhiều chữ số thập phân.",
        "max_whole_digits": f"“{title}” có quá nhiều chữ số.",
    }


# --- definition validation (back-office editor) ---------------------------------


def validate_definition(schema: Any, layout: Any) -> list[str]:
    """Check a schema/layout pair before saving; Vietnamese messages."""
    errors: list[str] = []
    if not isinstance(schema, Mapping):
        return ["Lược đồ phải là một đối tượng JSON."]
    if not schema:
        return []
    if schema.get("type") != "object":
        errors.append('Lược đồ gốc phải có "type": "object".')
    props = schema.get("properties")
    if not isinstance(props, Mapping) or not props:
        return [*errors, "Lược đồ cần “properties” với ít nhất một trường."]
    errors += _validate_properties(props, schema.get("required", []), "")
    if layout in (None, ""):
        layout = {}
    if not isinstance(layout, Mapping):
        return [*errors, "Bố cục phải là một đối tượng JSON."]
    names = set(props)
    for section in layout.get("sections", []) or []:
        if not isinstance(section, Mapping) or not isinstance(section.get("fields"), list):
            errors.append("Mỗi phần (section) cần “title” và danh sách “fields”.")
            continue
        for name in section["fields"]:
            if name not in names:
                errors.append(f"Phần “{section.get('title', '')}” có trường lạ: {name}.")
    for name, cond in (layout.get("visible_if") or {}).items():
        if name not in names:
            errors.append(f"visible_if cho trường không tồn tại: {name}.")
        errors += conditions.validate(cond, names)
    for name, source in (layout.get("prefill") or {}).items():
        if name not in names:
            errors.append(f"prefill cho trường không tồn tại: {name}.")
        if source not in PREFILL_SOURCES:
            errors.append(
                f"Nguồn điền sẵn “{source}” không được hỗ trợ ({', '.join(PREFILL_SOURCES)})."
            )
    return errors


def _validate_properties(props: Mapping[str, Any], required: Any, where: str) -> list[str]:
    errors: list[str] = []
    if not isinstance(required, list):
        errors.append(f"{where}“required” phải là danh sách.")
        required = []
    for name in required:
        if name not in props:
            errors.append(f"{where}Trường bắt buộc không tồn tại: {name}.")
    for name, prop in props.items():
        label = f"{where}{name}"
        if not NAME_RE.match(str(name)):
            errors.append(f"Tên trường “{label}” chỉ gồm chữ thường không dấu, số và “_”.")
        if not isinstance(prop, Mapping):
            errors.append(f"Trường {label} phải là một đối tượng.")
            continue
        kind = prop.get("type")
        if kind not in SUPPORTED_TYPES:
            errors.append(f"Trường {label}: kiểu “{kind}” không được hỗ trợ.")
            continue
        if "enum" in prop and (not isinstance(prop["enum"], list) or not prop["enum"]):
            errors.append(f"Trường {label}: “enum” phải là danh sách không rỗng.")
        if "enumNames" in prop and len(prop.get("enumNames") or []) != len(prop.get("enum") or []):
            errors.append(f"Trường {label}: “enumNames” phải cùng độ dài với “enum”.")
        if "pattern" in prop:
            try:
                re.compile(str(prop["pattern"]))
            except re.error:
                errors.append(f"Trường {label}: biểu thức “pattern” không hợp lệ.")
        if kind == "array":
            items = prop.get("items")
            if where:
                errors.append(f"Trường {label}: không hỗ trợ nhóm lặp lồng nhau.")
            elif not isinstance(items, Mapping) or items.get("type") != "object":
                errors.append(f"Trường {label}: nhóm lặp cần “items” kiểu object.")
            elif not isinstance(items.get("properties"), Mapping) or not items["properties"]:
                errors.append(f"Trường {label}: nhóm lặp cần ít nhất một trường con.")
            else:
                errors += _validate_properties(
                    items["properties"], items.get("required", []), f"{name}."
                )
    return errors


def parse_json(text: str) -> tuple[Any, str | None]:
    """Parse editor text; returns (value, Vietnamese error or None)."""
    if not text.strip():
        return {}, None
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}."


# --- field construction ---------------------------------------------------------


def make_field(
    name: str,
    prop: Mapping[str, Any],
    *,
    required: bool,
    widget_hint: str = "",
    help_text: str = "",
) -> forms.Field:
    title = str(prop.get("title") or name)
    kind = prop.get("type")
    common: dict[str, Any] = {
        "label": title,
        "required": required,
        "help_text": help_text or prop.get("description", ""),
        "error_messages": _messages(title),
    }
    if "default" in prop:
        common["initial"] = prop["default"]
    field: forms.Field
    if kind == "string" and "enum" in prop:
        labels = prop.get("enumNames") or prop["enum"]
        choices = [(str(v), str(lbl)) for v, lbl in zip(prop["enum"], labels, strict=False)]
        if widget_hint == "radio":
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        else:
            field = forms.ChoiceField(choices=[("", "— Chọn —"), *choices], **common)
    elif kind == "string" and prop.get("format") == "date":
        field = forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            **common,
        )
    elif kind == "string" and prop.get("format") == "email":
        field = forms.EmailField(max_length=prop.get("maxLength", 254), **common)
    elif kind == "string":
        widget = (
            forms.Textarea(attrs={"rows": 3})
            if (widget_hint == "textarea" or prop.get("format") == "textarea")
            else forms.TextInput
        )
        field = forms.CharField(
            max_length=prop.get("maxLength", 500),
            min_length=prop.get("minLength"),
            widget=widget,
            **common,
        )
        if prop.get("pattern"):
            field.validators.append(
                RegexValidator(
                    rf"^(?:{prop['pattern']})$",
                    prop.get("patternMessage") or f"“{title}” không đúng định dạng.",
                    code="pattern",
                )
            )
    elif kind == "integer":
        field = forms.IntegerField(
            min_value=prop.get("minimum"), max_value=prop.get("maximum"), **common
        )
    elif kind == "number":
        field = forms.DecimalField(
            min_value=None if prop.get("minimum") is None else Decimal(str(prop["minimum"])),
            max_value=None if prop.get("maximum") is None else Decimal(str(prop["maximum"])),
            **common,
        )
    elif kind == "boolean":
        # A required checkbox means "must be ticked" (e.g. a commitment, cam đoan).
        field = forms.BooleanField(**common)
    else:
        raise ValueError(f"unsupported type {kind!r}")
    field.widget.attrs.setdefault("data-field", name)
    return field


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


class EForm(forms.Form):
    """A form built from a procedure version's schema and layout. Use `build_form`."""

    schema: Mapping[str, Any]
    layout: Mapping[str, Any]

    def __init__(
        self,
        *args: Any,
        schema: Mapping[str, Any],
        layout: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.schema = schema or {}
        self.layout = layout or {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.hidden_names: set[str] = set()
        super().__init__(*args, **kwargs)
        props: Mapping[str, Any] = self.schema.get("properties") or {}
        required = set(self.schema.get("required") or [])
        widgets = self.layout.get("widgets") or {}
        helps = self.layout.get("help") or {}
        for name, prop in props.items():
            if prop.get("type") == "array":
                self._add_group(name, prop, name in required)
                continue
            self.fields[name] = make_field(
                name,
                prop,
                required=name in required,
                widget_hint=widgets.get(name, ""),
                help_text=helps.get(name, ""),
            )
        # A conditional field may be hidden in the browser: the HTML `required`
        # attribute would then block submission, so the server alone enforces it.
        for name in self.layout.get("visible_if") or {}:
            for field_name in self._field_names_of(name):
                widget = self.fields[field_name].widget
                widget.use_required_attribute = lambda initial: False  # type: ignore[method-assign]
                widget.attrs.setdefault(
                    "aria-required", "true" if self.fields[field_name].required else "false"
                )
        if self.is_bound:
            self._apply_visibility()

    # Repeating groups are flattened into fields "<group>__<row>__<sub>".
    def _row_count(self, name: str, prop: Mapping[str, Any]) -> int:
        minimum = int(prop.get("minItems") or 0)
        count = max(minimum, 1)
        if self.is_bound:
            with contextlib.suppress(TypeError, ValueError):
                count = int(self.data.get(self.add_prefix(f"{name}{ROW_SEP}rows"), count))
            if self.data.get("_add_row") == name:
                count += 1
        elif isinstance(self.initial.get(name), list):
            count = max(count, len(self.initial[name]))
        return max(1, min(count, int(prop.get("maxItems") or MAX_ROWS), MAX_ROWS))

    def _add_group(self, name: str, prop: Mapping[str, Any], required: bool) -> None:
        items = prop.get("items") or {}
        sub_props: Mapping[str, Any] = items.get("properties") or {}
        sub_required = set(items.get("required") or [])
        rows = self._row_count(name, prop)
        row_fields: list[list[str]] = []
        for i in range(rows):
            names = []
            for sub, sub_prop in sub_props.items():
                full = f"{name}{ROW_SEP}{i}{ROW_SEP}{sub}"
                # Row-level "required" is enforced in clean() only for non-blank rows.
                field = make_field(full, sub_prop, required=False)
                field.label = f"{sub_prop.get('title') or sub} ({i + 1})"
                if isinstance(self.initial.get(name), list) and i < len(self.initial[name]):
                    field.initial = self.initial[name][i].get(sub)
                self.fields[full] = field
                names.append(full)
            row_fields.append(names)
        self.groups[name] = {
            "prop": prop,
            "title": prop.get("title") or name,
            "rows": row_fields,
            "sub_required": sub_required,
            "sub_props": sub_props,
            "required": required,
            "row_count": rows,
        }

    def _raw_answers(self) -> dict[str, Any]:
        """Best-effort typed values of the bound data, to evaluate visibility."""
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            if ROW_SEP in name:
                continue
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            try:
                values[name] = (
                    field.clean(raw)
                    if raw not in (None, "") or isinstance(field, forms.BooleanField)
                    else None
                )
            except ValidationError:
                values[name] = None
        return values

    def _apply_visibility(self) -> None:
        rules = self.layout.get("visible_if") or {}
        if not rules:
            return
        raw = self._raw_answers()
        for name, cond in rules.items():
            if not conditions.evaluate(cond, raw):
                self.hidden_names.add(name)
                for field_name in self._field_names_of(name):
                    self.fields[field_name].required = False

    def _field_names_of(self, name: str) -> list[str]:
        if name in self.groups:
            return [f for row in self.groups[name]["rows"] for f in row]
        return [name] if name in self.fields else []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.hidden_names:
            for field_name in self._field_names_of(name):
                cleaned.pop(field_name, None)
                errors = self._errors  # type: ignore[attr-defined]
                if errors is not None and field_name in errors:
                    del errors[field_name]
        for name, group in self.groups.items():
            if name in self.hidden_names:
                continue
            rows = []
            for row in group["rows"]:
                values = {f.rsplit(ROW_SEP, 1)[1]: cleaned.get(f) for f in row}
                if all(v in (None, "", False) for v in values.values()):
                    continue
                for f in row:
                    sub = f.rsplit(ROW_SEP, 1)[1]
                    if sub in group["sub_required"] and cleaned.get(f) in (None, ""):
                        title = group["sub_props"][sub].get("title") or sub
                        self.add_error(f, _msg_required(str(title)))
                rows.append(values)
            minimum = int(group["prop"].get("minItems") or (1 if group["required"] else 0))
            if len(rows) < minimum:
                self.add_error(None, f"“{group['title']}” cần ít nhất {minimum} dòng.")
            cleaned[name] = rows
        return cleaned

    def answers(self) -> dict[str, Any]:
        """JSON-serialisable answers of a valid form (hidden fields left out)."""
        data = self.cleaned_data
        result: dict[str, Any] = {}
        for name in self.schema.get("properties") or {}:
            if name in self.hidden_names:
                continue
            if name in self.groups:
                result[name] = [
                    {k: _to_json(v) for k, v in row.items()} for row in data.get(name, [])
                ]
            elif name in data:
                result[name] = _to_json(data[name])
        return result

    def sections(self) -> list[dict[str, Any]]:
        """Fields grouped for rendering: each item is {"title", "items"} where an item is
        {"field": BoundField} or {"group": name, "title", "rows": [[BoundField]]}."""
        props = list((self.schema.get("properties") or {}).keys())
        layout_sections = self.layout.get("sections") or [{"title": "", "fields": props}]
        placed: set[str] = set()
        result = []
        for section in layout_sections:
            items = [self._render_item(n) for n in section.get("fields", []) if n in props]
            placed.update(section.get("fields", []))
            result.append({"title": section.get("title", ""), "items": items})
        rest = [self._render_item(n) for n in props if n not in placed]
        if rest:
            result.append({"title": "", "items": rest})
        return result

    def _render_item(self, name: str) -> dict[str, Any]:
        cond = (self.layout.get("visible_if") or {}).get(name)
        visible_if = json.dumps(cond, ensure_ascii=False) if cond else ""
        if name in self.groups:
            group = self.groups[name]
            return {
                "group": name,
                "title": group["title"],
                "rows": [[self[f] for f in row] for row in group["rows"]],
                "row_count": group["row_count"],
                "rows_field": f"{self.add_prefix(name)}{ROW_SEP}rows",
                "can_add": group["row_count"] < int(group["prop"].get("maxItems") or MAX_ROWS),
                "visible_if": visible_if,
                "hidden": name in self.hidden_names,
            }
        return {"field": self[name], "visible_if": visible_if, "hidden": name in self.hidden_names}


def prefill_from_user(layout: Mapping[str, Any] | None, user: Any) -> dict[str, Any]:
    """Initial values from the applicant's profile (only whitelisted attributes)."""
    initial: dict[str, Any] = {}
    if user is None or not getattr(user, "is_authenticated", False):
        return initial
    for name, source in ((layout or {}).get("prefill") or {}).items():
        if source in PREFILL_SOURCES:
            value = getattr(user, source, None)
            if value not in (None, ""):
                initial[name] = value
    return initial


def build_form(
    schema: Mapping[str, Any],
    layout: Mapping[str, Any] | None = None,
    *,
    data: Any = None,
    files: Any = None,
    user: Any = None,
    initial: Mapping[str, Any] | None = None,
    prefix: str | None = None,
) -> EForm:
    """The entry point for the portal, the counter screen and the preview."""
    merged = prefill_from_user(layout, user)
    merged.update(initial or {})
    return EForm(
        data=data, files=files, initial=merged, prefix=prefix, schema=schema, layout=layout
    )


# --- reading answers back ------------------------------------------------------------

# Keys the dossiers app adds beside the e-form's own answers.
EXTRA_LABELS = {
    "_nop_thay": gettext_lazy("Nộp thay cho"),
    "_dia_chi_nguoi_nop": gettext_lazy("Địa chỉ người nộp"),
}


def display_value(prop: Mapping[str, Any], value: Any) -> str:
    """One answer as a person reads it: the label of a choice, Có/Không, a date as
    dd/mm/yyyy, rows of a repeating group as "label: value" lists."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("Có") if value else gettext("Không")
    if "enum" in prop and value in prop["enum"]:
        names = prop.get("enumNames") or prop["enum"]
        index = list(prop["enum"]).index(value)
        return str(names[index]) if index < len(names) else str(value)
    if prop.get("format") == "date" and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    if isinstance(value, Mapping):
        return display_object((prop.get("properties") or {}), value)
    if isinstance(value, list):
        sub = (prop.get("items") or {}).get("properties") or {}
        return "; ".join(
            display_object(sub, row) if isinstance(row, Mapping) else display_value({}, row)
            for row in value
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def display_object(props: Mapping[str, Any], value: Mapping[str, Any]) -> str:
    return ", ".join(
        f"{(props.get(k) or {}).get('title') or k}: {display_value(props.get(k) or {}, v)}"
        for k, v in value.items()
        if v not in (None, "", [])
    )


def readable_answers(
    schema: Mapping[str, Any] | None, answers: Mapping[str, Any] | None
) -> list[tuple[str, str]]:
    """(label, shown value) for each answer, in the schema's order, for the officer's
    dossier page, the citizen's review step and printed forms."""
    props = (schema or {}).get("properties") or {}
    answers = answers or {}
    # Other "_" keys are the system's own notes (e.g. "_sync" of imported history).
    extra = [n for n in answers if n not in props and (n in EXTRA_LABELS or n[:1] != "_")]
    ordered = [n for n in props if n in answers] + extra
    rows = []
    for name in ordered:
        found = props.get(name)
        prop: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        label = str(prop.get("title") or EXTRA_LABELS.get(name) or name)
        if name == "_nop_thay" and isinstance(answers[name], Mapping):
            shown = " — ".join(str(v) for v in answers[name].values() if v) or "—"
        else:
            shown = display_value(prop, answers[name])
        rows.append((label, shown))
    return rows
