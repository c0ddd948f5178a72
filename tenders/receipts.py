"""Electronic receipt of offers: a SHA-256 hash over a canonical serialisation of what was submitted and when.

RULES.md (PCR 2015 reg. 22): the exact time of receipt can be determined, and any infringement is detectable.
The receipt is computed from the submitted content and the server's time of receipt; recomputing it from the stored
content proves nothing changed afterwards.

Canonical form: JSON with keys sorted, no insignificant whitespace, UTF-8 (not ASCII-escaped), decimals as
normalised strings ("1500.5", never floats), datetimes in UTC ISO 8601 with microseconds.
"""

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal

RECEIPT_VERSION = 1


def _canonical(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetimes in a receipt must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, float):
        raise TypeError("floats are not allowed in a receipt: use Decimal")
    return value


def canonical_bytes(content: dict, received_at: datetime) -> bytes:
    document = {"content": _canonical(content), "received_at": _canonical(received_at), "v": RECEIPT_VERSION}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def receipt_hash(content: dict, received_at: datetime) -> str:
    return hashlib.sha256(canonical_bytes(content, received_at)).hexdigest()


def receipt_matches(content: dict, received_at: datetime, expected: str) -> bool:
    return hashlib.sha256(canonical_bytes(content, received_at)).hexdigest() == expected
