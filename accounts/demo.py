"""Demo data: two fictional authorities with a user per role, two suppliers, a community group and a resident.

Idempotent: run it again and it changes nothing. Later stages (charters, tenders, contracts) extend `seed_demo`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import (
    Authority,
    AuthorityKind,
    Invitation,
    Membership,
    Nation,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
    OrganisationMemberStatus,
    OrganisationRole,
    User,
)
from .roles import Role
from .scoping import authority_scope
from .services import authority_settings_update, invitation_create

DEMO_PASSWORD = "demo-password-2026"

AUTHORITIES = [
    {
        "slug": "northmoor",
        "name": "Northmoor Borough Council",
        "kind": AuthorityKind.METROPOLITAN_BOROUGH,
        "gss_code": "",
        "nation": Nation.ENGLAND,
    },
    {
        "slug": "eastvale",
        "name": "Eastvale District Council",
        "kind": AuthorityKind.DISTRICT,
        "gss_code": "",
        "nation": Nation.ENGLAND,
    },
]
ROLE_USERS = {
    Role.ADMIN: "Alex Admin",
    Role.COMMISSIONER: "Casey Commissioner",
    Role.PROCUREMENT_OFFICER: "Priya Procurement",
    Role.EVALUATOR: "Evan Evaluator",
    Role.CONTRACT_MANAGER: "Morgan Manager",
}
SUPPLIERS = [
    # (name, postcode, company number, SME, VCSE, bids to)
    ("Brightside Facilities Ltd", "NM1 4AB", "01234567", False, False, ["northmoor", "eastvale"]),
    ("Valley Community Catering CIC", "EV2 7CD", "12345678", True, True, ["eastvale"]),
]


@dataclass
class DemoWorld:
    authorities: dict[str, Authority] = field(default_factory=dict)
    staff: dict[tuple[str, Role], User] = field(default_factory=dict)
    suppliers: dict[str, Organisation] = field(default_factory=dict)
    supplier_users: dict[str, User] = field(default_factory=dict)
    community_group: Organisation | None = None
    community_user: User | None = None
    resident: User | None = None
    lines: list[str] = field(default_factory=list)


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name, password=DEMO_PASSWORD)
    return user


def _org(kind, name, postcode, **extra) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(kind=kind, name=name, defaults={"postcode": postcode, **extra})
    return organisation


def _org_member(organisation, user, role=OrganisationRole.ADMIN):
    OrganisationMembership.objects.get_or_create(
        organisation=organisation,
        user=user,
        defaults={"role": role, "status": OrganisationMemberStatus.APPROVED, "decided_at": timezone.now()},
    )


@transaction.atomic
def seed_demo() -> DemoWorld:
    world = DemoWorld()
    for spec in AUTHORITIES:
        authority, _ = Authority.objects.get_or_create(slug=spec["slug"], defaults=spec)
        world.authorities[authority.slug] = authority
        with authority_scope(authority):
            for role, name in ROLE_USERS.items():
                email = f"{role.value.replace('_', '.')}@{authority.slug}.example.org"
                user = _user(email, f"{name} ({authority.name.split()[0]})")
                Membership.objects.get_or_create(authority=authority, user=user, role=role)
                world.staff[(authority.slug, role)] = user
                world.lines.append(f"{authority.name:<28} {role.label:<20} {email}")

    for name, postcode, company_number, sme, vcse, bids_to in SUPPLIERS:
        organisation = _org(
            OrganisationKind.SUPPLIER, name, postcode, company_number=company_number, is_sme=sme, is_vcse=vcse
        )
        email = "bids@" + name.split()[0].lower() + ".example.com"
        user = _user(email, f"{name.split()[0]} Bid Manager")
        _org_member(organisation, user)
        world.suppliers[name] = organisation
        world.supplier_users[name] = user
        world.lines.append(f"{'Supplier: ' + name:<49} {email}  (bids to {', '.join(bids_to)})")

    group = _org(
        OrganisationKind.COMMUNITY_GROUP,
        "Northmoor Residents' Forum",
        "NM2 3EF",
        charity_number="1098765",
        is_vcse=True,
        description="A residents' forum for the Northmoor estates: tenants, parents and volunteers.",
    )
    world.community_group = group
    world.community_user = _user("forum@northmoor-residents.example.org", "Sam Forum")
    _org_member(group, world.community_user)
    world.lines.append(f"{'Community group: ' + group.name:<49} {world.community_user.email}")
    world.resident = _user("resident@example.net", "Robin Resident")

    # Some history, so the audit log and the members page are not empty: a settings change and an invitation.
    northmoor = world.authorities["northmoor"]
    admin = world.staff[("northmoor", Role.ADMIN)]
    with authority_scope(northmoor):
        if not Invitation.objects.exists():
            authority_settings_update(authority=northmoor, acting_user=admin, light_touch_below=Decimal("150000"))
            invitation_create(
                authority=northmoor,
                acting_user=admin,
                email="new.evaluator@northmoor.example.org",
                roles=[Role.EVALUATOR],
            )
    world.lines.append(f"{'Resident (no group)':<49} {world.resident.email}")
    return world
