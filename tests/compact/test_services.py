from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import selectors, services
from compact.models import (
    ContractStatus,
    DeliveryLine,
    DeliveryReport,
    ReportingLevel,
    ReportStatus,
    Verification,
)
from compact.performance import Rating, Status
from foundation.errors import DomainError
from tenders.models import RelevantMeasure
from tenders.receipts import receipt_matches
from tests.compact.factories import ENDS_ON, STARTS_ON, build_contract_from_award, build_direct_contract
from tests.compact.makers_assessment import decided_to_end_early
from tests.evaluation.factories import build_awarded
from tests.factories import MembershipFactory, UserFactory, add_org_member
from tests.tenders.factories import adopted_test_charter, charter_measures

AFTER_Q1 = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


def _submit(world, contract, lines=None, *, number=1, now=AFTER_Q1, user=None):
    with authority_scope(contract.authority):
        report = contract.reports.get(number=number)
        commitments = list(contract.commitments.order_by("id"))
        lines = (
            lines
            if lines is not None
            else {c.pk: ("3", "Northtown", "Apprentices started in March") for c in commitments}
        )
        return services.report_submit(
            report=report,
            acting_user=user or world.supplier_one_user,
            lines=lines,
            narrative="Good progress this quarter.",
            now=now,
        )


# Contracts ---------------------------------------------------------------------------------------------------------


def test_a_contract_from_a_confirmed_award_copies_its_commitments_and_reports_quarterly(world):
    contract = build_contract_from_award(world, world.a)
    with authority_scope(world.a):
        tender = contract.tender
        assert contract.supplier.name == "Bidder 1 Ltd"
        assert contract.value == Decimal("200000")
        assert contract.charter_version_id == tender.charter_version_id
        assert contract.reporting_level == ReportingLevel.STANDARD
        assert contract.responsible_officer == world.user(world.a, Role.CONTRACT_MANAGER)
        commitments = list(contract.commitments.order_by("id"))
        relevant = {m.charter_measure_id: m.pk for m in RelevantMeasure.objects.filter(tender=tender)}
        assert commitments and len(commitments) == len(relevant)
        for commitment in commitments:
            assert commitment.target == Decimal("2")  # bidder 1 offered 2 of each measure
            assert commitment.due_on == ENDS_ON
            assert commitment.relevant_measure_id == relevant[commitment.charter_measure_id]
        reports = list(contract.reports.order_by("number"))
        assert [(r.period_start, r.period_end, r.due_on, r.status) for r in reports] == [
            (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30), ReportStatus.DUE),
            (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 30), ReportStatus.DUE),
            (date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 30), ReportStatus.DUE),
            (date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 30), ReportStatus.DUE),
        ]
        assert AuditEvent.objects.filter(verb="contract.created_from_award", object_id=str(contract.pk)).exists()


def test_a_contract_below_the_light_touch_value_reports_half_yearly(world):
    contract = build_contract_from_award(world, world.a, light_touch_below="300000")
    with authority_scope(world.a):
        assert contract.reporting_level == ReportingLevel.LIGHT_TOUCH
        assert [(r.period_start, r.period_end) for r in contract.reports.order_by("number")] == [
            (date(2026, 1, 1), date(2026, 6, 30)),
            (date(2026, 7, 1), date(2026, 12, 31)),
        ]


def test_an_unconfirmed_award_cannot_become_a_contract(world):
    award = build_awarded(world, world.a)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    with authority_scope(world.a), pytest.raises(DomainError, match="Only a confirmed award"):
        services.contract_create_from_award(
            award=award, acting_user=manager, responsible_officer=manager, starts_on=STARTS_ON, ends_on=ENDS_ON
        )


def test_an_award_makes_one_contract_only(world):
    award = build_awarded(world, world.a, confirm=True)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    options = {"award": award, "acting_user": manager, "responsible_officer": manager, "starts_on": STARTS_ON}
    with authority_scope(world.a):
        services.contract_create_from_award(**options, ends_on=ENDS_ON)
        with pytest.raises(DomainError, match="already been made from this award"):
            services.contract_create_from_award(**options, ends_on=ENDS_ON, reference="OTHER-REF")


