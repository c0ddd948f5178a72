"""Threshold assessment (tenders/thresholds.py): property tests against the seeded rows, and the seeding itself."""

import importlib
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from hypothesis import assume, example, given
from hypothesis import strategies as st

from accounts.models import AuthorityKind
from foundation.formatting import date_long, money_pence_if_any
from tenders import thresholds as rule
from tenders.models import BuyerType, Regime, TenderCategory, Threshold, ThresholdCategory, VatBasis
from tenders.thresholds import ThresholdAssessment, ThresholdRow, assess_threshold, buyer_type_for, thresholds_from_db

seed_migration = importlib.import_module("tenders.migrations.0002_seed_thresholds")

# The rows the migration seeds, as plain data: the property tests need no database.
SEEDED = [ThresholdRow(**row) for row in seed_migration.threshold_rows()]
PENNY = Decimal("0.01")
PA_START = date(2025, 2, 24)

money = st.decimals(min_value=0, max_value=Decimal("100000000"), places=2, allow_nan=False, allow_infinity=False)
vat_rates = st.sampled_from([Decimal("0"), Decimal("5"), Decimal("20")])
days = st.dates(min_value=date(2009, 1, 1), max_value=date(2035, 12, 31))
tender_categories = st.sampled_from([choice.value for choice in TenderCategory])
buyer_types = st.sampled_from([choice.value for choice in BuyerType])
# Rows a tender can meet (tenders have no concession category).
reachable_rows = st.sampled_from([row for row in SEEDED if row.category != "concessions"])


def with_vat(net: Decimal, rate: Decimal) -> Decimal:
    return (net * (1 + rate / 100)).quantize(PENNY)


def assess(*, buyer_type="sub_central", category="services", net, rate=Decimal("20"), on, including=None):
    return assess_threshold(
        buyer_type=buyer_type,
        category=category,
        value_excluding_vat=net,
        value_including_vat=with_vat(net, rate) if including is None else including,
        start_date=on,
        thresholds=SEEDED,
    )


def tender_category_for(row: ThresholdRow) -> str:
    return {"goods_services": "services", "works": "works", "light_touch": "light_touch"}[row.category]


@st.composite
def row_and_day(draw):
    """A seeded row and a day within its period."""
    row = draw(reachable_rows)
    last = row.effective_to or row.effective_from + timedelta(days=3650)
    return row, draw(st.dates(min_value=row.effective_from, max_value=last))


def values_at(row: ThresholdRow, compared: Decimal) -> tuple[Decimal, Decimal]:
    """(excluding, including) VAT at 20% such that the value on the row's basis is exactly `compared`."""
    if row.vat_basis == "inclusive":
        return (compared / Decimal("1.2")).quantize(PENNY), compared
    return compared, with_vat(compared, Decimal("20"))


# The example in the issue, and the wordings -------------------------------------------------------------------


def test_the_issues_example_word_for_word():
    result = assess(net=Decimal("208333.33"), including=Decimal("250000"), on=date(2026, 3, 1))
    assert result.explanation == (
        "£250,000 including VAT is above the £207,720 threshold for goods and services bought by sub-central "
        "authorities, in force from 1 January 2026: the Social Value Act duty applies"
    )
    assert result.regime == Regime.PROCUREMENT_ACT_2023
    assert result.above and result.duty_applies
    assert result.compared_value == Decimal("250000.00")
    assert result.threshold.value == Decimal("207720")


def test_below_threshold_says_the_duty_does_not_apply_by_law_but_local_policy_may_apply_it():
    result = assess(net=Decimal("100000"), on=date(2026, 3, 1))
    assert not result.above and not result.duty_applies
    assert result.explanation == (
        "£120,000 including VAT is below the £207,720 threshold for goods and services bought by sub-central "
        "authorities, in force from 1 January 2026: the Social Value Act duty does not apply by law, but the "
        "authority may still apply it by local policy"
    )


def test_a_threshold_with_an_end_names_both_days():
    result = assess(net=Decimal("200000"), on=date(2025, 6, 1))
    assert "in force from 24 February 2025 to 31 December 2025:" in result.explanation


