"""Writes for tenders. Each is one transaction with its audit event.

The lifecycle is `draft → published → closed`, or `cancelled` (with a reason) from any of those.

- A **draft** changes freely (`tender_update_draft`, lots, relevant measures, questions, weightings), each change
  guarded by `_require_draft`.
- **Publishing** (`tender_publish`) checks everything (`tender_publish_blockers`), pins the authority's adopted
  charter version the relevant measures come from, and keeps the threshold assessment and reporting level as they
  were at publication. A tender period shorter than the Procurement Act's 25 days is allowed only when the officer
  confirms it.
- A **published** tender never changes except by an **amendment** (`tender_amend`): a recorded change, with the
  before and after of each field and why, which the bidders are told about (`amendment_notify_bidders`).
- **Closing** happens when the submission deadline passes. Reads never wait for a job: `selectors.effective_status`
  treats a published tender past its deadline as closed; `tenders_close_due` (for a scheduled task) and
  `tender_close` record it.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record, diff
from accounts.models import Authority, User
from accounts.scoping import authority_scope
from charters.models import CharterMeasure, CharterVersion, VersionStatus
from foundation.errors import DomainError
from foundation.formatting import datetime_long, money_pence_if_any

from .models import (
    Amendment,
    Clarification,
    CpvCode,
    Lot,
    QuantityKind,
    Question,
    QuestionKind,
    RelevantMeasure,
    Tender,
    TenderCategory,
    TenderStatus,
    default_scale_descriptors,
)
from .thresholds import assess_threshold, buyer_type_for, thresholds_from_db

HUNDRED = Decimal("100")
# Procurement Act 2023, open procedure: at least 25 days for electronic tenders (10 days after a qualifying planned
# procurement notice). Shorter is a warning the officer confirms, not a refusal: the shorter periods are lawful.
MINIMUM_TENDER_PERIOD_DAYS = 25
DEFAULT_DEADLINE_TIME_NOTE = "12pm (midday)"

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
# What an amendment may change. The value, category, CPV codes, weightings, lots, relevant measures and questions
# decide who bids and how offers are scored: changing them after publication means cancelling and publishing anew.
AMENDABLE_FIELDS = (
    "title",
    "description",
    "contract_term_months",
    "clarification_deadline",
    "submission_deadline",
    "contact_name",
    "contact_email",
)
FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "contract_term_months": "Contract term (months)",
    "clarification_deadline": "Clarification deadline",
    "submission_deadline": "Submission deadline",
    "contact_name": "Contact name",
    "contact_email": "Contact email",
}


class TenderLocked(DomainError):
    """A tender that is no longer a draft changes only by amendment (or not at all once closed or cancelled)."""


class TenderNotReady(DomainError):
    """Publication refused: `problems` lists every reason, each a `Problem`."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("This tender is not ready to publish. " + " ".join(p.message for p in problems))


@dataclass(frozen=True)
class Problem:
    message: str
    # The section of the tender page where it is put right (an id on the page).
    anchor: str = ""


def _require_draft(tender: Tender) -> None:
    if tender.status == TenderStatus.DRAFT:
        return
    if tender.status == TenderStatus.PUBLISHED:
        raise TenderLocked("This tender has been published. Change it with an amendment.")
    if tender.status in (TenderStatus.CLOSED, TenderStatus.AWARDED):
        raise TenderLocked("This tender has closed and cannot be changed.")
    raise TenderLocked("This tender has been cancelled and cannot be changed.")


def _locked(tender: Tender) -> Tender:
    """Re-reads the tender under a row lock, so a concurrent publication cannot slip between check and write."""
    return Tender.objects.select_for_update().get(pk=tender.pk)


def _text(value) -> str:
    """Text as kept: trimmed, with browsers' CRLF line ends as LF (so an unchanged textarea reads as unchanged)."""
    return (value or "").replace("\r\n", "\n").strip()


def _percent(value) -> str:
    return f"{Decimal(value).normalize():f}%"


def _json_value(value):
    """A field's value as it is kept in an amendment or audit event."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def display_value(field: str, value) -> str:
    """A field's value as people read it: times in Europe/London with the zone, "12:00pm GMT on 1 March 2026"."""
    if value in (None, ""):
        return "(none)"
    if isinstance(value, str) and field.endswith(("_deadline", "_at")):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return datetime_long(value)
    return str(value)


# Checks shared by the services ------------------------------------------------------------------------------


def _check_value(value, *, field="estimated_value", what="The estimated value") -> Decimal:
    if value is None:
        raise DomainError(f"Enter {what.lower()}", field=field)
    value = Decimal(value)
    if value <= 0:
        raise DomainError(f"{what} must be more than £0", field=field)
    return value


def _check_dates(values: dict) -> None:
    publish_at = values.get("publish_at")
    clarification = values.get("clarification_deadline")
    submission = values.get("submission_deadline")
    if publish_at and submission and submission <= publish_at:
        raise DomainError("The submission deadline must be after the publication date", field="submission_deadline")
    if clarification and submission and clarification >= submission:
        raise DomainError(
            "The clarification deadline must be before the submission deadline", field="clarification_deadline"
        )
    if clarification and publish_at and clarification <= publish_at:
        raise DomainError(
            "The clarification deadline must be after the publication date", field="clarification_deadline"
        )


