"""CPV 2008 codes: parsing what people type, searching the vocabulary, the division roll-up and works detection.

Codes are stored as 8 digits without the check digit ("45000000"); people often type them with it ("45000000-7"),
which is accepted and ignored (not verified). A division is the first two digits; its own code is "XX000000".
Works are the construction division, 45.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from .models import CpvCode

WORKS_DIVISION = "45"
MAX_SEARCH_RESULTS = 100
CODE_PATTERN = re.compile(r"^(\d{8})(?:-\d)?$")
CODE_PREFIX_PATTERN = re.compile(r"^(\d{1,8})(?:-\d)?$")
SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class CpvDivision:
    division: str  # "45"
    code: str  # "45000000"
    description: str  # "Construction work"


def _code_text(code) -> str:
    """A code as text, from a string or a `CpvCode`."""
    return getattr(code, "code", code)


def normalise_cpv_code(text) -> str | None:
    """The 8-digit code in `text` ("45000000", " 45000000-7 "), or None if it is not shaped like a CPV code."""
    match = CODE_PATTERN.match(str(_code_text(text)).strip())
    return match.group(1) if match else None


def parse_cpv_codes(text: str) -> list[str]:
    """Split a text field's contents into the codes typed (by spaces, commas, semicolons or new lines), in order,
    without repeats. Nothing is checked here: see `validate_cpv_codes`."""
    return list(dict.fromkeys(part for part in SEPARATORS.split(text or "") if part))


def division_of(code) -> str:
    """The division ("45") of a code ("45210000", "45210000-2" or a `CpvCode`)."""
    normal = normalise_cpv_code(code)
    if normal is None:
        raise ValueError(f"{_code_text(code)!r} is not a CPV code (8 digits, optionally with its check digit)")
    return normal[:2]


def is_works(codes: Iterable) -> bool:
    """Whether any of the codes is in the construction work division (45xxxxxx)."""
    return any((normal := normalise_cpv_code(code)) is not None and normal[:2] == WORKS_DIVISION for code in codes)


def validate_cpv_codes(codes: Iterable) -> tuple[list[CpvCode], list[str]]:
    """(found, missing): the `CpvCode`s for the codes given, in the order given and without repeats, and the codes
    as typed that are malformed or not in the vocabulary. One query."""
    typed: list[tuple[str, str | None]] = []  # (as typed, normalised), without repeats
    seen: set[str] = set()
    for code in codes:
        text = str(_code_text(code)).strip()
        normal = normalise_cpv_code(text)
        if text and (normal or text) not in seen:
            seen.add(normal or text)
            typed.append((text, normal))
    wanted = [normal for _, normal in typed if normal]
    known = {cpv.code: cpv for cpv in CpvCode.objects.filter(code__in=wanted)} if wanted else {}
    found = [known[normal] for _, normal in typed if normal in known]
    missing = [text for text, normal in typed if normal not in known]
    return found, missing


def divisions_for(codes: Iterable) -> list[CpvDivision]:
    """The divisions the codes belong to, sorted and without repeats, each with its own description. One query.
    Malformed codes are skipped."""
    divisions = sorted({normal[:2] for code in codes if (normal := normalise_cpv_code(code)) is not None})
    if not divisions:
        return []
    descriptions = dict(
        CpvCode.objects.filter(code__in=[f"{division}000000" for division in divisions]).values_list(
            "code", "description"
        )
    )
    return [
        CpvDivision(division=division, code=f"{division}000000", description=descriptions.get(f"{division}000000", ""))
        for division in divisions
    ]


def _level():
    # Divisions (XX000000) first, then groups, classes, categories and the rest: the broadest match leads.
    return Case(
        When(code__endswith="000000", then=Value(0)),
        When(code__endswith="00000", then=Value(1)),
        When(code__endswith="0000", then=Value(2)),
        When(code__endswith="000", then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


def cpv_search_queryset(query: str):
    """Codes matching `query`, broadest first: by code prefix when it is digits ("452", "45210000-2"), otherwise
    every word must appear in the description (case-insensitive). An empty query matches nothing."""
    query = (query or "").strip()
    if not query:
        return CpvCode.objects.none()
    prefix = CODE_PREFIX_PATTERN.match(query.replace(" ", ""))
    if prefix:
        condition = Q(code__startswith=prefix.group(1))
    else:
        condition = Q()
        for word in query.split():
            condition &= Q(description__icontains=word)
    return CpvCode.objects.filter(condition).annotate(level=_level()).order_by("level", "code")


def cpv_search(query: str, limit: int = 20) -> list[CpvCode]:
    """Up to `limit` (at most 100) codes matching `query`, divisions first (see `cpv_search_queryset`). One query."""
    limit = max(0, min(limit, MAX_SEARCH_RESULTS))
    return list(cpv_search_queryset(query)[:limit])
