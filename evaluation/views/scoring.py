"""Independent scoring (staff, /a/<authority>/): each evaluator on the panel scores every offer against every written
question with a rationale, then submits their scores.

Offer content is shown only to a panel member cleared to see it (declared no conflict, or a declared interest
allowed by the procurement officer), read through `tenders.sealing` like every staff read of an offer. Every page
here shows the signed-in evaluator's own scores and nobody else's: until moderation, scores are independent.
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

from .. import selectors, services
from ..forms import OfferScoresForm, descriptors, numbered
from ..models import ConflictDecision, Declaration, EvaluationStatus
from .panel import evaluation_or_404, not_on_panel, posted_data, refused


def _scoring_url(request, evaluation) -> str:
    return reverse("evaluation:scoring", args=[request.authority.slug, evaluation.pk])


def _member_or_refusal(request, evaluation):
    """The signed-in evaluator's place on the panel, or the 403 page saying why they may not see the offers."""
    member = selectors.panel_member_for(evaluation, request.user)
    if member is None:
        return None, not_on_panel(request, evaluation)
    member.evaluation = evaluation  # already read, with its tender
    if member.may_see_offers:
        return member, None
    if member.decision == ConflictDecision.EXCLUDED:
        title, reason = (
            "You have been excluded from this panel",
            "The procurement officer decided, on the interest you declared, that you do not evaluate this tender. "
            "You cannot read or score its offers.",
        )
    elif member.declaration == Declaration.DECLARED:
        title, reason = (
            "Your declared interest awaits a decision",
            "You have declared an interest in this tender or its bidders. The offers stay hidden from you until "
            "the procurement officer decides whether you can evaluate, and with what mitigation.",
        )
    else:
        title, reason = (
            "Declare any conflict of interest first",
            "Before you see any offer, declare whether you have a conflict of interest with this tender or its "
            "bidders.",
        )
    return None, refused(request, evaluation, title=title, reason=reason, member=member)


# Pages ----------------------------------------------------------------------------------------------------------


@authority_permission("evaluation.score")
def scoring(request, evaluation_id):
    evaluation = evaluation_or_404(request, evaluation_id)
    member, refusal = _member_or_refusal(request, evaluation)
    if refusal:
        return refusal
    return render(
        request,
        "evaluation/scoring/scoring.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "member": member,
            "progress": selectors.scoring_progress(member),
            "open_for_scoring": evaluation.status == EvaluationStatus.SCORING,
        },
    )


@authority_permission("evaluation.score")
@require_http_methods(["GET", "POST"])
def score_offer(request, scored_offer_id):
    offer = selectors.evaluated_offer_get(request.authority, scored_offer_id)
    if offer is None:
        raise Http404("No such offer")
    evaluation = selectors.evaluation_for_tender(offer.tender)
    if evaluation is None:
        raise Http404("This offer's tender is not being evaluated")
    member, refusal = _member_or_refusal(request, evaluation)
    if refusal:
        return refusal
    if offer.pk not in {o.pk for o, _ in selectors.evaluable_offers(evaluation.tender)}:
        raise Http404("This offer was not submitted, so it is not evaluated")
    try:
        staff_offer = sealing.offer_for_staff(authority=request.authority, offer_id=offer.pk, user=request.user)
    except sealing.OffersSealed as error:
        return refused(request, evaluation, title="Offers are sealed", reason=error.message, member=member)
    if staff_offer is None:
        raise Http404("No such offer")
    questions = selectors.questions_for(evaluation.tender)
    saved = selectors.own_scores(member, offer)
    read_only = member.scores_submitted_at is not None or evaluation.status != EvaluationStatus.SCORING
    form = None
    if not read_only:
        form = OfferScoresForm(posted_data(request), questions=questions, saved=saved)
        if request.method == "POST" and form.is_valid():
            try:
                changed = services.offer_scores_record(
                    member=member, offer=offer, scores=form.scores(), acting_user=request.user
                )
            except services.ScoreRefused as error:
                form.add_refusal(error)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                supplier = staff_offer.content["supplier"]
                messages.success(
                    request,
                    f"Your scores for {supplier} have been saved ({changed} changed)."
                    if changed
                    else f"Nothing had changed in your scores for {supplier}.",
                )
                return see_other(_scoring_url(request, evaluation))
    view = sealing.offer_view(staff_offer)
    answers = {answer["question"].pk: answer for answer in view.answers if answer["question"]}
    items = []
    for question, label in numbered(questions):
        points, plain = descriptors(question)
        items.append(
            {
                "question": question,
                "label": label,
                "answer": answers.get(question.pk),
                "points": points,
                "plain_descriptors": plain,
                "saved": saved.get(question.pk),
                "score_field": form[f"score_{question.pk}"] if form else None,
                "rationale_field": form[f"rationale_{question.pk}"] if form else None,
            }
        )
    return render(
        request,
        "evaluation/scoring/score_offer.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "member": member,
            "offer": staff_offer,
            "content": staff_offer.content,
            "view": view,
            "items": items,
            "form": form,
            "read_only": read_only,
        },
        status=form_status(form) if form else 200,
    )


@authority_permission("evaluation.score")
@require_http_methods(["GET", "POST"])
def scores_submit(request, evaluation_id):
    evaluation = evaluation_or_404(request, evaluation_id)
    member, refusal = _member_or_refusal(request, evaluation)
    if refusal:
        return refusal
    error = ""
    if request.method == "POST" and member.scores_submitted_at is None:
        try:
            services.scores_submit(member=member, acting_user=request.user)
        except DomainError as refused_submit:
            error = refused_submit.message
        else:
            messages.success(request, "Your scores have been submitted. They can now change only through moderation.")
            return see_other(_scoring_url(request, evaluation))
    return render(
        request,
        "evaluation/scoring/scores_submit.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "member": member,
            "progress": selectors.scoring_progress(member),
            "open_for_scoring": evaluation.status == EvaluationStatus.SCORING,
            "error": error,
            "page_has_errors": bool(error),
        },
        status=422 if error else 200,
    )


staff_urlpatterns = [
    path("evaluations/<int:evaluation_id>/scoring/", scoring, name="scoring"),
    path("scoring/<int:scored_offer_id>/", score_offer, name="score-offer"),
    path("evaluations/<int:evaluation_id>/submit-scores/", scores_submit, name="scores-submit"),
]
public_urlpatterns = []
platform_urlpatterns = []
