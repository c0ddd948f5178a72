"""The authority's Compact partners: community groups an authority admin has marked as partners. Their approved
members keep the checklist, approve case examples and respond to decommissioning assessments.

Adding and removing a partner are services (one transaction, audited); the rest are reads."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse

from accounts.audit import audit_record
from accounts.emails import send_templated_email
from accounts.models import (
    Authority,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
    OrganisationMemberStatus,
    OrganisationRole,
    User,
)
from accounts.roles import roles_allowed
from foundation.errors import DomainError

from .models import CompactPartner


class NotPartnerOrOfficer(DomainError):
    """Someone who is neither an approved member of one of the authority's partner groups nor one of its officers
    (staff with `compact.manage`) tried to change the local Compact. Views answer 403 with the message."""


def partner_organisations(user: User, authority: Authority) -> list[Organisation]:
    """The authority's partner groups in which the user is an approved member (empty for anonymous users)."""
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.COMMUNITY_GROUP,
            compact_partnerships__authority=authority,
            memberships__user=user,
            memberships__status=OrganisationMemberStatus.APPROVED,
        )
        .distinct()
        .order_by("name")
    )


def is_partner_member(user: User, authority: Authority) -> bool:
    return bool(partner_organisations(user, authority))


def is_compact_officer(user: User, authority: Authority) -> bool:
    """Staff of the authority who keep the local Compact (the roles holding `compact.manage`)."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(authority=authority, user=user, role__in=roles_allowed("compact.manage")).exists()


def partners_of(authority: Authority) -> list[CompactPartner]:
    return list(CompactPartner.objects.filter(authority=authority).select_related("organisation"))


def partner_get(authority: Authority, partner_id: int) -> CompactPartner | None:
    return (
        CompactPartner.objects.filter(authority=authority, pk=partner_id)
        .select_related("organisation", "added_by")
        .first()
    )


def community_group_search(query: str = "") -> QuerySet[Organisation]:
    """Community groups by name: any group on the platform may become a partner (`partner_organisation_ids` says
    which already are)."""
    groups = Organisation.objects.filter(kind=OrganisationKind.COMMUNITY_GROUP)
    if query:
        groups = groups.filter(name__icontains=query)
    return groups.order_by("name", "pk")


def partner_organisation_ids(authority: Authority) -> set[int]:
    return set(CompactPartner.objects.filter(authority=authority).values_list("organisation_id", flat=True))


def partner_add(*, authority: Authority, acting_user: User, organisation: Organisation) -> CompactPartner:
    """Marks a community group as a Compact partner of the authority and tells the group's admins by email."""
    if organisation.kind != OrganisationKind.COMMUNITY_GROUP:
        raise DomainError(
            f"{organisation.name} is not a community or voluntary group: only community groups can be Compact partners",
            field="organisation",
        )
    with transaction.atomic():
        if CompactPartner.objects.filter(authority=authority, organisation=organisation).exists():
            raise DomainError(
                f"{organisation.name} is already a Compact partner of {authority.name}", field="organisation"
            )
        try:
            with transaction.atomic():
                partner = CompactPartner.objects.create(
                    authority=authority, organisation=organisation, added_by=acting_user
                )
        except IntegrityError:
            # Someone else added it a moment ago.
            raise DomainError(
                f"{organisation.name} is already a Compact partner of {authority.name}", field="organisation"
            ) from None
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="compact.partner_added",
            obj=partner,
            changes={"organisation": organisation.name},
        )
        admins = list(
            OrganisationMembership.objects.filter(
                organisation=organisation, role=OrganisationRole.ADMIN, status=OrganisationMemberStatus.APPROVED
            ).values_list("user__email", flat=True)
        )
        if admins:
            context = {
                "authority_name": authority.name,
                "group_name": organisation.name,
                "checklist_url": settings.SITE_URL
                + reverse("compact:checklist-public", kwargs={"authority_slug": authority.slug}),
                "case_examples_url": settings.SITE_URL
                + reverse("compact:case-public-list", kwargs={"authority_slug": authority.slug}),
            }
            transaction.on_commit(
                lambda: send_templated_email(to=admins, template="compact_partner_added", context=context)
            )
    return partner


def partner_remove(*, partner: CompactPartner, acting_user: User) -> None:
    """The group stops being a partner. What its members wrote and approved stays, with the group's name."""
    with transaction.atomic():
        audit_record(
            authority=partner.authority,
            actor=acting_user,
            verb="compact.partner_removed",
            obj=partner,
            changes={"organisation": partner.organisation.name},
        )
        partner.delete()
