"""Forms for tender intake. Messages follow GOV.UK style: say what to do, next to the field.

Dates with a time (publication, clarification and submission deadlines) are two fields each: a GOV.UK date input
`<name>_date` and a time `<name>_time` ("12:00pm", "9:30am", "17:30"; empty means 12pm), combined in `clean()`
into an aware datetime in Europe/London, `cleaned_data[<name>]`.
"""

import re
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from accounts.widgets import GovukDateField, GovukRadioSelect
from foundation.formatting import time_12_hour

from .. import services
from ..cpv import validate_cpv_codes
from ..models import QuantityKind, QuestionKind, TenderCategory

DEFAULT_TIME = time(12, 0)
TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def parse_time(text: str) -> time | None:
    """ "12:00pm", "9am", "9.30 a.m.", "17:30", "midday" → a time; None when it is not a time."""
    text = (text or "").strip().lower()
    if text in ("midday", "noon", "12 midday", "12 noon"):
        return time(12, 0)
    match = TIME_PATTERN.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if minute > 59:
        return None
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif hour > 23 or match.group(2) is None:
        # A bare number ("9") is ambiguous between morning and evening: ask for am or pm.
        return None
    return time(hour, minute)


def plain_number(value: Decimal) -> str:
    """250000.00 → "250000", 12.50 → "12.5": what someone would type."""
    return format(value.normalize(), "f")


def money_widget(**attrs):
    return forms.TextInput(
        attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "govuk_prefix": "£", **attrs}
    )


def percent_widget(**attrs):
    return forms.TextInput(
        attrs={"class": "govuk-input--width-4", "inputmode": "decimal", "govuk_suffix": "%", **attrs}
    )


