"""Identikit benchmark: one submission's identikit check (tenders/offers.py `offer_flags`, with the storing of its
keys) when the supplier already has 20,000 earlier submissions. Run with `make bench` (or directly); the figure
goes in docs/performance.md.

It builds a throwaway database — a temporary SQLite file, or a `test_…` database on the PostgreSQL server of
DATABASE_URL — migrates it and bulk-creates the history: 20,000 current submissions of one supplier, each to its
own tender (half of them in a second authority), with a commitment narrative and an answer of 40 words each and
their identikit keys. 200 of them carry a stock sentence the new offer also uses, and 5 are copies of its
narrative, so the look-up has real candidates to compare. The check runs RUNS times (each in a transaction rolled
back afterwards), then once the way it ran before the index (reading and re-tokenising every earlier submission of
the supplier and of the tender), for comparison. It exits non-zero when the check takes LIMIT or more at the median.

    .venv/bin/python benchmarks/identikit_bench.py
    DATABASE_URL=postgres://root@127.0.0.1:5432/cvc_i .venv/bin/python benchmarks/identikit_bench.py
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from scratch_database import setup_database

os.environ.setdefault("DJANGO_DEBUG", "1")

HISTORY, SHARING_STOCK, COPIES, WORDS = 20_000, 200, 5, 40
RUNS = 10
LIMIT = 0.500  # seconds, at the median
BATCH = 5_000
STOCK = "We are committed to delivering lasting social value through meaningful employment for local people."


def _text(rng, vocabulary, words=WORDS):
    return " ".join(rng.choice(vocabulary) for _ in range(words)) + "."


def _content(narrative, answer):
    commitment = {"measure": "M1", "unit": "people", "quantity": "2", "delivery_period": "", "place": ""}
    return {"commitments": [{**commitment, "narrative": narrative}], "answers": [{"question": 1, "text": answer}]}


def build(rng):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from accounts.models import Authority, Organisation
    from tenders import identikit_keys
    from tenders.models import IdentikitKey, Offer, OfferStatus, OfferSubmission, Tender, TenderStatus

    # Words enough that two random 5-word runs almost never match, as in real offers written for each tender.
    vocabulary = [f"{a}{b}" for a in ("local", "green", "street", "park", "youth", "skills", "care", "road")
                  for b in range(250)]  # fmt: skip
    mine = _text(rng, vocabulary, 120)
    now = timezone.now()
    with scopes_disabled():
        authorities = [
            Authority.objects.create(name="Benchmark Borough Council", slug="bench-a", kind="district"),
            Authority.objects.create(name="Benchmark District Council", slug="bench-b", kind="district"),
        ]
        supplier = Organisation.objects.create(kind="supplier", name="Busy Bidder Ltd", postcode="AB1 2CD")
        others = [Organisation.objects.create(kind="supplier", name=f"Rival {n} Ltd") for n in range(3)]

        def tender(number, authority):
            return Tender(
                authority=authority,
                reference=f"H-{number:05d}",
                title=f"Earlier tender {number}",
                category="services",
                estimated_value=Decimal("500000"),
                status=TenderStatus.CLOSED,
                submission_deadline=now - timedelta(days=1),
            )

        tenders = Tender.objects.bulk_create((tender(n, authorities[n % 2]) for n in range(HISTORY)), batch_size=BATCH)
        offers = Offer.objects.bulk_create(
            (
                Offer(authority=t.authority, tender=t, organisation=supplier, status=OfferStatus.SUBMITTED)
                for t in tenders
            ),
            batch_size=BATCH,
        )
        contents = []
        for n in range(HISTORY):
            narrative = mine if n < COPIES else _text(rng, vocabulary)
            if COPIES <= n < COPIES + SHARING_STOCK:
                narrative = f"{STOCK} {narrative}"
            contents.append(_content(narrative, _text(rng, vocabulary)))
        submissions = OfferSubmission.objects.bulk_create(
            (
                OfferSubmission(authority=o.authority, offer=o, number=1, content=c, received_at=now, receipt="0" * 64)
                for o, c in zip(offers, contents, strict=True)
            ),
            batch_size=BATCH,
        )
        keys = (
            row
            for s, o in zip(submissions, offers, strict=True)
            for row in identikit_keys.key_rows(
                IdentikitKey,
                submission_id=s.pk,
                authority_id=o.authority_id,
                organisation_id=supplier.pk,
                tender_id=o.tender_id,
                content=s.content,
            )
        )
        IdentikitKey.objects.bulk_create(keys, batch_size=BATCH)

        # The tender the new offer goes to, with three rivals' offers already in.
        target = Tender.objects.create(
            authority=authorities[0],
            reference="NEW-1",
            title="Street cleaning",
            category="services",
            estimated_value=Decimal("500000"),
            status=TenderStatus.PUBLISHED,
            submission_deadline=now + timedelta(days=1),
        )
        for rival in others:
            offer = Offer.objects.create(
                authority=target.authority, tender=target, organisation=rival, status=OfferStatus.SUBMITTED
            )
            content = _content(_text(rng, vocabulary), _text(rng, vocabulary))
            submission = OfferSubmission.objects.create(
                authority=target.authority, offer=offer, number=1, content=content, received_at=now, receipt="0" * 64
            )
            IdentikitKey.objects.bulk_create(
                identikit_keys.key_rows(
                    IdentikitKey,
                    submission_id=submission.pk,
                    authority_id=target.authority_id,
                    organisation_id=rival.pk,
                    tender_id=target.pk,
                    content=content,
                )
            )
        offer = Offer.objects.create(authority=target.authority, tender=target, organisation=supplier)
        content = _content(f"{STOCK} {mine}", _text(rng, vocabulary, 200))
        return offer, content, IdentikitKey.objects.count()


class Rollback(Exception):
    pass


def time_check(offer, content) -> tuple[list[float], dict]:
    """The identikit part of a submission: store the new submission's keys, look up and compare."""
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scope

    from tenders import offers as offer_services
    from tenders.models import OfferSubmission

    timings, flags = [], None
    with scope(authority=offer.authority):
        for _ in range(RUNS):
            try:
                with transaction.atomic():
                    submission = OfferSubmission.objects.create(
                        authority=offer.authority,
                        offer=offer,
                        number=1,
                        content=content,
                        received_at=timezone.now(),
                        receipt="0" * 64,
                    )
                    started = time.perf_counter()
                    offer_services._keys_store(offer, submission, content)
                    flags = offer_services.offer_flags(offer, content, submission=submission)
                    timings.append(time.perf_counter() - started)
                    raise Rollback
            except Rollback:
                pass
    return timings, flags


