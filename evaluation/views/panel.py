"""Starting an evaluation, its overview, the panel and conflicts of interest (staff, /a/<authority>/).

A procurement officer starts the evaluation once the offers are opened, forms the panel from the authority's
evaluators and chooses the moderator. Each evaluator declares, for this tender and its bidders, no conflict or an
interest; a declared interest keeps the offers hidden from them until the officer decides (exclude, or allow with a
mitigation note). The overview shows where everyone stands, never anyone's scores.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from accounts.decorators import authority_permission
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError
from tenders import sealing
from tenders import selectors as tender_selectors

from .. import selectors, services
from ..forms import ConflictDecisionForm, DeclarationForm, EvaluationStartForm, ModeratorForm, PanelMemberAddForm
from ..models import ConflictDecision, Declaration, Evaluation, EvaluationStatus
from ..scoring import PRICE_FORMULA_TEXT, TIE_BREAK_TEXT, PriceFormula, TieBreak

# Shared with scoring.py -----------------------------------------------------------------------------------------


def posted_data(request):
    """The POST data, even when empty (a form posted with nothing chosen is still a submission)."""
    return request.POST if request.method == "POST" else None


def evaluation_or_404(request, evaluation_id) -> Evaluation:
    evaluation = selectors.evaluation_get(request.authority, evaluation_id)
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


# Pages ----------------------------------------------------------------------------------------------------------


@authority_permission("evaluation.manage")
@require_http_methods(["GET", "POST"])
def evaluation_start(request, tender_id):
    tender = tender_selectors.tender_for_staff(request.authority, tender_id)
    if tender is None:
        raise Http404("No such tender")
    existing = selectors.evaluation_for_tender(tender)
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
    member = selectors.panel_member_get(request.authority, member_id)
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
