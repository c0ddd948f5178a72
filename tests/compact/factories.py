"""Contract follow-up test data, built through the services.

    contract = build_contract_from_award(world, world.a)   # bidder 1's winning offer, 1 Jan 2026 to 31 Dec 2026
    contract = build_direct_contract(world, world.a, supplier=world.supplier_one, targets=("10", "5"))

The award's value is £200,000 (bidder 1's price) against the default light-touch value of £100,000, so a contract
from an award reports quarterly unless `light_touch_below` is raised above it.
"""

from datetime import date
from decimal import Decimal

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import services
from tests.evaluation.factories import build_awarded
from tests.tenders.factories import adopted_test_charter, charter_measures

STARTS_ON = date(2026, 1, 1)
ENDS_ON = date(2026, 12, 31)


def build_contract_from_award(
    world, authority, *, starts_on=STARTS_ON, ends_on=ENDS_ON, light_touch_below=None, **award_options
):
    if light_touch_below is not None:
        authority.light_touch_below = Decimal(light_touch_below)
        authority.save(update_fields=["light_touch_below"])
    award = build_awarded(world, authority, confirm=True, **award_options)
    with authority_scope(authority):
        return services.contract_create_from_award(
            award=award,
            acting_user=world.user(authority, Role.CONTRACT_MANAGER),
            responsible_officer=world.user(authority, Role.CONTRACT_MANAGER),
            starts_on=starts_on,
            ends_on=ends_on,
        )


def build_direct_contract(
    world,
    authority,
    *,
    supplier=None,
    targets=("10", "5"),
    value="50000",
    reference="C-1",
    starts_on=STARTS_ON,
    ends_on=ENDS_ON,
):
    """A contract awarded elsewhere, with one commitment per target on the test charter's first measures."""
    version = adopted_test_charter(world, authority)
    measures = charter_measures(authority, version)
    with authority_scope(authority):
        return services.contract_create(
            authority=authority,
            acting_user=world.user(authority, Role.CONTRACT_MANAGER),
            supplier=supplier or world.supplier_one,
            reference=reference,
            title="Grounds maintenance",
            value=Decimal(value),
            starts_on=starts_on,
            ends_on=ends_on,
            responsible_officer=world.user(authority, Role.CONTRACT_MANAGER),
            charter_version=version,
            commitments=[
                (measure, Decimal(target), "Northtown")
                for measure, target in zip(measures[: len(targets)], targets, strict=True)
            ],
        )
