"""GOV.UK form rendering: field templates, ids the error summary links to, the date field, pagination."""

import datetime
from html.parser import HTMLParser

import pytest
from django import forms
from django.core.paginator import Paginator
from django.template import engines

from accounts.widgets import GovukCheckboxSelectMultiple, GovukDateField, GovukDateInput, PartialDate


class EveryFieldForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        help_text="As it appears on your payslip",
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "govuk-input--width-20"}),
        error_messages={"required": "Enter your full name"},
    )
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    weeks = forms.IntegerField(label="Consultation length", widget=forms.NumberInput(attrs={"govuk_suffix": "weeks"}))
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    summary = forms.CharField(label="Summary", max_length=20, widget=forms.Textarea, help_text="Keep it short")
    colour = forms.ChoiceField(label="Colour", choices=[("", "Choose a colour"), ("red", "Red")])
    kind = forms.ChoiceField(
        label="What are you registering?",
        choices=[("supplier", "Supplier"), ("group", "Community group")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you are registering"},
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        help_text="Select all that apply.",
        choices=[("admin", "Authority admin"), ("evaluator", "Evaluator")],
        widget=GovukCheckboxSelectMultiple(option_hints={"admin": "Manages members"}),
        error_messages={"required": "Select at least one role"},
    )
    agree = forms.BooleanField(label="I agree to the terms", error_messages={"required": "Agree to the terms"})
    start = GovukDateField(label="Start date", subject="Start date", help_text="For example, 27 3 2026")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        super().clean()
        raise forms.ValidationError("These details do not match our records")


INVALID_DATA = {
    "full_name": "",
    "email": "not-an-email",
    "password": "",
    "weeks": "twelve",
    "summary": "x" * 25,
    "colour": "",
    "start_day": "31",
    "start_month": "",
    "start_year": "2026",
    "token": "abc",
}


class Elements(HTMLParser):
    """Every start tag's attributes, and the text inside each element with an id."""

    def __init__(self, html):
        super().__init__()
        self.elements = []
        self._open = []
        self.text_by_id = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag not in {"input", "br", "meta", "link", "img"}:
            self._open.append(attrs.get("id"))
            if attrs.get("id"):
                self.text_by_id.setdefault(attrs["id"], "")

    def handle_endtag(self, tag):
        if tag not in {"input", "br", "meta", "link", "img"} and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data

    def by_id(self, element_id):
        matches = [attrs for _, attrs in self.elements if attrs.get("id") == element_id]
        assert len(matches) == 1, f"expected one element with id {element_id!r}, found {len(matches)}"
        return matches[0]

    def classes(self, element_id):
        return set(self.by_id(element_id).get("class", "").split())

    def all(self, tag=None, **attrs):
        return [
            found
            for name, found in self.elements
            if (tag is None or name == tag) and all(found.get(key) == value for key, value in attrs.items())
        ]


def render(template, **context):
    return engines["django"].from_string(template).render(context)


@pytest.fixture
def invalid_form():
    form = EveryFieldForm(data=INVALID_DATA)
    assert not form.is_valid()
    return form


@pytest.fixture
def page(invalid_form):
    return Elements(render("{% govuk_error_summary form %}{{ form }}", form=invalid_form))


def test_text_input_has_govuk_classes_hint_error_and_autocomplete(page):
    assert page.classes("id_full_name") == {"govuk-input", "govuk-input--width-20", "govuk-input--error"}
    assert page.by_id("id_full_name")["autocomplete"] == "name"
    assert page.by_id("id_full_name")["aria-describedby"] == "id_full_name-hint id_full_name-error"
    assert page.classes("id_full_name-hint") == {"govuk-hint"}
    assert page.classes("id_full_name-error") == {"govuk-error-message"}
    assert page.text_by_id["id_full_name-error"].strip() == "Error: Enter your full name"
    labels = page.all("label", **{"for": "id_full_name"})
    assert labels and "govuk-label" in labels[0]["class"]


def test_every_field_with_an_error_sits_in_an_error_form_group(invalid_form):
    html = render("{{ form.full_name.as_field_group }}{{ form.notes.as_field_group }}", form=invalid_form)
    groups = [attrs for tag, attrs in Elements(html).elements if "govuk-form-group" in attrs.get("class", "")]
    assert [("govuk-form-group--error" in group["class"]) for group in groups] == [True, False]


def test_email_password_number_and_select(page):
    assert page.by_id("id_email")["type"] == "email"
    assert page.by_id("id_email")["autocomplete"] == "email"
    assert "govuk-input--error" in page.classes("id_email")

    password = page.by_id("id_password")
    assert password["type"] == "password"
    assert {"govuk-input", "govuk-password-input__input", "govuk-input--error"} <= page.classes("id_password")
    assert page.all("div", **{"data-module": "govuk-password-input"})
    assert page.all("button", **{"aria-controls": "id_password"})

    assert page.by_id("id_weeks")["type"] == "number"
    assert "govuk_suffix" not in page.by_id("id_weeks")
    assert page.all("div", **{"class": "govuk-input__suffix", "aria-hidden": "true"})

    assert page.classes("id_colour") == {"govuk-select", "govuk-select--error"}
    assert page.by_id("id_colour")["aria-describedby"] == "id_colour-error"


def test_plain_textarea(page):
    assert page.classes("id_notes") == {"govuk-textarea"}
    assert "aria-describedby" not in page.by_id("id_notes")


def test_textarea_with_maxlength_is_a_character_count(page):
    group = page.all("div", **{"data-module": "govuk-character-count"})
    assert len(group) == 1
    assert group[0]["data-maxlength"] == "20"
    assert {"govuk-form-group", "govuk-character-count", "govuk-form-group--error"} <= set(group[0]["class"].split())
    textarea = page.by_id("id_summary")
    assert {"govuk-textarea", "govuk-js-character-count", "govuk-textarea--error"} <= page.classes("id_summary")
    # The count, not the browser, tells people they are over the limit.
    assert "maxlength" not in textarea
    assert textarea["aria-describedby"] == "id_summary-info id_summary-hint id_summary-error"
    assert page.classes("id_summary-info") == {"govuk-hint", "govuk-character-count__message"}
    assert page.text_by_id["id_summary-info"].strip() == "You can enter up to 20 characters"


def test_radios_are_a_fieldset_with_a_legend(page):
    fieldsets = page.all("fieldset", **{"aria-describedby": "id_kind-error"})
    assert len(fieldsets) == 1
    assert page.all("div", **{"class": "govuk-radios", "data-module": "govuk-radios"})
    assert page.classes("id_kind_0") == {"govuk-radios__input"}
    assert page.by_id("id_kind_0")["type"] == "radio"
    assert page.all("label", **{"class": "govuk-label govuk-radios__label", "for": "id_kind_1"})


def test_legends_for_radios_checkboxes_and_date(invalid_form):
    for name, legend_text in [
        ("kind", "What are you registering?"),
        ("roles", "Roles"),
        ("start", "Start date"),
    ]:
        html = render("{{ field.as_field_group }}", field=invalid_form[name])
        assert '<fieldset class="govuk-fieldset"' in html
        assert f'<legend class="govuk-fieldset__legend">{legend_text}</legend>' in html.replace("&#x27;", "'")


def test_checkboxes_with_item_hints(page):
    assert page.all("fieldset", **{"aria-describedby": "id_roles-hint id_roles-error"})
    assert page.all("div", **{"class": "govuk-checkboxes", "data-module": "govuk-checkboxes"})
    assert page.classes("id_roles_0") == {"govuk-checkboxes__input"}
    assert page.by_id("id_roles_0")["aria-describedby"] == "id_roles_0-item-hint"
    assert page.text_by_id["id_roles_0-item-hint"] == "Manages members"
    assert "aria-describedby" not in page.by_id("id_roles_1")


def test_single_checkbox(page):
    checkbox = page.by_id("id_agree")
    assert checkbox["type"] == "checkbox"
    assert page.classes("id_agree") == {"govuk-checkboxes__input"}
    assert checkbox["aria-describedby"] == "id_agree-error"
    assert page.all("label", **{"class": "govuk-label govuk-checkboxes__label", "for": "id_agree"})


def test_date_input_marks_only_the_missing_part(page):
    assert page.all("fieldset", role="group", **{"aria-describedby": "id_start-hint id_start-error"})
    assert page.classes("id_start") == {"govuk-date-input"}
    for part, width in [("day", 2), ("month", 2), ("year", 4)]:
        element = page.by_id(f"id_start_{part}")
        assert element["name"] == f"start_{part}"
        assert element["inputmode"] == "numeric"
        assert f"govuk-input--width-{width}" in page.classes(f"id_start_{part}")
    assert "govuk-input--error" in page.classes("id_start_month")
    assert "govuk-input--error" not in page.classes("id_start_day")
    assert page.by_id("id_start_day")["value"] == "31"
    assert page.text_by_id["id_start-error"].strip() == "Error: Start date must include a month"


def test_error_summary_links_to_elements_in_the_page(page):
    summaries = page.all("div", **{"data-module": "govuk-error-summary"})
    assert len(summaries) == 1
    links = [attrs["href"] for tag, attrs in page.elements if tag == "a" and attrs.get("href", "").startswith("#")]
    assert links == [
        "#id_full_name",  # the form-wide error links to the first field
        "#id_full_name",
        "#id_email",
        "#id_password",
        "#id_weeks",
        "#id_summary",
        "#id_colour",
        "#id_kind_0",
        "#id_roles_0",
        "#id_agree",
        "#id_start_month",
    ]
    for href in links:
        page.by_id(href[1:])  # exactly one element carries the id


def test_error_summary_text(invalid_form):
    html = render("{% govuk_error_summary form %}", form=invalid_form)
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert '<a href="#id_kind_0">Select what you are registering</a>' in html
    assert '<a href="#id_full_name">These details do not match our records</a>' in html


def test_error_summary_is_empty_without_errors():
    assert render("{% govuk_error_summary form %}", form=EveryFieldForm()) == ""
    form = forms.Form(data={})
    assert form.is_valid()
    assert render("{% govuk_error_summary form other %}", form=form, other=None) == ""


def test_non_field_errors_render_as_an_error_message(page):
    assert page.text_by_id["non-field-error"].strip() == "Error: These details do not match our records"
    assert page.by_id("id_token")["type"] == "hidden"


def test_govuk_field_id_filter(invalid_form):
    html = render(
        "{{ form.email|govuk_field_id }} {{ form.kind|govuk_field_id }} {{ form.start|govuk_field_id }}",
        form=invalid_form,
    )
    assert html == "id_email id_kind_0 id_start_month"


def test_label_size_and_page_heading_when_included_by_hand(invalid_form):
    html = render(
        '{% include "govuk/field.html" with field=form.full_name label_size="l" label_is_page_heading=True %}'
        '{% include "govuk/field.html" with field=form.kind label_size="m" %}',
        form=invalid_form,
    )
    assert '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" for="id_full_name">' in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">' in html


class DateForm(forms.Form):
    start = GovukDateField(label="Start date", subject="Start date")


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "parts"),
    [
        ("1", "", "2026", "Start date must include a month", ["month"]),
        ("", "", "2026", "Start date must include a day and month", ["day", "month"]),
        ("31", "2", "2026", "Start date must be a real date", ["day"]),
        ("31", "02", "2026", "Start date must be a real date", ["day"]),
        ("1", "13", "2026", "Start date must be a real date", ["month"]),
        ("1", "x", "2026", "Start date must be a real date", ["month"]),
        ("1", "2", "26", "Year must include 4 numbers", ["year"]),
        ("", "", "", "Enter a date", []),
    ],
)
def test_date_field_errors(day, month, year, message, parts):
    form = DateForm(data={"start_day": day, "start_month": month, "start_year": year})
    assert not form.is_valid()
    assert form.errors["start"] == [message]
    assert form["start"].govuk_error_parts == parts


