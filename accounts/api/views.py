"""The API's base views: `ApiView` for every endpoint, `AuthorityApiView` for those under an authority.

`AuthorityApiView`: routes under /api/v1/authorities/<slug>/ resolve the authority, run inside its scope, and check
the same permission names as the staff pages. A signed-in non-member asking for a staff-only action gets 404,
exactly as on the pages; public reads are open to anyone.
"""

from contextlib import ExitStack

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.views import APIView

from .. import selectors
from ..models import Authority, Membership
from ..roles import has_permission
from ..scoping import authority_scope

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


# Not an operation: left out of the schema as a whole, for every method.
@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Any other address under /api/v1/: the API's 404 body, not an HTML page."""

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound("There is nothing at this address. The documentation is at /api/docs/.")

    post = put = patch = delete = get
