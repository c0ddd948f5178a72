"""The measure library for authority staff: the platform's measures and the authority's own local ones.

Reading needs `charters.view`; adding, editing, importing and exporting local measures needs `measures.manage`.
Platform measures (`measure_id`) are the same for every authority; local measures (`local_measure_id`) are tenant
data, found only inside the authority's scope, so another authority's id is simply not found.
"""

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
from ..forms.library import LocalMeasureForm, MeasureFilterForm, MeasureImportForm
from ..models import Unit

PAGE_SIZE = 50
# The import page lists at most this many problems; the rest are counted.
ERRORS_SHOWN = 100


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