def test_date_field_accepts_a_real_date():
    form = DateForm(data={"start_day": " 7 ", "start_month": "03", "start_year": "2026"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == datetime.date(2026, 3, 7)


def test_date_field_is_optional_when_not_required():
    class OptionalDateForm(forms.Form):
        start = GovukDateField(required=False)

    form = OptionalDateForm(data={"start_day": "", "start_month": "", "start_year": ""})
    assert form.is_valid()
    assert form.cleaned_data["start"] is None


def test_date_widget_reads_a_date_or_the_raw_parts():
    widget = GovukDateInput()
    assert widget.value_from_datadict({"d_day": "29", "d_month": "2", "d_year": "2028"}, {}, "d") == datetime.date(
        2028, 2, 29
    )
    raw = widget.value_from_datadict({"d_day": "29", "d_month": "2", "d_year": "2026"}, {}, "d")
    assert isinstance(raw, PartialDate)
    assert raw.parts == ("29", "2", "2026")
    assert widget.value_from_datadict({}, {}, "d") is None


def test_date_widget_with_a_plain_date_field_reports_its_invalid_message():
    class PlainForm(forms.Form):
        when = forms.DateField(widget=GovukDateInput, error_messages={"invalid": "Enter a real date"})

    form = PlainForm(data={"when_day": "31", "when_month": "2", "when_year": "2026"})
    assert not form.is_valid()
    assert form.errors["when"] == ["Enter a real date"]
    valid = PlainForm(data={"when_day": "1", "when_month": "2", "when_year": "2026"})
    assert valid.is_valid()
    assert valid.cleaned_data["when"] == datetime.date(2026, 2, 1)


def test_date_widget_shows_an_initial_date():
    form = DateForm(initial={"start": datetime.date(2026, 4, 9)})
    page = Elements(str(form["start"].as_field_group()))
    assert [page.by_id(f"id_start_{part}").get("value") for part in ("day", "month", "year")] == [
        "9",
        "4",
        "2026",
    ]


def test_pagination_keeps_other_parameters():
    page_obj = Paginator(list(range(100)), 10).page(5)
    html = render('{% include "govuk/pagination.html" %}', page_obj=page_obj, query_string="verb=sign_in&actor=a")
    page = Elements(html)
    assert page.all("nav", **{"class": "govuk-pagination", "aria-label": "Pagination"})
    assert page.all("a", rel="prev", href="?verb=sign_in&actor=a&page=4")
    assert page.all("a", rel="next", href="?verb=sign_in&actor=a&page=6")
    assert page.all("a", href="?verb=sign_in&actor=a&page=5", **{"aria-current": "page"})
    assert page.all("a", href="?verb=sign_in&actor=a&page=10", **{"aria-label": "Page 10"})
    assert "govuk-pagination__item--ellipsis" in html


def test_pagination_first_page_and_single_page():
    first = render('{% include "govuk/pagination.html" %}', page_obj=Paginator(list(range(30)), 10).page(1))
    page = Elements(first)
    assert not page.all("a", rel="prev")
    assert page.all("a", rel="next", href="?page=2")
    assert render('{% include "govuk/pagination.html" %}', page_obj=Paginator([1, 2], 10).page(1)).strip() == ""
