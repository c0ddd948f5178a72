"""Decommissioning assessments (compact/decommissioning.py): the outstanding social value rule, opening with its
checks and notifications, who may respond and when, answers, the decision's guards, the early-end guard in
contract_end, reductions, and the public selector's query count.

Contracts are built with the ORM (build_reported_contract: started a year ago, ending in a year, supplier
world.supplier_one with one pending line of 3 against a target of 10).
"""

import io
import json
from datetime import datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent, Authority, OrganisationKind
from accounts.roles import Role
from accounts.scoping import authority_scope, dangerously_unscoped
from compact import decommissioning, demo, services
from compact.models import (
    AssessmentDecision,
    AssessmentKind,
    AssessmentResponse,
    AssessmentStatus,
    CompactPartner,
    Contract,
    ContractStatus,
    DecommissioningAssessment,
    DeliveryLine,
    Verification,
)
from foundation.errors import DomainError
from tests.compact.makers_assessment import decided_to_end_early
from tests.compact.test_contract_pages import build_reported_contract
from tests.factories import OrganisationFactory, UserFactory, add_org_member

pytestmark = pytest.mark.django_db


# The outstanding social value rule -------------------------------------------------------------------------------

quantities = st.decimals(min_value=0, max_value=Decimal("100000"), places=2, allow_nan=False, allow_infinity=False)
percents = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1))


@st.composite
def commitments(draw):
    measure = SimpleNamespace(
        code=draw(st.sampled_from(["EMP1", "SKL2", "ENV3"])),
        title="A measure",
        unit="people",
        proxy_value_gbp=draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=50000, places=2))),
        deadweight_pct=draw(percents),
        attribution_pct=draw(percents),
        displacement_pct=draw(percents),
        dropoff_pct=draw(percents),
    )
    return measure, draw(quantities), draw(quantities)


@given(st.lists(commitments(), max_size=8))
def test_outstanding_is_never_negative_and_is_the_sum_of_its_rows(items):
    outstanding = decommissioning.outstanding_rows(items)
    assert len(outstanding.rows) == len(items)
    for row, (_, target, verified) in zip(outstanding.rows, items, strict=True):
        assert row.remaining == max(target - verified, 0)
        assert row.remaining >= 0 and row.gross >= 0 and row.net >= 0
    assert outstanding.gross == sum((row.gross for row in outstanding.rows), Decimal("0"))
    assert outstanding.net == sum((row.net for row in outstanding.rows), Decimal("0"))


@given(st.lists(commitments(), max_size=8), quantities)
def test_nothing_is_outstanding_once_everything_is_delivered(items, extra):
    delivered = [(measure, target, target + extra) for measure, target, _ in items]
    outstanding = decommissioning.outstanding_rows(delivered)
    assert outstanding.gross == 0 and outstanding.net == 0
    assert all(row.remaining == 0 for row in outstanding.rows)


def test_outstanding_counts_only_accepted_lines(world):
    reported = build_reported_contract(world, world.a)
    with authority_scope(world.a):
        measure = reported.line.commitment.charter_measure
        before = decommissioning.outstanding_social_value(reported.contract)
        assert before.rows[0].remaining == Decimal("10")  # the pending line of 3 counts for nothing
        DeliveryLine.objects.filter(pk=reported.line.pk).update(verification=Verification.ACCEPTED)
        after = decommissioning.outstanding_social_value(reported.contract)
    assert after.rows[0].remaining == Decimal("7")
    assert after.rows[0].code == measure.code
    assert after.gross == (Decimal("7") * measure.proxy_value_gbp).quantize(Decimal("0.01"))


# Opening --------------------------------------------------------------------------------------------------------


def _today():
    return timezone.localdate()


def _valid(contract, **changes):
    today = _today()
    fields = {
        "kind": AssessmentKind.END_EARLY,
        "proposal": "End the contract early: the funding ends in the spring.",
        "takes_effect_on": today + timedelta(days=40),
        "proposed_value": None,
        "impact_beneficiaries": "Children lose the holiday club.",
        "impact_service_users": "Families are referred to the library programme.",
        "impact_volunteers": "Eight volunteers move to other clubs.",
        "responses_due_on": today + timedelta(days=21),
    }
    return {**fields, **changes}


