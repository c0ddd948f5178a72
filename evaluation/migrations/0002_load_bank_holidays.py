"""Loads the England and Wales bank holidays shipped in evaluation/data (GOV.UK, Open Government Licence)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "bank_holidays_england_wales.json"


def load_bank_holidays(apps, schema_editor):
    BankHoliday = apps.get_model("evaluation", "BankHoliday")
    for event in json.loads(DATA.read_text())["events"]:
        BankHoliday.objects.update_or_create(date=event["date"], defaults={"name": event["title"]})


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(load_bank_holidays, migrations.RunPython.noop)]
