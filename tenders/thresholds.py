"""Threshold assessment: is a procurement above the threshold at which the law (and the Social Value Act duty)
applies? A pure rule: the threshold rows come in as plain data (`ThresholdRow`), nothing here touches the database
except the `thresholds_from_db()` loader.

The rule, from `../shared/design/RULES.md`:

    Procurement Act 2023 (in force 24 Feb 2025), VAT-inclusive. [...] The 2026 values come from the Procurement Act
    2023 (Threshold Amounts) (Amendment) Regulations 2025; procurements started before 1 Jan 2026 keep the old
    values (so the assessment uses the tender's start date, not today's).

    Earlier regime (Public Contracts Regulations, EU thresholds, VAT-exclusive) [...]
    The Social Value Act 2012 duty applied only where the Regulations applied, i.e. above these thresholds, to
    public services contracts (and frameworks mostly for services). Below threshold the authority may still apply
    it by local policy.

Decisions:
- **Regime by start date.** A procurement started on or after 24 February 2025 (the Procurement Act 2023's
  commencement) is assessed under the Act; one started before under the Public Contracts Regulations. Only rows of
  that regime are considered, whatever an operator does to the rows' dates.
- **Equal counts as above.** A public contract under the Procurement Act 2023 is one with "an estimated value of
  not less than the threshold amount" (s.3(2)(a)); the earlier regulations likewise applied at the threshold. So a
  value exactly at the threshold is above it.
- **VAT basis per row.** Procurement Act rows are VAT-inclusive, the earlier regime's rows VAT-exclusive: the value
  compared is the one on the row's basis. Values are rounded to whole pence (half up) before comparing, so the
  explanation shows exactly the figure that was compared.
- **Buyer type from the authority's kind.** Every kind of authority the product hosts is sub-central: councils of
  every kind and combined authorities, NHS bodies (trusts and integrated care boards are not central government
  authorities) and "other public body" (an assumption: central government departments are not expected as
  tenants; an operator hosting one would need a kind for it). See `buyer_type_for`.
- **The duty follows the contract's subject.** The Social Value Act covers services contracts: above threshold the
  duty applies to services and light-touch services; for goods or works the tender is above threshold but the
  duty does not apply by law (`duty_applies` is then False and the explanation says so).
- **Several rows for the same day** (an operator's overlapping edit): the one with the latest start wins.
- **No row** for the date, buyer type and category (for example works under the earlier regime from 2012, which
  the guidance does not quote): `threshold` is None, `above` is False and the explanation says the value cannot be
  assessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from foundation.formatting import date_long, money_pence_if_any

# Values of the choices in tenders/models.py (Regime, BuyerType, ThresholdCategory, VatBasis, TenderCategory);
# repeated as plain strings so this module needs no Django (a test keeps them equal).
PA_2023 = "pa2023"
PCR = "pcr2015"
CENTRAL = "central"
SUB_CENTRAL = "sub_central"
UTILITIES = "utilities"
DEFENCE = "defence"
GOODS_SERVICES = "goods_services"
WORKS = "works"
LIGHT_TOUCH = "light_touch"
CONCESSIONS = "concessions"
INCLUSIVE = "inclusive"
EXCLUSIVE = "exclusive"

PROCUREMENT_ACT_COMMENCEMENT = date(2025, 2, 24)

REGIME_NAMES = {PA_2023: "the Procurement Act 2023", PCR: "the Public Contracts Regulations"}
BUYER_PHRASES = {
    CENTRAL: "central government",
    SUB_CENTRAL: "sub-central authorities",
    UTILITIES: "utilities",
    DEFENCE: "defence and security authorities",
}
CATEGORY_PHRASES = {
    GOODS_SERVICES: "goods and services",
    WORKS: "works",
    LIGHT_TOUCH: "light-touch services",
    CONCESSIONS: "concessions",
}
VAT_PHRASES = {INCLUSIVE: "including VAT", EXCLUSIVE: "excluding VAT"}

# Tender category (TenderCategory) -> threshold category (ThresholdCategory).
TENDER_TO_THRESHOLD_CATEGORY = {
    "goods": GOODS_SERVICES,
    "services": GOODS_SERVICES,
    "works": WORKS,
    "light_touch": LIGHT_TOUCH,
}
# The Social Value Act duty covers services contracts.
SERVICES_CATEGORIES = frozenset({"services", "light_touch"})

# AuthorityKind -> BuyerType. Every kind is sub-central (see the module docstring).
AUTHORITY_KIND_BUYER_TYPES = {
    "district": SUB_CENTRAL,
    "county": SUB_CENTRAL,
    "unitary": SUB_CENTRAL,
    "metropolitan_borough": SUB_CENTRAL,
    "london_borough": SUB_CENTRAL,
    "combined_authority": SUB_CENTRAL,
    "nhs_body": SUB_CENTRAL,
    "other": SUB_CENTRAL,
}

PENNY = Decimal("0.01")


@dataclass(frozen=True)
class ThresholdRow:
    """One threshold in force for a period (the shape of a `tenders.models.Threshold` row). `effective_to` is the
    last day in force, None while in force."""

    regime: str
    buyer_type: str
    category: str
    value: Decimal
    vat_basis: str
    effective_from: date
    effective_to: date | None = None
    source: str = ""
    confirmed: bool = True

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def as_dict(self) -> dict:
        return {
            "regime": self.regime,
            "buyer_type": self.buyer_type,
            "category": self.category,
            "value": str(self.value),
            "vat_basis": self.vat_basis,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "source": self.source,
            "confirmed": self.confirmed,
        }


@dataclass(frozen=True)
class ThresholdAssessment:
    """What `assess_threshold` found. `compared_value` is the value on the threshold's VAT basis (None when no
    threshold applies); `duty_applies` is whether the Social Value Act duty applies by law."""

    regime: str
    threshold: ThresholdRow | None
    above: bool
    compared_value: Decimal | None
    explanation: str
    duty_applies: bool = False

    def as_dict(self) -> dict:
        """A JSON-ready copy, as kept in `Tender.threshold_assessment`."""
        return {
            "regime": self.regime,
            "threshold": self.threshold.as_dict() if self.threshold else None,
            "above": self.above,
            "compared_value": str(self.compared_value) if self.compared_value is not None else None,
            "explanation": self.explanation,
            "duty_applies": self.duty_applies,
        }


# The rule -----------------------------------------------------------------------------------------------------


def regime_for(start_date: date) -> str:
    """The procurement regime for a procurement started on `start_date`."""
    return PA_2023 if start_date >= PROCUREMENT_ACT_COMMENCEMENT else PCR


def buyer_type_for(authority_kind: str) -> str:
    """The buyer type (`BuyerType` value) for an authority's kind (`AuthorityKind` value): always sub-central for
    the kinds the product knows (councils, combined authorities, NHS bodies and other public bodies)."""
    try:
        return AUTHORITY_KIND_BUYER_TYPES[authority_kind]
    except KeyError:
        raise ValueError(f"No buyer type is known for the authority kind {authority_kind!r}") from None


def threshold_category_for(tender_category: str) -> str:
    """The threshold category (`ThresholdCategory` value) for a tender's category (`TenderCategory` value)."""
    try:
        return TENDER_TO_THRESHOLD_CATEGORY[tender_category]
    except KeyError:
        raise ValueError(f"No threshold category is known for the tender category {tender_category!r}") from None