def _check_fields(values: dict) -> None:
    if "estimated_value" in values:
        _check_value(values["estimated_value"])
    if values.get("vat_rate") is not None and not (0 <= Decimal(values["vat_rate"]) <= 100):
        raise DomainError("The VAT rate must be between 0% and 100%", field="vat_rate")
    term = values.get("contract_term_months")
    if term is not None and not (1 <= term <= 600):
        raise DomainError("The contract term must be between 1 and 600 months", field="contract_term_months")
    if "category" in values and values["category"] not in TenderCategory.values:
        raise DomainError("Select the category of the contract", field="category")
    _check_dates(values)


def _cpv_lookup(cpv_codes) -> list[CpvCode]:
    codes = list(dict.fromkeys(code.strip() for code in cpv_codes if code and code.strip()))
    found = {cpv.code: cpv for cpv in CpvCode.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise DomainError(f"These CPV codes do not exist: {', '.join(missing)}", field="cpv_codes")
    return [found[code] for code in codes]


def weights_problem(price, quality, social_value) -> str:
    """What is wrong with a set of price, quality and social value weightings ("" when they total 100%)."""
    if None in (price, quality, social_value):
        return "Enter all three weightings"
    total = Decimal(price) + Decimal(quality) + Decimal(social_value)
    if total != HUNDRED:
        return f"The weightings must total 100%. They total {_percent(total)}."
    return ""


def outside_band(authority: Authority, social_value_weight) -> bool:
    return not (authority.sv_weighting_min <= social_value_weight <= authority.sv_weighting_max)


def band_message(authority: Authority, social_value_weight) -> str:
    return (
        f"Explain why the social value weighting of {social_value_weight}% is outside {authority.name}'s band "
        f"of {authority.sv_weighting_min}% to {authority.sv_weighting_max}%"
    )


# Drafts -----------------------------------------------------------------------------------------------------


def tender_create_draft(
    *, authority: Authority, acting_user: User | None, cpv_codes: list[str] = (), lots: list[dict] = (), **fields
) -> Tender:
    """A new draft tender. `cpv_codes` are 8-digit codes that must exist; `lots` are dicts of title, description
    and estimated_value. Unknown fields are refused, so a caller cannot set the status or the pinned charter.
    The estimated value must be more than £0 (here as in every other service); other checks wait for publication,
    so an imported notice can be saved as it is and put right in the draft."""
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"tender_create_draft does not take {sorted(unknown)}")
    reference = (fields.get("reference") or "").strip()
    if not reference:
        raise DomainError("Enter a reference", field="reference")
    _check_value(fields.get("estimated_value"))
    if Tender.objects.filter(authority=authority, reference=reference).exists():
        raise DomainError(f"{authority.name} already has a tender with the reference {reference}", field="reference")
    cpvs = _cpv_lookup(cpv_codes)
    with transaction.atomic():
        tender = Tender.objects.create(
            authority=authority, created_by=acting_user, **{**fields, "reference": reference}
        )
        tender.cpv_codes.set(cpvs)
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


EDITABLE_DRAFT_FIELDS = tuple(
    f
    for f in DRAFT_FIELDS
    if f not in ("source", "price_weight", "quality_weight", "social_value_weight", "weighting_justification")
)


def tender_update_draft(*, tender: Tender, acting_user: User, cpv_codes: list[str] | None = None, **fields) -> Tender:
    """Changes a draft's details (not its weightings: `tender_weightings_set`). Fields not given keep their value;
    `cpv_codes`, when given, replaces the codes."""
    unknown = set(fields) - set(EDITABLE_DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"tender_update_draft does not take {sorted(unknown)}")
    if "reference" in fields:
        fields["reference"] = (fields["reference"] or "").strip()
        if not fields["reference"]:
            raise DomainError("Enter a reference", field="reference")
    for name in ("title", "description", "contact_name", "contact_email"):
        if name in fields:
            fields[name] = _text(fields[name])
    cpvs = _cpv_lookup(cpv_codes) if cpv_codes is not None else None
    with transaction.atomic():
        tender = _locked(tender)
        _require_draft(tender)
        merged = {name: getattr(tender, name) for name in EDITABLE_DRAFT_FIELDS} | fields
        _check_fields(merged)
        if (
            "reference" in fields
            and Tender.objects.filter(authority=tender.authority, reference=fields["reference"])
            .exclude(pk=tender.pk)
            .exists()
        ):
            raise DomainError(
                f"{tender.authority.name} already has a tender with the reference {fields['reference']}",
                field="reference",
            )
        before = {name: _json_value(getattr(tender, name)) for name in fields}
        for name, value in fields.items():
            setattr(tender, name, value)
        changes = diff(before, {name: _json_value(getattr(tender, name)) for name in fields})
        if cpvs is not None:
            old_codes = sorted(tender.cpv_codes.values_list("code", flat=True))
            new_codes = sorted(cpv.code for cpv in cpvs)
            if old_codes != new_codes:
                tender.cpv_codes.set(cpvs)
                changes["cpv_codes"] = {"before": old_codes, "after": new_codes}
        if changes:
            tender.save(update_fields=list(fields) or None)
            audit_record(
                authority=tender.authority, actor=acting_user, verb="tender.edited", obj=tender, changes=changes
            )
    return tender


