"""The reference pages' forms: the CPV code search."""

from django import forms


class CpvSearchForm(forms.Form):
    q = forms.CharField(
        label="Search CPV codes",
        required=False,
        max_length=100,
        help_text="Type words from the description, for example “street cleaning”, or the start of a code, "
        "for example 4521",
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"max_length": "Search CPV codes must be 100 characters or fewer"},
    )
