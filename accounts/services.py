"""Writes for people, authorities, memberships, organisations and jobs. Each is one transaction with its audit."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from foundation.errors import DomainError

from .audit import audit_record, diff
from .emails import send_templated_email
from .errors import InvitationInvalid, LastAdminError
from .models import (
    Authority,
    Invitation,
    Job,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
    OrganisationMemberStatus,
    OrganisationRole,
    User,
)
from .roles import Role
from .scoping import authority_scope, dangerously_unscoped

INVITATION_SALT = "accounts.invitation"


# People -------------------------------------------------------------------------------------------------------


def user_register(*, email: str, full_name: str, password: str) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError("An account with this email address already exists. Sign in instead.", field="email")
    with transaction.atomic():
        user = User.objects.create_user(email=email, full_name=full_name.strip(), password=password)
        audit_record(authority=None, actor=user, verb="user.registered", obj=user)
    return user


# Invitations and memberships --------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("accounts:invitation-accept", args=[invitation_token(invitation)])


def invitation_create(*, authority: Authority, acting_user: User, email: str, roles: list[str]) -> Invitation:
    email = email.strip().lower()
    roles = sorted({Role(role).value for role in roles})
    if not roles:
        raise DomainError("Select at least one role", field="roles")
    existing_roles = set(Membership.objects.filter(user__email__iexact=email).values_list("role", flat=True))
    if existing_roles and set(roles) <= existing_roles:
        raise DomainError(f"{email} already has these roles in {authority.name}", field="email")
    now = timezone.now()
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address, so only one link works.
        for pending in Invitation.objects.filter(email=email, accepted_at=None, revoked_at=None):
            pending.revoked_at = now
            pending.save(update_fields=["revoked_at"])
        invitation = Invitation.objects.create(
            authority=authority,
            email=email,
            roles=roles,
            invited_by=acting_user,
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="invitation.created",
            obj=invitation,
            changes={"email": email, "roles": roles},
        )
        url = invitation_url(invitation)
        transaction.on_commit(
            lambda: send_templated_email(
                to=[email],
                template="invitation",
                context={
                    "invitation": invitation,
                    "authority": authority,
                    "url": url,
                    "inviter": acting_user,
                },
            )
        )
    return invitation


def dangerously_invitation_from_token(token: str) -> Invitation:
    """Finds the invitation a link points to. The link carries no authority, so this reads unscoped."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(days=settings.INVITATION_MAX_AGE_DAYS))
    except signing.SignatureExpired as error:
        raise InvitationInvalid("This invitation link has expired.") from error
    except signing.BadSignature as error:
        raise InvitationInvalid("This invitation link is not valid. Check you copied the whole link.") from error
    with dangerously_unscoped():
        invitation = Invitation.objects.select_related("authority", "invited_by").filter(pk=data["invitation"]).first()
    if invitation is None:
        raise InvitationInvalid("This invitation no longer exists.")
    return invitation


def invitation_check_usable(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise InvitationInvalid("This invitation has been withdrawn or replaced by a newer one.")
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid("This invitation link has expired.")


def invitation_accept(*, invitation: Invitation, acting_user: User) -> list[Membership]:
    authority = invitation.authority
    with authority_scope(authority), transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        invitation_check_usable(invitation)
        if acting_user.email.lower() != invitation.email.lower():
            raise InvitationInvalid(
                f"This invitation was sent to {invitation.email}. Sign in with that address to accept it."
            )
        created = []
        for role in invitation.roles:
            membership, was_created = Membership.objects.get_or_create(
                authority=authority,
                user=acting_user,
                role=role,
                defaults={"created_by": invitation.invited_by},
            )
            if was_created:
                created.append(membership)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = acting_user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="invitation.accepted",
            obj=invitation,
            changes={"roles": {"before": [], "after": invitation.roles}},
        )
    return created


def invitation_revoke(*, authority: Authority, acting_user: User, invitation: Invitation) -> None:
    if not invitation.is_pending:
        raise DomainError("Only a pending invitation can be withdrawn.")
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(authority=authority, actor=acting_user, verb="invitation.revoked", obj=invitation)


def _admin_count(authority: Authority) -> int:
    return Membership.objects.filter(authority=authority, role=Role.ADMIN).count()