def tender_weightings_set(
    *,
    tender: Tender,
    acting_user: User,
    price_weight: int,
    quality_weight: int,
    social_value_weight: int,
    weighting_justification: str = "",
) -> Tender:
    """Price, quality and social value weightings totalling 100%. A social value weighting outside the authority's
    band needs a written justification, shown on the tender and in the evaluation pack."""
    problem = weights_problem(price_weight, quality_weight, social_value_weight)
    if problem:
        raise DomainError(problem, field="weights")
    justification = (weighting_justification or "").strip()
    authority = tender.authority
    if outside_band(authority, social_value_weight) and not justification:
        raise DomainError(band_message(authority, social_value_weight), field="weighting_justification")
    with transaction.atomic():
        tender = _locked(tender)
        _require_draft(tender)
        names = ("price_weight", "quality_weight", "social_value_weight", "weighting_justification")
        before = {name: getattr(tender, name) for name in names}
        tender.price_weight, tender.quality_weight = price_weight, quality_weight
        tender.social_value_weight, tender.weighting_justification = social_value_weight, justification
        changes = diff(before, {name: getattr(tender, name) for name in names})
        if changes:
            tender.save(update_fields=list(names))
            audit_record(
                authority=authority, actor=acting_user, verb="tender.weightings_set", obj=tender, changes=changes
            )
    return tender


# Lots -------------------------------------------------------------------------------------------------------

LOT_FIELDS = ("title", "description", "estimated_value", "price_weight", "quality_weight", "social_value_weight")


def _check_lot(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise DomainError("Enter a title for the lot", field="title")
    _check_value(values.get("estimated_value"), what="The lot's estimated value")
    weights = [values.get(name) for name in ("price_weight", "quality_weight", "social_value_weight")]
    if any(w is not None for w in weights):
        if any(w is None for w in weights):
            raise DomainError("Enter all three weightings for the lot, or none to use the tender's", field="weights")
        problem = weights_problem(*weights)
        if problem:
            raise DomainError(problem, field="weights")


def lot_add(
    *,
    tender: Tender,
    acting_user: User,
    title: str,
    estimated_value: Decimal,
    description: str = "",
    price_weight: int | None = None,
    quality_weight: int | None = None,
    social_value_weight: int | None = None,
) -> Lot:
    values = {
        "title": title.strip(),
        "description": description.strip(),
        "estimated_value": estimated_value,
        "price_weight": price_weight,
        "quality_weight": quality_weight,
        "social_value_weight": social_value_weight,
    }
    _check_lot(values)
    with transaction.atomic():
        tender = _locked(tender)
        _require_draft(tender)
        number = (tender.lots.aggregate(top=Max("number"))["top"] or 0) + 1
        lot = Lot.objects.create(authority=tender.authority, tender=tender, number=number, **values)
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="lot.added",
            obj=lot,
            changes={"tender": tender.reference, **{k: _json_value(v) for k, v in values.items()}},
        )
    return lot


def lot_update(*, lot: Lot, acting_user: User, **fields) -> Lot:
    unknown = set(fields) - set(LOT_FIELDS)
    if unknown:
        raise TypeError(f"lot_update does not take {sorted(unknown)}")
    for name in ("title", "description"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    with transaction.atomic():
        tender = _locked(lot.tender)
        _require_draft(tender)
        lot = Lot.objects.get(pk=lot.pk)
        before = {name: _json_value(getattr(lot, name)) for name in LOT_FIELDS}
        merged = {name: getattr(lot, name) for name in LOT_FIELDS} | fields
        _check_lot(merged)
        for name, value in fields.items():
            setattr(lot, name, value)
        changes = diff(before, {name: _json_value(getattr(lot, name)) for name in LOT_FIELDS})
        if changes:
            lot.save(update_fields=list(fields))
            audit_record(authority=lot.authority, actor=acting_user, verb="lot.edited", obj=lot, changes=changes)
    return lot


def lot_remove(*, lot: Lot, acting_user: User) -> None:
    """Removes a lot (and the relevant measures of its own); later lots move up a number."""
    with transaction.atomic():
        tender = _locked(lot.tender)
        _require_draft(tender)
        label = str(lot)
        number = lot.number
        lot.delete()
        for later in tender.lots.filter(number__gt=number).order_by("number"):
            later.number -= 1
            later.save(update_fields=["number"])
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="lot.removed",
            obj=tender,
            changes={"lot": label},
        )


# Relevant measures ------------------------------------------------------------------------------------------


def measure_hidden_reason(measure: CharterMeasure, value: Decimal) -> str:
    """Why a charter measure cannot be asked for in a contract of this value ("" when it can)."""
    if measure.min_contract_value is not None and measure.min_contract_value > value:
        return f"Applies to contracts of {money_pence_if_any(measure.min_contract_value)} or more"
    return ""


def _check_relevant(reason: str, quantity, weight) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter why this measure is relevant to what is bought", field="reason")
    if quantity is not None and Decimal(quantity) < 0:
        raise DomainError("The quantity must be 0 or more", field="quantity")
    if weight is None:
        raise DomainError("Enter the measure's weight within social value", field="weight")
    if not (0 < Decimal(weight) <= 100):
        raise DomainError("The weight must be more than 0% and no more than 100%", field="weight")
    return reason


