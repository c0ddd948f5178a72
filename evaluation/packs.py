"""Evaluation packs: the record of an evaluation, for the file and for challenge, as three files made by background
jobs (accounts/jobs.py) behind the `evaluation.export` permission, each with params `{"evaluation_id": id}`:

- `evaluation_pack_pdf`: the tender and its threshold assessment, relevant measures with their reasons and weights,
  weightings (and any out-of-band justification), the panel with its declarations and decisions, each offer's
  commitments with monetised values and identikit and over-claim flags, individual and moderated scores with their
  rationales, spreads, the ranking per lot with its sensitivity, the award and standstill, and the evaluation's
  audit trail. A tagged PDF (foundation/pdf.py) with page numbers and table headers repeated on every page.
- `evaluation_pack_xlsx`: sheets Offers, Commitments, Individual scores, Moderated scores and Ranking, with typed
  cells (numbers as numbers, dates as dates).
- `evaluation_pack_csv`: every score in long form, UTF-8 with a BOM, safe to open in a spreadsheet.

A pack is made only once moderation is finalised: before then scores are still independent and private to each
evaluator. Everything comes from one `pack_content` read: the results per lot from `evaluation.selectors`, and the
offers' submitted content through the sealing guard (`tenders.sealing`, as the person who asked for the pack) —
never the draft offer tables. Handlers run inside the job's authority scope.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import audit_record
from accounts.exports import safe_cell
from accounts.jobs import register_job_kind
from accounts.models import AuditEvent, Job, User
from accounts.services import job_start
from foundation.errors import DomainError
from foundation.pdf import html_to_pdf
from tenders import sealing
from tenders.models import QuestionKind
from tenders.selectors import tender_detail

from . import scoring, selectors
from .models import (
    Award,
    ConflictDecision,
    Declaration,
    Evaluation,
    EvaluationStatus,
    ModeratedScore,
    PanelMember,
    Score,
)
from .scoring import Part

PACK_PDF = "evaluation_pack_pdf"
PACK_XLSX = "evaluation_pack_xlsx"
PACK_CSV = "evaluation_pack_csv"
PACK_KINDS = (PACK_PDF, PACK_XLSX, PACK_CSV)
PERMISSION = "evaluation.export"
MODERATED = "moderated"

# Starting a pack, and finding the latest one -------------------------------------------------------------------


def pack_refusal(evaluation: Evaluation) -> str | None:
    """Why the pack cannot be made now, or None when it can."""
    if evaluation.status == EvaluationStatus.SCORING:
        return (
            "The evaluation pack can be made once moderation is finalised: until then evaluators' scores are "
            "private to each of them, and there are no agreed scores or ranking to record."
        )
    return None


def pack_start(*, evaluation: Evaluation, acting_user: User) -> list[Job]:
    """Starts the three files of the pack (PDF, XLSX, CSV), each its own job, once moderation is finalised."""
    refusal = pack_refusal(evaluation)
    if refusal:
        raise DomainError(refusal)
    with transaction.atomic():
        jobs = [
            job_start(
                authority=evaluation.authority,
                acting_user=acting_user,
                kind=kind,
                params={"evaluation_id": evaluation.pk},
            )
            for kind in PACK_KINDS
        ]
        audit_record(
            authority=evaluation.authority,
            actor=acting_user,
            verb="evaluation.pack_started",
            obj=evaluation,
            changes={"jobs": [job.pk for job in jobs]},
        )
    return jobs


def pack_jobs(evaluation: Evaluation) -> list[Job]:
    """The latest job of each kind for this evaluation (the most recent pack), in PDF, XLSX, CSV order."""
    jobs = Job.objects.filter(
        authority=evaluation.authority, kind__in=PACK_KINDS, params__evaluation_id=evaluation.pk
    ).order_by("-created_at", "-id")
    latest = {}
    for job in jobs:
        latest.setdefault(job.kind, job)
    return [latest[kind] for kind in PACK_KINDS if kind in latest]


# What a pack holds --------------------------------------------------------------------------------------------


@dataclass(eq=False)
class PackOffer:
    """One evaluated offer: its submitted content as staff read it (tenders.sealing), its result, and its scores
    against each question (`cells`)."""

    offer: object
    view: sealing.OfferView
    result: selectors.OfferResult
    cells: list = field(default_factory=list)

    @property
    def supplier(self) -> str:
        return self.view.staff_offer.content["supplier"]

    @property
    def submission(self):
        return self.view.staff_offer.submission

    @property
    def value(self):
        return self.view.staff_offer.value


@dataclass(eq=False)
class ScoreCell:
    """One offer against one question: every evaluator's score, the spread between them, and the agreed score."""

    offer: PackOffer
    question: object
    label: str
    individual: list  # Score, by evaluator
    moderated: ModeratedScore | None

    @property
    def spread(self) -> Decimal | None:
        scores = [s.score for s in self.individual]
        return max(scores) - min(scores) if len(scores) >= 2 else None

    @property
    def spread_flagged(self) -> bool:
        return scoring.spread_flagged([s.score for s in self.individual], self.question.scale_max)


