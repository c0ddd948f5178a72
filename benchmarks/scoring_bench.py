"""Re-scoring benchmark: totals, ranking and sensitivity for a tender with 500 offers, 20 measures and 5
evaluators, as after a moderation change. Run with `make bench`; the figure goes in docs/performance.md.

It times evaluation/scoring.py on data shaped like a real evaluation (prices, net monetised values per measure,
moderated scores on six questions); the database reads around it are covered by the query-count tests."""

import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation import scoring
from evaluation.scoring import Criterion, Part

OFFERS, MEASURES, EVALUATORS, QUESTIONS, RUNS = 500, 20, 5, 6, 5


def build(seed=2026):
    rng = random.Random(seed)
    measure_weights = {m: Decimal(5) for m in range(MEASURES)}
    questions = [f"q{n}" for n in range(QUESTIONS)]
    criteria = [Criterion("price", Part.PRICE, Decimal(100)), Criterion("commitments", Part.SOCIAL_VALUE, Decimal(50))]
    criteria += [Criterion(q, Part.QUALITY, Decimal(25)) for q in questions[:4]]
    criteria += [Criterion(q, Part.SOCIAL_VALUE, Decimal(25)) for q in questions[4:]]
    offers = {}
    for offer in range(OFFERS):
        # Each evaluator's score, then the moderated one the ranking uses (the median, as a stand-in).
        individual = {q: [rng.randint(0, 5) for _ in range(EVALUATORS)] for q in questions}
        offers[offer] = {
            "price": Decimal(rng.randint(150_000, 400_000)),
            "values": {m: Decimal(rng.randint(0, 200_000)) for m in range(MEASURES)},
            "scores": {q: Decimal(statistics.median(s)) for q, s in individual.items()},
            "individual": individual,
        }
    weights = {Part.PRICE: Decimal(60), Part.QUALITY: Decimal(25), Part.SOCIAL_VALUE: Decimal(15)}
    return criteria, weights, measure_weights, offers


def rescore(criteria, weights, measure_weights, offers):
    price = scoring.price_fractions({o: d["price"] for o, d in offers.items()})
    commitments = scoring.quantitative_fractions({o: d["values"] for o, d in offers.items()}, measure_weights)
    fractions = {
        o: {
            "price": price[o],
            "commitments": commitments[o],
            **{q: scoring.scale_fraction(s, 5) for q, s in d["scores"].items()},
        }
        for o, d in offers.items()
    }
    spreads = sum(scoring.spread_flagged(s, 5) for d in offers.values() for s in d["individual"].values())
    totals = scoring.totals(criteria, weights, fractions)
    parts = scoring.part_totals(criteria, weights, fractions)
    ranking = scoring.rank(totals, scoring.tie_break_values(scoring.TieBreak.QUALITY, parts))
    sensitivity = scoring.sensitivity(criteria, weights, fractions)
    return ranking, sensitivity, spreads


def main():
    data = build()
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        ranking, sensitivity, spreads = rescore(*data)
        timings.append(time.perf_counter() - started)
    print(
        f"{OFFERS} offers, {MEASURES} measures, {EVALUATORS} evaluators, {QUESTIONS} questions: "
        f"best {min(timings):.3f} s, median {statistics.median(timings):.3f} s over {RUNS} runs "
        f"(winner {ranking[0].key}, {spreads} spreads flagged, winner changes with ±5 points: {sensitivity.changes})"
    )
    return 0 if max(timings) < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
