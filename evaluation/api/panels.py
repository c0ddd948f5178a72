"""The panel: members and the moderator, conflict of interest declarations and the decisions on them."""

from rest_framework import exceptions, serializers

from accounts.api.generic import ActionMixin, CollectionMixin, CreateMixin, Doc, ReplaceMixin, RetrieveMixin

from .. import selectors, services
from ..models import ConflictDecision, PanelMember
from .common import READ, TAG_SCORING, WRITE
from .evaluations import EvaluationDetailSerializer, EvaluationsView, PanelMemberSerializer

# The panel -------------------------------------------------------------------------------------------------------


class PanelMemberAddSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="The id of one of the authority's evaluators not yet on the panel.")


class ModeratorSerializer(serializers.Serializer):
    moderator = serializers.IntegerField(help_text="The panel member id of the moderator (not an excluded one).")


class Panel(CollectionMixin, CreateMixin, EvaluationsView):
    method_permissions = {"GET": "evaluation.view", "POST": "evaluation.manage"}
    create_serializer, create_service = PanelMemberAddSerializer, services.panel_member_add
    output_serializer = PanelMemberSerializer
    docs = {
        "get": Doc(
            "evaluations_panel_list",
            "List the panel",
            "The panel members with their declarations and the decisions on declared interests. The text of "
            "an interest and of a decision only for procurement officers and the member.",
            errors=READ,
        ),
        "post": Doc(
            "evaluations_panel_create",
            "Add an evaluator to the panel",
            "Procurement officers (`evaluation.manage`), while scoring is open. They then declare any "
            "conflict of interest before they see an offer.",
            errors=WRITE,
        ),
    }

    def items(self):
        evaluation = self.get_object()
        panel = selectors.panel_for(evaluation)
        for member in panel:
            member.evaluation = evaluation
        return panel

    def present_all(self, panel) -> list:
        return PanelMemberSerializer(panel, many=True, context=self._context()).data

    def create(self, evaluation, data: dict):
        # Chosen among the candidates, as on the page: another person's id reveals nothing about them.
        user = next((u for u in selectors.evaluators_to_add(evaluation) if u.pk == data["user"]), None)
        if user is None:
            raise exceptions.ValidationError(
                {"user": ["Choose one of the authority's evaluators who is not on the panel yet"]}
            )
        member = self.call(self.create_service, evaluation, {"user": user})
        member.evaluation = evaluation
        return member

    def present(self, member) -> dict:
        return PanelMemberSerializer(member, context=self._context()).data


class Moderator(ReplaceMixin, EvaluationsView):
    method_permissions = {"PUT": "evaluation.manage"}
    replace_serializer, replace_service = ModeratorSerializer, services.moderator_set
    output_serializer = EvaluationDetailSerializer
    docs = {
        "put": Doc(
            "evaluations_moderator_update",
            "Choose the moderator",
            "Procurement officers (`evaluation.manage`) choose the moderator from the panel, while scoring "
            "is open. The moderator sees everyone's scores once all have submitted.",
            errors=WRITE,
        )
    }

    def replace(self, evaluation, data: dict):
        member = PanelMember.objects.filter(evaluation=evaluation, pk=data["moderator"]).select_related("user").first()
        if member is None:
            raise exceptions.ValidationError({"moderator": ["Choose the moderator from the panel"]})
        self.call(self.replace_service, evaluation, {"member": member})
        return self.get_object()  # read again, with the moderator

    def present(self, evaluation) -> dict:
        return self._detail(evaluation)


def _panel_member(authority, member_id, user=None) -> PanelMember | None:
    """A panel member of the authority; with `user`, only that user's own place (anyone else's: None)."""
    member = (
        PanelMember.objects.filter(authority=authority, pk=member_id)
        .select_related("user", "evaluation__tender", "evaluation__moderator")
        .first()
    )
    if member is None or (user is not None and member.user_id != user.pk):
        return None
    return member


class MembersView(EvaluationsView):
    """An endpoint about the panel member the URL names; with `own`, only the caller's own place (anyone else's:
    404)."""

    selector, lookup, not_found = _panel_member, "member_id", "No such panel member."
    object_argument = "member"
    own = True

    def selector_options(self) -> dict:
        return {"user": self.request.user} if self.own else {}

    def _member_data(self, member) -> dict:
        return PanelMemberSerializer(member, context=self._context()).data


class ConflictDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[ConflictDecision.ALLOWED.value, ConflictDecision.EXCLUDED.value])
    note = serializers.CharField(
        max_length=3000, help_text="If allowed: the mitigation. If excluded: why. Required either way."
    )


class ConflictDecide(ActionMixin, MembersView):
    method_permissions = {"POST": "evaluation.manage"}
    own = False
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


class DeclarationView(RetrieveMixin, ReplaceMixin, MembersView):
    method_permissions = {"GET": "evaluation.score", "PUT": "evaluation.score"}
    tags = TAG_SCORING
    replace_serializer, replace_service = DeclarationInputSerializer, services.declaration_make
    output_serializer = DeclarationSerializer
    docs = {
        "get": Doc(
            "evaluations_declaration_retrieve",
            "Read your conflict of interest declaration",
            "Evaluators (`evaluation.score`), for their own place on a panel only (anyone else's: 404), "
            "with the bidders to declare against.",
            errors=READ,
        ),
        "put": Doc(
            "evaluations_declaration_update",
            "Declare a conflict of interest, or none",
            "Your own declaration. Declaring an interest keeps the offers hidden from you until a "
            "procurement officer decides on it; once declared, an interest stays on the record (only the decision "
            "settles it).",
            errors=WRITE,
        ),
    }

    def replace(self, member, data: dict):
        has_interest = data["has_interest"]
        interest = data.get("interest", "") if has_interest else ""
        self.call(self.replace_service, member, {"has_interest": has_interest, "interest": interest})
        return self.get_object()  # read again, with the declaration

    def present(self, member) -> dict:
        member.bidders = selectors.bidder_names(member.evaluation.tender)
        return DeclarationSerializer(member, context=self._context()).data