def _open(world, contract, *, user=None, now=None, **changes):
    with authority_scope(contract.authority):
        return decommissioning.assessment_open(
            contract=contract,
            acting_user=user or world.user(contract.authority, Role.CONTRACT_MANAGER),
            now=now,
            **_valid(contract, **changes),
        )


@pytest.fixture
def contract(world):
    return build_reported_contract(world, world.a).contract


@pytest.fixture
def partner(world):
    with authority_scope(world.a):
        CompactPartner.objects.create(authority=world.a, organisation=world.community_group)
    return world.community_group


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("proposal", "Enter what is proposed and why"),
        ("impact_beneficiaries", "Enter the impact on beneficiaries"),
        ("impact_service_users", "Enter the impact on service users"),
        ("impact_volunteers", "Enter the impact on volunteers"),
    ],
)
def test_every_text_is_required(world, contract, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        _open(world, contract, **{field: "   "})
    assert refused.value.field == field


def test_dates_and_values_are_checked(world, contract):
    today = _today()
    refusals = [
        ({"responses_due_on": today}, "responses_due_on", "must be in the future"),
        ({"responses_due_on": None}, "responses_due_on", "Enter the date responses are due by"),
        ({"takes_effect_on": today + timedelta(days=20)}, "takes_effect_on", "cannot take effect before responses"),
        ({"takes_effect_on": contract.ends_on + timedelta(days=1)}, "takes_effect_on", "while the contract runs"),
        ({"kind": AssessmentKind.REDUCE_VALUE}, "proposed_value", "Enter the proposed contract value"),
        (
            {"kind": AssessmentKind.REDUCE_VALUE, "proposed_value": contract.value},
            "proposed_value",
            "must be lower than the contract",
        ),
        ({"proposed_value": Decimal("10")}, "proposed_value", "leave it empty"),
        ({"kind": "close_it"}, "kind", "Choose what is proposed"),
    ]
    for changes, field, message in refusals:
        with pytest.raises(DomainError, match=message) as refused:
            _open(world, contract, **changes)
        assert refused.value.field == field, changes
    with authority_scope(world.a):
        assert not DecommissioningAssessment.objects.exists()


def test_only_managers_open_and_only_on_active_contracts(world, contract):
    with pytest.raises(DomainError, match="procurement officer or a contract manager"):
        _open(world, contract, user=world.user(world.a, Role.EVALUATOR))
    with authority_scope(world.a):
        Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.COMPLETED)
    with pytest.raises(DomainError, match="only an active contract"):
        _open(world, contract)


def test_one_assessment_of_a_kind_at_a_time(world, contract):
    first = _open(world, contract)
    with pytest.raises(DomainError, match="already has an assessment") as refused:
        _open(world, contract)
    assert refused.value.field == "kind"
    # Another kind may run alongside.
    _open(world, contract, kind=AssessmentKind.REDUCE_SCOPE)
    # A decision not to go ahead closes it; one to go ahead keeps it in play until it is used.
    with authority_scope(world.a):
        DecommissioningAssessment.objects.filter(pk=first.pk).update(
            status=AssessmentStatus.DECIDED, decision=AssessmentDecision.PROCEED
        )
    with pytest.raises(DomainError, match="already has an assessment"):
        _open(world, contract)
    with authority_scope(world.a):
        DecommissioningAssessment.objects.filter(pk=first.pk).update(decision=AssessmentDecision.DO_NOT_PROCEED)
    _open(world, contract)


def test_opening_snapshots_outstanding_value_tells_supplier_and_partners_and_records_no_personal_data(
    world, contract, partner, mailoutbox, django_capture_on_commit_callbacks
):
    second_member = UserFactory(email="second@forum.example.net", full_name="Second Forum Member")
    add_org_member(partner, second_member)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        assessment = _open(world, contract)
    recipients = sorted(email for message in mailoutbox for email in message.to)
    assert recipients == sorted([world.supplier_one_user.email, world.community_user.email, second_member.email])
    assert all(len(message.to) == 1 for message in mailoutbox)  # no one sees another's address
    assert f"/p/{world.a.slug}/compact/assessments/{assessment.pk}/" in mailoutbox[0].body
    assert "Respond by" in mailoutbox[0].subject
    assert assessment.notified == [
        {
            "organisation": world.supplier_one.name,
            "kind": "supplier",
            "about": "opened",
            "channel": "email",
            "on": _today().isoformat(),
            "on_text": f"{_today():%-d %B %Y}",
            "recipients": 1,
        },
        {
            "organisation": partner.name,
            "kind": "partner",
            "about": "opened",
            "channel": "email",
            "on": _today().isoformat(),
            "on_text": f"{_today():%-d %B %Y}",
            "recipients": 2,
        },
    ]
    stored = json.dumps(assessment.notified) + json.dumps(assessment.outstanding)
    for person in (world.supplier_one_user, world.community_user, second_member, manager):
        assert person.email not in stored and person.full_name not in stored
    assert assessment.outstanding_value > 0
    assert assessment.outstanding[0]["remaining"] == "10.00"
    with authority_scope(world.a):
        assert AuditEvent.objects.filter(verb="assessment.opened", object_id=str(assessment.pk)).exists()


