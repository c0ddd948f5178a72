"""The account's API token pages: list, create (the secret shown once), revoke with a confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from foundation.errors import DomainError

from . import tokens
from .forms import ApiTokenForm
from .views import add_domain_error, form_status, see_other

PAGE_SIZE = 25
# The secret waits in the session between the POST that made it and the one page that shows it, then is removed.
SESSION_KEY = "api_token_secret_{}"


def _token_or_404(request, token_id):
    token = tokens.token_get_for_user(request.user, token_id)
    if token is None or not token.is_live:
        raise Http404("No such token")
    return token


@login_required
def token_list(request):
    page = Paginator(tokens.tokens_live_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/api_token_list.html", {"page_obj": page, "tokens": page.object_list})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_create(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = tokens.token_create(user=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            request.session[SESSION_KEY.format(token.pk)] = secret
            return see_other("accounts:api-token-created", token_id=token.pk)
    return render(request, "accounts/api_token_create.html", {"form": form}, status=form_status(form))


@login_required
@never_cache
def token_created(request, token_id):
    """Shows the new token's secret once: the session forgets it as this page is made."""
    token = _token_or_404(request, token_id)
    secret = request.session.pop(SESSION_KEY.format(token.pk), None)
    return render(request, "accounts/api_token_created.html", {"token": token, "secret": secret})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, token_id):
    token = _token_or_404(request, token_id)
    error = None
    if request.method == "POST":
        try:
            tokens.token_revoke(token=token, acting_user=request.user)
        except DomainError as domain_error:
            error = domain_error.message
        else:
            messages.success(request, f"The token “{token.name}” has been revoked. It no longer works.")
            return see_other("accounts:api-token-list")
    return render(
        request,
        "accounts/api_token_revoke.html",
        {"token": token, "error": error, "page_has_errors": bool(error)},
        status=422 if error else 200,
    )


urlpatterns = [
    path("account/api-tokens/", token_list, name="api-token-list"),
    path("account/api-tokens/new/", token_create, name="api-token-create"),
    path("account/api-tokens/<int:token_id>/", token_created, name="api-token-created"),
    path("account/api-tokens/<int:token_id>/revoke/", token_revoke, name="api-token-revoke"),
]
