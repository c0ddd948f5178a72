"""The authority's Compact partners: community groups an authority admin has marked as partners. Their approved
members keep the checklist, approve case examples and respond to decommissioning assessments."""

from accounts.models import Authority, Organisation, OrganisationKind, OrganisationMemberStatus, User

from .models import CompactPartner


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


def partners_of(authority: Authority) -> list[CompactPartner]:
    return list(CompactPartner.objects.filter(authority=authority).select_related("organisation"))
