"""Rating bands and colour levels (law.md §4.6, rule R26). Pure, no ORM.

Bands rate a total out of 100: Xuất sắc ≥ 90 and Yếu < 50 are confirmed for
Decision 766; the middle bands (Tốt 80, Khá 70, Trung bình 50) are the likely national
scale (unconfirmed). Colour levels (Directive 04's "map") have no published thresholds:
the default is green ≥ 80 % of the maximum, yellow ≥ 70 %, orange ≥ 50 %, red below,
configurable per indicator/group. Each level has a label, a CSS class and a text marker
so that colour is never the only cue (WCAG 1.4.1).

Config data shape (stored in models.LevelConfig.thresholds):
    {"bands": {"excellent": 90, "good": 80, "fair": 70, "average": 50},
     "colours": {"green": 80, "yellow": 70, "orange": 50},
     "overrides": {"2.1": {"green": 90, "yellow": 80, "orange": 60}, "group:progress": {...}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Float sums such as 4.8/6 land a hair below the exact threshold; compare with slack.
EPSILON = 1e-9


@dataclass(frozen=True)
class Band:
    key: str
    label: str | Promise
    css_class: str


@dataclass(frozen=True)
class Level:
    key: str
    label: str | Promise
    css_class: str
    marker: str


BANDS: dict[str, Band] = {
    "excellent": Band("excellent", _("Xuất sắc"), "level-green"),
    "good": Band("good", _("Tốt"), "level-green"),
    "fair": Band("fair", _("Khá"), "level-yellow"),
    "average": Band("average", _("Trung bình"), "level-orange"),
    "weak": Band("weak", _("Yếu"), "level-red"),
    "none": Band("none", _("Chưa có dữ liệu"), "level-grey"),
}
BAND_ORDER = ("excellent", "good", "fair", "average")  # thresholds; "weak" is below

LEVELS: dict[str, Level] = {
    "green": Level("green", _("Xanh — tốt"), "level-green", "●"),
    "yellow": Level("yellow", _("Vàng — khá"), "level-yellow", "▲"),
    "orange": Level("orange", _("Cam — trung bình"), "level-orange", "◆"),
    "red": Level("red", _("Đỏ — yếu"), "level-red", "■"),
    "none": Level("none", _("Chưa có dữ liệu"), "level-grey", "○"),
}
LEVEL_ORDER = ("green", "yellow", "orange")  # thresholds; "red" is below

DEFAULT_BANDS: dict[str, float] = {"excellent": 90, "good": 80, "fair": 70, "average": 50}
DEFAULT_COLOURS: dict[str, float] = {"green": 80, "yellow": 70, "orange": 50}


class LevelConfigError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _check_ladder(name: str, values: Mapping[str, Any], keys: tuple[str, ...]) -> list[str]:
    errors: list[str] = []
    numbers: list[float] = []
    for key in keys:
        raw = values.get(key)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            errors.append(str(_("%(name)s: thiếu ngưỡng “%(key)s”.") % {"name": name, "key": key}))
            continue
        if not 0 <= raw <= 100:
            errors.append(
                str(
                    _("%(name)s: ngưỡng “%(key)s” phải nằm trong khoảng 0–100.")
                    % {"name": name, "key": key}
                )
            )
        numbers.append(float(raw))
    unknown = set(values) - set(keys)
    if unknown:
        errors.append(
            str(
                _("%(name)s: khóa không hợp lệ: %(keys)s.")
                % {"name": name, "keys": ", ".join(sorted(unknown))}
            )
        )
    if len(numbers) == len(keys) and any(a <= b for a, b in pairwise(numbers)):
        errors.append(
            str(
                _("%(name)s: các ngưỡng phải giảm dần nghiêm ngặt (%(order)s).")
                % {"name": name, "order": " > ".join(keys)}
            )
        )
    return errors


def validate_config(data: Any) -> list[str]:
    """Vietnamese error messages for a thresholds document; empty when valid."""
    if not isinstance(data, Mapping):
        return [str(_("Cấu hình ngưỡng phải là một đối tượng JSON."))]
    errors: list[str] = []
    unknown = set(data) - {"bands", "colours", "overrides"}
    if unknown:
        errors.append(str(_("Khóa không hợp lệ: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}))
    errors += _check_ladder(str(_("Xếp loại")), data.get("bands", DEFAULT_BANDS), BAND_ORDER)
    errors += _check_ladder(str(_("Mức màu")), data.get("colours", DEFAULT_COLOURS), LEVEL_ORDER)
    overrides = data.get("overrides", {})
    if not isinstance(overrides, Mapping):
        errors.append(str(_("Ngưỡng riêng phải là một đối tượng JSON.")))
    else:
        for key, ladder in overrides.items():
            if not isinstance(ladder, Mapping):
                errors.append(str(_("Ngưỡng riêng “%(key)s” không hợp lệ.") % {"key": key}))
            else:
                errors += _check_ladder(
                    str(_("Mức màu của %(key)s") % {"key": key}), ladder, LEVEL_ORDER
                )
    return errors


@dataclass(frozen=True)
class LevelPolicy:
    bands: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_BANDS))
    colours: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_COLOURS))
    # per metric key: an indicator id ("2.1"), "group:<key>" or "total"
    overrides: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, data: Mapping[str, Any] | None) -> LevelPolicy:
        data = {} if data is None else data
        errors = validate_config(data)
        if errors:
            raise LevelConfigError(errors)
        return cls(
            bands={k: float(v) for k, v in data.get("bands", DEFAULT_BANDS).items()},
            colours={k: float(v) for k, v in data.get("colours", DEFAULT_COLOURS).items()},
            overrides={
                key: {k: float(v) for k, v in ladder.items()}
                for key, ladder in data.get("overrides", {}).items()
            },
        )

    def to_config(self) -> dict[str, Any]:
        return {
            "bands": dict(self.bands),
            "colours": dict(self.colours),
            "overrides": {k: dict(v) for k, v in self.overrides.items()},
        }

    def band_for(self, total: float | None) -> Band:
        """Rating of a total out of 100 (None: no data)."""
        if total is None:
            return BANDS["none"]
        for key in BAND_ORDER:
            if total >= self.bands[key] - EPSILON:
                return BANDS[key]
        return BANDS["weak"]

    def level_for(self, score: float | None, maximum: float, key: str = "total") -> Level:
        """Colour level of `score` as a percentage of `maximum`; grey without data or
        for display-only indicators (maximum 0)."""
        if score is None or maximum <= 0:
            return LEVELS["none"]
        ladder = self.overrides.get(key, self.colours)
        percent = score * 100 / maximum
        for name in LEVEL_ORDER:
            if percent >= ladder[name] - EPSILON:
                return LEVELS[name]
        return LEVELS["red"]


DEFAULT_LEVEL_POLICY = LevelPolicy()
