"""Independent scoring (staff, /a/<authority>/): each evaluator on the panel scores every offer against every written
question with a rationale, then submits their scores.

Offer content is shown only to a panel member cleared to see it (declared no conflict, or a declared interest
allowed by the procurement officer), read through `tenders.sealing` like every staff read of an offer. Every page
here shows the signed-in evaluator's own scores and nobody else's: until moderation, scores are independent.
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
from tenders.models import Offer, QuestionKind

from .. import selectors, services
from ..models import ConflictDecision, Declaration, Evaluation, EvaluationStatus
from .panel import evaluation_or_404, not_on_panel, posted_data, refused

RADIO_SCALES = (5, 10)


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


def _label(question, number) -> str:
    kind = "quality" if question.kind == QuestionKind.QUALITY else "social value"
    return f"{kind} question {number}"


def numbered(questions) -> list:
    """(question, its label) pairs: "quality question 1", "social value question 1", in the tender's order."""
    counts, labelled = {}, []
    for question in questions:
        counts[question.kind] = counts.get(question.kind, 0) + 1
        labelled.append((question, _label(question, counts[question.kind])))
    return labelled


def descriptors(question) -> tuple[list, list]:
    """(numbered, plain): descriptors for each point of the scale when there is one per point, else as a list."""
    given = [str(text) for text in (question.scale_descriptors or [])]
    if len(given) == question.scale_max + 1:
        return list(enumerate(given)), []
    return [], given


def _plain(score: Decimal) -> str:
    return format(score.normalize(), "f") if score is not None else ""


# Forms ----------------------------------------------------------------------------------------------------------


class OfferScoresForm(forms.Form):
    """One score and rationale per question of the tender, for one offer. Questions left entirely blank are left
    unscored (the evaluator can come back to them); a saved score can be changed but not removed."""

    def __init__(self, *args, questions, saved, **kwargs):
        self.labelled = numbered(questions)
        self.saved = saved
        initial = {}
        for question in questions:
            if (score := saved.get(question.pk)) is not None:
                initial[f"score_{question.pk}"] = _plain(score.score)
                initial[f"rationale_{question.pk}"] = score.rationale
        super().__init__(*args, initial=initial, **kwargs)
        for question, label in self.labelled:
            self.fields[f"score_{question.pk}"] = self._score_field(question, label)
            self.fields[f"rationale_{question.pk}"] = forms.CharField(
                label=f"Your rationale for {label}",
                help_text="Say why the answer earns this score against the descriptors. It is part of the record.",
                required=False,
                max_length=services.RATIONALE_MAX,
                widget=forms.Textarea(attrs={"rows": 5, "maxlength": services.RATIONALE_MAX}),
                error_messages={
                    "max_length": f"The rationale for {label} must be {services.RATIONALE_MAX:,} characters or fewer"
                },
            )

    @staticmethod
    def _score_field(question, label):
        top = question.scale_max
        out_of_range = f"Enter a score from 0 to {top} for {label}"
        if top in RADIO_SCALES:
            points, _ = descriptors(question)
            return forms.ChoiceField(
                label=f"Your score for {label}",
                required=False,
                choices=[(str(point), str(point)) for point in range(top + 1)],
                widget=GovukRadioSelect(
                    attrs={} if points else {"class": "govuk-radios--inline"},
                    option_hints={str(point): text for point, text in points},
                ),
                error_messages={"invalid_choice": f"Choose a score from 0 to {top} for {label}"},
            )
        return forms.DecimalField(
            label=f"Your score for {label}",
            help_text=f"From 0 to {top}, in steps of 0.1 at most.",
            required=False,
            min_value=Decimal("0"),
            max_value=Decimal(top),
            max_digits=4,
            decimal_places=1,
            widget=forms.TextInput(
                attrs={"inputmode": "decimal", "class": "govuk-input--width-4", "spellcheck": "false"}
            ),
            error_messages={
                "invalid": f"The score for {label} must be a number from 0 to {top}",
                "min_value": out_of_range,
                "max_value": out_of_range,
                "max_digits": out_of_range,
                "max_decimal_places": f"The score for {label} can have 1 decimal place at most",
            },
        )

    def clean(self):
        cleaned = super().clean()
        given_any = False
        for question, label in self.labelled:
            score_key, rationale_key = f"score_{question.pk}", f"rationale_{question.pk}"
            if score_key in self.errors or rationale_key in self.errors:
                given_any = True
                continue
            score = cleaned.get(score_key)
            score = None if score in (None, "") else Decimal(score)
            rationale = (cleaned.get(rationale_key) or "").strip()
            cleaned[score_key], cleaned[rationale_key] = score, rationale
            if score is None and not rationale:
                if question.pk in self.saved:
                    self.add_error(score_key, f"Choose a score for {label}: a saved score can be changed, not removed")
                continue
            given_any = True
            if score is None:
                self.add_error(score_key, f"Choose a score from 0 to {question.scale_max} for {label}")
            if not rationale:
                self.add_error(rationale_key, f"Explain your score for {label}: the rationale is part of the record")
        if not given_any and not self.errors and self.labelled:
            first_question, _ = self.labelled[0]
            self.add_error(f"score_{first_question.pk}", "Score at least one question before you save")
        return cleaned

    def scores(self) -> dict:
        """question → (score, rationale) for the questions given."""
        return {
            question: (self.cleaned_data[f"score_{question.pk}"], self.cleaned_data[f"rationale_{question.pk}"])
            for question, _ in self.labelled
            if self.cleaned_data.get(f"score_{question.pk}") is not None
        }

    def add_refusal(self, error: services.ScoreRefused) -> None:
        """Shows a refusal from score_record next to the field of the question it is about."""
        if error.field in ("score", "rationale"):
            self.add_error(f"{error.field}_{error.question.pk}", error.message)
        else:
            self.add_error(None, error.message)


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
    offer = Offer.objects.filter(authority=request.authority, pk=scored_offer_id).select_related("tender").first()
    if offer is None:
        raise Http404("No such offer")
    evaluation = (
        Evaluation.objects.filter(authority=request.authority, tender=offer.tender)
        .select_related("tender", "moderator")
        .first()
    )
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
