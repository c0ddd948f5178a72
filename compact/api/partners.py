"""Compact partners: the community groups the authority works with."""

from rest_framework import exceptions, serializers

from accounts.api.generic import CreateMixin, DestroyMixin, Doc, Endpoint, ListMixin, ObjectEndpoint, RetrieveMixin

from .. import partners as partner_services
from .common import STAFF_WRITE, TAG_PARTNERS, CompactApiView

# Compact partners -------------------------------------------------------------------------------------------------


class CompactPartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    name = serializers.CharField(source="organisation.name")
    added_at = serializers.DateTimeField()


class CompactPartnerInputSerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField(help_text="A community group's id.")


class PartnerList(ListMixin, CreateMixin, Endpoint, CompactApiView):
    method_permissions = {"POST": "compact.partners"}
    domain_field_map = {"organisation": "organisation_id"}
    tags = TAG_PARTNERS
    output_serializer, page_name = CompactPartnerSerializer, "CompactPartnerPage"
    create_serializer, create_service = CompactPartnerInputSerializer, partner_services.partner_add
    object_argument = "authority"
    docs = {
        "get": Doc(
            "compact_partners_list",
            "List Compact partners",
            "The community groups that are the authority's Compact partners. Public.",
            errors=(404,),
        ),
        "post": Doc(
            "compact_partners_create",
            "Make a community group a Compact partner",
            "Admins (`compact.partners`). The group's admins are told by email.",
            errors=STAFF_WRITE,
        ),
    }

    def items(self):
        return partner_services.partners_of(self.authority)

    def create(self, authority, data: dict):
        organisation = partner_services.community_group_search().filter(pk=data["organisation_id"]).first()
        if organisation is None:
            raise exceptions.ValidationError(
                {"organisation_id": ["Choose a community group to make a Compact partner"]}
            )
        return self.call(self.create_service, authority, {"organisation": organisation})


class PartnerDetail(RetrieveMixin, DestroyMixin, ObjectEndpoint, CompactApiView):
    method_permissions = {"DELETE": "compact.partners"}
    tags = TAG_PARTNERS
    selector, lookup, not_found = partner_services.partner_get, "partner_id", "No such Compact partner."
    object_argument, destroy_service = "partner", partner_services.partner_remove
    output_serializer = CompactPartnerSerializer
    docs = {
        "get": Doc("compact_partners_retrieve", "Read a Compact partner", "Public.", errors=(404,)),
        "delete": Doc(
            "compact_partners_destroy",
            "Remove a Compact partner",
            "Admins (`compact.partners`). What its members wrote and approved stays.",
            errors=STAFF_WRITE,
        ),
    }