def relevant_measure_add(
    *,
    tender: Tender,
    acting_user: User,
    charter_measure: CharterMeasure,
    reason: str,
    weight: Decimal,
    quantity: Decimal | None = None,
    quantity_kind: str = QuantityKind.TARGET,
    lot: Lot | None = None,
) -> RelevantMeasure:
    """Asks bidders for a measure of the authority's adopted charter, with why it is relevant. Whole-tender measures
    have no lot; a lot whose measures differ has its own. All the measures of a tender come from one charter
    version, the one publication pins."""
    reason = _check_relevant(reason, quantity, weight)
    if quantity_kind not in QuantityKind.values:
        raise DomainError("Choose whether the quantity is a minimum or a target", field="quantity_kind")
    with transaction.atomic():
        tender = _locked(tender)
        _require_draft(tender)
        if lot is not None and lot.tender_id != tender.pk:
            raise DomainError("Choose a lot of this tender", field="lot")
        version = CharterVersion.objects.select_related("charter").get(pk=charter_measure.version_id)
        if version.authority_id != tender.authority_id or version.status != VersionStatus.ADOPTED:
            raise DomainError("Choose a measure from an adopted charter", field="charter_measure")
        other = (
            RelevantMeasure.objects.filter(tender=tender)
            .exclude(charter_measure__version_id=version.pk)
            .select_related("charter_measure__version")
            .first()
        )
        if other is not None:
            raise DomainError(
                f"This tender already asks for measures from {other.charter_measure.version}. "
                "A tender asks for measures from one charter version.",
                field="charter_measure",
            )
        value = lot.estimated_value if lot is not None else tender.estimated_value
        hidden = measure_hidden_reason(charter_measure, value)
        if hidden:
            what = f"lot {lot.number}" if lot is not None else "this tender"
            raise DomainError(
                f"{charter_measure.code}: {hidden.lower()}; {what} is worth {money_pence_if_any(value)}",
                field="charter_measure",
            )
        if RelevantMeasure.objects.filter(tender=tender, lot=lot, charter_measure=charter_measure).exists():
            where = f"lot {lot.number}" if lot is not None else "this tender"
            raise DomainError(
                f"{charter_measure.code} is already a relevant measure of {where}", field="charter_measure"
            )
        relevant = RelevantMeasure.objects.create(
            authority=tender.authority,
            tender=tender,
            lot=lot,
            charter_measure=charter_measure,
            reason=reason,
            quantity=quantity,
            quantity_kind=quantity_kind,
            weight=weight,
        )
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="relevant_measure.added",
            obj=relevant,
            changes={
                "tender": tender.reference,
                "lot": lot.number if lot else None,
                "measure": charter_measure.code,
                "charter_version": version.pk,
                "reason": reason,
                "quantity": _json_value(quantity),
                "quantity_kind": quantity_kind,
                "weight": _json_value(weight),
            },
        )
    return relevant


def relevant_measure_update(
    *,
    relevant_measure: RelevantMeasure,
    acting_user: User,
    reason: str,
    weight: Decimal,
    quantity: Decimal | None = None,
    quantity_kind: str = QuantityKind.TARGET,
) -> RelevantMeasure:
    reason = _check_relevant(reason, quantity, weight)
    if quantity_kind not in QuantityKind.values:
        raise DomainError("Choose whether the quantity is a minimum or a target", field="quantity_kind")
    names = ("reason", "quantity", "quantity_kind", "weight")
    with transaction.atomic():
        _require_draft(_locked(relevant_measure.tender))
        item = RelevantMeasure.objects.select_related("charter_measure", "tender").get(pk=relevant_measure.pk)
        before = {name: _json_value(getattr(item, name)) for name in names}
        item.reason, item.quantity, item.quantity_kind, item.weight = reason, quantity, quantity_kind, weight
        changes = diff(before, {name: _json_value(getattr(item, name)) for name in names})
        if changes:
            item.save(update_fields=list(names))
            audit_record(
                authority=item.authority,
                actor=acting_user,
                verb="relevant_measure.edited",
                obj=item,
                changes=changes,
            )
    return item


def relevant_measure_remove(*, relevant_measure: RelevantMeasure, acting_user: User) -> None:
    with transaction.atomic():
        tender = _locked(relevant_measure.tender)
        _require_draft(tender)
        label = str(relevant_measure)
        relevant_measure.delete()
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="relevant_measure.removed",
            obj=tender,
            changes={"relevant_measure": label},
        )


def relevant_measures_follow_charter(*, tender: Tender, acting_user: User) -> int:
    """After the charter was revised and a new version adopted, points a draft's relevant measures at the same
    measures (by code) in the adopted version; measures the new version no longer has are removed. Returns how many
    were moved."""
    with transaction.atomic():
        tender = _locked(tender)
        _require_draft(tender)
        items = list(RelevantMeasure.objects.filter(tender=tender).select_related("charter_measure__version"))
        stale = [item for item in items if item.charter_measure.version.status != VersionStatus.ADOPTED]
        if not stale:
            return 0
        charter_id = stale[0].charter_measure.version.charter_id
        adopted = CharterVersion.objects.filter(charter_id=charter_id, status=VersionStatus.ADOPTED).first()
        if adopted is None:
            raise DomainError("The charter these measures come from has no adopted version now.")
        by_code = {m.code: m for m in CharterMeasure.objects.filter(version=adopted)}
        moved, removed = [], []
        for item in stale:
            replacement = by_code.get(item.charter_measure.code)
            if replacement is None:
                removed.append(item.charter_measure.code)
                item.delete()
            else:
                moved.append(item.charter_measure.code)
                item.charter_measure = replacement
                item.save(update_fields=["charter_measure"])
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="tender.measures_followed_charter",
            obj=tender,
            changes={"charter_version": adopted.pk, "moved": moved, "removed": removed},
        )
    return len(moved)


# Questions --------------------------------------------------------------------------------------------------

SCALES = (5, 10, 100)
QUESTION_FIELDS = ("kind", "text", "guidance", "word_limit", "weight", "scale_max", "scale_descriptors")


