"""Tenders: draft → published → closed (or cancelled), with every guard; publication pinning the adopted charter;
amendments (a deadline extension among them) and who is told."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import services as charter_services
from charters.models import VersionStatus
from foundation.errors import DomainError
from foundation.formatting import datetime_long
from tenders import selectors, services
from tenders.clarifications import clarification_ask
from tenders.models import Amendment, QuestionKind, RelevantMeasure, Tender, TenderStatus
from tests.charters.factories import adopt_without_consultation, build_charter
from tests.tenders.factories import adopted_test_charter, build_tender, charter_measures

pytestmark = pytest.mark.django_db


def officer(world, authority=None):
    return world.user(authority or world.a, Role.PROCUREMENT_OFFICER)


def draft(world, **fields):
    """A bare draft: only what the service needs."""
    values = {
        "reference": "BARE-1",
        "title": "Bare tender",
        "category": "services",
        "estimated_value": Decimal("150000"),
    } | fields
    with authority_scope(world.a):
        return services.tender_create_draft(authority=world.a, acting_user=officer(world), **values)


def refresh(world, tender):
    with authority_scope(world.a):
        return Tender.objects.select_related("authority", "charter_version").get(pk=tender.pk)


# Drafts -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "0.00"])
def test_a_value_of_zero_or_less_is_refused(world, value):
    with pytest.raises(DomainError) as error:
        draft(world, estimated_value=Decimal(value))
    assert error.value.field == "estimated_value"
    assert error.value.message == "The estimated value must be more than £0"
    tender = draft(world)
    with authority_scope(world.a), pytest.raises(DomainError, match="more than £0"):
        services.tender_update_draft(tender=tender, acting_user=officer(world), estimated_value=Decimal(value))


def test_create_refuses_unknown_fields_and_duplicate_references(world):
    with pytest.raises(TypeError):
        draft(world, status="published")
    draft(world)
    with pytest.raises(DomainError, match="already has a tender with the reference BARE-1"):
        draft(world)


def test_update_checks_dates_and_audits_before_and_after(world):
    tender = draft(world)
    now = timezone.now()
    with authority_scope(world.a):
        with pytest.raises(DomainError) as error:
            services.tender_update_draft(
                tender=tender,
                acting_user=officer(world),
                publish_at=now + timedelta(days=5),
                submission_deadline=now + timedelta(days=4),
            )
        assert error.value.field == "submission_deadline"
        assert error.value.message == "The submission deadline must be after the publication date"
        with pytest.raises(DomainError) as error:
            services.tender_update_draft(
                tender=tender,
                acting_user=officer(world),
                clarification_deadline=now + timedelta(days=31),
                submission_deadline=now + timedelta(days=30),
            )
        assert error.value.message == "The clarification deadline must be before the submission deadline"
        services.tender_update_draft(
            tender=tender, acting_user=officer(world), title="Better title", cpv_codes=["45000000", "79421000"]
        )
        event = AuditEvent.objects.filter(verb="tender.edited").get()
        assert event.changes["title"] == {"before": "Bare tender", "after": "Better title"}
        assert event.changes["cpv_codes"] == {"before": [], "after": ["45000000", "79421000"]}
        with pytest.raises(DomainError, match="These CPV codes do not exist: 12345678"):
            services.tender_update_draft(tender=tender, acting_user=officer(world), cpv_codes=["12345678"])


def test_weightings_must_total_100(world):
    tender = draft(world)
    with authority_scope(world.a), pytest.raises(DomainError) as error:
        services.tender_weightings_set(
            tender=tender, acting_user=officer(world), price_weight=60, quality_weight=25, social_value_weight=10
        )
    assert error.value.message == "The weightings must total 100%. They total 95%."


def test_social_value_outside_the_band_needs_a_justification(world):
    tender = draft(world)
    with authority_scope(world.a):
        with pytest.raises(DomainError) as error:
            services.tender_weightings_set(
                tender=tender, acting_user=officer(world), price_weight=50, quality_weight=10, social_value_weight=40
            )
        assert error.value.field == "weighting_justification"
        assert "outside Authority A Borough Council's band of 10% to 30%" in error.value.message
        services.tender_weightings_set(
            tender=tender,
            acting_user=officer(world),
            price_weight=50,
            quality_weight=10,
            social_value_weight=40,
            weighting_justification=" Youth employment is the borough's first priority. ",
        )
        tender.refresh_from_db()
        assert tender.weighting_justification == "Youth employment is the borough's first priority."
        event = AuditEvent.objects.get(verb="tender.weightings_set")
        assert event.changes["social_value_weight"] == {"before": 10, "after": 40}


def test_lots_take_all_three_weightings_or_none_and_renumber_on_removal(world):
    tender = draft(world)
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="all three weightings"):
            services.lot_add(
                tender=tender, acting_user=officer(world), title="North", estimated_value=Decimal("1"), price_weight=50
            )
        with pytest.raises(DomainError, match="They total 90%"):
            services.lot_add(
                tender=tender,
                acting_user=officer(world),
                title="North",
                estimated_value=Decimal("1"),
                price_weight=50,
                quality_weight=30,
                social_value_weight=10,
            )
        with pytest.raises(DomainError, match="more than £0"):
            services.lot_add(tender=tender, acting_user=officer(world), title="North", estimated_value=Decimal("0"))
        first, _second, third = (
            services.lot_add(tender=tender, acting_user=officer(world), title=t, estimated_value=Decimal("1000"))
            for t in ("North", "South", "East")
        )
        services.lot_remove(lot=first, acting_user=officer(world))
        assert list(tender.lots.values_list("title", "number")) == [("South", 1), ("East", 2)]
        services.lot_update(
            lot=third, acting_user=officer(world), price_weight=40, quality_weight=40, social_value_weight=20
        )
        third.refresh_from_db()
        assert (third.number, third.social_value_weight) == (2, 20)


# Relevant measures ------------------------------------------------------------------------------------------


def test_relevant_measures_come_from_the_adopted_charter_with_a_reason(world):
    tender = draft(world)
    _, draft_version = build_charter(world, world.a, title="Still a draft")
    version = adopted_test_charter(world, world.a)
    measure = charter_measures(world.a, version)[0]
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="Choose a measure from an adopted charter"):
            services.relevant_measure_add(
                tender=tender,
                acting_user=officer(world),
                charter_measure=draft_version.measures.first(),
                reason="Relevant",
                weight=Decimal("100"),
            )
        with pytest.raises(DomainError) as error:
            services.relevant_measure_add(
                tender=tender, acting_user=officer(world), charter_measure=measure, reason="  ", weight=Decimal("100")
            )
        assert error.value.field == "reason"
        item = services.relevant_measure_add(
            tender=tender,
            acting_user=officer(world),
            charter_measure=measure,
            reason="Street cleaning is labour-intensive",
            quantity=Decimal("3"),
            quantity_kind="minimum",
            weight=Decimal("100"),
        )
        assert (item.lot, item.quantity_kind, item.quantity) == (None, "minimum", Decimal("3"))
        with pytest.raises(DomainError, match="is already a relevant measure of this tender"):
            services.relevant_measure_add(
                tender=tender, acting_user=officer(world), charter_measure=measure, reason="Again", weight=Decimal("1")
            )
        event = AuditEvent.objects.get(verb="relevant_measure.added")
        assert event.changes["reason"] == "Street cleaning is labour-intensive"


def test_measures_for_larger_contracts_are_hidden_with_an_explanation(world):
    _, version = build_charter(world, world.a, title="Thresholded charter")
    with authority_scope(world.a):
        big = version.measures.order_by("position", "id").first()
        commissioner = world.user(world.a, Role.COMMISSIONER)
        charter_services.item_update(item=big, acting_user=commissioner, min_contract_value=Decimal("500000"))
    adopt_without_consultation(world, world.a, version)
    tender = draft(world)
    with authority_scope(world.a):
        with pytest.raises(DomainError) as error:
            services.relevant_measure_add(
                tender=tender, acting_user=officer(world), charter_measure=big, reason="Why not", weight=Decimal("100")
            )
        assert error.value.message == (
            f"{big.code}: applies to contracts of £500,000 or more; this tender is worth £150,000"
        )
        (group,) = selectors.measure_choices(tender)
        assert [choice.measure.code for choice in group.hidden] == [big.code]
        assert group.hidden[0].hidden_reason == "Applies to contracts of £500,000 or more"
        assert big.code not in [c.measure.code for t in group.themes for o in t.outcome_list for c in o.choices]


def test_measures_of_a_tender_come_from_one_charter_version(world):
    first_version = adopted_test_charter(world, world.a)
    _, other = build_charter(world, world.a, title="Another charter")
    other = adopt_without_consultation(world, world.a, other)
    tender = draft(world)
    with authority_scope(world.a):
        services.relevant_measure_add(
            tender=tender,
            acting_user=officer(world),
            charter_measure=first_version.measures.first(),
            reason="Relevant",
            weight=Decimal("50"),
        )
        with pytest.raises(DomainError, match="A tender asks for measures from one charter version"):
            services.relevant_measure_add(
                tender=tender,
                acting_user=officer(world),
                charter_measure=other.measures.first(),
                reason="Relevant",
                weight=Decimal("50"),
            )


def test_question_scales_and_descriptors(world):
    tender = draft(world)
    with authority_scope(world.a):
        five = services.question_add(
            tender=tender, acting_user=officer(world), kind="quality", text="How?", weight=Decimal("100")
        )
        assert five.scale_max == 5 and len(five.scale_descriptors) == 6
        with pytest.raises(DomainError, match="one descriptor for each score from 0 to 10"):
            services.question_add(
                tender=tender,
                acting_user=officer(world),
                kind="quality",
                text="How?",
                weight=Decimal("50"),
                scale_max=10,
                scale_descriptors=["Poor", "Good"],
            )
        with pytest.raises(DomainError, match="word limit"):
            services.question_add(
                tender=tender,
                acting_user=officer(world),
                kind="quality",
                text="How?",
                weight=Decimal("1"),
                word_limit=10,
            )
        hundred = services.question_add(
            tender=tender,
            acting_user=officer(world),
            kind="social_value",
            text="Where?",
            weight=Decimal("100"),
            scale_max=100,
        )
        assert hundred.scale_descriptors == []
        services.question_update(question=hundred, acting_user=officer(world), kind="quality")
        hundred.refresh_from_db()
        assert (hundred.kind, hundred.position) == ("quality", 2)


# Publication ------------------------------------------------------------------------------------------------


def test_publication_lists_every_problem(world):
    tender = draft(world)
    with authority_scope(world.a):
        services.question_add(
            tender=tender, acting_user=officer(world), kind="social_value", text="Where?", weight=Decimal("60")
        )
        with pytest.raises(services.TenderNotReady) as error:
            services.tender_publish(tender=tender, acting_user=officer(world))
    messages = [problem.message for problem in error.value.problems]
    assert "Describe what is being bought." in messages
    assert "Enter a contact email address for bidders." in messages
    assert "Enter the submission deadline." in messages
    assert "Choose at least one relevant measure from the charter." in messages
    assert "Quality is weighted 30%: add at least one quality question." in messages
    assert "The weights of the social value method statement questions must total 100%. They total 60%." in messages
    assert refresh(world, tender).status == TenderStatus.DRAFT


def test_publication_checks_measure_weights_per_tender_and_lot(world):
    tender = build_tender(world, world.a, lots=1)
    with authority_scope(world.a):
        item = RelevantMeasure.objects.filter(tender=tender, lot__isnull=False).first()
        services.relevant_measure_update(
            relevant_measure=item, acting_user=officer(world), reason=item.reason, weight=Decimal("10")
        )
        problems = [p.message for p in services.tender_publish_blockers(tender)]
    assert problems == ["The weights of the relevant measures for lot 1 must total 100%. They total 60%."]


def test_deadlines_are_checked_when_publishing(world):
    now = timezone.now()
    tender = build_tender(world, world.a, now=now)
    with authority_scope(world.a):
        Tender.objects.filter(pk=tender.pk).update(publish_at=now + timedelta(days=31))  # as an import might
        tender.refresh_from_db()
        problems = [p.message for p in services.tender_publish_blockers(tender, now=now)]
        assert "The submission deadline must be after the publication date." in problems
        Tender.objects.filter(pk=tender.pk).update(publish_at=now)
        tender.refresh_from_db()
        later = tender.submission_deadline + timedelta(seconds=1)
        problems = [p.message for p in services.tender_publish_blockers(tender, now=later)]
        assert "The submission deadline has passed. Set a later one." in problems
        problems = [p.message for p in services.tender_publish_blockers(tender, now=tender.clarification_deadline)]
        assert problems == ["The clarification deadline has passed. Set a later one, or none."]


def test_publishing_before_the_planned_date_publishes_now(world):
    now = timezone.now()
    tender = build_tender(world, world.a, now=now + timedelta(days=3), submission_days=27)
    with authority_scope(world.a):
        services.tender_publish(tender=tender, acting_user=officer(world), now=now)
    tender = refresh(world, tender)
    assert tender.publish_at == now == tender.published_at


def test_publishing_pins_the_adopted_version_and_keeps_the_assessment(world):
    now = timezone.now()
    tender = build_tender(world, world.a, value="250000", now=now)
    version = adopted_test_charter(world, world.a)
    with authority_scope(world.a):
        services.tender_publish(tender=tender, acting_user=officer(world), now=now)
    tender = refresh(world, tender)
    assert tender.status == TenderStatus.PUBLISHED
    assert tender.published_at == now and tender.publish_at == now
    assert tender.charter_version == version
    assert tender.procurement_start_date == timezone.localdate(now)
    assessment = tender.threshold_assessment
    assert assessment["above"] is True and assessment["duty_applies"] is True
    assert assessment["explanation"].startswith("£300,000 including VAT is above the £207,720 threshold")
    assert assessment["reporting"]["level"] == "quarterly"
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="tender.published")
    assert event.changes["status"] == {"before": "draft", "after": "published"}
    assert event.changes["charter_version"] == {"before": None, "after": version.pk}


def test_a_small_contract_gets_light_touch_reporting(world):
    tender = build_tender(world, world.a, value="60000", published=True)
    assert tender.threshold_assessment["reporting"]["level"] == "light_touch"
    assert "below" in tender.threshold_assessment["explanation"]
    assert selectors.tender_reporting_level(tender)["label"] == "Light-touch"


def test_a_draft_follows_the_charter_when_it_is_revised_before_publication(world):
    tender = build_tender(world, world.a)
    version = adopted_test_charter(world, world.a)
    with authority_scope(world.a):
        revision = charter_services.version_revise(
            charter=version.charter, acting_user=world.user(world.a, Role.COMMISSIONER)
        )
    new = adopt_without_consultation(world, world.a, revision)
    with authority_scope(world.a):
        problems = [p.message for p in services.tender_publish_blockers(tender)]
        assert any("which is superseded. Update them to the adopted version" in p for p in problems)
        detail = selectors.tender_detail(refresh(world, tender))
        assert detail.version_is_stale
        moved = services.relevant_measures_follow_charter(tender=tender, acting_user=officer(world))
        assert moved == 2
        versions = RelevantMeasure.objects.filter(tender=tender, lot=None).values_list(
            "charter_measure__version_id", flat=True
        )
        assert set(versions) == {new.pk}
        services.tender_publish(tender=tender, acting_user=officer(world))
    assert refresh(world, tender).charter_version == new


def test_a_short_tender_period_is_a_warning_to_confirm(world):
    now = timezone.now()
    tender = build_tender(world, world.a, now=now, submission_days=14, clarification_days=7)
    with authority_scope(world.a), pytest.raises(DomainError) as error:
        services.tender_publish(tender=tender, acting_user=officer(world), now=now)
    assert error.value.field == "confirm_short_period"
    assert error.value.message.startswith(
        "The Procurement Act 2023 sets a minimum of 25 days for electronic tenders in an open procedure"
    )
    assert "This tender period is 14 days" in error.value.message
    assert refresh(world, tender).status == TenderStatus.DRAFT
    with authority_scope(world.a):
        services.tender_publish(tender=tender, acting_user=officer(world), now=now, confirm_short_period=True)
        event = AuditEvent.objects.get(verb="tender.published")
    assert event.changes["short_period_confirmed"] is True
    assert refresh(world, tender).status == TenderStatus.PUBLISHED


def test_a_period_of_exactly_25_days_needs_no_confirmation(world):
    now = timezone.now()
    tender = build_tender(world, world.a, now=now, submission_days=25)
    assert services.short_period_warning(now, now + timedelta(days=25)) == ""
    assert services.short_period_warning(now, now + timedelta(days=25) - timedelta(seconds=1))
    with authority_scope(world.a):
        services.tender_publish(tender=tender, acting_user=officer(world), now=now)


def test_a_published_tender_is_immutable_except_by_amendment(world):
    tender = build_tender(world, world.a, published=True, lots=1)
    with authority_scope(world.a):
        lot = tender.lots.get()
        item = RelevantMeasure.objects.filter(tender=tender).first()
        question = tender.questions.first()
        attempts = [
            lambda: services.tender_update_draft(tender=tender, acting_user=officer(world), title="Changed"),
            lambda: services.tender_weightings_set(
                tender=tender, acting_user=officer(world), price_weight=50, quality_weight=30, social_value_weight=20
            ),
            lambda: services.lot_add(tender=tender, acting_user=officer(world), title="X", estimated_value=Decimal(1)),
            lambda: services.lot_update(lot=lot, acting_user=officer(world), title="X"),
            lambda: services.lot_remove(lot=lot, acting_user=officer(world)),
            lambda: services.relevant_measure_update(
                relevant_measure=item, acting_user=officer(world), reason="X", weight=Decimal(1)
            ),
            lambda: services.relevant_measure_remove(relevant_measure=item, acting_user=officer(world)),
            lambda: services.question_add(
                tender=tender, acting_user=officer(world), kind="quality", text="X", weight=Decimal(1)
            ),
            lambda: services.question_update(question=question, acting_user=officer(world), text="X"),
            lambda: services.question_remove(question=question, acting_user=officer(world)),
            lambda: services.tender_publish(tender=tender, acting_user=officer(world)),
        ]
        for attempt in attempts:
            with pytest.raises(services.TenderLocked, match="Change it with an amendment"):
                attempt()
        assert refresh(world, tender).title == "Street cleaning and grounds maintenance"


def test_later_charter_revisions_never_change_a_published_tender(world, client):
    tender = build_tender(world, world.a, published=True)
    version = tender.charter_version
    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        old_titles = set(RelevantMeasure.objects.filter(tender=tender).values_list("charter_measure__title", flat=True))
        charter_services.version_revise(charter=version.charter, acting_user=commissioner)
        revision = version.charter.versions.get(status=VersionStatus.DRAFT)
        for measure in revision.measures.all():
            charter_services.item_update(item=measure, acting_user=commissioner, title=f"Revised {measure.title}")
    new = adopt_without_consultation(world, world.a, revision)
    tender = refresh(world, tender)
    assert tender.charter_version == version and new != version
    with authority_scope(world.a):
        version.refresh_from_db()
        assert version.status == VersionStatus.SUPERSEDED
        titles = set(RelevantMeasure.objects.filter(tender=tender).values_list("charter_measure__title", flat=True))
    assert titles == old_titles
    client.force_login(world.user(world.a, Role.EVALUATOR))
    page = client.get(f"/a/{world.a.slug}/tenders/{tender.pk}/").content.decode()
    assert f"version {version.number}</a>, pinned at publication (since superseded" in page
    assert all(title in page for title in old_titles)
    assert "Revised " not in page


# After publication ------------------------------------------------------------------------------------------


def ask(world, tender, user, organisation):
    with authority_scope(tender.authority):
        return clarification_ask(tender=tender, acting_user=user, organisation=organisation, question="When?")


def test_a_deadline_extension_is_an_amendment_and_bidders_are_told(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    tender = build_tender(world, world.a, published=True)
    ask(world, tender, world.supplier_both_user, world.supplier_both)
    ask(world, tender, world.supplier_one_user, world.supplier_one)
    ask(world, tender, world.supplier_one_user, world.supplier_one)
    mailoutbox.clear()
    old_deadline = tender.submission_deadline
    new_deadline = old_deadline + timedelta(days=7)
    with authority_scope(world.a), django_capture_on_commit_callbacks(execute=True):
        amendment = services.tender_amend(
            tender=tender,
            acting_user=officer(world),
            reason="Bidders asked for more time over the holidays",
            submission_deadline=new_deadline,
        )
    tender = refresh(world, tender)
    assert tender.submission_deadline == new_deadline
    change = amendment.changes["submission_deadline"]
    assert change["label"] == "Submission deadline"
    assert change["before"] == timezone.localtime(old_deadline).isoformat()
    assert change["after"] == timezone.localtime(new_deadline).isoformat()
    assert amendment.created_by == officer(world)
    assert sorted(m.to[0] for m in mailoutbox) == [world.supplier_both_user.email, world.supplier_one_user.email]
    assert all(len(m.to) == 1 for m in mailoutbox)
    body = mailoutbox[0].body
    assert "Bidders asked for more time over the holidays" in body
    assert f"Submission deadline: {datetime_long(old_deadline)} → {datetime_long(new_deadline)}" in body
    assert f"/p/{world.a.slug}/tenders/{tender.pk}/" in body
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="tender.amended")
    assert event.changes["reason"] == "Bidders asked for more time over the holidays"
    assert event.changes["submission_deadline"]["after"] == change["after"]


def test_amendment_guards(world):
    tender = build_tender(world, world.a, published=True)
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="Enter why"):
            services.tender_amend(tender=tender, acting_user=officer(world), reason=" ", title="New")
        with pytest.raises(DomainError, match="Nothing has changed"):
            services.tender_amend(tender=tender, acting_user=officer(world), reason="Why", title=tender.title)
        with pytest.raises(DomainError) as error:
            services.tender_amend(
                tender=tender,
                acting_user=officer(world),
                reason="Why",
                submission_deadline=tender.submission_deadline - timedelta(days=1),
            )
        assert error.value.message == "The submission deadline can only be extended after publication"
        with pytest.raises(DomainError, match="before the submission deadline"):
            services.tender_amend(
                tender=tender,
                acting_user=officer(world),
                reason="Why",
                clarification_deadline=tender.submission_deadline + timedelta(days=1),
            )
        with pytest.raises(TypeError):
            services.tender_amend(tender=tender, acting_user=officer(world), reason="Why", estimated_value=Decimal(1))
        services.tender_amend(tender=tender, acting_user=officer(world), reason="Typo", title="Street cleaning")
        with pytest.raises(services.TenderLocked, match="before its submission deadline"):
            services.tender_amend(
                tender=tender,
                acting_user=officer(world),
                reason="Late",
                title="Too late",
                now=tender.submission_deadline + timedelta(seconds=1),
            )
        assert Amendment.objects.filter(tender=tender).count() == 1
    drafted = build_tender(world, world.a)
    with authority_scope(world.a), pytest.raises(services.TenderLocked, match="draft"):
        services.tender_amend(tender=drafted, acting_user=officer(world), reason="Why", title="X")


def test_cancel_with_a_reason(world, mailoutbox, django_capture_on_commit_callbacks):
    tender = build_tender(world, world.a, published=True)
    ask(world, tender, world.supplier_both_user, world.supplier_both)
    mailoutbox.clear()
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="Enter why the tender is cancelled"):
            services.tender_cancel(tender=tender, acting_user=officer(world), reason="")
        with django_capture_on_commit_callbacks(execute=True):
            services.tender_cancel(tender=tender, acting_user=officer(world), reason="The budget was withdrawn")
        event = AuditEvent.objects.get(verb="tender.cancelled")
        with pytest.raises(services.TenderLocked, match="already been cancelled"):
            services.tender_cancel(tender=tender, acting_user=officer(world), reason="Again")
    tender = refresh(world, tender)
    assert (tender.status, tender.cancelled_reason) == (TenderStatus.CANCELLED, "The budget was withdrawn")
    assert event.changes["status"] == {"before": "published", "after": "cancelled"}
    (email,) = mailoutbox
    assert email.to == [world.supplier_both_user.email] and "The budget was withdrawn" in email.body


def test_closing_when_the_deadline_passes(world):
    tender = build_tender(world, world.a, published=True)
    assert selectors.effective_status(tender) == TenderStatus.PUBLISHED
    after = tender.submission_deadline + timedelta(seconds=1)
    at_deadline = tender.submission_deadline
    assert selectors.effective_status(tender, at_deadline) == TenderStatus.CLOSED
    assert selectors.effective_status(tender, at_deadline - timedelta(seconds=1)) == TenderStatus.PUBLISHED
    with authority_scope(world.a), pytest.raises(services.TenderLocked, match="has not passed yet"):
        services.tender_close(tender=tender)
    other = build_tender(world, world.b, published=True)
    assert services.tenders_close_due(now=after) == 2
    assert services.tenders_close_due(now=after) == 0  # safe to run twice
    assert refresh(world, tender).status == TenderStatus.CLOSED
    with authority_scope(world.b):
        assert Tender.objects.get(pk=other.pk).status == TenderStatus.CLOSED
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="tender.closed")
    assert event.actor_label == "system"
    assert event.changes["status"] == {"before": "published", "after": "closed"}


def test_build_tender_closed_and_with_lots(world):
    closed = build_tender(world, world.a, closed=True, lots=2)
    assert closed.status == TenderStatus.CLOSED
    with authority_scope(world.a):
        assert closed.lots.count() == 2
        assert RelevantMeasure.objects.filter(tender=closed).count() == 6
        assert closed.questions.filter(kind=QuestionKind.SOCIAL_VALUE).count() == 1
    second = build_tender(world, world.a)
    assert second.reference != closed.reference and second.status == TenderStatus.DRAFT
