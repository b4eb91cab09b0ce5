from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalog import conditions, text


def test_normalise_strips_vietnamese_accents_and_d():
    assert text.normalise("Đăng ký khai sinh") == "dang ky khai sinh"
    assert text.normalise("  CẤP Giấy phép XÂY DỰNG!") == "cap giay phep xay dung"
    assert text.normalise("Mã 1.001193") == "ma 1.001193"


def test_prefix_and_fuzzy_matching():
    doc = text.tokenize("Đăng ký khai sinh")
    assert text.prefix_match(["khai", "sin"], doc)
    assert not text.prefix_match(["khai", "tu"], doc)
    assert text.fuzzy_score(["khai", "sihn"], doc) == 1  # transposed letters
    assert text.fuzzy_score(["khai", "xyz"], doc) is None


@settings(deadline=None)
@given(st.text())
def test_normalise_is_idempotent_and_ascii(value):
    once = text.normalise(value)
    assert text.normalise(once) == once


def test_conditions_evaluate():
    answers = {"on_time": True, "n": 3, "kind": "a", "rows": [], "nested": {"x": 1}}
    assert conditions.evaluate({"field": "on_time", "equals": True}, answers)
    assert conditions.evaluate(
        {"all": [{"field": "n", "gte": 3}, {"field": "kind", "in": ["a"]}]}, answers
    )
    assert conditions.evaluate(
        {"any": [{"field": "n", "lt": 1}, {"field": "nested.x", "equals": 1}]}, answers
    )
    assert conditions.evaluate({"not": {"field": "rows", "empty": False}}, answers)
    assert not conditions.evaluate({"field": "missing", "gt": 1}, answers)
    assert conditions.evaluate(None, answers)


def test_conditions_validate_reports_problems_in_vietnamese():
    assert conditions.validate({"field": "x", "equals": 1}, {"x"}) == []
    assert conditions.validate({"field": "y", "equals": 1}, {"x"})
    assert conditions.validate({"field": "x"})  # no comparator
    assert conditions.validate({"all": []})
    assert conditions.validate("__import__('os')")
    assert "là Có" in conditions.describe({"field": "x", "equals": True}, {"x": "Đúng hạn"})
