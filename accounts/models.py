from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from .roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users sign in by email, so an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in by email. `is_staff` means platform operator (Django admin), not authority staff."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("platform operator", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class AuthorityKind(models.TextChoices):
    DISTRICT = "district", "District council"
    COUNTY = "county", "County council"
    UNITARY = "unitary", "Unitary authority"
    METROPOLITAN_BOROUGH = "metropolitan_borough", "Metropolitan borough"
    LONDON_BOROUGH = "london_borough", "London borough"
    COMBINED_AUTHORITY = "combined_authority", "Combined authority"
    NHS_BODY = "nhs_body", "NHS body"
    OTHER = "other", "Other public body"


class Authority(models.Model):
    """A public body: the tenant. Everything it owns carries a foreign key to it."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=AuthorityKind.choices)
    gss_code = models.CharField("GSS code", max_length=9, blank=True)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)
    # Settings. The Compact expects 12-week consultations; the weighting band is where the product stops warning.
    consultation_weeks = models.PositiveSmallIntegerField(
        "default consultation length (weeks)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    sv_weighting_min = models.PositiveSmallIntegerField(
        "lowest social value weighting without a justification (%)",
        default=10,
        validators=[MaxValueValidator(100)],
    )
    sv_weighting_max = models.PositiveSmallIntegerField(
        "highest social value weighting without a justification (%)",
        default=30,
        validators=[MaxValueValidator(100)],
    )
    light_touch_below = models.DecimalField(
        "contract value below which reporting is light-touch (£)",
        max_digits=14,
        decimal_places=2,
        default=100_000,
        validators=[MinValueValidator(0)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"
        constraints = [
            models.UniqueConstraint(
                fields=["gss_code"], condition=~models.Q(gss_code=""), name="authority_gss_code_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(sv_weighting_min__lte=models.F("sv_weighting_max")),
                name="authority_sv_band_ordered",
            ),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """One role a person holds in an authority. A person with several roles has several rows."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["user__full_name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "user", "role"], name="membership_unique_role"),
        ]
        indexes = [models.Index(fields=["authority", "user"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.authority}"


class Invitation(models.Model):
    """An invitation to join an authority's staff, sent as a signed link that expires."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    roles = models.JSONField(default=list)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["authority", "email"])]

    def __str__(self):
        return f"Invitation for {self.email} to {self.authority}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]


class OrganisationKind(models.TextChoices):
    SUPPLIER = "supplier", "Supplier"
    COMMUNITY_GROUP = "community_group", "Community or voluntary group"


class Organisation(models.Model):
    """A supplier or a community group. Not a tenant: one organisation deals with many authorities."""

    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(max_length=200)
    company_number = models.CharField(max_length=8, blank=True)
    charity_number = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=8)
    is_sme = models.BooleanField("small or medium-sized enterprise (SME)", default=False)
    is_vcse = models.BooleanField("voluntary, community or social enterprise (VCSE)", default=False)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self):
        return self.name


class OrganisationRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class OrganisationMemberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Member"
    DECLINED = "declined", "Declined"


class OrganisationMembership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    role = models.CharField(max_length=10, choices=OrganisationRole.choices, default=OrganisationRole.MEMBER)
    status = models.CharField(
        max_length=10, choices=OrganisationMemberStatus.choices, default=OrganisationMemberStatus.PENDING
    )
    message = models.TextField("message to the group's admins", blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="organisation_membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} in {self.organisation}"


class AuditEventQuerySet(models.QuerySet):
    """The audit trail is append-only: the app never updates or deletes events."""

    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only")

    def delete(self):
        raise PermissionError("Audit events are append-only")


class AuditEvent(models.Model):
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    # Kept as text too, so the trail still says who acted after an account is deleted.
    actor_label = models.CharField(max_length=254, blank=True)
    verb = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(models.Manager.from_queryset(AuditEventQuerySet), authority="authority")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["authority", "-created_at"]),
            models.Index(fields=["authority", "verb"]),
            models.Index(fields=["authority", "object_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only")


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "In progress"
    SUCCEEDED = "succeeded", "Ready"
    FAILED = "failed", "Failed"


def private_storage():
    return storages["private"]


class Job(models.Model):
    """A piece of background work someone asked for (an export, a PDF), with progress and the file it made."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    file = models.FileField(storage=private_storage, upload_to="jobs/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    # The file's fingerprint, so a downloaded copy can be checked against what the job made.
    sha256 = models.CharField("SHA-256 of the file", max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(authority="authority")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["authority", "-created_at"])]

    def __str__(self):
        return f"{self.kind} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of its secret is stored: the secret is shown once, when it is made.

    Not tenant data: a token acts as its user, who reaches authorities through their memberships as on the pages.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The public part of the secret (`cvc_<prefix>_...`), so people can tell their tokens apart in lists.
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField("SHA-256 of the secret", max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], condition=models.Q(revoked_at__isnull=True), name="api_token_live_name_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} (cvc_{self.prefix}_…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