class MoneyField(forms.DecimalField):
    """Pounds, as people type them: "250000", "£250,000" or "250,000.50"."""

    def __init__(self, *, what: str, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", money_widget())
        kwargs.setdefault(
            "error_messages",
            {
                "required": f"Enter {what.lower()}",
                "invalid": f"Enter {what.lower()} as a number of pounds, like 250000",
                "min_value": f"{what} must be more than £0",
                "max_digits": f"{what} must be less than £1,000,000,000,000",
                "max_whole_digits": f"{what} must be less than £1,000,000,000,000",
                "max_decimal_places": f"Enter {what.lower()} to the nearest penny",
            },
        )
        super().__init__(min_value=Decimal("0.01"), **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("£", "").replace(",", "").replace(" ", "")
        return super().to_python(value)


def weight_field(label, *, required=True, integer=False, help_text=""):
    messages = {
        "required": f"Enter the {label.lower()}",
        "invalid": f"The {label.lower()} must be a number, like {'30' if integer else '12.5'}",
        "min_value": f"The {label.lower()} must be 0% or more",
        "max_value": f"The {label.lower()} must be 100% or less",
        "max_decimal_places": f"The {label.lower()} can have up to 2 decimal places",
    }
    if integer:
        return forms.IntegerField(
            label=label,
            required=required,
            min_value=0,
            max_value=100,
            help_text=help_text,
            widget=percent_widget(inputmode="numeric"),
            error_messages={**messages, "invalid": f"The {label.lower()} must be a whole number, like 30"},
        )
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=help_text,
        widget=percent_widget(),
        error_messages=messages,
    )


class DateTimePartsMixin:
    """Adds `<name>_date` and `<name>_time` fields for each entry of DATETIMES ({name: label}) and combines them."""

    DATETIMES: dict[str, str] = {}

    def _add_datetime_fields(self, initial: dict):
        self._initial_datetimes = initial
        for name, label in self.DATETIMES.items():
            self.fields[f"{name}_date"] = GovukDateField(
                label=label,
                subject=label,
                required=False,
                help_text="For example, 27 3 2026",
            )
            self.fields[f"{name}_time"] = forms.CharField(
                label=f"{label}: time",
                required=False,
                max_length=20,
                help_text="For example, 12:00pm or 17:30, UK time. Leave empty for 12pm (midday).",
                widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
            )
            value = initial.get(name)
            if value is not None and not self.is_bound:
                self.initial[f"{name}_date"] = timezone.localtime(value).date()
                self.initial[f"{name}_time"] = time_12_hour(value)

    def _combine_datetimes(self, data: dict) -> None:
        for name, label in self.DATETIMES.items():
            day = data.get(f"{name}_date")
            text = (data.get(f"{name}_time") or "").strip()
            if f"{name}_date" in self.errors:
                data[name] = None
                continue
            at = DEFAULT_TIME
            if text:
                at = parse_time(text)
                if at is None:
                    self.add_error(f"{name}_time", f"Enter the time of the {label.lower()}, like 12:00pm or 17:30")
                    data[name] = None
                    continue
            if day is None:
                if text:
                    self.add_error(f"{name}_date", f"Enter the date of the {label.lower()}")
                data[name] = None
                continue
            data[name] = timezone.make_aware(datetime.combine(day, at))
            # The form shows times to the minute: an unchanged field keeps the stored value's seconds.
            stored = self._initial_datetimes.get(name)
            if stored is not None and data[name] == stored.replace(second=0, microsecond=0):
                data[name] = stored


CATEGORY_HINTS = {
    TenderCategory.GOODS: "Supplies: things the authority buys or hires.",
    TenderCategory.SERVICES: "Work done for the authority, such as cleaning, care or consultancy.",
    TenderCategory.WORKS: "Building, civil engineering or demolition (CPV division 45).",
    TenderCategory.LIGHT_TOUCH: "Social, health, education and other services under the light-touch regime.",
}


class TenderForm(DateTimePartsMixin, forms.Form):
    """A draft's details. Only the reference, title, category and value are needed to save a draft; the rest is
    checked when it is published."""

    DATETIMES = {
        "publish_at": "Publication date",
        "clarification_deadline": "Clarification deadline",
        "submission_deadline": "Submission deadline",
    }

    reference = forms.CharField(
        label="Reference",
        max_length=50,
        help_text="Your reference for the procurement, for example NBC-2026-014.",
        error_messages={"required": "Enter a reference"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What is being bought, where and why, in words a small local provider would understand.",
    )
    category = forms.ChoiceField(
        label="Category",
        choices=TenderCategory.choices,
        widget=GovukRadioSelect(option_hints=CATEGORY_HINTS),
        error_messages={"required": "Select the category of the contract"},
    )
    estimated_value = MoneyField(
        label="Estimated value, excluding VAT",
        what="The estimated value",
        help_text="The whole contract's value over its term. If there are lots, all of them together.",
        widget=money_widget(**{"class": "govuk-input--width-10 app-summary-source"}),
    )
    vat_rate = forms.DecimalField(
        label="VAT rate",
        initial=Decimal("20"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=percent_widget(**{"class": "govuk-input--width-4 app-summary-source"}),
        error_messages={
            "required": "Enter the VAT rate",
            "invalid": "The VAT rate must be a number, like 20",
            "min_value": "The VAT rate must be 0% or more",
            "max_value": "The VAT rate must be 100% or less",
        },
    )
    contract_term_months = forms.IntegerField(
        label="Contract term (optional)",
        required=False,
        min_value=1,
        max_value=600,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-3", "inputmode": "numeric", "govuk_suffix": "months"}
        ),
        error_messages={
            "invalid": "The contract term must be a whole number of months, like 36",
            "min_value": "The contract term must be at least 1 month",
            "max_value": "The contract term must be 600 months or less",
        },
    )
    cpv_codes = forms.CharField(
        label="CPV codes (optional)",
        required=False,
        max_length=1000,
        help_text="One or more 8-digit codes from the Common Procurement Vocabulary, separated by commas or spaces, "
        "for example 90910000, 45000000.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off", "class": "app-summary-source"}),
    )
    procurement_start_date = GovukDateField(
        label="Procurement start date (optional)",
        subject="The procurement start date",
        required=False,
        help_text="The thresholds in force on this day apply. Leave empty to use the publication date.",
    )
    contact_name = forms.CharField(label="Contact name (optional)", required=False, max_length=150)
    contact_email = forms.EmailField(
        label="Contact email address",
        required=False,
        max_length=254,
        help_text="Bidders write here about the tender. Needed to publish.",
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.org"},
    )

    def __init__(self, *args, tender=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if tender is not None:
            for name in (
                "reference",
                "title",
                "description",
                "category",
                "estimated_value",
                "vat_rate",
                "contract_term_months",
                "procurement_start_date",
                "contact_name",
                "contact_email",
            ):
                initial.setdefault(name, getattr(tender, name))
            initial.setdefault("cpv_codes", ", ".join(cpv.code for cpv in tender.cpv_codes.order_by("code")))
            for name in ("estimated_value", "vat_rate"):
                if isinstance(initial.get(name), Decimal):
                    initial[name] = plain_number(initial[name])
        super().__init__(*args, **kwargs)
        datetimes = {name: getattr(tender, name) for name in self.DATETIMES} if tender is not None else {}
        self._add_datetime_fields(datetimes)
        self.fields["publish_at_date"].label = "Publication date (optional)"
        self.fields[
            "publish_at_date"
        ].help_text = "When you plan to publish, for example 27 3 2026. The tender goes live when you press Publish."
        self.fields["clarification_deadline_date"].label = "Clarification deadline (optional)"

    def clean_cpv_codes(self):
        codes = services.split_cpv_codes(self.cleaned_data["cpv_codes"])
        found, missing = validate_cpv_codes(codes)
        if missing:
            raise forms.ValidationError([f"CPV code {code} does not exist" for code in missing])
        return [cpv.code for cpv in found]

    def clean(self):
        data = super().clean()
        self._combine_datetimes(data)
        publish_at, clarification, submission = (
            data.get("publish_at"),
            data.get("clarification_deadline"),
            data.get("submission_deadline"),
        )
        if publish_at and submission and submission <= publish_at:
            self.add_error("submission_deadline_date", "The submission deadline must be after the publication date")
        if clarification and submission and clarification >= submission:
            self.add_error(
                "clarification_deadline_date", "The clarification deadline must be before the submission deadline"
            )
        elif clarification and publish_at and clarification <= publish_at:
            self.add_error(
                "clarification_deadline_date", "The clarification deadline must be after the publication date"
            )
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "reference": data["reference"],
            "title": data["title"],
            "description": data["description"],
            "category": data["category"],
            "estimated_value": data["estimated_value"],
            "vat_rate": data["vat_rate"],
            "contract_term_months": data["contract_term_months"],
            "procurement_start_date": data["procurement_start_date"],
            "publish_at": data["publish_at"],
            "clarification_deadline": data["clarification_deadline"],
            "submission_deadline": data["submission_deadline"],
            "contact_name": data["contact_name"],
            "contact_email": data["contact_email"],
            "cpv_codes": data["cpv_codes"],
        }


