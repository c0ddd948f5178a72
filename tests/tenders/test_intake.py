"""The intake pages, through the client: forms, 422s with the error summary, htmx partials, locked tenders,
roles and query counts."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import services as charter_services
from tenders.models import Amendment, Lot, Question, RelevantMeasure, Tender, TenderStatus
from tests.charters.factories import adopt_without_consultation, build_charter
from tests.tenders.factories import adopted_test_charter, build_tender, charter_measures

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    return client


def url(name, *args, world):
    return reverse(f"tenders:{name}", args=[world.a.slug, *args])


def body(response) -> str:
    return response.content.decode()


def create_data(**overrides):
    data = {
        "reference": "NBC-2026-014",
        "title": "Street cleaning",
        "description": "Cleaning the borough's streets.",
        "category": "services",
        "estimated_value": "£250,000",
        "vat_rate": "20",
        "contract_term_months": "36",
        "cpv_codes": "90610000, 79421000",
        "procurement_start_date_day": "",
        "procurement_start_date_month": "",
        "procurement_start_date_year": "",
        "publish_at_date_day": "1",
        "publish_at_date_month": "3",
        "publish_at_date_year": "2027",
        "publish_at_time": "9am",
        "clarification_deadline_date_day": "20",
        "clarification_deadline_date_month": "3",
        "clarification_deadline_date_year": "2027",
        "clarification_deadline_time": "",
        "submission_deadline_date_day": "1",
        "submission_deadline_date_month": "4",
        "submission_deadline_date_year": "2027",
        "submission_deadline_time": "12:00pm",
        "contact_name": "Pat Procurement",
        "contact_email": "pat@example.org",
    }
    return data | overrides


# The list ---------------------------------------------------------------------------------------------------


def test_empty_list_then_tenders_by_status(officer_client, world):
    page = officer_client.get(url("tender-list", world=world))
    assert page.status_code == 200
    assert "has no tenders yet" in body(page) and "Create a tender" in body(page)
    draft = build_tender(world, world.a, title="Draft one")
    published = build_tender(world, world.a, published=True, title="Published one")
    closed = build_tender(world, world.a, closed=True, title="Closed one")
    page = body(officer_client.get(url("tender-list", world=world)))
    assert all(t.reference in page for t in (draft, published, closed))
    assert "All (3)" in page and "Drafts (1)" in page and "Closed (1)" in page
    drafts = body(officer_client.get(url("tender-list", world=world), {"status": "draft"}))
    assert draft.reference in drafts and published.reference not in drafts
    cancelled = body(officer_client.get(url("tender-list", world=world), {"status": "cancelled"}))
    assert "No tenders are cancelled." in cancelled
    build_tender(world, world.b, title="Authority B's tender")
    assert "Authority B&#x27;s tender" not in page


def test_list_paginates(officer_client, world):
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    from tenders.services import tender_create_draft

    with authority_scope(world.a):
        for number in range(27):
            tender_create_draft(
                authority=world.a,
                acting_user=officer,
                reference=f"P-{number:02}",
                title=f"Tender {number}",
                category="goods",
                estimated_value=Decimal("1000"),
            )
    first = body(officer_client.get(url("tender-list", world=world)))
    assert first.count('class="govuk-table__row"') == 26  # the heading row and 25 tenders
    second = body(officer_client.get(url("tender-list", world=world), {"page": "2"}))
    assert second.count('class="govuk-table__row"') == 3
    assert 'aria-label="Pagination"' in first


def test_other_staff_read_but_cannot_manage(client, world):
    tender = build_tender(world, world.a)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    page = client.get(url("tender-detail", tender.pk, world=world))
    assert page.status_code == 200
    assert "Publish" not in body(page) and "Change the details" not in body(page)
    assert client.get(url("tender-create", world=world)).status_code == 403
    assert client.post(url("tender-publish", tender.pk, world=world)).status_code == 403
    nav = body(client.get(url("tender-list", world=world)))
    assert re.search(r'aria-current="page"><strong[^>]*>Tenders</strong>', nav)
    assert "Create a tender" not in nav


# Creating and editing ---------------------------------------------------------------------------------------


def test_create_a_draft(officer_client, world):
    response = officer_client.post(url("tender-create", world=world), create_data())
    assert response.status_code == 303
    with authority_scope(world.a):
        tender = Tender.objects.get(reference="NBC-2026-014")
    assert response["Location"] == url("tender-detail", tender.pk, world=world)
    assert tender.estimated_value == Decimal("250000")
    assert timezone.localtime(tender.publish_at).strftime("%Y-%m-%d %H:%M %Z") == "2027-03-01 09:00 GMT"
    assert timezone.localtime(tender.clarification_deadline).strftime("%H:%M") == "12:00"  # empty means midday
    assert timezone.localtime(tender.submission_deadline).strftime("%Y-%m-%d %H:%M %Z") == "2027-04-01 12:00 BST"
    with authority_scope(world.a):
        assert sorted(tender.cpv_codes.values_list("code", flat=True)) == ["79421000", "90610000"]
    page = body(officer_client.get(response["Location"]))
    assert "12:00pm BST on 1 April 2027" in page and "9:00am GMT on 1 March 2027" in page
    assert "£250,000 excluding VAT" in page and "£300,000 including VAT at 20%" in page
    assert "£300,000 including VAT is above the £207,720 threshold" in page
    assert "Quarterly" in page
    assert "Divisions: 79 " in page and "90 " in page


def test_create_errors_keep_the_input(officer_client, world):
    response = officer_client.post(
        url("tender-create", world=world),
        create_data(
            reference="",
            estimated_value="0",
            cpv_codes="45000000 12345678 4500",
            submission_deadline_date_day="28",
            submission_deadline_date_month="2",
            publish_at_time="9",
        ),
    )
    assert response.status_code == 422
    page = body(response)
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert "Enter a reference" in page
    assert "The estimated value must be more than £0" in page
    assert "CPV code 12345678 does not exist" in page and "CPV code 4500 does not exist" in page
    assert "Enter the time of the publication date, like 12:00pm or 17:30" in page
    assert 'value="45000000 12345678 4500"' in page and 'value="Street cleaning"' in page


def test_deadline_order_errors(officer_client, world):
    response = officer_client.post(
        url("tender-create", world=world),
        create_data(submission_deadline_date_day="28", submission_deadline_date_month="2"),
    )
    assert response.status_code == 422
    assert "The submission deadline must be after the publication date" in body(response)
    response = officer_client.post(
        url("tender-create", world=world), create_data(clarification_deadline_date_month="4")
    )
    assert response.status_code == 422
    assert "The clarification deadline must be before the submission deadline" in body(response)


def test_live_summary_with_htmx(officer_client, world):
    response = officer_client.post(
        url("tender-create", world=world),
        {
            "action": "summary",
            "estimated_value": "100,000",
            "vat_rate": "20",
            "cpv_codes": "45210000, 999",
            "category": "services",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = body(response)
    assert page.lstrip().startswith('<div id="tender-summary"') and "<html" not in page
    assert "£120,000" in page
    assert "45</strong> Construction work" in page
    assert "makes this a <strong>works</strong> contract" in page and "Check the category" in page
    assert "Not CPV codes: 999" in page
    with authority_scope(world.a):
        assert not Tender.objects.exists()


def test_edit_a_draft_and_a_duplicate_reference(officer_client, world):
    first = build_tender(world, world.a)
    tender = build_tender(world, world.a)
    page = officer_client.get(url("tender-edit", tender.pk, world=world))
    assert page.status_code == 200 and 'value="79421000"' in body(page)
    response = officer_client.post(url("tender-edit", tender.pk, world=world), create_data(reference=first.reference))
    assert response.status_code == 422
    assert f"already has a tender with the reference {first.reference}" in body(response)
    response = officer_client.post(url("tender-edit", tender.pk, world=world), create_data(title="Renamed"))
    assert response.status_code == 303
    with authority_scope(world.a):
        assert Tender.objects.get(pk=tender.pk).title == "Renamed"


def test_a_published_tender_is_not_edited_directly(officer_client, world):
    tender = build_tender(world, world.a, published=True)
    page = officer_client.get(url("tender-edit", tender.pk, world=world))
    assert page.status_code == 200
    assert "This tender has been published" in body(page) and "Amend the tender" in body(page)
    assert officer_client.post(url("tender-edit", tender.pk, world=world), create_data()).status_code == 409
    with authority_scope(world.a):
        question = tender.questions.first()
    assert officer_client.post(url("question-remove", question.pk, world=world)).status_code == 409
    with authority_scope(world.a):
        assert Question.objects.filter(pk=question.pk).exists()


# Weightings -------------------------------------------------------------------------------------------------


def test_weightings_errors_and_justification(officer_client, world):
    tender = build_tender(world, world.a)
    weightings = url("tender-weightings", tender.pk, world=world)
    response = officer_client.post(
        weightings, {"price_weight": "60", "quality_weight": "25", "social_value_weight": "10"}
    )
    assert response.status_code == 422
    assert "The weightings must total 100%. They total 95%." in body(response)
    response = officer_client.post(
        weightings, {"price_weight": "50", "quality_weight": "10", "social_value_weight": "40"}
    )
    assert response.status_code == 422
    page = body(response)
    assert (
        "Explain why the social value weighting of 40% is outside Authority A Borough Council&#x27;s band of 10% to 30%"
        in page
    )
    assert 'href="#id_weighting_justification"' in page
    response = officer_client.post(
        weightings,
        {
            "price_weight": "50",
            "quality_weight": "10",
            "social_value_weight": "40",
            "weighting_justification": "Local jobs are the council's first priority.",
        },
    )
    assert response.status_code == 303
    page = body(officer_client.get(url("tender-detail", tender.pk, world=world)))
    assert "Outside the 10–30% band" in page and "Local jobs are the council&#x27;s first priority." in page


def test_weightings_live_total(officer_client, world):
    tender = build_tender(world, world.a)
    response = officer_client.post(
        url("tender-weightings", tender.pk, world=world),
        {"action": "total", "price_weight": "50", "quality_weight": "1", "social_value_weight": "4"},
        headers={"HX-Request": "true"},
    )
    page = body(response)
    assert response.status_code == 200 and page.lstrip().startswith('<div id="weightings-live-total"')
    assert "Total: <strong>55%</strong>" in page and "outside the 10–30% band" in page


# Relevant measures, questions, lots -------------------------------------------------------------------------


def test_choose_a_measure_and_say_why(officer_client, world):
    _, version = build_charter(world, world.a, title="Charter with a large-contract measure", measures_per_outcome=2)
    measures = charter_measures(world.a, version)
    with authority_scope(world.a):
        charter_services.item_update(
            item=measures[3], acting_user=world.user(world.a, Role.COMMISSIONER), min_contract_value=Decimal("1000000")
        )
    adopt_without_consultation(world, world.a, version)
    officer_client.post(url("tender-create", world=world), create_data())
    with authority_scope(world.a):
        tender = Tender.objects.get(reference="NBC-2026-014")
    choose = body(officer_client.get(url("relevant-measure-add", tender.pk, world=world)))
    assert f'Choose<span class="govuk-visually-hidden"> {measures[0].code}' in choose
    assert "Not available for a contract of this value" in choose
    assert (
        f"<strong>{measures[3].code}</strong> {measures[3].title}: applies to contracts of £1,000,000 or more" in choose
    )
    form_url = url("relevant-measure-add", tender.pk, world=world)
    form = officer_client.get(form_url, {"measure": measures[0].pk})
    assert form.status_code == 200 and "Why is this measure relevant to what is bought?" in body(form)
    bad = officer_client.post(form_url, {"measure": measures[0].pk, "quantity_kind": "target", "weight": "0"})
    assert bad.status_code == 422
    assert "Enter why this measure is relevant to what is bought" in body(bad)
    assert "The weight within social value must be more than 0%" in body(bad)
    hidden = officer_client.post(
        form_url, {"measure": measures[3].pk, "reason": "Because", "quantity_kind": "target", "weight": "100"}
    )
    assert hidden.status_code == 422 and "applies to contracts of £1,000,000 or more" in body(hidden)
    good = officer_client.post(
        form_url,
        {
            "measure": measures[0].pk,
            "reason": "Cleaning is local work",
            "quantity_kind": "minimum",
            "quantity": "4",
            "weight": "100",
        },
    )
    assert good.status_code == 303
    page = body(officer_client.get(url("tender-detail", tender.pk, world=world)))
    assert "Cleaning is local work" in page and "Minimum: 4 full-time equivalent jobs (FTE)" in page
    choose = body(officer_client.get(url("relevant-measure-add", tender.pk, world=world)))
    assert "Chosen" in choose


def test_measure_from_another_authority_or_unknown_answers_404(officer_client, world):
    tender = build_tender(world, world.a)
    other = adopted_test_charter(world, world.b)
    with authority_scope(world.b):
        foreign = other.measures.first()
    form_url = url("relevant-measure-add", tender.pk, world=world)
    assert officer_client.get(form_url, {"measure": foreign.pk}).status_code == 404
    assert officer_client.get(form_url, {"measure": "x"}).status_code == 404
    assert officer_client.get(form_url, {"lot": "999999"}).status_code == 404


def test_edit_and_remove_a_relevant_measure(officer_client, world):
    tender = build_tender(world, world.a)
    with authority_scope(world.a):
        item = RelevantMeasure.objects.filter(tender=tender).first()
    edit = url("relevant-measure-edit", item.pk, world=world)
    assert officer_client.post(edit, {"reason": "", "quantity_kind": "target", "weight": "60"}).status_code == 422
    assert (
        officer_client.post(edit, {"reason": "New reason", "quantity_kind": "target", "weight": "60"}).status_code
        == 303
    )
    remove = url("relevant-measure-remove", item.pk, world=world)
    assert "Are you sure you want to remove" in body(officer_client.get(remove))
    assert officer_client.post(remove).status_code == 303
    with authority_scope(world.a):
        assert not RelevantMeasure.objects.filter(pk=item.pk).exists()
    page = body(officer_client.get(url("tender-detail", tender.pk, world=world)))
    assert "Must total 100%" in page


def test_add_a_question(officer_client, world):
    tender = build_tender(world, world.a)
    add = url("question-add", tender.pk, world=world)
    assert re.search(r'value="social_value"[^>]*checked', body(officer_client.get(add, {"kind": "social_value"})))
    bad = officer_client.post(
        add,
        {
            "kind": "quality",
            "text": "",
            "word_limit": "10",
            "weight": "",
            "scale_max": "10",
            "scale_descriptors": "Poor",
        },
    )
    assert bad.status_code == 422
    page = body(bad)
    assert "Enter the question" in page and "The word limit must be at least 50 words" in page
    assert "Enter the weight within its part" in page
    good = officer_client.post(
        add,
        {"kind": "quality", "text": "How will you train staff?", "word_limit": "300", "weight": "50", "scale_max": "5"},
    )
    assert good.status_code == 303
    page = body(officer_client.get(url("tender-detail", tender.pk, world=world)))
    assert "How will you train staff?" in page and "weights total 150%" in page


def test_lots(officer_client, world):
    tender = build_tender(world, world.a)
    add = url("lot-add", tender.pk, world=world)
    bad = officer_client.post(add, {"title": "North", "estimated_value": "-5", "price_weight": "50"})
    assert bad.status_code == 422
    assert "The lot&#x27;s estimated value must be more than £0" in body(bad)
    bad = officer_client.post(add, {"title": "North", "estimated_value": "5000", "price_weight": "50"})
    assert "Enter all three weightings for the lot, or none to use the tender&#x27;s" in body(bad)
    assert officer_client.post(add, {"title": "North", "estimated_value": "5000"}).status_code == 303
    with authority_scope(world.a):
        lot = Lot.objects.get(tender=tender)
    assert "Lot 1: North" in body(officer_client.get(url("tender-detail", tender.pk, world=world)))
    edit = officer_client.post(
        url("lot-edit", lot.pk, world=world),
        {
            "title": "North",
            "estimated_value": "5000",
            "price_weight": "50",
            "quality_weight": "30",
            "social_value_weight": "20",
        },
    )
    assert edit.status_code == 303
    choose = body(officer_client.get(url("relevant-measure-add", tender.pk, world=world), {"lot": lot.pk}))
    assert "Choose relevant measures for lot 1" in choose
    assert officer_client.post(url("lot-remove", lot.pk, world=world)).status_code == 303
    with authority_scope(world.a):
        assert not Lot.objects.filter(tender=tender).exists()


# Publication, amendment, cancellation -----------------------------------------------------------------------


def test_publish_refused_then_published(officer_client, world):
    officer_client.post(url("tender-create", world=world), create_data())
    with authority_scope(world.a):
        tender = Tender.objects.get(reference="NBC-2026-014")
    publish = url("tender-publish", tender.pk, world=world)
    page = officer_client.get(publish)
    assert page.status_code == 200 and "This tender cannot be published yet" in body(page)
    refused = officer_client.post(publish)
    assert refused.status_code == 422
    assert "Choose at least one relevant measure from the charter." in body(refused)
    assert f'href="{url("tender-detail", tender.pk, world=world)}#relevant-measures"' in body(refused)
    ready = build_tender(world, world.a)
    page = body(officer_client.get(url("tender-publish", ready.pk, world=world)))
    assert "is above the £207,720 threshold" in page and "I confirm the shorter" not in page
    response = officer_client.post(url("tender-publish", ready.pk, world=world))
    assert response.status_code == 303
    page = body(officer_client.get(response["Location"]))
    assert "has been published" in page and "Amend the tender" in page
    assert "pinned at publication" in page


def test_short_period_needs_the_checkbox(officer_client, world):
    tender = build_tender(world, world.a, submission_days=12, clarification_days=5)
    publish = url("tender-publish", tender.pk, world=world)
    page = body(officer_client.get(publish))
    assert "The Procurement Act 2023 sets a minimum of 25 days for electronic tenders in an open procedure" in page
    assert "I confirm the shorter tender period is allowed" in page
    refused = officer_client.post(publish)
    assert refused.status_code == 422 and "Confirm that the shorter period is allowed to publish" in body(refused)
    assert officer_client.post(publish, {"confirm_short_period": "on"}).status_code == 303
    with authority_scope(world.a):
        assert Tender.objects.get(pk=tender.pk).status == TenderStatus.PUBLISHED


def test_amend_a_published_tender(officer_client, world):
    tender = build_tender(world, world.a, published=True)
    amend = url("tender-amend", tender.pk, world=world)
    page = officer_client.get(amend)
    assert page.status_code == 200 and "Deadlines can only be extended" in body(page)
    deadline = timezone.localtime(tender.submission_deadline)
    later = deadline + timedelta(days=7)
    clarification = timezone.localtime(tender.clarification_deadline)
    data = {
        "title": tender.title,
        "description": tender.description,
        "contract_term_months": "36",
        "contact_name": tender.contact_name,
        "contact_email": tender.contact_email,
        "clarification_deadline_date_day": clarification.day,
        "clarification_deadline_date_month": clarification.month,
        "clarification_deadline_date_year": clarification.year,
        "clarification_deadline_time": f"{clarification:%H:%M}",
        "submission_deadline_date_day": later.day,
        "submission_deadline_date_month": later.month,
        "submission_deadline_date_year": later.year,
        "submission_deadline_time": "5:30pm",
        "reason": "",
    }
    response = officer_client.post(amend, data)
    assert response.status_code == 422 and "Enter why the tender is being amended" in body(response)
    earlier = deadline - timedelta(days=2)
    response = officer_client.post(
        amend,
        data
        | {
            "reason": "Shorter",
            "submission_deadline_date_day": earlier.day,
            "submission_deadline_date_month": earlier.month,
            "submission_deadline_date_year": earlier.year,
        },
    )
    assert response.status_code == 422
    assert "The submission deadline can only be extended after publication" in body(response)
    response = officer_client.post(amend, data | {"reason": "More time for small providers"})
    assert response.status_code == 303
    with authority_scope(world.a):
        amendment = Amendment.objects.get(tender=tender)
    assert list(amendment.changes) == ["submission_deadline"]
    page = body(officer_client.get(url("tender-detail", tender.pk, world=world)))
    assert "More time for small providers" in page
    assert f"5:30pm {later:%Z} on {later.day} {later:%B %Y}" in page


def test_amend_page_for_a_draft_says_to_change_it_directly(officer_client, world):
    tender = build_tender(world, world.a)
    page = officer_client.get(url("tender-amend", tender.pk, world=world))
    assert page.status_code == 200 and "A draft is changed directly" in body(page)


def test_cancel(officer_client, world):
    tender = build_tender(world, world.a)
    cancel = url("tender-cancel", tender.pk, world=world)
    assert officer_client.post(cancel, {"reason": ""}).status_code == 422
    assert officer_client.post(cancel, {"reason": "No longer needed"}).status_code == 303
    page = body(officer_client.get(url("tender-detail", tender.pk, world=world)))
    assert "Cancelled: No longer needed" in page
    assert officer_client.get(url("tender-publish", tender.pk, world=world)).status_code == 200
    assert officer_client.post(url("tender-publish", tender.pk, world=world)).status_code == 409


# Query counts -----------------------------------------------------------------------------------------------


def _count(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow(officer_client, world, django_assert_max_num_queries):
    build_tender(world, world.a)
    build_tender(world, world.a, published=True)
    small = _count(officer_client, url("tender-list", world=world))
    for _ in range(6):
        build_tender(world, world.a, lots=2)
    with django_assert_max_num_queries(small):
        officer_client.get(url("tender-list", world=world))
    assert small <= 15


def test_tender_page_queries_do_not_grow(officer_client, world, django_assert_max_num_queries):
    from tenders import services

    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    small_published = _count(
        officer_client, url("tender-detail", build_tender(world, world.a, published=True).pk, world=world)
    )
    small_draft = _count(officer_client, url("tender-detail", build_tender(world, world.a).pk, world=world))
    big_published = build_tender(world, world.a, published=True, lots=4)
    big_draft = build_tender(world, world.a, lots=4)
    with authority_scope(world.a):
        for number in range(3):
            services.tender_amend(
                tender=big_published,
                acting_user=officer,
                reason=f"Amendment {number}",
                submission_deadline=big_published.submission_deadline + timedelta(days=number + 1),
            )
        for number in range(5):
            services.question_add(
                tender=big_draft, acting_user=officer, kind="quality", text=f"Question {number}", weight=Decimal("10")
            )
    with django_assert_max_num_queries(small_published):
        officer_client.get(url("tender-detail", big_published.pk, world=world))
    with django_assert_max_num_queries(small_draft):
        officer_client.get(url("tender-detail", big_draft.pk, world=world))
    assert small_draft <= 30
