"""Loads the open starter library (charters/data/starter_measures.csv) into the platform's measure library.

Reads the CSV when the migration runs, from the app's own data folder. Idempotent: measures are matched on their
code, created or updated, and a measure whose values already match is left alone. Reversing leaves the measures in
place (charters may use them). Deliberately self-contained (no import of charters.library), so later changes to
the app's code cannot change what this migration does; a test checks the file passes the full import validation.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations
from django.utils import timezone

STARTER_FILE = Path(__file__).resolve().parent.parent / "data" / "starter_measures.csv"
DECIMAL_COLUMNS = ("proxy_value_gbp", "deadweight_pct", "attribution_pct", "displacement_pct", "dropoff_pct")
TEXT_COLUMNS = ("title", "unit", "theme", "outcome", "proxy_source")


def _values(row):
    values = {name: row[name].strip() for name in TEXT_COLUMNS}
    values["evidence_guidance"] = row["evidence"].strip()
    for name in DECIMAL_COLUMNS:
        text = row[name].strip()
        values[name] = Decimal(text).quantize(Decimal("0.01")) if text else None
    values["proxy_year"] = int(row["proxy_year"]) if row["proxy_year"].strip() else None
    return values


def _shown(value):
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def load_starter_measures(apps, schema_editor):
    Measure = apps.get_model("charters", "Measure")
    now = timezone.now()
    with STARTER_FILE.open(newline="", encoding="utf-8-sig") as lines:
        for row in csv.DictReader(lines):
            code = row["code"].strip()
            values = _values(row)
            measure = Measure.objects.filter(code=code).first()
            if measure is None:
                changes = {"code": {"before": None, "after": code}}
                changes |= {
                    name: {"before": None, "after": _shown(value)}
                    for name, value in values.items()
                    if value not in (None, "")
                }
                entry = {"at": now.isoformat(), "by": "starter library", "via": "migration", "changes": changes}
                Measure.objects.create(code=code, history=[entry], created_at=now, updated_at=now, **values)
                continue
            changes = {
                name: {"before": _shown(getattr(measure, name)), "after": _shown(value)}
                for name, value in values.items()
                if getattr(measure, name) != value
            }
            if changes:
                for name, value in values.items():
                    setattr(measure, name, value)
                entry = {"at": now.isoformat(), "by": "starter library", "via": "migration", "changes": changes}
                measure.history = [*(measure.history or []), entry]
                measure.updated_at = now
                measure.save()


class Migration(migrations.Migration):
    dependencies = [("charters", "0002_frozen_version_guard")]

    operations = [migrations.RunPython(load_starter_measures, migrations.RunPython.noop)]
