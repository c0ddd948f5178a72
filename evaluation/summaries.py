"""Assessment summaries (Procurement Act 2023 s.50): each bidder with an assessed offer is told, once the award is
decided, how its offer scored against the winner's, criterion by criterion, with the reasons, its rank and when
standstill ends.

- `summaries_issue` (called by `services.award_decide`, inside its transaction) records one AssessmentSummary per
  assessed offer of the tender or lot, starts a PDF job for each (the job runs once the decision commits) and,
  after the commit, emails the bidders' approved members that their summary is ready.
- `summary_build` is the data for one award × offer, from the finalised results (`selectors.results`) and the
  moderated rationales: the page and the PDF show the same figures. It holds this bidder's figures and the
  winner's, and nothing about any other bidder: no other offer's price, scores, rationales or name.
- Bidders reach their summaries through `summaries_for_member` (across authorities, their organisations only) and
  `summaries_for_award` (one award, inside its authority's scope).
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import audit_record
from accounts.emails import send_templated_email
from accounts.jobs import register_job_kind
from accounts.models import (
    Authority,
    Job,
    JobStatus,
    OrganisationKind,
    OrganisationMembership,
    OrganisationMemberStatus,
    User,
)
from accounts.scoping import dangerously_unscoped
from accounts.services import job_start
from foundation.pdf import html_to_pdf
from tenders.models import QuestionKind

from . import selectors
from .models import AssessmentSummary, Award, ModeratedScore
from .scoring import Part

logger = logging.getLogger(__name__)

SUMMARY_PDF = "assessment_summary_pdf"
# A bidder's download does not start a new PDF within this long of a failed one: a refresh loop must not keep a
# worker busy with a document that fails.
RETRY_AFTER = timedelta(minutes=10)
# A job still waiting after this long was lost (a worker died before taking it): the bidder's download starts another.
STALE_AFTER = timedelta(minutes=15)
PART_LABELS = {Part.PRICE: "Price", Part.QUALITY: "Quality", Part.SOCIAL_VALUE: "Social value"}


# The summary's data ------------------------------------------------------------------------------------------


@dataclass
class CriterionLine:
    """One criterion: the points available, this bidder's and the winner's, each with its score and reason."""

    key: str
    name: str
    part: str
    available: Decimal
    points: Decimal
    winner_points: Decimal
    score: Decimal | None = None  # the agreed score on the question's scale (qualitative criteria)
    winner_score: Decimal | None = None
    scale_max: int | None = None
    reason: str = ""
    winner_reason: str = ""


@dataclass
class PartLine:
    part: str
    available: Decimal
    points: Decimal
    winner_points: Decimal


@dataclass
class SummaryData:
    award: Award
    tender: object
    lot: object
    authority: Authority
    supplier: str
    winner_supplier: str
    is_winner: bool
    rank: int
    tied: bool
    offers_assessed: int
    total: Decimal
    winner_total: Decimal
    price: Decimal | None
    commitments_net: Decimal
    below_minimum: list
    lines: list = field(default_factory=list)  # CriterionLine
    parts: list = field(default_factory=list)  # PartLine
    price_formula_text: str = ""
    quantitative_text: str = ""
    tie_break_text: str = ""

    @property
    def standstill_ends_on(self) -> date:
        return self.award.standstill_ends_on

    @property
    def contract_from(self) -> date:
        return self.award.standstill_ends_on + timedelta(days=1)


def _criterion_name(criterion, questions: dict) -> str:
    if criterion.key == selectors.PRICE:
        return "Price"
    if criterion.key == selectors.COMMITMENTS:
        return "Social value commitments (monetised)"
    question = questions[criterion.key]
    kind = "Quality" if question.kind == QuestionKind.QUALITY else "Social value method statement"
    return f"{kind}: {question.text}"


def summary_build(award: Award, offer) -> SummaryData:
    """The summary for one assessed offer of the award's tender (or lot). Raises LookupError when the offer was not
    assessed in it."""
    evaluation = award.evaluation
    results = selectors.results(evaluation, award.lot)
    rows = {row.offer.pk: row for row in results.rows}
    if offer.pk not in rows:
        raise LookupError("This offer was not assessed for this award")
    mine, winner = rows[offer.pk], rows[award.offer_id]
    questions = {selectors.question_key(q.pk): q for q in selectors.questions_for(evaluation.tender)}
    rationales = {
        (m.offer_id, m.question_id): m
        for m in ModeratedScore.objects.filter(evaluation=evaluation, offer_id__in={offer.pk, award.offer_id})
    }
    lines = []
    for criterion in results.criteria:
        weight = results.criterion_weights[criterion.key]
        line = CriterionLine(
            key=criterion.key,
            name=_criterion_name(criterion, questions),
            part=PART_LABELS[criterion.part],
            available=weight,
            points=weight * mine.fractions.get(criterion.key, Decimal("0")),
            winner_points=weight * winner.fractions.get(criterion.key, Decimal("0")),
        )
        if criterion.key == selectors.PRICE:
            line.reason = line.winner_reason = results.price_formula_text
        elif criterion.key == selectors.COMMITMENTS:
            line.reason = line.winner_reason = results.quantitative_text
        else:
            question = questions[criterion.key]
            line.scale_max = question.scale_max
            for target, prefix in ((mine, ""), (winner, "winner_")):
                agreed = rationales.get((target.offer.pk, question.pk))
                if agreed is not None:
                    setattr(line, f"{prefix}score", agreed.score)
                    setattr(line, f"{prefix}reason", agreed.rationale)
        lines.append(line)
    parts = [
        PartLine(
            PART_LABELS[part],
            results.part_weights.get(part, Decimal("0")),
            mine.parts.get(part, Decimal("0")),
            winner.parts.get(part, Decimal("0")),
        )
        for part in Part
    ]
    return SummaryData(
        award=award,
        tender=evaluation.tender,
        lot=award.lot,
        authority=award.authority,
        supplier=mine.submission.content.get("supplier") or offer.organisation.name,
        winner_supplier=winner.submission.content.get("supplier") or winner.offer.organisation.name,
        is_winner=offer.pk == award.offer_id,
        rank=mine.rank,
        tied=mine.tied,
        offers_assessed=len(results.rows),
        total=mine.total,
        winner_total=winner.total,
        price=mine.price,
        commitments_net=mine.commitments_net,
        below_minimum=list(mine.below_minimum),
        lines=lines,
        parts=parts,
        price_formula_text=results.price_formula_text,
        quantitative_text=results.quantitative_text,
        tie_break_text=results.tie_break_text,
    )


# The PDF, as a job --------------------------------------------------------------------------------------------


def summary_pdf_bytes(summary: AssessmentSummary) -> bytes:
    data = summary_build(summary.award, summary.offer)
    return html_to_pdf(
        render_to_string("evaluation/summaries/summary_pdf.html", {"data": data, "generated_at": timezone.now()})
    )


@register_job_kind(SUMMARY_PDF, label="Assessment summary (PDF)", permission="evaluation.manage")
def assessment_summary_pdf(job: Job, report_progress) -> tuple[str, bytes]:
    summary = AssessmentSummary.objects.select_related(
        "award__evaluation__tender", "award__lot", "award__authority", "offer__organisation"
    ).get(pk=job.params["summary_id"], authority=job.authority)
    report_progress(1, 3)
    content = summary_pdf_bytes(summary)
    report_progress(2, 3)
    tender = summary.award.evaluation.tender
    lot = f"-lot-{summary.award.lot.number}" if summary.award.lot else ""
    supplier = slugify(summary.offer.organisation.name)[:40]
    return f"assessment-summary-{slugify(tender.reference)}{lot}-{supplier}.pdf", content


def summary_pdf_start(*, summary: AssessmentSummary, acting_user: User | None) -> Job:
    job = job_start(
        authority=summary.authority, acting_user=acting_user, kind=SUMMARY_PDF, params={"summary_id": summary.pk}
    )
    AssessmentSummary.objects.filter(pk=summary.pk).update(job=job)
    summary.job = job
    return job


def summary_pdf_job(summary: AssessmentSummary) -> Job | None:
    """The summary's PDF job; a new one (started by the system) when there is none, when the last one failed more
    than RETRY_AFTER ago, or when it has waited longer than STALE_AFTER. Without a broker the new job runs
    in-process, so it may be finished already."""
    job, now = summary.job, timezone.now()
    failed = job is not None and job.status == JobStatus.FAILED
    lost = job is not None and job.status == JobStatus.PENDING and job.created_at < now - STALE_AFTER
    retry = job is None or lost or (failed and (job.finished_at is None or job.finished_at < now - RETRY_AFTER))
    if retry:
        job = summary_pdf_start(summary=summary, acting_user=None)
        job.refresh_from_db()
    return job


# Issuing on the award decision --------------------------------------------------------------------------------


def _member_emails(organisation_id: int) -> list[str]:
    return list(
        OrganisationMembership.objects.filter(organisation_id=organisation_id, status=OrganisationMemberStatus.APPROVED)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def _notify(summaries: list[AssessmentSummary], award: Award) -> None:
    """Emails each bidder's approved members that their summary is ready (after the decision has committed)."""
    tender = award.evaluation.tender
    for summary in summaries:
        path = reverse("evaluation:summary", args=[award.authority.slug, award.pk])
        context = {
            "authority_name": award.authority.name,
            "tender_reference": tender.reference,
            "tender_title": tender.title,
            "lot": award.lot,
            "supplier": summary.organisation.name,
            "standstill_ends_on": award.standstill_ends_on,
            "summary_path": path,
            "all_summaries_path": reverse("evaluation:my-summaries"),
        }
        for email in _member_emails(summary.organisation_id):
            send_templated_email(to=[email], template="assessment_summary_ready", context=context)


