"""Tenders: procurement thresholds (data), CPV codes, tenders with lots, relevant measures, questions, weightings,
amendments and clarification questions."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from accounts.models import Authority, Organisation, private_storage
from charters.models import CharterMeasure, CharterVersion

MONEY = {"max_digits": 14, "decimal_places": 2}


# Reference data (platform-wide, curated by the operator) ----------------------------------------------------


class Regime(models.TextChoices):
    PROCUREMENT_ACT_2023 = "pa2023", "Procurement Act 2023"
    PCR_2015 = "pcr2015", "Public Contracts Regulations (earlier regime)"


class BuyerType(models.TextChoices):
    CENTRAL = "central", "Central government"
    SUB_CENTRAL = "sub_central", "Sub-central authority"
    UTILITIES = "utilities", "Utilities"
    DEFENCE = "defence", "Defence and security"


class ThresholdCategory(models.TextChoices):
    GOODS_SERVICES = "goods_services", "Goods and services"
    WORKS = "works", "Works"
    LIGHT_TOUCH = "light_touch", "Light-touch services"
    CONCESSIONS = "concessions", "Concessions"


class VatBasis(models.TextChoices):
    INCLUSIVE = "inclusive", "including VAT"
    EXCLUSIVE = "exclusive", "excluding VAT"


class Threshold(models.Model):
    """A procurement threshold in force for a period: data, never code (see RULES.md)."""

    regime = models.CharField(max_length=10, choices=Regime.choices)
    buyer_type = models.CharField(max_length=15, choices=BuyerType.choices)
    category = models.CharField(max_length=20, choices=ThresholdCategory.choices)
    value = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    vat_basis = models.CharField(max_length=10, choices=VatBasis.choices)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Last day in force; empty while in force")
    source = models.CharField(max_length=300)
    confirmed = models.BooleanField(default=True, help_text="Untick for a value seeded but not yet confirmed")

    class Meta:
        ordering = ["regime", "buyer_type", "category", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "buyer_type", "category", "effective_from"], name="threshold_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="threshold_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.get_regime_display()}: {self.get_category_display()}, {self.get_buyer_type_display()}"


class CpvCode(models.Model):
    """A Common Procurement Vocabulary (CPV 2008) main-vocabulary code, without its check digit."""

    code = models.CharField(max_length=8, primary_key=True)
    description = models.CharField(max_length=300)
    division = models.CharField(max_length=2, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "CPV code"

    def __str__(self):
        return f"{self.code} {self.description}"

    @property
    def is_works(self) -> bool:
        return self.division == "45"


# Tenders ----------------------------------------------------------------------------------------------------


class TenderCategory(models.TextChoices):
    GOODS = "goods", "Goods"
    SERVICES = "services", "Services"
    WORKS = "works", "Works"
    LIGHT_TOUCH = "light_touch", "Light-touch services"


class TenderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"
    AWARDED = "awarded", "Awarded"  # set by evaluation when every lot's award is confirmed
    CANCELLED = "cancelled", "Cancelled"


class Tender(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="tenders")
    reference = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=15, choices=TenderCategory.choices)
    estimated_value = models.DecimalField(
        "estimated value excluding VAT (£)", **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    vat_rate = models.DecimalField(
        "VAT rate (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    contract_term_months = models.PositiveSmallIntegerField(
        "contract term (months)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    cpv_codes = models.ManyToManyField(CpvCode, blank=True, related_name="+")
    procurement_start_date = models.DateField(null=True, blank=True)
    publish_at = models.DateTimeField("publication date", null=True, blank=True)
    clarification_deadline = models.DateTimeField(null=True, blank=True)
    submission_deadline = models.DateTimeField(null=True, blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.EmailField(blank=True)
    # The adopted charter version the tender asks for: set at publication, never changed after.
    charter_version = models.ForeignKey(
        CharterVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="tenders"
    )
    price_weight = models.PositiveSmallIntegerField(default=60, validators=[MaxValueValidator(100)])
    quality_weight = models.PositiveSmallIntegerField(default=30, validators=[MaxValueValidator(100)])
    social_value_weight = models.PositiveSmallIntegerField(default=10, validators=[MaxValueValidator(100)])
    # Required when the social value weighting is outside the authority's band; shown on the tender and the pack.
    weighting_justification = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=TenderStatus.choices, default=TenderStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    # What `assess_threshold` said at publication, kept with the tender.
    threshold_assessment = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where an imported tender came from")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Offers are sealed until a procurement officer opens them, after the submission deadline (tenders/sealing.py).
    offers_opened_at = models.DateTimeField(null=True, blank=True)
    offers_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "reference"], name="tender_reference_unique"),
        ]
        indexes = [
            models.Index(fields=["authority", "status"]),
            models.Index(fields=["status", "submission_deadline"]),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    @property
    def value_including_vat(self) -> Decimal:
        return (self.estimated_value * (1 + self.vat_rate / 100)).quantize(Decimal("0.01"))

    @property
    def ocid(self) -> str:
        """The tender's contracting process in open data (Open Contracting ID): the installation's registered prefix
        and the tender's id, so it never changes once published (publication/ocds.py)."""
        return f"{settings.OCDS_OCID_PREFIX}-tender-{self.pk}"


