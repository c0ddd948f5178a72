"""The staff page for entering a contract awarded elsewhere (compact:contract-create): the service's refusals shown
next to their fields with status 422 and what was typed kept, success answering 303 to the new contract. Roles without
contracts.manage are refused by the generated suites in tests/test_permissions.py."""

from decimal import Decimal

from django.urls import reverse

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact.models import Contract
from tests.charters.factories import adopt_without_consultation, build_charter
from tests.compact.factories import ENDS_ON, STARTS_ON
from tests.tenders.factories import adopted_test_charter, charter_measures


def _url(authority):
    return reverse("compact:contract-create", args=[authority.slug])


def _data(world, *, officer, version, measure, **overrides):
    data = {
        "supplier": str(world.supplier_one.pk),
        "reference": "EXT-1",
        "title": "Grounds maintenance",
        "value": "50000",
        "starts_on_day": str(STARTS_ON.day),
        "starts_on_month": str(STARTS_ON.month),
        "starts_on_year": str(STARTS_ON.year),
        "ends_on_day": str(ENDS_ON.day),
        "ends_on_month": str(ENDS_ON.month),
        "ends_on_year": str(ENDS_ON.year),
        "responsible_officer": str(officer.pk),
        "charter_version": str(version.pk),
        "measure_1": str(measure.pk) if measure else "",
        "target_1": "12",
        "place_1": "Northtown",
    }
    data.update(overrides)
    return data


def _setup(client, world):
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    version = adopted_test_charter(world, world.a)
    measures = charter_measures(world.a, version)
    client.force_login(manager)
    return manager, version, measures


def test_the_page_offers_suppliers_managers_versions_and_measures(client, world):
    _, version, measures = _setup(client, world)
    response = client.get(_url(world.a))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.supplier_one.name in html
    assert f"version {version.number}: {measures[0].code} {measures[0].title}" in html
    assert 'name="measure_5"' in html
    list_page = client.get(reverse("compact:contract-list", args=[world.a.slug])).content.decode()
    assert "Enter a contract awarded elsewhere" in list_page


def test_the_list_link_is_only_for_those_who_manage_contracts(client, world):
    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(reverse("compact:contract-list", args=[world.a.slug]))
    assert response.status_code == 200
    assert "Enter a contract awarded elsewhere" not in response.content.decode()


def test_success_creates_the_contract_with_its_commitments_and_schedule(client, world):
    manager, version, measures = _setup(client, world)
    data = _data(
        world,
        officer=manager,
        version=version,
        measure=measures[0],
        measure_3=str(measures[1].pk),
        target_3="4.5",
        place_3="",
    )
    response = client.post(_url(world.a), data)
    assert response.status_code == 303
    with authority_scope(world.a):
        contract = Contract.objects.get(authority=world.a, reference="EXT-1")
        assert response["Location"] == reverse("compact:contract-detail", args=[world.a.slug, contract.pk])
        assert contract.supplier == world.supplier_one
        assert contract.value == Decimal("50000")
        assert contract.responsible_officer == manager
        assert contract.charter_version == version
        assert (contract.starts_on, contract.ends_on) == (STARTS_ON, ENDS_ON)
        commitments = list(contract.commitments.order_by("id"))
        assert [(c.charter_measure_id, c.target, c.place) for c in commitments] == [
            (measures[0].pk, Decimal("12"), "Northtown"),
            (measures[1].pk, Decimal("4.5"), ""),
        ]
        assert all(c.due_on == ENDS_ON for c in commitments)
        assert contract.reports.exists()


def test_no_commitment_is_refused_with_what_was_typed_kept(client, world):
    manager, version, _ = _setup(client, world)
    response = client.post(_url(world.a), _data(world, officer=manager, version=version, measure=None, target_1=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter at least one social value commitment" in html
    assert "govuk-error-summary" in html
    assert 'value="Grounds maintenance"' in html
    assert 'value="EXT-1"' in html
    with authority_scope(world.a):
        assert not Contract.objects.filter(authority=world.a).exists()


def test_a_measure_of_another_version_is_refused(client, world):
    manager, version, _ = _setup(client, world)
    # Another authority's measure is never offered, so the form refuses it before the service sees it.
    other = charter_measures(world.b, adopted_test_charter(world, world.b))[0]
    response = client.post(_url(world.a), _data(world, officer=manager, version=version, measure=other))
    assert response.status_code == 422
    assert "Choose one of the charter versions" in response.content.decode()
    with authority_scope(world.a):
        assert not Contract.objects.filter(authority=world.a).exists()


def test_a_measure_from_another_of_the_authoritys_versions_is_refused_by_the_service(client, world):
    manager, _, measures = _setup(client, world)
    # Another adopted charter of the same authority: its version is offered, and so are the first one's measures.
    _, other = build_charter(world, world.a, title="Parks charter")
    other = adopt_without_consultation(world, world.a, other)
    response = client.post(_url(world.a), _data(world, officer=manager, version=other, measure=measures[0]))
    assert response.status_code == 422
    html = response.content.decode()
    assert "is not a measure of" in html
    assert 'value="Northtown"' in html


def test_an_officer_who_is_not_a_contract_manager_is_refused(client, world):
    _, version, measures = _setup(client, world)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    response = client.post(_url(world.a), _data(world, officer=officer, version=version, measure=measures[0]))
    assert response.status_code == 422
    assert "Choose one of the authority&#x27;s contract managers" in response.content.decode()
