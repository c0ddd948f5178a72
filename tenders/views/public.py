"""What anyone can read: the platform-wide list of published tenders, with filters, and a tender's public page.

The list (`/tenders/`) runs outside any authority and reads through the public selectors, which cross authorities
on purpose and only for published and closed tenders. The tender page (`/p/<authority_slug>/tenders/<id>/`) runs
inside its authority's scope; drafts and cancelled tenders answer 404. Both work without JavaScript: the filters are
a GET form, and pagination keeps them.
"""

from decimal import Decimal

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse

from accounts.views import form_status
from accounts.widgets import GovukDateField, GovukRadioSelect
from charters.models import VersionStatus

from .. import clarifications as selectors
from ..forms.fields import MoneyField
from ..models import TenderCategory

SHOW_OPEN, SHOW_ALL = "open", "all"
FILTER_FIELDS = (
    "keyword",
    "authority",
    "category",
    "cpv_division",
    "value_min",
    "value_max",
    "closing_after",
    "closing_before",
)


def _money_field(label: str, subject: str) -> MoneyField:
    return MoneyField(
        label=label,
        required=False,
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


class TenderFilterForm(forms.Form):
    keyword = forms.CharField(
        label="Keyword",
        help_text="Words in the title, description or reference",
        required=False,
        max_length=200,
        error_messages={"max_length": "The keyword must be 200 characters or fewer"},
    )
    show = forms.ChoiceField(
        label="Show",
        choices=[(SHOW_OPEN, "Open for bids only"), (SHOW_ALL, "Open and closed tenders")],
        required=False,
        widget=GovukRadioSelect(attrs={"class": "govuk-radios--small"}),
    )
    authority = forms.ChoiceField(label="Authority", required=False)
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "Any category"), *TenderCategory.choices]
    )
    cpv_division = forms.ChoiceField(label="CPV division", required=False)
    value_min = _money_field("Lowest value (£, excluding VAT)", "The lowest value")
    value_max = _money_field("Highest value (£, excluding VAT)", "The highest value")
    closing_after = GovukDateField(
        label="Closes on or after", subject="The closing date from", required=False, help_text="For example, 1 3 2026"
    )
    closing_before = GovukDateField(
        label="Closes on or before", subject="The closing date to", required=False, help_text="For example, 31 3 2026"
    )

    def __init__(self, *args, choices: selectors.PublicFilterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = [("", "Any authority"), *choices.authorities]
        self.fields["cpv_division"].choices = [("", "Any division"), *choices.divisions]
        self.fields["authority"].error_messages["invalid_choice"] = "Choose an authority from the list"
        self.fields["cpv_division"].error_messages["invalid_choice"] = "Choose a CPV division from the list"
        self.fields["category"].error_messages["invalid_choice"] = "Choose a category from the list"
        self.fields["show"].error_messages["invalid_choice"] = "Choose whether to show closed tenders"

    def clean(self):
        data = super().clean()
        ranges = selectors.PublicTenderFilters(
            value_min=data.get("value_min"),
            value_max=data.get("value_max"),
            closing_after=data.get("closing_after"),
            closing_before=data.get("closing_before"),
        )
        for name, message in ranges.problems().items():
            self.add_error(name, message)
        return data

    def filters(self) -> selectors.PublicTenderFilters:
        """The filters from the fields that are valid: a mistake in one box does not throw away the others."""
        data = getattr(self, "cleaned_data", {})
        return selectors.PublicTenderFilters(
            authority=data.get("authority") or "",
            category=data.get("category") or "",
            value_min=data.get("value_min"),
            value_max=data.get("value_max"),
            closing_after=data.get("closing_after"),
            closing_before=data.get("closing_before"),
            cpv_division=data.get("cpv_division") or "",
            keyword=(data.get("keyword") or "").strip(),
            open_only=data.get("show", SHOW_OPEN) != SHOW_ALL,
        )


def _has_filters(query) -> bool:
    if query.get("show") == SHOW_ALL:
        return True
    return any(key.startswith(name) and value.strip() for key, value in query.items() for name in FILTER_FIELDS)


def tender_list_public(request):
    """Published tenders across every authority, open ones closing soonest first, 20 a page."""
    data = request.GET.copy()
    if not data.get("show"):
        data["show"] = SHOW_OPEN  # open for bids only, unless asked otherwise
    form = TenderFilterForm(data, choices=selectors.public_filter_choices())
    form.is_valid()
    page = selectors.tender_page_public(form.filters(), page=request.GET.get("page"))
    return render(
        request,
        "tenders/public/tender_list_public.html",
        {
            "form": form,
            "page_obj": page,
            "tenders": page.object_list,
            "open_only": form.filters().open_only,
            "has_filters": _has_filters(request.GET),
        },
        status=form_status(form),
    )


def tender_public(request, authority_slug, tender_id):
    """A published (or closed) tender: everything a bidder needs, the charter priorities it asks for, and its
    published clarifications; a supplier's member also sees their organisation's own questions."""
    if request.authority is None:
        raise Http404("No such authority")
    tender = selectors.tender_get_public(request.authority, tender_id)
    if tender is None:
        raise Http404("No such tender")
    page = selectors.tender_public_page(tender, user=request.user)
    version = tender.charter_version
    charter_url = ""
    if version is not None and version.status in (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED):
        charter_url = reverse("charters:version-public", args=[request.authority.slug, version.pk])
    assessment = tender.threshold_assessment if isinstance(tender.threshold_assessment, dict) else {}
    return render(
        request,
        "tenders/public/tender_public.html",
        {
            "tender": tender,
            "page": page,
            "charter_url": charter_url,
            "threshold_explanation": assessment.get("explanation", ""),
            "ask_url": reverse("tenders:clarification-ask", args=[request.authority.slug, tender.pk]),
            # publication serves the open data; the page only links to it by URL name
            "ocds_url": reverse("publication:ocds-records", args=[request.authority.slug]) + f"?ocid={tender.ocid}",
        },
    )


staff_urlpatterns = []
public_urlpatterns = [
    path("tenders/<int:tender_id>/", tender_public, name="tender-public"),
]
platform_urlpatterns = [
    path("tenders/", tender_list_public, name="tender-list-public"),
]
