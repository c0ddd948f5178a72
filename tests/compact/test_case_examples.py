"""Case examples (compact/case_examples.py): who writes them, the amount rule, both approvals before publishing
(refused with the missing approval named and nothing changed), any edit clearing the approvals and unpublishing,
and what each audience reads."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent, OrganisationKind
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import case_examples as cases
from compact.models import CaseExample, CaseKind
from compact.partners import NotPartnerOrOfficer, partner_add
from foundation.errors import DomainError
from tests.factories import OrganisationFactory, UserFactory, add_org_member

FIELDS = {
    "kind": CaseKind.SAVING,
    "title": "Lunch club kept open",
    "what_was_bought": "Day opportunities for older people, 2024 to 2026.",
    "social_value": "Volunteers and a local lunch club were weighted in the evaluation.",
    "amount": "12500.50",
    "amount_explained": "Fewer care home placements over two years.",
    "evidence": "Evaluation report, March 2026",
}


# The amount rule --------------------------------------------------------------------------------------------------


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False))
def test_any_pounds_and_pence_amount_is_accepted(amount):
    assert cases.parse_amount(str(amount)) == amount
    assert cases.parse_amount(f"£{amount:,}") == amount


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3, allow_nan=False))
def test_more_than_two_decimal_places_is_refused(amount):
    if amount == amount.quantize(Decimal("0.01")):
        return
    with pytest.raises(DomainError, match=re.escape(cases.AMOUNT_MESSAGE)):
        cases.parse_amount(str(amount))


@pytest.mark.parametrize("text", ["", "  ", "-1", "-0.01", "twelve", "1e3x", "NaN", "Infinity", "1000000000000"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(DomainError) as refused:
        cases.parse_amount(text)
    assert refused.value.message == cases.AMOUNT_MESSAGE
    assert refused.value.field == "amount"


# Services ---------------------------------------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def _partner(world, authority):
    with authority_scope(authority):
        partner_add(
            authority=authority, acting_user=world.user(authority, Role.ADMIN), organisation=world.community_group
        )


def _create(world, authority, user=None, **overrides):
    with authority_scope(authority):
        return cases.case_example_create(
            authority=authority,
            acting_user=user or world.user(authority, Role.COMMISSIONER),
            **{**FIELDS, **overrides},
        )


@pytestmark_db
def test_officers_and_partner_members_write_others_are_refused(world):
    _partner(world, world.a)
    officer_example = _create(world, world.a)
    partner_example = _create(world, world.a, world.community_user, title="From the forum")
    assert officer_example.amount == Decimal("12500.50")
    assert partner_example.created_by == world.community_user
    outsider = UserFactory()
    add_org_member(OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP), outsider)
    for person in (outsider, world.resident, world.user(world.a, Role.EVALUATOR), world.user(world.b, Role.ADMIN)):
        with pytest.raises(NotPartnerOrOfficer, match="partner groups and its officers can write case examples"):
            _create(world, world.a, person)
    with authority_scope(world.a):
        assert CaseExample.objects.count() == 2
        event = AuditEvent.objects.filter(verb="compact.case_example_created").order_by("id").last()
        assert event.changes["partner_groups"] == ["A Residents Forum"]


@pytestmark_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "other"}, "kind", "led to a saving"),
        ({"title": " "}, "title", "Enter a title"),
        ({"what_was_bought": ""}, "what_was_bought", "Enter what was bought"),
        ({"social_value": ""}, "social_value", "Enter what social value"),
        ({"amount_explained": ""}, "amount_explained", "Enter how the cost or saving was worked out"),
        ({"amount": "12.345"}, "amount", "like 12500 or 12500.50"),
        ({"title": "x" * 201}, "title", "200 characters or fewer"),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, overrides, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        _create(world, world.a, **overrides)
    assert refused.value.field == field
    with authority_scope(world.a):
        assert not CaseExample.objects.exists()


@pytestmark_db
def test_publishing_needs_both_approvals(world):
    _partner(world, world.a)
    officer = world.user(world.a, Role.COMMISSIONER)
    example = _create(world, world.a)
    with authority_scope(world.a):
        with pytest.raises(DomainError) as refused:
            cases.case_example_publish(example=example, acting_user=officer)
        assert refused.value.message == (
            "This case example cannot be published yet: it needs a Compact partner's approval and an officer's approval"
        )
        cases.case_example_approve_as_officer(example=example, acting_user=officer)
        with pytest.raises(DomainError, match=r"it needs a Compact partner's approval$"):
            cases.case_example_publish(example=example, acting_user=officer)
        example.refresh_from_db()
        assert example.published_at is None
        assert not cases.case_examples_published(world.a).exists()

        cases.case_example_approve_as_partner(example=example, acting_user=world.community_user)
        example.refresh_from_db()
        assert example.partner_organisation == world.community_group
        with pytest.raises(DomainError, match="already approved"):
            cases.case_example_approve_as_partner(example=example, acting_user=world.community_user)
        cases.case_example_publish(example=example, acting_user=officer)
        assert list(cases.case_examples_published(world.a)) == [example]
        assert cases.case_examples_for_landing(world.a) == [example]
        verbs = list(AuditEvent.objects.filter(verb__startswith="compact.case_example").values_list("verb", flat=True))
    assert set(verbs) == {
        "compact.case_example_created",
        "compact.case_example_officer_approved",
        "compact.case_example_partner_approved",
        "compact.case_example_published",
    }


@pytestmark_db
def test_only_officers_approve_as_officer_and_publish_only_partners_approve_as_partner(world):
    _partner(world, world.a)
    example = _create(world, world.a)
    with authority_scope(world.a):
        for person in (world.community_user, world.user(world.a, Role.PROCUREMENT_OFFICER)):
            with pytest.raises(NotPartnerOrOfficer):
                cases.case_example_approve_as_officer(example=example, acting_user=person)
            with pytest.raises(NotPartnerOrOfficer):
                cases.case_example_publish(example=example, acting_user=person)
        with pytest.raises(NotPartnerOrOfficer):
            cases.case_example_approve_as_partner(example=example, acting_user=world.user(world.a, Role.ADMIN))
        example.refresh_from_db()
        assert (example.officer_approved_at, example.partner_approved_at) == (None, None)


@pytestmark_db
def test_a_partner_of_another_authority_cannot_approve(world):
    _partner(world, world.b)
    example = _create(world, world.a)
    with authority_scope(world.a), pytest.raises(NotPartnerOrOfficer):
        cases.case_example_approve_as_partner(example=example, acting_user=world.community_user)


@pytestmark_db
def test_an_edit_clears_both_approvals_and_unpublishes(world):
    _partner(world, world.a)
    officer = world.user(world.a, Role.COMMISSIONER)
    example = _create(world, world.a)
    with authority_scope(world.a):
        cases.case_example_approve_as_officer(example=example, acting_user=officer)
        cases.case_example_approve_as_partner(example=example, acting_user=world.community_user)
        cases.case_example_publish(example=example, acting_user=officer)
        cases.case_example_update(
            example=example, acting_user=world.community_user, **{**FIELDS, "amount": "9000", "title": "Changed"}
        )
        example.refresh_from_db()
        assert (example.title, example.amount) == ("Changed", Decimal("9000.00"))
        assert example.published_at is None
        assert example.partner_approved_at is None and example.partner_organisation is None
        assert example.officer_approved_at is None and example.officer_approved_by is None
        assert not cases.case_examples_published(world.a).exists()
        event = AuditEvent.objects.get(verb="compact.case_example_updated")
        assert event.changes["unpublished"] is True
        assert event.changes["title"] == {"before": "Lunch club kept open", "after": "Changed"}


@pytestmark_db
def test_unpublish_keeps_the_approvals(world):
    _partner(world, world.a)
    officer = world.user(world.a, Role.ADMIN)
    example = _create(world, world.a)
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="not published"):
            cases.case_example_unpublish(example=example, acting_user=officer)
        cases.case_example_approve_as_officer(example=example, acting_user=officer)
        cases.case_example_approve_as_partner(example=example, acting_user=world.community_user)
        cases.case_example_publish(example=example, acting_user=officer)
        cases.case_example_unpublish(example=example, acting_user=officer)
        example.refresh_from_db()
        assert example.published_at is None and example.officer_approved_at and example.partner_approved_at
        assert cases.readiness(example).can_publish


@pytestmark_db
def test_drafts_are_seen_only_by_partner_members(world):
    _partner(world, world.a)
    example = _create(world, world.a)
    with authority_scope(world.a):
        assert cases.case_example_get_public(world.a, example.pk, world.community_user) == example
        assert cases.case_example_get_public(world.a, example.pk, world.resident) is None
        assert cases.case_example_get_public(world.a, example.pk, world.user(world.a, Role.ADMIN)) is None


@pytestmark_db
def test_landing_shows_the_three_newest_published(world):
    _partner(world, world.a)
    officer = world.user(world.a, Role.COMMISSIONER)
    titles = []
    for number in range(5):
        example = _create(world, world.a, title=f"Example {number}")
        with authority_scope(world.a):
            cases.case_example_approve_as_officer(example=example, acting_user=officer)
            cases.case_example_approve_as_partner(example=example, acting_user=world.community_user)
            if number != 4:
                cases.case_example_publish(example=example, acting_user=officer)
                titles.append(example.title)
    with authority_scope(world.a):
        assert [example.title for example in cases.case_examples_for_landing(world.a)] == titles[::-1][:3]
