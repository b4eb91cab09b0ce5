"""Bands and colour levels at their boundaries (law.md §4.6, R26)."""

from __future__ import annotations

import pytest

from motcua.monitoring.levels import LevelConfigError, LevelPolicy, validate_config

POLICY = LevelPolicy()


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (100, "excellent"),
        (90, "excellent"),
        (89.99, "good"),
        (80, "good"),
        (79.99, "fair"),
        (70, "fair"),
        (69.99, "average"),
        (50, "average"),
        (49.99, "weak"),
        (0, "weak"),
        (None, "none"),
    ],
)
def test_bands_at_boundaries(total, band):
    assert POLICY.band_for(total).key == band


@pytest.mark.parametrize(
    ("score", "maximum", "level"),
    [
        (4.8, 6, "green"),  # exactly 80 % (4.8/6 is not exact in binary)
        (4.7994, 6, "yellow"),  # 79.99 %
        (16, 20, "green"),
        (15.998, 20, "yellow"),
        (14, 20, "yellow"),  # 70 %
        (13.998, 20, "orange"),
        (10, 20, "orange"),  # 50 %
        (9.998, 20, "red"),
        (0, 20, "red"),
        (80, 100, "green"),
        (None, 100, "none"),
        (0, 0, "none"),  # display-only indicator
    ],
)
def test_colours_at_boundaries(score, maximum, level):
    assert POLICY.level_for(score, maximum).key == level


def test_every_level_has_label_css_class_and_text_marker():
    from motcua.monitoring.levels import LEVELS

    markers = set()
    for level in LEVELS.values():
        assert str(level.label)
        assert level.css_class.startswith("level-")
        assert level.marker.strip()
        markers.add(level.marker)
    assert len(markers) == len(LEVELS)  # distinguishable without colour
    assert {lv.css_class for lv in LEVELS.values()} >= {
        "level-green",
        "level-yellow",
        "level-orange",
        "level-red",
    }


def test_per_indicator_override():
    policy = LevelPolicy.from_config(
        {"overrides": {"2.1": {"green": 95, "yellow": 90, "orange": 60}}}
    )
    assert policy.level_for(18.5, 20, "2.1").key == "yellow"  # 92.5 %
    assert policy.level_for(18.5, 20, "group:progress").key == "green"
    assert policy.level_for(19, 20, "2.1").key == "green"


def test_config_round_trip_and_custom_bands():
    data = {
        "bands": {"excellent": 95, "good": 85, "fair": 75, "average": 55},
        "colours": {"green": 85, "yellow": 75, "orange": 55},
    }
    policy = LevelPolicy.from_config(data)
    assert policy.band_for(90).key == "good"
    assert policy.level_for(80, 100).key == "yellow"
    assert LevelPolicy.from_config(policy.to_config()) == policy


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"bands": {"excellent": 90, "good": 90, "fair": 70, "average": 50}}, "giảm dần"),
        ({"bands": {"excellent": 80, "good": 90, "fair": 70, "average": 50}}, "giảm dần"),
        ({"colours": {"green": 101, "yellow": 70, "orange": 50}}, "0–100"),
        ({"colours": {"green": 80, "yellow": -1, "orange": -5}}, "0–100"),
        ({"colours": {"green": 80, "yellow": 70}}, "thiếu"),
        ({"colours": {"green": 80, "yellow": 70, "orange": "x"}}, "thiếu"),
        ({"overrides": {"2.1": {"green": 50, "yellow": 60, "orange": 40}}}, "2.1"),
        ({"other": 1}, "không hợp lệ"),
        ([], "JSON"),
    ],
)
def test_invalid_configs_are_rejected_in_vietnamese(data, fragment):
    errors = validate_config(data)
    assert errors
    assert any(fragment in e for e in errors), errors
    with pytest.raises(LevelConfigError):
        LevelPolicy.from_config(data)  # type: ignore[arg-type]
