"""Contract follow-up: the contract after award, its social value commitments and KPIs, the reporting schedule,
suppliers' delivery reports with evidence, the contract manager's verification line by line, reminders, and
community checks on delivered items."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from accounts.models import Authority, Organisation, private_storage
from charters.models import CharterMeasure, CharterVersion
from tenders.models import Lot, RelevantMeasure, Tender

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 2}


class ContractStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"


class ReportingLevel(models.TextChoices):
    LIGHT_TOUCH = "light_touch", "Light-touch: half-yearly milestone reports"
    STANDARD = "standard", "Quarterly reports"


class Contract(models.Model):
    """A contract being followed up: from a confirmed award, or entered directly for one awarded elsewhere."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    # The award it came from (evaluation.Award), if any; kept as an id and a tender link so compact reads
    # evaluation's frozen contract terms without the award being deleted under it.
    award_id_source = models.PositiveIntegerField(null=True, blank=True, unique=True)
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    charter_version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    supplier = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    value = models.DecimalField("contract value (£, excluding VAT)", **MONEY, validators=[MinValueValidator(0)])
    starts_on = models.DateField()
    ends_on = models.DateField()
    responsible_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reporting_level = models.CharField(max_length=12, choices=ReportingLevel.choices)
    status = models.CharField(max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True, max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-starts_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "reference"], name="contract_reference_unique"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_dates"),
        ]
        indexes = [models.Index(fields=["authority", "status"])]

    def __str__(self):
        return f"{self.reference}: {self.title}"


class ContractCommitment(models.Model):
    """A social value commitment the supplier must deliver: a quantity of a charter measure, by a date."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="commitments")
    charter_measure = models.ForeignKey(CharterMeasure, on_delete=models.PROTECT, related_name="+")
    # The tender's relevant measure it answers, when the contract came from a tender: the golden thread.
    relevant_measure = models.ForeignKey(
        RelevantMeasure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target = models.DecimalField(**QUANTITY, validators=[MinValueValidator(Decimal("0"))])
    place = models.CharField(max_length=200, blank=True)
    delivery_period = models.CharField(max_length=200, blank=True)
    narrative = models.TextField(blank=True, max_length=5000)
    due_on = models.DateField()

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["contract_id", "id"]

    def __str__(self):
        return f"{self.target} × {self.charter_measure.code} on {self.contract.reference}"


class Kpi(models.Model):
    """A key performance indicator set for the contract (Procurement Act s.52: at least 3 over £5m)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="kpis")
    title = models.CharField(max_length=200)
    target = models.CharField(max_length=200)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["contract_id", "id"]

    def __str__(self):
        return self.title


class ReportStatus(models.TextChoices):
    DUE = "due", "Due"
    SUBMITTED = "submitted", "Submitted"
    VERIFIED = "verified", "Verified"


class DeliveryReport(models.Model):
    """The supplier's report for one period of the schedule: actual quantities per commitment, a narrative and
    evidence. Submission is receipted like an offer (server time, SHA-256 over the content)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reports")
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=120)
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DUE)
    narrative = models.TextField(blank=True, max_length=10000)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    content = models.JSONField(default=dict, blank=True)
    receipt = models.CharField(max_length=64, blank=True)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["contract_id", "number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="report_number_unique")]
        indexes = [models.Index(fields=["authority", "status", "due_on"])]

    def __str__(self):
        return f"{self.contract.reference}, report {self.number}"


class Verification(models.TextChoices):
    PENDING = "pending", "Awaiting verification"
    ACCEPTED = "accepted", "Accepted"
    QUERIED = "queried", "Queried"
    REJECTED = "rejected", "Rejected"


class DeliveryLine(models.Model):
    """What the supplier reports delivered against one commitment in one period; only accepted lines count."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(DeliveryReport, on_delete=models.CASCADE, related_name="lines")
    commitment = models.ForeignKey(ContractCommitment, on_delete=models.PROTECT, related_name="lines")
    quantity = models.DecimalField(**QUANTITY, validators=[MinValueValidator(Decimal("0"))])
    place = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True, max_length=3000)
    verification = models.CharField(max_length=10, choices=Verification.choices, default=Verification.PENDING)
    verification_note = models.TextField(blank=True, max_length=3000)  # the query, or the reason for rejecting
    supplier_answer = models.TextField(blank=True, max_length=3000)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["report_id", "commitment_id"]
        constraints = [models.UniqueConstraint(fields=["report", "commitment"], name="delivery_line_unique")]
        # Covers the impact dashboard's aggregate (compact/impact.py), so it reads the index, not the table.
        indexes = [
            models.Index(
                fields=["authority", "verification", "commitment", "report", "quantity", "place"],
                name="deliveryline_impact",
            )
        ]

    def __str__(self):
        return f"{self.quantity} against {self.commitment_id} ({self.get_verification_display()})"