def test_goods_and_works_above_threshold_are_above_but_outside_the_social_value_act():
    goods = assess(category="goods", net=Decimal("500000"), on=date(2026, 3, 1))
    assert goods.above and not goods.duty_applies
    assert "covers services contracts, so it does not apply by law to this goods contract" in goods.explanation
    works = assess(category="works", net=Decimal("6000000"), on=date(2026, 3, 1))
    assert works.above and not works.duty_applies
    assert works.threshold.value == Decimal("5193000")
    assert "this works contract" in works.explanation


def test_light_touch_services_above_threshold_carry_the_duty():
    result = assess(category="light_touch", net=Decimal("600000"), on=date(2026, 3, 1))
    assert result.threshold.value == Decimal("663540")
    assert result.above and result.duty_applies


def test_unconfirmed_rows_are_labelled_in_the_explanation():
    result = assess(net=Decimal("200000"), on=date(2015, 6, 1))
    assert not result.threshold.confirmed
    assert "in force from 1 January 2012 to 23 February 2025 (unconfirmed):" in result.explanation


def test_no_row_for_the_date_and_category_is_said_plainly():
    # The 2012 guidance quotes no works figure for the earlier regime.
    result = assess(category="works", net=Decimal("4000000"), on=date(2013, 5, 1))
    assert result.threshold is None and result.compared_value is None
    assert not result.above and not result.duty_applies
    assert result.regime == Regime.PCR_2015
    assert result.explanation == (
        "No threshold is recorded for works bought by sub-central authorities under the Public Contracts "
        "Regulations for a procurement started on 1 May 2013, so £4,000,000 excluding VAT (£4,800,000 including "
        "VAT) cannot be assessed: check the threshold before deciding whether the Social Value Act duty applies"
    )


def test_before_any_row_there_is_no_threshold():
    assert assess(net=Decimal("1"), on=date(2009, 12, 31)).threshold is None


def test_negative_values_and_unknown_inputs_are_refused():
    with pytest.raises(ValueError):
        assess(net=Decimal("-1"), on=date(2026, 1, 1))
    with pytest.raises(ValueError):
        assess(buyer_type="parish", net=Decimal("1"), on=date(2026, 1, 1))
    with pytest.raises(ValueError):
        assess(category="concessions", net=Decimal("1"), on=date(2026, 1, 1))


def test_overlapping_rows_the_latest_start_wins():
    old = ThresholdRow("pa2023", "central", "works", Decimal("100"), "inclusive", date(2026, 1, 1))
    new = ThresholdRow("pa2023", "central", "works", Decimal("200"), "inclusive", date(2026, 6, 1))
    result = assess_threshold(
        buyer_type="central",
        category="works",
        value_excluding_vat=Decimal("150"),
        value_including_vat=Decimal("150"),
        start_date=date(2026, 7, 1),
        thresholds=[new, old],
    )
    assert result.threshold == new and not result.above


def test_rows_of_the_other_regime_are_ignored_whatever_their_dates():
    # An operator extending an earlier-regime row past the Act's commencement does not make it apply.
    stray = ThresholdRow("pcr2015", "sub_central", "goods_services", Decimal("1"), "exclusive", date(2025, 1, 1))
    result = assess_threshold(
        buyer_type="sub_central",
        category="services",
        value_excluding_vat=Decimal("10"),
        value_including_vat=Decimal("12"),
        start_date=date(2026, 3, 1),
        thresholds=[stray],
    )
    assert result.threshold is None and result.regime == "pa2023"


def test_as_dict_is_json_ready():
    data = assess(net=Decimal("300000"), on=date(2026, 3, 1)).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["threshold"]["value"] == "207720"
    assert data["compared_value"] == "360000.00"
    assert assess(category="works", net=Decimal("1"), on=date(2013, 1, 1)).as_dict()["threshold"] is None


def test_assessment_is_frozen():
    result = assess(net=Decimal("1"), on=date(2026, 1, 1))
    assert isinstance(result, ThresholdAssessment)
    with pytest.raises(AttributeError):
        result.above = True


