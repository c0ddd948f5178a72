"""The two-authority world every test stands on, and shared helpers.

Authority A and authority B each have one user per staff role (and an admin); a supplier bids to both, another
to A only; a community group and a resident take part without a staff role.
"""

from dataclasses import dataclass, field

import pytest

from accounts.models import Authority, OrganisationKind, User
from accounts.roles import Role
from config.celery import app as celery_app
from tests.factories import (
    AuthorityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    add_org_member,
)


@dataclass
class World:
    a: Authority
    b: Authority
    staff: dict[str, dict[Role, User]] = field(default_factory=dict)
    supplier_both: object = None
    supplier_both_user: User | None = None
    supplier_one: object = None
    supplier_one_user: User | None = None
    community_group: object = None
    community_user: User | None = None
    resident: User | None = None

    def user(self, authority: Authority, role: Role) -> User:
        return self.staff[authority.slug][role]


def build_world() -> World:
    a = AuthorityFactory(name="Authority A Borough Council", slug="authority-a")
    b = AuthorityFactory(name="Authority B District Council", slug="authority-b")
    world = World(a=a, b=b)
    for authority in (a, b):
        world.staff[authority.slug] = {}
        for role in Role:
            user = UserFactory(
                email=f"{role.value}@{authority.slug}.example.org",
                full_name=f"{role.label} {authority.slug[-1].upper()}",
            )
            MembershipFactory(authority=authority, user=user, role=role)
            world.staff[authority.slug][role] = user
    world.supplier_both = OrganisationFactory(name="Both Ways Ltd")
    world.supplier_both_user = UserFactory(email="bids@bothways.example.com", full_name="Bo Bidder")
    add_org_member(world.supplier_both, world.supplier_both_user)
    world.supplier_one = OrganisationFactory(name="Only A Services Ltd", is_sme=True)
    world.supplier_one_user = UserFactory(email="bids@onlya.example.com", full_name="Oni Bidder")
    add_org_member(world.supplier_one, world.supplier_one_user)
    world.community_group = OrganisationFactory(
        kind=OrganisationKind.COMMUNITY_GROUP, name="A Residents Forum", is_vcse=True
    )
    world.community_user = UserFactory(email="forum@example.net", full_name="Cam Community")
    add_org_member(world.community_group, world.community_user)
    world.resident = UserFactory(email="resident@example.net", full_name="Rae Resident")
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _celery_in_process():
    """Tasks run in-process unless a test starts a real worker (see tests/accounts/test_jobs_worker.py)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