def time_full_scan(offer, content) -> tuple[float, dict]:
    """The check as it ran before the index: every current submission of the supplier and of the tender read."""
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from tenders import identikit_keys
    from tenders import offers as offer_services
    from tenders.models import OfferSubmission

    def full_scan(offer, submission):
        with scopes_disabled():
            latest = OfferSubmission.objects.filter(withdrawn_at__isnull=True).exclude(offer=offer)
            same_supplier = [
                t
                for s in latest.filter(offer__organisation=offer.organisation)
                for t in identikit_keys.narratives(s.content)
            ]
            same_tender = [
                t for s in latest.filter(offer__tender=offer.tender) for t in identikit_keys.narratives(s.content)
            ]
        return same_supplier, same_tender

    indexed = offer_services._comparison_texts
    offer_services._comparison_texts = full_scan
    try:
        with scope(authority=offer.authority), transaction.atomic():
            submission = OfferSubmission.objects.create(
                authority=offer.authority, offer=offer, number=1, content=content, received_at=timezone.now(),
                receipt="0" * 64,
            )  # fmt: skip
            started = time.perf_counter()
            flags = offer_services.offer_flags(offer, content, submission=submission)
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
    finally:
        offer_services._comparison_texts = indexed
    return elapsed, flags


def main():
    connection, old_name = setup_database("identikit-bench")
    try:
        started = time.perf_counter()
        offer, content, key_count = build(random.Random(2026))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {HISTORY:,} earlier submissions of the supplier, {key_count:,} identikit keys "
            f"(built in {time.perf_counter() - started:.0f} s); {RUNS} runs"
        )
        timings, flags = time_check(offer, content)
        print(f"  with the index: median {statistics.median(timings) * 1000:.0f} ms, best {min(timings) * 1000:.0f} ms")
        elapsed, expected = time_full_scan(offer, content)
        print(f"  reading the whole history (before): {elapsed * 1000:.0f} ms")
        same = flags == expected
        print(
            f"  the same findings: {'yes' if same else 'NO'}; "
            f"identikit narratives: {[n['identikit'] for n in flags['narratives']]}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    median = statistics.median(timings)
    print(f"median {median * 1000:.0f} ms for one submission's check (limit {LIMIT * 1000:.0f} ms)")
    return 0 if median < LIMIT and same else 1


if __name__ == "__main__":
    sys.exit(main())
