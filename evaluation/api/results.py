"""Results: the weighted ranking per lot, with its sensitivity, once moderation is finalised."""

from decimal import Decimal

from rest_framework import serializers

from accounts.api.generic import Doc, RetrieveMixin
from tenders.models import Lot

from .. import scoring, selectors, services
from ..models import EvaluationStatus
from .common import READ
from .evaluations import EvaluationsView
from .moderation import supplier_name

# Results ---------------------------------------------------------------------------------------------------------


class ResultCriterionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`price`, `commitments`, or `q<question id>`.")
    part = serializers.ChoiceField(choices=[p.value for p in scoring.Part])
    points = serializers.DecimalField(max_digits=9, decimal_places=4, help_text="Its points out of 100.")


class ResultPartsSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=9, decimal_places=4)
    quality = serializers.DecimalField(max_digits=9, decimal_places=4)
    social_value = serializers.DecimalField(max_digits=9, decimal_places=4)


class ResultRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    tied = serializers.BooleanField(help_text="Still level with another offer after the tie-break rule.")
    offer_id = serializers.IntegerField()
    supplier = serializers.CharField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    total = serializers.DecimalField(max_digits=9, decimal_places=4, help_text="Points out of 100.")
    parts = ResultPartsSerializer(help_text="Points per part.")
    commitments_net_gbp = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="The commitments' monetised value, net of deflators."
    )
    below_minimum = serializers.ListField(
        child=serializers.CharField(), help_text="Measure codes committed below the tender's minimum quantity."
    )


class SensitivityMoveSerializer(serializers.Serializer):
    moved = serializers.IntegerField(help_text="Points moved to (or from) the social value weighting.")
    social_value_weight = serializers.DecimalField(max_digits=9, decimal_places=4)
    winners = serializers.ListField(child=serializers.IntegerField(), help_text="The offers ranked first.")


class SensitivitySerializer(serializers.Serializer):
    changes = serializers.BooleanField(help_text="Whether the winner changes under any of the moves.")
    moves = SensitivityMoveSerializer(many=True)


class LotResultsSerializer(serializers.Serializer):
    lot = serializers.IntegerField(allow_null=True, help_text="The lot's number, or null for the whole tender.")
    price_formula_text = serializers.CharField()
    tie_break_text = serializers.CharField()
    criteria = ResultCriterionSerializer(many=True)
    ranking = ResultRowSerializer(many=True)
    sensitivity = SensitivitySerializer(allow_null=True)
    problems = serializers.ListField(child=serializers.CharField(), help_text="Why a part could not be scored.")


class ResultsSerializer(serializers.Serializer):
    evaluation_id = serializers.IntegerField()
    lots = LotResultsSerializer(many=True)


def _lot_results(evaluation, lot) -> dict:
    results = selectors.results(evaluation, lot)
    ranking = [
        {
            "rank": row.rank,
            "tied": row.tied,
            "offer_id": row.offer.pk,
            "supplier": supplier_name(row.offer, row.submission),
            "price": row.price,
            "total": row.total,
            "parts": {part.value: row.parts.get(part, Decimal("0")) for part in scoring.Part},
            "commitments_net_gbp": row.commitments_net,
            "below_minimum": row.below_minimum,
        }
        for row in results.rows
    ]
    sensitivity = None
    if results.sensitivity is not None:
        moves = [
            {
                "moved": moved,
                "social_value_weight": scoring.shifted_weights(results.part_weights, Decimal(moved))[
                    scoring.Part.SOCIAL_VALUE
                ],
                "winners": sorted(keys),
            }
            for moved, keys in sorted(results.sensitivity.winners.items())
        ]
        sensitivity = {"changes": results.sensitivity.changes, "moves": moves}
    return {
        "lot": lot.number if lot else None,
        "price_formula_text": results.price_formula_text,
        "tie_break_text": results.tie_break_text,
        "criteria": [
            {"key": c.key, "part": c.part.value, "points": results.criterion_weights[c.key]} for c in results.criteria
        ],
        "ranking": ranking,
        "sensitivity": sensitivity,
        "problems": results.problems,
    }


class Results(RetrieveMixin, EvaluationsView):
    method_permissions = {"GET": "evaluation.view"}
    output_serializer = ResultsSerializer
    docs = {
        "get": Doc(
            "evaluations_results_retrieve",
            "Read the results",
            "Once moderation is finalised (409 before): per lot, the ranking with each offer's points by "
            "part, the criteria's points, and whether the winner changes if the social value weighting moves by 5 "
            "points either way.",
            responses={200: ResultsSerializer},
            errors=(*READ, 409),
        )
    }

    def present(self, evaluation) -> dict:
        if evaluation.status == EvaluationStatus.SCORING:
            raise services.StateRefused("The results appear once moderation is finalised.")
        lots = list(Lot.objects.filter(tender=evaluation.tender).order_by("number")) or [None]
        data = {"evaluation_id": evaluation.pk, "lots": [_lot_results(evaluation, lot) for lot in lots]}
        return ResultsSerializer(data).data
