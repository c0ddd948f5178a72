"""Staff contract forms: a contract from a confirmed award or awarded elsewhere (with its commitments), KPIs,
ending a contract, confirming the performance rating and verifying a delivery line.

They parse and check what was typed; the rules live in the compact services."""

from django import forms

from accounts.widgets import GovukDateField, GovukRadioSelect

from ..models import ContractStatus, Verification
from ..performance import Rating


class _OfficerDatesForm(forms.Form):
    responsible_officer = forms.ChoiceField(
        label="Responsible officer",
        help_text="The contract manager who verifies the supplier's reports.",
        error_messages={
            "required": "Choose the responsible officer",
            "invalid_choice": "Choose one of the authority's contract managers",
        },
    )
    starts_on = GovukDateField(label="Start date", subject="Start date", help_text="For example, 1 4 2026")
    ends_on = GovukDateField(label="End date", subject="End date", help_text="For example, 31 3 2027")

    def __init__(self, *args, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.managers = {str(user.pk): user for user in managers}
        self.fields["responsible_officer"].choices = [
            ("", "Choose a contract manager"),
            *((key, user.full_name or user.email) for key, user in self.managers.items()),
        ]
        self.fields["starts_on"].error_messages["required"] = "Enter the date the contract starts"
        self.fields["ends_on"].error_messages["required"] = "Enter the date the contract ends"

    def officer(self):
        return self.managers.get(self.cleaned_data.get("responsible_officer", ""))


class ContractFromAwardForm(_OfficerDatesForm):
    reference = forms.CharField(
        label="Contract reference (optional)",
        required=False,
        max_length=50,
        help_text="Leave it blank to use the tender's reference.",
        error_messages={"max_length": "The reference must be 50 characters or fewer"},
    )


COMMITMENT_ROWS = 5


class ContractCreateForm(_OfficerDatesForm):
    """A contract awarded elsewhere: the service checks the rules; the form only turns choices into objects."""

    supplier = forms.ChoiceField(
        label="Supplier organisation",
        error_messages={
            "required": "Choose the supplier organisation",
            "invalid_choice": "Choose one of the supplier organisations",
        },
    )
    reference = forms.CharField(
        label="Contract reference",
        max_length=50,
        error_messages={
            "required": "Enter the contract's reference",
            "max_length": "The reference must be 50 characters or fewer",
        },
    )
    title = forms.CharField(
        label="Contract title",
        max_length=200,
        error_messages={
            "required": "Enter the contract's title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    value = forms.DecimalField(
        label="Contract value (£)",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the contract value",
            "invalid": "Enter the contract value as a number, like 50000",
            "min_value": "The contract value cannot be negative",
            "max_digits": "Enter a contract value of less than £1 trillion",
            "max_decimal_places": "Enter the contract value in pounds and pence",
        },
    )
    charter_version = forms.ChoiceField(
        label="Charter version",
        help_text="The commitments' measures must come from this version.",
        error_messages={
            "required": "Choose the charter version",
            "invalid_choice": "Choose an adopted (or superseded) version of the authority's charter",
        },
    )

    field_order = ["supplier", "reference", "title", "value", "starts_on", "ends_on", "responsible_officer"]

    def __init__(self, *args, managers, suppliers, versions, measures, **kwargs):
        super().__init__(*args, managers=managers, **kwargs)
        self.suppliers = {str(org.pk): org for org in suppliers}
        self.versions = {str(version.pk): version for version in versions}
        self.measures = {str(measure.pk): measure for measure in measures}
        self.fields["supplier"].choices = [
            ("", "Choose a supplier"),
            *((key, org.name) for key, org in self.suppliers.items()),
        ]
        self.fields["charter_version"].choices = [
            ("", "Choose a charter version"),
            *((key, f"{version} – {version.get_status_display().lower()}") for key, version in self.versions.items()),
        ]
        measure_choices = [
            ("", "No commitment"),
            *((key, f"version {m.version.number}: {m.code} {m.title}") for key, m in self.measures.items()),
        ]
        for row in self.rows():
            self.fields[f"measure_{row}"] = forms.ChoiceField(
                label="Measure",
                required=False,
                choices=measure_choices,
                error_messages={"invalid_choice": "Choose one of the charter versions' measures"},
            )
            self.fields[f"target_{row}"] = forms.CharField(
                label="Target",
                required=False,
                max_length=30,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
                error_messages={"max_length": "The target must be 30 characters or fewer"},
            )
            self.fields[f"place_{row}"] = forms.CharField(
                label="Place (optional)",
                required=False,
                max_length=200,
                error_messages={"max_length": "The place must be 200 characters or fewer"},
            )

    @staticmethod
    def rows():
        return range(1, COMMITMENT_ROWS + 1)

    def commitment_rows(self):
        """(measure field, target field, place field) per row, for the template."""
        return [(self[f"measure_{row}"], self[f"target_{row}"], self[f"place_{row}"]) for row in self.rows()]

    def clean(self):
        cleaned = super().clean()
        for row in self.rows():
            measure, target = cleaned.get(f"measure_{row}"), (cleaned.get(f"target_{row}") or "").strip()
            if measure and not target:
                self.add_error(f"target_{row}", f"Enter the target for commitment {row}")
            elif target and not measure and f"measure_{row}" not in self.errors:
                self.add_error(f"measure_{row}", f"Choose the measure for commitment {row}")
        return cleaned

    def commitments(self):
        # Blank rows are ignored; the service refuses when none is left.
        return [
            (
                self.measures[self.cleaned_data[f"measure_{row}"]],
                self.cleaned_data[f"target_{row}"].strip(),
                self.cleaned_data[f"place_{row}"],
            )
            for row in self.rows()
            if self.cleaned_data.get(f"measure_{row}")
        ]


class KpiForm(forms.Form):
    title = forms.CharField(
        label="What the KPI measures",
        max_length=200,
        error_messages={
            "required": "Enter what the KPI measures",
            "max_length": "The KPI must be 200 characters or fewer",
        },
    )
    target = forms.CharField(
        label="Target",
        max_length=200,
        help_text="For example, 95% of repairs completed within 10 working days.",
        error_messages={
            "required": "Enter the KPI's target",
            "max_length": "The target must be 200 characters or fewer",
        },
    )


END_CHOICES = [
    (ContractStatus.COMPLETED.value, "Completed"),
    (ContractStatus.ENDED_EARLY.value, "Ended early"),
]


class ContractEndForm(forms.Form):
    status = forms.ChoiceField(
        label="How did the contract end?",
        choices=END_CHOICES,
        widget=GovukRadioSelect(choices=END_CHOICES),
        error_messages={
            "required": "Choose whether the contract was completed or ended early",
            "invalid_choice": "Choose whether the contract was completed or ended early",
        },
    )
    ended_on = GovukDateField(label="Date it ended", subject="The end date", help_text="For example, 31 3 2027")
    reason = forms.CharField(
        label="Why it ended early (if it did)",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "The reason must be 3,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].error_messages["required"] = "Enter the date the contract ended"


RATING_CHOICES = [(rating.value, rating.label) for rating in Rating]


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label="Performance rating",
        choices=RATING_CHOICES,
        widget=GovukRadioSelect(choices=RATING_CHOICES),
        error_messages={"required": "Choose the rating", "invalid_choice": "Choose the rating"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=3000,
        help_text="Needed when you change the suggested rating.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "The reason must be 3,000 characters or fewer"},
    )


DECISION_CHOICES = [
    (Verification.ACCEPTED.value, "Accept"),
    (Verification.QUERIED.value, "Query: ask the supplier a question"),
    (Verification.REJECTED.value, "Reject"),
]


class LineVerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=DECISION_CHOICES,
        widget=GovukRadioSelect(
            choices=DECISION_CHOICES,
            option_hints={
                Verification.ACCEPTED.value: "The quantity counts as delivered.",
                Verification.QUERIED.value: "The supplier answers, and the line comes back to you.",
                Verification.REJECTED.value: "The quantity does not count. Give the reason.",
            },
        ),
        error_messages={
            "required": "Choose whether to accept, query or reject the line",
            "invalid_choice": "Choose whether to accept, query or reject the line",
        },
    )
    note = forms.CharField(
        label="Your question, or the reason for rejecting",
        required=False,
        max_length=3000,
        help_text="The supplier sees it.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "The note must be 3,000 characters or fewer"},
    )


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *ContractStatus.choices])
    supplier = forms.CharField(label="Supplier name contains", required=False, max_length=200)