@dataclass
class CriterionLine:
    label: str
    part: str
    share: Decimal
    points: Decimal


@dataclass
class LotPack:
    lot: object  # None: the tender as a whole
    results: selectors.Results
    offers: list[PackOffer]  # by supplier
    cells: list[ScoreCell]  # by supplier, then question
    criteria: list[CriterionLine]
    award: Award | None

    @property
    def name(self) -> str:
        return f"Lot {self.lot.number}: {self.lot.title}" if self.lot else "The whole tender"

    @property
    def sensitivity_lines(self) -> list[dict]:
        """The winners with the social value weighting moved by −5, 0 and +5 points."""
        sensitivity = self.results.sensitivity
        if sensitivity is None:
            return []
        names = {o.offer.pk: o.supplier for o in self.offers}
        social = self.results.part_weights[Part.SOCIAL_VALUE]
        return [
            {
                "moved": moved,
                "weight": min(Decimal("100"), max(Decimal("0"), social + moved)),
                "winners": sorted(names.get(key, "") for key in keys),
            }
            for moved, keys in sorted(sensitivity.winners.items())
        ]


@dataclass
class AuditLine:
    at: datetime
    who: str
    what: str


@dataclass
class Pack:
    evaluation: Evaluation
    tender: object
    detail: object  # tenders.selectors.TenderDetail
    questions: list
    question_labels: dict  # question id → "Quality question 1"
    panel: list[PanelMember]
    lots: list[LotPack]
    awards: list[Award]
    audit: list[AuditLine]
    generated_at: datetime
    requested_by: User | None
    price_formula_text: str = ""
    tie_break_text: str = ""
    quantitative_text: str = scoring.QUANTITATIVE_TEXT
    problems: list = field(default_factory=list)

    @property
    def threshold_start(self) -> date | None:
        start = (self.detail.threshold or {}).get("start_date")
        return date.fromisoformat(start) if start else None

    @property
    def offers(self) -> list[PackOffer]:
        return [offer for lot in self.lots for offer in lot.offers]

    @property
    def cells(self) -> list[ScoreCell]:
        return [cell for lot in self.lots for cell in lot.cells]

    @property
    def individual_scores(self) -> list[tuple[ScoreCell, Score]]:
        return [(cell, score) for cell in self.cells for score in cell.individual]

    @property
    def moderated_scores(self) -> list[ScoreCell]:
        return [cell for cell in self.cells if cell.moderated is not None]


def question_labels(questions) -> dict:
    labels, counts = {}, {}
    for question in questions:
        counts[question.kind] = counts.get(question.kind, 0) + 1
        part = "Quality" if question.kind == QuestionKind.QUALITY else "Social value"
        labels[question.pk] = f"{part} question {counts[question.kind]}"
    return labels


def _criterion_lines(results: selectors.Results, labels: dict) -> list[CriterionLine]:
    names = {selectors.PRICE: "Price", selectors.COMMITMENTS: "Social value commitments (monetised)"}
    names |= {selectors.question_key(pk): label for pk, label in labels.items()}
    parts = {Part.PRICE: "Price", Part.QUALITY: "Quality", Part.SOCIAL_VALUE: "Social value"}
    return [
        CriterionLine(names.get(c.key, str(c.key)), parts[c.part], c.share, results.criterion_weights[c.key])
        for c in results.criteria
    ]