class Lot(models.Model):
    """Part of a tender that bidders can offer for on its own. A tender without lots is one lot."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    estimated_value = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    # Weightings of its own where they differ from the tender's (all three, or none).
    price_weight = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    quality_weight = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    social_value_weight = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique")]

    def __str__(self):
        return f"Lot {self.number}: {self.title}"


class QuantityKind(models.TextChoices):
    MINIMUM = "minimum", "Minimum"
    TARGET = "target", "Target"


class RelevantMeasure(models.Model):
    """A measure of the pinned charter that this tender (or one lot) asks for, with why it is relevant."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="relevant_measures")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, null=True, blank=True, related_name="relevant_measures")
    charter_measure = models.ForeignKey(CharterMeasure, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("why it is relevant to what is bought", max_length=2000)
    quantity = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    quantity_kind = models.CharField(max_length=10, choices=QuantityKind.choices, default=QuantityKind.TARGET)
    weight = models.DecimalField(
        "weight within social value (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "lot", "charter_measure"], name="relevant_measure_unique"),
        ]

    def __str__(self):
        return f"{self.charter_measure.code} for {self.tender.reference}"


class QuestionKind(models.TextChoices):
    QUALITY = "quality", "Quality"
    SOCIAL_VALUE = "social_value", "Social value method statement"


def default_scale_descriptors():
    return [
        "No response, or the response fails to address the question",
        "Poor: significant gaps and little evidence",
        "Weak: some gaps; limited evidence",
        "Satisfactory: meets the requirement with adequate evidence",
        "Good: meets the requirement well, with clear evidence",
        "Excellent: exceeds the requirement, with strong and specific evidence",
    ]


class Question(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=15, choices=QuestionKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(max_length=3000)
    guidance = models.TextField(blank=True, max_length=5000)
    word_limit = models.PositiveIntegerField(default=500, validators=[MinValueValidator(50), MaxValueValidator(5000)])
    weight = models.DecimalField(
        "weight within its part (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    scale_max = models.PositiveSmallIntegerField(default=5, choices=[(5, "0 to 5"), (10, "0 to 10"), (100, "0 to 100")])
    scale_descriptors = models.JSONField(default=default_scale_descriptors, blank=True)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["kind", "position", "id"]

    def __str__(self):
        return self.text[:80]


class Amendment(models.Model):
    """A recorded change to a published tender: what changed, why and when."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="amendments")
    changes = models.JSONField(default=dict)
    reason = models.TextField(max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Amendment to {self.tender.reference} on {self.created_at:%d %b %Y}"


class Clarification(models.Model):
    """A bidder's question, asked privately; the authority answers it and publishes it, anonymised, to all."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    question = models.TextField(max_length=3000)
    asked_at = models.DateTimeField(default=timezone.now)
    # The question as published: the officer may remove anything that identifies the bidder.
    published_question = models.TextField(blank=True, max_length=3000)
    answer = models.TextField(blank=True, max_length=5000)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self):
        return self.question[:80]

    @property
    def is_published(self) -> bool:
        return self.answered_at is not None


# Offers -----------------------------------------------------------------------------------------------------


class OfferStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Offer(models.Model):
    """A supplier's social value offer for a tender (or one lot of it). Its members build the draft together; each
    submission freezes a copy with its receipt (OfferSubmission). Sealed until the submission deadline."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="offers")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="offers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offers")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    price = models.DecimalField(
        "price (£, excluding VAT)", **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["tender", "lot", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "organisation"], condition=models.Q(lot__isnull=True), name="offer_one_per_tender"
            ),
            models.UniqueConstraint(
                fields=["tender", "lot", "organisation"],
                condition=models.Q(lot__isnull=False),
                name="offer_one_per_lot",
            ),
        ]
        indexes = [models.Index(fields=["authority", "tender", "status"])]

    def __str__(self):
        # Not the supplier's name: this names the offer in the audit log, which staff read while offers are sealed.
        return f"Offer {self.pk} for {self.tender.reference}"


class Commitment(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="commitments")
    relevant_measure = models.ForeignKey(RelevantMeasure, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    delivery_period = models.CharField(max_length=200, blank=True)
    place = models.CharField(max_length=200, blank=True)
    narrative = models.TextField(blank=True, max_length=5000)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["relevant_measure_id"]
        constraints = [models.UniqueConstraint(fields=["offer", "relevant_measure"], name="commitment_unique")]

    def __str__(self):
        return f"{self.quantity} × {self.relevant_measure.charter_measure.code}"


class MethodStatementAnswer(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=40000)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["question__kind", "question__position", "question_id"]
        constraints = [models.UniqueConstraint(fields=["offer", "question"], name="answer_unique")]

    def __str__(self):
        return f"Answer to {self.question}"


class OfferSubmission(models.Model):
    """One submitted version of an offer: the content as submitted, the server's time of receipt and the receipt
    (SHA-256 over both, see tenders/receipts.py). Never changed after it is made; a withdrawal is recorded on it."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    received_at = models.DateTimeField()
    receipt = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Identikit and over-claim findings, computed on submission, shown to evaluators after opening.
    flags = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["offer", "number"]
        constraints = [models.UniqueConstraint(fields=["offer", "number"], name="submission_number_unique")]

    def __str__(self):
        return f"Submission {self.number} of {self.offer}"


class IdentikitKey(models.Model):
    """One shingle of a current submission's narratives (a 64-bit hash of 5 normalised words, see
    tenders/identikit_keys.py), stored on submission so that the identikit check finds the earlier submissions
    sharing any shingle with a new one by index, instead of reading and re-tokenising the supplier's whole history.
    A withdrawn submission's keys are deleted: it is never compared again. Derived data: `manage.py
    identikit_keys_rebuild` remakes it from the submissions (after a change to identikit.FINGERPRINT_VERSION)."""

    # Each of these three starts one of the indexes below, so none needs an index of its own.
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+", db_index=False)
    submission = models.ForeignKey(
        OfferSubmission, on_delete=models.CASCADE, related_name="identikit_keys", db_index=False
    )
    # Stored, not reached through the submission, for the two look-ups: the supplier's own submissions (to any
    # authority, so this index does not start with the authority: docs/decisions/0008) and the other offers to
    # the same tender.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()

    objects = ScopedManager(authority="authority")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "key"], name="identikit_key_unique")]
        indexes = [
            models.Index(fields=["organisation", "key"], name="identikit_key_supplier"),
            models.Index(fields=["authority", "tender", "key"], name="identikit_key_tender"),
        ]

    def __str__(self):
        return f"Identikit key of submission {self.submission_id}"


def offer_document_path(document, filename):
    # The stored name carries no part of the uploaded one: names can say who bid.
    return f"offers/{document.authority_id}/{document.offer_id}/{uuid.uuid4().hex}"


class DocumentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document (DOCX)"
    XLSX = "xlsx", "Excel spreadsheet (XLSX)"


class OfferDocument(models.Model):
    """A supporting document attached to an offer: kept in private storage, its type found from its content, and
    covered by the receipt (its SHA-256 is part of the submitted content). Sealed like the rest of the offer."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(storage=private_storage, upload_to=offer_document_path, max_length=300)
    name = models.CharField("file name as uploaded", max_length=200)
    kind = models.CharField(max_length=5, choices=DocumentKind.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["offer", "uploaded_at", "id"]

    def __str__(self):
        return self.name
