"""Monetising social value: quantity × proxy value, gross, and net of SROI deflators.

RULES.md: "SROI deflators (deadweight, attribution, displacement, drop-off) are optional per-measure percentages
applied to monetised values and shown separately from the gross figure."

- gross = quantity × proxy value (£ per unit), per year of delivery;
- net = gross × (1 − deadweight) × (1 − attribution) × (1 − displacement), each as a fraction (what would have
  happened anyway, what others contributed, what was merely moved from elsewhere);
- drop-off applies from the second year: year n counts (1 − drop-off)^(n − 1) of the first year's net value.
A missing proxy value monetises to nothing (the commitment still counts in its own unit); a missing deflator is 0%.
Amounts are rounded to the penny only at the end.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
PENNY = Decimal("0.01")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Monetised:
    gross: Decimal
    net: Decimal

    def __add__(self, other: "Monetised") -> "Monetised":
        return Monetised(self.gross + other.gross, self.net + other.net)


NOTHING = Monetised(ZERO, ZERO)


def _fraction(percent) -> Decimal:
    return (Decimal(percent) if percent is not None else ZERO) / HUNDRED


def monetise(
    *,
    quantity,
    proxy_value,
    deadweight_pct=None,
    attribution_pct=None,
    displacement_pct=None,
    dropoff_pct=None,
    years: int = 1,
) -> Monetised:
    """The value of delivering `quantity` units every year for `years` years (1 by default)."""
    if years < 1:
        raise ValueError("years must be at least 1")
    quantity = Decimal(quantity)
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    if proxy_value is None:
        return NOTHING
    annual_gross = quantity * Decimal(proxy_value)
    keep = (1 - _fraction(deadweight_pct)) * (1 - _fraction(attribution_pct)) * (1 - _fraction(displacement_pct))
    decay = 1 - _fraction(dropoff_pct)
    # 1 + decay + decay² + …, multiplied out: Decimal refuses 0 ** 0 when drop-off is 100%.
    year_weights, weight = ZERO, Decimal("1")
    for _ in range(years):
        year_weights += weight
        weight *= decay
    gross = annual_gross * years
    net = annual_gross * keep * year_weights
    return Monetised(_round(gross), _round(net))


def monetise_measure(measure, quantity, *, years: int = 1) -> Monetised:
    """`monetise` with the proxy and deflators of a measure (a CharterMeasure or anything with those fields)."""
    return monetise(
        quantity=quantity,
        proxy_value=measure.proxy_value_gbp,
        deadweight_pct=measure.deadweight_pct,
        attribution_pct=measure.attribution_pct,
        displacement_pct=measure.displacement_pct,
        dropoff_pct=measure.dropoff_pct,
        years=years,
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def share_of(value: Decimal, whole: Decimal) -> Decimal | None:
    """`value` as a percentage of `whole` (e.g. social value as a share of the contract value), to 0.1%."""
    if not whole:
        return None
    return (Decimal(value) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
