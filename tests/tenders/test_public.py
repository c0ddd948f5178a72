"""The public tender list (filters, order, pagination, query counts) and the public tender page."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority
from accounts.roles import Role
from accounts.scoping import authority_scope
from tenders import selectors
from tenders.models import (
    Amendment,
    Clarification,
    Lot,
    Question,
    QuestionKind,
    RelevantMeasure,
    Tender,
    TenderCategory,
    TenderStatus,
)
from tenders.services import tender_create_draft
from tests.charters.factories import adopt_without_consultation, build_charter
from tests.tenders.factories import build_tender

pytestmark = pytest.mark.django_db

LIST_URL = reverse("tenders:tender-list-public")


# Helpers ------------------------------------------------------------------------------------------------------


def public_tender(
    world,
    authority: Authority,
    *,
    reference: str,
    title: str = "Highway maintenance",
    status: str = TenderStatus.PUBLISHED,
    deadline: datetime | None = None,
    clarification_deadline: datetime | None = None,
    value: str = "250000",
    category: str = TenderCategory.SERVICES,
    cpv_codes=("79421000",),
    description: str = "Maintaining the borough's roads and footways.",
    charter_version=None,
    **fields,
) -> Tender:
    """A tender in the given status, made as a draft by the service and then moved on directly (publication is
    the intake's business; these tests are about what the public sees)."""
    now = timezone.now()
    deadline = deadline or now + timedelta(days=30)
    with authority_scope(authority):
        tender = tender_create_draft(
            authority=authority,
            acting_user=world.user(authority, Role.PROCUREMENT_OFFICER),
            reference=reference,
            title=title,
            description=description,
            category=category,
            estimated_value=Decimal(value),
            cpv_codes=list(cpv_codes),
            contact_name="Pat Procurement",
            contact_email=f"procurement@{authority.slug}.example.org",
            **fields,
        )
        published = status != TenderStatus.DRAFT
        Tender.objects.filter(pk=tender.pk).update(
            status=status,
            submission_deadline=deadline,
            clarification_deadline=clarification_deadline or (deadline - timedelta(days=7)),
            published_at=now - timedelta(days=5) if published else None,
            publish_at=now - timedelta(days=5) if published else None,
            charter_version=charter_version,
        )
        tender.refresh_from_db()
    return tender


def _references(response) -> list[str]:
    return [tender.reference for tender in response.context["tenders"]]


# The list -----------------------------------------------------------------------------------------------------


def test_only_published_and_closed_tenders_are_listed(client, world):
    public_tender(world, world.a, reference="OPEN-1")
    public_tender(world, world.a, reference="CLOSED-1", status=TenderStatus.CLOSED, deadline=timezone.now())
    public_tender(world, world.a, reference="DRAFT-1", status=TenderStatus.DRAFT)
    public_tender(world, world.b, reference="CANCELLED-1", status=TenderStatus.CANCELLED)
    response = client.get(LIST_URL, {"show": "all"})
    assert response.status_code == 200
    assert sorted(_references(response)) == ["CLOSED-1", "OPEN-1"]
    text = response.content.decode()
    assert "DRAFT-1" not in text and "CANCELLED-1" not in text


def test_open_for_bids_only_by_default_and_deadline_passed_counts_as_closed(client, world):
    now = timezone.now()
    public_tender(world, world.a, reference="OPEN-1")
    # Published, but the deadline has passed and nothing has recorded the closing yet: not open.
    public_tender(world, world.b, reference="LAPSED-1", deadline=now - timedelta(minutes=1))
    public_tender(world, world.b, reference="CLOSED-1", status=TenderStatus.CLOSED, deadline=now - timedelta(days=2))
    response = client.get(LIST_URL)
    assert _references(response) == ["OPEN-1"]
    assert re.search(r'value="open"[^>]*checked', response.content.decode())
    response = client.get(LIST_URL, {"show": "all"})
    assert _references(response) == ["OPEN-1", "LAPSED-1", "CLOSED-1"]


def test_sorted_by_closing_soonest_then_most_recently_closed(client, world):
    now = timezone.now()
    public_tender(world, world.a, reference="LATER", deadline=now + timedelta(days=40))
    public_tender(world, world.b, reference="SOONER", deadline=now + timedelta(days=3))
    public_tender(world, world.a, reference="CLOSED-OLD", status=TenderStatus.CLOSED, deadline=now - timedelta(days=9))
    public_tender(world, world.a, reference="CLOSED-NEW", status=TenderStatus.CLOSED, deadline=now - timedelta(days=1))
    response = client.get(LIST_URL, {"show": "all"})
    assert _references(response) == ["SOONER", "LATER", "CLOSED-NEW", "CLOSED-OLD"]


@pytest.fixture
def varied(world):
    """Tenders that differ in one respect each, for the filters."""
    now = timezone.now()
    public_tender(
        world,
        world.a,
        reference="ROADS-1",
        title="Highway resurfacing",
        category=TenderCategory.WORKS,
        value="900000",
        cpv_codes=["45000000"],
        deadline=now + timedelta(days=10),
    )
    public_tender(
        world,
        world.a,
        reference="CARE-1",
        title="Home care for older people",
        description="Domiciliary care in the east wards.",
        value="150000",
        cpv_codes=["85310000"],
        deadline=now + timedelta(days=20),
    )
    public_tender(
        world,
        world.b,
        reference="PM-1",
        title="Programme management",
        category=TenderCategory.SERVICES,
        value="60000",
        cpv_codes=["79421000"],
        deadline=now + timedelta(days=60),
    )
    public_tender(
        world,
        world.b,
        reference="OLD-1",
        title="Old highway study",
        status=TenderStatus.CLOSED,
        value="70000",
        cpv_codes=["79421000"],
        deadline=now - timedelta(days=3),
    )


def _dmy(day) -> dict:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def _date_params(name, day) -> dict:
    return {f"{name}_{part}": value for part, value in _dmy(day).items()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"authority": "authority-a"}, ["ROADS-1", "CARE-1"]),
        ({"authority": "authority-b"}, ["PM-1"]),
        ({"category": "works"}, ["ROADS-1"]),
        ({"value_min": "100000"}, ["ROADS-1", "CARE-1"]),
        ({"value_max": "£150,000"}, ["CARE-1", "PM-1"]),
        ({"value_min": "100000", "value_max": "200000"}, ["CARE-1"]),
        ({"cpv_division": "45"}, ["ROADS-1"]),
        ({"cpv_division": "79"}, ["PM-1"]),
        ({"keyword": "highway"}, ["ROADS-1"]),
        ({"keyword": "east wards"}, ["CARE-1"]),  # every word, in the description
        ({"keyword": "pm-1"}, ["PM-1"]),  # the reference
        ({"keyword": "highway", "show": "all"}, ["ROADS-1", "OLD-1"]),
        ({"authority": "authority-b", "show": "all"}, ["PM-1", "OLD-1"]),
        ({"authority": "authority-a", "category": "services", "value_max": "200000"}, ["CARE-1"]),
        ({"cpv_division": "79", "show": "all", "value_min": "65000"}, ["OLD-1"]),
    ],
)
def test_each_filter_alone_and_combined(client, varied, params, expected):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200, response.context["form"].errors
    assert _references(response) == expected