def test_the_responsible_officer_must_be_a_contract_manager(world):
    award = build_awarded(world, world.a, confirm=True)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    for officer in (world.user(world.a, Role.PROCUREMENT_OFFICER), world.user(world.b, Role.CONTRACT_MANAGER)):
        with authority_scope(world.a), pytest.raises(DomainError, match="not a contract manager") as refused:
            services.contract_create_from_award(
                award=award, acting_user=manager, responsible_officer=officer, starts_on=STARTS_ON, ends_on=ENDS_ON
            )
        assert refused.value.field == "responsible_officer"


def test_a_direct_contract_takes_measures_of_the_authoritys_adopted_charter_only(world):
    contract = build_direct_contract(world, world.a, targets=("10", "5"))
    with authority_scope(world.a):
        assert [c.target for c in contract.commitments.order_by("id")] == [Decimal("10"), Decimal("5")]
        assert contract.reporting_level == ReportingLevel.LIGHT_TOUCH  # £50,000 < £100,000
        assert contract.reports.count() == 2
    other_measure = charter_measures(world.b, adopted_test_charter(world, world.b))[0]
    version = adopted_test_charter(world, world.a)
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    common = {
        "authority": world.a,
        "acting_user": manager,
        "supplier": world.supplier_one,
        "reference": "C-2",
        "title": "Parks",
        "value": Decimal("1000"),
        "starts_on": STARTS_ON,
        "ends_on": ENDS_ON,
        "responsible_officer": manager,
    }
    with authority_scope(world.a), pytest.raises(DomainError, match="is not a measure of"):
        services.contract_create(**common, charter_version=version, commitments=[(other_measure, "1", "")])
    with authority_scope(world.a), pytest.raises(DomainError, match="adopted") as refused:
        services.contract_create(
            **common, charter_version=adopted_test_charter(world, world.b), commitments=[(other_measure, "1", "")]
        )
    assert refused.value.field == "charter_version"


def test_ending_early_needs_a_reason(world):
    contract = build_direct_contract(world, world.a)
    decided_to_end_early(world, contract)  # ending early needs a decided decommissioning assessment
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="why the contract ended early"):
            services.contract_end(
                contract=contract, acting_user=manager, status=ContractStatus.ENDED_EARLY, ended_on=date(2026, 6, 1)
            )
        contract = services.contract_end(
            contract=contract,
            acting_user=manager,
            status=ContractStatus.ENDED_EARLY,
            ended_on=date(2026, 6, 1),
            reason="The supplier went into administration.",
        )
        assert contract.status == ContractStatus.ENDED_EARLY
        with pytest.raises(DomainError, match="already been recorded"):
            services.contract_end(
                contract=contract, acting_user=manager, status=ContractStatus.COMPLETED, ended_on=date(2026, 7, 1)
            )


# Delivery reports --------------------------------------------------------------------------------------------------


def test_a_submitted_report_is_receipted_and_recomputes(world):
    contract = build_direct_contract(world, world.a)
    report = _submit(world, contract, now=datetime(2026, 7, 2, 9, 0, tzinfo=UTC))
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at == datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
    assert len(report.receipt) == 64
    report.refresh_from_db()
    assert receipt_matches(report.content, report.submitted_at, report.receipt)
    assert services.report_receipt_matches(report)
    assert [line["quantity"] for line in report.content["lines"]] == ["3", "3"]
    assert report.content["flags"] == []
    tampered = {**report.content, "narrative": "Changed later."}
    assert not receipt_matches(tampered, report.submitted_at, report.receipt)


def test_resubmission_replaces_the_lines_with_a_new_receipt(world):
    contract = build_direct_contract(world, world.a)
    when = datetime(2026, 7, 2, 9, 0, tzinfo=UTC)
    first = _submit(world, contract, now=when).receipt
    with authority_scope(world.a):
        commitment = contract.commitments.order_by("id").first()
    report = _submit(world, contract, {commitment.pk: ("4", "", "")}, now=datetime(2026, 7, 3, 9, 0, tzinfo=UTC))
    assert report.receipt != first
    with authority_scope(world.a):
        assert list(DeliveryLine.objects.filter(report=report).values_list("quantity", flat=True)) == [Decimal("4")]
        assert AuditEvent.objects.filter(verb="report.resubmitted", object_id=str(report.pk)).exists()


