"""The local Compact page over the API: the consultation register, the checklist, case examples, Compact partners and
decommissioning assessments. Public reads show only what the public pages show; writes go through the same services,
with the same refusals, isolation between authorities and the role truth table of every staff write."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, OrganisationKind
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from compact import case_examples as cases
from compact import checklist, decommissioning, register
from compact.models import (
    AssessmentStatus,
    CaseExample,
    ChecklistAction,
    CompactPartner,
    DecommissioningAssessment,
    RegisteredConsultation,
)
from tests.compact.makers_assessment import assessed_contract
from tests.compact.test_case_examples import FIELDS
from tests.compact.test_checklist import make_partner
from tests.compact.test_contract_pages import build_reported_contract
from tests.compact.test_register import _add as register_add
from tests.compact.test_register import _charter_consultation
from tests.factories import OrganisationFactory, UserFactory, add_org_member

from .conftest import as_user, assert_error


def base(authority) -> str:
    return f"/api/v1/authorities/{authority.slug}/compact"


def _example(world, authority, *, title="Lunch club kept open", published=False):
    """A case example written by an officer; published with both approvals when asked (needs a partner)."""
    officer = world.user(authority, Role.COMMISSIONER)
    with authority_scope(authority):
        example = cases.case_example_create(authority=authority, acting_user=officer, **{**FIELDS, "title": title})
        if published:
            cases.case_example_approve_as_officer(example=example, acting_user=officer)
            cases.case_example_approve_as_partner(example=example, acting_user=world.community_user)
            cases.case_example_publish(example=example, acting_user=officer)
        return example


def _other_group_member(name="Other Group"):
    group = OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP, name=name)
    member = UserFactory()
    add_org_member(group, member)
    return group, member


# The consultation register --------------------------------------------------------------------------------------


def test_register_is_public_with_the_years_figures(world, api):
    register_add(world, title="Parks strategy", opens_on=date(2025, 5, 4), closes_on=date(2025, 7, 27))
    register_add(
        world,
        title="Library hours",
        opens_on=date(2026, 5, 4),
        closes_on=date(2026, 6, 1),
        shorter_reason="The budget decision is due in June",
    )
    b_entry = register_add(world, world.b, title="B's consultation")

    body = api.get(f"{base(world.a)}/register/").json()
    assert [e["title"] for e in body["results"]] == ["Library hours", "Parks strategy"]
    library = body["results"][0]
    assert library["length_weeks"] == "4.0" and library["meets_twelve_weeks"] is False
    assert library["compliant"] is True and library["shorter_reason"] == "The budget decision is due in June"
    assert "created_by" not in library
    assert [e["title"] for e in api.get(f"{base(world.a)}/register/?year=2025").json()["results"]] == ["Parks strategy"]
    assert_error(api.get(f"{base(world.a)}/register/?year=last"), 400, field="year")

    detail = api.get(f"{base(world.a)}/register/{library['id']}/").json()
    assert detail["title"] == "Library hours" and detail["is_charter_consultation"] is False
    compliance = api.get(f"{base(world.a)}/register/compliance/").json()
    assert [(row["year"], row["total"], row["share"]) for row in compliance] == [(2026, 1, "100.0"), (2025, 1, "100.0")]

    assert_error(api.get(f"{base(world.a)}/register/{b_entry.pk}/"), 404)
    assert_error(api.get(f"{base(world.b)}/register/{library['id']}/"), 404)


def test_officer_keeps_the_register(world, api):
    as_user(api, world.user(world.a, Role.COMMISSIONER))
    url = f"{base(world.a)}/register/"
    today = timezone.localdate()
    opens_on, closes_on = str(today - timedelta(days=200)), str(today - timedelta(days=100))
    created = api.post(
        url,
        {"title": "Parks strategy", "opens_on": opens_on, "closes_on": closes_on, "url": "https://x.org/p"},
        format="json",
    )
    assert created.status_code == 201, created.content
    entry_id = created.json()["id"]
    assert created.json()["meets_twelve_weeks"] is True

    # Bad input: the service's message on its field, and nothing changed.
    short = {"title": "Quick one", "opens_on": "2026-05-04", "closes_on": "2026-05-18"}
    body = assert_error(api.post(url, short, format="json"), 400, field="shorter_reason")
    assert body["errors"]["shorter_reason"][0].startswith("Explain why the consultation is shorter than 12 weeks")
    assert_error(api.post(url, {"title": "", "opens_on": "2026-05-04"}, format="json"), 400, field="title")
    assert_error(api.post(url, {"title": "X", "opens_on": "4 May"}, format="json"), 400, field="opens_on")
    assert_error(api.patch(f"{url}{entry_id}/", {"url": "not an address"}, format="json"), 400, field="url")
    with authority_scope(world.a):
        assert RegisteredConsultation.objects.count() == 1
        assert RegisteredConsultation.objects.get().url == "https://x.org/p"

    changed = api.patch(f"{url}{entry_id}/", {"title": "Parks and open spaces"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "Parks and open spaces"
    assert changed.json()["closes_on"] == closes_on

    # Feedback only once it has closed.
    feedback = {"feedback_given": True, "feedback_url": "https://x.org/feedback"}
    upcoming = {"title": "Upcoming", "opens_on": str(today), "closes_on": str(today + timedelta(weeks=12))}
    upcoming_id = api.post(url, upcoming, format="json").json()["id"]
    assert_error(api.put(f"{url}{upcoming_id}/feedback/", feedback, format="json"), 400, field="feedback_given")
    assert_error(
        api.put(f"{url}{entry_id}/feedback/", {"feedback_given": True}, format="json"), 400, field="feedback_url"
    )
    recorded = api.put(f"{url}{entry_id}/feedback/", feedback, format="json")
    assert recorded.status_code == 200 and recorded.json()["feedback"] is True
    assert api.delete(f"{url}{upcoming_id}/").status_code == 204

    assert api.delete(f"{url}{entry_id}/").status_code == 204
    with authority_scope(world.a):
        assert not RegisteredConsultation.objects.exists()
        verbs = set(AuditEvent.objects.filter(verb__startswith="register.").values_list("verb", flat=True))
    assert verbs == {
        "register.consultation_added",
        "register.consultation_updated",
        "register.feedback_recorded",
        "register.consultation_removed",
    }


def test_charter_consultations_are_refused_with_the_services_message(world, api):
    _charter_consultation(world)
    with authority_scope(world.a):
        entry = RegisteredConsultation.objects.get()
    as_user(api, world.user(world.a, Role.ADMIN))
    url = f"{base(world.a)}/register/{entry.pk}/"
    assert api.get(url).json()["is_charter_consultation"] is True
    for response in (
        api.patch(url, {"title": "Renamed"}, format="json"),
        api.put(f"{url}feedback/", {"feedback_given": False}, format="json"),
        api.delete(url),
    ):
        assert assert_error(response, 400)["detail"] == register.CHARTER_ENTRY_REFUSAL
    with authority_scope(world.a):
        assert RegisteredConsultation.objects.get().title == entry.title


@pytest.mark.parametrize("role", list(Role))
def test_register_write_role_truth_table(world, api, role):
    entry = register_add(world)
    as_user(api, world.user(world.a, role))
    allowed = has_permission({role}, "compact.manage")
    # An empty title passes the role check and is refused by the service: 400 for officers, 403 for the others.
    expected = 400 if allowed else 403
    assert api.post(f"{base(world.a)}/register/", {"title": ""}, format="json").status_code == expected
    assert api.patch(f"{base(world.a)}/register/{entry.pk}/", {"title": ""}, format="json").status_code == expected
    assert api.delete(f"{base(world.a)}/register/{entry.pk}/").status_code == (204 if allowed else 403)


def test_register_writes_for_outsiders(world, api):
    entry = register_add(world)
    url = f"{base(world.a)}/register/{entry.pk}/"
    assert_error(api.delete(url), 401)
    for outsider in (world.resident, world.community_user, world.user(world.b, Role.ADMIN)):
        as_user(api, outsider)
        assert_error(api.delete(url), 404)
    as_user(api, world.user(world.b, Role.ADMIN))
    assert_error(api.delete(f"{base(world.b)}/register/{entry.pk}/"), 404)
    with authority_scope(world.a):
        assert RegisteredConsultation.objects.filter(pk=entry.pk).exists()


# The checklist --------------------------------------------------------------------------------------------------


def test_public_checklist_shows_case_example_evidence_only_once_published(world, api):
    make_partner(world, world.a)
    draft = _example(world, world.a, title="Secret draft example")
    published = _example(world, world.a, title="Published example", published=True)
    officer = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        for example in (draft, published):
            checklist.evidence_add(
                authority=world.a, acting_user=officer, number=14, label=f"About {example.title}", case_example=example
            )
    body = api.get(f"{base(world.a)}/checklist/")
    assert body.status_code == 200
    data = body.json()
    assert [row["number"] for row in data["actions"]] == list(range(1, 17))
    assert (data["achieved"], data["in_progress"], data["not_started"]) == (0, 0, 16)
    assert "Secret draft example" not in body.content.decode()
    (evidence,) = data["actions"][13]["evidence"]
    assert evidence["case_example_title"] == "Published example"
    assert "added_by" not in evidence
    one = api.get(f"{base(world.a)}/checklist/14/").json()
    assert [e["case_example_title"] for e in one["evidence"]] == ["Published example"]

    as_user(api, world.user(world.a, Role.EVALUATOR))  # staff read every link, as on the staff checklist
    titles = [e["case_example_title"] for e in api.get(f"{base(world.a)}/checklist/14/").json()["evidence"]]
    assert titles == ["Secret draft example", "Published example"]
    assert_error(api.get(f"{base(world.a)}/checklist/17/"), 404)


def test_partner_member_updates_the_checklist_and_its_evidence(world, api):
    make_partner(world, world.a)
    as_user(api, world.community_user)
    url = f"{base(world.a)}/checklist/7/"
    response = api.put(url, {"status": "in_progress", "notes": "Training booked.", "owner": "Forum"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["owner"]) == ("in_progress", "Forum")

    added = api.post(f"{url}evidence/", {"label": "Minutes", "url": "https://x.org/minutes"}, format="json")
    assert added.status_code == 201, added.content
    assert_error(api.post(f"{url}evidence/", {"label": "Minutes", "url": "ftp://x"}, format="json"), 400, field="url")
    assert_error(
        api.post(f"{url}evidence/", {"label": "Case", "case_example_id": 999999}, format="json"),
        400,
        field="case_example_id",
    )
    assert_error(api.put(url, {"status": "finished"}, format="json"), 400, field="status")
    with authority_scope(world.a):
        action = ChecklistAction.objects.get(number=7)
        assert (action.status, action.evidence_links.count()) == ("in_progress", 1)
        event = AuditEvent.objects.filter(verb="compact.checklist_updated").get()
    assert event.changes["partner_groups"] == [world.community_group.name]

    assert api.delete(f"{base(world.a)}/checklist/evidence/{added.json()['id']}/").status_code == 204
    with authority_scope(world.a):
        assert not action.evidence_links.exists()


def test_only_partner_members_and_officers_update_the_checklist(world, api):
    make_partner(world, world.a)
    _, outsider = _other_group_member()
    b_group, b_member = _other_group_member("B's partner group")
    make_partner(world, world.b, b_group)
    with authority_scope(world.a):
        evidence = checklist.evidence_add(
            authority=world.a,
            acting_user=world.user(world.a, Role.ADMIN),
            number=3,
            label="A's evidence",
            url="https://x.org/a",
        )
    url = f"{base(world.a)}/checklist/3/"
    change = {"status": "achieved"}
    assert_error(api.put(url, change, format="json"), 401)
    for refused in (outsider, b_member, world.resident, world.user(world.a, Role.EVALUATOR)):
        as_user(api, refused)
        body = assert_error(api.put(url, change, format="json"), 403)
        assert "Compact partner groups and its officers" in body["detail"]
        assert_error(api.delete(f"{base(world.a)}/checklist/evidence/{evidence.pk}/"), 403)
    # Another authority's partner asking for this authority's evidence under its own authority: not found.
    as_user(api, b_member)
    assert_error(api.delete(f"{base(world.b)}/checklist/evidence/{evidence.pk}/"), 404)
    with authority_scope(world.a):
        assert not ChecklistAction.objects.filter(number=3, status="achieved").exists()
        assert evidence.action.evidence_links.count() == 1
    as_user(api, world.user(world.a, Role.COMMISSIONER))
    assert api.put(url, change, format="json").status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_checklist_role_truth_table(world, api, role):
    as_user(api, world.user(world.a, role))
    response = api.put(f"{base(world.a)}/checklist/1/", {"status": "achieved"}, format="json")
    assert response.status_code == (200 if has_permission({role}, "compact.manage") else 403)


# Case examples ----------------------------------------------------------------------------------------------------


def test_the_public_reads_published_case_examples_only(world, api):
    make_partner(world, world.a)
    draft = _example(world, world.a, title="Secret draft example")
    published = _example(world, world.a, title="Published example", published=True)

    for reader in (None, world.resident, world.user(world.b, Role.ADMIN)):
        as_user(api, reader)
        response = api.get(f"{base(world.a)}/case-examples/")
        assert [e["title"] for e in response.json()["results"]] == ["Published example"]
        assert "Secret draft example" not in response.content.decode()
        assert_error(api.get(f"{base(world.a)}/case-examples/{draft.pk}/"), 404)
        assert api.get(f"{base(world.a)}/case-examples/{published.pk}/").json()["partner_group"] == (
            world.community_group.name
        )
    assert_error(api.get(f"{base(world.a)}/case-examples/?status=draft"), 403)
    as_user(api, None)
    assert_error(api.get(f"{base(world.a)}/case-examples/?status=draft"), 401)
    assert_error(api.get(f"{base(world.b)}/case-examples/{published.pk}/"), 404)

    for reader in (world.community_user, world.user(world.a, Role.EVALUATOR)):
        as_user(api, reader)
        titles = [e["title"] for e in api.get(f"{base(world.a)}/case-examples/").json()["results"]]
        assert titles == ["Secret draft example", "Published example"]
        drafts = api.get(f"{base(world.a)}/case-examples/?status=draft").json()["results"]
        assert [e["still_needs"] for e in drafts] == [["a Compact partner's approval", "an officer's approval"]]
        assert api.get(f"{base(world.a)}/case-examples/{draft.pk}/").status_code == 200


def test_case_example_from_draft_to_published_and_back(world, api):
    make_partner(world, world.a)
    url = f"{base(world.a)}/case-examples/"
    as_user(api, world.community_user)
    created = api.post(url, FIELDS, format="json")
    assert created.status_code == 201, created.content
    example_id = created.json()["id"]
    assert created.json()["amount"] == "12500.50" and created.json()["published_at"] is None

    # Bad input: the service's message on its field, and nothing changed.
    assert_error(api.post(url, {**FIELDS, "amount": "lots"}, format="json"), 400, field="amount")
    assert_error(api.patch(f"{url}{example_id}/", {"title": ""}, format="json"), 400, field="title")
    linked = api.post(url, {**FIELDS, "contract_id": 1}, format="json")
    assert_error(linked, 400, field="contract_id")  # partners do not link contracts: the staff form does
    with authority_scope(world.a):
        assert CaseExample.objects.count() == 1
        assert CaseExample.objects.get().title == FIELDS["title"]

    # Publishing and officer approval are for officers.
    assert_error(api.post(f"{url}{example_id}/publish/"), 403)
    assert_error(api.post(f"{url}{example_id}/approval/", {"approve_as": "officer"}, format="json"), 403)
    approved = api.post(f"{url}{example_id}/approval/", {"approve_as": "partner"}, format="json")
    assert approved.status_code == 200 and approved.json()["still_needs"] == ["an officer's approval"]

    as_user(api, world.user(world.a, Role.COMMISSIONER))
    body = assert_error(api.post(f"{url}{example_id}/publish/"), 400)
    assert body["detail"] == "This case example cannot be published yet: it needs an officer's approval"
    assert api.post(f"{url}{example_id}/approval/", {"approve_as": "officer"}, format="json").status_code == 200
    published = api.post(f"{url}{example_id}/publish/")
    assert published.status_code == 200 and published.json()["published_at"]
    as_user(api, None)
    assert api.get(f"{url}{example_id}/").status_code == 200

    # Any edit clears both approvals and takes it off the public pages.
    as_user(api, world.community_user)
    edited = api.patch(f"{url}{example_id}/", {"title": "Lunch club kept open for two more years"}, format="json")
    assert edited.status_code == 200, edited.content
    assert edited.json()["published_at"] is None and len(edited.json()["still_needs"]) == 2
    assert edited.json()["what_was_bought"] == FIELDS["what_was_bought"]
    as_user(api, None)
    assert_error(api.get(f"{url}{example_id}/"), 404)
    with authority_scope(world.a):
        verbs = list(AuditEvent.objects.filter(verb__startswith="compact.case_example").values_list("verb", flat=True))
    assert "compact.case_example_updated" in verbs and "compact.case_example_published" in verbs


def test_case_examples_between_authorities(world, api):
    make_partner(world, world.a)
    b_group, b_member = _other_group_member("B's partner group")
    make_partner(world, world.b, b_group)
    draft = _example(world, world.a, title="Secret draft example")
    as_user(api, b_member)
    assert_error(api.get(f"{base(world.a)}/case-examples/{draft.pk}/"), 404)
    assert_error(api.patch(f"{base(world.a)}/case-examples/{draft.pk}/", {"title": "x"}, format="json"), 404)
    assert_error(api.get(f"{base(world.b)}/case-examples/{draft.pk}/"), 404)
    assert_error(api.post(f"{base(world.b)}/case-examples/{draft.pk}/approval/", {"approve_as": "partner"}), 404)
    as_user(api, world.user(world.b, Role.ADMIN))
    assert_error(api.post(f"{base(world.b)}/case-examples/{draft.pk}/publish/"), 404)
    # Not a partner anywhere: cannot write.
    as_user(api, world.resident)
    assert_error(api.post(f"{base(world.a)}/case-examples/", FIELDS, format="json"), 403)


@pytest.mark.parametrize("role", list(Role))
def test_case_example_role_truth_table(world, api, role):
    example = _example(world, world.a)
    as_user(api, world.user(world.a, role))
    allowed = has_permission({role}, "compact.manage")
    url = f"{base(world.a)}/case-examples/"
    assert api.post(url, {**FIELDS, "title": ""}, format="json").status_code == (400 if allowed else 403)
    approval = api.post(f"{url}{example.pk}/approval/", {"approve_as": "officer"}, format="json")
    assert approval.status_code == (200 if allowed else 403)


# Compact partners -------------------------------------------------------------------------------------------------


def test_partners_are_public_and_admins_choose_them(world, api):
    supplier_id = world.supplier_one.pk
    as_user(api, world.user(world.a, Role.ADMIN))
    url = f"{base(world.a)}/partners/"
    added = api.post(url, {"organisation_id": world.community_group.pk}, format="json")
    assert added.status_code == 201, added.content
    body = assert_error(api.post(url, {"organisation_id": world.community_group.pk}, format="json"), 400)
    assert body["errors"]["organisation_id"] == [
        f"{world.community_group.name} is already a Compact partner of {world.a.name}"
    ]
    assert_error(api.post(url, {"organisation_id": supplier_id}, format="json"), 400, field="organisation_id")
    assert_error(api.post(url, {}, format="json"), 400, field="organisation_id")

    as_user(api, None)
    listed = api.get(url).json()
    assert [p["name"] for p in listed["results"]] == [world.community_group.name]
    assert api.get(f"{base(world.b)}/partners/").json()["count"] == 0
    partner_id = added.json()["id"]
    assert_error(api.get(f"{base(world.b)}/partners/{partner_id}/"), 404)
    as_user(api, world.user(world.b, Role.ADMIN))
    assert_error(api.delete(f"{base(world.b)}/partners/{partner_id}/"), 404)
    assert_error(api.delete(f"{url}{partner_id}/"), 404)
    as_user(api, world.user(world.a, Role.ADMIN))
    assert api.delete(f"{url}{partner_id}/").status_code == 204
    with authority_scope(world.a):
        assert not CompactPartner.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_partner_role_truth_table(world, api, role):
    as_user(api, world.user(world.a, role))
    response = api.post(f"{base(world.a)}/partners/", {"organisation_id": world.community_group.pk}, format="json")
    assert response.status_code == (201 if has_permission({role}, "compact.partners") else 403)


# Decommissioning assessments --------------------------------------------------------------------------------------


def _people(world, authority) -> list[str]:
    staff = [world.user(authority, role) for role in Role]
    return [name for user in [*staff, world.supplier_one_user] for name in (user.full_name, user.email)]


def test_the_public_reads_assessments_without_peoples_names(world, api):
    assessment = assessed_contract(world, world.a)
    listed = api.get(f"{base(world.a)}/assessments/")
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert row["contract"]["supplier"] == world.supplier_one.name and row["response_count"] == 1
    detail = api.get(f"{base(world.a)}/assessments/{assessment.pk}/")
    data = detail.json()
    assert data["responses"][0]["organisation"] == world.supplier_one.name
    assert data["responses_open"] is True and data["kind"] == "reduce_value"
    assert "opened_by" not in data
    for text in (listed.content.decode(), detail.content.decode()):
        for name in _people(world, world.a):
            assert name not in text
    assert_error(api.get(f"{base(world.b)}/assessments/{assessment.pk}/"), 404)

    as_user(api, world.user(world.a, Role.EVALUATOR))  # contracts.view: who opened it, and what stops the decision
    staff = api.get(f"{base(world.a)}/assessments/{assessment.pk}/").json()
    assert staff["opened_by"] == world.user(world.a, Role.CONTRACT_MANAGER).full_name
    assert staff["decision_blocker"].startswith("You can record the decision from")


def test_supplier_and_partner_members_respond(world, api):
    make_partner(world, world.a)
    assessment = assessed_contract(world, world.a)
    url = f"{base(world.a)}/assessments/{assessment.pk}/responses/"
    assert_error(api.post(url, {"text": "Hello"}, format="json"), 401)
    for outsider in (world.resident, world.user(world.a, Role.CONTRACT_MANAGER)):
        as_user(api, outsider)
        assert_error(api.post(url, {"text": "Hello"}, format="json"), 403)
    as_user(api, world.supplier_one_user)
    assert_error(api.post(url, {"text": ""}, format="json"), 400, field="text")
    responded = api.post(url, {"text": "We can change the rounds."}, format="json")
    assert responded.status_code == 201 and responded.json()["organisation"] == world.supplier_one.name
    as_user(api, world.community_user)
    responded = api.post(url, {"text": "Residents rely on it."}, format="json")
    assert responded.status_code == 201 and responded.json()["organisation"] == world.community_group.name
    assert_error(api.post(f"{base(world.b)}/assessments/{assessment.pk}/responses/", {"text": "x"}), 404)
    with authority_scope(world.a):
        assert assessment.responses.count() == 3


def test_managers_open_answer_and_decide(world, api):
    assessment = assessed_contract(world, world.a)
    contract = assessment.contract
    as_user(api, world.user(world.a, Role.CONTRACT_MANAGER))
    today = timezone.localdate()
    opening = {
        "contract_id": contract.pk,
        "kind": "reduce_scope",
        "proposal": "Stop the winter rounds.",
        "takes_effect_on": str(today + timedelta(days=40)),
        "impact_beneficiaries": "Fewer streets cleaned in winter.",
        "impact_service_users": "Residents report litter.",
        "impact_volunteers": "None take part.",
        "responses_due_on": str(today + timedelta(days=20)),
    }
    url = f"{base(world.a)}/assessments/"
    assert_error(api.post(url, {**opening, "proposal": ""}, format="json"), 400, field="proposal")
    assert_error(api.post(url, {**opening, "proposed_value": "100"}, format="json"), 400, field="proposed_value")
    assert_error(api.post(url, {**opening, "contract_id": 999999}, format="json"), 400, field="contract_id")
    with authority_scope(world.a):
        assert DecommissioningAssessment.objects.count() == 1
    opened = api.post(url, opening, format="json")
    assert opened.status_code == 201, opened.content
    assert opened.json()["status"] == "open" and opened.json()["notified"][0]["organisation"] == world.supplier_one.name

    with authority_scope(world.a):
        response = assessment.responses.order_by("id").first()
    answer_url = f"{url}{assessment.pk}/responses/{response.pk}/answer/"
    assert_error(api.put(answer_url, {"answer": ""}, format="json"), 400, field="answer")
    answered = api.put(answer_url, {"answer": "We will keep the summer rounds."}, format="json")
    assert answered.status_code == 200 and answered.json()["answer"] == "We will keep the summer rounds."

    body = assert_error(
        api.post(f"{url}{assessment.pk}/decision/", {"decision": "proceed", "reasons": "Budget."}, format="json"), 400
    )
    assert body["detail"].startswith("You can record the decision from")
    with authority_scope(world.a):
        DecommissioningAssessment.objects.filter(pk=assessment.pk).update(responses_due_on=today - timedelta(days=1))
    assert_error(
        api.post(f"{url}{assessment.pk}/decision/", {"decision": "maybe"}, format="json"), 400, field="decision"
    )
    decided = api.post(f"{url}{assessment.pk}/decision/", {"decision": "proceed", "reasons": "Budget."}, format="json")
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == AssessmentStatus.DECIDED and decided.json()["decision_blocker"] == ""

    as_user(api, world.user(world.b, Role.CONTRACT_MANAGER))
    assert_error(api.put(answer_url, {"answer": "x"}, format="json"), 404)
    assert_error(api.put(f"{base(world.b)}/assessments/{assessment.pk}/responses/{response.pk}/answer/", {}), 404)


@pytest.mark.parametrize("role", list(Role))
def test_assessment_role_truth_table(world, api, role):
    assessment = assessed_contract(world, world.a)
    as_user(api, world.user(world.a, role))
    allowed = has_permission({role}, "contracts.manage")
    url = f"{base(world.a)}/assessments/"
    # Input the service refuses: 400 past the role check, 403 before it.
    expected = 400 if allowed else 403
    contract_id = assessment.contract_id
    assert api.post(url, {"contract_id": contract_id, "proposal": ""}, format="json").status_code == expected
    assert api.post(f"{url}{assessment.pk}/decision/", {}, format="json").status_code == expected
    assert api.get(f"{url}{assessment.pk}/").status_code == 200


# Query counts -----------------------------------------------------------------------------------------------------

# Authentication (token and its last-used note), the authority, the caller's roles, partner membership, the count and
# the page (with the select_related joins).
MAX_QUERIES = 10


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff token"])
def test_lists_read_a_fixed_number_of_queries(world, api, django_assert_max_num_queries, signed_in):
    make_partner(world, world.a)
    if signed_in:
        as_user(api, world.user(world.a, Role.ADMIN))
        api.get("/api/v1/authorities/")  # the token's first use notes the time: one write, not counted below
    officer = world.user(world.a, Role.COMMISSIONER)
    numbers = iter(range(1000))

    def grow_register(size):
        for _ in range(size):
            n = next(numbers)
            register_add(world, title=f"Consultation {n}", opens_on=date(2025, 4, 1) + timedelta(days=n))

    def grow_checklist(size):
        with authority_scope(world.a):
            for _ in range(size):
                n = next(numbers)
                example = cases.case_example_create(
                    authority=world.a, acting_user=officer, **{**FIELDS, "title": f"Example {n}"}
                )
                for number in (n % 16 + 1, (n + 5) % 16 + 1):
                    checklist.action_update(authority=world.a, acting_user=officer, number=number, status="achieved")
                    checklist.evidence_add(
                        authority=world.a, acting_user=officer, number=number, label=f"E{n}", case_example=example
                    )
                    checklist.evidence_add(
                        authority=world.a, acting_user=officer, number=number, label=f"W{n}", url="https://x.org/e"
                    )

    def grow_examples(size):
        for _ in range(size):
            n = next(numbers)
            _example(world, world.a, title=f"Published {n}", published=True)
            _example(world, world.a, title=f"Draft {n}")

    def grow_assessments(size):
        for number in range(size):
            assessed_contract_named(world, f"Q-{size}-{number}")

    lists = {
        f"{base(world.a)}/register/": (grow_register, lambda body: body["count"]),
        f"{base(world.a)}/checklist/": (grow_checklist, lambda body: sum(len(a["evidence"]) for a in body["actions"])),
        f"{base(world.a)}/case-examples/": (grow_examples, lambda body: body["count"]),
        f"{base(world.a)}/assessments/": (grow_assessments, lambda body: body["count"]),
    }
    for path, (grow, total) in lists.items():
        counts, totals = [], []
        for size in (2, 6):
            grow(size)
            with django_assert_max_num_queries(MAX_QUERIES) as captured:
                response = api.get(path)
            assert response.status_code == 200, path
            totals.append(total(response.json()))
            counts.append(len(captured.captured_queries))
        assert totals[0] < totals[1], f"{path}: the list did not grow ({totals})"
        assert counts[0] == counts[1], f"{path}: {counts}"


def assessed_contract_named(world, reference):
    """An open assessment for ending early, on a contract of its own."""
    reported = build_reported_contract(world, world.a, reference=reference)
    today = timezone.localdate()
    with authority_scope(world.a):
        return decommissioning.assessment_open(
            contract=reported.contract,
            acting_user=world.user(world.a, Role.CONTRACT_MANAGER),
            kind="end_early",
            proposal="End it early.",
            takes_effect_on=today + timedelta(days=30),
            proposed_value=None,
            impact_beneficiaries="Some.",
            impact_service_users="Some.",
            impact_volunteers="None.",
            responses_due_on=today + timedelta(days=14),
        )
