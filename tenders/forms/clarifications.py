"""Clarification forms: a bidder's question, and the procurement officer's answer."""

from django import forms

from accounts.widgets import GovukRadioSelect

from ..clarifications import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH


class ClarificationAskForm(forms.Form):
    question = forms.CharField(
        label="Your question",
        help_text=(
            "Ask about what is being bought or how offers are judged. The authority publishes every answer to all "
            "bidders, with the question reworded so that it does not say who asked."
        ),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your question",
            "max_length": f"Your question must be {QUESTION_MAX_LENGTH:,} characters or fewer",
        },
    )
    organisation = forms.ChoiceField(
        label="Which organisation are you asking for?",
        error_messages={
            "required": "Choose the organisation you are asking for",
            "invalid_choice": "You can only ask for a supplier organisation you are an approved member of",
        },
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(org.pk): org for org in organisations}
        field = self.fields["organisation"]
        field.choices = [(key, org.name) for key, org in self.organisations.items()]
        if len(self.organisations) == 1:
            # Nothing to choose: the one organisation goes with the form, and the page names it.
            field.widget = forms.HiddenInput()
            field.initial = next(iter(self.organisations))
        else:
            field.widget = GovukRadioSelect(choices=field.choices)

    def chosen_organisation(self):
        return self.organisations.get(self.cleaned_data.get("organisation", ""))


class ClarificationAnswerForm(forms.Form):
    published_question = forms.CharField(
        label="The question as it will be published",
        help_text=(
            "Every bidder reads this. Remove anything that says or hints who asked: names, products, places or "
            "circumstances only they have."
        ),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter the question as it will be published",
            "max_length": f"The published question must be {QUESTION_MAX_LENGTH:,} characters or fewer",
        },
    )
    answer = forms.CharField(
        label="Answer",
        help_text="Published with the question on the tender page and emailed to the bidders who asked questions.",
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter the answer",
            "max_length": f"The answer must be {ANSWER_MAX_LENGTH:,} characters or fewer",
        },
    )
