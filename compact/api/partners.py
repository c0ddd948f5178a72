"""Compact partners: the community groups the authority works with."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from accounts.api.foundation import PAGE_PARAMETERS, error_responses, paginate, paginated, validated

from .. import partners as partner_services
from .common import STAFF_WRITE_ERRORS, TAG_PARTNERS, CompactApiView

# Compact partners -------------------------------------------------------------------------------------------------


class CompactPartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    name = serializers.CharField(source="organisation.name")
    added_at = serializers.DateTimeField()


class CompactPartnerInputSerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField(help_text="A community group's id.")


class PartnerList(CompactApiView):
    method_permissions = {"POST": "compact.partners"}
    domain_field_map = {"organisation": "organisation_id"}

    @extend_schema(
        operation_id="compact_partners_list",
        summary="List Compact partners",
        description="The community groups that are the authority's Compact partners. Public.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(CompactPartnerSerializer, "CompactPartnerPage"), **error_responses(404)},
        tags=TAG_PARTNERS,
    )
    def get(self, request, authority_slug):
        return paginate(self, partner_services.partners_of(self.authority), CompactPartnerSerializer)

    @extend_schema(
        operation_id="compact_partners_create",
        summary="Make a community group a Compact partner",
        description="Admins (`compact.partners`). The group's admins are told by email.",
        request=CompactPartnerInputSerializer,
        responses={201: CompactPartnerSerializer, **STAFF_WRITE_ERRORS},
        tags=TAG_PARTNERS,
    )
    def post(self, request, authority_slug):
        data = validated(CompactPartnerInputSerializer, request.data)
        organisation = partner_services.community_group_search().filter(pk=data["organisation_id"]).first()
        if organisation is None:
            raise exceptions.ValidationError(
                {"organisation_id": ["Choose a community group to make a Compact partner"]}
            )
        partner = partner_services.partner_add(
            authority=self.authority, acting_user=request.user, organisation=organisation
        )
        return Response(CompactPartnerSerializer(partner).data, status=status.HTTP_201_CREATED)


class PartnerDetail(CompactApiView):
    method_permissions = {"DELETE": "compact.partners"}

    def _partner(self):
        partner = partner_services.partner_get(self.authority, self.kwargs["partner_id"])
        if partner is None:
            raise exceptions.NotFound("No such Compact partner.")
        return partner

    @extend_schema(
        operation_id="compact_partners_retrieve",
        summary="Read a Compact partner",
        responses={200: CompactPartnerSerializer, **error_responses(404)},
        tags=TAG_PARTNERS,
    )
    def get(self, request, authority_slug, partner_id):
        return Response(CompactPartnerSerializer(self._partner()).data)

    @extend_schema(
        operation_id="compact_partners_destroy",
        summary="Remove a Compact partner",
        description="Admins (`compact.partners`). What its members wrote and approved stays.",
        responses={204: OpenApiResponse(description="Removed."), **STAFF_WRITE_ERRORS},
        tags=TAG_PARTNERS,
    )
    def delete(self, request, authority_slug, partner_id):
        partner_services.partner_remove(partner=self._partner(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
