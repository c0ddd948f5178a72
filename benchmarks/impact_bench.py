"""Cumulative impact benchmark: the dashboard's selector (compact/impact.py `impact_summary`) over 3,000 contracts
and 405,000 delivery lines. Run with `make bench` (or directly); the figure goes in docs/performance.md.

It builds a throwaway database — a temporary SQLite file, or a `test_…` database on the PostgreSQL server of
DATABASE_URL — migrates it, bulk-creates the data, times the selector RUNS times per grouping, prints the medians
and drops the database. It exits non-zero when the default view (grouped by theme, no filters) takes 300 ms or
more at the median.

    .venv/bin/python benchmarks/impact_bench.py
    DATABASE_URL=postgres://root@127.0.0.1:5432/cvc_i .venv/bin/python benchmarks/impact_bench.py
"""

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from scratch_database import setup_database

os.environ.setdefault("DJANGO_DEBUG", "1")

CONTRACTS, COMMITMENTS_PER_CONTRACT, REPORTS_PER_CONTRACT = 3_000, 5, 27  # 405,000 delivery lines
SUPPLIERS, THEMES, OUTCOMES_PER_THEME, MEASURES_PER_OUTCOME = 120, 5, 2, 2
PLACES = ["Northtown", "Southside", "Eastgate", "Westfield", "Old Harbour", ""]
RUNS = 15
LIMIT = 0.300  # seconds, at the median
BATCH = 5_000


def build(rng):
    from django.contrib.auth import get_user_model
    from django_scopes import scopes_disabled

    from accounts.models import Authority, Organisation
    from charters.models import Charter, CharterMeasure, CharterVersion, Outcome, Theme, VersionStatus
    from compact.models import (
        Contract,
        ContractCommitment,
        ContractStatus,
        DeliveryLine,
        DeliveryReport,
        ReportingLevel,
        ReportStatus,
        Verification,
    )

    with scopes_disabled():
        authority = Authority.objects.create(name="Benchmark Borough Council", slug="bench", kind="district")
        officer = get_user_model().objects.create_user(email="officer@bench.example", password="x", full_name="Officer")
        charter = Charter.objects.create(authority=authority, title="Benchmark charter")
        version = CharterVersion.objects.create(
            authority=authority, charter=charter, number=1, status=VersionStatus.DRAFT, title="Benchmark charter"
        )
        measures = []
        for t in range(THEMES):
            theme = Theme.objects.create(authority=authority, version=version, title=f"Theme {t + 1}", position=t)
            for o in range(OUTCOMES_PER_THEME):
                outcome = Outcome.objects.create(
                    authority=authority, version=version, theme=theme, title=f"Outcome {t + 1}.{o + 1}", position=o
                )
                for m in range(MEASURES_PER_OUTCOME):
                    measures.append(
                        CharterMeasure.objects.create(
                            authority=authority,
                            version=version,
                            outcome=outcome,
                            code=f"M{t + 1}-{o + 1}-{m + 1}",
                            title=f"Measure {t + 1}.{o + 1}.{m + 1}",
                            unit="people" if m else "hours",
                            proxy_value_gbp=Decimal(rng.randint(10, 30_000)),
                            deadweight_pct=Decimal(rng.choice([0, 10, 20])),
                            attribution_pct=Decimal(rng.choice([0, 5])),
                            position=m,
                        )
                    )
        # Built as a draft, then adopted: PostgreSQL refuses changes to an adopted version's content.
        CharterVersion.objects.filter(pk=version.pk).update(status=VersionStatus.ADOPTED)
        suppliers = Organisation.objects.bulk_create(
            Organisation(kind="supplier", name=f"Supplier {n:03d} Ltd", postcode="AB1 2CD") for n in range(SUPPLIERS)
        )
        statuses = [ContractStatus.ACTIVE] * 6 + [ContractStatus.COMPLETED] * 3 + [ContractStatus.ENDED_EARLY]
        contracts = Contract.objects.bulk_create(
            (
                Contract(
                    authority=authority,
                    charter_version=version,
                    reference=f"C-{n:05d}",
                    title=f"Contract {n}",
                    supplier=suppliers[n % SUPPLIERS],
                    value=Decimal(rng.randint(50_000, 9_000_000)),
                    starts_on=date(2020, 1, 1) + timedelta(days=rng.randint(0, 700)),
                    ends_on=date(2028, 12, 31),
                    responsible_officer=officer,
                    reporting_level=ReportingLevel.STANDARD,
                    status=rng.choice(statuses),
                )
                for n in range(CONTRACTS)
            ),
            batch_size=BATCH,
        )
        commitments = ContractCommitment.objects.bulk_create(
            (
                ContractCommitment(
                    authority=authority,
                    contract=contract,
                    charter_measure=measure,
                    target=Decimal(rng.randint(10, 500)),
                    place=rng.choice(PLACES),
                    due_on=contract.ends_on,
                )
                for contract in contracts
                for measure in rng.sample(measures, COMMITMENTS_PER_CONTRACT)
            ),
            batch_size=BATCH,
        )
        reports = DeliveryReport.objects.bulk_create(
            (
                DeliveryReport(
                    authority=authority,
                    contract=contract,
                    number=number + 1,
                    label=f"Report {number + 1}",
                    period_start=contract.starts_on + timedelta(days=91 * number),
                    period_end=contract.starts_on + timedelta(days=91 * number + 90),
                    due_on=contract.starts_on + timedelta(days=91 * number + 120),
                    status=ReportStatus.VERIFIED,
                )
                for contract in contracts
                for number in range(REPORTS_PER_CONTRACT)
            ),
            batch_size=BATCH,
        )
        by_contract = {}
        for commitment in commitments:
            by_contract.setdefault(commitment.contract_id, []).append(commitment)
        verdicts = [Verification.ACCEPTED] * 7 + [Verification.PENDING, Verification.QUERIED, Verification.REJECTED]
        lines = (
            DeliveryLine(
                authority=authority,
                report=report,
                commitment=commitment,
                quantity=Decimal(rng.randint(0, 40)),
                place=rng.choice(PLACES),
                verification=rng.choice(verdicts),
            )
            for report in reports
            for commitment in by_contract[report.contract_id]
        )
        DeliveryLine.objects.bulk_create(lines, batch_size=BATCH)
        return authority, DeliveryLine.objects.count()


