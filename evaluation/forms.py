"""The evaluation pages' forms: starting an evaluation, the panel and its declarations, scores, moderation and the
award. They parse and check what was typed; the rules are in evaluation/services.py."""

from decimal import Decimal

from django import forms

from accounts.widgets import ConditionalRadioSelect, GovukRadioSelect
from tenders.models import QuestionKind

from . import services
from .models import ConflictDecision
from .scoring import PRICE_FORMULA_TEXT, TIE_BREAK_TEXT, PriceFormula, TieBreak
from .selectors import supplier_name
from .services import RATIONALE_MAX

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


RADIO_SCALES = (5, 10)


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


class ModerationForm(forms.Form):
    """An agreed score and its rationale for every question, for one offer."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            top = question.scale_max
            self.fields[f"score_{question.pk}"] = forms.DecimalField(
                label=f"Agreed score for question {number}",
                help_text=f"From 0 to {top}, with one decimal place at most (like 3.5)",
                min_value=Decimal("0"),
                max_value=Decimal(top),
                max_digits=5,
                decimal_places=1,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "govuk-input--width-3", "spellcheck": "false"}
                ),
                error_messages={
                    "required": f"Enter the agreed score for question {number}",
                    "invalid": f"The agreed score for question {number} must be a number, like 3 or 3.5",
                    "min_value": f"The agreed score for question {number} must be from 0 to {top}",
                    "max_value": f"The agreed score for question {number} must be from 0 to {top}",
                    "max_decimal_places": f"The agreed score for question {number} can have one decimal place",
                    "max_digits": f"The agreed score for question {number} must be from 0 to {top}",
                },
            )
            self.fields[f"rationale_{question.pk}"] = forms.CharField(
                label=f"Why the panel agreed this score for question {number}",
                help_text="The reason is kept with the score, shown in the evaluation pack and, as the reason for "
                "the score, in the bidder's assessment summary.",
                max_length=RATIONALE_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={
                    "required": f"Enter why the panel agreed this score for question {number}",
                    "max_length": f"The rationale for question {number} must be {RATIONALE_MAX:,} characters or fewer",
                },
            )

    def pairs(self):
        return [(q, self[f"score_{q.pk}"], self[f"rationale_{q.pk}"]) for q in self.questions]


class AwardForm(forms.Form):
    offer = forms.TypedChoiceField(
        label="Which offer wins?",
        help_text="The award goes to the highest-ranked offer.",
        coerce=int,
        error_messages={
            "required": "Choose the winning offer",
            "invalid_choice": "Choose one of the offers ranked for this award",
        },
    )
    reasons = forms.CharField(
        label="Reasons for the award",
        help_text="Why this offer wins: recorded with the decision, in the evaluation pack and the audit log.",
        max_length=RATIONALE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Give the reasons for the award",
            "max_length": f"The reasons must be {RATIONALE_MAX:,} characters or fewer",
        },
    )

    def __init__(self, *args, ranked, **kwargs):
        super().__init__(*args, **kwargs)
        choices, hints = [], {}
        for row in ranked:
            choices.append((row.offer.pk, supplier_name(row.offer, row.submission)))
            hints[row.offer.pk] = f"Ranked {row.rank}{' (tied)' if row.tied else ''}: {row.total:.2f} points"
        self.fields["offer"].choices = choices
        self.fields["offer"].widget = GovukRadioSelect(choices=choices, option_hints=hints)