# Responses ------------------------------------------------------------------------------------------------------


def test_who_may_respond(world, contract, partner):
    assessment = _open(world, contract)
    outsider_group = OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP, name="Not A Partner Group")
    outsider = UserFactory(email="outsider@example.net", full_name="Out Sider")
    add_org_member(outsider_group, outsider)
    with authority_scope(world.a):
        assert decommissioning.responder_organisations(world.supplier_one_user, assessment) == [world.supplier_one]
        assert decommissioning.responder_organisations(world.community_user, assessment) == [partner]
        assert decommissioning.responder_organisations(outsider, assessment) == []
        assert decommissioning.responder_organisations(world.resident, assessment) == []
        decommissioning.response_add(
            assessment=assessment, acting_user=world.supplier_one_user, organisation=world.supplier_one, text="Ours."
        )
        decommissioning.response_add(
            assessment=assessment, acting_user=world.community_user, organisation=partner, text="The forum's view."
        )
        for user, organisation in (
            (outsider, outsider_group),
            (world.resident, partner),
            (world.community_user, world.supplier_one),  # not a member of the supplier
            (world.supplier_both_user, world.supplier_one),
        ):
            with pytest.raises(DomainError, match="Only approved members") as refused:
                decommissioning.response_add(
                    assessment=assessment, acting_user=user, organisation=organisation, text="X"
                )
            assert refused.value.field == "organisation"
        assert assessment.responses.count() == 2
        event = AuditEvent.objects.filter(verb="assessment.response_added").order_by("id").last()
    assert event.changes["organisation"] == partner.name
    assert world.community_user.email not in json.dumps(event.changes)


def test_responses_close_at_the_end_of_the_due_date(world, contract):
    assessment = _open(world, contract)
    last_day = timezone.make_aware(datetime.combine(assessment.responses_due_on, time(23, 0)))
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="Enter your response"):
            decommissioning.response_add(
                assessment=assessment, acting_user=world.supplier_one_user, organisation=world.supplier_one, text=""
            )
        decommissioning.response_add(
            assessment=assessment,
            acting_user=world.supplier_one_user,
            organisation=world.supplier_one,
            text="Just in time.",
            now=last_day,
        )
        with pytest.raises(DomainError, match="Responses closed on"):
            decommissioning.response_add(
                assessment=assessment,
                acting_user=world.supplier_one_user,
                organisation=world.supplier_one,
                text="Too late.",
                now=last_day + timedelta(hours=2),
            )


def _after_due(assessment, days=1):
    return timezone.make_aware(datetime.combine(assessment.responses_due_on + timedelta(days=days), time(9, 0)))


