from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalog.fees import FeeRuleSpec, FeeTier, compute_fee_lines, total

CERTIFIED_COPY = FeeRuleSpec(
    code="CT",
    name="Phí chứng thực bản sao",
    kind="phi",
    amount=2000,
    basis="per_page",
    quantity_field="so_trang",
    copies_field="so_ban",
    tiers=(FeeTier(start=3, amount=1000),),
    cap=200_000,
)
BIRTH = FeeRuleSpec(
    code="LP",
    name="Lệ phí khai sinh",
    amount=8000,
    exemption={"field": "dung_han", "equals": True},
    exemption_note="Luật Hộ tịch, Điều 11",
    online_discount_percent=50,
)


def test_certified_copy_pages_tiers_cap_and_copies():
    # 2 pages × 2,000 + 3 pages × 1,000 = 7,000 per copy, 3 copies.
    [line] = compute_fee_lines([CERTIFIED_COPY], {"so_trang": 5, "so_ban": 3}, "counter")
    assert line.amount == 21_000
    # 500 pages → capped at 200,000 per copy.
    [line] = compute_fee_lines([CERTIFIED_COPY], {"so_trang": 500, "so_ban": 2}, "counter")
    assert line.capped and line.amount == 400_000


def test_on_time_birth_registration_is_free_and_late_is_charged():
    [free] = compute_fee_lines([BIRTH], {"dung_han": True}, "counter")
    assert free.exempt and free.amount == 0 and "Điều 11" in free.exemption_reason
    [late] = compute_fee_lines([BIRTH], {"dung_han": False}, "counter")
    assert late.amount == 8000
    [online] = compute_fee_lines([BIRTH], {"dung_han": False}, "online")
    assert online.amount == 4000 and online.discount == 4000


def test_case_rule_replaces_general_rule_with_same_code():
    general = FeeRuleSpec(code="LLTP", name="Phí", amount=200_000)
    reduced = FeeRuleSpec(code="LLTP", name="Phí (giảm)", amount=100_000, case_code="GIAM")
    assert total(compute_fee_lines([general, reduced], {}, "counter")) == 200_000
    assert total(compute_fee_lines([general, reduced], {}, "counter", "GIAM")) == 100_000


rules = st.builds(
    FeeRuleSpec,
    code=st.sampled_from(["A", "B", "C"]),
    name=st.just("x"),
    amount=st.integers(min_value=0, max_value=5_000_000),
    basis=st.sampled_from(["per_dossier", "per_copy", "per_page"]),
    quantity_field=st.just("qty"),
    copies_field=st.sampled_from(["", "copies"]),
    tiers=st.lists(
        st.builds(FeeTier, start=st.integers(1, 20), amount=st.integers(0, 100_000)), max_size=3
    ).map(tuple),
    cap=st.one_of(st.none(), st.integers(min_value=0, max_value=1_000_000)),
    exemption=st.sampled_from([None, {"field": "free", "equals": True}]),
    online_discount_percent=st.integers(min_value=0, max_value=150),
)
answers = st.fixed_dictionaries(
    {
        "qty": st.one_of(st.integers(-5, 2000), st.text(max_size=3), st.none()),
        "copies": st.integers(-3, 50),
        "free": st.booleans(),
    }
)


@settings(deadline=None)
@given(st.lists(rules, max_size=4), answers)
def test_fee_properties(rule_list, answer):
    counter = compute_fee_lines(rule_list, answer, "counter")
    online = compute_fee_lines(rule_list, answer, "online")
    for c, o in zip(counter, online, strict=True):
        assert c.amount >= 0 and o.amount >= 0  # never negative
        assert o.amount <= c.amount  # online never dearer
        assert c.discount == 0
    by_code = {r.code: r for r in rule_list}
    for line in counter:
        rule = by_code[line.code]
        if rule.cap is not None:
            assert line.amount <= rule.cap * line.copies  # cap respected per copy
        if rule.exemption and answer["free"]:
            assert line.amount == 0 and line.exempt


def naive_tiered(base, tiers, units):
    total = 0
    for unit_no in range(1, units + 1):
        price = base
        for tier in sorted(tiers, key=lambda t: t.start):
            if unit_no >= tier.start:
                price = tier.amount
        total += max(0, price)
    return total


@settings(deadline=None)
@given(
    st.integers(0, 10_000),
    st.lists(
        st.builds(FeeTier, start=st.integers(-2, 30), amount=st.integers(0, 5000)), max_size=4
    ),
    st.integers(0, 60),
)
def test_tiered_amount_matches_unit_by_unit_pricing(base, tiers, units):
    from motcua.catalog.fees import tiered_amount

    assert tiered_amount(base, tiers, units) == naive_tiered(base, tiers, units)