# Formatting ---------------------------------------------------------------------------------------------------


# Properties ---------------------------------------------------------------------------------------------------


@given(row_and_day())
@example((next(r for r in SEEDED if r.value == Decimal("214904")), date(2025, 12, 31)))
def test_at_the_threshold_is_above_and_a_penny_less_is_below(case):
    row, day = case
    category = tender_category_for(row)
    at = assess_threshold(
        buyer_type=row.buyer_type,
        category=category,
        **dict(zip(("value_excluding_vat", "value_including_vat"), values_at(row, row.value), strict=True)),
        start_date=day,
        thresholds=SEEDED,
    )
    assert at.threshold == row
    assert at.compared_value == row.value
    assert at.above
    below = assess_threshold(
        buyer_type=row.buyer_type,
        category=category,
        **dict(zip(("value_excluding_vat", "value_including_vat"), values_at(row, row.value - PENNY), strict=True)),
        start_date=day,
        thresholds=SEEDED,
    )
    assert below.compared_value == row.value - PENNY
    assert not below.above and not below.duty_applies


@given(net=money, rate=vat_rates, day=days, buyer_type=buyer_types, category=tender_categories)
def test_the_value_compared_is_on_the_thresholds_vat_basis(net, rate, day, buyer_type, category):
    result = assess(buyer_type=buyer_type, category=category, net=net, rate=rate, on=day)
    assume(result.threshold is not None)
    if result.threshold.vat_basis == VatBasis.INCLUSIVE:
        assert result.compared_value == with_vat(net, rate)
        assert result.regime == Regime.PROCUREMENT_ACT_2023
        assert "including VAT" in result.explanation
    else:
        assert result.compared_value == net
        assert result.regime == Regime.PCR_2015
        assert "excluding VAT" in result.explanation
    assert result.above == (result.compared_value >= result.threshold.value)


def test_the_same_net_value_is_above_on_one_basis_and_below_on_the_other():
    # £180,000 net is £216,000 with VAT: below £214,904 without VAT, above it with VAT (the Act's basis).
    result = assess(net=Decimal("180000"), on=date(2025, 6, 1))
    assert Decimal("180000") < result.threshold.value < Decimal("216000")
    assert result.compared_value == Decimal("216000.00") and result.above
    # The same figures against a VAT-exclusive row of the same value are below it.
    exclusive = ThresholdRow(
        "pcr2015", "sub_central", "goods_services", Decimal("214904"), "exclusive", date(2024, 1, 1)
    )
    earlier = assess_threshold(
        buyer_type="sub_central",
        category="services",
        value_excluding_vat=Decimal("180000"),
        value_including_vat=Decimal("216000"),
        start_date=date(2024, 6, 1),
        thresholds=[exclusive],
    )
    assert earlier.compared_value == Decimal("180000.00") and not earlier.above
    assert earlier.explanation.startswith("£180,000 excluding VAT is below the £214,904 threshold")


@given(
    day=st.dates(min_value=date(2025, 12, 31), max_value=date(2026, 1, 1)),
    buyer_type=st.sampled_from(["central", "sub_central"]),
)
def test_the_start_date_picks_the_value_across_new_year_2026(day, buyer_type):
    result = assess(buyer_type=buyer_type, net=Decimal("100000"), on=day)
    expected = {
        (date(2025, 12, 31), "sub_central"): Decimal("214904"),
        (date(2026, 1, 1), "sub_central"): Decimal("207720"),
        (date(2025, 12, 31), "central"): Decimal("139688"),
        (date(2026, 1, 1), "central"): Decimal("135018"),
    }
    assert result.threshold.value == expected[(day, buyer_type)]