def membership_roles_set(*, authority: Authority, acting_user: User, user: User, roles: list[str]) -> None:
    new_roles = {Role(role).value for role in roles}
    if not new_roles:
        raise DomainError("Select at least one role. To take away every role, remove the member.", field="roles")
    with transaction.atomic():
        current = Membership.objects.select_for_update().filter(authority=authority, user=user)
        old_roles = {membership.role for membership in current}
        if not old_roles:
            raise DomainError(f"{user} is not a member of {authority.name}.")
        if Role.ADMIN in old_roles and Role.ADMIN not in new_roles and _admin_count(authority) <= 1:
            raise LastAdminError(
                "Every authority needs at least one admin. Make someone else an admin first.", field="roles"
            )
        if old_roles == new_roles:
            return
        current.filter(role__in=old_roles - new_roles).delete()
        for role in sorted(new_roles - old_roles):
            Membership.objects.create(authority=authority, user=user, role=role, created_by=acting_user)
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="membership.roles_changed",
            obj=user,
            object_type="user",
            changes=diff({"roles": sorted(old_roles)}, {"roles": sorted(new_roles)}),
        )


def membership_remove(*, authority: Authority, acting_user: User, user: User) -> None:
    with transaction.atomic():
        current = Membership.objects.select_for_update().filter(authority=authority, user=user)
        old_roles = sorted(membership.role for membership in current)
        if not old_roles:
            raise DomainError(f"{user} is not a member of {authority.name}.")
        if Role.ADMIN in old_roles and _admin_count(authority) <= 1:
            raise LastAdminError("Every authority needs at least one admin. Make someone else an admin first.")
        current.delete()
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="membership.removed",
            obj=user,
            object_type="user",
            changes=diff({"roles": old_roles}, {"roles": []}),
        )


AUTHORITY_SETTINGS_FIELDS = (
    "consultation_weeks",
    "sv_weighting_min",
    "sv_weighting_max",
    "light_touch_below",
)


def authority_settings_update(*, authority: Authority, acting_user: User, **values) -> Authority:
    with transaction.atomic():
        # Compare with the stored row: a bound ModelForm has already changed the in-memory instance.
        saved = Authority.objects.select_for_update().get(pk=authority.pk)
        before = {field: str(getattr(saved, field)) for field in AUTHORITY_SETTINGS_FIELDS}
        for field in AUTHORITY_SETTINGS_FIELDS:
            if field in values:
                setattr(saved, field, values[field])
        if saved.sv_weighting_min > saved.sv_weighting_max:
            raise DomainError(
                "The lowest weighting must not be more than the highest weighting", field="sv_weighting_min"
            )
        changes = diff(before, {field: str(getattr(saved, field)) for field in AUTHORITY_SETTINGS_FIELDS})
        if changes:
            saved.save(update_fields=list(AUTHORITY_SETTINGS_FIELDS))
            audit_record(
                authority=saved,
                actor=acting_user,
                verb="authority.settings_changed",
                obj=saved,
                changes=changes,
            )
    return saved


# Organisations ----------------------------------------------------------------------------------------------


def organisation_register(
    *,
    acting_user: User,
    kind: str,
    name: str,
    postcode: str,
    company_number: str = "",
    charity_number: str = "",
    is_sme: bool = False,
    is_vcse: bool = False,
    description: str = "",
) -> Organisation:
    kind = OrganisationKind(kind).value
    with transaction.atomic():
        organisation = Organisation.objects.create(
            kind=kind,
            name=name.strip(),
            postcode=postcode,
            company_number=company_number,
            charity_number=charity_number,
            is_sme=is_sme,
            is_vcse=is_vcse,
            description=description,
            created_by=acting_user,
        )
        OrganisationMembership.objects.create(
            organisation=organisation,
            user=acting_user,
            role=OrganisationRole.ADMIN,
            status=OrganisationMemberStatus.APPROVED,
            decided_at=timezone.now(),
            decided_by=acting_user,
        )
        audit_record(
            authority=None,
            actor=acting_user,
            verb="organisation.registered",
            obj=organisation,
            changes={"kind": kind},
        )
    return organisation


