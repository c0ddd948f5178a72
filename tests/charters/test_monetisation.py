"""Monetisation with SROI deflators: examples worked by hand, and properties over any inputs."""

from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charters.monetisation import Monetised, monetise, monetise_measure, share_of

quantities = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
proxies = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)
percents = st.none() | st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


def test_worked_example():
    # 3 FTE at £24,000: gross £72,000; 20% deadweight, 10% attribution, 5% displacement → 72,000 × .8 × .9 × .95.
    value = monetise(
        quantity=3, proxy_value=Decimal("24000"), deadweight_pct=20, attribution_pct=10, displacement_pct=5
    )
    assert value == Monetised(Decimal("72000.00"), Decimal("49248.00"))


def test_full_dropoff_counts_only_the_first_year():
    assert monetise(quantity=2, proxy_value=Decimal("5"), dropoff_pct=100, years=3).net == Decimal("10.00")


def test_dropoff_applies_from_the_second_year():
    value = monetise(quantity=1, proxy_value=Decimal("1000"), dropoff_pct=10, years=3)
    assert value == Monetised(Decimal("3000.00"), Decimal("2710.00"))  # 1000 + 900 + 810


def test_no_proxy_monetises_to_nothing_and_bad_input_is_refused():
    assert monetise(quantity=5, proxy_value=None) == Monetised(Decimal("0"), Decimal("0"))
    with pytest.raises(ValueError):
        monetise(quantity=-1, proxy_value=10)
    with pytest.raises(ValueError):
        monetise(quantity=1, proxy_value=10, years=0)


def test_measure_fields_are_used():
    measure = SimpleNamespace(
        proxy_value_gbp=Decimal("10"),
        deadweight_pct=Decimal("50"),
        attribution_pct=None,
        displacement_pct=None,
        dropoff_pct=None,
    )
    assert monetise_measure(measure, 4) == Monetised(Decimal("40.00"), Decimal("20.00"))


@given(quantities, proxies, percents, percents, percents, percents, st.integers(1, 10))
def test_net_never_exceeds_gross_and_neither_is_negative(q, p, dw, at, dp, do, years):
    value = monetise(
        quantity=q,
        proxy_value=p,
        deadweight_pct=dw,
        attribution_pct=at,
        displacement_pct=dp,
        dropoff_pct=do,
        years=years,
    )
    assert Decimal("0") <= value.net <= value.gross


@given(quantities, quantities, proxies, percents)
def test_more_quantity_never_monetises_to_less(q1, q2, p, dw):
    low, high = sorted((q1, q2))
    assert (
        monetise(quantity=low, proxy_value=p, deadweight_pct=dw).net
        <= monetise(quantity=high, proxy_value=p, deadweight_pct=dw).net
    )


@given(quantities, proxies)
def test_without_deflators_net_equals_gross_equals_quantity_times_proxy(q, p):
    value = monetise(quantity=q, proxy_value=p)
    assert value.gross == value.net == (q * p).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_share_of_contract_value():
    assert share_of(Decimal("25000"), Decimal("200000")) == Decimal("12.5")
    assert share_of(Decimal("1"), Decimal("0")) is None