@given(day=days)
def test_regime_follows_the_start_date(day):
    result = assess(net=Decimal("200000"), on=day)
    if day >= PA_START:
        assert result.regime == Regime.PROCUREMENT_ACT_2023
        assert result.threshold.value == (Decimal("214904") if day < date(2026, 1, 1) else Decimal("207720"))
    else:
        assert result.regime == Regime.PCR_2015
        if result.threshold is not None:
            assert result.threshold.vat_basis == VatBasis.EXCLUSIVE
            assert result.threshold.value == (Decimal("156442") if day < date(2012, 1, 1) else Decimal("173934"))


def test_the_day_before_the_act_is_the_earlier_regime():
    assert assess(net=Decimal("1"), on=date(2025, 2, 23)).regime == Regime.PCR_2015
    assert assess(net=Decimal("1"), on=date(2025, 2, 24)).regime == Regime.PROCUREMENT_ACT_2023


@given(low=money, extra=money, rate=vat_rates, day=days, buyer_type=buyer_types, category=tender_categories)
def test_raising_the_value_never_turns_above_into_below(low, extra, rate, day, buyer_type, category):
    before = assess(buyer_type=buyer_type, category=category, net=low, rate=rate, on=day)
    after = assess(buyer_type=buyer_type, category=category, net=low + extra, rate=rate, on=day)
    assert after.threshold == before.threshold
    if before.above:
        assert after.above
    if before.duty_applies:
        assert after.duty_applies


@given(net=money, rate=vat_rates, day=days, buyer_type=buyer_types, category=tender_categories)
def test_the_explanation_names_the_value_the_threshold_and_the_date(net, rate, day, buyer_type, category):
    result = assess(buyer_type=buyer_type, category=category, net=net, rate=rate, on=day)
    if result.threshold is None:
        assert money_pence_if_any(net) in result.explanation
        assert money_pence_if_any(with_vat(net, rate)) in result.explanation
        assert date_long(day) in result.explanation
        assert result.explanation.startswith("No threshold is recorded")
    else:
        assert result.explanation.startswith(f"{money_pence_if_any(result.compared_value)} ")
        assert f"the {money_pence_if_any(result.threshold.value)} threshold" in result.explanation
        assert f"in force from {date_long(result.threshold.effective_from)}" in result.explanation
        assert (" is above the " in result.explanation) == result.above
        assert ("the Social Value Act duty applies" in result.explanation) == result.duty_applies


# Buyer types and the models' choices ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(AuthorityKind))
def test_every_authority_kind_is_a_sub_central_buyer(kind):
    assert buyer_type_for(kind) == BuyerType.SUB_CENTRAL
    assert buyer_type_for(kind.value) == "sub_central"


def test_an_unknown_authority_kind_is_refused():
    with pytest.raises(ValueError):
        buyer_type_for("ministry")


def test_every_tender_category_maps_to_a_threshold_category():
    for category in TenderCategory:
        assert rule.threshold_category_for(category) in ThresholdCategory.values


def test_the_modules_strings_match_the_models_choices():
    assert {rule.PA_2023, rule.PCR} == set(Regime.values)
    assert set(rule.BUYER_PHRASES) == set(BuyerType.values)
    assert set(rule.CATEGORY_PHRASES) == set(ThresholdCategory.values)
    assert set(rule.VAT_PHRASES) == set(VatBasis.values)
    assert set(rule.TENDER_TO_THRESHOLD_CATEGORY) == set(TenderCategory.values)
    assert set(rule.AUTHORITY_KIND_BUYER_TYPES) == set(AuthorityKind.values)


# The seeded rows (database) ---------------------------------------------------------------------------------------


def _row(**lookup):
    return Threshold.objects.get(**lookup)


