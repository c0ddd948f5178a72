"""The panel: members and the moderator, conflict of interest declarations and the decisions on them."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import validated
from accounts.api.generic import ActionMixin, Doc, ObjectEndpoint

from .. import selectors, services
from ..models import ConflictDecision, PanelMember
from .common import READ_ERRORS, TAG_EVALUATIONS, TAG_SCORING, WRITE, WRITE_ERRORS
from .evaluations import EvaluationDetailSerializer, EvaluationsView, PanelMemberSerializer

# The panel -------------------------------------------------------------------------------------------------------


class PanelMemberAddSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="The id of one of the authority's evaluators not yet on the panel.")


class ModeratorSerializer(serializers.Serializer):
    moderator = serializers.IntegerField(help_text="The panel member id of the moderator (not an excluded one).")


class Panel(EvaluationsView):
    method_permissions = {"GET": "evaluation.view", "POST": "evaluation.manage"}

    @extend_schema(
        operation_id="evaluations_panel_list",
        summary="List the panel",
        description="The panel members with their declarations and the decisions on declared interests. The text of "
        "an interest and of a decision only for procurement officers and the member.",
        responses={200: PanelMemberSerializer(many=True), **READ_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def get(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        panel = selectors.panel_for(evaluation)
        for member in panel:
            member.evaluation = evaluation
        return Response(PanelMemberSerializer(panel, many=True, context=self._context()).data)

    @extend_schema(
        operation_id="evaluations_panel_create",
        summary="Add an evaluator to the panel",
        description="Procurement officers (`evaluation.manage`), while scoring is open. They then declare any "
        "conflict of interest before they see an offer.",
        request=PanelMemberAddSerializer,
        responses={201: PanelMemberSerializer, **WRITE_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def post(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        data = validated(PanelMemberAddSerializer, request.data)
        # Chosen among the candidates, as on the page: another person's id reveals nothing about them.
        user = next((u for u in selectors.evaluators_to_add(evaluation) if u.pk == data["user"]), None)
        if user is None:
            raise exceptions.ValidationError(
                {"user": ["Choose one of the authority's evaluators who is not on the panel yet"]}
            )
        member = services.panel_member_add(evaluation=evaluation, user=user, acting_user=request.user)
        member.evaluation = evaluation
        return Response(PanelMemberSerializer(member, context=self._context()).data, status=status.HTTP_201_CREATED)


class Moderator(EvaluationsView):
    method_permissions = {"PUT": "evaluation.manage"}

    @extend_schema(
        operation_id="evaluations_moderator_update",
        summary="Choose the moderator",
        description="Procurement officers (`evaluation.manage`) choose the moderator from the panel, while scoring "
        "is open. The moderator sees everyone's scores once all have submitted.",
        request=ModeratorSerializer,
        responses={200: EvaluationDetailSerializer, **WRITE_ERRORS},
        tags=TAG_EVALUATIONS,
    )
    def put(self, request, authority_slug, evaluation_id):
        evaluation = self._evaluation(evaluation_id)
        data = validated(ModeratorSerializer, request.data)
        member = PanelMember.objects.filter(evaluation=evaluation, pk=data["moderator"]).select_related("user").first()
        if member is None:
            raise exceptions.ValidationError({"moderator": ["Choose the moderator from the panel"]})
        services.moderator_set(evaluation=evaluation, member=member, acting_user=request.user)
        return Response(self._detail(self._evaluation(evaluation_id)))


class MembersView(EvaluationsView):
    def _member(self, member_id, *, own: bool) -> PanelMember:
        """A panel member of the authority; with `own`, only the caller's own place (anyone else's: 404)."""
        member = (
            PanelMember.objects.filter(authority=self.authority, pk=member_id)
            .select_related("user", "evaluation__tender", "evaluation__moderator")
            .first()
        )
        if member is None or (own and member.user_id != self.request.user.pk):
            raise exceptions.NotFound("No such panel member.")
        return member

    def _member_data(self, member) -> dict:
        return PanelMemberSerializer(member, context=self._context()).data


class ConflictDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[ConflictDecision.ALLOWED.value, ConflictDecision.EXCLUDED.value])
    note = serializers.CharField(
        max_length=3000, help_text="If allowed: the mitigation. If excluded: why. Required either way."
    )


class ConflictDecide(ActionMixin, ObjectEndpoint, MembersView):
    method_permissions = {"POST": "evaluation.manage"}
    tags = TAG_EVALUATIONS
    object_argument = "member"
    action_serializer, action_service = ConflictDecisionSerializer, services.conflict_decide
    output_serializer = PanelMemberSerializer
    docs = {
        "post": Doc(
            "evaluations_conflict_decide",
            "Decide on a declared interest",
            "Procurement officers (`evaluation.manage`): allow the evaluator with a mitigation note (they may then "
            "read and score the offers), or exclude them from the panel. 409 if no interest is declared.",
            errors=WRITE,
        )
    }

    def get_object(self):
        return self._member(self.kwargs["member_id"], own=False)

    def present(self, member) -> dict:
        return self._member_data(self.get_object())  # read again, with the decision


class DeclarationSerializer(PanelMemberSerializer):
    bidders = serializers.ListField(
        child=serializers.CharField(), help_text="The organisations whose offers are evaluated: declare against them."
    )


class DeclarationInputSerializer(serializers.Serializer):
    has_interest = serializers.BooleanField(help_text="True to declare an interest; false for no conflict.")
    interest = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        help_text="With an interest: who it involves and how (required then).",
    )


class DeclarationView(MembersView):
    method_permissions = {"GET": "evaluation.score", "PUT": "evaluation.score"}

    def _data(self, member) -> dict:
        member.bidders = selectors.bidder_names(member.evaluation.tender)
        return DeclarationSerializer(member, context=self._context()).data

    @extend_schema(
        operation_id="evaluations_declaration_retrieve",
        summary="Read your conflict of interest declaration",
        description="Evaluators (`evaluation.score`), for their own place on a panel only (anyone else's: 404), "
        "with the bidders to declare against.",
        responses={200: DeclarationSerializer, **READ_ERRORS},
        tags=TAG_SCORING,
    )
    def get(self, request, authority_slug, member_id):
        return Response(self._data(self._member(member_id, own=True)))

    @extend_schema(
        operation_id="evaluations_declaration_update",
        summary="Declare a conflict of interest, or none",
        description="Your own declaration. Declaring an interest keeps the offers hidden from you until a "
        "procurement officer decides on it; once declared, an interest stays on the record (only the decision "
        "settles it).",
        request=DeclarationInputSerializer,
        responses={200: DeclarationSerializer, **WRITE_ERRORS},
        tags=TAG_SCORING,
    )
    def put(self, request, authority_slug, member_id):
        member = self._member(member_id, own=True)
        data = validated(DeclarationInputSerializer, request.data)
        has_interest = data["has_interest"]
        services.declaration_make(
            member=member,
            acting_user=request.user,
            has_interest=has_interest,
            interest=data.get("interest", "") if has_interest else "",
        )
        return Response(self._data(self._member(member_id, own=True)))
