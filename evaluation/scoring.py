"""Scoring rules: pure functions over plain numbers, so the pages, the evaluation pack and the benchmark compute
the same figures.

PRODUCT.md: "quantitative social value = Σ quantity × proxy value (monetised), optionally normalised against the
best offer; qualitative criteria scored on a published scale with written rationale; total = weighted sum of price,
quality and social value."

Every criterion belongs to one part (price, quality, social value) and holds a share of that part; the tender's
weightings give each part its points out of 100. A criterion contributes `part weight × share × fraction`, where the
fraction (0 to 1) is how the offer did on it:
- price, by default: lowest price ÷ offer price (the cheapest offer gets full marks);
- a qualitative criterion: the moderated score ÷ the top of its scale;
- quantitative social value: per relevant measure, the offer's net monetised value ÷ the best offer's, weighted by
  the measure's weight within the tender.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
# RULES.md moderation: on a 0–5 scale a difference of 2 or more; generally 40% of the scale.
SPREAD_SHARE = Decimal("0.4")


class ScoringError(ValueError):
    """Input the rules cannot score: the message is fit to show a user."""


class Part(StrEnum):
    PRICE = "price"
    QUALITY = "quality"
    SOCIAL_VALUE = "social_value"


class PriceFormula(StrEnum):
    LOWEST_RATIO = "lowest_ratio"
    LINEAR_DEDUCTION = "linear_deduction"


PRICE_FORMULA_TEXT = {
    PriceFormula.LOWEST_RATIO: "Price score = lowest price ÷ this offer's price × the price weighting.",
    PriceFormula.LINEAR_DEDUCTION: (
        "Price score = (1 − (this offer's price − lowest price) ÷ lowest price) × the price weighting, and never "
        "below 0: each 1% above the lowest price loses 1% of the price marks."
    ),
}
QUANTITATIVE_TEXT = (
    "Social value (commitments) score = for each relevant measure, this offer's net monetised value ÷ the best "
    "offer's, weighted by the measure's weight, × the weighting for commitments."
)


class TieBreak(StrEnum):
    QUALITY = "quality"
    PRICE = "price"
    SOCIAL_VALUE = "social_value"


TIE_BREAK_TEXT = {
    TieBreak.QUALITY: "Equal totals are ranked by the higher quality score.",
    TieBreak.PRICE: "Equal totals are ranked by the lower price.",
    TieBreak.SOCIAL_VALUE: "Equal totals are ranked by the higher social value score.",
}


def price_fractions(prices: Mapping[Hashable, Decimal], formula: PriceFormula = PriceFormula.LOWEST_RATIO) -> dict:
    """Each offer's price fraction (0 to 1). Prices must be more than £0."""
    if not prices:
        return {}
    for price in prices.values():
        if price is None or price <= 0:
            raise ScoringError("Every offer needs a price of more than £0 to be scored")
    lowest = min(prices.values())
    if formula == PriceFormula.LOWEST_RATIO:
        return {key: lowest / price for key, price in prices.items()}
    if formula == PriceFormula.LINEAR_DEDUCTION:
        return {key: max(ZERO, ONE - (price - lowest) / lowest) for key, price in prices.items()}
    raise ScoringError(f"Unknown price formula {formula!r}")


def quantitative_fractions(
    values: Mapping[Hashable, Mapping[Hashable, Decimal]], measure_weights: Mapping[Hashable, Decimal]
) -> dict:
    """Each offer's commitments fraction (0 to 1): per measure, value ÷ the best offer's value on that measure
    (nobody offering anything scores 0 for everyone), combined by the measures' weights."""
    total_weight = sum((Decimal(w) for w in measure_weights.values()), ZERO)
    if total_weight <= 0:
        return dict.fromkeys(values, ZERO)
    best = {
        measure: max((Decimal(v.get(measure, ZERO)) for v in values.values()), default=ZERO)
        for measure in measure_weights
    }
    fractions = {}
    for key, offer_values in values.items():
        points = ZERO
        for measure, weight in measure_weights.items():
            if best[measure] > 0:
                points += Decimal(weight) * max(ZERO, Decimal(offer_values.get(measure, ZERO))) / best[measure]
        fractions[key] = points / total_weight
    return fractions


def scale_fraction(score: Decimal, scale_max: int) -> Decimal:
    if score < 0 or score > scale_max:
        raise ScoringError(f"A score must be from 0 to {scale_max}")
    return Decimal(score) / Decimal(scale_max)


@dataclass(frozen=True)
class Criterion:
    key: Hashable
    part: Part
    share: Decimal  # % of its part; the criteria of a part add up to 100


def criterion_weights(part_weights: Mapping[Part, Decimal], criteria: list[Criterion]) -> dict:
    """Each criterion's points out of 100: its part's weighting × its share of the part."""
    return {c.key: Decimal(part_weights.get(c.part, ZERO)) * Decimal(c.share) / HUNDRED for c in criteria}


