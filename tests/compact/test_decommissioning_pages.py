"""The decommissioning assessment pages: opening (422 keeps what was typed, 303 on success), the list, the detail
with answers and the decision's explanation, the end-contract page's guard, reductions, and the public pages (no
personal data, who may respond, query counts).

Contracts are built with the ORM (build_reported_contract); assessments through compact.decommissioning.
"""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import decommissioning, reports
from compact.models import (
    AssessmentDecision,
    AssessmentKind,
    AssessmentStatus,
    CompactPartner,
    Contract,
    ContractStatus,
    DecommissioningAssessment,
)
from tests.compact.test_contract_pages import build_reported_contract

pytestmark = pytest.mark.django_db


def _url(name, authority, *args):
    return reverse(f"compact:{name}", args=[authority.slug, *args])


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _form(**changes):
    today = timezone.localdate()
    data = {
        "kind": AssessmentKind.END_EARLY.value,
        "proposal": "End the contract: the grant funding ends.",
        "proposed_value": "",
        **_date("takes_effect_on", today + timedelta(days=40)),
        "impact_beneficiaries": "Children lose the holiday club.",
        "impact_service_users": "Families are referred to the library programme.",
        "impact_volunteers": "Eight volunteers move to other clubs.",
        **_date("responses_due_on", today + timedelta(days=21)),
    }
    return {**data, **changes}


def _open(world, contract, **changes):
    today = timezone.localdate()
    fields = {
        "kind": AssessmentKind.END_EARLY,
        "proposal": "End the contract: the grant funding ends.",
        "takes_effect_on": today + timedelta(days=40),
        "proposed_value": None,
        "impact_beneficiaries": "Children lose the holiday club.",
        "impact_service_users": "Families are referred elsewhere.",
        "impact_volunteers": "Volunteers move to other clubs.",
        "responses_due_on": today + timedelta(days=21),
        **changes,
    }
    with authority_scope(contract.authority):
        return decommissioning.assessment_open(
            contract=contract, acting_user=world.user(contract.authority, Role.CONTRACT_MANAGER), **fields
        )


def _respond(world, assessment, text="We would keep going on a smaller budget."):
    with authority_scope(assessment.authority):
        return decommissioning.response_add(
            assessment=assessment, acting_user=world.supplier_one_user, organisation=world.supplier_one, text=text
        )


def _close_responses(assessment):
    # The response period passes: move its end back through the ORM.
    with authority_scope(assessment.authority):
        DecommissioningAssessment.objects.filter(pk=assessment.pk).update(
            responses_due_on=timezone.localdate() - timedelta(days=1)
        )


@pytest.fixture
def contract(world):
    return build_reported_contract(world, world.a).contract


@pytest.fixture
def manager_client(client, world):
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    return client


# Opening --------------------------------------------------------------------------------------------------------


def test_open_page_shows_the_outstanding_value_and_who_will_be_told(manager_client, world, contract):
    with authority_scope(world.a):
        CompactPartner.objects.create(authority=world.a, organisation=world.community_group)
    response = manager_client.get(_url("assessment-open", world.a, contract.pk))
    assert response.status_code == 200
    assert 'id="outstanding"' in response.text
    told = response.text.split('id="to-be-told"', 1)[1].split("</ul>", 1)[0]
    assert world.supplier_one.name in told and world.community_group.name in told


def test_open_refused_keeps_what_was_typed_and_succeeds_with_303(manager_client, world, contract):
    url = _url("assessment-open", world.a, contract.pk)
    response = manager_client.post(url, _form(impact_volunteers="", proposed_value="123"))
    assert response.status_code == 422
    assert "Enter the impact on volunteers" in response.text
    assert "End the contract: the grant funding ends." in response.text
    assert response.text.startswith("<!DOCTYPE html>") and "<title>Error:" in response.text
    # The service's refusal shows next to its field, with everything kept.
    response = manager_client.post(url, _form(proposed_value="123"))
    assert response.status_code == 422
    assert "Only a reduction in value has a proposed value" in response.text
    assert 'value="123"' in response.text and "Children lose the holiday club." in response.text
    with authority_scope(world.a):
        assert not DecommissioningAssessment.objects.exists()
    response = manager_client.post(url, _form())
    assert response.status_code == 303
    with authority_scope(world.a):
        assessment = DecommissioningAssessment.objects.get()
    assert response["Location"] == _url("assessment-detail", world.a, assessment.pk)