def time_selector(authority, **kwargs) -> list[float]:
    from accounts.scoping import authority_scope
    from compact.impact import impact_summary

    timings = []
    with authority_scope(authority):
        for _ in range(RUNS):
            started = time.perf_counter()
            impact_summary(authority, **kwargs)
            timings.append(time.perf_counter() - started)
    return timings


def main():
    connection, old_name = setup_database("impact-bench")
    try:
        from django.db import reset_queries

        started = time.perf_counter()
        authority, line_count = build(random.Random(2026))
        reset_queries()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {CONTRACTS:,} contracts, {line_count:,} delivery lines "
            f"(built in {time.perf_counter() - started:.0f} s); {RUNS} runs each"
        )
        from compact.impact import DIMENSIONS, ImpactFilters

        default = time_selector(authority)
        print(f"  theme (the default view): median {statistics.median(default) * 1000:.0f} ms")
        for dimension in DIMENSIONS:
            if dimension != "theme":
                timings = time_selector(authority, dimension=dimension)
                print(f"  {dimension}: median {statistics.median(timings) * 1000:.0f} ms")
        filtered = time_selector(
            authority,
            dimension="supplier",
            filters=ImpactFilters(theme="Theme 2", status="active", date_from=date(2022, 1, 1)),
        )
        print(f"  supplier, filtered by theme, status and date: median {statistics.median(filtered) * 1000:.0f} ms")
        reset_queries()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    median = statistics.median(default)
    print(f"median {median * 1000:.0f} ms for the default view (limit {LIMIT * 1000:.0f} ms)")
    return 0 if median < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
