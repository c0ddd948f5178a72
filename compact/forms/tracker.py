"""Public tracker forms: a community check on a delivery line, and the officer's answer to it.

They parse and check what was typed; the rules live in the compact services."""

from django import forms

from accounts.forms import ActingForGroupForm
from accounts.widgets import GovukRadioSelect

from .. import tracker as services
from ..models import CommunityVerdict


class CommunityCheckForm(ActingForGroupForm):
    verdict = forms.ChoiceField(
        label="What does your group say about this delivery?",
        choices=CommunityVerdict.choices,
        widget=GovukRadioSelect(choices=CommunityVerdict.choices),
        error_messages={
            "required": "Choose whether you confirm or question this delivery",
            "invalid_choice": "Choose whether you confirm or question this delivery",
        },
    )
    comment = forms.CharField(
        label="Your comment",
        help_text=(
            "Say what your group saw, or what you would like the council to look into. It is published with your "
            "group's name, not yours. Do not name or describe anyone."
        ),
        max_length=services.CHECK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter your comment",
            "max_length": f"Your comment must be {services.CHECK_MAX_LENGTH:,} characters or fewer",
        },
    )
    organisation = forms.ChoiceField(
        label="Which community group are you checking for?",
        error_messages={
            "required": "Choose the community group you are checking for",
            "invalid_choice": "You can only check deliveries for a community group you are an approved member of",
        },
    )


class CommunityCheckAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        help_text="Published on the public tracker under the group's comment. Do not name anyone.",
        max_length=services.CHECK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter your answer",
            "max_length": f"The answer must be {services.CHECK_MAX_LENGTH:,} characters or fewer",
        },
    )
