"""Local Compact forms: a checklist action and its evidence, case examples, and a partner's approval.

They parse and check what was typed; the rules live in the compact services."""

from django import forms

from accounts.forms import ActingForGroupForm
from accounts.widgets import GovukRadioSelect

from .. import case_examples as cases
from .. import checklist
from ..models import CaseKind, ChecklistStatus

STATUS_HINTS = {
    ChecklistStatus.NOT_STARTED.value: "No work on this action yet.",
    ChecklistStatus.IN_PROGRESS.value: "Someone is working on it.",
    ChecklistStatus.ACHIEVED.value: "Done: say what was achieved in the notes and link the evidence.",
}


class ChecklistActionForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=ChecklistStatus.choices,
        widget=GovukRadioSelect(choices=ChecklistStatus.choices, option_hints=STATUS_HINTS),
        error_messages={
            "required": "Choose whether the action is not started, in progress or achieved",
            "invalid_choice": "Choose whether the action is not started, in progress or achieved",
        },
    )
    owner = forms.CharField(
        label="Who is leading (optional)",
        required=False,
        max_length=checklist.OWNER_MAX,
        help_text="A group, a team or a role. It is published, so do not use a private person's name.",
        error_messages={"max_length": f"Who is leading must be {checklist.OWNER_MAX} characters or fewer"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=checklist.NOTES_MAX,
        help_text="What has been done, what is next, and anything in the way. Published on the checklist.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": f"The notes must be {checklist.NOTES_MAX:,} characters or fewer"},
    )


class EvidenceForm(forms.Form):
    label = forms.CharField(
        label="What the evidence is",
        max_length=checklist.LABEL_MAX,
        help_text="For example, Minutes of the Compact group, 12 March.",
        error_messages={
            "required": "Enter what the evidence is",
            "max_length": f"What the evidence is must be {checklist.LABEL_MAX} characters or fewer",
        },
    )
    url = forms.CharField(
        label="Web address",
        required=False,
        max_length=checklist.URL_MAX,
        help_text="Leave it blank if you choose a case example.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "inputmode": "url"}),
        error_messages={"max_length": f"The web address must be {checklist.URL_MAX} characters or fewer"},
    )
    case_example = forms.ChoiceField(
        label="Or one of the case examples",
        required=False,
        help_text="The public sees the link once the case example is published.",
        error_messages={"invalid_choice": "Choose one of the authority's case examples"},
    )

    def __init__(self, *args, examples, **kwargs):
        super().__init__(*args, prefix="evidence", **kwargs)
        self.examples = {str(example.pk): example for example in examples}
        self.fields["case_example"].choices = [
            ("", "No case example"),
            *(
                (key, example.title + ("" if example.published_at else " (not published)"))
                for key, example in self.examples.items()
            ),
        ]
        if not self.examples:
            del self.fields["case_example"]
            self.fields["url"].help_text = ""

    def chosen_example(self):
        return self.examples.get(self.cleaned_data.get("case_example") or "")


class CaseExampleForm(forms.Form):
    kind = forms.ChoiceField(
        label="What does the example show?",
        choices=CaseKind.choices,
        widget=GovukRadioSelect(choices=CaseKind.choices),
        error_messages={
            "required": "Choose whether recognising social value led to a saving or failing to led to extra cost",
            "invalid_choice": "Choose whether recognising social value led to a saving or failing to led to extra cost",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": cases.REQUIRED_MESSAGES["title"],
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    what_was_bought = forms.CharField(
        label="What was bought",
        max_length=3000,
        help_text="The service or goods, when, and from what kind of provider.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": cases.REQUIRED_MESSAGES["what_was_bought"],
            "max_length": "What was bought must be 3,000 characters or fewer",
        },
    )
    social_value = forms.CharField(
        label="What social value was or was not recognised",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": cases.REQUIRED_MESSAGES["social_value"],
            "max_length": "The social value recognised or missed must be 5,000 characters or fewer",
        },
    )
    amount = forms.CharField(
        label="Cost or saving (£)",
        max_length=30,
        help_text="In pounds, like 12500 or 12500.50.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"required": cases.AMOUNT_MESSAGE, "max_length": cases.AMOUNT_MESSAGE},
    )
    amount_explained = forms.CharField(
        label="How the cost or saving was worked out",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": cases.REQUIRED_MESSAGES["amount_explained"],
            "max_length": "How the cost or saving was worked out must be 3,000 characters or fewer",
        },
    )
    evidence = forms.CharField(
        label="Evidence (optional)",
        required=False,
        max_length=3000,
        help_text="Reports, evaluations or figures that back the example up, with web addresses where there are any.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The evidence must be 3,000 characters or fewer"},
    )
    contract = forms.ChoiceField(
        label="Contract (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose one of the authority's contracts"},
    )

    def __init__(self, *args, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contracts = {str(contract.pk): contract for contract in contracts or []}
        if contracts is None:
            del self.fields["contract"]
        else:
            self.fields["contract"].choices = [
                ("", "Not about one contract"),
                *((key, f"{c.reference}: {c.title}") for key, c in self.contracts.items()),
            ]

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name, "") for name in cases.TEXT_LIMITS}
        data["kind"] = self.cleaned_data["kind"]
        data["amount"] = self.cleaned_data["amount"]
        data["contract"] = self.contracts.get(self.cleaned_data.get("contract") or "")
        return data

    @staticmethod
    def initial_for(example) -> dict:
        return {
            "kind": example.kind,
            "title": example.title,
            "what_was_bought": example.what_was_bought,
            "social_value": example.social_value,
            "amount": f"{example.amount:f}",
            "amount_explained": example.amount_explained,
            "evidence": example.evidence,
            "contract": str(example.contract_id or ""),
        }


class PartnerApproveForm(ActingForGroupForm):
    organisation = forms.ChoiceField(
        label="Which partner group are you approving for?",
        error_messages={
            "required": "Choose the partner group you are approving for",
            "invalid_choice": "Choose a partner group you are a member of",
        },
    )


class PartnerSearchForm(forms.Form):
    q = forms.CharField(label="Community group name", required=False, max_length=100)
