"""Forms for writing a charter. Messages follow GOV.UK style: say what to do, next to the field."""

from decimal import Decimal

from django import forms

from accounts.widgets import GovukDateField, GovukRadioSelect

from ..models import PROXY_LIMIT, Charter, ReportingFrequency, Unit


class CharterCreateForm(forms.Form):
    title = forms.CharField(
        label="Charter title",
        max_length=200,
        error_messages={"required": "Enter a title for the charter"},
        help_text="For example, “Northmoor Community Value Charter”.",
    )
    start = forms.ChoiceField(
        label="How do you want to start?",
        choices=[
            (Charter.Origin.TEMPLATE, "From the UK Social Value Model"),
            (Charter.Origin.BLANK, "From a blank page"),
            (Charter.Origin.COPY, "From another authority's adopted charter"),
        ],
        initial=Charter.Origin.TEMPLATE,
        widget=GovukRadioSelect(
            option_hints={
                "blank": "Write every theme, outcome and measure yourselves.",
                "template": "The UK Social Value Model's 5 themes and 8 policy outcomes, equally weighted, to adapt.",
                "copy": "Start from a charter another authority has adopted; its provenance is kept.",
            }
        ),
        error_messages={"required": "Select how you want to start"},
    )
    source_version = forms.TypedChoiceField(
        label="Adopted charter to copy",
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, copy_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_version"].choices = [("", "Choose a charter"), *copy_choices]

    def clean(self):
        data = super().clean()
        if data.get("start") == Charter.Origin.COPY and not data.get("source_version"):
            self.add_error("source_version", "Choose an adopted charter to copy")
        return data


class VersionDetailsForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    vision = forms.CharField(
        label="Vision",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the place should be like, in a few sentences residents would recognise.",
    )
    local_context = forms.CharField(
        label="Local context",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="The needs and strengths of the area. Leave a blank line between paragraphs.",
    )


class PlaceForm(forms.Form):
    name = forms.CharField(
        label="Place",
        max_length=120,
        help_text="A ward, neighbourhood or estate.",
        error_messages={"required": "Enter the name of the place"},
    )
    needs = forms.CharField(
        label="Its needs (optional)", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ThemeForm(forms.Form):
    title = forms.CharField(label="Theme", max_length=200, error_messages={"required": "Enter the theme's title"})
    description = forms.CharField(
        label="Description (optional)", required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutcomeForm(forms.Form):
    title = forms.CharField(label="Outcome", max_length=300, error_messages={"required": "Enter the outcome"})
    description = forms.CharField(
        label="Description (optional)", required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )


def percent_field(label, required=False):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal", "govuk_suffix": "%"}),
        error_messages={
            "min_value": f"{label} must be 0% or more",
            "max_value": f"{label} must be 100% or less",
            "invalid": f"{label} must be a number, like 12.5",
        },
    )


class CharterMeasureForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=30,
        error_messages={"required": "Enter a code for the measure"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    title = forms.CharField(label="Measure", max_length=200, error_messages={"required": "Enter what is measured"})
    unit = forms.ChoiceField(
        label="Unit", choices=[("", "Select a unit"), *Unit.choices], error_messages={"required": "Select a unit"}
    )
    proxy_value_gbp = forms.DecimalField(
        label="Proxy value per unit (optional)",
        required=False,
        min_value=0,
        max_value=PROXY_LIMIT,
        max_digits=12,
        decimal_places=2,
        help_text="What one unit is worth to the area, in pounds.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "govuk_prefix": "£"}),
        error_messages={
            "min_value": "The proxy value must be £0 or more",
            "max_value": "The proxy value must be £1,000,000 or less per unit",
            "invalid": "Enter the proxy value as a number, like 2500.00",
            "max_decimal_places": "Enter the proxy value to the nearest penny",
        },
    )
    proxy_source = forms.CharField(label="Source of the proxy value", required=False, max_length=300)
    proxy_year = forms.IntegerField(
        label="Year of the proxy value",
        required=False,
        min_value=1990,
        max_value=2100,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "min_value": "The year must be 1990 or later",
            "max_value": "The year must be 2100 or earlier",
            "invalid": "Enter the year as 4 digits, like 2025",
        },
    )
    evidence_required = forms.CharField(
        label="Evidence required",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What suppliers must show to prove delivery, for example payroll records or attendance sheets.",
    )
    reporting_frequency = forms.ChoiceField(
        label="Reporting frequency", choices=ReportingFrequency.choices, initial=ReportingFrequency.QUARTERLY
    )
    min_contract_value = forms.DecimalField(
        label="Applies to contracts worth at least (optional)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="Leave empty to apply to every contract.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "govuk_prefix": "£"}),
        error_messages={
            "min_value": "The contract value must be £0 or more",
            "invalid": "Enter the contract value as a number, like 100000",
        },
    )
    deadweight_pct = percent_field("Deadweight")
    attribution_pct = percent_field("Attribution")
    displacement_pct = percent_field("Displacement")
    dropoff_pct = percent_field("Drop-off")

    def clean(self):
        data = super().clean()
        if data.get("proxy_value_gbp") is not None and not data.get("proxy_source"):
            self.add_error("proxy_source", "Enter where the proxy value comes from")
        return data


class ConsultationOpenForm(forms.Form):
    opens_on = GovukDateField(
        label="Opens on", subject="The open date", error_messages={"required": "Enter the date the consultation opens"}
    )
    closes_on = GovukDateField(
        label="Closes on",
        subject="The close date",
        error_messages={"required": "Enter the date the consultation closes"},
    )
    shorter_reason = forms.CharField(
        label="Why is it shorter? (only if shorter than the default)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is shown on the public consultation page.",
    )

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] <= data["opens_on"]:
            self.add_error("closes_on", "The close date must be after the open date")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason"},
    )


class AdoptForm(forms.Form):
    reason = forms.CharField(
        label="Why adopt without a consultation?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The local Compact expects a consultation. The reason is recorded and shown with the charter.",
    )


def weights_form_class(themes):
    """A form with one weight field per theme, named `weight_<id>`."""
    fields = {
        f"weight_{theme.pk}": forms.DecimalField(
            label=theme.title,
            min_value=0,
            max_value=100,
            max_digits=5,
            decimal_places=2,
            initial=theme.weight,
            widget=forms.TextInput(
                attrs={"class": "govuk-input--width-4", "inputmode": "decimal", "govuk_suffix": "%"}
            ),
            error_messages={
                "required": f"Enter a weight for {theme.title}",
                "min_value": f"The weight for {theme.title} must be 0% or more",
                "max_value": f"The weight for {theme.title} must be 100% or less",
                "invalid": f"Enter the weight for {theme.title} as a number, like 20",
            },
        )
        for theme in themes
    }

    def clean(self):
        data = forms.Form.clean(self)
        values = [value for key, value in data.items() if key.startswith("weight_") and value is not None]
        if len(values) == len(themes) and sum(values, Decimal("0")) != 100 and themes:
            total = sum(values, Decimal("0"))
            self.add_error(
                f"weight_{themes[0].pk}", f"Theme weights must total 100%. They total {total.normalize():f}%."
            )
        return data

    def weights(self):
        return {theme.pk: self.cleaned_data[f"weight_{theme.pk}"] for theme in themes}

    return type("WeightsForm", (forms.Form,), {**fields, "clean": clean, "weights": weights})