def totals(
    criteria: list[Criterion],
    part_weights: Mapping[Part, Decimal],
    fractions: Mapping[Hashable, Mapping[Hashable, Decimal]],
) -> dict:
    """Each offer's weighted total: Σ criterion weight × the offer's fraction on it (a missing fraction is 0)."""
    weights = criterion_weights(part_weights, criteria)
    return {
        offer: sum((weights[key] * Decimal(got.get(key, ZERO)) for key in weights), ZERO)
        for offer, got in fractions.items()
    }


def part_totals(
    criteria: list[Criterion],
    part_weights: Mapping[Part, Decimal],
    fractions: Mapping[Hashable, Mapping[Hashable, Decimal]],
) -> dict:
    """Each offer's points per part: what the tie-break rule and the assessment summaries show."""
    weights = criterion_weights(part_weights, criteria)
    return {
        offer: {
            part: sum((weights[c.key] * Decimal(got.get(c.key, ZERO)) for c in criteria if c.part == part), ZERO)
            for part in Part
        }
        for offer, got in fractions.items()
    }


@dataclass(frozen=True)
class Ranked:
    key: Hashable
    total: Decimal
    rank: int
    tied: bool  # shares its rank with another offer after the tie-break


def rank(offer_totals: Mapping[Hashable, Decimal], tie_values: Mapping[Hashable, Decimal] | None = None) -> list:
    """Offers by total, highest first; equal totals are ordered by `tie_values` (higher first: pass the quality or
    social value points, or the price points for "lower price"). Offers equal on both share a rank (1, 2, 2, 4)."""
    tie_values = tie_values or {}

    def order(key):
        return (offer_totals[key], Decimal(tie_values.get(key, ZERO)))

    ordered = sorted(offer_totals, key=lambda key: (order(key)[0], order(key)[1]), reverse=True)
    ranked, position = [], 0
    for index, key in enumerate(ordered):
        if index == 0 or order(key) != order(ordered[index - 1]):
            position = index + 1
        tied = (index > 0 and order(key) == order(ordered[index - 1])) or (
            index + 1 < len(ordered) and order(key) == order(ordered[index + 1])
        )
        ranked.append(Ranked(key, offer_totals[key], position, tied))
    return ranked


def tie_break_values(tie_break: TieBreak, parts: Mapping[Hashable, Mapping[Part, Decimal]]) -> dict:
    part = {TieBreak.QUALITY: Part.QUALITY, TieBreak.PRICE: Part.PRICE, TieBreak.SOCIAL_VALUE: Part.SOCIAL_VALUE}
    return {offer: points[part[tie_break]] for offer, points in parts.items()}


def spread_flagged(scores: list, scale_max: int) -> bool:
    """Evaluators disagree enough to discuss: the highest and lowest scores differ by 40% of the scale or more."""
    return len(scores) >= 2 and Decimal(max(scores) - min(scores)) >= SPREAD_SHARE * scale_max


def shifted_weights(part_weights: Mapping[Part, Decimal], points: Decimal) -> dict:
    """The weightings with social value moved by `points` (kept within 0–100), the difference taken from or given
    to price and quality in proportion to their weightings."""
    social = Decimal(part_weights.get(Part.SOCIAL_VALUE, ZERO))
    new_social = min(HUNDRED, max(ZERO, social + Decimal(points)))
    others = {part: Decimal(part_weights.get(part, ZERO)) for part in (Part.PRICE, Part.QUALITY)}
    rest = sum(others.values(), ZERO)
    remaining = HUNDRED - new_social
    if rest <= 0:
        shifted = {Part.PRICE: remaining / 2, Part.QUALITY: remaining / 2}
    else:
        shifted = {part: weight * remaining / rest for part, weight in others.items()}
    return {**shifted, Part.SOCIAL_VALUE: new_social}


@dataclass(frozen=True)
class Sensitivity:
    winners: dict  # points moved (−5, 0, +5) → the keys ranked first
    changes: bool  # the winner differs under at least one of the moves


def sensitivity(
    criteria: list[Criterion],
    part_weights: Mapping[Part, Decimal],
    fractions: Mapping[Hashable, Mapping[Hashable, Decimal]],
    tie_break: TieBreak = TieBreak.QUALITY,
    points: Decimal = Decimal("5"),
) -> Sensitivity:
    """Whether the winner changes if the social value weighting moves by ±`points`."""
    winners = {}
    for moved in (-Decimal(points), ZERO, Decimal(points)):
        weights = shifted_weights(part_weights, moved)
        ranking = rank(
            totals(criteria, weights, fractions),
            tie_break_values(tie_break, part_totals(criteria, weights, fractions)),
        )
        winners[int(moved)] = frozenset(r.key for r in ranking if r.rank == 1)
    return Sensitivity(winners, len(set(winners.values())) > 1)