@pytest.mark.django_db
def test_the_migration_seeded_every_row_of_the_rules():
    # Procurement Act: 2 periods x (goods/services central + sub-central, works x 4 buyer types, light-touch x 3,
    # light-touch utilities, utilities and defence goods/services x 2, concessions x 4) = 32; earlier regime: 6.
    assert Threshold.objects.filter(regime="pa2023").count() == 32
    assert Threshold.objects.filter(regime="pcr2015").count() == 6
    pa = {"regime": "pa2023", "vat_basis": "inclusive"}
    for buyer_type, category, before, after in [
        ("central", "goods_services", "139688", "135018"),
        ("sub_central", "goods_services", "214904", "207720"),
        ("central", "works", "5372609", "5193000"),
        ("sub_central", "works", "5372609", "5193000"),
        ("utilities", "works", "5372609", "5193000"),
        ("sub_central", "light_touch", "663540", "663540"),
        ("utilities", "light_touch", "884720", "884720"),
        ("utilities", "goods_services", "429809", "415440"),
        ("defence", "goods_services", "429809", "415440"),
        ("sub_central", "concessions", "5372609", "5193000"),
    ]:
        first = _row(buyer_type=buyer_type, category=category, effective_from=date(2025, 2, 24), **pa)
        assert (first.value, first.effective_to, first.confirmed) == (Decimal(before), date(2025, 12, 31), True)
        second = _row(buyer_type=buyer_type, category=category, effective_from=date(2026, 1, 1), **pa)
        assert (second.value, second.effective_to) == (Decimal(after), None)
        assert second.source == "Procurement Act 2023 (Threshold Amounts) (Amendment) Regulations 2025"
    assert not Threshold.objects.filter(buyer_type="utilities", category="light_touch", value=Decimal("663540"))

    pcr = {"regime": "pcr2015", "vat_basis": "exclusive"}
    for buyer_type, category, start, end, value, confirmed in [
        ("central", "goods_services", date(2010, 1, 1), date(2011, 12, 31), "101323", True),
        ("sub_central", "goods_services", date(2010, 1, 1), date(2011, 12, 31), "156442", True),
        ("central", "works", date(2010, 1, 1), date(2011, 12, 31), "3927260", True),
        ("sub_central", "works", date(2010, 1, 1), date(2011, 12, 31), "3927260", True),
        ("central", "goods_services", date(2012, 1, 1), date(2025, 2, 23), "113057", False),
        ("sub_central", "goods_services", date(2012, 1, 1), date(2025, 2, 23), "173934", False),
    ]:
        threshold = _row(buyer_type=buyer_type, category=category, effective_from=start, **pcr)
        assert (threshold.value, threshold.effective_to, threshold.confirmed) == (Decimal(value), end, confirmed)
        assert "Public Contracts Regulations" in threshold.source
    assert not Threshold.objects.filter(regime="pcr2015", category="works", effective_from__year=2012).exists()


@pytest.mark.django_db
def test_thresholds_from_db_round_trips_the_seeded_rows(django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = thresholds_from_db()
    assert sorted(rows, key=repr) == sorted(SEEDED, key=repr)
    assert all(isinstance(row.value, Decimal) and isinstance(row.effective_from, date) for row in rows)


@pytest.mark.django_db
def test_an_operators_edit_is_what_the_assessment_uses():
    Threshold.objects.filter(regime="pa2023", buyer_type="sub_central", category="goods_services").filter(
        effective_from=date(2026, 1, 1)
    ).update(value=Decimal("300000"))
    result = assess_threshold(
        buyer_type=buyer_type_for(AuthorityKind.DISTRICT),
        category=TenderCategory.SERVICES,
        value_excluding_vat=Decimal("208333.33"),
        value_including_vat=Decimal("250000"),
        start_date=date(2026, 3, 1),
        thresholds=thresholds_from_db(),
    )
    assert not result.above and "£300,000 threshold" in result.explanation


@pytest.mark.django_db
def test_the_seed_is_idempotent_keeps_edits_and_reverses():
    Threshold.objects.filter(regime="pcr2015", effective_from=date(2012, 1, 1)).update(confirmed=True)
    seed_migration.seed_thresholds(django_apps, None)
    assert Threshold.objects.count() == len(SEEDED) == 38
    assert Threshold.objects.filter(regime="pcr2015", confirmed=False).count() == 0
    seed_migration.unseed_thresholds(django_apps, None)
    assert Threshold.objects.count() == 0
    seed_migration.seed_thresholds(django_apps, None)
    assert sorted(thresholds_from_db(), key=repr) == sorted(SEEDED, key=repr)
