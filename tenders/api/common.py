"""What the tenders API's resources share: tags, the errors of a write, the 409 for a state refusal, the supplier
organisation a bidder acts for, and the monetised value's shape."""

from rest_framework import exceptions, serializers

from accounts.api.foundation import register_conflicts
from accounts.selectors import supplier_organisations_for

from .. import clarifications, offers, sealing, services

register_conflicts(
    services.TenderLocked,
    services.TenderNotReady,
    clarifications.ClarificationsClosed,
    offers.OfferDeadlinePassed,
    sealing.DocumentAltered,
)

TAG_TENDERS = ["tenders"]
TAG_CLARIFICATIONS = ["clarifications"]
TAG_BIDDER = ["offers (bidders)"]
TAG_STAFF_OFFERS = ["offers (staff)"]

# The errors of a write, for `Doc(errors=...)`.
STAFF_WRITE = (400, 401, 403, 404, 409)
BIDDER_WRITE = (400, 401, 403, 404, 409)


class Conflict(exceptions.APIException):
    """A refusal the services raise as a plain DomainError but which is about the object's state."""

    status_code = 409
    default_detail = "The object is not in a state that allows this."


def money_field(**kwargs):
    return serializers.DecimalField(max_digits=20, decimal_places=2, **kwargs)


def supplier_organisation(user, organisation_id):
    """The supplier organisation the caller acts for: the one named, or their only one. 403 for non-suppliers."""
    organisations = supplier_organisations_for(user)
    if not organisations:
        raise exceptions.PermissionDenied("Only members of a supplier organisation can do this.")
    if organisation_id is None:
        if len(organisations) > 1:
            raise exceptions.ValidationError({"organisation_id": ["Choose the organisation you are acting for"]})
        return organisations[0]
    found = next((org for org in organisations if org.pk == organisation_id), None)
    if found is None:
        raise exceptions.ValidationError(
            {"organisation_id": ["Choose a supplier organisation you are an approved member of"]}
        )
    return found


class MonetisedValueSerializer(serializers.Serializer):
    gross = money_field(help_text="Σ quantity × proxy value (£).")
    net = money_field(help_text="After deadweight, attribution, displacement and drop-off (£).")


class OfferValueSerializer(serializers.Serializer):
    total = MonetisedValueSerializer()
    contract_value = money_field(help_text="The lot's, or the tender's, estimated value (£).")
    share_gross = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="% of the contract value."
    )
    share_net = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