def _question_values(*, kind, text, guidance="", word_limit=500, weight, scale_max=5, scale_descriptors=None) -> dict:
    if kind not in QuestionKind.values:
        raise DomainError("Choose whether it is a quality or a social value question", field="kind")
    text = (text or "").strip()
    if not text:
        raise DomainError("Enter the question", field="text")
    if word_limit is None or not (50 <= word_limit <= 5000):
        raise DomainError("The word limit must be between 50 and 5,000 words", field="word_limit")
    if weight is None or not (0 < Decimal(weight) <= 100):
        raise DomainError("The weight must be more than 0% and no more than 100%", field="weight")
    if scale_max not in SCALES:
        raise DomainError("Choose a scoring scale", field="scale_max")
    descriptors = [line.strip() for line in (scale_descriptors or []) if line and line.strip()]
    if not descriptors and scale_max == 5:
        descriptors = default_scale_descriptors()
    if descriptors and scale_max != 100 and len(descriptors) != scale_max + 1:
        raise DomainError(
            f"Give one descriptor for each score from 0 to {scale_max} ({scale_max + 1} lines), or none",
            field="scale_descriptors",
        )
    return {
        "kind": kind,
        "text": text,
        "guidance": (guidance or "").strip(),
        "word_limit": word_limit,
        "weight": weight,
        "scale_max": scale_max,
        "scale_descriptors": descriptors,
    }


def question_add(*, tender: Tender, acting_user: User, **fields) -> Question:
    """A question bidders answer in writing: a quality or a social value method statement question, with its
    guidance, word limit, weight within its part and scoring scale (0–5 with descriptors unless told otherwise)."""
    values = _question_values(**fields)
    with transaction.atomic():
        tender = _locked(tender)
        _require_draft(tender)
        position = (tender.questions.filter(kind=values["kind"]).aggregate(top=Max("position"))["top"] or 0) + 1
        question = Question.objects.create(authority=tender.authority, tender=tender, position=position, **values)
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="question.added",
            obj=question,
            changes={"tender": tender.reference, **{k: _json_value(v) for k, v in values.items()}},
        )
    return question


def question_update(*, question: Question, acting_user: User, **fields) -> Question:
    with transaction.atomic():
        _require_draft(_locked(question.tender))
        question = Question.objects.get(pk=question.pk)
        current = {name: getattr(question, name) for name in QUESTION_FIELDS}
        values = _question_values(**(current | fields))
        before = {name: _json_value(current[name]) for name in QUESTION_FIELDS}
        for name, value in values.items():
            setattr(question, name, value)
        changes = diff(before, {name: _json_value(getattr(question, name)) for name in QUESTION_FIELDS})
        if changes:
            if "kind" in changes:
                question.position = (
                    question.tender.questions.filter(kind=question.kind).aggregate(top=Max("position"))["top"] or 0
                ) + 1
            question.save()
            audit_record(
                authority=question.authority, actor=acting_user, verb="question.edited", obj=question, changes=changes
            )
    return question


def question_remove(*, question: Question, acting_user: User) -> None:
    with transaction.atomic():
        tender = _locked(question.tender)
        _require_draft(tender)
        label = str(question)
        question.delete()
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="question.removed",
            obj=tender,
            changes={"question": label},
        )


# Assessment and publication ---------------------------------------------------------------------------------


def threshold_assessment(tender: Tender, *, start_date: date | None = None, thresholds=None):
    """`assess_threshold` for the tender as it stands: the buyer type from the authority's kind, the whole tender's
    value (lots are not assessed on their own), and the thresholds in force when the procurement started."""
    start = start_date or tender.procurement_start_date or timezone.localdate()
    return assess_threshold(
        buyer_type=buyer_type_for(tender.authority.kind),
        category=tender.category,
        value_excluding_vat=tender.estimated_value,
        value_including_vat=tender.value_including_vat,
        start_date=start,
        thresholds=thresholds_from_db() if thresholds is None else thresholds,
    )


def reporting_level(authority: Authority, value: Decimal) -> dict:
    """Social value reporting in proportion to the contract's value: light-touch below the authority's setting."""
    limit = authority.light_touch_below
    if value < limit:
        return {
            "level": "light_touch",
            "label": "Light-touch",
            "light_touch_below": str(limit),
            "explanation": (
                f"Light-touch reporting: the contract is worth less than {money_pence_if_any(limit)}, so the supplier "
                "keeps a simple milestone tracker instead of quarterly evidence."
            ),
        }
    return {
        "level": "quarterly",
        "label": "Quarterly",
        "light_touch_below": str(limit),
        "explanation": (
            f"Quarterly reporting with evidence: the contract is worth {money_pence_if_any(limit)} or more "
            f"({authority.name} sets light-touch reporting below that)."
        ),
    }


def tender_period(publish_at: datetime, submission_deadline: datetime) -> timedelta:
    return submission_deadline - publish_at


def short_period_warning(publish_at: datetime | None, submission_deadline: datetime | None) -> str:
    """The Procurement Act's minimum tender period, as a warning ("" when the period is long enough or unknown)."""
    if publish_at is None or submission_deadline is None or submission_deadline <= publish_at:
        return ""
    period = tender_period(publish_at, submission_deadline)
    if period >= timedelta(days=MINIMUM_TENDER_PERIOD_DAYS):
        return ""
    days = period.days
    length = f"{days} day{'s' if days != 1 else ''}" if days else "less than a day"
    return (
        f"The Procurement Act 2023 sets a minimum of {MINIMUM_TENDER_PERIOD_DAYS} days for electronic tenders in an "
        f"open procedure (10 days after a qualifying planned procurement notice). This tender period is {length}, "
        "from publication to the submission deadline."
    )


