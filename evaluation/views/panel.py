"""Starting an evaluation, its overview, the panel and conflicts of interest (staff, /a/<authority>/).

A procurement officer starts the evaluation once the offers are opened, forms the panel from the authority's
evaluators and chooses the moderator. Each evaluator declares, for this tender and its bidders, no conflict or an
interest; a declared interest keeps the offers hidden from them until the officer decides (exclude, or allow with a
mitigation note). The overview shows where everyone stands, never anyone's scores.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from accounts.decorators import authority_permission
from accounts.views import add_domain_error, form_status, see_other
from accounts.widgets import GovukRadioSelect
from foundation.errors import DomainError
from tenders import sealing
from tenders import selectors as tender_selectors

from .. import selectors, services
from ..models import ConflictDecision, Declaration, Evaluation, EvaluationStatus, PanelMember
from ..scoring import PRICE_FORMULA_TEXT, TIE_BREAK_TEXT, PriceFormula, TieBreak

PRICE_FORMULA_LABELS = {
    PriceFormula.LOWEST_RATIO: "Lowest price divided by the offer's price",
    PriceFormula.LINEAR_DEDUCTION: "Linear deduction from the lowest price",
}
TIE_BREAK_LABELS = {
    TieBreak.QUALITY: "The higher quality score",
    TieBreak.PRICE: "The lower price",
    TieBreak.SOCIAL_VALUE: "The higher social value score",
}
NOTE_MAX_LENGTH = 3000


# Shared with scoring.py -----------------------------------------------------------------------------------------


def posted_data(request):
    """The POST data, even when empty (a form posted with nothing chosen is still a submission)."""
    return request.POST if request.method == "POST" else None


def evaluation_or_404(request, evaluation_id) -> Evaluation:
    evaluation = (
        Evaluation.objects.filter(authority=request.authority, pk=evaluation_id)
        .select_related("tender", "moderator")
        .first()
    )
    if evaluation is None:
        raise Http404("No such evaluation")
    return evaluation


def overview_url(request, evaluation) -> str:
    return reverse("evaluation:overview", args=[request.authority.slug, evaluation.pk])


def refused(request, evaluation, *, title: str, reason: str, member=None):
    """The 403 page for someone the evaluation's rules keep out (not on the panel, not yet cleared to see offers):
    why, and what to do. Never any offer content or scores."""
    return render(
        request,
        "evaluation/panel/refused.html",
        {"evaluation": evaluation, "tender": evaluation.tender, "title": title, "reason": reason, "member": member},
        status=403,
    )


def not_on_panel(request, evaluation):
    return refused(
        request,
        evaluation,
        title="You are not on this panel",
        reason=(
            "Only the evaluators on the panel declare conflicts of interest and score the offers of this tender. "
            "If you should be on it, ask the procurement officer to add you."
        ),
    )


# Forms ----------------------------------------------------------------------------------------------------------


class EvaluationStartForm(forms.Form):
    price_formula = forms.ChoiceField(
        label="How is price scored?",
        choices=[(f.value, PRICE_FORMULA_LABELS[f]) for f in PriceFormula],
        initial=PriceFormula.LOWEST_RATIO.value,
        widget=GovukRadioSelect(option_hints={f.value: PRICE_FORMULA_TEXT[f] for f in PriceFormula}),
        error_messages={"required": "Choose how price is scored", "invalid_choice": "Choose how price is scored"},
    )
    tie_break = forms.ChoiceField(
        label="Which offer ranks higher when two totals are equal?",
        choices=[(t.value, TIE_BREAK_LABELS[t]) for t in TieBreak],
        initial=TieBreak.QUALITY.value,
        widget=GovukRadioSelect(option_hints={t.value: TIE_BREAK_TEXT[t] for t in TieBreak}),
        error_messages={"required": "Choose the tie-break rule", "invalid_choice": "Choose the tie-break rule"},
    )
    commitments_share = forms.DecimalField(
        label="Share of the social value weighting given to the commitments",
        help_text=(
            "The rest goes to the social value method statement questions. If the tender has none, the commitments "
            "carry the whole social value weighting."
        ),
        initial=Decimal("50"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input--width-4", "spellcheck": "false", "govuk_suffix": "%"}
        ),
        error_messages={
            "required": "Enter the share for the commitments",
            "invalid": "The share for the commitments must be a number, like 50",
            "min_value": "The share for commitments must be from 0%% to 100%%",
            "max_value": "The share for commitments must be from 0%% to 100%%",
            "max_digits": "The share for commitments must be from 0%% to 100%%",
            "max_decimal_places": "The share for commitments can have up to 2 decimal places",
        },
    )


class PanelMemberAddForm(forms.Form):
    user = forms.ChoiceField(
        label="Evaluator",
        widget=GovukRadioSelect(),
        error_messages={
            "required": "Choose an evaluator to add",
            "invalid_choice": "Choose one of the authority's evaluators who is not on the panel yet",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(user.pk): user for user in candidates}
        field = self.fields["user"]
        field.choices = [(key, user.full_name or user.email) for key, user in self.candidates.items()]
        field.widget.option_hints = {key: user.email for key, user in self.candidates.items()}

    def chosen(self):
        return self.candidates[self.cleaned_data["user"]]


class ModeratorForm(forms.Form):
    moderator = forms.ChoiceField(
        label="Moderator",
        help_text=(
            "The moderator sees every evaluator's scores once all have submitted, and records the agreed scores. "
            "They also score as a member of the panel."
        ),
        widget=GovukRadioSelect(),
        error_messages={
            "required": "Choose the moderator",
            "invalid_choice": "Choose the moderator from the panel (not an excluded evaluator)",
        },
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(member.pk): member for member in members}
        self.fields["moderator"].choices = [
            (key, member.user.full_name or member.user.email) for key, member in self.members.items()
        ]

    def chosen(self):
        return self.members[self.cleaned_data["moderator"]]


class ConditionalRadioSelect(GovukRadioSelect):
    """Radios where choosing an option reveals more fields: `conditionals` maps an option's value to the id of the
    element it reveals (`data-app-reveals`). Not GOV.UK Frontend's reveal: for any radio with aria-controls it sets
    aria-expanded, which ARIA does not allow on a radio and axe-core reports (alphagov/govuk-frontend#979); the
    page's small script does the revealing. Without JavaScript the revealed fields are always shown."""

    def __init__(self, attrs=None, choices=(), option_hints=None, conditionals=None):
        super().__init__(attrs, choices, option_hints)
        self.conditionals = conditionals or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if (target := self.conditionals.get(str(value))) is not None:
            option["attrs"] = {**option["attrs"], "data-app-reveals": target}
        return option


class DeclarationForm(forms.Form):
    has_interest = forms.ChoiceField(
        label="Do you have a conflict of interest?",
        choices=[("no", "I have no conflict of interest"), ("yes", "I have an interest to declare")],
        widget=ConditionalRadioSelect(conditionals={"yes": "conditional-interest"}),
        error_messages={
            "required": "Choose whether you have an interest to declare",
            "invalid_choice": "Choose whether you have an interest to declare",
        },
    )
    interest = forms.CharField(
        label="Describe the interest",
        help_text="Who it involves and how: for example, a relative who works for a bidder, or shares you hold.",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 3000}),
        error_messages={"max_length": "The interest must be 3,000 characters or fewer"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_interest") == "yes" and not (cleaned.get("interest") or "").strip():
            self.add_error("interest", "Describe the interest: who it involves and how")
        return cleaned


class ConflictDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (ConflictDecision.ALLOWED.value, "Allow them to evaluate, with mitigation"),
            (ConflictDecision.EXCLUDED.value, "Exclude them from the panel"),
        ],
        widget=GovukRadioSelect(
            option_hints={
                ConflictDecision.ALLOWED.value: "They can read and score the offers under the mitigation you record.",
                ConflictDecision.EXCLUDED.value: "They cannot see the offers or score, and their scores do not count.",
            }
        ),
        error_messages={
            "required": "Choose whether to allow or exclude the evaluator",
            "invalid_choice": "Choose whether to allow or exclude the evaluator",
        },
    )
    # Required, with a message that depends on the decision: conflict_decide gives it.
    note = forms.CharField(
        label="Note",
        help_text="If you allow them: the mitigation (for example, they do not score one bidder). If you exclude "
        "them: why.",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": NOTE_MAX_LENGTH}),
        error_messages={"max_length": f"The note must be {NOTE_MAX_LENGTH:,} characters or fewer"},
    )


