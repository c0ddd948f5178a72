import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Organisation, OrganisationMembership, OrganisationMemberStatus

pytestmark = pytest.mark.django_db


def test_register_supplier_makes_you_its_admin(client, world):
    client.force_login(world.resident)
    response = client.post(
        reverse("accounts:organisation-create"),
        {
            "kind": "supplier",
            "name": "Green Cleaners Ltd",
            "company_number": "sc123456",
            "postcode": "nm14ab",
            "is_sme": "on",
        },
    )
    assert response.status_code == 303
    organisation = Organisation.objects.get(name="Green Cleaners Ltd")
    assert (organisation.company_number, organisation.postcode, organisation.is_sme) == (
        "SC123456",
        "NM1 4AB",
        True,
    )
    membership = OrganisationMembership.objects.get(organisation=organisation)
    assert (membership.user, membership.role, membership.status) == (world.resident, "admin", "approved")


def test_register_organisation_errors(client, world):
    client.force_login(world.resident)
    response = client.post(
        reverse("accounts:organisation-create"), {"name": "", "company_number": "123", "postcode": "nowhere"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    for message in (
        "Select whether you are registering",
        "Enter the organisation",
        "Enter a company number in the correct format",
        "Enter a real postcode",
    ):
        assert message in body
    assert not Organisation.objects.filter(postcode="nowhere").exists()


def test_join_community_group_by_request_approved_by_admin(client, world, django_capture_on_commit_callbacks):
    group = world.community_group
    client.force_login(world.resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:organisation-join", args=[group.pk]), {"message": "I live here"})
    assert response.status_code == 303
    request = OrganisationMembership.objects.get(organisation=group, user=world.resident)
    assert request.status == OrganisationMemberStatus.PENDING
    assert mail.outbox[-1].to == [world.community_user.email]

    # Only the group's admin can decide.
    client.force_login(world.supplier_one_user)
    url = reverse("accounts:organisation-request-decide", args=[group.pk, request.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    client.force_login(world.community_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"decision": "approve"}).status_code == 303
    request.refresh_from_db()
    assert request.status == OrganisationMemberStatus.APPROVED
    assert "You are now a member" in mail.outbox[-1].body


def test_suppliers_do_not_take_join_requests(client, world):
    client.force_login(world.resident)
    response = client.post(reverse("accounts:organisation-join", args=[world.supplier_one.pk]))
    assert response.status_code == 404
    assert client.get(reverse("accounts:organisation-detail", args=[world.supplier_one.pk])).status_code == 404


def test_supplier_admin_adds_a_colleague(client, world):
    client.force_login(world.supplier_one_user)
    url = reverse("accounts:organisation-member-add", args=[world.supplier_one.pk])
    missing = client.post(url, {"email": "nobody@example.org"})
    assert missing.status_code == 422
    assert "no account with this email" in missing.content.decode()
    assert client.post(url, {"email": world.resident.email}).status_code == 303
    assert OrganisationMembership.objects.get(organisation=world.supplier_one, user=world.resident).status == "approved"


def test_community_group_list_is_searchable_and_paginated(client, world):
    for number in range(25):
        Organisation.objects.create(kind="community_group", name=f"Group {number:02d}", postcode="AB1 2CD")
    page1 = client.get(reverse("accounts:community-group-list"))
    assert page1.status_code == 200
    assert len(page1.context["groups"]) == 20
    page2 = client.get(reverse("accounts:community-group-list") + "?page=2")
    assert len(page2.context["groups"]) == 6
    found = client.get(reverse("accounts:community-group-list") + "?q=residents")
    assert [g.name for g in found.context["groups"]] == ["A Residents Forum"]
