"""The OCDS import's upload form."""

from django import forms


class OcdsImportForm(forms.Form):
    file = forms.FileField(
        label="Upload an OCDS file",
        help_text="A release package, a single release or a record package, as UTF-8 JSON. Up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
        error_messages={"required": "Select an OCDS JSON file", "empty": "The selected file is empty"},
    )
