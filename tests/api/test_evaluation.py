"""Evaluations over the API: starting one and forming its panel, conflict declarations that keep offers hidden,
independent scores (each evaluator's own; anyone else's 404), moderation, results, awards and the pack; bad input,
isolation between authorities, the role truth tables and query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from evaluation import selectors
from evaluation.models import Award, Evaluation, EvaluationStatus, ModeratedScore, PanelMember, Score
from tests.evaluation.factories import (
    build_awarded,
    build_evaluation,
    build_opened_tender,
    moderate_everything,
    score_everything,
    second_evaluator,
)

from .conftest import as_user, assert_error


@pytest.fixture
def api(api):
    api.default_format = "json"  # every request body here is JSON
    return api


def base(authority):
    return f"/api/v1/authorities/{authority.slug}"


def _questions(evaluation):
    with authority_scope(evaluation.authority):
        return selectors.questions_for(evaluation.tender)


def _scores_body(questions, score="3", rationale="Meets the descriptors."):
    return {"scores": [{"question": q.pk, "score": score, "rationale": rationale} for q in questions]}


@pytest.fixture
def opened(world):
    tender, offers = build_opened_tender(world, world.a, bids=2)
    return tender, offers


@pytest.fixture
def evaluation(world, opened):
    """Started, two evaluators on the panel (the world's evaluator moderates), both declared no conflict."""
    tender, offers = opened
    evaluation, members = build_evaluation(world, tender)
    return evaluation, members, offers


# Starting, the panel and the moderator --------------------------------------------------------------------------


def test_officer_starts_an_evaluation_forms_the_panel_and_chooses_the_moderator(world, api, opened):
    tender, _ = opened
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    as_user(api, officer)
    url = base(world.a)
    response = api.post(f"{url}/evaluations/", {"tender": tender.pk, "commitments_share": "40"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "scoring" and body["commitments_share"] == "40.00" and body["panel"] == []
    evaluation_id = body["id"]

    for user in (world.user(world.a, Role.EVALUATOR), second_evaluator(world, world.a)):
        added = api.post(f"{url}/evaluations/{evaluation_id}/panel/", {"user": user.pk}, format="json")
        assert added.status_code == 201, added.content
        assert added.json()["declaration"] == "pending" and added.json()["may_see_offers"] is False
    panel = api.get(f"{url}/evaluations/{evaluation_id}/panel/").json()
    first = next(m for m in panel if m["user"]["id"] == world.user(world.a, Role.EVALUATOR).pk)
    chosen = api.put(f"{url}/evaluations/{evaluation_id}/moderator/", {"moderator": first["id"]}, format="json")
    assert chosen.status_code == 200, chosen.content
    detail = chosen.json()
    assert detail["moderator"]["id"] == world.user(world.a, Role.EVALUATOR).pk
    assert detail["panel_size"] == 2 and detail["members_still_scoring"] == 2
    assert [m["is_moderator"] for m in detail["panel"]].count(True) == 1

    listed = api.get(f"{url}/evaluations/").json()
    assert listed["count"] == 1 and listed["results"][0]["members_still_scoring"] == 2
    with authority_scope(world.a):
        assert AuditEvent.objects.filter(verb="evaluation.started").count() == 1
        assert AuditEvent.objects.filter(verb="evaluation.moderator_set").count() == 1


def test_start_and_panel_refuse_bad_input_and_change_nothing(world, api, opened):
    tender, _ = opened
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    url = base(world.a)
    assert_error(api.post(f"{url}/evaluations/", {}, format="json"), 400, field="tender")
    assert_error(api.post(f"{url}/evaluations/", {"tender": 999999}, format="json"), 400, field="tender")
    body = {"tender": tender.pk, "commitments_share": "150"}
    assert_error(api.post(f"{url}/evaluations/", body, format="json"), 400, field="commitments_share")
    body = {"tender": tender.pk, "tie_break": "coin"}
    assert_error(api.post(f"{url}/evaluations/", body, format="json"), 400, field="tie_break")
    with authority_scope(world.a):
        assert not Evaluation.objects.exists()

    evaluation_id = api.post(f"{url}/evaluations/", {"tender": tender.pk}, format="json").json()["id"]
    assert_error(api.post(f"{url}/evaluations/", {"tender": tender.pk}, format="json"), 409)
    admin = world.user(world.a, Role.ADMIN)
    refused = api.post(f"{url}/evaluations/{evaluation_id}/panel/", {"user": admin.pk}, format="json")
    assert "not on the panel yet" in assert_error(refused, 400, field="user")["errors"]["user"][0]
    assert_error(api.post(f"{url}/evaluations/{evaluation_id}/panel/", {"user": "x"}, format="json"), 400, field="user")
    moderator = api.put(f"{url}/evaluations/{evaluation_id}/moderator/", {"moderator": 999999}, format="json")
    assert_error(moderator, 400, field="moderator")
    with authority_scope(world.a):
        assert not PanelMember.objects.exists()
        assert Evaluation.objects.get(pk=evaluation_id).moderator_id is None


def test_a_tender_with_sealed_offers_cannot_be_evaluated(world, api):
    from tests.tenders.factories import build_tender

    tender = build_tender(world, world.a, closed=True)
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    body = assert_error(api.post(f"{base(world.a)}/evaluations/", {"tender": tender.pk}, format="json"), 400)
    assert "sealed" in body["errors"]["tender"][0]


# Conflicts of interest -------------------------------------------------------------------------------------------


def test_offers_stay_hidden_until_a_declared_interest_is_decided(world, api, opened):
    tender, offers = opened
    evaluation, members = build_evaluation(world, tender, declare=False)
    second = members[1]
    url = base(world.a)
    as_user(api, second.user)
    body = assert_error(api.get(f"{url}/panel-members/{second.pk}/scores/"), 403)
    assert "Declare any conflict of interest" in body["detail"]
    assert_error(api.get(f"{url}/panel-members/{second.pk}/scores/{offers[0].pk}/"), 403)

    declaration = api.get(f"{url}/panel-members/{second.pk}/declaration/").json()
    assert declaration["declaration"] == "pending" and declaration["bidders"] == ["Bidder 1 Ltd", "Bidder 2 Ltd"]
    missing = api.put(f"{url}/panel-members/{second.pk}/declaration/", {"has_interest": True}, format="json")
    assert_error(missing, 400, field="interest")
    assert_error(api.put(f"{url}/panel-members/{second.pk}/declaration/", {}, format="json"), 400, field="has_interest")
    declared = api.put(
        f"{url}/panel-members/{second.pk}/declaration/",
        {"has_interest": True, "interest": "My sister works for Bidder 2 Ltd."},
        format="json",
    )
    assert declared.status_code == 200 and declared.json()["declaration"] == "declared"
    assert_error(api.get(f"{url}/panel-members/{second.pk}/scores/"), 403)
    # Withdrawing a declared interest is the officer's decision, not the evaluator's.
    withdrawn = api.put(f"{url}/panel-members/{second.pk}/declaration/", {"has_interest": False}, format="json")
    assert_error(withdrawn, 400, field="has_interest")

    # The other evaluator cannot reach this member's declaration at all.
    as_user(api, members[0].user)
    assert_error(api.get(f"{url}/panel-members/{second.pk}/declaration/"), 404)
    assert_error(api.put(f"{url}/panel-members/{second.pk}/declaration/", {"has_interest": False}, format="json"), 404)
    # Nor does the panel show them the interest's text.
    panel = api.get(f"{url}/evaluations/{evaluation.pk}/panel/").json()
    assert next(m for m in panel if m["id"] == second.pk)["interest"] == ""

    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    as_user(api, officer)
    panel = api.get(f"{url}/evaluations/{evaluation.pk}/panel/").json()
    assert next(m for m in panel if m["id"] == second.pk)["interest"] == "My sister works for Bidder 2 Ltd."
    decide = f"{url}/panel-members/{second.pk}/decision/"
    assert_error(api.post(decide, {"decision": "allowed", "note": ""}, format="json"), 400, field="note")
    assert_error(api.post(decide, {"decision": "maybe", "note": "x"}, format="json"), 400, field="decision")
    with authority_scope(world.a):
        assert PanelMember.objects.get(pk=second.pk).decision == ""
    decided = api.post(decide, {"decision": "allowed", "note": "She does not score Bidder 2."}, format="json")
    assert decided.status_code == 200 and decided.json()["may_see_offers"] is True
    # A member with nothing declared has nothing to decide: 409.
    assert_error(api.post(f"{url}/panel-members/{members[0].pk}/decision/", {"decision": "allowed", "note": "x"}), 409)

    as_user(api, second.user)
    listed = api.get(f"{url}/panel-members/{second.pk}/scores/")
    assert listed.status_code == 200 and listed.json()["count"] == 2


# Independent scores ----------------------------------------------------------------------------------------------


def test_an_evaluator_scores_and_submits_their_own_scores(world, api, evaluation):
    evaluation, members, offers = evaluation
    member = members[0]
    questions = _questions(evaluation)
    url = base(world.a)
    as_user(api, member.user)
    listed = api.get(f"{url}/panel-members/{member.pk}/scores/").json()
    assert listed["count"] == 2
    assert {row["supplier"] for row in listed["results"]} == {"Bidder 1 Ltd", "Bidder 2 Ltd"}
    assert all(row["scored"] == 0 and row["questions"] == len(questions) for row in listed["results"])

    for offer in offers:
        saved = api.put(f"{url}/panel-members/{member.pk}/scores/{offer.pk}/", _scores_body(questions), format="json")
        assert saved.status_code == 200, saved.content
        assert saved.json()["scored"] == len(questions)
        assert saved.json()["scores"][0]["score"] == "3.0"
    one = api.get(f"{url}/panel-members/{member.pk}/scores/{offers[0].pk}/").json()
    assert [s["question_id"] for s in one["scores"]] == [q.pk for q in questions]

    submitted = api.post(f"{url}/panel-members/{member.pk}/submission/")
    assert submitted.status_code == 200 and submitted.json()["scores_submitted_at"]
    # Submitted: the scores change only through moderation.
    again = api.put(
        f"{url}/panel-members/{member.pk}/scores/{offers[0].pk}/", _scores_body(questions, "1"), format="json"
    )
    assert "only through moderation" in assert_error(again, 409)["detail"]
    assert_error(api.post(f"{url}/panel-members/{member.pk}/submission/"), 409)
    with authority_scope(world.a):
        assert set(Score.objects.filter(panel_member=member).values_list("score", flat=True)) == {3}


def test_scores_refuse_bad_input_and_change_nothing(world, api, evaluation):
    evaluation, members, offers = evaluation
    member = members[0]
    questions = _questions(evaluation)
    path = f"{base(world.a)}/panel-members/{member.pk}/scores/{offers[0].pk}/"
    as_user(api, member.user)
    too_high = str(questions[0].scale_max + 1)
    body = _scores_body(questions)
    body["scores"][1]["score"] = too_high
    refused = assert_error(api.put(path, body, format="json"), 400, field="scores.1.score")
    assert refused["errors"]["scores.1.score"] == [f"Enter a score from 0 to {questions[1].scale_max}"]
    assert_error(api.put(path, _scores_body(questions, rationale=" "), format="json"), 400, field="scores.0.rationale")
    unknown = {"scores": [{"question": 999999, "score": "1", "rationale": "x"}]}
    assert_error(api.put(path, unknown, format="json"), 400, field="scores.0.question")
    twice = {"scores": _scores_body(questions)["scores"] * 2}
    assert_error(api.put(path, twice, format="json"), 400, field=f"scores.{len(questions)}.question")
    assert_error(api.put(path, {"scores": []}, format="json"), 400, field="scores")
    assert_error(api.put(path, {"scores": [{"question": questions[0].pk, "score": "-1", "rationale": "x"}]}), 400)
    # Not everything scored: submitting is refused.
    assert (
        "still to score"
        in assert_error(api.post(f"{base(world.a)}/panel-members/{member.pk}/submission/"), 400)["detail"]
    )
    with authority_scope(world.a):
        assert not Score.objects.exists()
        assert PanelMember.objects.get(pk=member.pk).scores_submitted_at is None


def test_nobody_reads_or_writes_another_members_scores(world, api, evaluation):
    evaluation, members, offers = evaluation
    first, second = members
    questions = _questions(evaluation)
    url = base(world.a)
    as_user(api, first.user)
    api.put(f"{url}/panel-members/{first.pk}/scores/{offers[0].pk}/", _scores_body(questions, "4"), format="json")

    # The second evaluator, and even the moderator-to-be, see 404 for someone else's scores.
    for reader, other in ((second, first), (first, second)):
        as_user(api, reader.user)
        assert_error(api.get(f"{url}/panel-members/{other.pk}/scores/"), 404)
        assert_error(api.get(f"{url}/panel-members/{other.pk}/scores/{offers[0].pk}/"), 404)
        put = api.put(f"{url}/panel-members/{other.pk}/scores/{offers[0].pk}/", _scores_body(questions, "0"))
        assert_error(put, 404)
        assert_error(api.post(f"{url}/panel-members/{other.pk}/submission/"), 404)
    # The moderator sees no scores before everyone has submitted.
    as_user(api, first.user)
    assert "Still scoring" in assert_error(api.get(f"{url}/evaluations/{evaluation.pk}/moderation/"), 409)["detail"]
    agreed = api.put(f"{url}/evaluations/{evaluation.pk}/moderation/{offers[0].pk}/", _scores_body(questions))
    assert "every evaluator has submitted" in assert_error(agreed, 409)["detail"]
    # Procurement officers have no scoring role at all.
    as_user(api, world.user(world.a, Role.PROCUREMENT_OFFICER))
    assert_error(api.get(f"{url}/panel-members/{first.pk}/scores/"), 403)
    with authority_scope(world.a):
        assert set(Score.objects.values_list("panel_member_id", "score")) == {(first.pk, 4)}


# Moderation, results, award and the pack -------------------------------------------------------------------------


def test_moderation_results_award_and_pack_end_to_end(world, api, evaluation):
    evaluation, members, offers = evaluation
    questions = _questions(evaluation)
    url = base(world.a)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    as_user(api, officer)
    assert_error(api.get(f"{url}/evaluations/{evaluation.pk}/results/"), 409)
    assert_error(api.post(f"{url}/evaluations/{evaluation.pk}/pack/"), 409)
    early = api.post(f"{url}/evaluations/{evaluation.pk}/awards/", {"offer": offers[0].pk, "reasons": "x"})
    assert_error(early, 409)

    score_everything(evaluation, members, lambda m, o, q: [4, 2][o] if m == 0 else [2, 3][o])
    # Only the moderator moderates: the other evaluator is told why.
    as_user(api, members[1].user)
    assert (
        "Only the moderator" in assert_error(api.get(f"{url}/evaluations/{evaluation.pk}/moderation/"), 403)["detail"]
    )
    assert_error(api.post(f"{url}/evaluations/{evaluation.pk}/finalisation/"), 403)

    as_user(api, members[0].user)
    grid = api.get(f"{url}/evaluations/{evaluation.pk}/moderation/")
    assert grid.status_code == 200, grid.content
    rows = grid.json()["results"]
    assert len(rows) == 2
    line = next(r for r in rows if r["offer_id"] == offers[0].pk)["lines"][0]
    assert sorted(s["score"] for s in line["scores"]) == ["2.0", "4.0"]
    assert line["spread"] == "2.0" and line["agreed"] is None

    bad = _scores_body(questions, "3")
    bad["scores"][0]["rationale"] = ""
    path = f"{url}/evaluations/{evaluation.pk}/moderation/{offers[0].pk}/"
    assert_error(api.put(path, bad, format="json"), 400, field="scores.0.rationale")
    with authority_scope(world.a):
        assert not ModeratedScore.objects.exists()
    assert "still to do" in assert_error(api.post(f"{url}/evaluations/{evaluation.pk}/finalisation/"), 400)["detail"]
    for offer, agreed in ((offers[0], "4"), (offers[1], "2")):
        saved = api.put(
            f"{url}/evaluations/{evaluation.pk}/moderation/{offer.pk}/",
            _scores_body(questions, agreed, "Agreed."),
            format="json",
        )
        assert saved.status_code == 200, saved.content
        assert saved.json()["lines"][0]["agreed"]["score"] == f"{agreed}.0"
    # Saving the same agreed scores again records (and audits) nothing.
    with authority_scope(world.a):
        audited = AuditEvent.objects.filter(verb="evaluation.moderated_score_recorded").count()
    api.put(f"{url}/evaluations/{evaluation.pk}/moderation/{offers[1].pk}/", _scores_body(questions, "2", "Agreed."))
    with authority_scope(world.a):
        assert AuditEvent.objects.filter(verb="evaluation.moderated_score_recorded").count() == audited
    finalised = api.post(f"{url}/evaluations/{evaluation.pk}/finalisation/")
    assert finalised.status_code == 200 and finalised.json()["status"] == "finalised"
    assert_error(api.put(path, _scores_body(questions, "1"), format="json"), 409)

    for reader in (officer, members[1].user):
        as_user(api, reader)
        results = api.get(f"{url}/evaluations/{evaluation.pk}/results/")
        assert results.status_code == 200, results.content
        (lot,) = results.json()["lots"]
        assert [row["offer_id"] for row in lot["ranking"]] == [offers[0].pk, offers[1].pk]
        assert lot["ranking"][0]["rank"] == 1 and lot["sensitivity"]["moves"][1]["moved"] == 0

    as_user(api, officer)
    awards = f"{url}/evaluations/{evaluation.pk}/awards/"
    assert_error(api.post(awards, {"offer": offers[1].pk, "reasons": "Cheaper."}), 400, field="offer")
    assert_error(api.post(awards, {"offer": offers[0].pk, "reasons": " "}), 400, field="reasons")
    assert_error(api.post(awards, {"offer": offers[0].pk, "reasons": "x", "lot": 3}), 400, field="lot")
    with authority_scope(world.a):
        assert not Award.objects.exists()
    decided = api.post(awards, {"offer": offers[0].pk, "reasons": "Highest total."}, format="json")
    assert decided.status_code == 201, decided.content
    award = decided.json()
    assert award["supplier"] == "Bidder 1 Ltd" and award["confirmed_at"] is None
    assert api.get(awards).json()[0]["id"] == award["id"]
    confirm = f"{url}/awards/{award['id']}/confirmation/"
    assert "Standstill ends" in assert_error(api.post(confirm), 409)["detail"]
    with authority_scope(world.a):
        Award.objects.filter(pk=award["id"]).update(standstill_ends_on=timezone.localdate() - timedelta(days=1))
    confirmed = api.post(confirm)
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"]
    assert api.get(f"{url}/evaluations/{evaluation.pk}/").json()["status"] == "awarded"

    pack = api.post(f"{url}/evaluations/{evaluation.pk}/pack/")
    assert pack.status_code == 202, pack.content
    assert [job["kind"] for job in pack.json()] == [
        "evaluation_pack_pdf",
        "evaluation_pack_xlsx",
        "evaluation_pack_csv",
    ]
    assert [job["id"] for job in api.get(f"{url}/evaluations/{evaluation.pk}/pack/").json()] == [
        job["id"] for job in pack.json()
    ]


# Roles, isolation and anonymity ----------------------------------------------------------------------------------


def _writes(world, authority, evaluation, members, offers, award_id):
    url = base(authority)
    member = members[0]
    questions = _questions(evaluation)
    return [
        ("evaluation.manage", "post", f"{url}/evaluations/", {"tender": evaluation.tender_id}),
        ("evaluation.manage", "post", f"{url}/evaluations/{evaluation.pk}/panel/", {"user": 0}),
        ("evaluation.manage", "put", f"{url}/evaluations/{evaluation.pk}/moderator/", {"moderator": member.pk}),
        ("evaluation.manage", "post", f"{url}/panel-members/{member.pk}/decision/", {"decision": "allowed"}),
        ("evaluation.score", "put", f"{url}/panel-members/{member.pk}/declaration/", {"has_interest": False}),
        ("evaluation.score", "put", f"{url}/panel-members/{member.pk}/scores/{offers[0].pk}/", _scores_body(questions)),
        ("evaluation.score", "post", f"{url}/panel-members/{member.pk}/submission/", {}),
        (
            "evaluation.score",
            "put",
            f"{url}/evaluations/{evaluation.pk}/moderation/{offers[0].pk}/",
            _scores_body(questions),
        ),
        ("evaluation.score", "post", f"{url}/evaluations/{evaluation.pk}/finalisation/", {}),
        ("evaluation.manage", "post", f"{url}/evaluations/{evaluation.pk}/awards/", {"offer": offers[0].pk}),
        ("evaluation.manage", "post", f"{url}/awards/{award_id}/confirmation/", {}),
        ("evaluation.export", "post", f"{url}/evaluations/{evaluation.pk}/pack/", {}),
    ]


def _reads(authority, evaluation, members, offers):
    url = base(authority)
    member = members[0]
    return [
        ("evaluation.view", f"{url}/evaluations/"),
        ("evaluation.view", f"{url}/evaluations/{evaluation.pk}/"),
        ("evaluation.view", f"{url}/evaluations/{evaluation.pk}/panel/"),
        ("evaluation.view", f"{url}/evaluations/{evaluation.pk}/results/"),
        ("evaluation.score", f"{url}/panel-members/{member.pk}/declaration/"),
        ("evaluation.score", f"{url}/panel-members/{member.pk}/scores/"),
        ("evaluation.score", f"{url}/panel-members/{member.pk}/scores/{offers[0].pk}/"),
        ("evaluation.score", f"{url}/evaluations/{evaluation.pk}/moderation/"),
        ("evaluation.manage", f"{url}/evaluations/{evaluation.pk}/awards/"),
        ("evaluation.export", f"{url}/evaluations/{evaluation.pk}/pack/"),
    ]


@pytest.fixture
def awarded(world):
    """An awarded evaluation in A (ISO-like: the world's evaluator moderates) and one in B."""
    made = {}
    for authority in (world.a, world.b):
        award = build_awarded(world, authority, reference=f"API-{authority.slug}")
        with authority_scope(authority):
            evaluation = Evaluation.objects.select_related("tender").get(pk=award.evaluation_id)
            members = list(evaluation.panel.select_related("user").order_by("pk"))
            offers = [offer for offer, _ in selectors.evaluable_offers(evaluation.tender)]
        made[authority.slug] = (evaluation, members, offers, award.pk)
    return made


def _snapshot(authority):
    with authority_scope(authority):
        return (
            Evaluation.objects.count(),
            PanelMember.objects.count(),
            Score.objects.count(),
            ModeratedScore.objects.count(),
            list(Award.objects.values_list("pk", "confirmed_at")),
            AuditEvent.objects.filter(verb__startswith="evaluation.").count(),
        )


@pytest.mark.parametrize("role", list(Role))
def test_role_truth_table(world, api, awarded, role):
    """Each endpoint answers 403 to a role without its permission, before anything changes; a role with it is let
    through (the answer then depends on the evaluation's state)."""
    evaluation, members, offers, award_id = awarded[world.a.slug]
    as_user(api, world.user(world.a, role))
    before = _snapshot(world.a)
    for permission, method, path, body in _writes(world, world.a, evaluation, members, offers, award_id):
        response = getattr(api, method)(path, body, format="json")
        if has_permission({role}, permission):
            assert response.status_code not in (401, 403, 404), (method, path, response.content)
        else:
            assert_error(response, 403)
    for permission, path in _reads(world.a, evaluation, members, offers):
        response = api.get(path)
        if has_permission({role}, permission):
            assert response.status_code in (200, 409), (path, response.content)
        else:
            assert_error(response, 403)
    if not any(has_permission({role}, p) for p in ("evaluation.manage", "evaluation.score", "evaluation.export")):
        assert _snapshot(world.a) == before


def test_non_members_get_404_and_anonymous_401(world, api, awarded):
    evaluation, members, offers, award_id = awarded[world.a.slug]
    requests = _writes(world, world.a, evaluation, members, offers, award_id)
    reads = _reads(world.a, evaluation, members, offers)
    before = _snapshot(world.a)
    for user in (world.user(world.b, Role.PROCUREMENT_OFFICER), world.resident, world.community_user):
        as_user(api, user)
        for _, method, path, body in requests:
            assert_error(getattr(api, method)(path, body, format="json"), 404)
        for _, path in reads:
            assert_error(api.get(path), 404)
    as_user(api, None)
    for _, method, path, body in requests:
        assert_error(getattr(api, method)(path, body, format="json"), 401)
    for _, path in reads:
        assert_error(api.get(path), 401)
    assert _snapshot(world.a) == before


def test_another_authoritys_objects_answer_404_under_ones_own_slug(world, api, awarded):
    """B's staff, under B's slug, naming A's evaluation, members, offers and award: 404, and nothing changes."""
    evaluation, members, offers, award_id = awarded[world.a.slug]
    before = _snapshot(world.a)
    for role in (Role.PROCUREMENT_OFFICER, Role.EVALUATOR):
        as_user(api, world.user(world.b, role))
        for permission, method, path, body in _writes(world, world.a, evaluation, members, offers, award_id)[1:]:
            if not has_permission({role}, permission):
                continue
            path = path.replace(f"/authorities/{world.a.slug}/", f"/authorities/{world.b.slug}/")
            assert_error(getattr(api, method)(path, body, format="json"), 404)
        for permission, path in _reads(world.a, evaluation, members, offers)[1:]:
            if has_permission({role}, permission):
                assert_error(api.get(path.replace(world.a.slug, world.b.slug)), 404)
    # B's list shows only B's evaluation.
    as_user(api, world.user(world.b, Role.PROCUREMENT_OFFICER))
    listed = api.get(f"{base(world.b)}/evaluations/").json()
    assert [e["id"] for e in listed["results"]] == [awarded[world.b.slug][0].pk]
    assert _snapshot(world.a) == before


# Query counts ----------------------------------------------------------------------------------------------------

MAX_QUERIES = 16


def test_lists_read_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    """The score list, the moderation grid and the evaluation list, at 2 and at 8 offers."""
    evaluator = world.user(world.a, Role.EVALUATOR)
    counts = {"scores": [], "moderation": [], "evaluations": []}
    for size in (2, 8):
        tender, _ = build_opened_tender(world, world.a, bids=size, reference=f"Q-{size}")
        evaluation, members = build_evaluation(world, tender)
        score_everything(evaluation, members, lambda m, o, q: 2)
        member = members[0]
        assert member.user == evaluator
        as_user(api, evaluator)
        api.get(f"{base(world.a)}/evaluations/")  # the token's first use notes the time: not counted below
        for name, path in (
            ("scores", f"{base(world.a)}/panel-members/{member.pk}/scores/"),
            ("moderation", f"{base(world.a)}/evaluations/{evaluation.pk}/moderation/"),
            ("evaluations", f"{base(world.a)}/evaluations/"),
        ):
            with django_assert_max_num_queries(MAX_QUERIES) as captured:
                response = api.get(path)
            assert response.status_code == 200, (path, response.content)
            if name != "evaluations":
                assert response.json()["count"] == size
            counts[name].append(len(captured.captured_queries))
    for name, found in counts.items():
        assert found[0] == found[1], (name, found)


def test_results_after_finalising_are_readable(world, api, evaluation):
    evaluation, members, _ = evaluation
    score_everything(evaluation, members, lambda m, o, q: 3 - o)
    moderate_everything(evaluation, members, lambda o, q: 3 - o)
    as_user(api, world.user(world.a, Role.EVALUATOR))
    (lot,) = api.get(f"{base(world.a)}/evaluations/{evaluation.pk}/results/").json()["lots"]
    assert lot["ranking"][0]["supplier"] == "Bidder 1 Ltd"
    assert {c["key"] for c in lot["criteria"]} >= {"price", "commitments"}
    with authority_scope(world.a):
        assert Evaluation.objects.get(pk=evaluation.pk).status == EvaluationStatus.FINALISED
