"""Evaluations: the list, starting one for a tender (or lot) whose offers are opened, one evaluation."""

from decimal import Decimal

from rest_framework import exceptions, serializers

from accounts.api.generic import CreateMixin, Doc, ListMixin, ObjectEndpoint, RetrieveMixin
from tenders import sealing
from tenders import selectors as tender_selectors

from .. import selectors, services
from ..models import ConflictDecision, Declaration, EvaluationStatus
from ..scoring import PRICE_FORMULA_TEXT, TIE_BREAK_TEXT, PriceFormula, TieBreak
from .common import READ, TAG_EVALUATIONS, WRITE, person_name

# Evaluations ----------------------------------------------------------------------------------------------------


class EvaluatorPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField(help_text="Their full name, or their email address if none is given.")
    email = serializers.EmailField()

    def get_name(self, user) -> str:
        return person_name(user)


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tender_id = serializers.IntegerField()
    tender_reference = serializers.CharField(source="tender.reference")
    tender_title = serializers.CharField(source="tender.title")
    status = serializers.ChoiceField(choices=EvaluationStatus.choices)
    price_formula = serializers.ChoiceField(choices=[f.value for f in PriceFormula])
    price_formula_text = serializers.SerializerMethodField(help_text="How price is scored, in words.")
    tie_break = serializers.ChoiceField(choices=[t.value for t in TieBreak])
    tie_break_text = serializers.SerializerMethodField(help_text="Which offer ranks higher on equal totals.")
    commitments_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="% of the social value weighting given to the commitments."
    )
    moderator = EvaluatorPersonSerializer(allow_null=True, help_text="The panel member who moderates, once chosen.")
    panel_size = serializers.IntegerField(help_text="How many evaluators are on the panel (excluded ones too).")
    members_still_scoring = serializers.IntegerField(
        help_text="Panel members (not excluded) who have not submitted their scores yet. Never anyone's scores."
    )
    created_at = serializers.DateTimeField()
    finalised_at = serializers.DateTimeField(allow_null=True)

    def get_price_formula_text(self, evaluation) -> str:
        return PRICE_FORMULA_TEXT[PriceFormula(evaluation.price_formula)]

    def get_tie_break_text(self, evaluation) -> str:
        return TIE_BREAK_TEXT[TieBreak(evaluation.tie_break)]


class PanelMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The panel member's id: the address of their declaration and scores.")
    user = EvaluatorPersonSerializer()
    is_moderator = serializers.SerializerMethodField()
    declaration = serializers.ChoiceField(choices=Declaration.choices)
    interest = serializers.SerializerMethodField(
        help_text="The interest declared: shown to the member and to procurement officers, empty for others."
    )
    declared_at = serializers.DateTimeField(allow_null=True)
    decision = serializers.ChoiceField(choices=ConflictDecision.choices, allow_blank=True)
    decision_note = serializers.SerializerMethodField(help_text="The mitigation or reason, as `interest` is shown.")
    decided_at = serializers.DateTimeField(allow_null=True)
    may_see_offers = serializers.BooleanField(
        help_text="Declared no conflict, or a declared interest allowed: only then does the member read offers."
    )
    scores_submitted_at = serializers.DateTimeField(allow_null=True)

    def _shown(self, member) -> bool:
        return self.context.get("can_manage") or member.user_id == self.context.get("user_id")

    def get_is_moderator(self, member) -> bool:
        return member.user_id == member.evaluation.moderator_id

    def get_interest(self, member) -> str:
        return member.interest if self._shown(member) else ""

    def get_decision_note(self, member) -> str:
        return member.decision_note if self._shown(member) else ""


class EvaluationDetailSerializer(EvaluationSerializer):
    panel = PanelMemberSerializer(source="panel_list", many=True)
    your_panel_member_id = serializers.IntegerField(
        allow_null=True, help_text="Your own place on the panel, if you sit on it."
    )
    moderated_scores_missing = serializers.IntegerField(
        allow_null=True, help_text="While scoring: offer × question pairs still without an agreed score."
    )