def test_open_page_explains_a_contract_that_is_not_active(manager_client, world, contract):
    with authority_scope(world.a):
        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.COMPLETED)
    response = manager_client.get(_url("assessment-open", world.a, contract.pk))
    assert response.status_code == 200 and 'id="not-active"' in response.text
    assert "<form" not in response.text.split("<main", 1)[1]


# List and detail -------------------------------------------------------------------------------------------------


def test_list_empty_state_and_entries(client, world, contract):
    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(_url("assessment-list", world.a))
    assert response.status_code == 200 and 'id="no-assessments"' in response.text
    assessment = _open(world, contract)
    response = client.get(_url("assessment-list", world.a))
    assert _url("assessment-detail", world.a, assessment.pk) in response.text


def test_list_is_paginated(client, world, contract):
    with authority_scope(world.a):
        template = _open(world, contract)
        DecommissioningAssessment.objects.bulk_create(
            DecommissioningAssessment(
                authority=world.a,
                contract=contract,
                kind=AssessmentKind.REDUCE_SCOPE,
                proposal=f"Proposal {number}",
                takes_effect_on=template.takes_effect_on,
                impact_beneficiaries="B",
                impact_service_users="S",
                impact_volunteers="V",
                responses_due_on=template.responses_due_on,
                status=AssessmentStatus.DECIDED,
                decision=AssessmentDecision.DO_NOT_PROCEED,
            )
            for number in range(25)
        )
    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(_url("assessment-list", world.a))
    assert "26 assessments" in response.text and 'class="govuk-pagination"' in response.text
    assert client.get(_url("assessment-list", world.a), {"page": 2}).status_code == 200


def test_detail_answer_and_decision_pages(manager_client, world, contract, mailoutbox):
    assessment = _open(world, contract)
    answer_this = _respond(world, assessment)
    detail = _url("assessment-detail", world.a, assessment.pk)
    page = manager_client.get(detail).text
    assert "We would keep going on a smaller budget." in page
    assert "Not answered yet" in page
    assert "You can record the decision from" in page
    answer_url = _url("assessment-response-answer", world.a, assessment.pk, answer_this.pk)
    assert answer_url in page

    # The decision page explains why it is not yet possible, and a POST is refused with the reason.
    decide = _url("assessment-decide", world.a, assessment.pk)
    response = manager_client.get(decide)
    assert response.status_code == 200 and 'id="decision-blocked"' in response.text
    response = manager_client.post(decide, {"decision": "proceed", "reasons": "Go ahead."})
    assert response.status_code == 422 and "after responses close on" in response.text
    assert "Go ahead." in response.text

    response = manager_client.post(answer_url, {"answer": ""})
    assert response.status_code == 422 and "Enter your answer" in response.text
    response = manager_client.post(answer_url, {"answer": "We will look at smaller rounds."})
    assert response.status_code == 303 and response["Location"] == f"{detail}#response-{answer_this.pk}"

    _close_responses(assessment)
    response = manager_client.post(decide, {"decision": "proceed", "reasons": ""})
    assert response.status_code == 422 and "Enter the reasons for the decision" in response.text
    response = manager_client.post(decide, {"decision": "proceed", "reasons": "The funding has ended."})
    assert response.status_code == 303
    page = manager_client.get(detail).text
    assert 'id="decision"' in page and "The funding has ended." in page
    assert _url("contract-end", world.a, contract.pk) in page


def test_an_unanswered_response_is_counted_on_the_decision_page(manager_client, world, contract):
    assessment = _open(world, contract)
    _respond(world, assessment)
    _close_responses(assessment)
    response = manager_client.get(_url("assessment-decide", world.a, assessment.pk))
    assert "1 response is not answered yet" in response.text


def test_another_assessments_response_answers_404(manager_client, world, contract):
    first = _open(world, contract)
    second = _open(world, contract, kind=AssessmentKind.REDUCE_SCOPE)
    response = _respond(world, first)
    url = _url("assessment-response-answer", world.a, second.pk, response.pk)
    assert manager_client.get(url).status_code == 404


def test_contract_page_lists_assessments_with_a_link_to_open_one(manager_client, world, contract):
    page = manager_client.get(_url("contract-detail", world.a, contract.pk)).text
    assert 'id="no-assessments"' in page and _url("assessment-open", world.a, contract.pk) in page
    assessment = _open(world, contract)
    page = manager_client.get(_url("contract-detail", world.a, contract.pk)).text
    assert _url("assessment-detail", world.a, assessment.pk) in page


# Ending early and reducing ----------------------------------------------------------------------------------------


