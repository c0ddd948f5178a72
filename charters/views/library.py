"""The measure library for authority staff: the platform's measures and the authority's own local ones.

Reading needs `charters.view`; adding, editing, importing and exporting local measures needs `measures.manage`.
Platform measures (`measure_id`) are the same for every authority; local measures (`local_measure_id`) are tenant
data, found only inside the authority's scope, so another authority's id is simply not found.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import authority_permission
from accounts.roles import has_permission
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError

from .. import library
from ..models import Unit

PAGE_SIZE = 50
# The import page lists at most this many problems; the rest are counted.
ERRORS_SHOWN = 100


# Forms -------------------------------------------------------------------------------------------------------


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


# Views -------------------------------------------------------------------------------------------------------


@authority_permission("charters.view")
@require_GET
def measure_list(request):
    authority = request.authority
    themes = library.library_themes(authority)
    form = MeasureFilterForm(request.GET or None, themes=themes)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    page = Paginator(library.library_measure_list(authority, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    measures = [{**row, "unit_label": library.unit_label(row["unit"])} for row in page.object_list]
    return render(
        request,
        "charters/library/measure_list.html",
        {
            "form": form,
            "page_obj": page,
            "measures": measures,
            "filtered": bool(filters),
            "can_manage": has_permission(request.roles, "measures.manage"),
        },
        status=form_status(form),
    )


def _detail_context(measure, *, is_local):
    return {
        "measure": measure,
        "is_local": is_local,
        "unit_label": library.unit_label(measure.unit),
        "history": library.history_for_display(measure),
        "deflators": [
            ("Deadweight", measure.deadweight_pct),
            ("Attribution", measure.attribution_pct),
            ("Displacement", measure.displacement_pct),
            ("Drop-off", measure.dropoff_pct),
        ],
    }


def _read_only(request):
    """Detail pages answer GET only; checked after the lookup, so another authority's id is 404 whatever the method."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


@authority_permission("charters.view")
def measure_detail(request, measure_id):
    measure = library.measure_get(measure_id)
    if measure is None:
        raise Http404("No such measure")
    if refused := _read_only(request):
        return refused
    return render(request, "charters/library/measure_detail.html", _detail_context(measure, is_local=False))


def _local_measure_or_404(request, local_measure_id):
    measure = library.local_measure_get(request.authority, local_measure_id)
    if measure is None:
        raise Http404("No such measure")
    return measure


@authority_permission("charters.view")
def local_measure_detail(request, local_measure_id):
    measure = _local_measure_or_404(request, local_measure_id)
    if refused := _read_only(request):
        return refused
    context = _detail_context(measure, is_local=True)
    context["can_manage"] = has_permission(request.roles, "measures.manage")
    return render(request, "charters/library/measure_detail.html", context)


@authority_permission("measures.manage")
@require_http_methods(["GET", "POST"])
def local_measure_add(request):
    form = LocalMeasureForm(request.POST) if request.method == "POST" else LocalMeasureForm()
    if request.method == "POST" and form.is_valid():
        try:
            measure = library.local_measure_create(
                authority=request.authority, acting_user=request.user, values=form.values
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Local measure {measure.code} added.")
            return see_other(
                "charters:local-measure-detail", authority_slug=request.authority.slug, local_measure_id=measure.pk
            )
    return render(
        request,
        "charters/library/local_measure_form.html",
        {"form": form, "measure": None},
        status=form_status(form),
    )


@authority_permission("measures.manage")
def local_measure_edit(request, local_measure_id):
    measure = _local_measure_or_404(request, local_measure_id)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    initial = LocalMeasureForm.initial_for(measure)
    form = (
        LocalMeasureForm(request.POST, initial=initial)
        if request.method == "POST"
        else LocalMeasureForm(initial=initial)
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = library.local_measure_update(
                authority=request.authority, acting_user=request.user, local_measure=measure, values=form.values
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Local measure {form.values['code']} saved." if changed else "Nothing changed.")
            return see_other(
                "charters:local-measure-detail", authority_slug=request.authority.slug, local_measure_id=measure.pk
            )
    return render(
        request,
        "charters/library/local_measure_form.html",
        {"form": form, "measure": measure},
        status=form_status(form),
    )


@authority_permission("measures.manage")
@require_http_methods(["GET", "POST"])
def measure_import(request):
    form = MeasureImportForm(request.POST, request.FILES) if request.method == "POST" else MeasureImportForm()
    hidden_errors = 0
    if request.method == "POST" and form.is_valid():
        result = library.measure_import(
            authority=request.authority, acting_user=request.user, file=form.cleaned_data["file"]
        )
        if result.ok:
            messages.success(
                request,
                f"Local measures imported: {len(result.created)} added, {len(result.updated)} changed, "
                f"{len(result.unchanged)} unchanged.",
            )
            return see_other("charters:measure-list", authority_slug=request.authority.slug)
        for error in result.errors[:ERRORS_SHOWN]:
            form.add_error("file", str(error))
        hidden_errors = max(0, len(result.errors) - ERRORS_SHOWN)
    return render(
        request,
        "charters/library/measure_import.html",
        {"form": form, "hidden_errors": hidden_errors, "columns": library.CSV_COLUMNS, "units": list(Unit)},
        status=form_status(form),
    )


@authority_permission("measures.manage")
@require_GET
def measure_export(request):
    authority = request.authority
    # A byte order mark, so spreadsheets open £ signs correctly; import reads files with or without one.
    response = HttpResponse(
        "\ufeff" + library.measures_export_csv(authority=authority), content_type="text/csv; charset=utf-8"
    )
    filename = f"{authority.slug}-local-measures-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


staff_urlpatterns = [
    path("measures/", measure_list, name="measure-list"),
    path("measures/<int:measure_id>/", measure_detail, name="measure-detail"),
    path("measures/local/add/", local_measure_add, name="local-measure-add"),
    path("measures/local/<int:local_measure_id>/", local_measure_detail, name="local-measure-detail"),
    path("measures/local/<int:local_measure_id>/edit/", local_measure_edit, name="local-measure-edit"),
    path("measures/import/", measure_import, name="measure-import"),
    path("measures/export/", measure_export, name="measure-export"),
]
public_urlpatterns = []