def threshold_in_force(
    thresholds: Iterable[ThresholdRow], *, regime: str, buyer_type: str, category: str, on: date
) -> ThresholdRow | None:
    """The row of `regime` for this buyer type and threshold category in force on the day, or None; of rows that
    overlap, the one that started latest."""
    candidates = [
        row
        for row in thresholds
        if row.regime == regime and row.buyer_type == buyer_type and row.category == category and row.in_force_on(on)
    ]
    return max(candidates, key=lambda row: row.effective_from, default=None)


def _period(row: ThresholdRow) -> str:
    text = f"in force from {date_long(row.effective_from)}"
    if row.effective_to is not None:
        text += f" to {date_long(row.effective_to)}"
    if not row.confirmed:
        text += " (unconfirmed)"
    return text


def _consequence(*, above: bool, tender_category: str) -> str:
    if not above:
        return "the Social Value Act duty does not apply by law, but the authority may still apply it by local policy"
    if tender_category in SERVICES_CATEGORIES:
        return "the Social Value Act duty applies"
    return (
        f"the Social Value Act duty covers services contracts, so it does not apply by law to this "
        f"{tender_category} contract, but the authority may still apply it by local policy"
    )


def assess_threshold(
    *,
    buyer_type: str,
    category: str,
    value_excluding_vat: Decimal,
    value_including_vat: Decimal,
    start_date: date,
    thresholds: Iterable[ThresholdRow],
) -> ThresholdAssessment:
    """Assess a procurement against the threshold in force when it started.

    `buyer_type` is a `BuyerType` value (see `buyer_type_for`), `category` a `TenderCategory` value (goods,
    services, works, light_touch), the values are the estimated contract value without and with VAT, and
    `start_date` the procurement's start date (callers with no start date pass today's). A value equal to the
    threshold is above it (the law applies to contracts "not less than" the threshold).
    """
    excluding = Decimal(value_excluding_vat).quantize(PENNY, rounding=ROUND_HALF_UP)
    including = Decimal(value_including_vat).quantize(PENNY, rounding=ROUND_HALF_UP)
    if excluding < 0 or including < 0:
        raise ValueError("The contract value cannot be negative")
    if buyer_type not in BUYER_PHRASES:
        raise ValueError(f"Unknown buyer type {buyer_type!r}")
    threshold_category = threshold_category_for(category)
    regime = regime_for(start_date)
    subject = f"{CATEGORY_PHRASES[threshold_category]} bought by {BUYER_PHRASES[buyer_type]}"
    row = threshold_in_force(
        thresholds, regime=regime, buyer_type=buyer_type, category=threshold_category, on=start_date
    )
    if row is None:
        explanation = (
            f"No threshold is recorded for {subject} under {REGIME_NAMES[regime]} for a procurement started on "
            f"{date_long(start_date)}, so {money_pence_if_any(excluding)} excluding VAT "
            f"({money_pence_if_any(including)} including VAT) cannot be assessed: check the threshold before deciding "
            f"whether the Social Value Act duty applies"
        )
        return ThresholdAssessment(
            regime=regime, threshold=None, above=False, compared_value=None, explanation=explanation
        )
    compared = including if row.vat_basis == INCLUSIVE else excluding
    above = compared >= row.value  # "not less than" the threshold
    explanation = (
        f"{money_pence_if_any(compared)} {VAT_PHRASES[row.vat_basis]} is {'above' if above else 'below'} the "
        f"{money_pence_if_any(row.value)} threshold for {subject}, {_period(row)}: "
        f"{_consequence(above=above, tender_category=category)}"
    )
    return ThresholdAssessment(
        regime=regime,
        threshold=row,
        above=above,
        compared_value=compared,
        explanation=explanation,
        duty_applies=above and category in SERVICES_CATEGORIES,
    )


# Loading the rows -------------------------------------------------------------------------------------------


def row_from_model(threshold) -> ThresholdRow:
    return ThresholdRow(
        regime=threshold.regime,
        buyer_type=threshold.buyer_type,
        category=threshold.category,
        value=threshold.value,
        vat_basis=threshold.vat_basis,
        effective_from=threshold.effective_from,
        effective_to=threshold.effective_to,
        source=threshold.source,
        confirmed=threshold.confirmed,
    )


def thresholds_from_db() -> list[ThresholdRow]:
    """Every `Threshold` row, as `ThresholdRow`s for `assess_threshold` (one query)."""
    from .models import Threshold

    return [row_from_model(threshold) for threshold in Threshold.objects.all()]