def test_ending_early_without_a_decided_assessment_is_refused_with_everything_kept(manager_client, world, contract):
    url = _url("contract-end", world.a, contract.pk)
    page = manager_client.get(url).text
    assert 'id="early-end-assessment"' in page and _url("assessment-open", world.a, contract.pk) in page
    today = timezone.localdate()
    data = {"status": "ended_early", **_date("ended_on", today), "reason": "The grant ended in March."}
    response = manager_client.post(url, data)
    assert response.status_code == 422
    assert "Record a decommissioning assessment before ending the contract early" in response.text
    assert 'id="id_status-error"' in response.text
    assert "The grant ended in March." in response.text
    with authority_scope(world.a):
        assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ACTIVE

    assessment = _open(world, contract)
    page = manager_client.get(url).text
    assert _url("assessment-detail", world.a, assessment.pk) in page  # the open one, to decide first
    _close_responses(assessment)
    with authority_scope(world.a):
        decommissioning.assessment_decide(
            assessment=assessment,
            acting_user=world.user(world.a, Role.CONTRACT_MANAGER),
            decision=AssessmentDecision.PROCEED,
            reasons="Funding ended.",
        )
    assert manager_client.post(url, data).status_code == 303
    with authority_scope(world.a):
        assert Contract.objects.get(pk=contract.pk).status == ContractStatus.ENDED_EARLY
        assert DecommissioningAssessment.objects.get(pk=assessment.pk).applied_at is not None


def test_reduce_page(manager_client, world, contract):
    url = _url("assessment-reduce", world.a, contract.pk)
    response = manager_client.get(url)
    assert response.status_code == 200 and 'id="no-reduction"' in response.text
    assessment = _open(world, contract, kind=AssessmentKind.REDUCE_VALUE, proposed_value=Decimal("45000"))
    _close_responses(assessment)
    with authority_scope(world.a):
        decommissioning.assessment_decide(
            assessment=assessment,
            acting_user=world.user(world.a, Role.CONTRACT_MANAGER),
            decision=AssessmentDecision.PROCEED,
            reasons="The budget is cut.",
        )
    assert 'id="reduce-link"' in manager_client.get(_url("contract-detail", world.a, contract.pk)).text
    response = manager_client.get(url)
    assert 'value="45000.00"' in response.text
    response = manager_client.post(url, {"assessment": assessment.pk, "new_value": "60000"})
    assert response.status_code == 422 and "must be lower" in response.text and 'value="60000"' in response.text
    response = manager_client.post(url, {"assessment": assessment.pk, "new_value": "45000"})
    assert response.status_code == 303
    with authority_scope(world.a):
        assert Contract.objects.get(pk=contract.pk).value == Decimal("45000")
    assert 'id="no-reduction"' in manager_client.get(url).text


# Public pages ------------------------------------------------------------------------------------------------------


def _people(world, authority):
    staff = [world.user(authority, role) for role in Role]
    return [*staff, world.supplier_one_user, world.community_user]


def _assert_no_personal_data(html, people):
    for person in people:
        assert person.email not in html, person.email
        assert person.full_name not in html, person.full_name


def test_public_pages_show_organisations_and_no_personal_data(client, world, contract):
    with authority_scope(world.a):
        CompactPartner.objects.create(authority=world.a, organisation=world.community_group)
    assessment = _open(world, contract)
    supplier_response = _respond(world, assessment)
    with authority_scope(world.a):
        decommissioning.response_add(
            assessment=assessment,
            acting_user=world.community_user,
            organisation=world.community_group,
            text="The forum runs the volunteers' rota.",
        )
        decommissioning.response_answer(
            response=supplier_response, acting_user=world.user(world.a, Role.CONTRACT_MANAGER), answer="Noted."
        )
    _close_responses(assessment)
    with authority_scope(world.a):
        for response in assessment.responses.filter(answer=""):
            decommissioning.response_answer(
                response=response, acting_user=world.user(world.a, Role.CONTRACT_MANAGER), answer="Thanks."
            )
        decommissioning.assessment_decide(
            assessment=assessment,
            acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER),
            decision=AssessmentDecision.DO_NOT_PROCEED,
            reasons="The forum's offer keeps the club going.",
        )
    people = _people(world, world.a)
    listing = client.get(_url("assessment-public-list", world.a))
    assert listing.status_code == 200
    assert _url("assessment-public", world.a, assessment.pk) in listing.text
    _assert_no_personal_data(listing.text, people)
    detail = client.get(_url("assessment-public", world.a, assessment.pk))
    assert detail.status_code == 200
    html = detail.text
    for text in (
        world.supplier_one.name,
        world.community_group.name,
        "The forum runs the volunteers&#x27; rota.",
        "Noted.",
        "The forum&#x27;s offer keeps the club going.",
        "Children lose the holiday club.",
        'id="notified"',
        'id="outstanding"',
    ):
        assert text in html, text
    _assert_no_personal_data(html, people)
    with authority_scope(world.a):
        summary = render_to_string(
            "compact/decommissioning/_public_summary.html",
            {"public_assessments": decommissioning.public_assessments(world.a), "authority": world.a},
        )
    assert _url("assessment-public", world.a, assessment.pk) in summary
    assert _url("assessment-public-list", world.a) in summary


