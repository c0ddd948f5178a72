"""The local Compact's consultation register and its yearly compliance."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.api.foundation import validated
from accounts.api.generic import (
    CreateMixin,
    DestroyMixin,
    Doc,
    Endpoint,
    ListMixin,
    ObjectEndpoint,
    ReplaceMixin,
    RetrieveMixin,
)

from .. import register
from .common import STAFF_WRITE, TAG_REGISTER, CompactApiView

# The consultation register --------------------------------------------------------------------------------------


class CompactRegisterEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField(
        source="public_url", help_text="The consultation's page; empty for a charter consultation since withdrawn."
    )
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    length_days = serializers.SerializerMethodField()
    length_weeks = serializers.SerializerMethodField(help_text="To one decimal place.")
    meets_twelve_weeks = serializers.SerializerMethodField(help_text="The Compact's 12 weeks (84 days) or more.")
    shorter_reason = serializers.CharField(help_text="Why it is shorter than 12 weeks, when it is.")
    compliant = serializers.SerializerMethodField(help_text="Met 12 weeks, or explained why not.")
    feedback = serializers.BooleanField(
        help_text="Respondents were told how their responses were used (for a charter consultation: closed, and "
        "every published comment answered)."
    )
    feedback_url = serializers.CharField(help_text="Where the feedback is published (entered consultations).")
    is_charter_consultation = serializers.SerializerMethodField(
        help_text="Kept in step with a charter consultation: it cannot be changed here."
    )
    withdrawn = serializers.BooleanField(help_text="A charter consultation whose version was withdrawn.")
    updated_at = serializers.DateTimeField()

    def get_length_days(self, entry) -> int:
        return register.length_days(entry.opens_on, entry.closes_on)

    def get_length_weeks(self, entry) -> str:
        return str(register.length_weeks(entry.opens_on, entry.closes_on))

    def get_meets_twelve_weeks(self, entry) -> bool:
        return register.meets_twelve_weeks(entry.opens_on, entry.closes_on)

    def get_compliant(self, entry) -> bool:
        return register.is_compliant(entry.opens_on, entry.closes_on, entry.shorter_reason)

    def get_is_charter_consultation(self, entry) -> bool:
        return entry.charter_consultation_id is not None


class CompactRegisterEntryInputSerializer(serializers.Serializer):
    # Required fields and lengths are the service's rules: it names the field with the page's message.
    title = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    url = serializers.CharField(required=False, allow_blank=True, default="", help_text="http:// or https://")
    opens_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Enter the opening date as a real date, like 2026-04-01"},
    )
    closes_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Enter the closing date as a real date, like 2026-06-24"},
    )
    shorter_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Needed when it is shorter than 12 weeks."
    )


class CompactFeedbackInputSerializer(serializers.Serializer):
    feedback_given = serializers.BooleanField(
        error_messages={"required": "Choose whether respondents got feedback"},
        help_text="Have respondents been told how their responses were used? Only once the consultation has closed.",
    )
    feedback_url = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Where the feedback is published; needed with true."
    )


class CompactComplianceSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text="The financial year, named by the year it starts (1 April).")
    label = serializers.CharField()
    total = serializers.IntegerField(help_text="Consultations that opened in the year.")
    met = serializers.IntegerField(help_text="Ran for 12 weeks or more.")
    explained = serializers.IntegerField(help_text="Shorter, with the reason given.")
    unexplained = serializers.IntegerField(help_text="Shorter, with no reason.")
    compliant = serializers.IntegerField(help_text="Met or explained.")
    share = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="The compliant percentage; null with none."
    )


YEAR_PARAMETER = OpenApiParameter(
    "year", OpenApiTypes.INT, description="Only consultations that opened in this financial year (2025: April 2025 on)."
)


def _year(request) -> int | None:
    value = request.query_params.get("year", "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1900 <= int(value) <= 2200:
        raise exceptions.ValidationError({"year": ["Enter a financial year as the year it starts, like 2025"]})
    return int(value)


def _entry_get(authority, entry_id):
    return register.register_entries(authority).filter(pk=entry_id).first()


class RegisterEndpoint(Endpoint, CompactApiView):
    tags = TAG_REGISTER
    output_serializer = CompactRegisterEntrySerializer

    def reloaded(self, entry):
        """The entry as the register lists it, after a change."""
        return _entry_get(self.authority, entry.pk)


class RegisterList(ListMixin, CreateMixin, RegisterEndpoint):
    method_permissions = {"POST": "compact.manage"}
    page_name = "RegisterEntryPage"
    object_argument = "authority"
    create_serializer, create_service = CompactRegisterEntryInputSerializer, register.register_add
    docs = {
        "get": Doc(
            "compact_register_list",
            "List the consultation register",
            "Every consultation the authority runs, newest first, with its length, whether it met the Compact's 12 "
            "weeks or explained why, and whether respondents got feedback. Public, as the public register.",
            errors=(400, 404),
            parameters=(YEAR_PARAMETER,),
        ),
        "post": Doc(
            "compact_register_create",
            "Enter a consultation",
            "Officers (`compact.manage`) enter a consultation run outside this service's charters. One shorter than "
            "12 weeks needs the reason. Charter consultations join the register by themselves.",
            errors=STAFF_WRITE,
        ),
    }

    def items(self):
        return register.register_entries(self.authority, year=_year(self.request))

    def create(self, authority, data: dict):
        return self.reloaded(self.call(self.create_service, authority, data))


class RegisterEntryEndpoint(ObjectEndpoint, RegisterEndpoint):
    selector, lookup, not_found = _entry_get, "entry_id", "No such consultation in the register."
    object_argument = "entry"


class RegisterDetail(RetrieveMixin, ReplaceMixin, DestroyMixin, RegisterEntryEndpoint):
    method_permissions = {"PUT": "compact.manage", "PATCH": "compact.manage", "DELETE": "compact.manage"}
    replace_serializer, replace_service = CompactRegisterEntryInputSerializer, register.register_update
    destroy_service = register.register_remove
    docs = {
        "get": Doc(
            "compact_register_retrieve",
            "Read a consultation in the register",
            "Public, as the public register shows it.",
            errors=(404,),
        ),
        "put": Doc(
            "compact_register_update",
            "Change an entered consultation",
            "Officers (`compact.manage`); every field is replaced. Charter consultations are kept in step with the "
            "charter and are refused here.",
            errors=STAFF_WRITE,
        ),
        "patch": Doc(
            "compact_register_partial_update",
            "Change some fields of an entered consultation",
            "Officers (`compact.manage`); fields left out keep their values. Charter consultations are refused.",
            errors=STAFF_WRITE,
            request=CompactRegisterEntryInputSerializer,
        ),
        "delete": Doc(
            "compact_register_destroy",
            "Remove an entered consultation",
            "Officers (`compact.manage`). Charter consultations are refused.",
            errors=STAFF_WRITE,
        ),
    }

    def replace(self, entry, data: dict):
        self.call(self.replace_service, entry, data)
        return self.reloaded(entry)

    def patch(self, request, authority_slug, entry_id):
        # Validated whole, as PUT, then the fields not sent keep the entry's values.
        entry = self.get_object()
        data = validated(self.replace_serializer, request.data)
        names = set(request.data) if hasattr(request.data, "keys") else set()
        data = {name: data[name] if name in names else getattr(entry, name) for name in data}
        return Response(self.present(self.replace(entry, data)))


class RegisterFeedback(ReplaceMixin, RegisterEntryEndpoint):
    method_permissions = {"PUT": "compact.manage"}
    replace_serializer, replace_service = CompactFeedbackInputSerializer, register.feedback_record
    docs = {
        "put": Doc(
            "compact_register_feedback",
            "Record feedback to respondents",
            "Officers (`compact.manage`): whether respondents were told how their responses were used, and where "
            "that is published, once the consultation has closed. Charter consultations are refused (their feedback "
            "is the answers to their comments).",
            errors=STAFF_WRITE,
        )
    }

    def replace(self, entry, data: dict):
        self.call(self.replace_service, entry, data)
        return self.reloaded(entry)


class RegisterCompliance(Endpoint, CompactApiView):
    tags = TAG_REGISTER
    output_serializer = CompactComplianceSerializer
    docs = {
        "get": Doc(
            "compact_register_compliance",
            "Yearly compliance with 12 weeks",
            "For each financial year with a consultation, newest first: how many met 12 weeks, how many explained why "
            "not, and the compliant share. A consultation counts in the year it opened.",
            errors=(404,),
            responses={200: CompactComplianceSerializer(many=True)},
        )
    }

    def get(self, request, authority_slug):
        # A short list, one row a year: not paged.
        return Response(CompactComplianceSerializer(register.register_compliance(self.authority), many=True).data)