def _person(user) -> str:
    if user is None:
        return "someone no longer on the service"
    return user.full_name or user.email


def pack_content(evaluation: Evaluation, *, user: User | None) -> Pack:
    """Everything the three files hold, read once. `user` is who asked for the pack: offers are read as them,
    through the sealing guard, which refuses (and records) a reader without the role."""
    if user is None:
        raise DomainError("The person who asked for this pack is no longer on the service: ask for it again.")
    evaluation = Evaluation.objects.select_related("tender", "moderator", "finalised_by").get(pk=evaluation.pk)
    tender = evaluation.tender
    questions = selectors.questions_for(tender)
    labels = question_labels(questions)
    for question in questions:
        question.label = labels[question.pk]
    panel = list(
        PanelMember.objects.filter(evaluation=evaluation)
        .select_related("user", "decided_by")
        .order_by("user__full_name")
    )
    active = {m.pk for m in panel if m.decision != ConflictDecision.EXCLUDED}
    views = {s.offer.pk: s for s in sealing.offers_for_staff(tender=tender, user=user)}
    scores = {}
    for score in (
        Score.objects.filter(panel_member__evaluation=evaluation, panel_member_id__in=active)
        .select_related("panel_member__user")
        .order_by("panel_member__user__full_name", "panel_member_id")
    ):
        scores.setdefault((score.offer_id, score.question_id), []).append(score)
    moderated = {
        (m.offer_id, m.question_id): m
        for m in ModeratedScore.objects.filter(evaluation=evaluation).select_related("recorded_by")
    }
    awards = list(
        Award.objects.filter(evaluation=evaluation).select_related(
            "lot", "offer__organisation", "decided_by", "confirmed_by"
        )
    )
    lots = []
    for lot in list(tender.lots.order_by("number")) or [None]:
        results = selectors.results(evaluation, lot)
        if any(row.offer.pk not in views for row in results.rows):
            # Both read the current submissions; a record that silently left an offer out would be worse than none.
            raise DomainError("The evaluated offers and the opened offers differ: the pack was not made.")
        offers = [
            PackOffer(row.offer, sealing.offer_view(views[row.offer.pk]), row)
            for row in sorted(results.rows, key=lambda r: (r.offer.organisation.name.casefold(), r.offer.pk))
        ]
        cells = []
        for offer in offers:
            for answer in offer.view.answers:
                answer["label"] = labels[answer["question"].pk] if answer["question"] else "A question since removed"
            offer.cells = [
                ScoreCell(
                    offer,
                    question,
                    labels[question.pk],
                    scores.get((offer.offer.pk, question.pk), []),
                    moderated.get((offer.offer.pk, question.pk)),
                )
                for question in questions
            ]
            cells += offer.cells
        award = next((a for a in awards if a.lot_id == (lot.pk if lot else None)), None)
        lots.append(LotPack(lot, results, offers, cells, _criterion_lines(results, labels), award))
    return Pack(
        evaluation=evaluation,
        tender=tender,
        detail=tender_detail(tender),
        questions=questions,
        question_labels=labels,
        panel=panel,
        lots=lots,
        awards=awards,
        audit=audit_lines(evaluation, labels),
        generated_at=timezone.now(),
        requested_by=user,
        price_formula_text=lots[0].results.price_formula_text,
        tie_break_text=lots[0].results.tie_break_text,
        problems=[problem for lot in lots for problem in lot.results.problems],
    )


# The audit excerpt --------------------------------------------------------------------------------------------


def _score_text(value) -> str:
    # Audit events keep scores as they were typed or stored ("4", "4.0"): show them alike.
    try:
        return f"{Decimal(value).normalize():f}"
    except (TypeError, ArithmeticError):
        return str(value)


def _score_change(changes: dict, suppliers: dict, labels: dict, what: str) -> str:
    before, after = changes.get("before") or {}, changes.get("after") or {}
    where = f"{suppliers.get(changes.get('offer'), 'an offer')}, {labels.get(changes.get('question'), 'a question')}"
    if not before:
        return f"Recorded {what} for {where}: {_score_text(after.get('score'))}"
    text = f"Changed {what} for {where}: {_score_text(before.get('score'))} to {_score_text(after.get('score'))}"
    if before.get("rationale") != after.get("rationale"):
        text += ", with a new rationale"
    return text


