"""Consultation forms: a comment (as a resident or for a community group), hiding one, and the response to it."""

from django import forms

from accounts.widgets import GovukRadioSelect

from .. import consultation as services
from ..models import ResponseOutcome

RESIDENT = "resident"


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Your comment",
        help_text="Say what you think and what you would change. Do not include personal details about anyone.",
        max_length=services.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your comment",
            "max_length": f"Your comment must be {services.COMMENT_MAX_LENGTH:,} characters or fewer",
        },
    )
    speaking_for = forms.ChoiceField(
        label="Who are you speaking for?",
        error_messages={
            "required": "Choose who you are speaking for",
            "invalid_choice": "You can only speak for a community group you are an approved member of",
        },
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {str(group.pk): group for group in groups}
        field = self.fields["speaking_for"]
        field.choices = [(RESIDENT, "Yourself, as a resident")] + [(key, g.name) for key, g in self.groups.items()]
        field.widget = GovukRadioSelect(
            choices=field.choices,
            option_hints={
                RESIDENT: "Your comment is published as from “a resident”, without your name.",
                **{key: "Your comment is published under the group's name." for key in self.groups},
            },
        )
        if not self.groups:
            self.initial.setdefault("speaking_for", RESIDENT)

    @property
    def organisation(self):
        return self.groups.get(self.cleaned_data["speaking_for"])


def _textarea(rows=4):
    return forms.Textarea(attrs={"rows": rows})


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Why is this comment hidden?",
        help_text="The reason is emailed to the person who wrote the comment. It is not published.",
        max_length=services.REASON_MAX_LENGTH,
        widget=_textarea(3),
        error_messages={
            "required": "Enter why the comment is hidden. The reason is sent to its author",
            "max_length": f"The reason must be {services.REASON_MAX_LENGTH:,} characters or fewer",
        },
    )


OUTCOME_HINTS = {
    ResponseOutcome.ACCEPTED: "The next version will do what the comment asks.",
    ResponseOutcome.PARTLY: "The next version will do some of what the comment asks.",
    ResponseOutcome.NOT_ACCEPTED: "The charter will not change. Say why in the response.",
    ResponseOutcome.NOTED: "The comment asks for no change, or is about something outside the charter.",
}


class ResponseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=ResponseOutcome.choices,
        widget=GovukRadioSelect(option_hints=OUTCOME_HINTS),
        error_messages={
            "required": "Choose whether the comment was accepted, partly accepted, not accepted or noted",
            "invalid_choice": "Choose whether the comment was accepted, partly accepted, not accepted or noted",
        },
    )
    text = forms.CharField(
        label="Response",
        help_text="Published with the comment, and emailed to its author the first time you answer.",
        max_length=services.RESPONSE_MAX_LENGTH,
        widget=_textarea(5),
        error_messages={
            "required": "Enter the response",
            "max_length": f"The response must be {services.RESPONSE_MAX_LENGTH:,} characters or fewer",
        },
    )
    change_made = forms.CharField(
        label="What changed in the next version (optional)",
        help_text="Where the comment led to a change, say what changed.",
        required=False,
        max_length=services.CHANGE_MAX_LENGTH,
        widget=_textarea(3),
        error_messages={"max_length": f"What changed must be {services.CHANGE_MAX_LENGTH:,} characters or fewer"},
    )