def planned_publish_at(tender: Tender, now: datetime) -> datetime:
    """When a draft is planned to be published: its publication date, or now if that is empty or has passed. (The
    Publish action publishes at once: a draft's publication date is the plan, and the dates are checked from the
    moment it is actually published.)"""
    return max(tender.publish_at, now) if tender.publish_at else now


def _measure_problems(tender: Tender, lots: list[Lot], measures: list[RelevantMeasure]) -> list[Problem]:
    problems = []
    versions = {m.charter_measure.version_id: m.charter_measure.version for m in measures}
    if not measures:
        problems.append(Problem("Choose at least one relevant measure from the charter.", "relevant-measures"))
    elif len(versions) > 1:
        problems.append(Problem("The relevant measures come from more than one charter version.", "relevant-measures"))
    else:
        version = next(iter(versions.values()))
        if version.status != VersionStatus.ADOPTED:
            problems.append(
                Problem(
                    f"The relevant measures come from {version}, which is {version.get_status_display().lower()}. "
                    "Update them to the adopted version of the charter.",
                    "relevant-measures",
                )
            )
    whole = [m for m in measures if m.lot_id is None]
    own = {lot.pk: [m for m in measures if m.lot_id == lot.pk] for lot in lots}
    groups = []
    if whole or not lots:
        groups.append(("the whole tender", whole, tender.estimated_value))
    for lot in lots:
        if own[lot.pk]:
            groups.append((f"lot {lot.number}", own[lot.pk], lot.estimated_value))
        elif not whole and measures:
            problems.append(
                Problem(f"Lot {lot.number} has no relevant measures and the tender has none for every lot.", "lots")
            )
    for label, items, value in groups:
        if not items:
            continue
        total = sum((m.weight for m in items), Decimal("0"))
        if total != HUNDRED:
            problems.append(
                Problem(
                    f"The weights of the relevant measures for {label} must total 100%. They total {_percent(total)}.",
                    "relevant-measures",
                )
            )
        for item in items:
            if not item.reason.strip():
                problems.append(Problem(f"Say why {item.charter_measure.code} is relevant.", "relevant-measures"))
            hidden = measure_hidden_reason(item.charter_measure, value)
            if hidden:
                problems.append(
                    Problem(
                        f"{item.charter_measure.code} {hidden.lower()}; {label} is worth {money_pence_if_any(value)}.",
                        "relevant-measures",
                    )
                )
    return problems


def tender_publish_blockers(tender: Tender, *, now: datetime | None = None) -> list[Problem]:
    """Everything that stops the draft being published (empty when it can be). The short tender period is not
    here: it is a warning to confirm (`short_period_warning`)."""
    now = now or timezone.now()
    problems = []
    if tender.status != TenderStatus.DRAFT:
        return [Problem(f"Only a draft can be published; this tender is {tender.get_status_display().lower()}.")]
    if not tender.title.strip():
        problems.append(Problem("Enter a title.", "details"))
    if not tender.description.strip():
        problems.append(Problem("Describe what is being bought.", "details"))
    if tender.estimated_value is None or tender.estimated_value <= 0:
        problems.append(Problem("The estimated value must be more than £0.", "details"))
    if not tender.contact_email:
        problems.append(Problem("Enter a contact email address for bidders.", "details"))
    # Publishing makes the tender public at once, so the deadlines are checked against now (and the plan).
    planned = tender.publish_at
    deadline = tender.submission_deadline
    if deadline is None:
        problems.append(Problem("Enter the submission deadline.", "dates"))
    elif planned is not None and deadline <= planned:
        problems.append(Problem("The submission deadline must be after the publication date.", "dates"))
    elif deadline <= now:
        problems.append(Problem("The submission deadline has passed. Set a later one.", "dates"))
    clarification = tender.clarification_deadline
    if clarification is not None:
        if deadline is not None and clarification >= deadline:
            problems.append(Problem("The clarification deadline must be before the submission deadline.", "dates"))
        elif clarification <= now:
            problems.append(Problem("The clarification deadline has passed. Set a later one, or none.", "dates"))
    weights = weights_problem(tender.price_weight, tender.quality_weight, tender.social_value_weight)
    if weights:
        problems.append(Problem(weights, "weightings"))
    lots = list(tender.lots.order_by("number"))
    out_of_band = [("The social value weighting", tender.social_value_weight)]
    for lot in lots:
        if lot.social_value_weight is not None:
            out_of_band.append((f"Lot {lot.number}'s social value weighting", lot.social_value_weight))
            lot_weights = weights_problem(lot.price_weight, lot.quality_weight, lot.social_value_weight)
            if lot_weights:
                problems.append(Problem(f"Lot {lot.number}: {lot_weights}", "lots"))
    authority = tender.authority
    if not tender.weighting_justification.strip():
        for label, weight in out_of_band:
            if outside_band(authority, weight):
                problems.append(
                    Problem(
                        f"{label} of {weight}% is outside the band of {authority.sv_weighting_min}% to "
                        f"{authority.sv_weighting_max}%: write a justification.",
                        "weightings",
                    )
                )
    if lots:
        lots_total = sum((lot.estimated_value for lot in lots), Decimal("0"))
        if lots_total > tender.estimated_value:
            problems.append(
                Problem(
                    f"The lots are worth {money_pence_if_any(lots_total)} in total, more than the tender's estimated "
                    f"value of {money_pence_if_any(tender.estimated_value)}.",
                    "lots",
                )
            )
    measures = list(RelevantMeasure.objects.filter(tender=tender).select_related("charter_measure__version__charter"))
    problems += _measure_problems(tender, lots, measures)
    questions = list(tender.questions.all())
    parts = ((QuestionKind.QUALITY, tender.quality_weight), (QuestionKind.SOCIAL_VALUE, None))
    for kind, part_weight in parts:
        items = [q for q in questions if q.kind == kind]
        label = QuestionKind(kind).label.lower()
        if not items:
            if part_weight:
                problems.append(
                    Problem(f"Quality is weighted {part_weight}%: add at least one quality question.", "questions")
                )
            continue
        total = sum((q.weight for q in items), Decimal("0"))
        if total != HUNDRED:
            problems.append(
                Problem(
                    f"The weights of the {label} questions must total 100%. They total {_percent(total)}.", "questions"
                )
            )
    return problems