def typed_decimal(data, name) -> Decimal | None:
    """What has been typed so far, for live totals: half-typed numbers count as nothing."""
    text = str(data.get(name, "") or "").strip().replace("£", "").replace(",", "")
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


class WeightingsForm(forms.Form):
    price_weight = weight_field("Price weighting", integer=True)
    quality_weight = weight_field("Quality weighting", integer=True)
    social_value_weight = weight_field("Social value weighting", integer=True)
    weighting_justification = forms.CharField(
        label="Justification (only if social value is outside the band)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, authority, **kwargs):
        self.authority = authority
        super().__init__(*args, **kwargs)
        self.fields["social_value_weight"].help_text = (
            f"{authority.name}'s band is {authority.sv_weighting_min}% to {authority.sv_weighting_max}%. Outside it, "
            "write a justification: it is shown on the tender and in the evaluation pack."
        )

    def clean(self):
        data = super().clean()
        weights = [data.get(n) for n in ("price_weight", "quality_weight", "social_value_weight")]
        if None not in weights:
            problem = services.weights_problem(*weights)
            if problem:
                self.add_error(None, problem)
            elif (
                services.outside_band(self.authority, weights[2])
                and not (data.get("weighting_justification") or "").strip()
            ):
                self.add_error("weighting_justification", services.band_message(self.authority, weights[2]))
        return data


class LotForm(forms.Form):
    title = forms.CharField(label="Lot title", max_length=200, error_messages={"required": "Enter a title for the lot"})
    description = forms.CharField(
        label="Description (optional)", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    estimated_value = MoneyField(label="Estimated value, excluding VAT", what="The lot's estimated value")
    price_weight = weight_field("Price weighting (optional)", required=False, integer=True)
    quality_weight = weight_field("Quality weighting (optional)", required=False, integer=True)
    social_value_weight = weight_field("Social value weighting (optional)", required=False, integer=True)

    def clean(self):
        data = super().clean()
        names = ("price_weight", "quality_weight", "social_value_weight")
        if any(name in self.errors for name in names):
            return data
        weights = [data.get(name) for name in names]
        if any(w is not None for w in weights):
            if any(w is None for w in weights):
                self.add_error(None, "Enter all three weightings for the lot, or none to use the tender's")
            elif problem := services.weights_problem(*weights):
                self.add_error(None, problem)
        return data


class RelevantMeasureForm(forms.Form):
    reason = forms.CharField(
        label="Why is this measure relevant to what is bought?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Award criteria must relate to the subject matter of the contract (Procurement Act 2023, s.23).",
        error_messages={"required": "Enter why this measure is relevant to what is bought"},
    )
    quantity_kind = forms.ChoiceField(
        label="Is the quantity a minimum or a target?",
        choices=[(QuantityKind.TARGET, "A target"), (QuantityKind.MINIMUM, "A minimum")],
        initial=QuantityKind.TARGET,
        widget=GovukRadioSelect(
            option_hints={
                QuantityKind.TARGET: "Bidders may offer more or less; the offer is scored on it.",
                QuantityKind.MINIMUM: "Bidders must offer at least this much.",
            },
            attrs={"class": "govuk-radios--small"},
        ),
        error_messages={"required": "Choose whether the quantity is a minimum or a target"},
    )
    quantity = forms.DecimalField(
        label="Quantity (optional)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
        error_messages={
            "invalid": "The quantity must be a number, like 12",
            "min_value": "The quantity must be 0 or more",
            "max_decimal_places": "The quantity can have up to 2 decimal places",
        },
    )
    weight = weight_field("Weight within social value", help_text="The weights of the relevant measures total 100%.")

    def __init__(self, *args, unit_label="", **kwargs):
        super().__init__(*args, **kwargs)
        if unit_label:
            self.fields["quantity"].widget.attrs["govuk_suffix"] = unit_label
            self.fields["quantity"].help_text = f"In {unit_label}."

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is not None and weight <= 0:
            raise forms.ValidationError("The weight within social value must be more than 0%")
        return weight


SCALE_HINTS = {
    "5": "0 to 5, with the standard descriptors (0 no response … 5 excellent) unless you write your own.",
    "10": "0 to 10: write 11 descriptors, or none.",
    "100": "0 to 100: write score bands if you want them.",
}


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which part is the question in?",
        choices=[(QuestionKind.QUALITY, "Quality"), (QuestionKind.SOCIAL_VALUE, "Social value method statement")],
        widget=GovukRadioSelect(),
        error_messages={"required": "Choose whether it is a quality or a social value question"},
    )
    text = forms.CharField(
        label="Question",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the question"},
    )
    guidance = forms.CharField(
        label="Guidance for bidders (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What a good answer covers and the evidence evaluators look for.",
    )
    word_limit = forms.IntegerField(
        label="Word limit",
        initial=500,
        min_value=50,
        max_value=5000,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-4", "inputmode": "numeric", "govuk_suffix": "words"}
        ),
        error_messages={
            "required": "Enter the word limit",
            "invalid": "The word limit must be a whole number, like 500",
            "min_value": "The word limit must be at least 50 words",
            "max_value": "The word limit must be 5,000 words or less",
        },
    )
    weight = weight_field("Weight within its part", help_text="The questions of each part have weights totalling 100%.")
    scale_max = forms.TypedChoiceField(
        label="Scoring scale",
        coerce=int,
        choices=[("5", "0 to 5"), ("10", "0 to 10"), ("100", "0 to 100")],
        initial="5",
        widget=GovukRadioSelect(option_hints=SCALE_HINTS, attrs={"class": "govuk-radios--small"}),
        error_messages={"required": "Choose a scoring scale"},
    )
    scale_descriptors = forms.CharField(
        label="Score descriptors (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One line for each score, starting from 0.",
    )

    def __init__(self, *args, question=None, **kwargs):
        if question is not None:
            initial = kwargs.setdefault("initial", {})
            for name in ("kind", "text", "guidance", "word_limit", "weight"):
                initial.setdefault(name, getattr(question, name))
            initial.setdefault("scale_max", str(question.scale_max))
            initial.setdefault("scale_descriptors", "\n".join(question.scale_descriptors or []))
        super().__init__(*args, **kwargs)

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is not None and weight <= 0:
            raise forms.ValidationError("The weight within its part must be more than 0%")
        return weight

    def clean_scale_descriptors(self):
        return [line.strip() for line in self.cleaned_data["scale_descriptors"].splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        descriptors, scale = data.get("scale_descriptors"), data.get("scale_max")
        if descriptors and scale in (5, 10) and len(descriptors) != scale + 1:
            self.add_error(
                "scale_descriptors",
                f"Give one descriptor for each score from 0 to {scale} ({scale + 1} lines), or none",
            )
        return data


class PublishForm(forms.Form):
    confirm_short_period = forms.BooleanField(
        label="I confirm the shorter tender period is allowed for this procurement",
        required=False,
        help_text="For example, a qualifying planned procurement notice was published at least 40 days ago.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason"},
    )

    def __init__(self, *args, label="Reason", required_message="Enter the reason", help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text
        self.fields["reason"].error_messages["required"] = required_message


class AmendmentForm(DateTimePartsMixin, forms.Form):
    """What an amendment may change (services.AMENDABLE_FIELDS), and why."""

    DATETIMES = {
        "clarification_deadline": "Clarification deadline",
        "submission_deadline": "Submission deadline",
    }

    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    description = forms.CharField(
        label="Description", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    contract_term_months = TenderForm.base_fields["contract_term_months"]
    contact_name = forms.CharField(label="Contact name (optional)", required=False, max_length=150)
    contact_email = TenderForm.base_fields["contact_email"]
    reason = forms.CharField(
        label="Why is the tender being amended?",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Bidders read this with the amendment.",
        error_messages={"required": "Enter why the tender is being amended"},
    )

    def __init__(self, *args, tender, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for name in ("title", "description", "contract_term_months", "contact_name", "contact_email"):
            initial.setdefault(name, getattr(tender, name))
        super().__init__(*args, **kwargs)
        self.tender = tender
        self._add_datetime_fields({name: getattr(tender, name) for name in self.DATETIMES})
        self.order_fields([*(f for f in self.fields if f != "reason"), "reason"])

    def clean(self):
        data = super().clean()
        self._combine_datetimes(data)
        if not data.get("submission_deadline") and "submission_deadline_date" not in self.errors:
            self.add_error("submission_deadline_date", "Enter the submission deadline")
        return data

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in services.AMENDABLE_FIELDS}
