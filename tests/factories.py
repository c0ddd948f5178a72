import factory
from django.utils import timezone

from accounts.models import (
    Authority,
    AuthorityKind,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
    OrganisationMemberStatus,
    OrganisationRole,
    User,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Authority {n} Council")
    slug = factory.Sequence(lambda n: f"authority-{n}")
    kind = AuthorityKind.UNITARY


class MembershipFactory(factory.django.DjangoModelFactory):
    """Memberships are scoped; factory-boy creates through `Model.objects`, which allows create() unscoped."""

    class Meta:
        model = Membership

    authority = factory.SubFactory(AuthorityFactory)
    user = factory.SubFactory(UserFactory)
    role = "admin"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.SUPPLIER
    name = factory.Sequence(lambda n: f"Organisation {n} Ltd")
    postcode = "AB1 2CD"


def add_org_member(organisation, user, role=OrganisationRole.ADMIN, status=OrganisationMemberStatus.APPROVED):
    return OrganisationMembership.objects.create(
        organisation=organisation, user=user, role=role, status=status, decided_at=timezone.now()
    )