def test_closing_date_filters_include_both_days(client, varied):
    today = timezone.localdate()
    in_ten = today + timedelta(days=10)
    in_twenty = today + timedelta(days=20)
    response = client.get(LIST_URL, _date_params("closing_after", in_ten) | _date_params("closing_before", in_twenty))
    assert _references(response) == ["ROADS-1", "CARE-1"]
    response = client.get(LIST_URL, _date_params("closing_after", in_ten + timedelta(days=1)))
    assert _references(response) == ["CARE-1", "PM-1"]
    response = client.get(LIST_URL, _date_params("closing_before", in_twenty - timedelta(days=1)))
    assert _references(response) == ["ROADS-1"]


def test_filter_choices_list_authorities_and_divisions_with_public_tenders(client, world, varied):
    public_tender(world, world.a, reference="SECRET-DRAFT", status=TenderStatus.DRAFT, cpv_codes=["72000000"])
    choices = selectors.public_filter_choices()
    assert choices.authorities == [("authority-a", world.a.name), ("authority-b", world.b.name)]
    assert [division for division, _ in choices.divisions] == ["45", "79", "85"]
    assert dict(choices.divisions)["45"] == "Construction work (45)"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"value_min": "lots"}, "The lowest value must be an amount in pounds, like 50000"),
        ({"value_min": "-5"}, "The lowest value must be £0 or more"),
        ({"value_min": "9000", "value_max": "100"}, "The highest value must be the same as or more than the lowest"),
        ({"category": "spaceships"}, "Choose a category from the list"),
        ({"authority": "no-such-council"}, "Choose an authority from the list"),
        ({"closing_after_day": "31", "closing_after_month": "2", "closing_after_year": "2026"}, "must be a real date"),
    ],
)
def test_bad_filters_answer_422_with_the_error_summary_and_keep_the_input(client, varied, params, message):
    response = client.get(LIST_URL, {**params, "keyword": "care"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "There is a problem" in text and message in text
    assert text.count("<title>Error: ") == 1
    assert 'value="care"' in text
    # The valid filters still apply.
    assert _references(response) == ["CARE-1"]


def test_pagination_keeps_the_filters(client, world):
    now = timezone.now()
    for number in range(23):
        public_tender(world, world.a, reference=f"T-{number:02}", deadline=now + timedelta(days=number + 1))
    public_tender(world, world.b, reference="OTHER", deadline=now + timedelta(hours=1))
    first = client.get(LIST_URL, {"authority": "authority-a"})
    assert len(first.context["tenders"]) == selectors.PAGE_SIZE == 20
    assert first.context["page_obj"].paginator.count == 23
    text = first.content.decode()
    assert "authority=authority-a&amp;show=open&amp;page=2" in text or "authority=authority-a&amp;page=2" in text
    second = client.get(LIST_URL, {"authority": "authority-a", "page": "2"})
    assert _references(second) == ["T-20", "T-21", "T-22"]
    assert "23 open tenders matching the filters" in " ".join(second.content.decode().split())


def test_empty_states(client, world):
    response = client.get(LIST_URL)
    assert "No tender is open for bids at the moment." in response.content.decode()
    response = client.get(LIST_URL, {"keyword": "nothing"})
    assert "No tenders match these filters." in response.content.decode()


def test_the_list_runs_outside_any_authority_scope(client, world):
    # The page is platform-wide: a query that skipped the public selector would raise ScopeError here.
    public_tender(world, world.a, reference="OPEN-1")
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert f"/p/{world.a.slug}/tenders/" in response.content.decode()


def _count(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_list_query_count_is_the_same_at_5_and_50_tenders(client, world, signed_in):
    if signed_in:
        client.force_login(world.supplier_both_user)
        client.get(LIST_URL)  # the first request after signing in also touches the session
    now = timezone.now()

    def add(start, stop):
        for number in range(start, stop):
            authority = world.a if number % 2 else world.b
            public_tender(
                world,
                authority,
                reference=f"Q-{number}",
                cpv_codes=["79421000", "45000000"] if number % 3 else ["85310000"],
                deadline=now + timedelta(days=number + 1),
            )

    add(0, 5)
    small = _count(client)
    small_filtered = _count(client, {"keyword": "highway", "cpv_division": "79", "show": "all"})
    add(5, 50)
    assert _count(client) == small
    assert _count(client, {"keyword": "highway", "cpv_division": "79", "show": "all"}) == small_filtered
    assert small <= 8


# The tender page ----------------------------------------------------------------------------------------------


def _page_url(tender, authority=None) -> str:
    authority = authority or tender.authority
    return reverse("tenders:tender-public", kwargs={"authority_slug": authority.slug, "tender_id": tender.pk})


@pytest.fixture
def full_tender(world):
    """A published tender with everything a bidder reads: lots, measures from the adopted charter, questions, an
    amendment and clarifications (one answered, one waiting)."""
    _, version = build_charter(world, world.a, measures_per_outcome=2)
    adopt_without_consultation(world, world.a, version)
    version.refresh_from_db()
    tender = public_tender(
        world,
        world.a,
        reference="FULL-1",
        title="Youth employment programme",
        value="500000",
        cpv_codes=["79421000", "85310000"],
        charter_version=version,
        contract_term_months=36,
    )
    with authority_scope(world.a):
        Tender.objects.filter(pk=tender.pk).update(
            social_value_weight=40,
            price_weight=40,
            quality_weight=20,
            weighting_justification="Youth unemployment is our first priority.",
            threshold_assessment={"explanation": "£600,000 including VAT is above the £213,477 threshold."},
        )
        measures = list(version.measures.order_by("position", "id"))
        lot = Lot.objects.create(
            authority=world.a, tender=tender, number=1, title="East wards", estimated_value=Decimal("200000")
        )
        RelevantMeasure.objects.create(
            authority=world.a,
            tender=tender,
            charter_measure=measures[0],
            reason="Every placement is a local job.",
            quantity=Decimal("12"),
            quantity_kind="minimum",
            weight=Decimal("60"),
        )
        RelevantMeasure.objects.create(
            authority=world.a,
            tender=tender,
            charter_measure=measures[1],
            reason="Apprenticeships build skills.",
            weight=Decimal("40"),
        )
        RelevantMeasure.objects.create(
            authority=world.a,
            tender=tender,
            lot=lot,
            charter_measure=measures[2],
            reason="The east wards need jobs most.",
            quantity=Decimal("3"),
            weight=Decimal("100"),
        )
        Question.objects.create(
            authority=world.a,
            tender=tender,
            kind=QuestionKind.QUALITY,
            text="How will you run the programme?",
            guidance="Describe your staffing.",
            word_limit=750,
            weight=Decimal("100"),
        )
        Question.objects.create(
            authority=world.a,
            tender=tender,
            kind=QuestionKind.SOCIAL_VALUE,
            text="How will you recruit locally?",
            word_limit=500,
            weight=Decimal("100"),
        )
        Amendment.objects.create(
            authority=world.a,
            tender=tender,
            changes={"title": {"label": "Title", "before": "Youth programme", "after": "Youth employment programme"}},
            reason="A clearer title.",
        )
        Clarification.objects.create(
            authority=world.a,
            tender=tender,
            asked_by=world.supplier_both_user,
            organisation=world.supplier_both,
            question="Both Ways Ltd asks: can we subcontract?",
            published_question="Can bidders subcontract?",
            answer="Yes, up to 30% of the value.",
            answered_at=timezone.now(),
            answered_by=world.user(world.a, Role.PROCUREMENT_OFFICER),
        )
        Clarification.objects.create(
            authority=world.a,
            tender=tender,
            asked_by=world.supplier_one_user,
            organisation=world.supplier_one,
            question="Only A Services wonders about TUPE.",
        )
        tender.refresh_from_db()
    return tender


def test_tender_page_shows_everything_a_bidder_needs(client, world, full_tender):
    response = client.get(_page_url(full_tender))
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    for expected in (
        "Youth employment programme",
        "Open for bids",
        "£500,000 excluding VAT",
        "£600,000 including VAT at 20%",
        "36 months",
        "79421000 Project-management services other than for construction work",
        "Division 79: Business services",
        "Pat Procurement",
        "procurement@authority-a.example.org",
        "£600,000 including VAT is above the £213,477 threshold.",
        "Lot 1: East wards",
        "Youth unemployment is our first priority.",  # 40% is outside the 10–30% band
        "Every placement is a local job.",
        "Minimum: 12 full-time equivalent jobs (FTE)",
        "Measures for lot 1: East wards",
        "The east wards need jobs most.",
        "How will you run the programme?",
        "Describe your staffing.",
        "750 words",
        "100% of the quality score",
        "0 to 5",
        "Excellent: exceeds the requirement",
        "How will you recruit locally?",
        "A clearer title.",
        "Title: Youth programme → Youth employment programme",
        "Can bidders subcontract?",
        "Yes, up to 30% of the value.",
        "Ask a clarification question",
    ):
        assert expected in text, expected
    version = full_tender.charter_version
    assert reverse("charters:version-public", args=[world.a.slug, version.pk]) in text
    assert timezone.localtime(full_tender.submission_deadline).strftime("%Z") in ("GMT", "BST")
    assert f"{timezone.localtime(full_tender.submission_deadline):%Z} on" in text


def test_a_tender_published_through_the_intake_reads_as_kept_at_publication(client, world):
    tender = build_tender(world, world.a, published=True, lots=1)
    response = client.get(_page_url(tender))
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert tender.threshold_assessment["explanation"] in text.replace("&#x27;", "'")
    assert tender.threshold_assessment["reporting"]["explanation"] in text
    with authority_scope(world.a):
        lot = tender.lots.get()
        lot_measure = RelevantMeasure.objects.filter(lot=lot).first()
    assert f"Measures for lot 1: {lot.title}" in text
    assert lot_measure.reason in text
    assert reverse("charters:version-public", args=[world.a.slug, tender.charter_version_id]) in text
    assert "Tender test charter, version 1" in text


def test_tender_page_never_shows_who_asked_or_unanswered_questions(client, world, full_tender):
    text = client.get(_page_url(full_tender)).content.decode()
    for secret in ("Both Ways", "Only A Services", "Bo Bidder", "Oni Bidder", "can we subcontract", "TUPE"):
        assert secret not in text, secret


def test_drafts_and_cancelled_tenders_are_not_public(client, world):
    draft = public_tender(world, world.a, reference="DRAFT-1", status=TenderStatus.DRAFT)
    cancelled = public_tender(world, world.a, reference="CANCELLED-1", status=TenderStatus.CANCELLED)
    closed = public_tender(world, world.a, reference="CLOSED-1", status=TenderStatus.CLOSED)
    assert client.get(_page_url(draft)).status_code == 404
    assert client.get(_page_url(cancelled)).status_code == 404
    response = client.get(_page_url(closed))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Closed" in text and 'id="ask-question"' not in text
    assert "clarification questions can no longer be asked" in text


def test_a_tender_published_for_a_later_date_is_not_public_until_then(client, world):
    scheduled = public_tender(world, world.a, reference="LATER-1", cpv_codes=["45000000"])
    with authority_scope(world.a):
        Tender.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now() + timedelta(days=2))
    assert client.get(_page_url(scheduled)).status_code == 404
    assert _references(client.get(LIST_URL, {"show": "all"})) == []
    assert selectors.public_filter_choices() == selectors.PublicFilterChoices(authorities=[], divisions=[])
    later = timezone.now() + timedelta(days=3)
    assert selectors.public_filter_choices(now=later).authorities == [("authority-a", world.a.name)]
    page = selectors.tender_page_public(selectors.tender_list_public(now=later), now=later)
    assert [tender.reference for tender in page.object_list] == ["LATER-1"]


def test_another_authoritys_tender_under_this_slug_is_404(client, world):
    tender_b = public_tender(world, world.b, reference="B-1")
    assert client.get(_page_url(tender_b, world.b)).status_code == 200
    assert client.get(_page_url(tender_b, world.a)).status_code == 404
    assert client.get(f"/p/no-such-authority/tenders/{tender_b.pk}/").status_code == 404


def test_tender_page_without_lots_measures_or_answers(client, world):
    tender = public_tender(world, world.a, reference="BARE-1")
    text = client.get(_page_url(tender)).content.decode()
    assert "No measures have been chosen for this tender." in text
    assert "No clarification questions have been answered yet." in text
    assert "No quality questions." in text


def test_tender_page_query_count_does_not_grow(client, world, full_tender):
    client.force_login(world.supplier_both_user)
    client.get(_page_url(full_tender))  # the first request after signing in also touches the session
    with CaptureQueriesContext(connection) as small:
        client.get(_page_url(full_tender))
    with authority_scope(world.a):
        for number in range(10):
            Clarification.objects.create(
                authority=world.a,
                tender=full_tender,
                asked_by=world.supplier_both_user,
                organisation=world.supplier_both,
                question=f"Question {number}",
                published_question=f"Published {number}",
                answer="An answer",
                answered_at=timezone.now(),
            )
            Question.objects.create(
                authority=world.a, tender=full_tender, kind=QuestionKind.QUALITY, text=f"Q{number}", weight=1
            )
    with CaptureQueriesContext(connection) as large:
        client.get(_page_url(full_tender))
    assert len(large) == len(small)
