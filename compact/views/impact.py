"""The cumulative impact dashboard and its CSV and XLSX exports (staff, contracts.view)."""

import csv
import io
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import authority_permission
from accounts.exports import safe_cell
from accounts.views import form_status

from .. import impact

FILTER_FIELDS = ("group_by", "theme", "supplier", "status", "date_from", "date_to")


class ImpactFilterForm(forms.Form):
    group_by = forms.ChoiceField(label="Group by", choices=list(impact.DIMENSIONS.items()), required=False)
    theme = forms.ChoiceField(label="Theme", required=False)
    supplier = forms.TypedChoiceField(label="Supplier", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Contract status", required=False, choices=[("", "Any status"), *impact.STATUS_CHOICES]
    )
    date_from = forms.DateField(
        label="From (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the from date as a real date"},
    )
    date_to = forms.DateField(
        label="To (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the to date as a real date"},
    )

    def __init__(self, *args, themes=(), suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Any theme")] + [(theme, theme) for theme in themes]
        self.fields["supplier"].choices = [("", "Any supplier")] + [(pk, name) for pk, name in suppliers]
        self.fields["date_from"].help_text = "Delivery counts by its report's period end; a commitment by its due date"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data


def _read(request):
    """The filter form and, when it is valid (or empty), the figures it asks for; unfiltered otherwise."""
    authority = request.authority
    themes, suppliers = impact.filter_choices(authority)
    query = {key: request.GET[key] for key in FILTER_FIELDS if request.GET.get(key)}
    form = ImpactFilterForm(query or None, themes=themes, suppliers=suppliers)
    dimension, filters = impact.DEFAULT_DIMENSION, impact.ImpactFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        dimension = data["group_by"] or impact.DEFAULT_DIMENSION
        filters = impact.ImpactFilters(
            theme=data["theme"],
            supplier=data["supplier"],
            status=data["status"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
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
