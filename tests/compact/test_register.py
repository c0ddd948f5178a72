"""The consultation register's rules (12 weeks, the annual compliance share, property-tested over dates), its services
(bad input leaves the record as it was), charter consultations joining it automatically, the selectors, the data
migration and the demo."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import consultation as consultation_services
from charters import services as charter_services
from charters.models import CommentSection, CommentStatus, Consultation, ResponseOutcome
from compact import register
from compact.models import RegisteredConsultation
from compact.signals import charter_consultation_title
from foundation.errors import DomainError
from tests.charters.factories import build_charter, open_consultation

# The rules (pure) -------------------------------------------------------------------------------------------------

days = st.dates(min_value=date(1996, 1, 1), max_value=date(2060, 12, 31))
lengths = st.integers(min_value=1, max_value=400)
reasons = st.sampled_from(["", "   ", "Urgent budget decision", "\n"])
rows = st.lists(st.tuples(days, lengths, reasons), max_size=30).map(
    lambda found: [(opens, opens + timedelta(days=length), reason) for opens, length, reason in found]
)


def test_twelve_weeks_is_84_days():
    opens = date(2026, 4, 1)
    assert register.meets_twelve_weeks(opens, opens + timedelta(days=84))
    assert not register.meets_twelve_weeks(opens, opens + timedelta(days=83))
    assert register.length_weeks(opens, opens + timedelta(days=84)) == Decimal("12.0")
    assert register.length_weeks(opens, opens + timedelta(days=83)) == Decimal("11.9")


def test_leap_years_count_29_february():
    # 1 February to 25 April 2028 is 84 days because of 29 February; in 2027 it is 83.
    assert register.length_days(date(2028, 2, 1), date(2028, 4, 25)) == 84
    assert register.meets_twelve_weeks(date(2028, 2, 1), date(2028, 4, 25))
    assert not register.meets_twelve_weeks(date(2027, 2, 1), date(2027, 4, 25))
    assert register.financial_year_of(date(2028, 2, 29)) == 2027


def test_weeks_text():
    assert register.weeks_text(Decimal("12.0")) == "12 weeks"
    assert register.weeks_text(Decimal("8.6")) == "8.6 weeks"
    assert register.weeks_text(Decimal("1.0")) == "1 week"


@given(opens=days, length=st.integers(min_value=1, max_value=1000))
def test_length_and_twelve_weeks(opens, length):
    closes = opens + timedelta(days=length)
    assert register.length_days(opens, closes) == length
    assert register.meets_twelve_weeks(opens, closes) == (length >= 84)
    assert abs(register.length_weeks(opens, closes) - Decimal(length) / 7) <= Decimal("0.05")


@given(day=days)
def test_financial_year_contains_the_day(day):
    year = register.financial_year_of(day)
    assert date(year, 4, 1) <= day <= date(year + 1, 3, 31)


@given(rows=rows)
def test_each_consultation_counts_once_in_the_year_it_opened(rows):
    by_year = register.compliance_by_year(rows)
    assert sum(year.total for year in by_year) == len(rows)
    for year in by_year:
        expected = [row for row in rows if register.financial_year_of(row[0]) == year.year]
        assert year.total == len(expected) > 0
        assert year.met == sum(1 for opens, closes, _ in expected if (closes - opens).days >= 84)
        assert year.explained == sum(
            1 for opens, closes, reason in expected if (closes - opens).days < 84 and reason.strip()
        )
        assert year.met + year.explained + year.unexplained == year.total
    assert [year.year for year in by_year] == sorted({register.financial_year_of(row[0]) for row in rows}, reverse=True)


@given(rows=rows, year=st.integers(min_value=1995, max_value=2060))
def test_share_is_the_compliant_percentage(rows, year):
    found = register.annual_compliance(rows, year)
    if found.total == 0:
        assert found.share is None
        return
    assert Decimal(0) <= found.share <= Decimal(100)
    assert abs(found.share - Decimal(found.met + found.explained) * 100 / found.total) <= Decimal("0.05")
    if found.unexplained == 0:
        assert found.share == 100
    if found.met + found.explained == 0:
        assert found.share == 0


@given(rows=rows)
def test_share_is_100_when_every_consultation_complies(rows):
    compliant = [
        (opens, closes, reason if (closes - opens).days >= 84 else "Explained") for opens, closes, reason in rows
    ]
    for year in register.compliance_by_year(compliant):
        assert year.share == Decimal("100.0")
        assert year.unexplained == 0


@given(year=st.integers(min_value=1996, max_value=2059), before=st.integers(0, 200), after=st.integers(1, 200))
def test_a_consultation_spanning_31_march_counts_in_the_year_it_opened(year, before, after):
    opens = date(year + 1, 3, 31) - timedelta(days=before)
    closes = date(year + 1, 3, 31) + timedelta(days=after)
    row = [(opens, closes, "")]
    assert register.annual_compliance(row, year).total == 1
    assert register.annual_compliance(row, year + 1).total == 0
    assert register.annual_compliance(row, year - 1).total == 0


def test_boundaries_of_the_financial_year():
    rows = [
        (date(2027, 3, 31), date(2027, 7, 1), ""),  # the last day of 2026 to 2027
        (date(2027, 4, 1), date(2027, 5, 1), ""),  # the first day of 2027 to 2028, shorter without a reason
        (date(2028, 2, 29), date(2028, 3, 20), "Statutory deadline"),  # leap day, 2027 to 2028
    ]
    assert register.annual_compliance(rows, 2026) == register.Compliance(2026, 1, 1, 0, 0)
    found = register.annual_compliance(rows, 2027)
    assert found == register.Compliance(2027, 2, 0, 1, 1)
    assert found.share == Decimal("50.0")
    assert found.label == "2027 to 2028"
    assert register.annual_compliance(rows, 2028).share is None


# Services ---------------------------------------------------------------------------------------------------------


def _add(world, authority=None, **overrides):
    authority = authority or world.a
    values = {
        "title": "Parks strategy",
        "opens_on": date(2026, 5, 4),
        "closes_on": date(2026, 7, 27),
        "summary": "Parks for the next ten years.",
        "url": "https://www.example.org/parks",
    }
    values.update(overrides)
    with authority_scope(authority):
        return register.register_add(
            authority=authority, acting_user=world.user(authority, Role.COMMISSIONER), **values
        )


def test_register_add_and_audit(world):
    entry = _add(world)
    with authority_scope(world.a):
        entry = RegisteredConsultation.objects.get(pk=entry.pk)
        event = AuditEvent.objects.get(verb="register.consultation_added")
    assert (entry.title, entry.opens_on, entry.closes_on) == ("Parks strategy", date(2026, 5, 4), date(2026, 7, 27))
    assert entry.charter_consultation is None and entry.authority == world.a
    assert event.object_id == str(entry.pk) and event.changes["closes_on"] == "2026-07-27"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Enter the consultation's title"),
        ({"closes_on": date(2026, 5, 1)}, "closes_on", "The closing date must be after the opening date"),
        ({"closes_on": date(2026, 5, 4)}, "closes_on", "The closing date must be after the opening date"),
        (
            {"closes_on": date(2026, 6, 1)},
            "shorter_reason",
            "Explain why the consultation is shorter than 12 weeks: it runs for 4 weeks",
        ),
        (
            {"closes_on": date(2026, 7, 26), "shorter_reason": " "},
            "shorter_reason",
            "Explain why the consultation is shorter than 12 weeks: it runs for 11.9 weeks",
        ),
        ({"url": "not a web address"}, "url", "Enter a web address in the correct format"),
        ({"url": "ftp://example.org/x"}, "url", "Enter a web address in the correct format"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(world, overrides, field, message):
    entry = _add(world)
    with authority_scope(world.a):
        before = RegisteredConsultation.objects.filter(pk=entry.pk).values().get()
        with pytest.raises(DomainError) as refused:
            register.register_update(
                entry=entry,
                acting_user=world.user(world.a, Role.COMMISSIONER),
                **{
                    "title": entry.title,
                    "opens_on": entry.opens_on,
                    "closes_on": entry.closes_on,
                    "summary": entry.summary,
                    "url": entry.url,
                    **overrides,
                },
            )
        assert refused.value.field == field and refused.value.message.startswith(message)
        assert RegisteredConsultation.objects.filter(pk=entry.pk).values().get() == before
        assert not AuditEvent.objects.filter(verb="register.consultation_updated").exists()
        with pytest.raises(DomainError):
            register.register_add(
                authority=world.a,
                acting_user=world.user(world.a, Role.COMMISSIONER),
                **{"title": "New", "opens_on": date(2026, 5, 4), "closes_on": date(2026, 7, 27), **overrides},
            )
        assert RegisteredConsultation.objects.count() == 1


def test_shorter_with_a_reason_is_accepted_and_update_audits_changes(world):
    entry = _add(world)
    with authority_scope(world.a):
        register.register_update(
            entry=entry,
            acting_user=world.user(world.a, Role.ADMIN),
            title="Parks strategy",
            opens_on=date(2026, 5, 4),
            closes_on=date(2026, 6, 15),
            summary="Parks for the next ten years.",
            url="https://www.example.org/parks",
            shorter_reason="The council decides in July.",
        )
        entry.refresh_from_db()
        event = AuditEvent.objects.get(verb="register.consultation_updated")
    assert entry.closes_on == date(2026, 6, 15) and entry.shorter_reason == "The council decides in July."
    assert set(event.changes) == {"closes_on", "shorter_reason"}
    assert event.changes["closes_on"] == {"before": "2026-07-27", "after": "2026-06-15"}


def test_remove_and_feedback(world):
    entry = _add(world)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        with pytest.raises(DomainError) as early:
            register.feedback_record(
                entry=entry,
                acting_user=commissioner,
                feedback_given=True,
                feedback_url="https://x.example/f",
                today=date(2026, 7, 27),
            )
        assert early.value.field == "feedback_given"
        with pytest.raises(DomainError) as no_url:
            register.feedback_record(entry=entry, acting_user=commissioner, feedback_given=True, today=date(2026, 8, 1))
        assert no_url.value.field == "feedback_url"
        entry.refresh_from_db()
        assert not entry.feedback_given
        register.feedback_record(
            entry=entry,
            acting_user=commissioner,
            feedback_given=True,
            feedback_url="https://www.example.org/parks/you-said-we-did",
            today=date(2026, 8, 1),
        )
        entry.refresh_from_db()
        assert entry.feedback_given and entry.feedback_url.endswith("you-said-we-did")
        assert register.register_entries(world.a, today=date(2026, 8, 1)).get().feedback is True
        register.register_remove(entry=entry, acting_user=commissioner)
        assert not RegisteredConsultation.objects.exists()
        assert AuditEvent.objects.filter(verb="register.consultation_removed", object_id=str(entry.pk)).exists()
        assert AuditEvent.objects.filter(verb="register.feedback_recorded").count() == 1


# Charter consultations join the register automatically ------------------------------------------------------------


def _charter_consultation(world, authority=None, *, weeks=12, today=None):
    authority = authority or world.a
    _, version = build_charter(world, authority, title="Northmoor social value charter")
    return open_consultation(world, authority, version, weeks=weeks, today=today)


def test_opening_a_charter_consultation_adds_it_to_the_register(world):
    consultation = _charter_consultation(world, weeks=8)
    with authority_scope(world.a):
        entry = RegisteredConsultation.objects.get()
        assert entry.charter_consultation == consultation
        assert entry.title == "Northmoor social value charter, version 1"
        assert entry.url == f"/p/{world.a.slug}/consultations/{consultation.pk}/"
        assert (entry.opens_on, entry.closes_on) == (consultation.opens_on, consultation.closes_on)
        assert entry.shorter_reason == "Urgent budget cycle"
        assert entry.created_by == world.user(world.a, Role.COMMISSIONER)
        # It follows changes to the charter consultation.
        consultation.closes_on = consultation.opens_on + timedelta(weeks=12)
        consultation.shorter_reason = ""
        consultation.save()
        entry.refresh_from_db()
        assert entry.closes_on == consultation.closes_on and entry.shorter_reason == ""
        assert RegisteredConsultation.objects.count() == 1
    with authority_scope(world.b):
        assert not RegisteredConsultation.objects.exists()


def test_charter_entries_cannot_be_changed_here(world):
    _charter_consultation(world)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        entry = RegisteredConsultation.objects.get()
        for action in (
            lambda: register.register_update(
                entry=entry, acting_user=commissioner, title="X", opens_on=entry.opens_on, closes_on=entry.closes_on
            ),
            lambda: register.register_remove(entry=entry, acting_user=commissioner),
            lambda: register.feedback_record(entry=entry, acting_user=commissioner, feedback_given=False),
        ):
            with pytest.raises(DomainError, match="charter consultation"):
                action()
        assert RegisteredConsultation.objects.get().title == "Northmoor social value charter, version 1"


def test_long_charter_titles_fit():
    title = charter_consultation_title("x" * 200, 12)
    assert len(title) == 200 and title.endswith(", version 12")


def test_charter_feedback_is_computed_from_answers(world):
    today = timezone.localdate()
    consultation = _charter_consultation(world)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    after_close = consultation.closes_on + timedelta(days=1)

    def feedback(day):
        return register.register_entries(world.a, today=day).get().feedback

    with authority_scope(world.a):
        assert feedback(today) is False  # still open
        assert feedback(after_close) is True  # closed, nothing to answer
        comment = consultation_services.comment_create(
            consultation=consultation, acting_user=world.resident, section=CommentSection.VISION, text="More trees."
        )
        assert feedback(after_close) is False  # waiting for moderation
        comment = consultation_services.comment_moderate(
            comment=comment, acting_user=commissioner, decision="published"
        )
        assert comment.status == CommentStatus.PUBLISHED
        assert feedback(after_close) is False  # published, not answered
        consultation_services.comment_respond(
            comment=comment, acting_user=commissioner, outcome=ResponseOutcome.ACCEPTED, text="Trees added."
        )
        assert feedback(after_close) is True
        assert feedback(consultation.closes_on) is False


def test_withdrawn_charter_consultation_stays_without_a_link(world):
    consultation = _charter_consultation(world)
    with authority_scope(world.a):
        charter_services.version_withdraw(
            version=consultation.version, acting_user=world.user(world.a, Role.COMMISSIONER), reason="Start again"
        )
        entry = register.register_entries(world.a).get()
    assert entry.withdrawn is True and entry.public_url == ""


# Selectors --------------------------------------------------------------------------------------------------------


def test_register_compliance_and_year_filter(world):
    _add(world, title="Met", opens_on=date(2025, 6, 1), closes_on=date(2025, 9, 1))
    _add(world, title="Explained", opens_on=date(2026, 3, 1), closes_on=date(2026, 4, 1), shorter_reason="Budget")
    _add(world, title="Unexplained", opens_on=date(2026, 4, 1), closes_on=date(2026, 8, 1))
    _add(world, world.b, title="B's", opens_on=date(2026, 4, 1), closes_on=date(2026, 5, 1), shorter_reason="x")
    with authority_scope(world.a):
        # As a charter consultation can be, when the authority's default is shorter than 12 weeks.
        RegisteredConsultation.objects.filter(title="Unexplained").update(closes_on=date(2026, 5, 1))
        compliance = register.register_compliance(world.a)
        assert [(c.year, c.total, c.met, c.explained, c.unexplained) for c in compliance] == [
            (2026, 1, 0, 0, 1),
            (2025, 2, 1, 1, 0),
        ]
        assert compliance[1].share == Decimal("100.0") and compliance[0].share == Decimal("0.0")
        assert [e.title for e in register.register_entries(world.a, year=2025)] == ["Explained", "Met"]
        assert [e.title for e in register.register_entries(world.a)] == ["Unexplained", "Explained", "Met"]


def test_calendar_months(world):
    _add(world, title="Spring", opens_on=date(2026, 2, 10), closes_on=date(2026, 5, 5))
    _add(world, title="Year end", opens_on=date(2026, 12, 1), closes_on=date(2027, 3, 1))
    with authority_scope(world.a):
        months = register.calendar_year(world.a, 2026, today=date(2026, 3, 15))
        assert len(months) == 12
        assert [e.title for e in months[1].opening] == ["Spring"]
        assert [e.title for e in months[2].continuing] == ["Spring"] and months[2].is_current
        assert [e.title for e in months[3].continuing] == ["Spring"]
        assert [e.title for e in months[4].closing] == ["Spring"]
        assert months[5].is_empty and months[0].is_empty
        assert [e.title for e in months[11].opening] == ["Year end"]
        next_year = register.calendar_year(world.a, 2027, today=date(2026, 3, 15))
        assert [e.title for e in next_year[0].continuing] == ["Year end"]
        assert [e.title for e in next_year[2].closing] == ["Year end"]
        assert not any(month.is_current for month in next_year)


def test_public_summary(world, django_assert_max_num_queries):
    today = date(2026, 6, 1)
    _add(world, title="Open", opens_on=date(2026, 5, 1), closes_on=date(2026, 8, 1))
    _add(world, title="Next", opens_on=date(2026, 7, 1), closes_on=date(2026, 10, 1))
    _add(world, title="Short", opens_on=date(2026, 4, 2), closes_on=date(2026, 5, 1), shorter_reason="x")
    _add(world, title="Last year", opens_on=date(2025, 4, 2), closes_on=date(2025, 5, 1), shorter_reason="x")
    with authority_scope(world.a):
        # As a charter consultation can be, when the authority's default is shorter than 12 weeks.
        RegisteredConsultation.objects.filter(title="Short").update(shorter_reason="")
    with authority_scope(world.a), django_assert_max_num_queries(3):
        summary = register.public_summary(world.a, today)
    # "Next" has not opened yet, so it does not count so far.
    assert summary.compliance.year == 2026 and summary.compliance.total == 2
    assert summary.compliance.share == Decimal("50.0")
    assert [e.title for e in summary.open_now] == ["Open"]
    assert [e.title for e in summary.upcoming] == ["Next"]


# The data migration and the demo ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_adds_existing_charter_consultations():
    from tests.conftest import build_world

    world = build_world()
    consultation = _charter_consultation(world, weeks=6)
    with authority_scope(world.a):
        RegisteredConsultation.objects.all().delete()
    # Back to before the register migration (the table exists from 0004), then forward again.
    executor = MigrationExecutor(connection)
    executor.migrate([("compact", "0004_local_compact")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    with authority_scope(world.a):
        entry = RegisteredConsultation.objects.get()
        assert entry.charter_consultation_id == consultation.pk
        assert entry.title == "Northmoor social value charter, version 1"
        assert entry.url == f"/p/{world.a.slug}/consultations/{consultation.pk}/"
        assert entry.shorter_reason == "Urgent budget cycle"
        assert Consultation.objects.count() == 1


def test_demo_is_idempotent(db):
    from accounts.demo import seed_demo
    from charters.demo import seed_demo as seed_charters
    from compact.demo_register import seed_register

    world = seed_demo()
    seed_charters(world)
    first = seed_register(world)
    second = seed_register(world)
    assert first == second
    authority = world.authorities["northmoor"]
    today = timezone.localdate()
    with authority_scope(authority):
        entries = list(register.register_entries(authority, today=today))
        assert len([e for e in entries if e.charter_consultation_id]) == 2
        entered = {e.title: e for e in entries if not e.charter_consultation_id}
        assert len(entered) == 4
    assert any(e.opens_on <= today <= e.closes_on for e in entered.values())
    assert any(e.opens_on > today for e in entered.values())
    assert any(e.feedback and e.closes_on < today for e in entered.values())
    assert any(not register.meets_twelve_weeks(e.opens_on, e.closes_on) and e.shorter_reason for e in entered.values())
    assert len({register.financial_year_of(e.opens_on) for e in entered.values()}) >= 2
