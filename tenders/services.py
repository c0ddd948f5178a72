"""Writes for tenders. Each is one transaction with its audit event."""

from decimal import Decimal

from django.db import transaction

from accounts.audit import audit_record
from accounts.errors import DomainError
from accounts.models import Authority, User

from .models import CpvCode, Lot, Tender

DRAFT_FIELDS = (
    "reference",
    "title",
    "description",
    "category",
    "estimated_value",
    "vat_rate",
    "contract_term_months",
    "procurement_start_date",
    "publish_at",
    "clarification_deadline",
    "submission_deadline",
    "contact_name",
    "contact_email",
    "price_weight",
    "quality_weight",
    "social_value_weight",
    "weighting_justification",
    "source",
)


def tender_create_draft(
    *, authority: Authority, acting_user: User | None, cpv_codes: list[str] = (), lots: list[dict] = (), **fields
) -> Tender:
    """A new draft tender. `cpv_codes` are 8-digit codes that must exist; `lots` are dicts of title, description
    and estimated_value. Unknown fields are refused, so a caller cannot set the status or the pinned charter."""
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"tender_create_draft does not take {sorted(unknown)}")
    reference = (fields.get("reference") or "").strip()
    if not reference:
        raise DomainError("Enter a reference", field="reference")
    if Tender.objects.filter(authority=authority, reference=reference).exists():
        raise DomainError(f"{authority.name} already has a tender with the reference {reference}", field="reference")
    codes = list(dict.fromkeys(code.strip() for code in cpv_codes if code and code.strip()))
    found = {cpv.code: cpv for cpv in CpvCode.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise DomainError(f"These CPV codes do not exist: {', '.join(missing)}", field="cpv_codes")
    with transaction.atomic():
        tender = Tender.objects.create(
            authority=authority, created_by=acting_user, **{**fields, "reference": reference}
        )
        tender.cpv_codes.set([found[code] for code in codes])
        for number, lot in enumerate(lots, start=1):
            Lot.objects.create(
                authority=authority,
                tender=tender,
                number=number,
                title=lot["title"],
                description=lot.get("description", ""),
                estimated_value=Decimal(lot["estimated_value"]),
            )
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="tender.created",
            obj=tender,
            changes={"reference": reference, "source": fields.get("source", ""), "lots": len(lots)},
        )
    return tender
