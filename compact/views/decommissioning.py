"""Decommissioning assessments (compact/decommissioning.py): staff open one on a contract, answer the responses and
record the decision, then end the contract early (compact/views/contracts.py) or reduce it here; the public reads
every assessment at /p/<authority>/compact/assessments/, where approved members of the supplier and of the
authority's Compact partner groups respond.

Every form is a plain POST that answers 303, or 422 with the error summary and what was typed kept.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import authority_permission
from accounts.roles import has_permission
from accounts.views import add_domain_error, form_status, public_authority, see_other
from foundation.errors import DomainError

from .. import decommissioning as assessments
from ..forms.decommissioning import AnswerForm, AssessmentOpenForm, DecisionForm, ReduceForm, ResponseForm
from ..models import Contract, ContractStatus
from ..partners import partners_of

PAGE_SIZE = 25

# Helpers ----------------------------------------------------------------------------------------------------------


def _contract_or_404(request, contract_id) -> Contract:
    contract = assessments.contract_for_assessment(request.authority, contract_id)
    if contract is None:
        raise Http404("No such contract")
    return contract


def _assessment_or_404(request, assessment_id):
    assessment = assessments.assessment_get(request.authority, assessment_id)
    if assessment is None:
        raise Http404("No such assessment")
    return assessment


def _detail_url(request, assessment) -> str:
    return reverse("compact:assessment-detail", args=[request.authority.slug, assessment.pk])


def _contract_url(request, contract) -> str:
    return reverse("compact:contract-detail", args=[request.authority.slug, contract.pk])


# Staff ------------------------------------------------------------------------------------------------------------


@authority_permission("contracts.manage")
@require_http_methods(["GET", "POST"])
def assessment_open(request, contract_id):
    contract = _contract_or_404(request, contract_id)
    context = {
        "contract": contract,
        "contract_url": _contract_url(request, contract),
        "outstanding": assessments.outstanding_social_value(contract),
        "partners": partners_of(request.authority),
    }
    if contract.status != ContractStatus.ACTIVE:
        return render(request, "compact/decommissioning/assessment_open_unavailable.html", context)
    form = AssessmentOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessments.assessment_open(contract=contract, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, "The assessment is open. The supplier and the Compact partner groups have been told."
            )
            return see_other(_detail_url(request, assessment))
    return render(
        request,
        "compact/decommissioning/assessment_open.html",
        {**context, "form": form},
        status=form_status(form),
    )


@authority_permission("contracts.view")
@require_GET
def assessment_list(request):
    page_obj = Paginator(assessments.assessment_list(request.authority), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compact/decommissioning/assessment_list.html", {"page_obj": page_obj})


def _detail_context(request, assessment):
    today = timezone.localdate()
    can_manage = has_permission(request.roles, "contracts.manage")
    contract = assessment.contract
    applicable = (
        assessment.status == "decided"
        and assessment.decision in assessments.GO_AHEAD
        and assessment.applied_at is None
        and contract.status == ContractStatus.ACTIVE
    )
    return {
        "assessment": assessment,
        "contract": contract,
        "contract_url": _contract_url(request, contract),
        "responses": list(assessment.responses.all()),
        "net_total": assessments.snapshot_net_total(assessment),
        "responses_open": assessments.responses_open(assessment, today),
        "blocker": assessments.decision_blocker(assessment, today),
        "can_manage": can_manage,
        "applicable": applicable and can_manage,
        "public_url": reverse("compact:assessment-public", args=[request.authority.slug, assessment.pk]),
    }


@authority_permission("contracts.view")
def assessment_detail(request, assessment_id):
    assessment = _assessment_or_404(request, assessment_id)
    # Checked after the lookup, so another authority's assessment answers 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return render(request, "compact/decommissioning/assessment_detail.html", _detail_context(request, assessment))


@authority_permission("contracts.manage")
@require_http_methods(["GET", "POST"])
def response_answer(request, assessment_id, response_id):
    assessment = _assessment_or_404(request, assessment_id)
    response = next((r for r in assessment.responses.all() if r.pk == response_id), None)
    if response is None:
        raise Http404("No such response")
    form = AnswerForm(request.POST or None, initial={"answer": response.answer})
    if request.method == "POST" and form.is_valid():
        try:
            assessments.response_answer(response=response, acting_user=request.user, answer=form.cleaned_data["answer"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Your answer to {response.organisation.name} has been published.")
            return see_other(f"{_detail_url(request, assessment)}#response-{response.pk}")
    return render(
        request,
        "compact/decommissioning/response_answer.html",
        {
            "assessment": assessment,
            "contract": assessment.contract,
            "response": response,
            "form": form,
            "detail_url": _detail_url(request, assessment),
            "open": assessment.status == "open",
        },
        status=form_status(form),
    )


@authority_permission("contracts.manage")
@require_http_methods(["GET", "POST"])
def assessment_decide(request, assessment_id):
    assessment = _assessment_or_404(request, assessment_id)
    context = {**_detail_context(request, assessment), "detail_url": _detail_url(request, assessment)}
    if context["blocker"] and request.method == "GET":
        return render(request, "compact/decommissioning/assessment_decide.html", context)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessments.assessment_decide(
                assessment=assessment,
                acting_user=request.user,
                decision=form.cleaned_data["decision"],
                reasons=form.cleaned_data["reasons"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, "The decision has been recorded. The supplier and the Compact partner groups have been told."
            )
            return see_other(_detail_url(request, assessment))
    return render(
        request,
        "compact/decommissioning/assessment_decide.html",
        {**context, "form": form},
        status=form_status(form),
    )


@authority_permission("contracts.manage")
@require_http_methods(["GET", "POST"])
def contract_reduce(request, contract_id):
    contract = _contract_or_404(request, contract_id)
    ready = assessments.reductions_ready(contract) if contract.status == ContractStatus.ACTIVE else []
    context = {"contract": contract, "contract_url": _contract_url(request, contract), "ready": ready}
    if not ready:
        return render(request, "compact/decommissioning/contract_reduce.html", context)
    first = ready[0]
    form = ReduceForm(
        request.POST or None,
        ready=ready,
        initial={"new_value": first.proposed_value} if len(ready) == 1 and first.proposed_value is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessments.contract_reduce(
                contract=contract,
                assessment=form.chosen(),
                acting_user=request.user,
                new_value=form.cleaned_data["new_value"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The reduction has been applied to the contract.")
            return see_other(_contract_url(request, contract) + "#assessments")
    return render(
        request,
        "compact/decommissioning/contract_reduce.html",
        {**context, "form": form},
        status=form_status(form),
    )


# Public -----------------------------------------------------------------------------------------------------------


@require_GET
def public_list(request, authority_slug):
    authority = public_authority(request)
    page_obj = Paginator(assessments.public_assessments(authority), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compact/decommissioning/public_list.html", {"authority": authority, "page_obj": page_obj})


@require_http_methods(["GET", "POST"])
def public_detail(request, authority_slug, assessment_id):
    authority = public_authority(request)
    assessment = assessments.public_assessment_get(authority, assessment_id)
    if assessment is None:
        raise Http404("No such assessment")
    public_url = reverse("compact:assessment-public", args=[authority.slug, assessment.pk])
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(public_url)
    organisations = assessments.responder_organisations(request.user, assessment)
    context = {
        "authority": authority,
        "assessment": assessment,
        "contract": assessment.contract,
        "responses": list(assessment.responses.all()),
        "net_total": assessments.snapshot_net_total(assessment),
        "responses_open": assessments.responses_open(assessment),
        "organisations": organisations,
        "public_url": public_url,
    }
    if request.method == "POST" and not organisations:
        return render(request, "compact/decommissioning/public_forbidden.html", context, status=403)
    form = None
    if organisations and (context["responses_open"] or request.method == "POST"):
        form = ResponseForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            assessments.response_add(
                assessment=assessment,
                acting_user=request.user,
                organisation=form.chosen(),
                text=form.cleaned_data["text"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your organisation's response has been published. The authority will answer it.")
            return see_other(public_url + "#responses")
    return render(
        request,
        "compact/decommissioning/public_detail.html",
        {**context, "form": form},
        status=form_status(form) if form is not None else 200,
    )


staff_urlpatterns = [
    path("contracts/<int:contract_id>/assessments/new/", assessment_open, name="assessment-open"),
    path("contracts/<int:contract_id>/reduce/", contract_reduce, name="assessment-reduce"),
    path("assessments/", assessment_list, name="assessment-list"),
    path("assessments/<int:assessment_id>/", assessment_detail, name="assessment-detail"),
    path(
        "assessments/<int:assessment_id>/responses/<int:response_id>/answer/",
        response_answer,
        name="assessment-response-answer",
    ),
    path("assessments/<int:assessment_id>/decide/", assessment_decide, name="assessment-decide"),
]
public_urlpatterns = [
    path("compact/assessments/", public_list, name="assessment-public-list"),
    path("compact/assessments/<int:assessment_id>/", public_detail, name="assessment-public"),
]
platform_urlpatterns = []
