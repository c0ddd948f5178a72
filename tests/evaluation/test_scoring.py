"""The scoring rules, as properties: totals are the weighted sum, ranks respect scores, weights that add up to 100
keep totals within 0–100, and the price formulas at their edges."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.scoring import (
    Criterion,
    Part,
    PriceFormula,
    ScoringError,
    TieBreak,
    criterion_weights,
    part_totals,
    price_fractions,
    quantitative_fractions,
    rank,
    scale_fraction,
    sensitivity,
    shifted_weights,
    spread_flagged,
    tie_break_values,
    totals,
)

D = Decimal
prices = st.decimals(min_value=D("0.01"), max_value=D("100000000"), places=2)
fraction = st.decimals(min_value=0, max_value=1, places=4)
CRITERIA = [
    Criterion("price", Part.PRICE, D(100)),
    Criterion("q1", Part.QUALITY, D(60)),
    Criterion("q2", Part.QUALITY, D(40)),
    Criterion("sv_quant", Part.SOCIAL_VALUE, D(50)),
    Criterion("sv_method", Part.SOCIAL_VALUE, D(50)),
]


@st.composite
def part_weights(draw):
    price = draw(st.integers(0, 100))
    quality = draw(st.integers(0, 100 - price))
    return {Part.PRICE: D(price), Part.QUALITY: D(quality), Part.SOCIAL_VALUE: D(100 - price - quality)}


offers_fractions = st.dictionaries(
    st.sampled_from("ABCDEFGH"),
    st.fixed_dictionaries({c.key: fraction for c in CRITERIA}),
    min_size=1,
)


@given(part_weights(), offers_fractions)
def test_totals_are_the_weighted_sum_and_stay_within_0_to_100(weights, fractions):
    result = totals(CRITERIA, weights, fractions)
    per_criterion = criterion_weights(weights, CRITERIA)
    assert sum(per_criterion.values()) == 100
    for offer, got in fractions.items():
        assert result[offer] == sum(per_criterion[key] * got[key] for key in per_criterion)
        assert 0 <= result[offer] <= 100
        assert sum(part_totals(CRITERIA, weights, fractions)[offer].values()) == result[offer]


@given(part_weights(), offers_fractions, st.sampled_from([c.key for c in CRITERIA]), fraction)
def test_raising_one_offers_score_never_lowers_its_rank(weights, fractions, criterion, raise_to):
    offer = sorted(fractions)[0]
    before = {r.key: r.rank for r in rank(totals(CRITERIA, weights, fractions))}[offer]
    better = {**fractions, offer: {**fractions[offer], criterion: max(fractions[offer][criterion], raise_to)}}
    after = {r.key: r.rank for r in rank(totals(CRITERIA, weights, better))}[offer]
    assert after <= before


@given(st.dictionaries(st.sampled_from("ABCDEF"), prices, min_size=1), st.sampled_from(list(PriceFormula)))
def test_price_fractions_give_the_cheapest_full_marks_and_lie_within_0_to_1(offer_prices, formula):
    result = price_fractions(offer_prices, formula)
    lowest = min(offer_prices.values())
    for key, price in offer_prices.items():
        assert 0 <= result[key] <= 1
        assert (result[key] == 1) == (price == lowest)
    cheaper_first = sorted(offer_prices, key=offer_prices.get)
    assert [result[k] for k in cheaper_first] == sorted((result[k] for k in cheaper_first), reverse=True)


def test_price_formula_edges():
    assert price_fractions({"a": D(100), "b": D(100)}) == {"a": 1, "b": 1}
    assert price_fractions({"a": D(100), "b": D(200)}) == {"a": 1, "b": D("0.5")}
    assert price_fractions({"a": D(100), "b": D(150)}, PriceFormula.LINEAR_DEDUCTION) == {"a": 1, "b": D("0.5")}
    assert price_fractions({"a": D(100), "b": D(250)}, PriceFormula.LINEAR_DEDUCTION)["b"] == 0
    for bad in (D(0), D(-1), None):
        with pytest.raises(ScoringError, match="price of more than £0"):
            price_fractions({"a": D(100), "b": bad})


def test_quantitative_fractions_normalise_per_measure_against_the_best_offer():
    values = {"a": {"jobs": D(1000), "training": D(0)}, "b": {"jobs": D(500), "training": D(300)}}
    result = quantitative_fractions(values, {"jobs": D(60), "training": D(40)})
    assert result == {"a": D("0.6"), "b": D("0.3") + D("0.4")}
    assert quantitative_fractions({"a": {}, "b": {}}, {"jobs": D(100)}) == {"a": 0, "b": 0}


@given(
    st.dictionaries(
        st.sampled_from("ABCDE"),
        st.fixed_dictionaries({"m1": st.decimals(0, 10**9, places=2), "m2": st.decimals(0, 10**9, places=2)}),
        min_size=1,
    ),
    st.integers(0, 100),
)
def test_quantitative_fractions_lie_within_0_to_1(values, weight):
    result = quantitative_fractions(values, {"m1": D(weight), "m2": D(100 - weight)})
    assert all(0 <= got <= 1 for got in result.values())


def test_scale_fraction_refuses_scores_outside_the_scale():
    assert scale_fraction(D(3), 5) == D("0.6")
    for bad in (D(-1), D(6)):
        with pytest.raises(ScoringError, match="from 0 to 5"):
            scale_fraction(bad, 5)


def test_ties_are_broken_by_the_rule_and_otherwise_share_a_rank():
    result = rank({"a": D(70), "b": D(80), "c": D(70), "d": D(60)})
    assert [(r.key, r.rank, r.tied) for r in result] == [
        ("b", 1, False),
        ("a", 2, True),
        ("c", 2, True),
        ("d", 4, False),
    ]
    broken = rank({"a": D(70), "c": D(70)}, tie_values={"a": D(10), "c": D(20)})
    assert [(r.key, r.rank, r.tied) for r in broken] == [("c", 1, False), ("a", 2, False)]


def test_tie_break_on_price_prefers_the_cheaper_offer():
    criteria = [Criterion("price", Part.PRICE, D(100)), Criterion("q", Part.QUALITY, D(100))]
    weights = {Part.PRICE: D(50), Part.QUALITY: D(50), Part.SOCIAL_VALUE: D(0)}
    fractions = {"cheap": {"price": D(1), "q": D("0.4")}, "good": {"price": D("0.4"), "q": D(1)}}
    parts = part_totals(criteria, weights, fractions)
    result = rank(totals(criteria, weights, fractions), tie_break_values(TieBreak.PRICE, parts))
    assert [r.key for r in result] == ["cheap", "good"]
    result = rank(totals(criteria, weights, fractions), tie_break_values(TieBreak.QUALITY, parts))
    assert [r.key for r in result] == ["good", "cheap"]


def test_spreads_are_flagged_at_40_percent_of_the_scale():
    assert spread_flagged([1, 3], 5)
    assert not spread_flagged([2, 3], 5)
    assert spread_flagged([2, 6], 10) and not spread_flagged([2, 5], 10)
    assert not spread_flagged([4], 5)


@given(part_weights(), st.integers(-10, 10))
def test_shifting_social_value_keeps_the_weightings_at_100(weights, points):
    shifted = shifted_weights(weights, D(points))
    assert sum(shifted.values()) == pytest.approx(100)
    assert 0 <= shifted[Part.SOCIAL_VALUE] <= 100


def test_sensitivity_reports_a_winner_that_changes_with_the_social_value_weighting():
    criteria = [Criterion("price", Part.PRICE, D(100)), Criterion("sv", Part.SOCIAL_VALUE, D(100))]
    weights = {Part.PRICE: D(80), Part.QUALITY: D(0), Part.SOCIAL_VALUE: D(20)}
    # At 20% social value cheap scores 80 + 10 = 90 and social 68 + 20 = 88; at 25%, 87.5 against 88.75.
    fractions = {"cheap": {"price": D(1), "sv": D("0.5")}, "social": {"price": D("0.85"), "sv": D(1)}}
    result = sensitivity(criteria, weights, fractions, TieBreak.PRICE)
    assert result.winners == {-5: {"cheap"}, 0: {"cheap"}, 5: {"social"}}
    assert result.changes
    steady = sensitivity(criteria, weights, {"a": {"price": D(1), "sv": D(1)}, "b": {"price": D(0), "sv": D(0)}})
    assert not steady.changes and steady.winners[-5] == {"a"}
