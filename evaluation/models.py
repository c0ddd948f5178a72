"""Evaluation of a tender's opened offers: the panel and its conflict declarations, individual scores, moderated
scores, and the award with its standstill period. One evaluation per tender; results and awards are per lot (a
tender without lots is one lot)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from accounts.models import Authority
from tenders.models import Lot, Offer, Question, Tender

from .scoring import PriceFormula, TieBreak


class EvaluationStatus(models.TextChoices):
    SCORING = "scoring", "Scoring"
    FINALISED = "finalised", "Moderation finalised"
    AWARDED = "awarded", "Awarded"


class Evaluation(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="evaluation")
    status = models.CharField(max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.SCORING)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    price_formula = models.CharField(
        max_length=20,
        choices=[(f.value, f.value.replace("_", " ").capitalize()) for f in PriceFormula],
        default=PriceFormula.LOWEST_RATIO,
    )
    tie_break = models.CharField(
        max_length=15,
        choices=[(t.value, t.value.replace("_", " ").capitalize()) for t in TieBreak],
        default=TieBreak.QUALITY,
    )
    # The social value weighting is shared between the commitments (monetised) and the method statements.
    commitments_share = models.DecimalField(
        "share of the social value weighting given to the commitments (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(authority="authority")

    def __str__(self):
        return f"Evaluation of {self.tender.reference}"


class Declaration(models.TextChoices):
    PENDING = "pending", "Not yet declared"
    NONE = "none", "No conflict of interest"
    DECLARED = "declared", "Interest declared"


class ConflictDecision(models.TextChoices):
    UNDECIDED = "", "Awaiting a decision"
    ALLOWED = "allowed", "Allowed with mitigation"
    EXCLUDED = "excluded", "Excluded from the panel"


class PanelMember(models.Model):
    """An evaluator on the panel. Offer content stays hidden from them until they have declared no conflict, or
    a declared interest has been allowed with a mitigation note."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declaration = models.CharField(max_length=10, choices=Declaration.choices, default=Declaration.PENDING)
    interest = models.TextField("the interest declared", blank=True, max_length=3000)
    declared_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=ConflictDecision.choices, blank=True, default="")
    decision_note = models.TextField(blank=True, max_length=3000)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scores_submitted_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["evaluation", "user__full_name"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "user"], name="panel_member_unique")]

    def __str__(self):
        return f"{self.user} on {self.evaluation}"

    @property
    def may_see_offers(self) -> bool:
        return self.declaration == Declaration.NONE or (
            self.declaration == Declaration.DECLARED and self.decision == ConflictDecision.ALLOWED
        )


SCORE = {"max_digits": 5, "decimal_places": 1, "validators": [MinValueValidator(Decimal("0"))]}


class Score(models.Model):
    """One evaluator's score of one offer against one written question, with the reason."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    panel_member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(**SCORE)
    rationale = models.TextField(max_length=5000)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["panel_member_id", "offer_id", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["panel_member", "offer", "question"], name="score_unique"),
        ]

    def __str__(self):
        return f"{self.score} from {self.panel_member.user} on offer {self.offer_id}"


class ModeratedScore(models.Model):
    """The score the panel agreed for one offer against one question, with the reason: what the ranking uses."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="moderated_scores")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(**SCORE)
    rationale = models.TextField(max_length=5000)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["evaluation_id", "offer_id", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "offer", "question"], name="moderated_score_unique"),
        ]

    def __str__(self):
        return f"Agreed {self.score} on offer {self.offer_id}"


class Award(models.Model):
    """The award decision for the tender (or one lot): the winning offer, the reasons and the standstill period;
    confirmed once standstill has ended."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="awards")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField(max_length=5000)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    standstill_ends_on = models.DateField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What contract follow-up needs, frozen at confirmation: supplier, value and the winning commitments.
    contract_terms = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["evaluation_id", "lot_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"], condition=models.Q(lot__isnull=True), name="award_one_per_tender"
            ),
            models.UniqueConstraint(
                fields=["evaluation", "lot"], condition=models.Q(lot__isnull=False), name="award_one_per_lot"
            ),
        ]

    def __str__(self):
        return f"Award of {self.evaluation.tender.reference}" + (f", lot {self.lot.number}" if self.lot else "")


class BankHoliday(models.Model):
    """England and Wales bank holidays (reference data, from GOV.UK), for working-day periods such as standstill."""

    date = models.DateField(primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.name} ({self.date:%-d %B %Y})"


class AssessmentSummary(models.Model):
    """The assessment summary (Procurement Act 2023 s.50) owed to one bidder with an assessed offer, issued when
    the award is decided: the page and the PDF are built from the finalised results (evaluation/summaries.py)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="summaries")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    # Stored, not only reached through the offer: bidders find their summaries across authorities by it.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    job = models.ForeignKey("accounts.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["award_id", "offer_id"]
        constraints = [models.UniqueConstraint(fields=["award", "offer"], name="assessment_summary_unique")]
        indexes = [models.Index(fields=["organisation", "-issued_at"])]

    def __str__(self):
        return f"Assessment summary for offer {self.offer_id}"
