"""The annual compliance report's form."""

from django import forms

from .. import reports


class AnnualReportForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        help_text="From 1 April to 31 March",
        error_messages={"required": "Choose the financial year", "invalid_choice": "Choose a financial year"},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            (year, reports.financial_year_label(year)) for year in reports.annual_report_years(today)
        ]