def _describe(event: AuditEvent, suppliers: dict, labels: dict) -> str:
    changes = event.changes or {}
    declarations = dict(Declaration.choices)
    decisions = dict(ConflictDecision.choices)
    verb = event.verb
    if verb == "evaluation.started":
        return (
            f"Started the evaluation: price formula {changes.get('price_formula', '').replace('_', ' ')}, "
            f"tie-break by {changes.get('tie_break', '').replace('_', ' ')}, "
            f"{changes.get('commitments_share')}% of the social value weighting to commitments"
        )
    if verb == "evaluation.panel_member_added":
        return f"Added {changes.get('member')} to the panel"
    if verb == "evaluation.moderator_set":
        return f"Made {(changes.get('moderator') or {}).get('after')} the moderator"
    if verb == "evaluation.declaration_made":
        after = (changes.get("declaration") or {}).get("after")
        text = f"Declared: {declarations.get(after, after)}"
        return text + (f": {changes['interest']}" if changes.get("interest") else "")
    if verb == "evaluation.conflict_decided":
        decision = decisions.get(changes.get("decision"), changes.get("decision"))
        return f"Decided on {changes.get('member')}'s declared interest: {decision}. {changes.get('note', '')}".strip()
    if verb == "evaluation.score_recorded":
        return _score_change(changes, suppliers, labels, "a score")
    if verb == "evaluation.scores_submitted":
        return "Submitted their scores"
    if verb == "evaluation.moderated_score_recorded":
        return _score_change(changes, suppliers, labels, "the agreed score")
    if verb == "evaluation.finalised":
        return "Finalised moderation"
    if verb == "evaluation.award_decided":
        lot = f" of lot {changes['lot']}" if changes.get("lot") else ""
        return f"Decided the award{lot} to {suppliers.get(changes.get('offer'), 'an offer')}: {changes.get('reasons')}"
    if verb == "evaluation.award_confirmed":
        lot = f" of lot {changes['lot']}" if changes.get("lot") else ""
        return f"Confirmed the award{lot} to {suppliers.get(changes.get('offer'), 'an offer')}"
    if verb == "evaluation.pack_started":
        return "Asked for the evaluation pack"
    if verb == "tender.offers_opened":
        return f"Opened the offers ({changes.get('offers')} received)"
    return verb.replace("_", " ").replace(".", ": ", 1)


def audit_lines(evaluation: Evaluation, labels: dict) -> list[AuditLine]:
    """The evaluation's audit trail, oldest first, and the opening of the tender's offers: who did what, when."""
    tender = evaluation.tender
    suppliers = {offer.pk: offer.organisation.name for offer, _ in selectors.evaluable_offers(tender)}
    events = AuditEvent.objects.filter(
        authority=evaluation.authority, object_type="evaluation", object_id=str(evaluation.pk)
    )
    opening = AuditEvent.objects.filter(
        authority=evaluation.authority, object_type="tender", object_id=str(tender.pk), verb="tender.offers_opened"
    )
    return [
        AuditLine(
            event.created_at,
            event.actor.full_name if event.actor and event.actor.full_name else event.actor_label,
            _describe(event, suppliers, labels),
        )
        for event in (events | opening).select_related("actor").order_by("created_at", "id")
    ]


# The files ----------------------------------------------------------------------------------------------------


def _evaluation_for(job: Job) -> Evaluation:
    return Evaluation.objects.select_related("tender").get(pk=job.params["evaluation_id"], authority=job.authority)


def _filename(evaluation: Evaluation, job: Job, extension: str) -> str:
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M%S")
    return f"evaluation-pack-{slugify(evaluation.tender.reference) or evaluation.pk}-{stamp}.{extension}"


def _content_for(job: Job, report_progress) -> tuple[Evaluation, Pack]:
    evaluation = _evaluation_for(job)
    refusal = pack_refusal(evaluation)
    if refusal:  # re-opened since the job was queued: a pack must never show unmoderated scores
        raise DomainError(refusal)
    report_progress(1, 4)
    pack = pack_content(evaluation, user=job.requested_by)
    report_progress(2, 4)
    return evaluation, pack