def summaries_issue(*, award: Award, acting_user: User) -> list[AssessmentSummary]:
    """One summary per assessed offer of the award's tender (or lot), each with its PDF job; the bidders' members
    are emailed once the decision commits. Call inside the award decision's transaction, once per award."""
    offers = selectors.evaluable_offers(award.evaluation.tender, award.lot, all_lots=False)
    with transaction.atomic():
        summaries = []
        for offer, _ in offers:
            summary, _ = AssessmentSummary.objects.get_or_create(
                award=award,
                offer=offer,
                defaults={"authority": award.authority, "organisation_id": offer.organisation_id},
            )
            if summary.job_id is None:
                summary_pdf_start(summary=summary, acting_user=acting_user)
            summaries.append(summary)
        audit_record(
            authority=award.authority,
            actor=acting_user,
            verb="evaluation.summaries_issued",
            obj=award.evaluation,
            changes={"lot": award.lot.number if award.lot else None, "offers": [s.offer_id for s in summaries]},
        )
        # robust: the award stands even if the mail server refuses; the summaries are on the bidders' accounts.
        transaction.on_commit(lambda: _notify(summaries, award), robust=True)
    return summaries


# What a bidder may read ---------------------------------------------------------------------------------------


def _member_filter(user: User) -> dict:
    return {
        "organisation__kind": OrganisationKind.SUPPLIER,
        "organisation__memberships__user": user,
        "organisation__memberships__status": OrganisationMemberStatus.APPROVED,
    }


