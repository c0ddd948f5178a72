"""The bidder's offer forms: starting an offer (organisation and lot), the draft (price, commitments and
answers) and the declaration made on submitting. They parse what was typed; tenders/offers.py judges it."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat

from accounts.widgets import GovukRadioSelect
from charters.models import Unit
from foundation.formatting import money_pence_if_any

from .. import offers
from .fields import MoneyField

# Short unit names for the box's suffix; the hint says the unit in full (the suffix is hidden from screen readers).
UNIT_SUFFIX = {
    Unit.PEOPLE: "people",
    Unit.FTE: "FTE",
    Unit.WEEKS: "weeks",
    Unit.HOURS: "hours",
    Unit.TCO2E: "tCO2e",
    Unit.PERCENT: "%",
}
ANSWER_MAX_LENGTH = 40000  # characters; the question's word limit is the real one (checked by offer_update)


class OfferStartForm(forms.Form):
    organisation = forms.ChoiceField(
        label="Which organisation is this offer from?",
        error_messages={
            "required": "Choose the organisation the offer is from",
            "invalid_choice": "You can only make offers for a supplier organisation you are an approved member of",
        },
    )
    lot = forms.ChoiceField(
        label="Which lot are you offering for?",
        help_text="Each offer is for one lot. You can come back to offer for another.",
        error_messages={"required": "Choose the lot you are offering for", "invalid_choice": "Choose a lot"},
    )

    def __init__(self, *args, organisations, lots, existing, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(org.pk): org for org in organisations}
        self.lots = {str(lot.pk): lot for lot in lots}
        field = self.fields["organisation"]
        field.choices = [(key, org.name) for key, org in self.organisations.items()]
        if len(self.organisations) == 1:
            # Nothing to choose: the one organisation goes with the form, and the page names it.
            field.widget = forms.HiddenInput()
            field.initial = next(iter(self.organisations))
        else:
            field.widget = GovukRadioSelect(choices=field.choices)
        if not lots:
            del self.fields["lot"]
            return
        only = next(iter(self.organisations.values())) if len(self.organisations) == 1 else None
        hints = {}
        for key, lot in self.lots.items():
            hint = f"Estimated value {money_pence_if_any(lot.estimated_value)} excluding VAT."
            if only is not None and (only.pk, lot.pk) in existing:
                hint += f" {only.name} already has an offer for this lot: choose it to carry on."
            hints[key] = hint
        self.fields["lot"].choices = [(key, f"Lot {lot.number}: {lot.title}") for key, lot in self.lots.items()]
        self.fields["lot"].widget = GovukRadioSelect(choices=self.fields["lot"].choices, option_hints=hints)

    def chosen_organisation(self):
        return self.organisations.get(self.cleaned_data.get("organisation", ""))

    def chosen_lot(self):
        return self.lots.get(self.cleaned_data.get("lot", ""))


class QuantityField(forms.CharField):
    """A quantity as people type it ("1,250"): a Decimal, or None when left empty (no commitment)."""

    def __init__(self, *, code, **kwargs):
        self.code = code
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return offers.parse_quantity(text, code=self.code)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None


def _unit_hint(measure) -> tuple[str, dict]:
    """The quantity box's hint, and its prefix or suffix."""
    item = measure.charter_measure
    empty = "Leave it empty to make no commitment to this measure."
    if item.unit == Unit.PERCENT:
        return f"A percentage from 0 to 100. {empty}", {"govuk_suffix": "%"}
    if item.unit == Unit.GBP:
        return f"An amount in pounds. {empty}", {"govuk_prefix": "£"}
    suffix = UNIT_SUFFIX.get(item.unit)
    return f"In {item.get_unit_display()}. {empty}", ({"govuk_suffix": suffix} if suffix else {})


def _deflators(item) -> str:
    """The deflators the net value takes off, in words ("deadweight 20%, drop-off 10%"), or "" for none."""
    named = (
        ("deadweight", item.deadweight_pct),
        ("attribution", item.attribution_pct),
        ("displacement", item.displacement_pct),
        ("drop-off", item.dropoff_pct),
    )
    return ", ".join(f"{name} {floatformat(value, '-2')}%" for name, value in named if value)