def test_answers_and_the_decisions_guards(world, contract, partner, mailoutbox, django_capture_on_commit_callbacks):
    assessment = _open(world, contract)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    with authority_scope(world.a):
        first = decommissioning.response_add(
            assessment=assessment, acting_user=world.supplier_one_user, organisation=world.supplier_one, text="One."
        )
        decommissioning.response_add(
            assessment=assessment, acting_user=world.community_user, organisation=partner, text="Two."
        )
        with pytest.raises(DomainError, match=r"You can record the decision from .*, after responses close on"):
            decommissioning.assessment_decide(
                assessment=assessment, acting_user=manager, decision=AssessmentDecision.PROCEED, reasons="Go."
            )
        after = _after_due(assessment)
        with pytest.raises(DomainError, match="2 responses are not answered yet"):
            decommissioning.assessment_decide(
                assessment=assessment, acting_user=manager, decision="proceed", reasons="Go.", now=after
            )
        with pytest.raises(DomainError, match="procurement officer or a contract manager"):
            decommissioning.response_answer(
                response=first, acting_user=world.user(world.a, Role.EVALUATOR), answer="No."
            )
        with pytest.raises(DomainError, match="Enter your answer") as refused:
            decommissioning.response_answer(response=first, acting_user=manager, answer=" ")
        assert refused.value.field == "answer"
        for response in assessment.responses.all():
            decommissioning.response_answer(response=response, acting_user=manager, answer="Thank you: noted.")
        decommissioning.response_answer(response=first, acting_user=manager, answer="Changed before the decision.")
        with pytest.raises(DomainError, match="Enter the reasons") as refused:
            decommissioning.assessment_decide(
                assessment=assessment, acting_user=manager, decision="proceed", reasons="", now=after
            )
        assert refused.value.field == "reasons"
        with django_capture_on_commit_callbacks(execute=True):
            decided = decommissioning.assessment_decide(
                assessment=assessment,
                acting_user=manager,
                decision=AssessmentDecision.PROCEED_CHANGED,
                reasons="Ending in March, after the holidays.",
                now=after,
            )
        assert decided.status == AssessmentStatus.DECIDED
        assert [entry["about"] for entry in decided.notified] == ["opened", "opened", "decision", "decision"]
        with pytest.raises(DomainError, match="answers can no longer be changed"):
            decommissioning.response_answer(response=first, acting_user=manager, answer="Too late.")
        with pytest.raises(DomainError, match="already been recorded"):
            decommissioning.assessment_decide(
                assessment=assessment, acting_user=manager, decision="proceed", reasons="Again.", now=after
            )
    decision_emails = [message for message in mailoutbox if "Decision recorded" in message.subject]
    assert sorted(m.to[0] for m in decision_emails) == sorted(
        [world.supplier_one_user.email, world.community_user.email]
    )
    assert "Ending in March, after the holidays." in decision_emails[0].body


# The early-end guard --------------------------------------------------------------------------------------------


def _end_early(world, contract):
    with authority_scope(contract.authority):
        return services.contract_end(
            contract=contract,
            acting_user=world.user(contract.authority, Role.CONTRACT_MANAGER),
            status=ContractStatus.ENDED_EARLY,
            ended_on=_today(),
            reason="The funding ended.",
        )


def _status(contract):
    with authority_scope(contract.authority):
        return Contract.objects.get(pk=contract.pk).status


def test_ending_early_without_an_assessment_is_refused_and_nothing_is_lost(world, contract):
    with pytest.raises(DomainError, match="Record a decommissioning assessment before ending") as refused:
        _end_early(world, contract)
    assert refused.value.field == "status"
    assert _status(contract) == ContractStatus.ACTIVE
    # Completing a contract needs no assessment.
    with authority_scope(world.a):
        services.contract_end(
            contract=contract,
            acting_user=world.user(world.a, Role.CONTRACT_MANAGER),
            status=ContractStatus.COMPLETED,
            ended_on=_today(),
        )


def test_an_open_assessment_does_not_allow_ending_early(world, contract):
    _open(world, contract)
    with pytest.raises(DomainError, match="still open: record its decision"):
        _end_early(world, contract)
    assert _status(contract) == ContractStatus.ACTIVE


def test_a_decision_not_to_go_ahead_blocks_ending_early(world, contract):
    decided_to_end_early(world, contract, decision=AssessmentDecision.DO_NOT_PROCEED)
    with pytest.raises(DomainError, match="decided not to end this contract early"):
        _end_early(world, contract)
    assert _status(contract) == ContractStatus.ACTIVE


def test_another_contracts_assessment_or_another_kind_does_not_count(world, contract):
    other = build_reported_contract(world, world.a, reference="OTHER")
    decided_to_end_early(world, other.contract)
    assessment = decided_to_end_early(world, contract)
    with authority_scope(world.a):
        DecommissioningAssessment.objects.filter(pk=assessment.pk).update(kind=AssessmentKind.REDUCE_SCOPE)
    with pytest.raises(DomainError, match="Record a decommissioning assessment"):
        _end_early(world, contract)


