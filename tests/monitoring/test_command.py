"""`motcua monitoring_scores` output shape."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.monitoring.indicators import INDICATORS
from tests.monitoring.factories import insert_counters

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("monitoring_scores", *args, stdout=out)
    return out.getvalue()


def test_json_shape_and_values(tree):
    insert_counters(tree.commune, dt.date(2026, 3, 2), received=4, on_time_766=3, synced=4)
    data = json.loads(
        run("--unit", tree.district.code, "--from", "2026-03-01", "--to", "2026-03-31")
    )
    assert data["unit"] == tree.district.code
    assert (data["from"], data["to"]) == ("2026-03-01", "2026-03-31")
    assert list(data["indicators"]) == [d.id for d in INDICATORS]
    for body in data["indicators"].values():
        assert set(body) == {"numerator", "denominator", "ratio", "score", "max"}
    assert data["indicators"]["2.1"] == {
        "numerator": 3,
        "denominator": 4,
        "ratio": 75.0,
        "score": 15.0,
        "max": 20,
    }
    assert data["indicators"]["1.4"]["ratio"] == 100.0
    assert data["indicators"]["1.1"]["ratio"] is None
    assert set(data["groups"]) == {
        "transparency",
        "progress",
        "online_service",
        "online_payment",
        "satisfaction",
        "digitisation",
    }
    assert data["groups"]["progress"] == {"score": 15.0, "max": 20}
    assert data["total"] == pytest.approx(sum(g["score"] for g in data["groups"].values()))
    assert data["band"] == "weak"
    assert data["colour"] == "red"


def test_empty_unit_prints_no_total_and_grey(tree):
    data = json.loads(
        run("--unit", tree.commune_2.code, "--from", "2026-03-01", "--to", "2026-03-31")
    )
    assert data["total"] is None
    assert data["band"] == "none" and data["colour"] == "none"
    assert data["has_data"] is False


def test_table_format(tree):
    insert_counters(tree.commune, dt.date(2026, 3, 2), received=4, on_time_766=3)
    text = run(
        "--unit",
        tree.commune.code,
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "table",
    )
    assert "2.1" in text and "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn" in text
    assert "Tổng" in text


def test_errors(tree):
    with pytest.raises(CommandError, match="Không có đơn vị"):
        run("--unit", "nope", "--from", "2026-03-01", "--to", "2026-03-31")
    with pytest.raises(CommandError, match="--from"):
        run("--unit", tree.commune.code, "--from", "2026-13-01", "--to", "2026-03-31")
    with pytest.raises(CommandError, match="--to"):
        run("--unit", tree.commune.code, "--from", "2026-03-05", "--to", "2026-03-01")
