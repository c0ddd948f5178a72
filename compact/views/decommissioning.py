"""Decommissioning assessments (compact/decommissioning.py): staff open one on a contract, answer the responses and
record the decision, then end the contract early (compact/views/contracts.py) or reduce it here; the public reads
every assessment at /p/<authority>/compact/assessments/, where approved members of the supplier and of the
authority's Compact partner groups respond.

Every form is a plain POST that answers 303, or 422 with the error summary and what was typed kept.
"""

from django import forms
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
from accounts.widgets import GovukDateField, GovukRadioSelect
from foundation.errors import DomainError

from .. import decommissioning as assessments
from ..models import AssessmentDecision, AssessmentKind, Contract, ContractStatus
from ..partners import partners_of

PAGE_SIZE = 25
TEXT_MAX = assessments.TEXT_MAX_LENGTH

# Forms ------------------------------------------------------------------------------------------------------------


def _text_field(label, *, empty, what, help_text="", rows=5):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": empty, "max_length": f"{what} must be {TEXT_MAX:,} characters or fewer"},
    )


KIND_HINTS = {
    AssessmentKind.END_EARLY.value: "The contract stops before its end date.",
    AssessmentKind.REDUCE_VALUE.value: "The contract continues for less money. Give the proposed value below.",
    AssessmentKind.REDUCE_SCOPE.value: "The contract continues with less work or fewer services.",
}
PUBLISHED = "Published on the authority's public Compact page. Do not name anyone."


class AssessmentOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is proposed?",
        choices=AssessmentKind.choices,
        widget=GovukRadioSelect(choices=AssessmentKind.choices, option_hints=KIND_HINTS),
        error_messages={
            "required": "Choose what is proposed: ending the contract early, or reducing its value or scope",
            "invalid_choice": "Choose what is proposed: ending the contract early, or reducing its value or scope",
        },
    )
    proposal = _text_field(
        "What is proposed and why",
        empty="Enter what is proposed and why",
        what="The proposal",
        help_text=PUBLISHED,
    )
    proposed_value = forms.DecimalField(
        label="Proposed contract value (£), for a reduction in value",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="Leave it empty unless the value is being reduced.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the proposed contract value as a number, like 50000",
            "min_value": "The proposed contract value cannot be negative",
            "max_digits": "Enter a proposed contract value of less than £1 trillion",
            "max_decimal_places": "Enter the proposed contract value in pounds and pence",
        },
    )
    takes_effect_on = GovukDateField(
        label="Date the change would take effect",
        subject="The date the change would take effect",
        help_text="On or after the date responses are due. For example, 1 9 2026",
    )
    impact_beneficiaries = _text_field(
        "Impact on beneficiaries",
        empty="Enter the impact on beneficiaries",
        what="The impact on beneficiaries",
        help_text="Who benefits from the contract now, and what they would lose.",
    )
    impact_service_users = _text_field(
        "Impact on service users",
        empty="Enter the impact on service users",
        what="The impact on service users",
        help_text="What changes for the people who use the service, and what will be done to support them.",
    )
    impact_volunteers = _text_field(
        "Impact on volunteers",
        empty="Enter the impact on volunteers",
        what="The impact on volunteers",
        help_text="Volunteers who take part in the service, and what happens to their roles.",
    )
    responses_due_on = GovukDateField(
        label="Responses due by",
        subject="The date responses are due by",
        help_text=(
            "The supplier and the Compact partner groups can respond until the end of this day. The decision can "
            "be recorded from the day after. For example, 30 6 2026"
        ),
    )

    field_order = [
        "kind",
        "proposal",
        "proposed_value",
        "takes_effect_on",
        "impact_beneficiaries",
        "impact_service_users",
        "impact_volunteers",
        "responses_due_on",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["takes_effect_on"].error_messages["required"] = "Enter the date the change would take effect"
        self.fields["responses_due_on"].error_messages["required"] = "Enter the date responses are due by"


class AnswerForm(forms.Form):
    answer = _text_field("Your answer", empty="Enter your answer", what="The answer", help_text=PUBLISHED)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=AssessmentDecision.choices,
        widget=GovukRadioSelect(choices=AssessmentDecision.choices),
        error_messages={"required": "Choose the decision", "invalid_choice": "Choose the decision"},
    )
    reasons = _text_field(
        "Reasons for the decision",
        empty="Enter the reasons for the decision",
        what="The reasons",
        help_text="Say how the responses and the outstanding social value were weighed. " + PUBLISHED,
        rows=8,
    )


class ReduceForm(forms.Form):
    assessment = forms.ChoiceField(
        label="Which decided assessment are you applying?",
        error_messages={
            "required": "Choose the decided assessment you are applying",
            "invalid_choice": "Choose one of this contract's decided reductions",
        },
    )
    new_value = forms.DecimalField(
        label="New contract value (£)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="Needed for a reduction in value; optional for a reduction in scope.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the new contract value as a number, like 50000",
            "min_value": "The new contract value cannot be negative",
            "max_digits": "Enter a new contract value of less than £1 trillion",
            "max_decimal_places": "Enter the new contract value in pounds and pence",
        },
    )

    def __init__(self, *args, ready, **kwargs):
        super().__init__(*args, **kwargs)
        self.ready = {str(a.pk): a for a in ready}
        choices = [
            (key, f"{a.get_kind_display()}, decided {timezone.localtime(a.decided_at):%-d %B %Y}")
            for key, a in self.ready.items()
        ]
        self.fields["assessment"].choices = choices
        if len(choices) == 1:
            # Nothing to choose: the one assessment goes with the form, and the page names it.
            self.fields["assessment"].widget = forms.HiddenInput()
            self.fields["assessment"].initial = choices[0][0]
        else:
            self.fields["assessment"].widget = GovukRadioSelect(choices=choices)

    def chosen(self):
        return self.ready.get(self.cleaned_data.get("assessment", ""))


class ResponseForm(forms.Form):
    organisation = forms.ChoiceField(
        label="Who are you responding for?",
        error_messages={
            "required": "Choose the organisation you are responding for",
            "invalid_choice": "You can only respond for the supplier or a Compact partner group you are a member of",
        },
    )
    text = _text_field(
        "Your organisation's response",
        empty="Enter your response",
        what="Your response",
        help_text="Published with your organisation's name, not yours. Do not name or describe anyone.",
        rows=8,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(org.pk): org for org in organisations}
        field = self.fields["organisation"]
        field.choices = [(key, org.name) for key, org in self.organisations.items()]
        if len(self.organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = next(iter(self.organisations))
        else:
            field.widget = GovukRadioSelect(choices=field.choices)

    def chosen(self):
        return self.organisations.get(self.cleaned_data.get("organisation", ""))


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