def test_a_report_for_a_future_period_is_refused(world):
    contract = build_direct_contract(world, world.a)
    # The first half-year ends on 30 June 2026: on that day the period has not ended yet.
    with pytest.raises(DomainError, match="a report for a future period"):
        _submit(world, contract, now=datetime(2026, 6, 30, 12, 0, tzinfo=UTC))
    with authority_scope(world.a):
        assert DeliveryReport.objects.get(contract=contract, number=1).status == ReportStatus.DUE


def test_negative_quantities_are_refused_and_nothing_is_saved(world):
    contract = build_direct_contract(world, world.a)
    with authority_scope(world.a):
        first, second = contract.commitments.order_by("id")
    with pytest.raises(DomainError, match="cannot be negative") as refused:
        _submit(world, contract, {first.pk: ("2", "", ""), second.pk: ("-1", "", "")}, now=AFTER_Q1.replace(month=7))
    assert refused.value.field == f"quantity_{second.pk}"
    with authority_scope(world.a):
        assert not DeliveryLine.objects.filter(commitment__contract=contract).exists()


def test_only_the_suppliers_members_submit(world):
    contract = build_direct_contract(world, world.a)
    for outsider in (world.supplier_both_user, world.user(world.a, Role.CONTRACT_MANAGER)):
        with pytest.raises(DomainError, match="Only members of Only A Services Ltd"):
            _submit(world, contract, now=AFTER_Q1.replace(month=7), user=outsider)


def test_far_above_target_is_flagged_not_refused(world):
    contract = build_direct_contract(world, world.a, targets=("10", "5"))
    with authority_scope(world.a):
        first, second = contract.commitments.order_by("id")
    report = _submit(
        world, contract, {first.pk: ("250", "", ""), second.pk: ("5", "", "")}, now=AFTER_Q1.replace(month=7)
    )
    assert report.status == ReportStatus.SUBMITTED
    assert [(flag["kind"], flag["commitment"]) for flag in report.content["flags"]] == [("far_above_target", first.pk)]
    assert "against a target of 10" in report.content["flags"][0]["message"]


# Verification ------------------------------------------------------------------------------------------------------


def test_verification_line_by_line_and_delivered_totals(world):
    contract = build_direct_contract(world, world.a, targets=("10", "5"))
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    report = _submit(world, contract, now=AFTER_Q1.replace(month=7))
    with authority_scope(world.a):
        first, second = DeliveryLine.objects.filter(report=report).order_by("commitment_id")
        services.line_verify(line=first, acting_user=manager, decision=Verification.ACCEPTED)
        line = services.line_verify(
            line=second, acting_user=manager, decision=Verification.QUERIED, note="Which estates?"
        )
        assert line.verification == Verification.QUERIED
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED
        line = services.line_answer_query(line=line, acting_user=world.supplier_one_user, answer="Northtown estate.")
        assert (line.verification, line.supplier_answer) == (Verification.PENDING, "Northtown estate.")
        services.line_verify(line=line, acting_user=manager, decision=Verification.REJECTED, note="No evidence.")
        report.refresh_from_db()
        assert report.status == ReportStatus.VERIFIED
        assert selectors.delivered(first.commitment) == Decimal("3")
        assert selectors.delivered(second.commitment) == Decimal("0")  # only accepted quantities count
        with pytest.raises(DomainError, match="verified: it can no longer be changed"):
            _submit(world, contract, now=AFTER_Q1.replace(month=7))


def test_verifying_your_own_organisations_report_is_refused(world):
    contract = build_direct_contract(world, world.a)
    report = _submit(world, contract, now=AFTER_Q1.replace(month=7))
    # A contract manager who is also a member of the supplier organisation.
    insider = UserFactory(email="insider@authority-a.example.org")
    MembershipFactory(authority=world.a, user=insider, role=Role.CONTRACT_MANAGER)
    add_org_member(world.supplier_one, insider)
    with authority_scope(world.a):
        line = DeliveryLine.objects.filter(report=report).first()
        for user in (insider, world.supplier_one_user):
            with pytest.raises(DomainError, match="verifying your own organisation's report"):
                services.line_verify(line=line, acting_user=user, decision=Verification.ACCEPTED)
        with pytest.raises(DomainError, match="Only the contract's responsible officer or a contract manager"):
            services.line_verify(
                line=line, acting_user=world.user(world.a, Role.EVALUATOR), decision=Verification.ACCEPTED
            )
        line.refresh_from_db()
        assert line.verification == Verification.PENDING


