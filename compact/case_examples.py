"""Case examples for actions 14 and 15 of the local Compact checklist: what was bought, what social value was or was
not recognised, the cost or saving and the evidence.

An example is public once a Compact partner (an approved member of one of the authority's partner groups) and an
officer (staff with `compact.manage`) have both approved it and an officer has published it. Any edit clears both
approvals, and editing a published example takes it off the public pages until it is approved and published again:
what the public reads is always what both sides approved."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.audit import audit_record, diff
from accounts.models import Authority, Organisation, User
from foundation.errors import DomainError

from .models import CaseExample, CaseKind, Contract
from .partners import NotPartnerOrOfficer, is_compact_officer, partner_organisations

AMOUNT_MESSAGE = "Enter the cost or saving in pounds, like 12500 or 12500.50"
AMOUNT_LIMIT = Decimal("1000000000000")  # the column holds 14 digits, 2 after the point
LANDING_COUNT = 3

TEXT_LIMITS = {
    "title": (200, "The title"),
    "what_was_bought": (3000, "What was bought"),
    "social_value": (5000, "The social value recognised or missed"),
    "amount_explained": (3000, "How the cost or saving was worked out"),
    "evidence": (3000, "The evidence"),
}
REQUIRED_MESSAGES = {
    "title": "Enter a title for the case example",
    "what_was_bought": "Enter what was bought",
    "social_value": "Enter what social value was or was not recognised",
    "amount_explained": "Enter how the cost or saving was worked out",
}


def parse_amount(value) -> Decimal:
    """Pounds as a number of at least 0 with no more than 2 decimal places; "£" and thousands commas are allowed."""
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value if value is not None else "").strip().replace(",", "").removeprefix("£").strip()
        if not text:
            raise DomainError(AMOUNT_MESSAGE, field="amount")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise DomainError(AMOUNT_MESSAGE, field="amount") from None
    if not number.is_finite() or number < 0 or number >= AMOUNT_LIMIT:
        raise DomainError(AMOUNT_MESSAGE, field="amount")
    if number != number.quantize(Decimal("0.01")):
        raise DomainError(AMOUNT_MESSAGE, field="amount")
    return number.quantize(Decimal("0.01"))


def _clean_fields(authority: Authority, fields: dict) -> dict:
    cleaned = {}
    if fields.get("kind") not in CaseKind.values:
        raise DomainError(
            "Choose whether recognising social value led to a saving or failing to led to extra cost", field="kind"
        )
    cleaned["kind"] = fields["kind"]
    for name, (limit, label) in TEXT_LIMITS.items():
        text = (fields.get(name) or "").strip()
        if not text and name in REQUIRED_MESSAGES:
            raise DomainError(REQUIRED_MESSAGES[name], field=name)
        if len(text) > limit:
            raise DomainError(f"{label} must be {limit:,} characters or fewer", field=name)
        cleaned[name] = text
    cleaned["amount"] = parse_amount(fields.get("amount"))
    contract = fields.get("contract")
    if contract is not None and contract.authority_id != authority.pk:
        raise DomainError("Choose one of this authority's contracts", field="contract")
    cleaned["contract"] = contract
    return cleaned


def _snapshot(example: CaseExample) -> dict:
    return {
        "kind": example.kind,
        "title": example.title,
        "what_was_bought": example.what_was_bought,
        "social_value": example.social_value,
        "amount": str(example.amount) if example.amount is not None else None,
        "amount_explained": example.amount_explained,
        "evidence": example.evidence,
        "contract": example.contract.reference if example.contract_id else None,
    }


def _require_writer(authority: Authority, user: User) -> list[str]:
    groups = [group.name for group in partner_organisations(user, authority)]
    if groups or is_compact_officer(user, authority):
        return groups
    raise NotPartnerOrOfficer(
        f"Only members of {authority.name}'s Compact partner groups and its officers can write case examples"
    )


def _require_officer(authority: Authority, user: User, doing: str) -> None:
    if not is_compact_officer(user, authority):
        raise NotPartnerOrOfficer(f"Only {authority.name}'s officers can {doing}")


def can_write(authority: Authority, user: User) -> bool:
    try:
        _require_writer(authority, user)
    except NotPartnerOrOfficer:
        return False
    return True


@dataclass(frozen=True)
class Readiness:
    """What an example still needs before it can be published, in words for the page."""

    partner_approved: bool
    officer_approved: bool
    published: bool

    @property
    def missing(self) -> list[str]:
        missing = []
        if not self.partner_approved:
            missing.append("a Compact partner's approval")
        if not self.officer_approved:
            missing.append("an officer's approval")
        return missing

    @property
    def can_publish(self) -> bool:
        return not self.published and not self.missing

    @property
    def missing_text(self) -> str:
        return " and ".join(self.missing)


def readiness(example: CaseExample) -> Readiness:
    return Readiness(
        partner_approved=example.partner_approved_at is not None,
        officer_approved=example.officer_approved_at is not None,
        published=example.published_at is not None,
    )


# Writes -------------------------------------------------------------------------------------------------------------


def case_example_create(*, authority: Authority, acting_user: User, **fields) -> CaseExample:
    groups = _require_writer(authority, acting_user)
    cleaned = _clean_fields(authority, fields)
    with transaction.atomic():
        example = CaseExample.objects.create(authority=authority, created_by=acting_user, **cleaned)
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="compact.case_example_created",
            obj=example,
            changes={**_snapshot(example), "partner_groups": groups},
        )
    return example


def case_example_update(*, example: CaseExample, acting_user: User, **fields) -> CaseExample:
    """Saves the changes and clears both approvals; a published example is unpublished until approved again."""
    authority = example.authority
    groups = _require_writer(authority, acting_user)
    cleaned = _clean_fields(authority, fields)
    with transaction.atomic():
        example = CaseExample.objects.select_for_update(of=("self",)).select_related("contract").get(pk=example.pk)
        before = _snapshot(example)
        was_published = example.published_at is not None
        for name, value in cleaned.items():
            setattr(example, name, value)
        example.updated_at = timezone.now()
        example.partner_approved_at = example.partner_approved_by = example.partner_organisation = None
        example.officer_approved_at = example.officer_approved_by = None
        example.published_at = None
        example.save()
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="compact.case_example_updated",
            obj=example,
            changes={
                **diff(before, _snapshot(example)),
                "approvals_cleared": True,
                "unpublished": was_published,
                "partner_groups": groups,
            },
        )
    return example


def case_example_approve_as_officer(*, example: CaseExample, acting_user: User) -> CaseExample:
    authority = example.authority
    _require_officer(authority, acting_user, "approve a case example as the officer")
    with transaction.atomic():
        example = CaseExample.objects.select_for_update().get(pk=example.pk)
        if example.officer_approved_at is not None:
            raise DomainError("An officer has already approved this case example")
        example.officer_approved_at = timezone.now()
        example.officer_approved_by = acting_user
        example.save(update_fields=["officer_approved_at", "officer_approved_by"])
        audit_record(authority=authority, actor=acting_user, verb="compact.case_example_officer_approved", obj=example)
    return example


def case_example_approve_as_partner(
    *, example: CaseExample, acting_user: User, organisation: Organisation | None = None
) -> CaseExample:
    """Approval for a partner group the user is an approved member of (their only one when not given)."""
    authority = example.authority
    groups = partner_organisations(acting_user, authority)
    if not groups:
        raise NotPartnerOrOfficer(
            f"Only members of {authority.name}'s Compact partner groups can approve a case example for a partner"
        )
    if organisation is None:
        if len(groups) > 1:
            raise DomainError("Choose the partner group you are approving for", field="organisation")
        organisation = groups[0]
    elif organisation.pk not in {group.pk for group in groups}:
        raise DomainError(
            f"You can only approve for a Compact partner group of {authority.name} you are a member of",
            field="organisation",
        )
    with transaction.atomic():
        example = CaseExample.objects.select_for_update().get(pk=example.pk)
        if example.partner_approved_at is not None:
            raise DomainError("A Compact partner has already approved this case example")
        example.partner_approved_at = timezone.now()
        example.partner_approved_by = acting_user
        example.partner_organisation = organisation
        example.save(update_fields=["partner_approved_at", "partner_approved_by", "partner_organisation"])
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="compact.case_example_partner_approved",
            obj=example,
            changes={"partner_group": organisation.name},
        )
    return example


def case_example_publish(*, example: CaseExample, acting_user: User) -> CaseExample:
    authority = example.authority
    _require_officer(authority, acting_user, "publish a case example")
    with transaction.atomic():
        example = CaseExample.objects.select_for_update().get(pk=example.pk)
        ready = readiness(example)
        if ready.published:
            raise DomainError("This case example is already published")
        if ready.missing:
            raise DomainError(f"This case example cannot be published yet: it needs {ready.missing_text}")
        example.published_at = timezone.now()
        example.save(update_fields=["published_at"])
        audit_record(authority=authority, actor=acting_user, verb="compact.case_example_published", obj=example)
    return example


def case_example_unpublish(*, example: CaseExample, acting_user: User) -> CaseExample:
    """Takes the example off the public pages; the approvals stay, so it can be published again as it was."""
    authority = example.authority
    _require_officer(authority, acting_user, "unpublish a case example")
    with transaction.atomic():
        example = CaseExample.objects.select_for_update().get(pk=example.pk)
        if example.published_at is None:
            raise DomainError("This case example is not published")
        example.published_at = None
        example.save(update_fields=["published_at"])
        audit_record(authority=authority, actor=acting_user, verb="compact.case_example_unpublished", obj=example)
    return example


# Reads --------------------------------------------------------------------------------------------------------------


def _with_people(examples: QuerySet[CaseExample]) -> QuerySet[CaseExample]:
    return examples.select_related("contract", "partner_organisation", "partner_approved_by", "officer_approved_by")


def case_examples_published(authority: Authority) -> QuerySet[CaseExample]:
    return _with_people(
        CaseExample.objects.filter(authority=authority, published_at__isnull=False).order_by("-published_at", "-id")
    )


def case_examples_all(authority: Authority) -> QuerySet[CaseExample]:
    """Drafts first (newest first), then published ones: for staff."""
    return _with_people(
        CaseExample.objects.filter(authority=authority).order_by(
            F("published_at").desc(nulls_first=True), "-created_at", "-id"
        )
    )


def case_examples_drafts(authority: Authority) -> QuerySet[CaseExample]:
    """Not published (awaiting approval, or approved and not yet published): for staff and partners."""
    return _with_people(
        CaseExample.objects.filter(authority=authority, published_at__isnull=True).order_by("-created_at", "-id")
    )


def case_examples_for_landing(authority: Authority) -> list[CaseExample]:
    return list(case_examples_published(authority)[:LANDING_COUNT])


def case_example_get(authority: Authority, example_id: int) -> CaseExample | None:
    return _with_people(CaseExample.objects.filter(authority=authority, pk=example_id)).first()


def case_example_get_public(authority: Authority, example_id: int, user: User) -> CaseExample | None:
    """A published example for anyone; a draft only for the authority's partner members (None for everyone else)."""
    example = case_example_get(authority, example_id)
    if example is None:
        return None
    if example.published_at is None and not partner_organisations(user, authority):
        return None
    return example


def case_example_contract(authority: Authority, contract_id) -> Contract | None:
    """A contract of the authority an example may be about."""
    return Contract.objects.filter(authority=authority, pk=contract_id).only("id", "authority_id", "reference").first()


def case_examples_choices(authority: Authority) -> list[CaseExample]:
    """The examples a checklist evidence link may point to."""
    return list(
        CaseExample.objects.filter(authority=authority).order_by("title", "id").only("id", "title", "published_at")
    )
