"""Moderation and results (staff, /a/<authority>/).

The moderator, once every evaluator on the panel (not excluded) has submitted, sees all the individual scores side
by side with wide spreads flagged, records an agreed score with its rationale for every offer and question, and
finalises. Until then the moderation pages say who is still scoring and show no scores. Anyone else (not on the
panel, not the moderator, not yet declared, or excluded) gets a 403 page that says why.

Results (procurement officers and evaluators) appear only after moderation is finalised: per lot, the ranking with
its parts, the formulas and weights, ties and the rule that broke them, commitments below a minimum, identikit
counts and the sensitivity of the winner to the social value weighting.
"""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_http_methods

from accounts.decorators import authority_permission
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError
from tenders import sealing
from tenders import selectors as tender_selectors
from tenders.models import Lot, QuestionKind

from .. import scoring, selectors, services
from ..forms import ModerationForm
from ..models import Evaluation, EvaluationStatus
from ..selectors import moderator_refusal, supplier_name

# Looking things up and who may moderate -----------------------------------------------------------------------


def evaluation_or_404(request, evaluation_id) -> Evaluation:
    evaluation = selectors.evaluation_get(request.authority, evaluation_id)
    if evaluation is None:
        raise Http404("No such evaluation")
    return evaluation


def optional_url(name: str, *args) -> str:
    """A link to a page that may not exist in every deployment of the evaluation pages (others add them)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _refused(request, evaluation: Evaluation, reason: str):
    return render(
        request,
        "evaluation/moderation/refused.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "reason": reason,
            "declaration_url": optional_url("evaluation:declaration", request.authority.slug, evaluation.pk),
            "overview_url": overview_url(request, evaluation),
        },
        status=403,
    )


def overview_url(request, evaluation: Evaluation) -> str:
    return optional_url("evaluation:overview", request.authority.slug, evaluation.pk) or reverse(
        "tenders:tender-detail", args=[request.authority.slug, evaluation.tender_id]
    )


def _waiting(request, evaluation: Evaluation, template: str, extra: dict | None = None, status: int = 200):
    """The page while evaluators are still scoring: their names, never anyone's scores."""
    return render(
        request,
        template,
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "waiting": selectors.panel_still_scoring(evaluation),
            "overview_url": overview_url(request, evaluation),
            **(extra or {}),
        },
        status=status,
    )


def _still_scoring(evaluation: Evaluation) -> bool:
    return evaluation.status == EvaluationStatus.SCORING and selectors.members_still_scoring(evaluation) > 0


# The grid ------------------------------------------------------------------------------------------------------


@authority_permission("evaluation.score")
def moderation(request, evaluation_id):
    evaluation = evaluation_or_404(request, evaluation_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])  # after the lookup: another authority's id is simply not found
    if reason := moderator_refusal(evaluation, request.user):
        return _refused(request, evaluation, reason)
    if _still_scoring(evaluation):
        return _waiting(request, evaluation, "evaluation/moderation/moderation.html")
    grid = selectors.moderation_grid(evaluation)
    for row in grid.rows:
        row.supplier = supplier_name(row.offer, row.submission)
    return render(
        request,
        "evaluation/moderation/moderation.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "grid": grid,
            "missing": len(grid.missing),
            "flagged": sum(1 for row in grid.rows for line in row.lines if line.flagged),
            "finalised": evaluation.status != EvaluationStatus.SCORING,
            "overview_url": overview_url(request, evaluation),
        },
    )


# One offer: the agreed scores ----------------------------------------------------------------------------------


