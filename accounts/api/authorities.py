"""The authorities: the public list and one authority's public fields."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .. import selectors
from ..models import AuthorityKind, Nation
from .foundation import choice_param
from .generic import Doc, Endpoint, ListMixin, PlatformEndpoint, RetrieveMixin

# Authorities --------------------------------------------------------------------------------------------------


class AuthoritySerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="The authority's address on this service, used in every URL.")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=AuthorityKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    nation = serializers.ChoiceField(choices=Nation.choices)
    gss_code = serializers.CharField(help_text="The ONS GSS code, where the authority has one.")
    public_url = serializers.SerializerMethodField(help_text="The authority's public page.")

    def get_public_url(self, authority) -> str:
        return self.context["request"].build_absolute_uri(reverse("accounts:authority-public", args=[authority.slug]))


AUTHORITY_ORDERING = ("name", "slug")
TAG_AUTHORITIES = ["authorities"]


class AuthorityList(ListMixin, PlatformEndpoint):
    tags = TAG_AUTHORITIES
    output_serializer, page_name = AuthoritySerializer, "AuthorityPage"
    ordering_fields, default_ordering = AUTHORITY_ORDERING, "name"
    docs = {
        "get": Doc(
            "authorities_list",
            "List authorities",
            "Every public body on the service, with its public fields only.",
            errors=(400, 404),
            parameters=(
                OpenApiParameter("q", OpenApiTypes.STR, description="Words the authority's name contains."),
                OpenApiParameter("nation", OpenApiTypes.STR, enum=Nation.values, description="Only this nation."),
                OpenApiParameter("kind", OpenApiTypes.STR, enum=AuthorityKind.values, description="Only this kind."),
            ),
        )
    }

    def items(self):
        return selectors.authorities_public(
            q=self.request.query_params.get("q", "").strip()[:100],
            nation=choice_param(self.request, "nation", Nation.values),
            kind=choice_param(self.request, "kind", AuthorityKind.values),
        )


class AuthorityDetail(RetrieveMixin, Endpoint):
    tags = TAG_AUTHORITIES
    output_serializer = AuthoritySerializer
    docs = {"get": Doc("authorities_retrieve", "Read an authority", "One public body's public fields.", errors=(404,))}

    def get_object(self):
        return self.authority