# Pages ----------------------------------------------------------------------------------------------------------


@authority_permission("evaluation.manage")
@require_http_methods(["GET", "POST"])
def evaluation_start(request, tender_id):
    tender = tender_selectors.tender_for_staff(request.authority, tender_id)
    if tender is None:
        raise Http404("No such tender")
    existing = Evaluation.objects.filter(tender=tender).first()
    if existing is not None:
        return see_other(overview_url(request, existing))
    if not sealing.offers_opened(tender):
        return render(
            request,
            "evaluation/panel/start_not_yet.html",
            {
                "tender": tender,
                "message": sealing.sealed_message(tender),
                "can_open_now": sealing.open_refusal(tender) is None,
            },
        )
    form = EvaluationStartForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_start(tender=tender, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The evaluation has started. Add the evaluators to the panel.")
            return see_other(reverse("evaluation:panel", args=[request.authority.slug, evaluation.pk]))
    return render(
        request,
        "evaluation/panel/start.html",
        {"tender": tender, "form": form, "offer_count": sealing.submitted_offer_count(tender)},
        status=form_status(form),
    )


@authority_permission("evaluation.view")
def evaluation_overview(request, evaluation_id):
    evaluation = evaluation_or_404(request, evaluation_id)
    panel = selectors.panel_for(evaluation)
    member = next((m for m in panel if m.user_id == request.user.pk), None)
    moderator_member = next((m for m in panel if m.user_id == evaluation.moderator_id), None)
    return render(
        request,
        "evaluation/panel/overview.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "panel": panel,
            "member": member,
            "awaiting_decision": [m for m in panel if m.declaration == Declaration.DECLARED and not m.decision],
            "still_scoring": [
                m for m in panel if m.decision != ConflictDecision.EXCLUDED and m.scores_submitted_at is None
            ],
            "moderator_excluded": moderator_member is not None
            and moderator_member.decision == ConflictDecision.EXCLUDED,
            "is_moderator": evaluation.moderator_id == request.user.pk,
            "scoring": evaluation.status == EvaluationStatus.SCORING,
            "price_formula_text": PRICE_FORMULA_TEXT[PriceFormula(evaluation.price_formula)],
            "tie_break_text": TIE_BREAK_TEXT[TieBreak(evaluation.tie_break)],
        },
    )


