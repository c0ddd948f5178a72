"""Form fields shared by the tenders pages: money as people type it."""

from django import forms


class MoneyField(forms.DecimalField):
    """Pounds as people type them: "£250,000", "250000" or "250,000.50"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace("£", "").strip()
        return super().to_python(value)
