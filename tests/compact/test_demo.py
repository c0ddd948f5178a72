"""The contract demo data (compact/demo.py), run through seed_demo."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent, Authority
from accounts.scoping import authority_scope, dangerously_unscoped
from compact import demo, selectors
from compact.models import (
    CommunityCheck,
    Contract,
    ContractStatus,
    DeliveryLine,
    DeliveryReport,
    PerformanceRating,
    ReportStatus,
    Verification,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    with dangerously_unscoped():
        return {
            model.__name__: model.objects.count()
            for model in (Contract, DeliveryReport, DeliveryLine, CommunityCheck, PerformanceRating, AuditEvent)
        }


def test_seed_demo_twice_changes_nothing_and_prints_each_contract():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first
    assert first["Contract"] == 3
    for reference in (demo.ACTIVE, demo.COMPLETED, demo.ENDED_EARLY):
        assert f"Contract: {reference}" in out.getvalue()


def test_demo_has_every_contract_status_verification_state_an_overdue_report_and_community_checks():
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    with dangerously_unscoped():
        statuses = {c.reference: c.status for c in Contract.objects.all()}
    assert statuses == {
        demo.ACTIVE: ContractStatus.ACTIVE,
        demo.COMPLETED: ContractStatus.COMPLETED,
        demo.ENDED_EARLY: ContractStatus.ENDED_EARLY,
    }
    northmoor = Authority.objects.get(slug="northmoor")
    with authority_scope(northmoor):
        contract = Contract.objects.get(reference=demo.ACTIVE)
        lines = DeliveryLine.objects.filter(report__contract=contract)
        assert {line.verification for line in lines} == set(Verification.values)
        assert lines.filter(verification=Verification.QUERIED, supplier_answer="").exists()
        assert lines.filter(verification=Verification.PENDING).exclude(supplier_answer="").exists()
        assert lines.filter(verification=Verification.REJECTED).exclude(verification_note="").exists()
        reports = DeliveryReport.objects.filter(contract=contract)
        assert reports.filter(status=ReportStatus.DUE, due_on__lt=today).exists()
        assert reports.filter(status=ReportStatus.DUE, due_on__gte=today).exists()
        assert reports.filter(status=ReportStatus.VERIFIED).count() == 2
        checks = CommunityCheck.objects.filter(line__report__contract=contract)
        assert {check.verdict for check in checks} == {"confirm", "question"}
        assert PerformanceRating.objects.filter(contract=contract).count() == 1
        assert selectors.contract_progress(contract, today).kpi_count == 1
        completed = Contract.objects.get(reference=demo.COMPLETED)
        assert (
            not DeliveryLine.objects.filter(report__contract=completed)
            .exclude(verification=Verification.ACCEPTED)
            .exists()
        )
    eastvale = Authority.objects.get(slug="eastvale")
    with authority_scope(eastvale):
        ended = Contract.objects.get(reference=demo.ENDED_EARLY)
        assert ended.end_reason and ended.ended_on < today
        assert DeliveryLine.objects.filter(report__contract=ended, verification=Verification.ACCEPTED).count() == 2