def evidence_path(evidence, filename):
    # The stored name carries no part of the uploaded one.
    return f"evidence/{evidence.authority_id}/{evidence.report_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file backing a delivery report: private storage, type found from its content, served only to the
    contract's people."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(DeliveryReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=private_storage, upload_to=evidence_path, max_length=300)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["report_id", "uploaded_at", "id"]

    def __str__(self):
        return self.name


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due within 7 days"
    OVERDUE = "overdue", "Overdue"
    ESCALATION = "escalation", "Overdue by 30 days or more: escalated"


class Reminder(models.Model):
    """A reminder sent about a report: one per report, kind and day, so a second beat run sends nothing."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(DeliveryReport, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    sent_on = models.DateField()
    recipients = models.JSONField(default=list, blank=True)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-sent_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind", "sent_on"], name="reminder_once_a_day"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.report} on {self.sent_on}"


class CommunityVerdict(models.TextChoices):
    CONFIRM = "confirm", "Confirms it was delivered"
    QUESTION = "question", "Questions it"


class CommunityCheck(models.Model):
    """A community group member confirming or questioning a verified delivery on the public tracker; the contract
    manager answers."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(DeliveryLine, on_delete=models.CASCADE, related_name="community_checks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=10, choices=CommunityVerdict.choices)
    comment = models.TextField(max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True, max_length=3000)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self):
        return f"{self.get_verdict_display()} on {self.line_id}"


class PerformanceRating(models.Model):
    """The contract manager's confirmed rating for a period (Procurement Act contract performance notices: at
    least every 12 months), starting from the suggestion in compact/performance.py."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="ratings")
    period_end = models.DateField()
    rating = models.CharField(max_length=25)  # compact.performance.Rating values
    suggested = models.CharField(max_length=25, blank=True)
    reason = models.TextField(max_length=3000)
    confirmed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["contract_id", "-period_end"]
        constraints = [models.UniqueConstraint(fields=["contract", "period_end"], name="rating_once_per_period")]

    def __str__(self):
        return f"{self.rating} for {self.contract.reference} to {self.period_end}"


# The local Compact ------------------------------------------------------------------------------------------------
# Decommissioning assessments, the authority's Compact partners, the consultation register, the 16-action
# checklist and case examples (COMPACT.md).


class AssessmentKind(models.TextChoices):
    END_EARLY = "end_early", "Ending the contract early"
    REDUCE_VALUE = "reduce_value", "Reducing the contract's value"
    REDUCE_SCOPE = "reduce_scope", "Reducing the contract's scope"


class AssessmentStatus(models.TextChoices):
    OPEN = "open", "Open for responses"
    DECIDED = "decided", "Decided"


class AssessmentDecision(models.TextChoices):
    PROCEED = "proceed", "Go ahead as proposed"
    PROCEED_CHANGED = "proceed_changed", "Go ahead with changes"
    DO_NOT_PROCEED = "do_not_proceed", "Do not go ahead"


class DecommissioningAssessment(models.Model):
    """The Compact's assessment before a contract is ended early or its scope or value reduced: the impact on
    beneficiaries, service users and volunteers, the social value still outstanding, the responses of the supplier
    and the Compact partners, and the decision with reasons."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=14, choices=AssessmentKind.choices)
    proposal = models.TextField("what is proposed and why", max_length=5000)
    takes_effect_on = models.DateField("date the change would take effect")
    proposed_value = models.DecimalField(  # the new value, when reducing it
        "proposed contract value (£, excluding VAT)", **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    impact_beneficiaries = models.TextField("impact on beneficiaries", max_length=5000)
    impact_service_users = models.TextField("impact on service users", max_length=5000)
    impact_volunteers = models.TextField("impact on volunteers", max_length=5000)
    # Computed from the contract's commitments when the assessment is opened (target not yet verified as delivered,
    # monetised at the measures' proxy values), kept so the record shows what was known then.
    outstanding_value = models.DecimalField(**MONEY, default=Decimal("0"))
    outstanding = models.JSONField(default=list, blank=True)
    responses_due_on = models.DateField("responses due by")
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN)
    # Who was told, when and how: organisation names and the channel, no personal data.
    notified = models.JSONField(default=list, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decision = models.CharField(max_length=16, choices=AssessmentDecision.choices, blank=True)
    decision_reasons = models.TextField(blank=True, max_length=5000)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the contract was ended or reduced on the strength of this assessment (one use only).
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["authority", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.contract.reference}"


class AssessmentResponse(models.Model):
    """A response to an assessment from the supplier or a Compact partner group, answered by the authority."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(DecommissioningAssessment, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True, max_length=5000)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["assessment_id", "created_at", "id"]

    def __str__(self):
        return f"Response from {self.organisation} on {self.assessment_id}"


class CompactPartner(models.Model):
    """A community group an authority admin has marked as a partner in the local Compact: its approved members
    keep the checklist up to date, approve case examples and are told about decommissioning assessments."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="compact_partnerships")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "organisation"], name="compact_partner_unique"),
        ]

    def __str__(self):
        return f"{self.organisation} (Compact partner)"


