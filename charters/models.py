"""Charters: the measure library, charters and their versions (themes → outcomes → measures), consultations."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from accounts.models import Authority, Organisation

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
# £1m per unit is far beyond any published proxy (a job is valued in the tens of thousands): above it, a typo.
PROXY_LIMIT = Decimal("1000000")


class Unit(models.TextChoices):
    PEOPLE = "people", "people"
    FTE = "fte", "full-time equivalent jobs (FTE)"
    WEEKS = "weeks", "weeks"
    HOURS = "hours", "hours"
    GBP = "gbp", "£"
    TCO2E = "tco2e", "tonnes CO2e"
    COUNT = "count", "count"
    PERCENT = "percent", "%"


class ReportingFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    ANNUALLY = "annually", "Annually"
    END_OF_CONTRACT = "end_of_contract", "At the end of the contract"


class MeasureFields(models.Model):
    """What a measure says, shared by the platform library, an authority's local measures and charter measures."""

    code = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    proxy_value_gbp = models.DecimalField(
        "proxy value (£ per unit)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(PROXY_LIMIT)],
    )
    proxy_source = models.CharField(max_length=300, blank=True)
    proxy_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    deadweight_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    attribution_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    displacement_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    dropoff_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.code} {self.title}"


class LibraryMeasureFields(MeasureFields):
    theme = models.CharField("theme it usually serves", max_length=200, blank=True)
    outcome = models.CharField("outcome it usually serves", max_length=200, blank=True)
    evidence_guidance = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # Edit history: one entry per change, {"at", "by", "changes": {field: {"before", "after"}}}.
    history = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["code"]


class Measure(LibraryMeasureFields):
    """A standard measure in the platform's shared library, curated by the operator. Not tenant data."""

    class Meta(LibraryMeasureFields.Meta):
        constraints = [models.UniqueConstraint(fields=["code"], name="measure_code_unique")]


class LocalMeasure(LibraryMeasureFields):
    """A measure an authority keeps for itself (its own, or its licensed copy of a measure set)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="local_measures")

    objects = ScopedManager(authority="authority")

    class Meta(LibraryMeasureFields.Meta):
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="local_measure_code_unique")]


class Charter(models.Model):
    class Origin(models.TextChoices):
        BLANK = "blank", "Started blank"
        TEMPLATE = "template", "Started from the Social Value Model template"
        COPY = "copy", "Copied from another authority's adopted charter"

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="charters")
    title = models.CharField(max_length=200)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.BLANK)
    # Provenance of a copy, in words, so reading it never needs the other authority's data.
    origin_note = models.CharField(max_length=300, blank=True)
    copied_from_version_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["authority", "title"])]

    def __str__(self):
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONSULTATION = "consultation", "In consultation"
    ADOPTED = "adopted", "Adopted"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Statuses in which a version's content may change. An adopted (or superseded) version is frozen: the service layer
# refuses, and database triggers (migration 0002) refuse any route around it.
EDITABLE_STATUSES = (VersionStatus.DRAFT,)
FROZEN_STATUSES = (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED)


class CharterVersion(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="charter_versions")
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=15, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    title = models.CharField(max_length=200)
    vision = models.TextField(blank=True)
    local_context = models.TextField("local context", blank=True)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Adoption without a closed consultation needs a recorded reason.
    adoption_reason = models.TextField(blank=True)
    withdrawn_reason = models.TextField(blank=True)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["charter", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "number"], name="charter_version_number_unique"),
            models.UniqueConstraint(
                fields=["charter"], condition=models.Q(status="adopted"), name="charter_one_adopted_version"
            ),
            models.UniqueConstraint(
                fields=["charter"],
                condition=models.Q(status__in=["draft", "consultation"]),
                name="charter_one_open_version",
            ),
        ]
        indexes = [models.Index(fields=["authority", "status"])]

    def __str__(self):
        return f"{self.title} (version {self.number})"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    def paragraphs(self):
        return [part.strip() for part in self.local_context.split("\n\n") if part.strip()]


class VersionContent(models.Model):
    """A piece of a charter version. Carries its version (and authority) so guards need no joins."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class PriorityPlace(VersionContent):
    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(max_length=120)
    needs = models.CharField("needs", max_length=500, blank=True)

    objects = ScopedManager(authority="authority")

    def __str__(self):
        return self.name


class Theme(VersionContent):
    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.DecimalField("weight (%)", max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT)
    # The theme this one was copied from in the previous version: diffs and "you said, we did" follow it.
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager(authority="authority")

    def __str__(self):
        return self.title


class Outcome(VersionContent):
    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="outcomes")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="outcomes")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager(authority="authority")

    def __str__(self):
        return self.title


class CharterMeasure(VersionContent, MeasureFields):
    """A measure as this charter version asks for it: copied from the library, then adapted to the place."""

    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="measures")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="measures")
    library_measure = models.ForeignKey(Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    local_measure = models.ForeignKey(LocalMeasure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    evidence_required = models.TextField(blank=True)
    reporting_frequency = models.CharField(
        max_length=20, choices=ReportingFrequency.choices, default=ReportingFrequency.QUARTERLY
    )
    min_contract_value = models.DecimalField(
        "applies to contracts worth at least (£)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta(VersionContent.Meta):
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="charter_measure_code_unique")]


class Consultation(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="consultations")
    version = models.OneToOneField(CharterVersion, on_delete=models.CASCADE, related_name="consultation")
    opens_on = models.DateField()
    closes_on = models.DateField()
    # Required when shorter than the authority's default (the Compact's 12 weeks); shown on the public page.
    shorter_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gt=models.F("opens_on")), name="consultation_closes_after_opening"
            ),
        ]

    def __str__(self):
        return f"Consultation on {self.version}"

    @property
    def length_days(self) -> int:
        return (self.closes_on - self.opens_on).days

    @property
    def length_weeks(self) -> Decimal:
        return (Decimal(self.length_days) / 7).quantize(Decimal("0.1"))

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class CommentSection(models.TextChoices):
    VISION = "vision", "Vision"
    CONTEXT = "context", "Local context"
    THEME = "theme", "Theme"
    OUTCOME = "outcome", "Outcome"
    MEASURE = "measure", "Measure"


class CommentStatus(models.TextChoices):
    HELD = "held", "Waiting for moderation"
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden"


class Comment(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # The community group the commenter speaks for; none for a resident speaking for themselves.
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    section = models.CharField(max_length=10, choices=CommentSection.choices)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, null=True, blank=True, related_name="comments")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, null=True, blank=True, related_name="comments")
    measure = models.ForeignKey(
        CharterMeasure, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    text = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=CommentStatus.choices, default=CommentStatus.HELD)
    hidden_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["authority", "consultation", "status"])]

    def __str__(self):
        return f"Comment on {self.get_section_display().lower()} ({self.get_status_display().lower()})"

    @property
    def anchor(self):
        return self.measure or self.outcome or self.theme


class ResponseOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    PARTLY = "partly", "Partly accepted"
    NOT_ACCEPTED = "not_accepted", "Not accepted"
    NOTED = "noted", "Noted"


class CommentResponse(models.Model):
    """The authority's public answer to a published comment ("you said, we did")."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="response")
    outcome = models.CharField(max_length=15, choices=ResponseOutcome.choices)
    text = models.TextField(max_length=5000)
    # Where the comment changed the charter: what changed in the next version, in words.
    change_made = models.TextField(blank=True, max_length=2000)
    responded_at = models.DateTimeField(default=timezone.now)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.text[:60]}"