def test_a_decided_assessment_allows_ending_early_once(world, contract):
    assessment = decided_to_end_early(world, contract)
    with authority_scope(world.a):
        DecommissioningAssessment.objects.filter(pk=assessment.pk).update(applied_at=timezone.now())
    with pytest.raises(DomainError, match="Record a decommissioning assessment"):
        _end_early(world, contract)  # already used
    assessment = decided_to_end_early(world, contract, decision=AssessmentDecision.PROCEED_CHANGED)
    _end_early(world, contract)
    with authority_scope(world.a):
        assessment.refresh_from_db()
        assert assessment.applied_at is not None
        event = AuditEvent.objects.get(verb="contract.ended")
    assert event.changes["assessment"] == assessment.pk
    assert _status(contract) == ContractStatus.ENDED_EARLY


# Reductions -----------------------------------------------------------------------------------------------------


def test_a_decided_value_reduction_is_applied_once(world, contract):
    assessment = _open(world, contract, kind=AssessmentKind.REDUCE_VALUE, proposed_value=Decimal("40000"))
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="Record the assessment's decision"):
            decommissioning.contract_reduce(
                contract=contract, assessment=assessment, acting_user=manager, new_value="40000"
            )
        decommissioning.assessment_decide(
            assessment=assessment,
            acting_user=manager,
            decision=AssessmentDecision.PROCEED,
            reasons="The budget is cut.",
            now=_after_due(assessment),
        )
        assessment.refresh_from_db()
        with pytest.raises(DomainError, match="Enter the new contract value"):
            decommissioning.contract_reduce(contract=contract, assessment=assessment, acting_user=manager)
        with pytest.raises(DomainError, match="must be lower"):
            decommissioning.contract_reduce(
                contract=contract, assessment=assessment, acting_user=manager, new_value="50000"
            )
        reduced = decommissioning.contract_reduce(
            contract=contract, assessment=assessment, acting_user=manager, new_value="40000"
        )
        assert reduced.value == Decimal("40000")
        event = AuditEvent.objects.get(verb="contract.reduced")
        assert event.changes["value"] == {"before": "50000.00", "after": "40000"}
        assessment.refresh_from_db()
        with pytest.raises(DomainError, match="already been applied"):
            decommissioning.contract_reduce(
                contract=contract, assessment=assessment, acting_user=manager, new_value="30000"
            )


# The public selector --------------------------------------------------------------------------------------------


def _public_queries(world, count, django_assert_max_num_queries):
    for number in range(count):
        contract = build_reported_contract(world, world.a, reference=f"PUB-{count}-{number}").contract
        assessment = _open(world, contract)
        with authority_scope(world.a):
            decommissioning.response_add(
                assessment=assessment, acting_user=world.supplier_one_user, organisation=world.supplier_one, text="R"
            )
    with authority_scope(world.a), django_assert_max_num_queries(1):
        rows = list(decommissioning.public_assessments(world.a))
        for row in rows:
            assert row.contract.supplier.name and row.response_count >= 1
    return len(rows)


def test_public_assessments_take_one_query_whatever_their_number(world, django_assert_max_num_queries):
    assert _public_queries(world, 2, django_assert_max_num_queries) == 2
    assert _public_queries(world, 6, django_assert_max_num_queries) == 8


# The demo ---------------------------------------------------------------------------------------------------------


def test_demo_ends_its_contract_on_a_decided_assessment_and_leaves_one_open():
    call_command("seed_demo", stdout=io.StringIO())
    with dangerously_unscoped():
        counts = (DecommissioningAssessment.objects.count(), AssessmentResponse.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    with dangerously_unscoped():
        assert (DecommissioningAssessment.objects.count(), AssessmentResponse.objects.count()) == counts
    with authority_scope(Authority.objects.get(slug="eastvale")):
        ended = DecommissioningAssessment.objects.get(contract__reference=demo.ENDED_EARLY)
        assert ended.contract.status == ContractStatus.ENDED_EARLY
        assert ended.applied_at is not None and ended.decision == AssessmentDecision.PROCEED_CHANGED
        assert ended.responses.get().answer
    with authority_scope(Authority.objects.get(slug="northmoor")):
        live = DecommissioningAssessment.objects.get(contract__reference=demo.ACTIVE)
        assert live.status == AssessmentStatus.OPEN and live.responses_due_on > _today()
        assert live.kind == AssessmentKind.REDUCE_VALUE and live.responses.filter(answer="").exists()
