"""Decommissioning forms: opening an assessment, answering a response, the decision, reducing a contract and the
public's response.

They parse and check what was typed; the rules live in the compact services."""

from django import forms
from django.utils import timezone

from accounts.widgets import GovukDateField, GovukRadioSelect

from .. import decommissioning as assessments
from ..models import AssessmentDecision, AssessmentKind

TEXT_MAX = assessments.TEXT_MAX_LENGTH


def _text_field(label, *, empty, what, help_text="", rows=5):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": empty, "max_length": f"{what} must be {TEXT_MAX:,} characters or fewer"},
    )


KIND_HINTS = {
    AssessmentKind.END_EARLY.value: "The contract stops before its end date.",
    AssessmentKind.REDUCE_VALUE.value: "The contract continues for less money. Give the proposed value below.",
    AssessmentKind.REDUCE_SCOPE.value: "The contract continues with less work or fewer services.",
}
PUBLISHED = "Published on the authority's public Compact page. Do not name anyone."


class AssessmentOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is proposed?",
        choices=AssessmentKind.choices,
        widget=GovukRadioSelect(choices=AssessmentKind.choices, option_hints=KIND_HINTS),
        error_messages={
            "required": "Choose what is proposed: ending the contract early, or reducing its value or scope",
            "invalid_choice": "Choose what is proposed: ending the contract early, or reducing its value or scope",
        },
    )
    proposal = _text_field(
        "What is proposed and why",
        empty="Enter what is proposed and why",
        what="The proposal",
        help_text=PUBLISHED,
    )
    proposed_value = forms.DecimalField(
        label="Proposed contract value (£), for a reduction in value",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="Leave it empty unless the value is being reduced.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the proposed contract value as a number, like 50000",
            "min_value": "The proposed contract value cannot be negative",
            "max_digits": "Enter a proposed contract value of less than £1 trillion",
            "max_decimal_places": "Enter the proposed contract value in pounds and pence",
        },
    )
    takes_effect_on = GovukDateField(
        label="Date the change would take effect",
        subject="The date the change would take effect",
        help_text="On or after the date responses are due. For example, 1 9 2026",
    )
    impact_beneficiaries = _text_field(
        "Impact on beneficiaries",
        empty="Enter the impact on beneficiaries",
        what="The impact on beneficiaries",
        help_text="Who benefits from the contract now, and what they would lose.",
    )
    impact_service_users = _text_field(
        "Impact on service users",
        empty="Enter the impact on service users",
        what="The impact on service users",
        help_text="What changes for the people who use the service, and what will be done to support them.",
    )
    impact_volunteers = _text_field(
        "Impact on volunteers",
        empty="Enter the impact on volunteers",
        what="The impact on volunteers",
        help_text="Volunteers who take part in the service, and what happens to their roles.",
    )
    responses_due_on = GovukDateField(
        label="Responses due by",
        subject="The date responses are due by",
        help_text=(
            "The supplier and the Compact partner groups can respond until the end of this day. The decision can "
            "be recorded from the day after. For example, 30 6 2026"
        ),
    )

    field_order = [
        "kind",
        "proposal",
        "proposed_value",
        "takes_effect_on",
        "impact_beneficiaries",
        "impact_service_users",
        "impact_volunteers",
        "responses_due_on",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["takes_effect_on"].error_messages["required"] = "Enter the date the change would take effect"
        self.fields["responses_due_on"].error_messages["required"] = "Enter the date responses are due by"


class AnswerForm(forms.Form):
    answer = _text_field("Your answer", empty="Enter your answer", what="The answer", help_text=PUBLISHED)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=AssessmentDecision.choices,
        widget=GovukRadioSelect(choices=AssessmentDecision.choices),
        error_messages={"required": "Choose the decision", "invalid_choice": "Choose the decision"},
    )
    reasons = _text_field(
        "Reasons for the decision",
        empty="Enter the reasons for the decision",
        what="The reasons",
        help_text="Say how the responses and the outstanding social value were weighed. " + PUBLISHED,
        rows=8,
    )


class ReduceForm(forms.Form):
    assessment = forms.ChoiceField(
        label="Which decided assessment are you applying?",
        error_messages={
            "required": "Choose the decided assessment you are applying",
            "invalid_choice": "Choose one of this contract's decided reductions",
        },
    )
    new_value = forms.DecimalField(
        label="New contract value (£)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="Needed for a reduction in value; optional for a reduction in scope.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the new contract value as a number, like 50000",
            "min_value": "The new contract value cannot be negative",
            "max_digits": "Enter a new contract value of less than £1 trillion",
            "max_decimal_places": "Enter the new contract value in pounds and pence",
        },
    )

    def __init__(self, *args, ready, **kwargs):
        super().__init__(*args, **kwargs)
        self.ready = {str(a.pk): a for a in ready}
        choices = [
            (key, f"{a.get_kind_display()}, decided {timezone.localtime(a.decided_at):%-d %B %Y}")
            for key, a in self.ready.items()
        ]
        self.fields["assessment"].choices = choices
        if len(choices) == 1:
            # Nothing to choose: the one assessment goes with the form, and the page names it.
            self.fields["assessment"].widget = forms.HiddenInput()
            self.fields["assessment"].initial = choices[0][0]
        else:
            self.fields["assessment"].widget = GovukRadioSelect(choices=choices)

    def chosen(self):
        return self.ready.get(self.cleaned_data.get("assessment", ""))


class ResponseForm(forms.Form):
    organisation = forms.ChoiceField(
        label="Who are you responding for?",
        error_messages={
            "required": "Choose the organisation you are responding for",
            "invalid_choice": "You can only respond for the supplier or a Compact partner group you are a member of",
        },
    )
    text = _text_field(
        "Your organisation's response",
        empty="Enter your response",
        what="Your response",
        help_text="Published with your organisation's name, not yours. Do not name or describe anyone.",
        rows=8,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(org.pk): org for org in organisations}
        field = self.fields["organisation"]
        field.choices = [(key, org.name) for key, org in self.organisations.items()]
        if len(self.organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = next(iter(self.organisations))
        else:
            field.widget = GovukRadioSelect(choices=field.choices)

    def chosen(self):
        return self.organisations.get(self.cleaned_data.get("organisation", ""))
