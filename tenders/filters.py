"""The tender list's filters, declared once (django-filter): what each filter is and how it narrows the tenders.

`TenderFilterSet` is the API's (`tenders/api/tenders.py` validates and documents its query parameters from it);
`TenderPageFilterSet` is the same filters as the public list page shows them, with GOV.UK fields, labels and error
messages, the "Show" radios (open for bids only, or closed tenders too) and select boxes of the authorities and CPV
divisions that have public tenders. Both refuse ranges that end before they start, on the field to blame.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.widgets import GovukDateField, GovukRadioSelect

from . import selectors
from .forms.fields import MoneyField
from .models import Tender, TenderCategory

SHOW_OPEN, SHOW_ALL = "open", "all"


def range_problems(data: dict) -> dict[str, str]:
    """Ranges that end before they start, by the field to blame."""
    found = {}
    value_min, value_max = data.get("value_min"), data.get("value_max")
    if value_min is not None and value_max is not None and value_min > value_max:
        found["value_max"] = "The highest value must be the same as or more than the lowest value"
    closing_after, closing_before = data.get("closing_after"), data.get("closing_before")
    if closing_after and closing_before and closing_after > closing_before:
        found["closing_before"] = "The closing date to must be the same as or after the closing date from"
    return found


class RangeCheckedForm(forms.Form):
    def clean(self):
        data = super().clean()
        for name, message in range_problems(data).items():
            self.add_error(name, message)
        return data


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class RegexFilter(filters.CharFilter):
    field_class = forms.RegexField


class SlugFilter(filters.CharFilter):
    field_class = forms.SlugField


class TenderFilterSet(filters.FilterSet):
    """The public tender list's filters. `now` (server time) decides which tenders are open."""

    keyword = filters.CharFilter(
        method="filter_keyword", max_length=200, help_text="Words in the title, description or reference."
    )
    status = filters.ChoiceFilter(
        method="filter_status",
        choices=[(name, name) for name in selectors.STATUS_FILTERS],
        help_text="Only this status (`published` means open for offers). `draft` and `cancelled` with "
        "`include_drafts` only.",
    )
    category = filters.ChoiceFilter(choices=TenderCategory.choices, help_text="Only this category.")
    cpv_division = RegexFilter(
        method="filter_cpv_division",
        regex=r"^\d{2}$",
        help_text="Only tenders with a CPV code in this 2-digit division (for example `79`).",
        error_messages={"invalid": "A CPV division is two digits, like 79"},
    )
    value_min = filters.NumberFilter(
        field_name="estimated_value",
        lookup_expr="gte",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="Lowest value excluding VAT (£).",
    )
    value_max = filters.NumberFilter(
        field_name="estimated_value",
        lookup_expr="lte",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="Highest value excluding VAT (£).",
    )
    closing_after = filters.DateFilter(
        method="filter_closing_after", help_text="Closes on or after this day (YYYY-MM-DD)."
    )
    closing_before = filters.DateFilter(
        method="filter_closing_before", help_text="Closes on or before this day (YYYY-MM-DD)."
    )

    class Meta:
        model = Tender
        fields = []
        form = RangeCheckedForm

    problems = staticmethod(range_problems)  # for the API's validation of the same ranges

    def __init__(self, *args, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()

    def filter_keyword(self, tenders, name, value):
        for word in value.split():
            tenders = tenders.filter(
                Q(title__icontains=word) | Q(description__icontains=word) | Q(reference__icontains=word)
            )
        return tenders

    def filter_status(self, tenders, name, value):
        return tenders.filter(selectors.STATUS_FILTERS[value](self.now))

    def filter_cpv_division(self, tenders, name, value):
        through = Tender.cpv_codes.through
        return tenders.filter(Exists(through.objects.filter(tender_id=OuterRef("pk"), cpvcode__division=value)))

    def filter_closing_after(self, tenders, name, value):
        return tenders.filter(submission_deadline__gte=_start_of(value))

    def filter_closing_before(self, tenders, name, value):
        return tenders.filter(submission_deadline__lt=_start_of(value + timedelta(days=1)))


class StaffTenderFilterSet(TenderFilterSet):
    include_drafts = filters.BooleanFilter(
        method="filter_nothing", help_text="Staff with `tenders.view`: every tender, drafts included."
    )

    def filter_nothing(self, tenders, name, value):
        return tenders  # chooses the list (the view's business), narrows nothing


class PlatformTenderFilterSet(TenderFilterSet):
    authority = SlugFilter(field_name="authority__slug", help_text="Only this authority's tenders (its slug).")


# The public list page --------------------------------------------------------------------------------------------


class _FormChoiceFilter(filters.Filter):
    """A select box or radios whose choices (the empty one included) are the page's own."""

    field_class = forms.ChoiceField


class _MoneyFilter(filters.NumberFilter):
    field_class = MoneyField


class _GovukDateFilter(filters.DateFilter):
    field_class = GovukDateField


def _money_filter(lookup: str, label: str, subject: str) -> _MoneyFilter:
    return _MoneyFilter(
        field_name="estimated_value",
        lookup_expr=lookup,
        label=label,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10", "govuk_prefix": "£"}
        ),
        error_messages={
            "invalid": f"{subject} must be an amount in pounds, like 50000",
            "min_value": f"{subject} must be £0 or more",
            "max_digits": f"{subject} is too large",
            "max_whole_digits": f"{subject} is too large",
            "max_decimal_places": f"{subject} must have no more than 2 decimal places",
        },
    )