def test_a_query_needs_a_question_and_a_rejection_a_reason(world):
    contract = build_direct_contract(world, world.a)
    report = _submit(world, contract, now=AFTER_Q1.replace(month=7))
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    with authority_scope(world.a):
        line = DeliveryLine.objects.filter(report=report).first()
        with pytest.raises(DomainError, match="Enter the question") as refused:
            services.line_verify(line=line, acting_user=manager, decision=Verification.QUERIED, note="  ")
        assert refused.value.field == "note"
        with pytest.raises(DomainError, match="why the line is rejected"):
            services.line_verify(line=line, acting_user=manager, decision=Verification.REJECTED)


# Progress ----------------------------------------------------------------------------------------------------------


def _accept_all(world, report):
    manager = world.user(world.a, Role.CONTRACT_MANAGER)
    for line in DeliveryLine.objects.filter(report=report):
        services.line_verify(line=line, acting_user=manager, decision=Verification.ACCEPTED)


def test_contract_progress_judges_each_commitment(world):
    contract = build_direct_contract(world, world.a, targets=("10", "5"), value="6000000")
    with authority_scope(world.a):
        first, second = contract.commitments.order_by("id")
    report = _submit(
        world, contract, {first.pk: ("5", "", ""), second.pk: ("1", "", "")}, now=AFTER_Q1.replace(month=7)
    )
    with authority_scope(world.a):
        _accept_all(world, report)
        progress = selectors.contract_progress(contract, date(2026, 12, 31))
    rows = {row.commitment.pk: row for row in progress.commitments}
    assert (rows[first.pk].delivered, rows[first.pk].expected, rows[first.pk].status) == (
        Decimal("5"),
        Decimal("10"),
        Status.OFF_TRACK,
    )
    assert rows[second.pk].status == Status.OFF_TRACK
    assert progress.rating.rating == Rating.INADEQUATE
    assert "at least 3" in progress.kpi_warning
    with authority_scope(world.a):
        for n in range(3):
            services.kpi_add(
                contract=contract,
                acting_user=world.user(world.a, Role.CONTRACT_MANAGER),
                title=f"KPI {n}",
                target="95%",
            )
        assert selectors.contract_progress(contract, date(2026, 12, 31)).kpi_warning is None


@pytest.mark.parametrize("targets", [("1",), ("1", "2", "3", "4")])
def test_contract_progress_takes_a_fixed_number_of_queries(world, targets, django_assert_num_queries):
    contract = build_direct_contract(world, world.a, targets=targets)
    _submit(world, contract, now=AFTER_Q1.replace(month=7))
    with authority_scope(world.a), django_assert_num_queries(2):
        progress = selectors.contract_progress(contract, date(2026, 7, 2))
    assert len(progress.commitments) == len(targets)


def test_the_far_above_flag_counts_earlier_reports(world):
    contract = build_direct_contract(world, world.a, targets=("10",))
    with authority_scope(world.a):
        commitment = contract.commitments.get()
    first = _submit(world, contract, {commitment.pk: ("15", "", "")}, now=AFTER_Q1.replace(month=7))
    assert first.content["flags"] == []
    second = _submit(world, contract, {commitment.pk: ("6", "", "")}, number=2, now=datetime(2027, 1, 2, tzinfo=UTC))
    assert [flag["commitment"] for flag in second.content["flags"]] == [commitment.pk]
    assert "21 " in second.content["flags"][0]["message"]


def test_lines_for_another_contracts_commitment_are_refused(world):
    contract = build_direct_contract(world, world.a)
    other = build_direct_contract(world, world.a, reference="C-2")
    with authority_scope(world.a):
        stranger = other.commitments.order_by("id").first()
    with pytest.raises(DomainError, match="this contract's commitments"):
        _submit(world, contract, {stranger.pk: ("1", "", "")}, now=AFTER_Q1.replace(month=7))
