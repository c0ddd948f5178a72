"""Reads for publication: an authority's public tenders with every stage their releases show, joined in the
database, in a fixed number of queries for any number of tenders.

Only what is public is read: public tenders by the public list's own rule (`tenders.selectors.public_q`),
confirmed awards from what confirmation froze (`Award.contract_terms`; offers are never read), and the delivery
lines the contract manager accepted.
"""

from datetime import datetime

from django.db.models import Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Authority, Organisation
from charters.models import CharterMeasure
from compact.models import Contract, DeliveryLine, DeliveryReport, Verification
from evaluation.models import Award, Evaluation
from tenders.models import Amendment, CpvCode, Lot, RelevantMeasure, Tender
from tenders.selectors import public_q

# The winner's public details, as the award's terms name it (confirmation froze its organisation id into them).
SUPPLIER_FIELDS = ("name", "company_number", "charity_number", "postcode")


def confirmed_awards() -> QuerySet[Award]:
    """Confirmed awards, oldest first, each annotated with the winner's public details (`winner_id`,
    `supplier_name`, ...; None if the organisation is gone), joined in the database from the organisation id in the
    frozen terms: a JSON value, not a relation, so a subquery rather than select_related."""
    winner = Organisation.objects.filter(pk=OuterRef("winner_id"))
    return (
        Award.objects.filter(confirmed_at__isnull=False)
        .annotate(winner_id=Cast(KT("contract_terms__organisation_id"), IntegerField()))
        .annotate(**{f"supplier_{name}": Subquery(winner.values(name)[:1]) for name in SUPPLIER_FIELDS})
        .select_related("lot")
        .order_by("confirmed_at", "pk")
    )


def _supplier(award: Award) -> dict | None:
    if award.supplier_name is None:
        return None
    return {"id": award.winner_id, **{name: getattr(award, f"supplier_{name}") for name in SUPPLIER_FIELDS}}


def public_tenders(authority: Authority, *, tenders=None, now: datetime | None = None) -> QuerySet[Tender]:
    """The authority's public tenders (the public list's rule), oldest first, with what their releases need:
    `cpv_list`, `lot_list`, `amendment_list`, `measure_list`, and through `evaluation` its `published_awards`."""
    now = now or timezone.now()
    found = Tender.objects.filter(public_q(now), authority=authority)
    if tenders is not None:
        found = found.filter(pk__in=[getattr(tender, "pk", tender) for tender in tenders])
    return (
        # evaluation is a reverse one-to-one: joined here, and absent (DoesNotExist) for tenders never evaluated
        found.select_related("authority", "charter_version__charter", "evaluation")
        .prefetch_related(
            Prefetch("cpv_codes", queryset=CpvCode.objects.order_by("code"), to_attr="cpv_list"),
            Prefetch("lots", queryset=Lot.objects.order_by("number"), to_attr="lot_list"),
            Prefetch("amendments", queryset=Amendment.objects.order_by("created_at", "id"), to_attr="amendment_list"),
            Prefetch(
                "relevant_measures",
                queryset=RelevantMeasure.objects.select_related("lot", "charter_measure__outcome__theme").order_by(
                    "lot__number", "id"
                ),
                to_attr="measure_list",
            ),
            Prefetch("evaluation__awards", queryset=confirmed_awards(), to_attr="published_awards"),
        )
        .order_by("published_at", "pk")
    )


def _contracts_by_award(award_ids: list[int]) -> dict[int, Contract]:
    """The contracts made from these awards (at most one each), by award id, each with `published_reports`: the
    reports with accepted delivery, by number, each with its `accepted_lines`."""
    if not award_ids:
        return {}
    accepted = DeliveryLine.objects.filter(verification=Verification.ACCEPTED)
    reports = (
        DeliveryReport.objects.filter(Exists(accepted.filter(report=OuterRef("pk"))))
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=accepted.select_related("commitment__charter_measure").order_by("commitment_id", "pk"),
                to_attr="accepted_lines",
            )
        )
    )
    return Contract.objects.prefetch_related(
        Prefetch("reports", queryset=reports, to_attr="published_reports")
    ).in_bulk(award_ids, field_name="award_id_source")


def _measures_by_id(measure_ids) -> dict[int, CharterMeasure]:
    """The charter measures awards' frozen commitments name (by id in the terms, so not a relation to join)."""
    ids = [pk for pk in set(measure_ids) if pk is not None]
    return CharterMeasure.objects.in_bulk(ids) if ids else {}


def published_awards(tender: Tender) -> list[Award]:
    """The tender's confirmed awards, from `public_tenders` (none when it was never evaluated)."""
    try:
        evaluation = tender.evaluation
    except Evaluation.DoesNotExist:
        return []
    return evaluation.published_awards


def tenders_for_publication(authority: Authority, *, tenders=None, now: datetime | None = None) -> list[Tender]:
    """`public_tenders`, each confirmed award given its `supplier` (a dict of the winner's public details, or None),
    the contract made from it (`contract`, or None) and the charter measures its frozen commitments name
    (`measures`): one query each for all the tenders."""
    found = list(public_tenders(authority, tenders=tenders, now=now))
    awards = [award for tender in found for award in published_awards(tender)]
    contracts = _contracts_by_award([award.pk for award in awards])
    measures = _measures_by_id(
        item.get("charter_measure_id") for award in awards for item in award.contract_terms.get("commitments", [])
    )
    for award in awards:
        award.supplier = _supplier(award)
        award.contract = contracts.get(award.pk)
        award.measures = measures
    return found