class TenderPageFilterSet(TenderFilterSet):
    """The public tender list page's filter form: the same filters, as the page asks for them. Tenders open for bids
    only unless "Show" asks for closed ones too (an invalid choice keeps to open ones)."""

    status = None  # the page's "Show" radios instead
    keyword = filters.CharFilter(
        method="filter_keyword",
        label="Keyword",
        help_text="Words in the title, description or reference",
        max_length=200,
        error_messages={"max_length": "The keyword must be 200 characters or fewer"},
    )
    show = _FormChoiceFilter(
        method="filter_show",
        label="Show",
        choices=[(SHOW_OPEN, "Open for bids only"), (SHOW_ALL, "Open and closed tenders")],
        widget=GovukRadioSelect(attrs={"class": "govuk-radios--small"}),
        error_messages={"invalid_choice": "Choose whether to show closed tenders"},
    )
    authority = _FormChoiceFilter(field_name="authority__slug", label="Authority")
    category = _FormChoiceFilter(
        label="Category",
        choices=[("", "Any category"), *TenderCategory.choices],
        error_messages={"invalid_choice": "Choose a category from the list"},
    )
    cpv_division = _FormChoiceFilter(
        method="filter_cpv_division",
        label="CPV division",
        error_messages={"invalid_choice": "Choose a CPV division from the list"},
    )
    value_min = _money_filter("gte", "Lowest value (£, excluding VAT)", "The lowest value")
    value_max = _money_filter("lte", "Highest value (£, excluding VAT)", "The highest value")
    closing_after = _GovukDateFilter(
        method="filter_closing_after",
        label="Closes on or after",
        subject="The closing date from",
        help_text="For example, 1 3 2026",
    )
    closing_before = _GovukDateFilter(
        method="filter_closing_before",
        label="Closes on or before",
        subject="The closing date to",
        help_text="For example, 31 3 2026",
    )

    PAGE_ORDER = (
        "keyword",
        "show",
        "authority",
        "category",
        "cpv_division",
        "value_min",
        "value_max",
        "closing_after",
        "closing_before",
    )

    def __init__(self, *args, choices: selectors.PublicFilterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["authority"].extra.update(
            choices=[("", "Any authority"), *choices.authorities],
            error_messages={"invalid_choice": "Choose an authority from the list"},
        )
        self.filters["cpv_division"].extra["choices"] = [("", "Any division"), *choices.divisions]
        # The page's order (the error summary follows it), not the order of declaration.
        self.filters = {name: self.filters[name] for name in self.PAGE_ORDER}

    @property
    def open_only(self) -> bool:
        return self.form.cleaned_data.get("show", SHOW_OPEN) != SHOW_ALL

    def filter_show(self, tenders, name, value):
        return tenders  # applied in filter_queryset, so that an invalid choice still keeps to open tenders

    def filter_queryset(self, tenders):
        tenders = super().filter_queryset(tenders)
        return tenders.filter(selectors.open_q(self.now)) if self.open_only else tenders