def test_public_pages_of_another_authority_answer_404(client, world):
    other = build_reported_contract(world, world.b, reference="B-1").contract
    assessment = _open(world, other)
    assert client.get(_url("assessment-public", world.a, assessment.pk)).status_code == 404
    assert client.get(_url("assessment-public", world.b, assessment.pk)).status_code == 200


def test_who_may_respond_on_the_public_page(client, world, contract):
    assessment = _open(world, contract)
    url = _url("assessment-public", world.a, assessment.pk)
    # Anonymous: asked to sign in, and a POST goes to the sign-in page.
    page = client.get(url).text
    assert 'id="how-to-respond"' in page and reverse("accounts:sign-in") in page
    response = client.post(url, {"text": "Hello"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign-in"))
    # A resident, and a community group member whose group is not a Compact partner: 403 with a clear message.
    for user in (world.resident, world.community_user):
        client.force_login(user)
        assert "<textarea" not in client.get(url).text
        response = client.post(url, {"organisation": world.community_group.pk, "text": "Hello"})
        assert response.status_code == 403 and 'id="cannot-respond"' in response.text
    # Once the group is a partner, its member can respond.
    with authority_scope(world.a):
        CompactPartner.objects.create(authority=world.a, organisation=world.community_group)
    page = client.get(url).text
    assert "<textarea" in page and world.community_group.name in page
    response = client.post(url, {"organisation": world.community_group.pk, "text": "x" * 5001})
    assert response.status_code == 422 and "5,000 characters or fewer" in response.text
    assert "x" * 5001 in response.text
    response = client.post(url, {"organisation": world.community_group.pk, "text": "Our volunteers would help."})
    assert response.status_code == 303 and response["Location"] == f"{url}#responses"
    with authority_scope(world.a):
        assert assessment.responses.get().organisation == world.community_group
    # The supplier's member responds for the supplier.
    client.force_login(world.supplier_one_user)
    response = client.post(url, {"organisation": world.supplier_one.pk, "text": "We could run it for less."})
    assert response.status_code == 303


def test_responding_after_the_closing_date_is_refused_with_the_text_kept(client, world, contract):
    assessment = _open(world, contract)
    _close_responses(assessment)
    url = _url("assessment-public", world.a, assessment.pk)
    client.force_login(world.supplier_one_user)
    assert "<textarea" not in client.get(url).text
    response = client.post(url, {"organisation": world.supplier_one.pk, "text": "Late thoughts."})
    assert response.status_code == 422 and "Responses closed on" in response.text
    assert "Late thoughts." in response.text


def _public_list_queries(client, world, count):
    for number in range(count):
        contract = build_reported_contract(world, world.a, reference=f"Q-{count}-{number}").contract
        _respond(world, _open(world, contract))
    url = _url("assessment-public-list", world.a)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_public_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    few = _public_list_queries(client, world, 2)
    with django_assert_max_num_queries(few):
        client.get(_url("assessment-public-list", world.a))
    assert _public_list_queries(client, world, 8) == few


# The compliance report --------------------------------------------------------------------------------------------


def test_the_compliance_report_has_the_contracts_assessments(world, contract):
    assessment = _open(world, contract)
    response = _respond(world, assessment, text="Keep the Saturday club.")
    with authority_scope(world.a):
        decommissioning.response_answer(
            response=response, acting_user=world.user(world.a, Role.CONTRACT_MANAGER), answer="It stays open."
        )
        content = reports.compliance_content(contract, on=timezone.localdate())
        assert [a.pk for a in content.assessments] == [assessment.pk]
        pdf = reports.compliance_pdf_bytes(content)
    text = " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "7. Decommissioning assessments" in text
    assert "Ending the contract early" in text and "Children lose the holiday club." in text
    assert "Keep the Saturday club." in text and "It stays open." in text and world.supplier_one.name in text
