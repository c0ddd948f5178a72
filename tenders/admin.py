"""The platform operator's admin for tender reference data: procurement thresholds (editable: values are data, see
RULES.md) and the CPV vocabulary (read-only: it is loaded from tenders/data/ by a migration)."""

from django import forms
from django.contrib import admin
from django.db import models

from .models import CpvCode, Threshold


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = [
        "regime",
        "buyer_type",
        "category",
        "value",
        "vat_basis",
        "effective_from",
        "effective_to",
        "confirmed",
    ]
    list_filter = ["regime", "buyer_type", "category", "vat_basis", "confirmed"]
    search_fields = ["source"]
    # A plain date input: the admin's own date widget includes a Django form template that the project's GOV.UK
    # form renderer cannot find from inside another template.
    formfield_overrides = {models.DateField: {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}}
    date_hierarchy = "effective_from"
    fieldsets = [
        (None, {"fields": ["regime", "buyer_type", "category"]}),
        ("Threshold", {"fields": ["value", "vat_basis"]}),
        (
            "In force",
            {
                "fields": ["effective_from", "effective_to"],
                "description": "Tenders are assessed against the threshold in force on their procurement start "
                "date. Add a new row when a threshold changes, rather than changing an old row's value.",
            },
        ),
        ("Source", {"fields": ["source", "confirmed"]}),
    ]


@admin.register(CpvCode)
class CpvCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "division"]
    list_filter = ["division"]
    search_fields = ["code", "description"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
