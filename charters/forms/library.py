"""Measure library forms: a local measure as typed, and the CSV import's upload."""

from django import forms

from .. import library
from ..models import Unit


def _text(label, *, max_length=None, required=False, help_text="", required_message="", width=None, **attrs):
    widget_attrs = dict(attrs)
    if width:
        widget_attrs["class"] = f"govuk-input--width-{width}"
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs=widget_attrs),
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


def _percentage(label):
    return _text(
        label,
        max_length=10,
        width=4,
        inputmode="decimal",
        spellcheck="false",
        govuk_suffix="%",
        help_text="Optional. From 0 to 100.",
    )


class LocalMeasureForm(forms.Form):
    """A local measure as typed. Values are checked by `library.clean_measure_values`, the rules CSV import uses."""

    code = _text(
        "Code",
        max_length=30,
        required=True,
        width=10,
        required_message="Enter a code",
        spellcheck="false",
        help_text="A short code of your own, like LOC-EMP-01. Each local measure needs a different code.",
    )
    title = _text("Title", max_length=200, required=True, required_message="Enter a title")
    description = forms.CharField(
        label="Description",
        required=False,
        help_text="Optional. What the measure counts and why it matters here.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=[("", "Select a unit"), *Unit.choices],
        error_messages={"required": "Select a unit", "invalid_choice": "Select a unit from the list"},
    )
    theme = _text("Theme", max_length=200, help_text="Optional. The theme it usually serves, like Wellbeing.")
    outcome = _text("Outcome", max_length=200, help_text="Optional. The outcome it usually serves.")
    proxy_value_gbp = _text(
        "Proxy value (£ per unit)",
        max_length=20,
        width=10,
        inputmode="decimal",
        spellcheck="false",
        govuk_prefix="£",
        help_text="Optional. What one unit is worth in pounds, from a published source, like 12.50.",
    )
    proxy_source = _text(
        "Source of the proxy value",
        max_length=300,
        help_text="Needed with a proxy value. Name the publication, so others can check it.",
    )
    proxy_year = _text(
        "Proxy year",
        max_length=6,
        width=4,
        inputmode="numeric",
        spellcheck="false",
        help_text="Optional. The year the value is priced in, like 2024.",
    )
    deadweight_pct = _percentage("Deadweight")
    attribution_pct = _percentage("Attribution")
    displacement_pct = _percentage("Displacement")
    dropoff_pct = _percentage("Drop-off")
    evidence_guidance = forms.CharField(
        label="Evidence guidance",
        required=False,
        help_text="Optional. What a supplier should keep or send to show delivery.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        data = super().clean()
        # Fields that failed their own checks (required, too long) keep those messages.
        raw = {name: data[name] for name in self.fields if name in data}
        values, errors = library.clean_measure_values(raw)
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        self.values = values
        return data

    @classmethod
    def initial_for(cls, measure) -> dict:
        initial = {}
        for name in cls.base_fields:
            value = getattr(measure, name)
            if value is None:
                initial[name] = ""
            elif name == "proxy_value_gbp":
                initial[name] = f"{value:.2f}"
            elif name.endswith("_pct"):
                initial[name] = format(value.normalize(), "f")
            else:
                initial[name] = value
        return initial


class MeasureImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="UTF-8 CSV with the columns " + ", ".join(library.CSV_COLUMNS) + ". Up to 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )


class MeasureFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Code, title, theme or outcome",
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false"}),
    )
    theme = forms.ChoiceField(label="Theme", required=False)
    unit = forms.ChoiceField(
        label="Unit",
        required=False,
        choices=[("", "All units"), *Unit.choices],
        error_messages={"invalid_choice": "Select a unit from the list"},
    )

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "All themes"), *((theme, theme) for theme in themes)]
        self.fields["theme"].error_messages["invalid_choice"] = "Select a theme from the list"