def pack_pdf_bytes(pack: Pack) -> bytes:
    html = render_to_string("evaluation/pack/pack_pdf.html", {"pack": pack, "authority": pack.evaluation.authority})
    return html_to_pdf(html)


@register_job_kind(PACK_PDF, label="Evaluation pack (PDF)", permission=PERMISSION)
def evaluation_pack_pdf(job: Job, report_progress) -> tuple[str, bytes]:
    evaluation, pack = _content_for(job, report_progress)
    content = pack_pdf_bytes(pack)
    report_progress(3, 4)
    return _filename(evaluation, job, "pdf"), content


# XLSX: typed cells, one header row per sheet.


def _local(moment: datetime | None):
    # Spreadsheets have no time zones: write London wall-clock time (the zone is named in the header).
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def _lot_number(lot) -> int | None:
    return lot.number if lot else None


MONEY_FORMAT = '"£"#,##0.00'
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"

XLSX_SHEETS = {
    "Offers": [
        ("Lot", None),
        ("Supplier", None),
        ("Offer", None),
        ("Version", None),
        ("Received (London time)", DATETIME_FORMAT),
        ("Receipt", None),
        ("Price (£, excluding VAT)", MONEY_FORMAT),
        ("Social value, gross (£)", MONEY_FORMAT),
        ("Social value, net (£)", MONEY_FORMAT),
        ("Narratives flagged identikit", None),
        ("Over-claim flags", None),
        ("Rank", None),
        ("Total points", "0.00"),
    ],
    "Commitments": [
        ("Lot", None),
        ("Supplier", None),
        ("Offer", None),
        ("Measure code", None),
        ("Measure", None),
        ("Quantity", None),
        ("Unit", None),
        ("Delivery period", None),
        ("Place", None),
        ("Value, gross (£)", MONEY_FORMAT),
        ("Value, net (£)", MONEY_FORMAT),
        ("Identikit", None),
        ("Below the tender's minimum", None),
    ],
    "Individual scores": [
        ("Lot", None),
        ("Supplier", None),
        ("Offer", None),
        ("Question", None),
        ("Question text", None),
        ("Evaluator", None),
        ("Score", None),
        ("Scale maximum", None),
        ("Rationale", None),
        ("Recorded (London time)", DATETIME_FORMAT),
    ],
    "Moderated scores": [
        ("Lot", None),
        ("Supplier", None),
        ("Offer", None),
        ("Question", None),
        ("Question text", None),
        ("Agreed score", None),
        ("Scale maximum", None),
        ("Spread of individual scores", None),
        ("Spread flagged", None),
        ("Rationale", None),
        ("Recorded by", None),
        ("Recorded (London time)", DATETIME_FORMAT),
    ],
    "Ranking": [
        ("Lot", None),
        ("Rank", None),
        ("Tied", None),
        ("Supplier", None),
        ("Offer", None),
        ("Price (£, excluding VAT)", MONEY_FORMAT),
        ("Price points", "0.00"),
        ("Quality points", "0.00"),
        ("Social value points", "0.00"),
        ("Total points", "0.00"),
        ("Awarded", None),
        ("Standstill ends", DATE_FORMAT),
    ],
}