def summaries_for_member(user: User) -> list[AssessmentSummary]:
    """Every summary issued to the supplier organisations the person is an approved member of, to every authority,
    newest first. Reads across authorities (a supplier bids to many), filtered by the person's memberships, so it
    runs unscoped; everything the page shows is fetched before the unscoped block ends."""
    if user is None or not user.is_authenticated:
        return []
    with dangerously_unscoped():
        return list(
            AssessmentSummary.objects.filter(**_member_filter(user))
            .select_related("authority", "award__evaluation__tender", "award__lot", "organisation")
            .distinct()
            .order_by("-issued_at", "-pk")
        )


def summaries_for_award(award_id, user: User) -> list[AssessmentSummary]:
    """The summaries of one award (of the current authority's scope) issued to the person's organisations: usually
    one; none when they had no assessed offer in it."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        AssessmentSummary.objects.filter(award_id=award_id, **_member_filter(user))
        .select_related("award__evaluation__tender", "award__lot", "award__authority", "offer__organisation", "job")
        .distinct()
        .order_by("organisation__name", "pk")
    )


def summary_for_member(summary_id, user: User) -> AssessmentSummary | None:
    """One summary (of the current authority's scope), if it was issued to one of the person's organisations."""
    if user is None or not user.is_authenticated:
        return None
    return (
        AssessmentSummary.objects.filter(pk=summary_id, **_member_filter(user))
        .select_related("award__evaluation__tender", "award__lot", "organisation", "job")
        .first()
    )