def organisation_join_request(
    *, organisation: Organisation, acting_user: User, message: str = ""
) -> OrganisationMembership:
    if organisation.kind != OrganisationKind.COMMUNITY_GROUP:
        raise DomainError("Only community groups take join requests. Ask a supplier's admin to add you.")
    existing = OrganisationMembership.objects.filter(organisation=organisation, user=acting_user).first()
    if existing is not None and existing.status != OrganisationMemberStatus.DECLINED:
        if existing.status == OrganisationMemberStatus.APPROVED:
            raise DomainError(f"You are already a member of {organisation.name}.")
        raise DomainError(f"You have already asked to join {organisation.name}. Its admins will reply.")
    with transaction.atomic():
        if existing is None:
            membership = OrganisationMembership.objects.create(
                organisation=organisation, user=acting_user, message=message
            )
        else:
            membership = existing
            membership.status = OrganisationMemberStatus.PENDING
            membership.message = message
            membership.requested_at = timezone.now()
            membership.decided_at = None
            membership.decided_by = None
            membership.save()
        audit_record(authority=None, actor=acting_user, verb="organisation.join_requested", obj=organisation)
        admins = list(
            organisation.memberships.filter(
                role=OrganisationRole.ADMIN, status=OrganisationMemberStatus.APPROVED
            ).values_list("user__email", flat=True)
        )
        if admins:
            transaction.on_commit(
                lambda: send_templated_email(
                    to=admins,
                    template="join_request",
                    context={"organisation": organisation, "requester": acting_user, "message": message},
                )
            )
    return membership


def organisation_admin_check(*, organisation: Organisation, user: User) -> None:
    if not OrganisationMembership.objects.filter(
        organisation=organisation,
        user=user,
        role=OrganisationRole.ADMIN,
        status=OrganisationMemberStatus.APPROVED,
    ).exists():
        raise DomainError(f"Only an admin of {organisation.name} can do this.")


def organisation_join_decide(*, membership: OrganisationMembership, acting_user: User, approve: bool) -> None:
    organisation = membership.organisation
    organisation_admin_check(organisation=organisation, user=acting_user)
    if membership.status != OrganisationMemberStatus.PENDING:
        raise DomainError("This request has already been answered.")
    with transaction.atomic():
        membership.status = OrganisationMemberStatus.APPROVED if approve else OrganisationMemberStatus.DECLINED
        membership.decided_at = timezone.now()
        membership.decided_by = acting_user
        membership.save(update_fields=["status", "decided_at", "decided_by"])
        audit_record(
            authority=None,
            actor=acting_user,
            verb="organisation.join_approved" if approve else "organisation.join_declined",
            obj=organisation,
            changes={"member": membership.user.email},
        )
        email = membership.user.email
        transaction.on_commit(
            lambda: send_templated_email(
                to=[email],
                template="join_decision",
                context={"organisation": organisation, "approved": approve},
            )
        )


def organisation_member_add(
    *, organisation: Organisation, acting_user: User, email: str, role: str = OrganisationRole.MEMBER
) -> OrganisationMembership:
    """An organisation admin adds a person who already has an account (suppliers grow this way)."""
    organisation_admin_check(organisation=organisation, user=acting_user)
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise DomainError("There is no account with this email address. Ask them to register first.", field="email")
    with transaction.atomic():
        membership, _ = OrganisationMembership.objects.update_or_create(
            organisation=organisation,
            user=user,
            defaults={
                "role": role,
                "status": OrganisationMemberStatus.APPROVED,
                "decided_at": timezone.now(),
                "decided_by": acting_user,
            },
        )
        audit_record(
            authority=None,
            actor=acting_user,
            verb="organisation.member_added",
            obj=organisation,
            changes={"member": user.email, "role": role},
        )
    return membership


# Jobs -------------------------------------------------------------------------------------------------------


def job_start(*, authority: Authority, acting_user: User | None, kind: str, params: dict | None = None) -> Job:
    from .jobs import job_kind
    from .tasks import job_run

    job_kind(kind)  # unknown kinds fail here, not in the worker
    with transaction.atomic():
        job = Job.objects.create(authority=authority, kind=kind, params=params or {}, requested_by=acting_user)
        audit_record(authority=authority, actor=acting_user, verb="job.started", obj=job, changes={"kind": kind})
        job_run.delay_on_commit(authority_id=authority.pk, job_id=job.pk)
    return job