def tender_publish(
    *, tender: Tender, acting_user: User, confirm_short_period: bool = False, now: datetime | None = None
) -> Tender:
    """Publishes a draft: pins the adopted charter version its relevant measures come from, keeps the threshold
    assessment and reporting level as they are now, and sets the publication time (now, or the later publication
    date the officer planned is replaced by the actual moment). A tender period under 25 days needs
    `confirm_short_period`."""
    now = now or timezone.now()
    with transaction.atomic():
        tender = _locked(tender)
        _require_draft(tender)
        problems = tender_publish_blockers(tender, now=now)
        if problems:
            raise TenderNotReady(problems)
        publish_at = now
        warning = short_period_warning(publish_at, tender.submission_deadline)
        if warning and not confirm_short_period:
            raise DomainError(
                f"{warning} Confirm that the shorter period is allowed to publish.", field="confirm_short_period"
            )
        version = (
            RelevantMeasure.objects.filter(tender=tender).select_related("charter_measure__version").first()
        ).charter_measure.version
        start_date = tender.procurement_start_date or timezone.localdate(publish_at)
        assessment = threshold_assessment(tender, start_date=start_date)
        before = {"status": tender.status, "publish_at": _json_value(tender.publish_at)}
        tender.status = TenderStatus.PUBLISHED
        tender.published_at = now
        tender.publish_at = publish_at
        tender.procurement_start_date = start_date
        tender.charter_version = version
        tender.threshold_assessment = {
            **assessment.as_dict(),
            "start_date": start_date.isoformat(),
            "reporting": reporting_level(tender.authority, tender.estimated_value),
        }
        tender.save(
            update_fields=[
                "status",
                "published_at",
                "publish_at",
                "procurement_start_date",
                "charter_version",
                "threshold_assessment",
            ]
        )
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="tender.published",
            obj=tender,
            changes={
                "status": {"before": before["status"], "after": tender.status},
                "publish_at": {"before": before["publish_at"], "after": _json_value(publish_at)},
                "charter_version": {"before": None, "after": version.pk},
                "threshold": assessment.explanation,
                "short_period_confirmed": bool(warning),
            },
        )
    return tender


# After publication ------------------------------------------------------------------------------------------


def tender_cancel(*, tender: Tender, acting_user: User, reason: str) -> Tender:
    """Cancels a draft, published or closed tender, with the reason (shown to bidders once it was published)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter why the tender is cancelled", field="reason")
    with transaction.atomic():
        tender = _locked(tender)
        if tender.status == TenderStatus.CANCELLED:
            raise TenderLocked("This tender has already been cancelled.")
        before = tender.status
        tender.status = TenderStatus.CANCELLED
        tender.cancelled_reason = reason
        tender.save(update_fields=["status", "cancelled_reason"])
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="tender.cancelled",
            obj=tender,
            changes={"status": {"before": before, "after": tender.status}, "reason": reason},
        )
        if before != TenderStatus.DRAFT:
            transaction.on_commit(lambda: _notify_bidders(tender, "cancellation", {"reason": reason}))
    return tender


def tender_close(*, tender: Tender, acting_user: User | None = None, now: datetime | None = None) -> Tender:
    """Records that a published tender's submission deadline has passed (reads already treat it as closed)."""
    now = now or timezone.now()
    with transaction.atomic():
        tender = _locked(tender)
        if tender.status != TenderStatus.PUBLISHED:
            raise TenderLocked(f"Only a published tender closes; this one is {tender.get_status_display().lower()}.")
        if tender.submission_deadline > now:
            raise TenderLocked("The submission deadline has not passed yet.")
        tender.status = TenderStatus.CLOSED
        tender.save(update_fields=["status"])
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="tender.closed",
            obj=tender,
            changes={
                "status": {"before": TenderStatus.PUBLISHED, "after": TenderStatus.CLOSED},
                "submission_deadline": _json_value(tender.submission_deadline),
            },
        )
    return tender


def tenders_close_due(*, now: datetime | None = None) -> int:
    """Closes every published tender whose submission deadline has passed, authority by authority (for a scheduled
    task; safe to run twice). Returns how many were closed."""
    now = now or timezone.now()
    closed = 0
    for authority in Authority.objects.order_by("pk"):
        with authority_scope(authority):
            due = Tender.objects.filter(
                authority=authority, status=TenderStatus.PUBLISHED, submission_deadline__lte=now
            )
            for tender in due:
                tender_close(tender=tender, now=now)
                closed += 1
    return closed


