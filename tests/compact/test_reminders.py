from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import OrganisationMemberStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import services, tasks
from compact.models import Reminder, ReminderKind
from compact.reminders import send_report_reminders
from tests.compact.factories import build_direct_contract
from tests.compact.makers_assessment import decided_to_end_early
from tests.factories import UserFactory, add_org_member

# build_direct_contract: 1 January to 31 December 2026, half-yearly; the first report is due on 30 July 2026.
DUE = date(2026, 7, 30)
SUPPLIER = "bids@onlya.example.com"
OFFICER = "contract_manager@authority-a.example.org"
ADMIN = "admin@authority-a.example.org"


def _run(today, callbacks):
    with callbacks(execute=True):
        return send_report_reminders(today=today)


def _sent(mailoutbox):
    return sorted((message.to[0], message.subject) for message in mailoutbox)


@pytest.fixture
def contract(world):
    contract = build_direct_contract(world, world.a)
    # A pending member is not told; neither is anyone at another supplier.
    add_org_member(
        world.supplier_one, UserFactory(email="pending@onlya.example.com"), status=OrganisationMemberStatus.PENDING
    )
    return contract


@pytest.mark.parametrize(
    ("today", "kind", "recipients"),
    [
        (DUE - timedelta(days=7), ReminderKind.DUE_SOON, [SUPPLIER, OFFICER]),
        (DUE, ReminderKind.DUE_SOON, [SUPPLIER, OFFICER]),
        (DUE + timedelta(days=1), ReminderKind.OVERDUE, [SUPPLIER, OFFICER]),
        (DUE + timedelta(days=29), ReminderKind.OVERDUE, [SUPPLIER, OFFICER]),
        (DUE + timedelta(days=30), ReminderKind.ESCALATION, [ADMIN, SUPPLIER, OFFICER]),
    ],
)
def test_who_is_reminded_and_when(
    world, contract, today, kind, recipients, mailoutbox, django_capture_on_commit_callbacks
):
    assert _run(today, django_capture_on_commit_callbacks) == 1
    with authority_scope(world.a):
        reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.sent_on, reminder.recipients) == (kind, today, recipients)
    assert sorted(message.to[0] for message in mailoutbox) == recipients
    assert all(len(message.to) == 1 for message in mailoutbox)
    assert contract.reference in mailoutbox[0].subject
    assert "Half-year 1" in mailoutbox[0].body
    # Each reminder links to where the report is submitted and where staff follow the contract.
    assert f"/p/{contract.authority.slug}/my-contracts/{contract.pk}/reports/1/" in mailoutbox[0].body
    assert f"/a/{contract.authority.slug}/contracts/{contract.pk}/" in mailoutbox[0].body


def test_nothing_before_the_last_week(world, contract, mailoutbox, django_capture_on_commit_callbacks):
    assert _run(DUE - timedelta(days=8), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_a_second_run_on_the_same_day_sends_nothing_and_the_next_day_sends_again(
    world, contract, mailoutbox, django_capture_on_commit_callbacks
):
    today = DUE + timedelta(days=3)
    assert _run(today, django_capture_on_commit_callbacks) == 1
    assert _run(today, django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 2  # one each: the supplier's member and the responsible officer
    assert _run(today + timedelta(days=1), django_capture_on_commit_callbacks) == 1
    assert len(mailoutbox) == 4
    with authority_scope(world.a):
        assert sorted(Reminder.objects.values_list("sent_on", flat=True)) == [today, today + timedelta(days=1)]


def test_nothing_for_a_submitted_report(world, contract, mailoutbox, django_capture_on_commit_callbacks):
    with authority_scope(world.a):
        report = contract.reports.get(number=1)
        services.report_submit(
            report=report,
            acting_user=world.supplier_one_user,
            lines={c.pk: ("1", "", "") for c in contract.commitments.all()},
            narrative="",
            now=datetime(2026, 7, 5, tzinfo=UTC),
        )
    assert _run(DUE + timedelta(days=40), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_nothing_for_periods_after_a_contract_ended_early(
    world, contract, mailoutbox, django_capture_on_commit_callbacks
):
    decided_to_end_early(world, contract)  # ending early needs a decided decommissioning assessment
    with authority_scope(world.a):
        services.contract_end(
            contract=contract,
            acting_user=world.user(world.a, Role.CONTRACT_MANAGER),
            status="ended_early",
            ended_on=date(2026, 3, 31),
            reason="Terminated by agreement.",
        )
    assert _run(DUE + timedelta(days=1), django_capture_on_commit_callbacks) == 0


def test_the_scheduled_task_uses_todays_date(world, mailoutbox, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    # One short period, ended 30 days ago: its report is due today.
    build_direct_contract(world, world.a, starts_on=today - timedelta(days=40), ends_on=today - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_report_reminders.delay().get() == 1
    with authority_scope(world.a):
        reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.sent_on) == (ReminderKind.DUE_SOON, today)
    assert len(mailoutbox) == 2
