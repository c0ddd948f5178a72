"""The compact app's filters, shared by the pages and the API.

The impact dashboard's filters narrow figures that are summed, not a list, so they are a form (`ImpactFilterForm`)
rather than a FilterSet: the dashboard renders it, and the API validates its query parameters with the same form, so
both accept and refuse exactly the same."""

from django import forms

from accounts.forms import DateRangeFilterForm

from . import impact

FILTER_FIELDS = ("group_by", "theme", "supplier", "status", "date_from", "date_to")


class ImpactFilterForm(DateRangeFilterForm):
    group_by = forms.ChoiceField(label="Group by", choices=list(impact.DIMENSIONS.items()), required=False)
    theme = forms.ChoiceField(label="Theme", required=False)
    supplier = forms.TypedChoiceField(label="Supplier", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Contract status", required=False, choices=[("", "Any status"), *impact.STATUS_CHOICES]
    )
    field_order = FILTER_FIELDS

    def __init__(self, *args, themes=(), suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Any theme")] + [(theme, theme) for theme in themes]
        self.fields["supplier"].choices = [("", "Any supplier")] + [(pk, name) for pk, name in suppliers]
        self.fields["date_from"].help_text = "Delivery counts by its report's period end; a commitment by its due date"

    def filters(self) -> tuple[str, impact.ImpactFilters]:
        """The dimension to group by and the filters, from a valid form."""
        data = self.cleaned_data
        return data["group_by"] or impact.DEFAULT_DIMENSION, impact.ImpactFilters(
            theme=data["theme"],
            supplier=data["supplier"],
            status=data["status"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
