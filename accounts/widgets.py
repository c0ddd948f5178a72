"""GOV.UK form widgets and the date field: day, month and year boxes with GOV.UK error messages.

start_date = GovukDateField(label="Start date", subject="Start date", help_text="For example, 27 3 2026")
roles = forms.MultipleChoiceField(widget=GovukCheckboxSelectMultiple(option_hints={"admin": "..."}))
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError


class PartialDate(str):
    """What someone typed into a date input that is not a real date, kept part by part.

    As a string ("31/2/2026") a plain DateField fails to parse it and reports its "invalid" message; the parts
    let GovukDateField say which part is missing or wrong, and let the widget show back what was typed.
    """

    day: str
    month: str
    year: str

    def __new__(cls, day: str, month: str, year: str):
        value = super().__new__(cls, f"{day}/{month}/{year}")
        value.day, value.month, value.year = day, month, year
        return value

    @property
    def parts(self) -> tuple[str, str, str]:
        return (self.day, self.month, self.year)


class GovukDateInput(forms.MultiWidget):
    """GOV.UK date input: three numeric text boxes named `<name>_day`, `<name>_month`, `<name>_year`.

    Ids are `<id>_day`, `<id>_month`, `<id>_year`. The value read from a request is a `datetime.date` when the
    parts make a real date, a PartialDate otherwise, and None when all three are blank.
    Pass `autocomplete="bday"` for a date of birth (gives bday-day, bday-month, bday-year).
    """

    template_name = "govuk/widgets/date_input.html"
    parts = ("day", "month", "year")
    labels = {"day": "Day", "month": "Month", "year": "Year"}
    widths = {"day": 2, "month": 2, "year": 4}

    def __init__(self, attrs=None, autocomplete=None):
        self.autocomplete = autocomplete
        widgets = {part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in self.parts}
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        # Set by GovukBoundField: which parts the error is about. Without it, any error marks all three.
        error_parts = attrs.pop("govuk_error_parts", None)
        has_error = attrs.get("aria-invalid") == "true"
        if has_error and not error_parts:
            error_parts = self.parts
        extra_class = attrs.pop("class", None) or self.attrs.get("class", "")
        context = super().get_context(name, value, attrs)
        group_id = context["widget"]["attrs"].get("id")
        for part, subwidget in zip(self.parts, context["widget"]["subwidgets"], strict=True):
            sub_attrs = subwidget["attrs"]
            sub_attrs.pop("class", None)
            classes = ["govuk-input", "govuk-date-input__input", f"govuk-input--width-{self.widths[part]}"]
            in_error = bool(error_parts) and part in error_parts
            if in_error:
                classes.append("govuk-input--error")
            else:
                sub_attrs.pop("aria-invalid", None)
            sub_attrs["class"] = " ".join(classes)
            if group_id:
                sub_attrs["id"] = f"{group_id}_{part}"
            if self.autocomplete:
                sub_attrs["autocomplete"] = f"{self.autocomplete}-{part}"
            subwidget["part"] = part
            subwidget["label"] = self.labels[part]
        context["widget"]["group_class"] = extra_class
        return context

    def id_for_label(self, id_):
        return f"{id_}_{self.parts[0]}" if id_ else ""

    def decompress(self, value):
        if isinstance(value, PartialDate):
            return list(value.parts)
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        day, month, year = (str(data.get(f"{name}_{part}") or "").strip() for part in self.parts)
        if not (day or month or year):
            return None
        if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
            try:
                return datetime.date(int(year), int(month), int(day))
            except ValueError:
                pass
        return PartialDate(day, month, year)


class GovukDateField(forms.Field):
    """A date typed into GOV.UK day, month and year boxes, with the GOV.UK Design System's error messages.

    `subject` starts the messages: "Start date must include a month", "Start date must be a real date".
    Errors carry the parts they are about in `params["fields"]`, so the right boxes are highlighted and the
    error summary links to the first of them.
    """

    widget = GovukDateInput
    default_error_messages = {
        "required": "Enter a date",
        "incomplete": "%(subject)s must include a %(missing)s",
        "invalid": "%(subject)s must be a real date",
        "year_length": "Year must include 4 numbers",
    }

    def __init__(self, *, subject="Date", **kwargs):
        self.subject = subject
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, PartialDate):
            day, month, year = value.parts
        elif isinstance(value, list | tuple) and len(value) == 3:
            day, month, year = (str(part or "").strip() for part in value)
        else:
            try:
                return datetime.date.fromisoformat(str(value))
            except ValueError:
                raise self._error("invalid", GovukDateInput.parts) from None

        given = dict(zip(GovukDateInput.parts, (day, month, year), strict=True))
        missing = [part for part, text in given.items() if not text]
        if len(missing) == 3:
            return None
        if missing:
            raise self._error("incomplete", missing, missing=" and ".join(missing))
        not_numbers = [part for part, text in given.items() if not text.isdigit()]
        if not_numbers:
            raise self._error("invalid", not_numbers)
        if len(year) != 4:
            raise self._error("year_length", ["year"])
        day_n, month_n, year_n = int(day), int(month), int(year)
        if not 1 <= month_n <= 12:
            raise self._error("invalid", ["month"])
        try:
            return datetime.date(year_n, month_n, day_n)
        except ValueError:
            raise self._error("invalid", ["day"]) from None

    def _error(self, code, fields, **params):
        return ValidationError(
            self.error_messages[code],
            code=code,
            params={"subject": self.subject, "fields": list(fields), **params},
        )


class GovukRadioSelect(forms.RadioSelect):
    """Radios with a hint under each choice: `GovukRadioSelect(option_hints={"value": "Hint text"})`."""

    def __init__(self, attrs=None, choices=(), option_hints=None):
        super().__init__(attrs, choices)
        self.option_hints = {str(key): value for key, value in (option_hints or {}).items()}


class GovukCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes with a hint under each choice: `GovukCheckboxSelectMultiple(option_hints={...})`."""

    def __init__(self, attrs=None, choices=(), option_hints=None):
        super().__init__(attrs, choices)
        self.option_hints = {str(key): value for key, value in (option_hints or {}).items()}


class ConditionalRadioSelect(GovukRadioSelect):
    """Radios where choosing an option reveals more fields: `conditionals` maps an option's value to the id of the
    element it reveals (`data-app-reveals`). Not GOV.UK Frontend's reveal: for any radio with aria-controls it sets
    aria-expanded, which ARIA does not allow on a radio and axe-core reports (alphagov/govuk-frontend#979); the
    page's small script does the revealing. Without JavaScript the revealed fields are always shown."""

    def __init__(self, attrs=None, choices=(), option_hints=None, conditionals=None):
        super().__init__(attrs, choices, option_hints)
        self.conditionals = conditionals or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if (target := self.conditionals.get(str(value))) is not None:
            option["attrs"] = {**option["attrs"], "data-app-reveals": target}
        return option