def xlsx_rows(pack: Pack) -> dict[str, list[list]]:
    """Each sheet's data rows (without the header), as typed values."""
    offers, commitments, individual, agreed, ranking = [], [], [], [], []
    for lot in pack.lots:
        number = _lot_number(lot.lot)
        for item in lot.offers:
            result = item.result
            offers.append(
                [
                    number,
                    item.supplier,
                    item.offer.pk,
                    item.submission.number,
                    _local(item.submission.received_at),
                    item.submission.receipt,
                    result.price,
                    item.value.total.gross,
                    item.value.total.net,
                    sum(1 for n in item.submission.flags.get("narratives", []) if n.get("identikit")),
                    len(item.view.overclaims),
                    result.rank,
                    result.total,
                ]
            )
            for commitment in item.view.commitments:
                value = commitment["value"]
                commitments.append(
                    [
                        number,
                        item.supplier,
                        item.offer.pk,
                        commitment["code"],
                        commitment["title"],
                        commitment["quantity"],
                        commitment["unit"],
                        commitment["delivery_period"],
                        commitment["place"],
                        value.gross if value else None,
                        value.net if value else None,
                        commitment["narrative"].identikit,
                        commitment["code"] in result.below_minimum,
                    ]
                )
        for cell in lot.cells:
            for score in cell.individual:
                individual.append(
                    [
                        number,
                        cell.offer.supplier,
                        cell.offer.offer.pk,
                        cell.label,
                        cell.question.text,
                        _person(score.panel_member.user),
                        score.score,
                        cell.question.scale_max,
                        score.rationale,
                        _local(score.updated_at),
                    ]
                )
            if cell.moderated is not None:
                agreed.append(
                    [
                        number,
                        cell.offer.supplier,
                        cell.offer.offer.pk,
                        cell.label,
                        cell.question.text,
                        cell.moderated.score,
                        cell.question.scale_max,
                        cell.spread,
                        cell.spread_flagged,
                        cell.moderated.rationale,
                        _person(cell.moderated.recorded_by),
                        _local(cell.moderated.recorded_at),
                    ]
                )
        names = {item.offer.pk: item.supplier for item in lot.offers}
        for row in lot.results.rows:
            awarded = lot.award is not None and lot.award.offer_id == row.offer.pk
            ranking.append(
                [
                    number,
                    row.rank,
                    row.tied,
                    names.get(row.offer.pk, row.offer.organisation.name),
                    row.offer.pk,
                    row.price,
                    row.parts.get(Part.PRICE),
                    row.parts.get(Part.QUALITY),
                    row.parts.get(Part.SOCIAL_VALUE),
                    row.total,
                    awarded,
                    lot.award.standstill_ends_on if awarded else None,
                ]
            )
    return {
        "Offers": offers,
        "Commitments": commitments,
        "Individual scores": individual,
        "Moderated scores": agreed,
        "Ranking": ranking,
    }


def pack_xlsx_bytes(pack: Pack) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in xlsx_rows(pack).items():
        columns = XLSX_SHEETS[title]
        sheet = workbook.create_sheet(title)
        sheet.append([header for header, _ in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
        for index, (header, number_format) in enumerate(columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = min(60, max(10, len(header) + 2))
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@register_job_kind(PACK_XLSX, label="Evaluation pack (XLSX)", permission=PERMISSION)
def evaluation_pack_xlsx(job: Job, report_progress) -> tuple[str, bytes]:
    evaluation, pack = _content_for(job, report_progress)
    content = pack_xlsx_bytes(pack)
    report_progress(3, 4)
    return _filename(evaluation, job, "xlsx"), content


# CSV: the scores in long form.

CSV_COLUMNS = ["tender", "lot", "offer", "supplier", "question", "evaluator", "score", "scale", "rationale"]


def csv_rows(pack: Pack) -> list[list]:
    """One row per score: every evaluator's, then the agreed one (evaluator "moderated"), by lot, offer, question."""
    rows = []
    reference = pack.tender.reference
    for lot in pack.lots:
        number = _lot_number(lot.lot)
        for cell in lot.cells:
            where = [reference, "" if number is None else number, cell.offer.offer.pk, cell.offer.supplier, cell.label]
            for score in cell.individual:
                rows.append(
                    [
                        *where,
                        _person(score.panel_member.user),
                        _decimal_text(score.score),
                        cell.question.scale_max,
                        score.rationale,
                    ]
                )
            if cell.moderated is not None:
                rows.append(
                    [
                        *where,
                        MODERATED,
                        _decimal_text(cell.moderated.score),
                        cell.question.scale_max,
                        cell.moderated.rationale,
                    ]
                )
    return rows


def _decimal_text(value: Decimal) -> str:
    return f"{value:f}"


def pack_csv_bytes(pack: Pack) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(pack):
        writer.writerow([safe_cell(value) for value in row])
    # With a BOM, Excel reads the file as UTF-8 (names and rationales keep their accents and £ signs).
    return buffer.getvalue().encode("utf-8-sig")


@register_job_kind(PACK_CSV, label="Evaluation pack (CSV)", permission=PERMISSION)
def evaluation_pack_csv(job: Job, report_progress) -> tuple[str, bytes]:
    evaluation, pack = _content_for(job, report_progress)
    content = pack_csv_bytes(pack)
    report_progress(3, 4)
    return _filename(evaluation, job, "csv"), content