class OfferForm(forms.Form):
    """The draft: price, then per relevant measure a quantity (empty: no commitment), delivery period, place and
    how it will be delivered, then an answer per question. Field names are those offer_update's errors name."""

    price = MoneyField(
        label="Price (£, excluding VAT)",
        help_text="The total you will charge for the contract, excluding VAT.",
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10", "govuk_prefix": "£"}
        ),
        error_messages={
            "invalid": "The price must be an amount in pounds, like 250000",
            "min_value": "The price must be more than £0",
            "max_digits": "The price is too large",
            "max_whole_digits": "The price is too large",
            "max_decimal_places": "The price must have no more than 2 decimal places",
        },
    )

    def __init__(self, *args, measures, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures, self.questions = measures, questions
        for measure in measures:
            code = measure.charter_measure.code
            hint, affix = _unit_hint(measure)
            self.fields[f"quantity_{measure.pk}"] = QuantityField(
                code=code,
                label=f"Quantity for {code}",
                help_text=hint,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "spellcheck": "false",
                        "class": "govuk-input--width-10 app-quantity",
                        **affix,
                    }
                ),
            )
            self.fields[f"delivery_{measure.pk}"] = forms.CharField(
                label=f"When you will deliver {code}",
                help_text="For example, every year of the contract, or April 2027 to March 2028",
                required=False,
                max_length=200,
                error_messages={"max_length": f"When you will deliver {code} must be 200 characters or fewer"},
            )
            self.fields[f"place_{measure.pk}"] = forms.CharField(
                label=f"Where you will deliver {code}",
                help_text="A ward, neighbourhood, site or partner organisation",
                required=False,
                max_length=200,
                error_messages={"max_length": f"Where you will deliver {code} must be 200 characters or fewer"},
            )
            self.fields[f"narrative_{measure.pk}"] = forms.CharField(
                label=f"How you will deliver {code}",
                help_text="Who will do it, with which partners, and how you will show it was done",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"max_length": f"How you will deliver {code} must be 5,000 characters or fewer"},
            )
        for question in questions:
            name = f"answer_{question.pk}"
            self.fields[name] = forms.CharField(
                label=question.text,
                help_text=question.guidance,
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                # The GOV.UK character count, in word mode: the template sets data-maxwords on its wrapper.
                widget=forms.Textarea(attrs={"rows": 10}),
                error_messages={"max_length": "Your answer is too long"},
            )

    def measure_fields(self) -> list[dict]:
        """Per relevant measure, the measure, its deflators in words and its four bound fields, for the template."""
        return [
            {
                "measure": measure,
                "deflators": _deflators(measure.charter_measure),
                "quantity": self[f"quantity_{measure.pk}"],
                "delivery": self[f"delivery_{measure.pk}"],
                "place": self[f"place_{measure.pk}"],
                "narrative": self[f"narrative_{measure.pk}"],
            }
            for measure in self.measures
        ]

    def question_fields(self) -> list[dict]:
        return [{"question": question, "answer": self[f"answer_{question.pk}"]} for question in self.questions]

    def clean(self):
        data = super().clean()
        for measure in self.measures:
            name = f"quantity_{measure.pk}"
            if name in self.errors or data.get(name) is not None:
                continue
            if any(str(data.get(f"{part}_{measure.pk}") or "").strip() for part in ("delivery", "place", "narrative")):
                # Nothing typed in the box would silently drop what was written about the commitment.
                self.add_error(
                    name,
                    f"Enter the quantity for {measure.charter_measure.code}, or empty its other boxes to make no "
                    "commitment to it",
                )
        return data

    def commitments(self) -> dict[int, offers.CommitmentInput]:
        data = self.cleaned_data
        return {
            measure.pk: offers.CommitmentInput(
                quantity=data[f"quantity_{measure.pk}"],
                delivery_period=data.get(f"delivery_{measure.pk}", ""),
                place=data.get(f"place_{measure.pk}", ""),
                narrative=data.get(f"narrative_{measure.pk}", ""),
            )
            for measure in self.measures
            if data.get(f"quantity_{measure.pk}") is not None
        }

    def answers(self) -> dict[int, str]:
        """Answers with some text; an emptied box removes its answer."""
        return {
            question.pk: text
            for question in self.questions
            if (text := self.cleaned_data.get(f"answer_{question.pk}", "").strip())
        }


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(required=True)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["declaration"]
        field.label = (
            f"I confirm that I may submit this offer for {organisation.name}, and that what it says is true and "
            "can be delivered"
        )
        field.error_messages["required"] = f"Confirm that you may submit this offer for {organisation.name}"
