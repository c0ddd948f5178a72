"""The platform operator's admin for charters. The scope middleware runs /admin/ unscoped: operators only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.models import Authority

from . import library
from .models import LocalMeasure, Measure

# The measure library ------------------------------------------------------------------------------------------


class MeasureAdminForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "code",
            "title",
            "description",
            "unit",
            "theme",
            "outcome",
            "proxy_value_gbp",
            "proxy_source",
            "proxy_year",
            "deadweight_pct",
            "attribution_pct",
            "displacement_pct",
            "dropoff_pct",
            "evidence_guidance",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        if data.get("proxy_value_gbp") is not None and not data.get("proxy_source"):
            self.add_error("proxy_source", "Enter the source of the proxy value, so others can check it")
        return data


class MeasureImportAdminForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with the columns " + ",".join(library.CSV_COLUMNS) + ". Up to 5 MB.",
    )
    authority = forms.ModelChoiceField(
        queryset=Authority.objects.all(),
        required=False,
        empty_label="The platform library",
        help_text="Import into the platform library, or as one authority's local measures "
        "(for example its licensed copy of a measure set).",
    )
    dry_run = forms.BooleanField(label="Check the file only; save nothing", required=False)


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    """Platform measures. Every save appends to the measure's edit history and writes an audit event."""

    form = MeasureAdminForm
    change_list_template = "charters/library/admin/measure_change_list.html"
    list_display = ["code", "title", "unit", "theme", "proxy_value_gbp", "is_active", "updated_at"]
    list_filter = ["unit", "is_active", "theme"]
    search_fields = ["code", "title", "theme", "outcome", "evidence_guidance"]
    ordering = ["code"]
    readonly_fields = ["edit_history", "created_at", "updated_at"]
    actions = ["export_selected"]
    fieldsets = [
        (None, {"fields": ["code", "title", "description", "unit", "theme", "outcome", "is_active"]}),
        ("Proxy value", {"fields": ["proxy_value_gbp", "proxy_source", "proxy_year"]}),
        (
            "Deflators (%)",
            {"fields": ["deadweight_pct", "attribution_pct", "displacement_pct", "dropoff_pct"]},
        ),
        ("Evidence", {"fields": ["evidence_guidance"]}),
        ("Edit history", {"fields": ["edit_history", "created_at", "updated_at"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # Charters and their history point at library measures: withdraw one (untick "is active") instead.
        return False

    def save_model(self, request, obj, form, change):
        library.platform_measure_save(measure=obj, acting_user=request.user, via="admin")

    @admin.display(description="Edit history")
    def edit_history(self, obj):
        entries = library.history_for_display(obj) if obj and obj.pk else []
        if not entries:
            return "No changes recorded."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}<br><small>{}</small></td><td>{}</td></tr>",
            (
                (
                    entry["at"].strftime("%d %b %Y %H:%M") if hasattr(entry["at"], "strftime") else entry["at"] or "",
                    entry["by"],
                    entry["via"],
                    format_html_join("", "<div><strong>{}</strong>: {} → {}</div>", _change_rows(entry["changes"])),
                )
                for entry in entries
            ),
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Who</th><th>What changed</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.action(description="Export the selected measures as CSV")
    def export_selected(self, request, queryset):
        return _csv_response(library.measures_to_csv(queryset.order_by("code")), _export_filename("selected"))

    def get_urls(self):
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="charters_measure_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="charters_measure_export"),
        ]
        return own + super().get_urls()

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _csv_response(library.measures_export_csv(), _export_filename("library"))

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = MeasureImportAdminForm(request.POST, request.FILES) if request.method == "POST" else None
        form = form or MeasureImportAdminForm()
        result = None
        if form.is_bound and form.is_valid():
            authority = form.cleaned_data["authority"]
            result = library.measure_import(
                authority=authority,
                acting_user=request.user,
                file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
            where = f"local measures of {authority}" if authority else "the platform library"
            if result.ok and not result.dry_run:
                self.message_user(request, f"Imported into {where}: {result.summary()}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:charters_measure_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import measures from CSV",
            "form": form,
            "result": result,
            "columns": library.CSV_COLUMNS,
        }
        status = 422 if (form.is_bound and form.errors) or (result is not None and not result.ok) else 200
        return render(request, "charters/library/admin/measure_import.html", context, status=status)


def _change_rows(changes):
    return ((change["label"], _short(change["before"]), _short(change["after"])) for change in changes)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _export_filename(what: str) -> str:
    return f"measures-{what}-{timezone.localdate():%Y-%m-%d}.csv"


@admin.register(LocalMeasure)
class LocalMeasureAdmin(admin.ModelAdmin):
    """Authorities' local measures, read-only: commissioners manage them in the service."""

    list_display = ["code", "title", "authority", "unit", "proxy_value_gbp", "updated_at"]
    list_filter = [("authority", admin.RelatedOnlyFieldListFilter), "unit"]
    search_fields = ["code", "title", "authority__name"]
    list_select_related = ["authority"]
    ordering = ["authority__name", "code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