@authority_permission("evaluation.score")
@require_http_methods(["GET", "POST"])
def moderate_offer(request, scored_offer_id):
    offer = selectors.evaluated_offer_get(request.authority, scored_offer_id)
    if offer is None:
        raise Http404("No such offer")
    evaluation = selectors.evaluation_for_tender(offer.tender)
    if evaluation is None:
        raise Http404("This tender is not being evaluated")
    if reason := moderator_refusal(evaluation, request.user):
        return _refused(request, evaluation, reason)
    if _still_scoring(evaluation):
        return _waiting(request, evaluation, "evaluation/moderation/moderate_offer.html", {"offer": offer})
    grid = selectors.moderation_grid(evaluation, offer_ids={offer.pk})
    if not grid.rows:
        raise Http404("This offer is not being evaluated")
    row = grid.rows[0]
    staff_offer = sealing.offer_for_staff(authority=request.authority, offer_id=offer.pk, user=request.user)
    narratives = {}
    if staff_offer is not None:
        for answer in sealing.offer_view(staff_offer).answers:
            if answer["question"] is not None:
                narratives[answer["question"].pk] = answer["narrative"]
    finalised = evaluation.status != EvaluationStatus.SCORING
    initial = {}
    for line in row.lines:
        if line.agreed is not None:
            initial[f"score_{line.question.pk}"] = _fmt(line.agreed.score)
            initial[f"rationale_{line.question.pk}"] = line.agreed.rationale
    form = ModerationForm(
        request.POST if request.method == "POST" and not finalised else None,
        questions=grid.questions,
        initial=initial,
    )
    moderation_url = reverse("evaluation:moderation", args=[request.authority.slug, evaluation.pk])
    error = ""
    if request.method == "POST" and finalised:
        error = "Moderation has been finalised: agreed scores can no longer change."
    elif form.is_bound and form.is_valid():
        scores = {
            line.question: (
                form.cleaned_data[f"score_{line.question.pk}"],
                form.cleaned_data[f"rationale_{line.question.pk}"].strip(),
            )
            for line in row.lines
        }
        try:
            changed = services.offer_moderated_scores_record(
                evaluation=evaluation, offer=offer, scores=scores, acting_user=request.user
            )
        except services.ScoreRefused as refusal:
            question = refusal.question
            field_map = {"score": f"score_{question.pk}", "rationale": f"rationale_{question.pk}"}
            add_domain_error(form, refusal, field_map=field_map)
        except DomainError as refusal:
            add_domain_error(form, refusal)
        else:
            supplier = supplier_name(offer, row.submission)
            if not changed:
                messages.success(request, f"Nothing changed in the agreed scores for {supplier}.")
            else:
                numbers = {q.pk: n for n, q in enumerate(grid.questions, start=1)}
                parts = [
                    f"question {numbers[q.pk]} changed from {_fmt(before)} to {_fmt(after)}"
                    if before is not None
                    else f"question {numbers[q.pk]} agreed at {_fmt(after)}"
                    for q, before, after in changed
                ]
                messages.success(request, f"Agreed scores saved for {supplier}: " + "; ".join(parts) + ".")
            return see_other(f"{moderation_url}#offer-{offer.pk}")
    history = selectors.moderated_score_history(offer)
    questions = []
    for number, (line, (question, score_field, rationale_field)) in enumerate(
        zip(row.lines, form.pairs(), strict=True), start=1
    ):
        descriptors = question.scale_descriptors or []
        questions.append(
            {
                "number": number,
                "question": question,
                "kind": "Quality" if question.kind == QuestionKind.QUALITY else "Social value method statement",
                "line": line,
                "individual": list(zip(grid.members, line.scores, strict=True)),
                "score_field": score_field,
                "rationale_field": rationale_field,
                "narrative": narratives.get(question.pk),
                "descriptors": list(enumerate(descriptors)) if len(descriptors) == question.scale_max + 1 else [],
                "history": history.get(question.pk, []),
            }
        )
    return render(
        request,
        "evaluation/moderation/moderate_offer.html",
        {
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "offer": offer,
            "row": row,
            "supplier": supplier_name(offer, row.submission),
            "staff_offer": staff_offer,
            "questions": questions,
            "form": form,
            "finalised": finalised,
            "error": error,
            "page_has_errors": bool(error),
            "moderation_url": moderation_url,
        },
        status=422 if error else form_status(form),
    )


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value is not None else ""


# Finalising -----------------------------------------------------------------------------------------------------


@authority_permission("evaluation.score")
@require_http_methods(["GET", "POST"])
def finalise(request, evaluation_id):
    evaluation = evaluation_or_404(request, evaluation_id)
    if reason := moderator_refusal(evaluation, request.user):
        return _refused(request, evaluation, reason)
    results_url = reverse("evaluation:results", args=[request.authority.slug, evaluation.pk])
    error = ""
    if request.method == "POST" and evaluation.status == EvaluationStatus.SCORING:
        try:
            services.moderation_finalise(evaluation=evaluation, acting_user=request.user)
        except DomainError as refusal:
            error = refusal.message
            evaluation = evaluation_or_404(request, evaluation_id)
        else:
            messages.success(
                request, "Moderation is finalised. The agreed scores are fixed and the results are ready below."
            )
            return see_other(results_url)
    context = {
        "evaluation": evaluation,
        "tender": evaluation.tender,
        "finalised": evaluation.status != EvaluationStatus.SCORING,
        "error": error,
        "page_has_errors": bool(error),
        "results_url": results_url,
        "moderation_url": reverse("evaluation:moderation", args=[request.authority.slug, evaluation.pk]),
        "overview_url": overview_url(request, evaluation),
    }
    status = 422 if error else 200
    if evaluation.status == EvaluationStatus.SCORING and _still_scoring(evaluation):
        return _waiting(request, evaluation, "evaluation/moderation/finalise.html", context, status=status)
    if evaluation.status == EvaluationStatus.SCORING:
        grid = selectors.moderation_grid(evaluation)
        numbers = {q.pk: n for n, q in enumerate(grid.questions, start=1)}
        context["missing"] = [
            {"supplier": supplier_name(row.offer, row.submission), "offer": row.offer, "number": numbers[q.pk]}
            for row, q in grid.missing
        ]
        context["offer_count"] = len(grid.rows)
        context["question_count"] = len(grid.questions)
    return render(request, "evaluation/moderation/finalise.html", context, status=status)


