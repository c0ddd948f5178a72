"""The public delivery tracker (/p/<authority>/contracts/), community checks on delivered items, their answers by the
contract's responsible officer, and the golden thread (staff, and "you said, we did" on a person's account).

Every form is a plain POST that answers 303, or 422 with the error summary and what was typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import authority_permission
from accounts.views import add_domain_error, form_status, public_authority, see_other
from foundation.errors import DomainError

from .. import thread as thread_selectors
from .. import tracker as services
from ..forms.tracker import CommunityCheckAnswerForm, CommunityCheckForm
from ..performance import STATUS_TEXT

# Public: the tracker and community checks -------------------------------------------------------------------------


def _contract_or_404(request, contract_id):
    contract = services.tracker_contract_get(public_authority(request), contract_id)
    if contract is None:
        raise Http404("No such contract")
    return contract


@require_GET
def tracker(request, authority_slug):
    authority = public_authority(request)
    page_obj, entries = services.tracker_page(authority, request.GET.get("page"))
    return render(
        request,
        "compact/tracker/tracker.html",
        {"authority": authority, "page_obj": page_obj, "entries": entries},
    )


@require_GET
def tracker_contract(request, authority_slug, contract_id):
    contract = _contract_or_404(request, contract_id)
    return render(
        request,
        "compact/tracker/tracker_contract.html",
        {
            "authority": request.authority,
            "contract": contract,
            "commitments": services.tracker_commitments(contract),
            "lines": services.tracker_lines(contract),
            "status_text": STATUS_TEXT,
            "can_check": bool(services.community_groups_for(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def community_check(request, authority_slug, contract_id, line_id):
    contract = _contract_or_404(request, contract_id)
    line = services.tracker_line_get(contract, line_id)
    if line is None:
        raise Http404("No such delivery")
    contract_url = reverse("compact:tracker-contract", args=[request.authority.slug, contract.pk])
    groups = services.community_groups_for(request.user)
    context = {"contract": contract, "line": line, "contract_url": contract_url, "groups": groups}
    if not groups:
        return render(request, "compact/tracker/community_check_not_member.html", context, status=403)
    form = CommunityCheckForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            services.community_check_create(
                line=line,
                acting_user=request.user,
                organisation=form.chosen_group(),
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, f"Your group's check has been published. {contract.title}'s responsible officer will answer."
            )
            return see_other(f"{contract_url}#line-{line.pk}")
    return render(request, "compact/tracker/community_check.html", {**context, "form": form}, status=form_status(form))


# Staff: answering a community check, and the golden thread -----------------------------------------------------


@authority_permission("contracts.view")
@require_http_methods(["GET", "POST"])
def community_check_answer(request, check_id):
    check = services.community_check_get_for_staff(request.authority, check_id)
    if check is None:
        raise Http404("No such community check")
    contract = check.line.report.contract
    allowed = services.can_answer(check, request.user, request.roles)
    if request.method == "POST" and not allowed:
        return render(request, "compact/tracker/community_check_forbidden.html", {"check": check}, status=403)
    form = CommunityCheckAnswerForm(request.POST or None, initial={"answer": check.answer})
    if request.method == "POST" and form.is_valid():
        try:
            services.community_check_answer(
                check=check, acting_user=request.user, roles=request.roles, answer=form.cleaned_data["answer"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your answer has been published on the public tracker.")
            return see_other(
                reverse("compact:tracker-contract", args=[request.authority.slug, contract.pk]) + f"#check-{check.pk}"
            )
    return render(
        request,
        "compact/tracker/community_check_answer.html",
        {
            "check": check,
            "contract": contract,
            "form": form,
            "allowed": allowed,
            "public_url": reverse("compact:tracker-contract", args=[request.authority.slug, contract.pk])
            if contract.status in services.PUBLIC_STATUSES
            else "",
        },
        status=form_status(form),
    )


@authority_permission("contracts.view")
def thread(request, commitment_id):
    found = thread_selectors.thread_get(request.authority, commitment_id)
    if found is None:
        raise Http404("No such commitment")
    # Checked after the lookup, so another authority's commitment answers 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return render(request, "compact/thread/thread.html", {"thread": found, "commitment": found.commitment})


@login_required
@require_GET
def my_thread(request):
    return render(
        request,
        "compact/thread/my_thread.html",
        {"entries": thread_selectors.dangerously_delivered_for_author(request.user)},
    )


staff_urlpatterns = [
    path("community-checks/<int:check_id>/answer/", community_check_answer, name="community-check-answer"),
    path("commitments/<int:commitment_id>/thread/", thread, name="thread"),
]
public_urlpatterns = [
    path("contracts/", tracker, name="tracker"),
    path("contracts/<int:contract_id>/", tracker_contract, name="tracker-contract"),
    path("contracts/<int:contract_id>/lines/<int:line_id>/check/", community_check, name="community-check"),
]
platform_urlpatterns = [
    path("account/delivered/", my_thread, name="my-thread"),
]