@authority_permission("evaluation.manage")
@require_http_methods(["GET", "POST"])
def panel_manage(request, evaluation_id):
    evaluation = evaluation_or_404(request, evaluation_id)
    action = request.POST.get("action") if request.method == "POST" else None
    panel = selectors.panel_for(evaluation)
    eligible = [m for m in panel if m.decision != ConflictDecision.EXCLUDED]
    add_form = PanelMemberAddForm(
        request.POST if action == "add" else None, candidates=selectors.evaluators_to_add(evaluation)
    )
    moderator_form = ModeratorForm(
        request.POST if action == "moderator" else None,
        members=eligible,
        initial={"moderator": next((str(m.pk) for m in eligible if m.user_id == evaluation.moderator_id), None)},
    )
    if action == "add" and add_form.is_valid():
        user = add_form.chosen()
        try:
            services.panel_member_add(evaluation=evaluation, user=user, acting_user=request.user)
        except DomainError as error:
            add_domain_error(add_form, error)
        else:
            messages.success(request, f"{user.full_name or user.email} has been added to the panel.")
            return see_other(request.path)
    if action == "moderator" and moderator_form.is_valid():
        member = moderator_form.chosen()
        try:
            services.moderator_set(evaluation=evaluation, member=member, acting_user=request.user)
        except DomainError as error:
            add_domain_error(moderator_form, error)
        else:
            messages.success(request, f"{member.user.full_name or member.user.email} is the moderator.")
            return see_other(request.path)
    return render(
        request,
        "evaluation/panel/panel.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "panel": panel,
            "add_form": add_form,
            "moderator_form": moderator_form,
            "scoring": evaluation.status == EvaluationStatus.SCORING,
            "page_has_errors": bool(add_form.errors or moderator_form.errors),
        },
        status=form_status(add_form, moderator_form),
    )


