"""Consultation register forms: an entry run outside this service's charters, and the feedback given on it.

They parse and check what was typed; the rules live in the compact services."""

from django import forms

from accounts.widgets import GovukDateField, GovukRadioSelect

from .. import register as services


class RegisterEntryForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=services.TITLE_MAX_LENGTH,
        error_messages={
            "required": "Enter the consultation's title",
            "max_length": f"The title must be {services.TITLE_MAX_LENGTH} characters or fewer",
        },
    )
    summary = forms.CharField(
        label="What it asks about (optional)",
        required=False,
        max_length=services.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The summary must be {services.TEXT_MAX_LENGTH:,} characters or fewer"},
    )
    url = forms.CharField(
        label="Web address of the consultation (optional)",
        required=False,
        max_length=services.URL_MAX_LENGTH,
        help_text="For example, https://www.example.gov.uk/consultations/parks",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "url", "inputmode": "url"}),
        error_messages={"max_length": f"The web address must be {services.URL_MAX_LENGTH} characters or fewer"},
    )
    opens_on = GovukDateField(
        label="Opening date",
        subject="The opening date",
        help_text="For example, 1 4 2026",
        error_messages={"required": "Enter the date the consultation opens"},
    )
    closes_on = GovukDateField(
        label="Closing date",
        subject="The closing date",
        help_text="For example, 24 6 2026",
        error_messages={"required": "Enter the date the consultation closes"},
    )
    shorter_reason = forms.CharField(
        label="Why is it shorter than 12 weeks? (only if it is)",
        required=False,
        max_length=services.TEXT_MAX_LENGTH,
        help_text="The Compact asks for 12 weeks where appropriate. The reason is shown publicly.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The reason must be {services.TEXT_MAX_LENGTH:,} characters or fewer"},
    )


FEEDBACK_CHOICES = [("yes", "Yes"), ("no", "No, not yet")]


class FeedbackForm(forms.Form):
    feedback_given = forms.ChoiceField(
        label="Have respondents been told how their responses were used?",
        choices=FEEDBACK_CHOICES,
        widget=GovukRadioSelect(choices=FEEDBACK_CHOICES),
        error_messages={
            "required": "Choose whether respondents got feedback",
            "invalid_choice": "Choose whether respondents got feedback",
        },
    )
    feedback_url = forms.CharField(
        label="Web address where the feedback is published",
        required=False,
        max_length=services.URL_MAX_LENGTH,
        help_text="Needed when respondents got feedback.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "url", "inputmode": "url"}),
        error_messages={"max_length": f"The web address must be {services.URL_MAX_LENGTH} characters or fewer"},
    )
