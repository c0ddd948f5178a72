"""Seeds every procurement threshold in ../shared/design/RULES.md as `Threshold` rows (operators edit them in the
admin afterwards).

Choices made here:
- "Works" and "concessions" apply to every buyer type, and the model has no "any" buyer type: under the
  Procurement Act 2023 they are seeded once per buyer type (central, sub-central, utilities, defence) with the same
  value. Light-touch services "not utilities" are seeded for central, sub-central and defence buyers; the utilities
  figure for utilities. "Utilities and defence goods and services" is one row per buyer type.
- Earlier regime (Public Contracts Regulations, VAT-exclusive): "central" for central government, "other public
  bodies" as sub-central; works for both, 2010–2011 only (the guidance does not quote a 2012 works figure, so
  none is invented).
- Dates: "2010–2011" is 1 January 2010 to 31 December 2011. RULES.md gives no end for the 2012 figures: they are
  seeded to run until the day before the Procurement Act 2023 came into force (23 February 2025) and marked
  unconfirmed (in fact the EU thresholds changed every two years; an operator can add the later rows).
- Idempotent (a row already present for the same regime, buyer type, category and start is left alone, so an
  operator's edits survive); reversing deletes the seeded rows.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

PA = "pa2023"
PCR = "pcr2015"
CENTRAL, SUB_CENTRAL, UTILITIES, DEFENCE = "central", "sub_central", "utilities", "defence"
ALL_BUYERS = (CENTRAL, SUB_CENTRAL, UTILITIES, DEFENCE)

PA_FROM_2025 = (date(2025, 2, 24), date(2025, 12, 31), "Procurement Act 2023, Schedule 1 (in force 24 February 2025)")
PA_FROM_2026 = (
    date(2026, 1, 1),
    None,
    "Procurement Act 2023 (Threshold Amounts) (Amendment) Regulations 2025",
)
PCR_SOURCE = "Public Contracts Regulations (EU thresholds), as quoted in the 2012 Compact guidance"

# (category, buyer types, value 24 Feb 2025 – 31 Dec 2025, value from 1 Jan 2026), VAT-inclusive.
PA_TABLE = [
    ("goods_services", (CENTRAL,), "139688", "135018"),
    ("goods_services", (SUB_CENTRAL,), "214904", "207720"),
    ("works", ALL_BUYERS, "5372609", "5193000"),
    ("light_touch", (CENTRAL, SUB_CENTRAL, DEFENCE), "663540", "663540"),
    ("light_touch", (UTILITIES,), "884720", "884720"),
    ("goods_services", (UTILITIES, DEFENCE), "429809", "415440"),
    ("concessions", ALL_BUYERS, "5372609", "5193000"),
]

# (buyer type, category, value, from, to, confirmed), VAT-exclusive.
PCR_TABLE = [
    (CENTRAL, "goods_services", "101323", date(2010, 1, 1), date(2011, 12, 31), True),
    (SUB_CENTRAL, "goods_services", "156442", date(2010, 1, 1), date(2011, 12, 31), True),
    (CENTRAL, "works", "3927260", date(2010, 1, 1), date(2011, 12, 31), True),
    (SUB_CENTRAL, "works", "3927260", date(2010, 1, 1), date(2011, 12, 31), True),
    (CENTRAL, "goods_services", "113057", date(2012, 1, 1), date(2025, 2, 23), False),
    (SUB_CENTRAL, "goods_services", "173934", date(2012, 1, 1), date(2025, 2, 23), False),
]


def threshold_rows():
    """Every seeded row as a dict of `Threshold` field values."""
    rows = []
    for category, buyer_types, value_2025, value_2026 in PA_TABLE:
        for buyer_type in buyer_types:
            for (start, end, source), value in ((PA_FROM_2025, value_2025), (PA_FROM_2026, value_2026)):
                rows.append(
                    {
                        "regime": PA,
                        "buyer_type": buyer_type,
                        "category": category,
                        "value": Decimal(value),
                        "vat_basis": "inclusive",
                        "effective_from": start,
                        "effective_to": end,
                        "source": source,
                        "confirmed": True,
                    }
                )
    for buyer_type, category, value, start, end, confirmed in PCR_TABLE:
        source = PCR_SOURCE
        if not confirmed:
            source += "; end date inferred from the Procurement Act 2023's commencement"
        rows.append(
            {
                "regime": PCR,
                "buyer_type": buyer_type,
                "category": category,
                "value": Decimal(value),
                "vat_basis": "exclusive",
                "effective_from": start,
                "effective_to": end,
                "source": source,
                "confirmed": confirmed,
            }
        )
    return rows


KEY = ("regime", "buyer_type", "category", "effective_from")


def seed_thresholds(apps, schema_editor):
    Threshold = apps.get_model("tenders", "Threshold")
    for row in threshold_rows():
        Threshold.objects.get_or_create(
            **{name: row[name] for name in KEY}, defaults={name: v for name, v in row.items() if name not in KEY}
        )


def unseed_thresholds(apps, schema_editor):
    Threshold = apps.get_model("tenders", "Threshold")
    for row in threshold_rows():
        Threshold.objects.filter(**{name: row[name] for name in KEY}).delete()


class Migration(migrations.Migration):
    dependencies = [("tenders", "0001_initial")]

    operations = [migrations.RunPython(seed_thresholds, unseed_thresholds)]
