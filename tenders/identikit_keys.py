"""The stored index behind the identikit check: each current submission's shingle keys (IdentikitKey rows).

The check (tenders/identikit.py) compares a new submission's narratives with the supplier's other current
submissions, to any tender of any authority, and with the other offers to the same tender, by exact 5-word
shingles: a narrative's similarity to another text is the share of its shingles found there, and its repeated
passages are runs of its shingles found in any of them. A text sharing no shingle with the new submission changes
neither, so only the submissions that share at least one need comparing — and those are found by an indexed look-up
of the new submission's keys, whatever the size of the history.

The keys are the shingles `identikit.shingle_set` hashes (BLAKE2b, 64 bits, stored signed), not the MinHash LSH
band keys: bands find only likely near-duplicates by Jaccard, and would miss an excerpt of a longer offer or a
passage stitched into a new text, which the check reports today. A hash collision only adds a candidate, which the
exact comparison then clears.
"""

from collections.abc import Iterable

from . import identikit

_TOP = 1 << 63


def narratives(content: dict) -> list[str]:
    """The texts of a submission's content the check compares: commitment narratives, then answers, those with
    text only (the order of the findings in `flags["narratives"]`)."""
    return [c["narrative"] for c in content["commitments"] if c["narrative"]] + [
        a["text"] for a in content["answers"] if a["text"]
    ]


def keys_of(texts: Iterable[str]) -> set[int]:
    """The shingle keys of the texts, as signed 64-bit integers (a BigIntegerField)."""
    keys = set()
    for text in texts:
        keys.update(identikit.shingle_set(text))
    return {key - (1 << 64) if key >= _TOP else key for key in keys}


def key_rows(key_model, *, submission_id, authority_id, organisation_id, tender_id, content) -> list:
    return [
        key_model(
            submission_id=submission_id,
            authority_id=authority_id,
            organisation_id=organisation_id,
            tender_id=tender_id,
            key=key,
        )
        for key in keys_of(narratives(content))
    ]


def keys_rebuild(submission_model, key_model, *, batch_size: int = 5000) -> int:
    """Remakes every current (not withdrawn) submission's keys; returns how many rows. Takes the models, so the
    data migration can run it with its historical ones. Idempotent."""
    key_model.objects.all().delete()
    current = (
        submission_model.objects.filter(withdrawn_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "authority_id", "offer__organisation_id", "offer__tender_id", "content")
    )
    made, rows = 0, []
    for pk, authority_id, organisation_id, tender_id, content in current.iterator(chunk_size=500):
        rows += key_rows(
            key_model,
            submission_id=pk,
            authority_id=authority_id,
            organisation_id=organisation_id,
            tender_id=tender_id,
            content=content,
        )
        if len(rows) >= batch_size:
            key_model.objects.bulk_create(rows, batch_size=batch_size)
            made, rows = made + len(rows), []
    key_model.objects.bulk_create(rows, batch_size=batch_size)
    return made + len(rows)
