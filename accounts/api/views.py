"""The API's base views and the authority endpoints.

`AuthorityApiView`: routes under /api/v1/authorities/<slug>/ resolve the authority, run inside its scope, and check
the same permission names as the staff pages. A signed-in non-member asking for a staff-only action gets 404,
exactly as on the pages; public reads are open to anyone.
"""

from contextlib import ExitStack

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..models import Authority, AuthorityKind, Membership, Nation
from ..roles import has_permission
from ..scoping import authority_scope
from .foundation import (
    PAGE_PARAMETERS,
    apply_ordering,
    choice_param,
    error_responses,
    ordering_parameter,
    paginate,
    paginated,
)

# Base views ---------------------------------------------------------------------------------------------------


class ApiView(APIView):
    """Base of every endpoint. `domain_field_map` renames a service's error fields to the endpoint's input names."""

    domain_field_map: dict[str, str] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # PostgreSQL cannot hold a NUL character: a filter with one would fail in the database, not answer 400.
        # (Request bodies go through serializers, whose text fields refuse it already.)
        refused = {
            name: ["Null characters are not allowed."]
            for name, values in request.query_params.lists()
            if any("\x00" in value for value in values)
        }
        if refused:
            raise exceptions.ValidationError(refused)


class AuthorityApiView(ApiView):
    """An endpoint under /api/v1/authorities/<authority_slug>/: runs inside that authority's scope.

    `method_permissions` names the permission (accounts/roles.py) each HTTP method needs; methods not named are
    public. Object reads that depend on the caller (drafts for staff only) use `self.can(...)`.
    """

    method_permissions: dict[str, str] = {}

    authority: Authority
    roles: frozenset

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._scope_stack = stack
            response = super().dispatch(request, *args, **kwargs)
            # Render inside the scope: nothing lazy may reach tenant data after it closes.
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permission classes, throttles
        authority = selectors.authority_get_public(kwargs.get("authority_slug", ""))
        if authority is None:
            raise exceptions.NotFound("No such authority.")
        self._scope_stack.enter_context(authority_scope(authority))
        self.authority = authority
        self.roles = frozenset()
        if request.user.is_authenticated:
            self.roles = frozenset(
                Membership.objects.filter(authority=authority, user=request.user).values_list("role", flat=True)
            )
        permission = self.method_permissions.get(request.method)
        if permission:
            self.require(permission)

    def require(self, permission: str) -> None:
        if not self.request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not self.roles:
            raise exceptions.NotFound("No such authority.")  # as on the staff pages: not a member, nothing here
        if not has_permission(self.roles, permission):
            raise exceptions.PermissionDenied("Your roles in this authority do not allow this.")

    def can(self, permission: str) -> bool:
        return has_permission(self.roles, permission)


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


class NotFoundView(ApiView):
    """Any other address under /api/v1/: the API's 404 body, not an HTML page."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound("There is nothing at this address. The documentation is at /api/docs/.")

    post = put = patch = delete = get
