from django.contrib.auth.views import redirect_to_login
from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.urls import Resolver404, resolve

from .audit import current_ip
from .models import Authority, Membership
from .scoping import authority_scope, dangerously_unscoped


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Behind the proxy, REMOTE_ADDR is the proxy; gunicorn is configured to pass the client's address.
        token = current_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class AuthorityScopeMiddleware:
    """Resolves the authority from `/a/<slug>/` (staff) and `/p/<slug>/` (public) URLs and runs the view and its
    template rendering inside that authority's scope.

    Staff pages: anonymous users are sent to sign in; a signed-in user without a role in the authority gets 404,
    exactly as if the authority did not exist. Everything else: the Django admin runs unscoped (operators only),
    other pages run with no scope, so any tenant query there raises.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.authority = None
        request.roles = frozenset()
        path = request.path_info
        if path.startswith("/admin/"):
            with dangerously_unscoped():
                return self._render(self.get_response(request))
        if not (path.startswith("/a/") or path.startswith("/p/")):
            return self.get_response(request)
        try:
            match = resolve(path)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("authority_slug")
        if slug is None:
            return self.get_response(request)
        staff_page = path.startswith("/a/")
        if staff_page and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        authority = Authority.objects.filter(slug=slug).first()
        if authority is None:
            return response_for_exception(request, Http404("No such authority"))
        if staff_page:
            with dangerously_unscoped():
                roles = frozenset(
                    Membership.objects.filter(authority=authority, user=request.user).values_list("role", flat=True)
                )
            if not roles:
                return response_for_exception(request, Http404("No such authority"))
            request.roles = roles
        request.authority = authority
        with authority_scope(authority):
            return self._render(self.get_response(request))

    @staticmethod
    def _render(response):
        # A lazy TemplateResponse would otherwise render after the scope has closed.
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            response.render()
        return response
