"""The cumulative impact dashboard and its CSV and XLSX exports (staff, contracts.view)."""

import csv
import io
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import authority_permission
from accounts.exports import safe_cell
from accounts.views import form_status

from .. import impact
from ..filters import FILTER_FIELDS, ImpactFilterForm


def _read(request):
    """The filter form and, when it is valid (or empty), the figures it asks for; unfiltered otherwise."""
    authority = request.authority
    themes, suppliers = impact.filter_choices(authority)
    query = {key: request.GET[key] for key in FILTER_FIELDS if request.GET.get(key)}
    form = ImpactFilterForm(query or None, themes=themes, suppliers=suppliers)
    dimension, filters = impact.DEFAULT_DIMENSION, impact.ImpactFilters()
    if form.is_bound and form.is_valid():
        dimension, filters = form.filters()
    summary = impact.impact_summary(authority, dimension=dimension, filters=filters)
    return form, query, summary, filters


@authority_permission("contracts.view")
@require_GET
def impact_dashboard(request):
    form, query, summary, filters = _read(request)
    has_contracts = bool(summary.groups) or impact.has_contracts(request.authority)
    # The export links carry the filters the figures were made with (none when the form was refused).
    export_query = urlencode(query) if not form.is_bound or form.is_valid() else ""
    return render(
        request,
        "compact/impact/dashboard.html",
        {
            "form": form,
            "impact": summary,
            "filtered": filters.any,
            "has_contracts": has_contracts,
            "chart": impact.impact_chart_svg(summary) if summary.groups else "",
            "export_query": export_query,
        },
        status=form_status(form),
    )


def _filename(request, extension: str) -> str:
    return f"impact-{request.authority.slug}-{timezone.localtime():%Y%m%d-%H%M%S}.{extension}"


@authority_permission("contracts.view")
@require_GET
def impact_export(request):
    export_format = request.GET.get("format") or "csv"
    if export_format not in {"csv", "xlsx"}:
        raise Http404("Unknown export format")
    form, _, summary, _ = _read(request)
    if form.is_bound and not form.is_valid():
        # The page shows the filters' errors; an export of other figures than the page's would mislead.
        return HttpResponse(
            "Invalid filters: correct them on the dashboard first.", status=400, content_type="text/plain"
        )
    header = [summary.dimension_label.lower(), *impact.EXPORT_COLUMNS[1:]]
    if export_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in impact.export_rows(summary):
            writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Impact")
        sheet.append(header)
        for row in impact.export_rows(summary):
            sheet.append([safe_cell(cell) for cell in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, export_format)}"'
    return response


staff_urlpatterns = [
    path("impact/", impact_dashboard, name="impact"),
    path("impact/export/", impact_export, name="impact-export"),
]
public_urlpatterns = []
platform_urlpatterns = []