@authority_permission("evaluation.manage")
@require_http_methods(["GET", "POST"])
def conflict_decide(request, member_id):
    member = (
        PanelMember.objects.filter(authority=request.authority, pk=member_id)
        .select_related("user", "decided_by", "evaluation__tender")
        .first()
    )
    if member is None:
        raise Http404("No such panel member")
    evaluation = member.evaluation
    form = ConflictDecisionForm(
        posted_data(request),
        initial={"decision": member.decision or None, "note": member.decision_note},
    )
    declared = member.declaration == Declaration.DECLARED
    if declared and request.method == "POST" and form.is_valid():
        try:
            services.conflict_decide(
                member=member,
                acting_user=request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            name = member.user.full_name or member.user.email
            if form.cleaned_data["decision"] == ConflictDecision.ALLOWED:
                messages.success(request, f"{name} can now read and score the offers, with the mitigation recorded.")
            else:
                messages.success(request, f"{name} has been excluded from the panel.")
            return see_other(overview_url(request, evaluation))
    return render(
        request,
        "evaluation/panel/conflict_decide.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "member": member,
            "declared": declared,
            "form": form,
            "moderator_affected": member.user_id == evaluation.moderator_id,
        },
        status=form_status(form) if declared else 200,
    )


@authority_permission("evaluation.score")
@require_http_methods(["GET", "POST"])
def declaration(request, evaluation_id):
    evaluation = evaluation_or_404(request, evaluation_id)
    member = selectors.panel_member_for(evaluation, request.user)
    if member is None:
        return not_on_panel(request, evaluation)
    excluded = member.decision == ConflictDecision.EXCLUDED
    initial = {}
    if member.declaration != Declaration.PENDING:
        initial = {"has_interest": "yes" if member.declaration == Declaration.DECLARED else "no"}
        initial["interest"] = member.interest
    form = DeclarationForm(posted_data(request), initial=initial)
    if not excluded and request.method == "POST" and form.is_valid():
        has_interest = form.cleaned_data["has_interest"] == "yes"
        try:
            services.declaration_make(
                member=member,
                acting_user=request.user,
                has_interest=has_interest,
                interest=form.cleaned_data["interest"] if has_interest else "",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if has_interest:
                messages.success(
                    request,
                    "Your interest has been declared. The procurement officer decides whether you can evaluate; "
                    "until then the offers stay hidden from you.",
                )
                return see_other(overview_url(request, evaluation))
            messages.success(request, "You have declared no conflict of interest. You can now score the offers.")
            return see_other(reverse("evaluation:scoring", args=[request.authority.slug, evaluation.pk]))
    return render(
        request,
        "evaluation/panel/declaration.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "member": member,
            "excluded": excluded,
            "bidders": selectors.bidder_names(evaluation.tender),
            "form": form,
        },
        status=form_status(form),
    )


staff_urlpatterns = [
    path("tenders/<int:tender_id>/evaluation/", evaluation_start, name="start"),
    path("evaluations/<int:evaluation_id>/", evaluation_overview, name="overview"),
    path("evaluations/<int:evaluation_id>/panel/", panel_manage, name="panel"),
    path("panel-members/<int:member_id>/decision/", conflict_decide, name="conflict-decide"),
    path("evaluations/<int:evaluation_id>/declaration/", declaration, name="declaration"),
]
public_urlpatterns = []
platform_urlpatterns = []
