"""Case examples: published ones for anyone, drafts for staff and partners; approval and publication."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

from accounts.api.foundation import choice_param
from accounts.api.generic import (
    ActionMixin,
    CreateMixin,
    Doc,
    ListMixin,
    ReplaceMixin,
    RetrieveMixin,
    UpdateMixin,
)

from .. import case_examples as cases
from .. import partners as partner_services
from ..models import CaseKind
from .common import STAFF_WRITE, TAG_CASES, CompactObjectEndpoint

# Case examples ----------------------------------------------------------------------------------------------------


class CaseExampleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    what_was_bought = serializers.CharField()
    social_value = serializers.CharField(help_text="What social value was or was not recognised.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="The cost or saving, in pounds.")
    amount_explained = serializers.CharField()
    evidence = serializers.CharField()
    contract_reference = serializers.CharField(source="contract.reference", allow_null=True, default=None)
    contract_title = serializers.CharField(source="contract.title", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    partner_approved_at = serializers.DateTimeField(allow_null=True)
    partner_group = serializers.CharField(
        source="partner_organisation.name", allow_null=True, default=None, help_text="The group that approved it."
    )
    officer_approved_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True, help_text="Null while it is a draft.")
    still_needs = serializers.SerializerMethodField(help_text="The approvals it still needs before publishing.")

    def get_still_needs(self, example) -> list[str]:
        return cases.readiness(example).missing


class CaseExampleInputSerializer(serializers.Serializer):
    # The service checks every field and names it with the page's message.
    kind = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="saving (action 14) or cost (action 15)."
    )
    title = serializers.CharField(required=False, allow_blank=True, default="")
    what_was_bought = serializers.CharField(required=False, allow_blank=True, default="")
    social_value = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.CharField(required=False, allow_blank=True, default="", help_text="Pounds, like 12500.50.")
    amount_explained = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    contract_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Officers only (as on the staff form): the contract the example is about.",
    )


class CaseExampleApprovalSerializer(serializers.Serializer):
    approve_as = serializers.ChoiceField(
        choices=[("partner", "partner"), ("officer", "officer")],
        help_text="partner: for a partner group you are an approved member of; officer: as the authority's officer "
        "(`compact.manage`).",
    )
    organisation_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="As a partner in more than one group: which one."
    )


CASE_STATUS_PARAMETER = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=["draft", "published"],
    description="Only drafts (partner members and staff) or only published examples.",
)


def case_example_read(authority, example_id: int, *, staff: bool, user):
    """Staff (`compact.view`) read any example; others a published one, or a draft as a partner member."""
    if staff:
        return cases.case_example_get(authority, example_id)
    return cases.case_example_get_public(authority, example_id, user)


class CaseExampleEndpoint(CompactObjectEndpoint):
    """Partner members and officers write examples (`permit_write`); each service's example is answered as read
    again, with what the serializer shows."""

    domain_field_map = {"contract": "contract_id", "organisation": "organisation_id"}
    tags = TAG_CASES
    output_serializer = CaseExampleSerializer
    selector, lookup, not_found = case_example_read, "example_id", "No such case example."
    object_argument = "example"

    def selector_options(self) -> dict:
        return {"staff": self.can("compact.view"), "user": self.request.user}

    def permit_write(self, obj) -> None:
        self.signed_in()
        if not cases.can_write(self.authority, self.request.user):
            raise exceptions.PermissionDenied(
                f"Only members of {self.authority.name}'s Compact partner groups and its officers can write case "
                "examples"
            )

    def call(self, service, obj, data: dict):
        example = super().call(service, obj, data)
        return cases.case_example_get(self.authority, example.pk)

    def service_fields(self, data: dict, *, current=None) -> dict:
        """The service's keyword arguments; `current` is the example's contract, which it may keep."""
        fields = {name: data[name] for name in ("kind", *cases.TEXT_LIMITS, "amount")}
        contract = None
        if current is not None and data.get("contract_id") == current.pk:
            contract = current
        elif data.get("contract_id") is not None:
            if not self.can("compact.manage"):
                raise exceptions.ValidationError(
                    {"contract_id": ["Only the authority's officers can link a case example to a contract"]}
                )
            contract = cases.case_example_contract(self.authority, data["contract_id"])
            if contract is None:
                raise exceptions.ValidationError({"contract_id": ["Choose one of the authority's contracts"]})
        return {**fields, "contract": contract}


class CaseExampleList(ListMixin, CreateMixin, CaseExampleEndpoint):
    selector = None  # a new example is the authority's, not an object's
    object_argument = "authority"
    page_name = "CaseExamplePage"
    create_serializer, create_service = CaseExampleInputSerializer, cases.case_example_create
    docs = {
        "get": Doc(
            "compact_case_examples_list",
            "List case examples",
            "Published examples for everyone, newest first. Staff with `compact.view` and members of the authority's "
            "Compact partner groups see drafts too (drafts first).",
            errors=(400, 401, 403, 404),
            parameters=(CASE_STATUS_PARAMETER,),
        ),
        "post": Doc(
            "compact_case_examples_create",
            "Write a case example",
            "Partner members and officers. It needs a partner's and an officer's approval before an officer "
            "publishes it.",
            errors=STAFF_WRITE,
        ),
    }

    def items(self):
        state = choice_param(self.request, "status", ("draft", "published"))
        drafts = self.sees_drafts()
        if state == "draft" and not drafts:
            self.signed_in()
            raise exceptions.PermissionDenied("Only the authority's staff and its Compact partners see drafts.")
        if state == "published" or not drafts:
            return cases.case_examples_published(self.authority)
        if state == "draft":
            return cases.case_examples_drafts(self.authority)
        return cases.case_examples_all(self.authority)

    def sees_drafts(self) -> bool:
        return self.can("compact.view") or partner_services.is_partner_member(self.request.user, self.authority)

    def post(self, request, *args, **kwargs):
        self.permit_write(self.authority)  # 401 or 403 before the input's 400, as on an example
        return super().post(request, *args, **kwargs)

    def create(self, authority, data: dict):
        return self.call(self.create_service, authority, self.service_fields(data))


class CaseExampleDetail(RetrieveMixin, ReplaceMixin, UpdateMixin, CaseExampleEndpoint):
    replace_serializer = update_serializer = CaseExampleInputSerializer
    replace_service = update_service = cases.case_example_update
    docs = {
        "get": Doc(
            "compact_case_examples_retrieve",
            "Read a case example",
            "A published example for anyone; a draft for partner members and staff only (404 otherwise).",
            errors=(404,),
        ),
        "put": Doc(
            "compact_case_examples_update",
            "Change a case example",
            "Partner members and officers; every field is replaced. Any change clears both approvals, and a "
            "published example comes off the public pages until it is approved and published again.",
            errors=STAFF_WRITE,
        ),
        "patch": Doc(
            "compact_case_examples_partial_update",
            "Change some fields of a case example",
            "As PUT, but fields left out keep their values. Any change clears both approvals.",
            errors=STAFF_WRITE,
        ),
    }

    def replace(self, example, data: dict):
        return self.call(self.replace_service, example, self.service_fields(data, current=example.contract))

    def update(self, example, data: dict):
        current = {
            "kind": example.kind,
            **{name: getattr(example, name) for name in cases.TEXT_LIMITS},
            "amount": example.amount,
            "contract_id": example.contract_id,
        }
        return self.replace(example, current | data)


class CaseExampleApproval(ActionMixin, CaseExampleEndpoint):
    action_serializer = CaseExampleApprovalSerializer
    docs = {
        "post": Doc(
            "compact_case_examples_approve",
            "Approve a case example",
            "As a partner (an approved member of one of the authority's Compact partner groups, for that group) or "
            "as the officer (`compact.manage`). Each approval is given once.",
            errors=STAFF_WRITE,
        )
    }

    def permit_write(self, example) -> None:
        self.signed_in()  # the services check the role, with their words

    def act(self, example, data: dict):
        if data["approve_as"] == "officer":
            return self.call(cases.case_example_approve_as_officer, example, {})
        organisation = None
        if data["organisation_id"] is not None:
            groups = partner_services.partner_organisations(self.request.user, self.authority)
            organisation = next((group for group in groups if group.pk == data["organisation_id"]), None)
            if organisation is None and groups:
                raise exceptions.ValidationError(
                    {"organisation_id": ["Choose a Compact partner group you are a member of"]}
                )
        return self.call(cases.case_example_approve_as_partner, example, {"organisation": organisation})


class CaseExampleAction(ActionMixin, CaseExampleEndpoint):
    """An officer's transition of a case example (the service checks the role: 403 with its words)."""

    def permit_write(self, example) -> None:
        self.signed_in()


class CaseExamplePublish(CaseExampleAction):
    action_service = cases.case_example_publish
    docs = {
        "post": Doc(
            "compact_case_examples_publish",
            "Publish a case example",
            "Officers (`compact.manage`), once a partner and an officer have approved it.",
            errors=STAFF_WRITE,
        )
    }


class CaseExampleUnpublish(CaseExampleAction):
    action_service = cases.case_example_unpublish
    docs = {
        "post": Doc(
            "compact_case_examples_unpublish",
            "Unpublish a case example",
            "Officers (`compact.manage`): it comes off the public pages; its approvals are kept.",
            errors=STAFF_WRITE,
        )
    }