# Results --------------------------------------------------------------------------------------------------------


def _lot_results(evaluation: Evaluation, lot: Lot | None) -> dict:
    """One lot's results, shaped for the page: rows with the social value points split, and the winners under the
    sensitivity moves named."""
    results = selectors.results(evaluation, lot)
    weights = results.criterion_weights
    questions = {selectors.question_key(q.pk): q for q in selectors.questions_for(evaluation.tender)}
    names = {}
    rows = []
    totals = [row.total for row in results.rows]
    for row in results.rows:
        supplier = supplier_name(row.offer, row.submission)
        names[row.offer.pk] = supplier
        commitments = weights.get(selectors.COMMITMENTS, Decimal("0")) * row.fractions.get(
            selectors.COMMITMENTS, Decimal("0")
        )
        social = row.parts.get(scoring.Part.SOCIAL_VALUE, Decimal("0"))
        flags = row.submission.flags or {}
        rows.append(
            {
                "row": row,
                "supplier": supplier,
                "price_points": row.parts.get(scoring.Part.PRICE, Decimal("0")),
                "quality_points": row.parts.get(scoring.Part.QUALITY, Decimal("0")),
                "commitments_points": commitments,
                "method_points": social - commitments,
                # Equal totals put in order by the tie-break rule (tied: still equal after it).
                "equal_total": totals.count(row.total) > 1,
                "identikit": sum(1 for n in flags.get("narratives", []) if n.get("identikit")),
                "overclaims": len(flags.get("overclaim", [])),
            }
        )
    criteria = []
    for criterion in results.criteria:
        if criterion.key == selectors.PRICE:
            name = "Price"
        elif criterion.key == selectors.COMMITMENTS:
            name = "Social value commitments (monetised)"
        else:
            question = questions[criterion.key]
            kind = "Quality" if question.kind == QuestionKind.QUALITY else "Social value method statement"
            name = f"{kind}: {question.text}"
        criteria.append({"name": name, "part": criterion.part, "points": weights[criterion.key]})
    sensitivity = None
    if results.sensitivity is not None:
        social = results.part_weights.get(scoring.Part.SOCIAL_VALUE, Decimal("0"))
        moves = []
        for moved, keys in sorted(results.sensitivity.winners.items()):
            weight = scoring.shifted_weights(results.part_weights, Decimal(moved))[scoring.Part.SOCIAL_VALUE]
            moves.append(
                {
                    "moved": moved,
                    "weight": weight,
                    "winners": sorted(names[key] for key in keys),
                    "current": moved == 0,
                }
            )
        sensitivity = {"changes": results.sensitivity.changes, "moves": moves, "social": social}
    return {
        "lot": lot,
        "results": results,
        "rows": rows,
        "criteria": criteria,
        "sensitivity": sensitivity,
        "any_equal": any(r["equal_total"] for r in rows),
        "caption": f"Ranking for lot {lot.number}: {lot.title}" if lot else "Ranking",
    }


@authority_permission("evaluation.view")
def results(request, evaluation_id):
    evaluation = evaluation_or_404(request, evaluation_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    context = {
        "evaluation": evaluation,
        "tender": evaluation.tender,
        "finalised": evaluation.status != EvaluationStatus.SCORING,
        "overview_url": overview_url(request, evaluation),
    }
    if context["finalised"]:
        lots = tender_selectors.lots_for_tender(evaluation.tender) or [None]
        context["lots"] = [_lot_results(evaluation, lot) for lot in lots]
        context["award_url"] = reverse("evaluation:award", args=[request.authority.slug, evaluation.pk])
    else:
        context["waiting"] = selectors.members_still_scoring(evaluation)
    return render(request, "evaluation/results/results.html", context)


staff_urlpatterns = [
    path("evaluations/<int:evaluation_id>/moderation/", moderation, name="moderation"),
    path("moderation/<int:scored_offer_id>/", moderate_offer, name="moderate-offer"),
    path("evaluations/<int:evaluation_id>/finalise/", finalise, name="finalise"),
    path("evaluations/<int:evaluation_id>/results/", results, name="results"),
]
public_urlpatterns = []
platform_urlpatterns = []
