"""Case examples: published ones for anyone, drafts for staff and partners; approval and publication."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import PAGE_PARAMETERS, choice_param, error_responses, paginate, paginated, validated
from accounts.api.generic import ActionMixin, Doc, Endpoint

from .. import case_examples as cases
from .. import partners as partner_services
from ..models import CaseKind
from .common import STAFF_WRITE, STAFF_WRITE_ERRORS, TAG_CASES, CompactApiView

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


class CaseExampleView(CompactApiView):
    domain_field_map = {"contract": "contract_id", "organisation": "organisation_id"}

    def sees_drafts(self) -> bool:
        return self.can("compact.view") or partner_services.is_partner_member(self.request.user, self.authority)

    def _example(self):
        example_id = self.kwargs["example_id"]
        if self.can("compact.view"):
            example = cases.case_example_get(self.authority, example_id)
        else:
            example = cases.case_example_get_public(self.authority, example_id, self.request.user)
        if example is None:
            raise exceptions.NotFound("No such case example.")
        return example

    def require_writer(self) -> None:
        self.signed_in()
        if not cases.can_write(self.authority, self.request.user):
            raise exceptions.PermissionDenied(
                f"Only members of {self.authority.name}'s Compact partner groups and its officers can write case "
                "examples"
            )

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

    def respond(self, example, status_code=status.HTTP_200_OK) -> Response:
        example = cases.case_example_get(self.authority, example.pk)
        return Response(CaseExampleSerializer(example).data, status=status_code)


class CaseExampleList(CaseExampleView):
    @extend_schema(
        operation_id="compact_case_examples_list",
        summary="List case examples",
        description="Published examples for everyone, newest first. Staff with `compact.view` and members of the "
        "authority's Compact partner groups see drafts too (drafts first).",
        parameters=[CASE_STATUS_PARAMETER, *PAGE_PARAMETERS],
        responses={200: paginated(CaseExampleSerializer, "CaseExamplePage"), **error_responses(400, 401, 403, 404)},
        tags=TAG_CASES,
    )
    def get(self, request, authority_slug):
        state = choice_param(request, "status", ("draft", "published"))
        drafts = self.sees_drafts()
        if state == "draft" and not drafts:
            self.signed_in()
            raise exceptions.PermissionDenied("Only the authority's staff and its Compact partners see drafts.")
        if state == "published" or not drafts:
            examples = cases.case_examples_published(self.authority)
        elif state == "draft":
            examples = cases.case_examples_drafts(self.authority)
        else:
            examples = cases.case_examples_all(self.authority)
        return paginate(self, examples, CaseExampleSerializer)

    @extend_schema(
        operation_id="compact_case_examples_create",
        summary="Write a case example",
        description="Partner members and officers. It needs a partner's and an officer's approval before an "
        "officer publishes it.",
        request=CaseExampleInputSerializer,
        responses={201: CaseExampleSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CASES,
    )
    def post(self, request, authority_slug):
        self.require_writer()
        data = validated(CaseExampleInputSerializer, request.data)
        example = cases.case_example_create(
            authority=self.authority, acting_user=request.user, **self.service_fields(data)
        )
        return self.respond(example, status.HTTP_201_CREATED)


class CaseExampleDetail(CaseExampleView):
    @extend_schema(
        operation_id="compact_case_examples_retrieve",
        summary="Read a case example",
        description="A published example for anyone; a draft for partner members and staff only (404 otherwise).",
        responses={200: CaseExampleSerializer, **error_responses(404)},
        tags=TAG_CASES,
    )
    def get(self, request, authority_slug, example_id):
        return Response(CaseExampleSerializer(self._example()).data)

    def _update(self, request, *, partial: bool):
        example = self._example()
        self.require_writer()
        data = validated(CaseExampleInputSerializer, request.data)
        if partial:
            names = set(request.data) if hasattr(request.data, "keys") else set()
            current = {
                "kind": example.kind,
                **{name: getattr(example, name) for name in cases.TEXT_LIMITS},
                "amount": example.amount,
                "contract_id": example.contract_id,
            }
            data = {name: data[name] if name in names else current[name] for name in current}
        fields = self.service_fields(data, current=example.contract)
        return self.respond(cases.case_example_update(example=example, acting_user=request.user, **fields))

    @extend_schema(
        operation_id="compact_case_examples_update",
        summary="Change a case example",
        description="Partner members and officers; every field is replaced. Any change clears both approvals, and "
        "a published example comes off the public pages until it is approved and published again.",
        request=CaseExampleInputSerializer,
        responses={200: CaseExampleSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CASES,
    )
    def put(self, request, authority_slug, example_id):
        return self._update(request, partial=False)

    @extend_schema(
        operation_id="compact_case_examples_partial_update",
        summary="Change some fields of a case example",
        description="As PUT, but fields left out keep their values. Any change clears both approvals.",
        request=CaseExampleInputSerializer,
        responses={200: CaseExampleSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CASES,
    )
    def patch(self, request, authority_slug, example_id):
        return self._update(request, partial=True)


class CaseExampleApproval(CaseExampleView):
    @extend_schema(
        operation_id="compact_case_examples_approve",
        summary="Approve a case example",
        description="As a partner (an approved member of one of the authority's Compact partner groups, for that "
        "group) or as the officer (`compact.manage`). Each approval is given once.",
        request=CaseExampleApprovalSerializer,
        responses={200: CaseExampleSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_CASES,
    )
    def post(self, request, authority_slug, example_id):
        example = self._example()
        self.signed_in()
        data = validated(CaseExampleApprovalSerializer, request.data)
        if data["approve_as"] == "officer":
            example = cases.case_example_approve_as_officer(example=example, acting_user=request.user)
            return self.respond(example)
        organisation = None
        if data["organisation_id"] is not None:
            groups = partner_services.partner_organisations(request.user, self.authority)
            organisation = next((group for group in groups if group.pk == data["organisation_id"]), None)
            if organisation is None and groups:
                raise exceptions.ValidationError(
                    {"organisation_id": ["Choose a Compact partner group you are a member of"]}
                )
        example = cases.case_example_approve_as_partner(
            example=example, acting_user=request.user, organisation=organisation
        )
        return self.respond(example)


class CaseExampleAction(ActionMixin, Endpoint, CaseExampleView):
    """An officer's transition of a case example (the service checks the role: 403 with its words)."""

    tags = TAG_CASES
    object_argument = "example"
    output_serializer = CaseExampleSerializer

    def get_object(self):
        return self._example()

    def act(self, example, data: dict):
        self.signed_in()
        return self.call(self.action_service, example, data)

    def present(self, example) -> dict:
        return CaseExampleSerializer(cases.case_example_get(self.authority, example.pk)).data


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
