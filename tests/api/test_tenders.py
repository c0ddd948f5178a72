"""Tenders and clarification questions over the API: public reads hide drafts and cancelled tenders, filters and
ordering, staff reads with drafts, officers' writes through the services, bad input refused with its field and
nothing changed, isolation between authorities, the role truth table of every write, and fixed query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from tenders import clarifications, services
from tenders.models import Amendment, Clarification, Lot, Question, RelevantMeasure, Tender, TenderStatus
from tests.tenders.factories import adopted_test_charter, build_tender, charter_measures

from .conftest import as_user, assert_error


@pytest.fixture
def api(api):
    api.default_format = "json"  # every body here is JSON
    return api


def base(authority):
    return f"/api/v1/authorities/{authority.slug}"


def _cancel(world, tender):
    with authority_scope(tender.authority):
        services.tender_cancel(
            tender=tender, acting_user=world.user(tender.authority, Role.PROCUREMENT_OFFICER), reason="Not needed"
        )


@pytest.fixture
def tenders(world):
    """In A: a draft, an open tender (works, £900,000, CPV 45), a closed one and a cancelled one. In B: an open one."""
    cancelled = build_tender(world, world.a, published=True, reference="A-CANCELLED", title="Cancelled work")
    _cancel(world, cancelled)
    return {
        "draft": build_tender(world, world.a, reference="A-DRAFT", title="Draft work"),
        "open": build_tender(
            world,
            world.a,
            published=True,
            reference="A-OPEN",
            title="Resurfacing roads",
            category="works",
            value="900000",
            cpv_codes=("45233222",),
            submission_days=40,
        ),
        "closed": build_tender(world, world.a, closed=True, reference="A-CLOSED", title="Closed work"),
        "cancelled": cancelled,
        "b_open": build_tender(world, world.b, published=True, reference="B-OPEN", title="B's tender"),
    }


def _references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["results"]]


# Public reads ---------------------------------------------------------------------------------------------------


def test_public_list_shows_what_the_public_list_shows(world, api, tenders):
    # Open first, closing soonest; then closed. Never drafts, cancelled tenders or another authority's.
    assert _references(api.get(f"{base(world.a)}/tenders/")) == ["A-OPEN", "A-CLOSED"]
    body = api.get(f"{base(world.a)}/tenders/").json()
    first = body["results"][0]
    assert first["status"] == "published" and first["authority"] == world.a.slug
    assert first["estimated_value"] == "900000.00" and first["value_including_vat"] == "1080000.00"
    assert [c["code"] for c in first["cpv_codes"]] == ["45233222"]
    assert _references(api.get(f"{base(world.b)}/tenders/")) == ["B-OPEN"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=published", ["A-OPEN"]),
        ("status=closed", ["A-CLOSED"]),
        ("category=works", ["A-OPEN"]),
        ("cpv_division=79", ["A-CLOSED"]),
        ("value_min=500000", ["A-OPEN"]),
        ("value_max=500000", ["A-CLOSED"]),
        ("keyword=resurfacing", ["A-OPEN"]),
        ("ordering=-reference", ["A-OPEN", "A-CLOSED"]),
        ("ordering=estimated_value", ["A-CLOSED", "A-OPEN"]),
    ],
)
def test_public_list_filters_and_ordering(world, api, tenders, query, expected):
    assert _references(api.get(f"{base(world.a)}/tenders/?{query}")) == expected


def test_closing_date_filters(world, api, tenders):
    deadline = timezone.localdate(tenders["open"].submission_deadline)
    after = api.get(f"{base(world.a)}/tenders/?closing_after={deadline.isoformat()}")
    assert _references(after) == ["A-OPEN"]
    before = api.get(f"{base(world.a)}/tenders/?closing_before={(deadline - timedelta(days=1)).isoformat()}")
    assert _references(before) == ["A-CLOSED"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("value_min=lots", "value_min"),
        ("value_min=10&value_max=5", "value_max"),
        ("closing_after=2027-03-02&closing_before=2027-03-01", "closing_before"),
        ("closing_after=tomorrow", "closing_after"),
        ("cpv_division=7", "cpv_division"),
        ("category=spaceships", "category"),
        ("status=draft", "status"),
        ("ordering=secret", "ordering"),
    ],
)
def test_bad_filters_answer_400_with_the_field(world, api, tenders, query, field):
    assert_error(api.get(f"{base(world.a)}/tenders/?{query}"), 400, field=field)


def test_the_range_rule_is_the_public_pages_rule(world, api, tenders):
    body = assert_error(api.get(f"{base(world.a)}/tenders/?value_min=10&value_max=5"), 400, field="value_max")
    assert body["errors"]["value_max"] == ["The highest value must be the same as or more than the lowest value"]


def test_platform_list_crosses_authorities(world, api, tenders):
    assert set(_references(api.get("/api/v1/tenders/"))) == {"A-OPEN", "A-CLOSED", "B-OPEN"}
    assert _references(api.get(f"/api/v1/tenders/?authority={world.b.slug}")) == ["B-OPEN"]
    assert _references(api.get("/api/v1/tenders/?status=published&ordering=reference")) == ["A-OPEN", "B-OPEN"]
    assert_error(api.get("/api/v1/tenders/?include_drafts=true&status=draft"), 400, field="status")


def test_public_detail_in_full(world, api, tenders):
    tender = tenders["open"]
    with authority_scope(world.a):
        services.tender_amend(
            tender=Tender.objects.get(pk=tender.pk),
            acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER),
            reason="More time for bidders",
            submission_deadline=tender.submission_deadline + timedelta(days=2),
        )
    body = api.get(f"{base(world.a)}/tenders/{tender.pk}/").json()
    assert body["reference"] == "A-OPEN" and body["status"] == "published" and body["is_open"] is True
    assert (body["price_weight"], body["quality_weight"], body["social_value_weight"]) == (60, 30, 10)
    measures = body["relevant_measures"]
    assert [m["weight"] for m in measures] == ["60.00", "40.00"]
    assert all(m["reason"].startswith("The contract employs people locally") for m in measures)
    assert [q["kind"] for q in body["questions"]] == ["quality", "social_value"]
    assert body["threshold_explanation"]
    assert body["reporting"]["label"]
    (amendment,) = body["amendments"]
    assert amendment["reason"] == "More time for bidders" and amendment["changes"][0].startswith("Submission deadline")
    # What only staff read is not in the public body.
    assert body["offers"] is None and body["publish_blockers"] is None and body["cancelled_reason"] is None


def test_lots_in_the_detail(world, api):
    tender = build_tender(world, world.a, published=True, lots=2, reference="LOTS")
    lots = api.get(f"{base(world.a)}/tenders/{tender.pk}/").json()["lots"]
    assert [lot["number"] for lot in lots] == [1, 2]
    assert [len(lot["relevant_measures"]) for lot in lots] == [2, 2]
    assert lots[0]["relevant_measures"][0]["lot_number"] == 1


def test_drafts_and_cancelled_tenders_are_not_public(world, api, tenders):
    for user in (None, world.resident, world.supplier_both_user, world.user(world.b, Role.ADMIN)):
        as_user(api, user)
        for name in ("draft", "cancelled"):
            assert_error(api.get(f"{base(world.a)}/tenders/{tenders[name].pk}/"), 404)
        # A's published tender under B's slug is not B's.
        assert_error(api.get(f"{base(world.b)}/tenders/{tenders['open'].pk}/"), 404)


# Staff reads ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_reads_drafts(world, api, tenders, role):
    as_user(api, world.user(world.a, role))
    listed = _references(api.get(f"{base(world.a)}/tenders/?include_drafts=true"))
    assert set(listed) == {"A-DRAFT", "A-OPEN", "A-CLOSED", "A-CANCELLED"}
    assert _references(api.get(f"{base(world.a)}/tenders/?include_drafts=true&status=draft")) == ["A-DRAFT"]
    draft = api.get(f"{base(world.a)}/tenders/{tenders['draft'].pk}/").json()
    assert draft["status"] == "draft" and draft["publish_blockers"] == []
    assert draft["offers"] == {"count": 0, "deadline_passed": False, "opened": False}
    assert api.get(f"{base(world.a)}/tenders/{tenders['cancelled'].pk}/").json()["cancelled_reason"] == "Not needed"


def test_drafts_are_refused_to_others(world, api, tenders):
    assert_error(api.get(f"{base(world.a)}/tenders/?include_drafts=true"), 401)
    for user in (world.resident, world.user(world.b, Role.ADMIN)):
        as_user(api, user)
        assert_error(api.get(f"{base(world.a)}/tenders/?include_drafts=true"), 404)


# Officers' writes -----------------------------------------------------------------------------------------------


def test_officer_builds_and_publishes_a_tender(world, api):
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    as_user(api, officer)
    url = base(world.a)
    now = timezone.now()
    created = api.post(
        f"{url}/tenders/",
        {
            "reference": "API-1",
            "title": "Grounds maintenance",
            "category": "services",
            "estimated_value": "300000",
            "cpv_codes": ["77314000"],
            "contract_term_months": 24,
            "submission_deadline": (now + timedelta(days=40)).isoformat(),
            "clarification_deadline": (now + timedelta(days=30)).isoformat(),
            "contact_name": "Pat",
            "contact_email": "pat@example.org",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    tender = created.json()
    assert tender["status"] == "draft" and tender["publish_blockers"]
    tender_url = f"{url}/tenders/{tender['id']}"

    changed = api.patch(f"{tender_url}/", {"description": "Parks and verges."}, format="json")
    assert changed.status_code == 200 and changed.json()["description"] == "Parks and verges."
    weights = {"price_weight": 50, "quality_weight": 30, "social_value_weight": 20}
    assert api.put(f"{tender_url}/weightings/", weights, format="json").json()["social_value_weight"] == 20

    measures = charter_measures(world.a, adopted_test_charter(world, world.a))
    for measure, weight in ((measures[0], "70"), (measures[1], "30")):
        added = api.post(
            f"{tender_url}/relevant-measures/",
            {"charter_measure_id": measure.pk, "reason": "Local jobs follow the work.", "weight": weight},
            format="json",
        )
        assert added.status_code == 201, added.content
        assert added.json()["code"] == measure.code
    relevant_id = added.json()["id"]
    edited = api.patch(f"{url}/relevant-measures/{relevant_id}/", {"quantity": "3"}, format="json")
    assert edited.status_code == 200 and edited.json()["quantity"] == "3.00" and edited.json()["weight"] == "30.00"
    for kind in ("quality", "social_value"):
        question = api.post(
            f"{tender_url}/questions/", {"kind": kind, "text": f"A {kind} question?", "weight": "100"}, format="json"
        )
        assert question.status_code == 201, question.content
    renamed = api.patch(f"{url}/tender-questions/{question.json()['id']}/", {"word_limit": 300}, format="json")
    assert renamed.status_code == 200 and renamed.json()["word_limit"] == 300
    lot = api.post(f"{tender_url}/lots/", {"title": "North", "estimated_value": "100000"}, format="json")
    assert lot.status_code == 201 and lot.json()["number"] == 1
    assert api.delete(f"{url}/tender-lots/{lot.json()['id']}/").status_code == 204

    published = api.post(f"{tender_url}/publish/", {}, format="json")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published" and published.json()["charter_version_id"]
    assert_error(api.patch(f"{tender_url}/", {"title": "Too late"}, format="json"), 409)
    assert_error(api.delete(f"{url}/relevant-measures/{relevant_id}/"), 409)

    amended = api.post(
        f"{tender_url}/amendments/", {"reason": "Clearer title", "title": "Grounds and parks"}, format="json"
    )
    assert amended.status_code == 201, amended.content
    assert amended.json()["changes"] == ["Title: Grounds maintenance → Grounds and parks"]
    cancelled = api.post(f"{tender_url}/cancel/", {"reason": "Budget withdrawn"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    with authority_scope(world.a):
        verbs = set(AuditEvent.objects.filter(actor=officer).values_list("verb", flat=True))
    assert {"tender.created", "tender.published", "tender.amended", "tender.cancelled"} <= verbs


def test_publication_refused_with_every_reason(world, api):
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    created = api.post(
        f"{base(world.a)}/tenders/",
        {"reference": "EMPTY", "title": "Empty", "category": "goods", "estimated_value": "1000"},
        format="json",
    ).json()
    body = assert_error(api.post(f"{base(world.a)}/tenders/{created['id']}/publish/", {}, format="json"), 409)
    assert body["detail"].startswith("This tender is not ready to publish.")
    with authority_scope(world.a):
        assert Tender.objects.get(pk=created["id"]).status == TenderStatus.DRAFT


def test_short_tender_period_needs_confirmation(world, api):
    tender = build_tender(world, world.a, reference="SHORT", submission_days=10, clarification_days=5)
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    url = f"{base(world.a)}/tenders/{tender.pk}/publish/"
    assert_error(api.post(url, {}, format="json"), 400, field="confirm_short_period")
    assert api.post(url, {"confirm_short_period": True}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "No reference", "category": "goods", "estimated_value": "10"}, "reference"),
        ({"reference": "X", "title": "", "category": "goods", "estimated_value": "10"}, "title"),
        ({"reference": "X", "title": "T", "category": "boats", "estimated_value": "10"}, "category"),
        ({"reference": "X", "title": "T", "category": "goods", "estimated_value": "0"}, "estimated_value"),
        (
            {"reference": "X", "title": "T", "category": "goods", "estimated_value": "10", "cpv_codes": ["1"]},
            "cpv_codes",
        ),
        ({"reference": "A-DRAFT", "title": "T", "category": "goods", "estimated_value": "10"}, "reference"),
    ],
)
def test_create_refuses_bad_input_and_creates_nothing(world, api, tenders, body, field):
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    with authority_scope(world.a):
        before = Tender.objects.count()
    assert_error(api.post(f"{base(world.a)}/tenders/", body, format="json"), 400, field=field)
    with authority_scope(world.a):
        assert Tender.objects.count() == before


def test_draft_writes_refuse_bad_input_and_change_nothing(world, api, tenders):
    draft = tenders["draft"]
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    url = f"{base(world.a)}/tenders/{draft.pk}"
    body = assert_error(
        api.put(f"{url}/weightings/", {"price_weight": 50, "quality_weight": 30, "social_value_weight": 30}), 400
    )
    assert "total 100%" in body["detail"]
    now = timezone.now()
    dates = {"clarification_deadline": (now + timedelta(days=9)).isoformat(), "submission_deadline": now.isoformat()}
    assert_error(api.patch(f"{url}/", dates, format="json"), 400, field="clarification_deadline")
    assert_error(
        api.post(f"{url}/relevant-measures/", {"charter_measure_id": 999999, "reason": "r", "weight": "5"}),
        400,
        field="charter_measure_id",
    )
    with authority_scope(world.a):
        measure = charter_measures(world.a, adopted_test_charter(world, world.a))[0]
    duplicate = {"charter_measure_id": measure.pk, "reason": "Again", "weight": "5"}
    assert_error(api.post(f"{url}/relevant-measures/", duplicate), 400, field="charter_measure_id")
    assert_error(api.post(f"{url}/questions/", {"kind": "quality", "text": "", "weight": "5"}), 400, field="text")
    assert_error(
        api.post(f"{url}/questions/", {"kind": "quality", "text": "Q", "weight": "5", "word_limit": 10}),
        400,
        field="word_limit",
    )
    assert_error(api.post(f"{url}/lots/", {"title": "L", "estimated_value": "0"}), 400, field="estimated_value")
    assert_error(api.post(f"{url}/cancel/", {"reason": ""}), 400, field="reason")
    with authority_scope(world.a):
        tender = Tender.objects.get(pk=draft.pk)
        assert (tender.price_weight, tender.status) == (60, TenderStatus.DRAFT)
        assert RelevantMeasure.objects.filter(tender=tender).count() == 2
        assert Question.objects.filter(tender=tender).count() == 2
        assert not Lot.objects.filter(tender=tender).exists()


def test_amendments_only_extend_deadlines(world, api, tenders):
    tender = tenders["open"]
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    earlier = (tender.submission_deadline - timedelta(days=1)).isoformat()
    url = f"{base(world.a)}/tenders/{tender.pk}/amendments/"
    assert_error(api.post(url, {"reason": "x", "submission_deadline": earlier}), 400, field="submission_deadline")
    assert_error(api.post(url, {"title": "No reason"}), 400, field="reason")
    assert_error(api.post(f"{base(world.a)}/tenders/{tenders['draft'].pk}/amendments/", {"reason": "x"}), 409)
    with authority_scope(world.a):
        assert not Amendment.objects.filter(tender=tender).exists()


# The role truth table and isolation -----------------------------------------------------------------------------


def _write_requests(world, authority, tenders):
    draft, published = tenders["draft"], tenders["open"]
    with authority_scope(authority):
        relevant = RelevantMeasure.objects.filter(tender=draft).order_by("id").first()
        question = Question.objects.filter(tender=draft).order_by("id").first()
        lot = services.lot_add(
            tender=draft,
            acting_user=world.user(authority, Role.PROCUREMENT_OFFICER),
            title="Truth table lot",
            estimated_value=Decimal("1000"),
        )
        measure = charter_measures(authority, adopted_test_charter(world, authority))[-1]
    url = base(authority)
    weights = {"price_weight": 60, "quality_weight": 30, "social_value_weight": 10}
    return [
        (
            "post",
            f"{url}/tenders/",
            {"reference": "TT", "title": "T", "category": "goods", "estimated_value": "9"},
            201,
        ),
        ("patch", f"{url}/tenders/{draft.pk}/", {"title": "Renamed"}, 200),
        ("put", f"{url}/tenders/{draft.pk}/weightings/", weights, 200),
        ("post", f"{url}/tenders/{draft.pk}/lots/", {"title": "L", "estimated_value": "10"}, 201),
        (
            "post",
            f"{url}/tenders/{draft.pk}/relevant-measures/",
            {"charter_measure_id": measure.pk, "reason": "r", "weight": "5"},
            201,
        ),
        ("patch", f"{url}/relevant-measures/{relevant.pk}/", {"reason": "Why"}, 200),
        ("post", f"{url}/tenders/{draft.pk}/questions/", {"kind": "quality", "text": "Q?", "weight": "5"}, 201),
        ("patch", f"{url}/tender-questions/{question.pk}/", {"guidance": "g"}, 200),
        ("post", f"{url}/tenders/{published.pk}/amendments/", {"reason": "r", "title": "New title"}, 201),
        ("delete", f"{url}/tender-lots/{lot.pk}/", None, 204),
        ("delete", f"{url}/tender-questions/{question.pk}/", None, 204),
        ("delete", f"{url}/relevant-measures/{relevant.pk}/", None, 204),
        ("post", f"{url}/tenders/{draft.pk}/publish/", {}, 200),
        ("post", f"{url}/tenders/{published.pk}/cancel/", {"reason": "r"}, 200),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_write_truth_table(world, api, tenders, role):
    """Procurement officers (tenders.manage) may; every other role of the authority gets 403 and nothing changes."""
    as_user(api, world.user(world.a, role))
    allowed = has_permission({role}, "tenders.manage")
    requests = _write_requests(world, world.a, tenders)
    if allowed:
        # The changes above leave the draft unfit to publish (its weights no longer total 100%): publishing is
        # tested on its own.
        requests = [r for r in requests if not r[1].endswith("/publish/")]
    for method, path, body, success in requests:
        response = getattr(api, method)(path, body, format="json")
        if allowed:
            assert response.status_code == success, (method, path, response.content)
        else:
            assert_error(response, 403)
    if not allowed:
        with authority_scope(world.a):
            assert Tender.objects.get(pk=tenders["draft"].pk).title == "Draft work"
            assert Tender.objects.get(pk=tenders["open"].pk).status == TenderStatus.PUBLISHED


def test_writes_for_non_members_and_anonymous(world, api, tenders):
    requests = _write_requests(world, world.a, tenders)
    for user in (world.user(world.b, Role.PROCUREMENT_OFFICER), world.resident, world.supplier_both_user):
        as_user(api, user)
        for method, path, body, _ in requests:
            assert_error(getattr(api, method)(path, body, format="json"), 404)
    as_user(api, None)
    for method, path, body, _ in requests:
        assert_error(getattr(api, method)(path, body, format="json"), 401)


def test_other_authoritys_objects_under_own_slug_answer_404(world, api, tenders):
    as_user(api, world.user(world.b, Role.PROCUREMENT_OFFICER))
    for method, path, body, _ in _write_requests(world, world.a, tenders)[1:]:
        path = path.replace(f"/authorities/{world.a.slug}/", f"/authorities/{world.b.slug}/")
        assert_error(getattr(api, method)(path, body, format="json"), 404)
    with authority_scope(world.a):
        assert Tender.objects.get(pk=tenders["draft"].pk).title == "Draft work"


# Clarification questions ----------------------------------------------------------------------------------------


def test_clarifications_asked_answered_and_published(world, api, tenders):
    tender = tenders["open"]
    url = f"{base(world.a)}/tenders/{tender.pk}/clarifications/"
    as_user(api, world.supplier_both_user)
    asked = api.post(url, {"question": "Can Both Ways Ltd bid for one ward only?"}, format="json")
    assert asked.status_code == 201, asked.content
    assert asked.json()["is_published"] is False and asked.json()["organisation"] == "Both Ways Ltd"
    mine = api.get(f"{url}?mine=true").json()
    assert [c["id"] for c in mine["results"]] == [asked.json()["id"]]

    as_user(api, None)
    assert api.get(url).json()["count"] == 0
    as_user(api, world.user(world.a, Role.EVALUATOR))
    (waiting,) = api.get(url).json()["results"]
    assert waiting["asked_question"] == "Can Both Ways Ltd bid for one ward only?" and waiting["question"] == ""

    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    answer_url = f"{base(world.a)}/clarifications/{asked.json()['id']}/answer/"
    naming = {"published_question": "Can Both Ways Ltd bid for one ward?", "answer": "No."}
    assert_error(api.put(answer_url, naming, format="json"), 400, field="published_question")
    answered = api.put(answer_url, {"published_question": "Can a bidder offer for one ward?", "answer": "No."})
    assert answered.status_code == 200 and answered.json()["is_published"] is True

    as_user(api, None)
    (published,) = api.get(url).json()["results"]
    assert published == {
        "id": asked.json()["id"],
        "question": "Can a bidder offer for one ward?",
        "answer": "No.",
        "answered_at": published["answered_at"],
    }
    detail = api.get(f"{base(world.a)}/tenders/{tender.pk}/").json()
    assert [c["question"] for c in detail["clarifications"]] == ["Can a bidder offer for one ward?"]


def test_clarification_refusals(world, api, tenders):
    url = f"{base(world.a)}/tenders/{tenders['open'].pk}/clarifications/"
    assert_error(api.post(url, {"question": "Anyone?"}, format="json"), 401)
    as_user(api, world.resident)
    assert_error(api.post(url, {"question": "Not a supplier"}, format="json"), 403)
    as_user(api, world.supplier_both_user)
    assert_error(api.post(url, {"question": ""}, format="json"), 400, field="question")
    assert_error(
        api.post(url, {"question": "Q", "organisation_id": world.supplier_one.pk}), 400, field="organisation_id"
    )
    body = assert_error(
        api.post(f"{base(world.a)}/tenders/{tenders['closed'].pk}/clarifications/", {"question": "Q"}), 409
    )
    assert body["detail"] == "This tender is closed, so clarification questions can no longer be asked."
    assert_error(api.post(f"{base(world.a)}/tenders/{tenders['draft'].pk}/clarifications/", {"question": "Q"}), 404)
    with authority_scope(world.a):
        assert not Clarification.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_answer_truth_table(world, api, tenders, role):
    with authority_scope(world.a):
        clarification = clarifications.clarification_ask(
            tender=tenders["open"],
            acting_user=world.supplier_both_user,
            organisation=world.supplier_both,
            question="When?",
        )
    as_user(api, world.user(world.a, role))
    response = api.put(
        f"{base(world.a)}/clarifications/{clarification.pk}/answer/",
        {"published_question": "When?", "answer": "Soon."},
        format="json",
    )
    if has_permission({role}, "tenders.manage"):
        assert response.status_code == 200
    else:
        assert_error(response, 403)
    as_user(api, world.user(world.b, Role.PROCUREMENT_OFFICER))
    assert_error(
        api.put(
            f"{base(world.b)}/clarifications/{clarification.pk}/answer/", {"published_question": "x", "answer": "y"}
        ),
        404,
    )


# Query counts ---------------------------------------------------------------------------------------------------


def _grow(world, size):
    for number in range(size):
        build_tender(world, world.a, published=True, reference=f"Q{size}-{number}")
        build_tender(world, world.a, reference=f"QD{size}-{number}", cpv_codes=("79421000", "45233222"))


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff token"])
def test_tender_lists_read_a_fixed_number_of_queries(world, api, django_assert_max_num_queries, signed_in):
    paths = ["/api/v1/tenders/", f"{base(world.a)}/tenders/"]
    if signed_in:
        as_user(api, world.user(world.a, Role.ADMIN))
        api.get("/api/v1/authorities/")  # the token's first use notes the time: one write, not counted below
        paths.append(f"{base(world.a)}/tenders/?include_drafts=true")
    counts = {path: [] for path in paths}
    totals = {path: [] for path in paths}
    for size in (2, 6):
        _grow(world, size)
        for path in paths:
            with django_assert_max_num_queries(10) as captured:
                response = api.get(path)
            assert response.status_code == 200, response.content
            counts[path].append(len(captured.captured_queries))
            totals[path].append(response.json()["count"])
    for path in paths:
        assert totals[path][0] < totals[path][1], path
        assert counts[path][0] == counts[path][1], (path, counts[path])
