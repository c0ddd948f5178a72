"""Offer receipts: canonical, deterministic, and changed by any change to what was submitted or when."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenders.receipts import canonical_bytes, receipt_hash, receipt_matches

WHEN = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
texts = st.text(max_size=50)
amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
contents = st.fixed_dictionaries(
    {
        "price": amounts,
        "narrative": texts,
        "commitments": st.lists(st.fixed_dictionaries({"q": amounts, "m": texts}), max_size=3),
    }
)


def test_known_value_is_stable():
    # Pinned so that a change to the canonical form (which would orphan every stored receipt) fails loudly.
    content = {"price": Decimal("1500.50"), "narrative": "Local jobs in Moor End", "commitments": []}
    assert canonical_bytes(content, WHEN) == (
        b'{"content":{"commitments":[],"narrative":"Local jobs in Moor End","price":"1500.5"},'
        b'"received_at":"2026-03-01T12:00:00.123456+00:00","v":1}'
    )
    assert receipt_hash(content, WHEN) == receipt_hash(dict(reversed(list(content.items()))), WHEN)


def test_same_instant_in_another_zone_gives_the_same_receipt():
    london = WHEN.astimezone(ZoneInfo("Europe/London"))
    assert receipt_hash({"a": 1}, WHEN) == receipt_hash({"a": 1}, london)


def test_naive_datetimes_and_floats_are_refused():
    with pytest.raises(ValueError):
        receipt_hash({}, datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        receipt_hash({"price": 1.5}, WHEN)


@given(contents)
def test_receipt_verifies_against_its_own_content(content):
    assert receipt_matches(content, WHEN, receipt_hash(content, WHEN))


@given(contents, texts)
def test_any_change_to_the_content_changes_the_receipt(content, extra):
    changed = {**content, "narrative": content["narrative"] + extra + "!"}
    assert receipt_hash(changed, WHEN) != receipt_hash(content, WHEN)


@given(contents, st.integers(min_value=1, max_value=10**6))
def test_any_change_to_the_time_changes_the_receipt(content, microseconds):
    assert receipt_hash(content, WHEN + timedelta(microseconds=microseconds)) != receipt_hash(content, WHEN)


def test_equal_decimals_written_differently_hash_the_same():
    assert receipt_hash({"p": Decimal("10.00")}, WHEN) == receipt_hash({"p": Decimal("10")}, WHEN)
