"""Reads for people, authorities, memberships and the audit log. Each takes the authority or user explicitly."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from .models import (
    AuditEvent,
    Authority,
    Invitation,
    Job,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
    OrganisationMemberStatus,
    User,
)
from .roles import Role
from .scoping import dangerously_unscoped


@dataclass
class AuthorityRoles:
    authority: Authority
    roles: list[Role] = field(default_factory=list)


def authorities_for_user(user: User) -> list[AuthorityRoles]:
    """The authorities a person works for, with their roles in each. Filtered by user, so safe to read unscoped."""
    grouped: dict[int, AuthorityRoles] = {}
    with dangerously_unscoped():
        memberships = Membership.objects.filter(user=user).select_related("authority").order_by("authority__name")
        for membership in memberships:
            entry = grouped.setdefault(membership.authority_id, AuthorityRoles(membership.authority))
            entry.roles.append(Role(membership.role))
    for entry in grouped.values():
        entry.roles.sort(key=list(Role).index)
    return list(grouped.values())


def organisation_memberships_for_user(user: User) -> QuerySet[OrganisationMembership]:
    return (
        OrganisationMembership.objects.filter(user=user)
        .exclude(status=OrganisationMemberStatus.DECLINED)
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__name")
    )


@dataclass
class Member:
    user: User
    roles: list[Role]


def authority_users_with_role(authority: Authority, role: Role) -> list[User]:
    """The authority's people holding the role, by name."""
    memberships = (
        Membership.objects.filter(authority=authority, role=role)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [membership.user for membership in memberships]


def authority_members(authority: Authority) -> list[Member]:
    by_user: dict[int, Member] = {}
    for membership in Membership.objects.filter(authority=authority).select_related("user"):
        by_user.setdefault(membership.user_id, Member(membership.user, [])).roles.append(Role(membership.role))
    members = sorted(by_user.values(), key=lambda member: (member.user.full_name.lower(), member.user.email))
    for member in members:
        member.roles.sort(key=list(Role).index)
    return members


def authority_member_get(authority: Authority, user_id: int) -> Member | None:
    memberships = list(Membership.objects.filter(authority=authority, user_id=user_id).select_related("user"))
    if not memberships:
        return None
    roles = sorted((Role(m.role) for m in memberships), key=list(Role).index)
    return Member(memberships[0].user, roles)


def invitations_pending(authority: Authority) -> list[Invitation]:
    return [
        inv for inv in Invitation.objects.filter(authority=authority).select_related("invited_by") if inv.is_pending
    ]


def audit_events(
    authority: Authority,
    *,
    verb: str = "",
    actor: str = "",
    object_type: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(authority=authority).select_related("actor")
    if verb:
        events = events.filter(verb=verb)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    if date_from:
        events = events.filter(created_at__date__gte=date_from)
    if date_to:
        events = events.filter(created_at__date__lte=date_to)
    return events.order_by("-created_at", "-id")


def audit_filter_choices(authority: Authority) -> tuple[list[str], list[str]]:
    events = AuditEvent.objects.filter(authority=authority)
    verbs = list(events.order_by("verb").values_list("verb", flat=True).distinct())
    types = list(
        events.exclude(object_type="").order_by("object_type").values_list("object_type", flat=True).distinct()
    )
    return verbs, types


def jobs_recent(authority: Authority, *, user: User, limit: int = 5) -> list[Job]:
    return list(Job.objects.filter(authority=authority, requested_by=user).order_by("-created_at")[:limit])


def job_get_visible(authority: Authority, job_id, *, roles) -> Job | None:
    """A job is visible to members whose roles may run its kind (the kind names the permission); another
    authority's job, or one of a kind the roles may not run, is not found."""
    from .jobs import JOB_KINDS
    from .roles import has_permission

    job = Job.objects.filter(authority=authority, pk=job_id).select_related("requested_by").first()
    kind = JOB_KINDS.get(job.kind) if job is not None else None
    if kind is None or not has_permission(roles, kind.permission):
        return None
    return job


def supplier_organisations() -> QuerySet[Organisation]:
    """Every registered supplier organisation: they are platform-wide, not an authority's."""
    return Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).order_by("name", "pk")


def community_group_get(organisation_id) -> Organisation | None:
    if not str(organisation_id or "").isdigit():
        return None
    return Organisation.objects.filter(pk=organisation_id, kind=OrganisationKind.COMMUNITY_GROUP).first()


def community_groups(query: str = "") -> QuerySet[Organisation]:
    groups = Organisation.objects.filter(kind=OrganisationKind.COMMUNITY_GROUP)
    if query:
        groups = groups.filter(name__icontains=query)
    return groups.order_by("name")


def supplier_organisations_for(user: User) -> list[Organisation]:
    """The supplier organisations the person is an approved member of: those they may ask questions for."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.SUPPLIER,
            memberships__user=user,
            memberships__status=OrganisationMemberStatus.APPROVED,
        ).order_by("name")
    )


def organisation_membership_get(organisation: Organisation, user: User) -> OrganisationMembership | None:
    """The person's membership of the organisation, in any status (a pending request shows as pending)."""
    return OrganisationMembership.objects.filter(organisation=organisation, user=user).first()


def organisation_members(organisation: Organisation) -> dict[str, list[OrganisationMembership]]:
    grouped = defaultdict(list)
    for membership in organisation.memberships.select_related("user").order_by("user__full_name"):
        grouped[membership.status].append(membership)
    return grouped


# Public reads of authorities (the API) ------------------------------------------------------------------------


def authorities_public(*, q: str = "", nation: str = "", kind: str = "") -> QuerySet[Authority]:
    """Every authority, filtered by words in its name, its nation and its kind. Authorities are public."""
    authorities = Authority.objects.all()
    for word in q.split():
        authorities = authorities.filter(name__icontains=word)
    if nation:
        authorities = authorities.filter(nation=nation)
    if kind:
        authorities = authorities.filter(kind=kind)
    return authorities


def authority_get_public(slug: str) -> Authority | None:
    return Authority.objects.filter(slug=slug).first()