def tender_amend(
    *, tender: Tender, acting_user: User, reason: str, now: datetime | None = None, **changes
) -> Amendment:
    """Changes a published tender by a recorded amendment: what changed (before and after), why and when. Only the
    fields in AMENDABLE_FIELDS change this way; the deadlines can only be extended. Bidders are told."""
    unknown = set(changes) - set(AMENDABLE_FIELDS)
    if unknown:
        raise TypeError(f"tender_amend does not take {sorted(unknown)}")
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter why the tender is being amended", field="reason")
    for name in ("title", "description", "contact_name", "contact_email"):
        if name in changes:
            changes[name] = _text(changes[name])
    if "title" in changes and not changes["title"]:
        raise DomainError("Enter a title", field="title")
    with transaction.atomic():
        tender = _locked(tender)
        if tender.status == TenderStatus.DRAFT:
            raise TenderLocked("This tender is a draft: change it directly, no amendment is needed.")
        if tender.status != TenderStatus.PUBLISHED or tender.submission_deadline <= now:
            raise TenderLocked("Only a published tender can be amended before its submission deadline.")
        changed = {name: value for name, value in changes.items() if getattr(tender, name) != value}
        if not changed:
            raise DomainError("Nothing has changed. Change at least one detail to amend the tender.")
        new = {name: getattr(tender, name) for name in AMENDABLE_FIELDS} | changed
        for name in ("submission_deadline", "clarification_deadline"):
            if name in changed:
                label = FIELD_LABELS[name].lower()
                old = getattr(tender, name)
                if old is None and name == "clarification_deadline":
                    raise DomainError("A clarification deadline cannot be added after publication", field=name)
                if changed[name] is None or changed[name] < old:
                    raise DomainError(f"The {label} can only be extended after publication", field=name)
                if changed[name] <= now:
                    raise DomainError(f"The {label} must be in the future", field=name)
        if new["clarification_deadline"] and new["clarification_deadline"] >= new["submission_deadline"]:
            raise DomainError(
                "The clarification deadline must be before the submission deadline", field="clarification_deadline"
            )
        term = new["contract_term_months"]
        if term is not None and not (1 <= term <= 600):
            raise DomainError("The contract term must be between 1 and 600 months", field="contract_term_months")
        record = {
            name: {
                "label": FIELD_LABELS[name],
                "before": _json_value(getattr(tender, name)),
                "after": _json_value(value),
            }
            for name, value in changed.items()
        }
        for name, value in changed.items():
            setattr(tender, name, value)
        tender.save(update_fields=list(changed))
        amendment = Amendment.objects.create(
            authority=tender.authority,
            tender=tender,
            changes=record,
            reason=reason,
            created_at=now,
            created_by=acting_user,
        )
        audit_record(
            authority=tender.authority,
            actor=acting_user,
            verb="tender.amended",
            obj=tender,
            changes={
                **{name: {"before": item["before"], "after": item["after"]} for name, item in record.items()},
                "reason": reason,
                "amendment": amendment.pk,
            },
        )
        transaction.on_commit(lambda: amendment_notify_bidders(amendment))
    return amendment


# Telling bidders --------------------------------------------------------------------------------------------


def interested_bidder_emails(tender: Tender) -> list[str]:
    """Who is told about changes to a published tender: everyone who asked a clarification question about it, and
    the members of every supplier with an offer for it."""
    from accounts.models import OrganisationMembership, OrganisationMemberStatus

    from .models import Offer

    emails = set(
        Clarification.objects.filter(tender=tender, asked_by__isnull=False, asked_by__is_active=True)
        .values_list("asked_by__email", flat=True)
        .distinct()
    )
    bidders = Offer.objects.filter(tender=tender).values("organisation_id")
    emails |= set(
        OrganisationMembership.objects.filter(
            organisation_id__in=bidders, status=OrganisationMemberStatus.APPROVED, user__is_active=True
        ).values_list("user__email", flat=True)
    )
    return sorted(emails)


def _public_url(tender: Tender) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tenders:tender-public", args=[tender.authority.slug, tender.pk])


def _notify_bidders(tender: Tender, template: str, context: dict) -> list[str]:
    """One email per bidder (never a shared recipient list: bidders must not learn who else is interested)."""
    with authority_scope(tender.authority):
        recipients = interested_bidder_emails(tender)
    context = {
        "site_name": settings.SITE_NAME,
        "authority_name": tender.authority.name,
        "tender": tender,
        "tender_url": _public_url(tender),
        **context,
    }
    subject = render_to_string(f"tenders/intake/email_{template}_subject.txt", context).strip()
    body = render_to_string(f"tenders/intake/email_{template}.txt", context)
    for email in recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    return recipients


def amendment_notify_bidders(amendment: Amendment) -> list[str]:
    """Emails the amendment to the tender's interested bidders (today: those who asked clarification questions;
    the offers stage adds bidders with offers). Returns the addresses written to."""
    lines = [
        f"{item['label']}: {display_value(name, item['before'])} → {display_value(name, item['after'])}"
        for name, item in amendment.changes.items()
    ]
    return _notify_bidders(
        amendment.tender,
        "amendment",
        {"amendment": amendment, "change_lines": lines, "reason": amendment.reason},
    )


# Helpers for forms ------------------------------------------------------------------------------------------

CPV_SEPARATORS = re.compile(r"[\s,;]+")


def split_cpv_codes(text: str) -> list[str]:
    """ "45000000-7, 79421000" → ["45000000", "79421000"]: codes separated by commas, semicolons or spaces; a
    check digit after a hyphen is dropped."""
    codes = []
    for part in CPV_SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        code = part.split("-", 1)[0]
        if code not in codes:
            codes.append(code)
    return codes
