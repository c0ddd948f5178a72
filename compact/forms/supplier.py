"""The supplier's forms: a delivery report, its evidence, and the answer to a contract manager's query.

They parse and check what was typed; the rules live in the compact services."""

from django import forms

from .. import evidence as evidence_rules


class ReportForm(forms.Form):
    """A quantity, place and note per commitment (named as report_submit names its refusals), and a narrative.
    Everything is text here: the service judges it, so what was typed comes back as typed."""

    narrative = forms.CharField(
        label="What was delivered this period",
        help_text="Describe the social value delivered, for example who benefited and where.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, commitments, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitments = commitments
        for commitment in commitments:
            measure = commitment.charter_measure
            self.fields[f"quantity_{commitment.pk}"] = forms.CharField(
                label=f"Quantity delivered ({measure.unit})",
                help_text=f"Target {commitment.target.normalize():f} {measure.unit}. Enter 0 if none was delivered.",
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "class": "govuk-input--width-10",
                        "inputmode": "decimal",
                        "spellcheck": "false",
                        "govuk_suffix": measure.unit,
                    }
                ),
            )
            self.fields[f"place_{commitment.pk}"] = forms.CharField(
                label="Where (optional)", required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
            )
            self.fields[f"note_{commitment.pk}"] = forms.CharField(
                label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def rows(self):
        return [
            (
                commitment,
                self[f"quantity_{commitment.pk}"],
                self[f"place_{commitment.pk}"],
                self[f"note_{commitment.pk}"],
            )
            for commitment in self.commitments
        ]

    def lines(self) -> dict:
        data = self.cleaned_data
        return {c.pk: (data[f"quantity_{c.pk}"], data[f"place_{c.pk}"], data[f"note_{c.pk}"]) for c in self.commitments}


class EvidenceUploadForm(forms.Form):
    # Not `required`: a file dropped for its size arrives as no file, and needs its own message (clean_file).
    file = forms.FileField(
        label="Upload a file", required=False, widget=forms.FileInput(attrs={"accept": evidence_rules.ACCEPT})
    )

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields[
            "file"
        ].help_text = f"A PDF, PNG, JPEG, XLSX or CSV file, {evidence_rules.max_size_label()} or smaller."

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.too_large:
            raise forms.ValidationError(f"The selected file must be {evidence_rules.max_size_label()} or smaller")
        if not upload:
            raise forms.ValidationError("Select a file to upload")
        return upload


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "The answer must be 3,000 characters or fewer"},
    )
