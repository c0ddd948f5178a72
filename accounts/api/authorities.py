"""The authorities: the public list and one authority's public fields."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from .. import selectors
from ..models import AuthorityKind, Nation
from .foundation import (
    PAGE_PARAMETERS,
    apply_ordering,
    choice_param,
    error_responses,
    ordering_parameter,
    paginate,
    paginated,
)
from .views import ApiView, AuthorityApiView

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


class AuthorityList(ApiView):
    @extend_schema(
        operation_id="authorities_list",
        summary="List authorities",
        description="Every public body on the service, with its public fields only.",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words the authority's name contains."),
            OpenApiParameter("nation", OpenApiTypes.STR, enum=Nation.values, description="Only this nation."),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=AuthorityKind.values, description="Only this kind."),
            ordering_parameter(AUTHORITY_ORDERING, "name"),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated(AuthoritySerializer, "AuthorityPage"), **error_responses(400, 404)},
        tags=["authorities"],
    )
    def get(self, request):
        authorities = selectors.authorities_public(
            q=request.query_params.get("q", "").strip()[:100],
            nation=choice_param(request, "nation", Nation.values),
            kind=choice_param(request, "kind", AuthorityKind.values),
        )
        return paginate(self, apply_ordering(request, authorities, AUTHORITY_ORDERING, "name"), AuthoritySerializer)


class AuthorityDetail(AuthorityApiView):
    @extend_schema(
        operation_id="authorities_retrieve",
        summary="Read an authority",
        description="One public body's public fields.",
        responses={200: AuthoritySerializer, **error_responses(404)},
        tags=["authorities"],
    )
    def get(self, request, authority_slug):
        return Response(AuthoritySerializer(self.authority, context={"request": request}).data)