class RegisteredConsultation(models.Model):
    """A consultation in the authority's register: charter consultations are added and kept in step automatically
    (`charter_consultation`); others are entered by staff."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    charter_consultation = models.OneToOneField(
        "charters.Consultation", on_delete=models.CASCADE, null=True, blank=True, related_name="register_entry"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, max_length=3000)
    url = models.URLField("web address", blank=True, max_length=500)
    opens_on = models.DateField()
    closes_on = models.DateField()
    shorter_reason = models.TextField("reason it is shorter than 12 weeks", blank=True, max_length=3000)
    # For entered consultations; a charter consultation's feedback is its public answers ("you said, we did").
    feedback_given = models.BooleanField("respondents got feedback", default=False)
    feedback_url = models.URLField("where the feedback is published", blank=True, max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gt=models.F("opens_on")), name="registered_consultation_dates"
            ),
        ]
        indexes = [
            models.Index(fields=["authority", "opens_on"]),
            models.Index(fields=["authority", "closes_on"]),
        ]

    def __str__(self):
        return self.title


class ChecklistStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"


class ChecklistAction(models.Model):
    """One of the 16 actions for local Compact groups (compact/checklist.py has their texts), as this authority
    and its partners stand on it. A missing row reads as not started."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=ChecklistStatus.choices, default=ChecklistStatus.NOT_STARTED)
    notes = models.TextField(blank=True, max_length=5000)
    owner = models.CharField("who is leading", blank=True, max_length=200)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "number"], name="checklist_action_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=16), name="checklist_action_number"),
        ]

    def __str__(self):
        return f"Action {self.number}: {self.get_status_display()}"


class CaseKind(models.TextChoices):
    SAVING = "saving", "Recognising social value led to a saving (action 14)"
    COST = "cost", "Failing to recognise social value led to extra cost (action 15)"


class CaseExample(models.Model):
    """A short case record for actions 14 and 15. Public once a partner and an officer have both approved it and
    it is published; any edit clears the approvals."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=CaseKind.choices)
    title = models.CharField(max_length=200)
    what_was_bought = models.TextField(max_length=3000)
    social_value = models.TextField("social value recognised or not recognised", max_length=5000)
    amount = models.DecimalField("cost or saving (£)", **MONEY, validators=[MinValueValidator(0)])
    amount_explained = models.TextField("how the cost or saving was worked out", max_length=3000)
    evidence = models.TextField(blank=True, max_length=3000)
    contract = models.ForeignKey(Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    partner_approved_at = models.DateTimeField(null=True, blank=True)
    partner_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    officer_approved_at = models.DateTimeField(null=True, blank=True)
    officer_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["authority", "published_at"])]

    def __str__(self):
        return self.title


class ChecklistEvidence(models.Model):
    """An evidence link on a checklist action: a web address, or one of the authority's case examples."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(ChecklistAction, on_delete=models.CASCADE, related_name="evidence_links")
    label = models.CharField(max_length=200)
    url = models.URLField("web address", blank=True, max_length=500)
    case_example = models.ForeignKey(CaseExample, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["action_id", "added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(url="") & models.Q(case_example__isnull=False))
                | (~models.Q(url="") & models.Q(case_example__isnull=True)),
                name="checklist_evidence_one_target",
            ),
        ]

    def __str__(self):
        return self.label
