"""What the compact API's resources share: tags, error responses, the state conflicts (409), the people and
measures as contracts show them, and the base of the Compact page's endpoints."""

from rest_framework import exceptions, serializers
from rest_framework.permissions import SAFE_METHODS

from accounts.api.foundation import register_conflicts
from accounts.api.generic import ObjectEndpoint
from accounts.api.views import AuthorityApiView
from charters.models import Unit

from ..errors import StateConflict
from ..partners import NotPartnerOrOfficer

register_conflicts(StateConflict)

TAG_CONTRACTS = ["contracts"]
TAG_REPORTS = ["delivery reports"]
TAG_SUPPLIER = ["supplier's contracts"]
TAG_IMPACT = ["impact and tracker"]


def person_name(user) -> str:
    return (user.full_name or user.email) if user is not None else ""


# Shared pieces -------------------------------------------------------------------------------------------------


class ContractPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField(help_text="The person's name (their email address if they gave none).")

    def get_name(self, user) -> str:
        return person_name(user)


class ContractSupplierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ImpactMoneySerializer(serializers.Serializer):
    gross = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="£, before deflators.")
    net = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="£, net of the SROI deflators.")


class ContractMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)


class ContractKpiSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=200, help_text="What the KPI measures.")
    target = serializers.CharField(max_length=200, help_text="For example, 95% of repairs within 10 working days.")


# The local Compact's endpoints ---------------------------------------------------------------------------

TAG_REGISTER = ["compact: consultation register"]
TAG_CHECKLIST = ["compact: checklist"]
TAG_CASES = ["compact: case examples"]
TAG_PARTNERS = ["compact: partners"]
TAG_ASSESSMENTS = ["compact: decommissioning assessments"]

STAFF_WRITE = (400, 401, 403, 404)  # the errors of a staff write on the Compact page, for `Doc(errors=...)`


class CompactApiView(AuthorityApiView):
    """Someone who is neither a partner member nor an officer is refused by the services (`NotPartnerOrOfficer`):
    403 with the service's message, as the pages answer."""

    def handle_exception(self, exc):
        if isinstance(exc, NotPartnerOrOfficer):
            exc = exceptions.PermissionDenied(exc.message)
        return super().handle_exception(exc)

    def signed_in(self) -> None:
        if not self.request.user.is_authenticated:
            raise exceptions.NotAuthenticated()


# The errors of the contracts' endpoints, for `Doc(errors=...)`: staff reads and writes, and the supplier's side.
READ = WRITE = (400, 401, 403, 404)
STATE_WRITE = (400, 401, 403, 404, 409)  # a write the contract's or report's state may refuse
SUPPLIER_READ = (401, 404)
SUPPLIER_WRITE = (400, 401, 404, 409)


class CompactObjectEndpoint(ObjectEndpoint, CompactApiView):
    """An endpoint about one object of the Compact page. A write checks the caller against the object
    (`permit_write(obj)`: 401 or 403) once it is read and before the input is validated, in the pages' order: 404,
    then 401 or 403, then 400."""

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in SAFE_METHODS:
            self.permit_write(obj)
        return obj

    def permit_write(self, obj) -> None:
        """Raise NotAuthenticated or PermissionDenied for a caller who may not change `obj` (default: anyone may;
        `method_permissions` checked the role already)."""