class EvaluationStartSerializer(serializers.Serializer):
    tender = serializers.IntegerField(help_text="The tender to evaluate: its offers must have been opened.")
    price_formula = serializers.ChoiceField(choices=[f.value for f in PriceFormula], default=PriceFormula.LOWEST_RATIO)
    tie_break = serializers.ChoiceField(choices=[t.value for t in TieBreak], default=TieBreak.QUALITY)
    commitments_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text="% of the social value weighting for the commitments; the rest for method statement questions.",
    )


class EvaluationsView(ObjectEndpoint):
    """An endpoint about the evaluation the URL names (`evaluation_id`)."""

    tags = TAG_EVALUATIONS
    selector, lookup, not_found = selectors.evaluation_get, "evaluation_id", "No such evaluation."
    object_argument = "evaluation"

    def _evaluation(self, evaluation_id):
        """An evaluation of the authority by id: the URL's, or one just started or changed, read again."""
        evaluation = selectors.evaluation_get(self.authority, evaluation_id)
        if evaluation is None:
            raise exceptions.NotFound(self.not_found)
        return evaluation

    def _context(self) -> dict:
        return {"can_manage": self.can("evaluation.manage"), "user_id": self.request.user.pk}

    def _detail(self, evaluation) -> dict:
        panel = selectors.panel_for(evaluation)
        for member in panel:
            member.evaluation = evaluation
        evaluation.panel_size = len(panel)
        evaluation.members_still_scoring = sum(
            1 for m in panel if m.decision != ConflictDecision.EXCLUDED and m.scores_submitted_at is None
        )
        evaluation.panel_list = panel
        evaluation.your_panel_member_id = next((m.pk for m in panel if m.user_id == self.request.user.pk), None)
        scoring_now = evaluation.status == EvaluationStatus.SCORING
        evaluation.moderated_scores_missing = selectors.missing_moderated_scores(evaluation) if scoring_now else None
        return EvaluationDetailSerializer(evaluation, context=self._context()).data


class EvaluationList(ListMixin, CreateMixin, EvaluationsView):
    method_permissions = {"GET": "evaluation.view", "POST": "evaluation.manage"}
    selector = None  # the new evaluation is the authority's: no evaluation in the URL
    output_serializer, page_name = EvaluationSerializer, "EvaluationPage"
    create_serializer, create_service = EvaluationStartSerializer, services.evaluation_start
    docs = {
        "get": Doc(
            "evaluations_list",
            "List evaluations",
            "The authority's evaluations, newest first, with where each stands: procurement officers and "
            "evaluators (`evaluation.view`). Progress only, never a score.",
            errors=READ,
        ),
        "post": Doc(
            "evaluations_create",
            "Start the evaluation of a tender",
            "Procurement officers (`evaluation.manage`), once the tender's offers have been opened. One "
            "evaluation per tender (409 if it has started). Then form the panel.",
            errors=WRITE,
            responses={201: EvaluationDetailSerializer},
        ),
    }

    def items(self):
        return selectors.evaluations_for(self.authority)

    def create(self, authority, data: dict):
        tender = tender_selectors.tender_for_staff(authority, data.pop("tender"))
        if tender is None:
            raise exceptions.ValidationError({"tender": ["Choose one of the authority's tenders"]})
        if not sealing.offers_opened(tender):
            raise exceptions.ValidationError({"tender": [sealing.sealed_message(tender)]})
        evaluation = self.create_service(tender=tender, acting_user=self.request.user, **data)
        return self._evaluation(evaluation.pk)

    def present(self, evaluation) -> dict:
        return self._detail(evaluation)


class EvaluationDetail(RetrieveMixin, EvaluationsView):
    method_permissions = {"GET": "evaluation.view"}
    output_serializer = EvaluationDetailSerializer
    docs = {
        "get": Doc(
            "evaluations_retrieve",
            "Read an evaluation",
            "Its rules, its panel (each member's declaration and the decision on a declared interest, "
            "whether they have submitted) and its progress. Never anyone's scores.",
            errors=READ,
        )
    }

    def present(self, evaluation) -> dict:
        return self._detail(evaluation)
