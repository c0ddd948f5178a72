"""Loads the CPV 2008 main vocabulary (tenders/data/cpv_2008_codes_en.csv, 9,454 codes; see tenders/data/README.md)
into `CpvCode`.

Reads the CSV when the migration runs, from the app's own data folder. Idempotent: codes already present are
updated only where the description or division differs; missing ones are created in batches. Reversing deletes the
codes the file lists. Self-contained (no import of tenders.cpv), so later changes to the app cannot change what
this migration does.
"""

import csv
from pathlib import Path

from django.db import migrations

CPV_FILE = Path(__file__).resolve().parent.parent / "data" / "cpv_2008_codes_en.csv"
BATCH_SIZE = 1000


def _file_rows():
    with CPV_FILE.open(newline="", encoding="utf-8-sig") as lines:
        for row in csv.DictReader(lines):
            code = row["code"].strip()
            yield code, row["description_en"].strip(), (row["division"].strip() or code[:2])


def load_cpv_codes(apps, schema_editor):
    CpvCode = apps.get_model("tenders", "CpvCode")
    existing = {cpv.code: cpv for cpv in CpvCode.objects.all()}
    new, changed = [], []
    for code, description, division in _file_rows():
        cpv = existing.get(code)
        if cpv is None:
            new.append(CpvCode(code=code, description=description, division=division))
        elif (cpv.description, cpv.division) != (description, division):
            cpv.description, cpv.division = description, division
            changed.append(cpv)
    CpvCode.objects.bulk_create(new, batch_size=BATCH_SIZE)
    CpvCode.objects.bulk_update(changed, ["description", "division"], batch_size=BATCH_SIZE)


def unload_cpv_codes(apps, schema_editor):
    CpvCode = apps.get_model("tenders", "CpvCode")
    codes = [code for code, _, _ in _file_rows()]
    for start in range(0, len(codes), BATCH_SIZE):
        CpvCode.objects.filter(code__in=codes[start : start + BATCH_SIZE]).delete()


class Migration(migrations.Migration):
    dependencies = [("tenders", "0002_seed_thresholds")]

    operations = [migrations.RunPython(load_cpv_codes, unload_cpv_codes)]
