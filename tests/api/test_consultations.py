"""Consultations and comments over the API: public reads of published comments and answers, comments from signed-in
people (held for moderation), moderation and answers by moderators, isolation and the role truth tables."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from charters.models import Comment, CommentStatus, VersionStatus
from tests.charters.test_consultation import add_comment, answer, first_theme, hide, make_consultation, publish
from tests.factories import OrganisationFactory

from .conftest import as_user, assert_error


def url(consultation, rest=""):
    return f"/api/v1/authorities/{consultation.authority.slug}/consultations/{consultation.pk}/{rest}"


@pytest.fixture
def consultation(world):
    return make_consultation(world, title="Consulted charter")


@pytest.fixture
def comments(world, consultation):
    published = publish(world, add_comment(world, consultation, text="Plant more trees"))
    answer(world, published, text="We will plant 500 trees")
    held = add_comment(world, consultation, text="Held text")
    hidden = hide(world, add_comment(world, consultation, text="Hidden text"))
    return {"published": published, "held": held, "hidden": hidden}


def test_anyone_reads_the_consultation_and_its_draft(world, api, consultation):
    body = api.get(url(consultation)).json()
    assert body["is_open"] is True and body["version_status"] == "consultation"
    assert body["version"]["title"] == "Consulted charter" and len(body["version"]["themes"]) == 2
    listed = api.get(f"/api/v1/authorities/{world.a.slug}/consultations/").json()
    assert [c["id"] for c in listed["results"]] == [consultation.pk]


def test_public_comments_are_published_ones_with_answers_and_no_names(world, api, comments):
    consultation = comments["published"].consultation
    body = api.get(url(consultation, "comments/")).json()
    assert body["count"] == 1
    (comment,) = body["results"]
    assert comment["text"] == "Plant more trees" and comment["speaking_for"] == "A resident"
    assert comment["about"] == "Vision" and comment["status"] == "published"
    assert comment["response"]["text"] == "We will plant 500 trees" and comment["response"]["outcome"] == "accepted"
    assert world.resident.full_name not in str(body) and world.resident.email not in str(body)
    assert_error(api.get(url(consultation, "comments/?status=held")), 403)
    assert_error(api.get(url(consultation, "comments/?status=lost")), 400, field="status")


def test_staff_filter_comments_by_moderation_state(world, api, comments):
    consultation = comments["published"].consultation
    as_user(api, world.user(world.a, Role.EVALUATOR))  # charters.view
    held = api.get(url(consultation, "comments/?status=held")).json()["results"]
    assert [c["text"] for c in held] == ["Held text"]
    hidden = api.get(url(consultation, "comments/?status=hidden")).json()["results"]
    assert [c["text"] for c in hidden] == ["Hidden text"]
    as_user(api, world.user(world.b, Role.COMMISSIONER))
    assert_error(api.get(url(consultation, "comments/?status=held")), 403)


def test_a_draft_not_yet_consulted_on_has_no_public_consultation(world, api):
    consultation = make_consultation(world, title="Withdrawn")
    with authority_scope(world.a):
        from charters.services import version_withdraw

        version_withdraw(
            version=consultation.version, acting_user=world.user(world.a, Role.COMMISSIONER), reason="Restart"
        )
    assert_error(api.get(url(consultation)), 404)
    assert_error(api.get(url(consultation, "comments/")), 404)
    as_user(api, world.user(world.a, Role.ADMIN))
    assert api.get(url(consultation)).json()["version_status"] == VersionStatus.WITHDRAWN


# Commenting ----------------------------------------------------------------------------------------------------


def test_signed_in_people_comment_and_the_comment_is_held(world, api, consultation):
    assert_error(api.post(url(consultation, "comments/"), {"section": "vision", "text": "Hi"}, format="json"), 401)
    as_user(api, world.resident)
    theme = first_theme(consultation)
    response = api.post(
        url(consultation, "comments/"), {"section": "theme", "item_id": theme.pk, "text": "More buses"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "held" and body["item_id"] == theme.pk and body["about"] == f"Theme: {theme.title}"
    with authority_scope(world.a):
        assert Comment.objects.get(pk=body["id"]).author == world.resident
    # Not public until a moderator publishes it.
    as_user(api, None)
    assert api.get(url(consultation, "comments/")).json()["count"] == 0


def test_comments_for_a_community_group(world, api, consultation):
    as_user(api, world.community_user)
    response = api.post(
        url(consultation, "comments/"),
        {"section": "vision", "text": "From the forum", "organisation_id": world.community_group.pk},
        format="json",
    )
    assert response.status_code == 201 and response.json()["speaking_for"] == world.community_group.name
    other_group = OrganisationFactory(kind="community_group", name="Not mine")
    refused = api.post(
        url(consultation, "comments/"),
        {"section": "vision", "text": "Pretending", "organisation_id": other_group.pk},
        format="json",
    )
    assert_error(refused, 400, field="organisation_id")


def test_comment_input_errors(world, api, consultation):
    as_user(api, world.resident)
    post = lambda data: api.post(url(consultation, "comments/"), data, format="json")  # noqa: E731
    assert_error(post({"section": "vision"}), 400, field="text")
    assert_error(post({"section": "nowhere", "text": "x"}), 400, field="section")
    assert_error(post({"section": "theme", "text": "x"}), 400, field="item_id")
    assert_error(post({"section": "theme", "item_id": 999999, "text": "x"}), 400, field="item_id")
    # A theme of another authority's charter is not part of this consultation.
    b_consultation = make_consultation(world, world.b, title="B consulted")
    assert_error(
        post({"section": "theme", "item_id": first_theme(b_consultation).pk, "text": "x"}), 400, field="item_id"
    )


def test_a_closed_consultation_refuses_comments_409(world, api):
    today = timezone.localdate()
    consultation = make_consultation(world, title="Closing", weeks=1, today=today - timedelta(weeks=2))
    as_user(api, world.resident)
    body = assert_error(
        api.post(url(consultation, "comments/"), {"section": "vision", "text": "x"}, format="json"), 409
    )
    assert "closed" in body["detail"]


def test_isolation_of_consultations(world, api, comments):
    consultation = comments["published"].consultation
    wrong = f"/api/v1/authorities/{world.b.slug}/consultations/{consultation.pk}/"
    for user in (None, world.resident, world.user(world.b, Role.COMMISSIONER), world.user(world.a, Role.COMMISSIONER)):
        as_user(api, user)
        assert_error(api.get(wrong), 404)
        assert_error(api.get(wrong + "comments/"), 404)
    as_user(api, world.user(world.b, Role.COMMISSIONER))
    comment = comments["held"]
    assert_error(api.post(wrong + f"comments/{comment.pk}/moderation/", {"decision": "published"}, format="json"), 404)
    assert_error(
        api.post(url(consultation, f"comments/{comment.pk}/moderation/"), {"decision": "published"}, format="json"), 404
    )


# Moderation and answers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_moderation_truth_table(world, api, comments, role):
    consultation = comments["held"].consultation
    as_user(api, world.user(world.a, role))
    allowed = has_permission({role}, "consultations.moderate")
    publish_response = api.post(
        url(consultation, f"comments/{comments['held'].pk}/moderation/"), {"decision": "published"}, format="json"
    )
    answer_response = api.put(
        url(consultation, f"comments/{comments['held'].pk}/response/"),
        {"outcome": "noted", "text": "Thank you"},
        format="json",
    )
    if allowed:
        assert publish_response.json()["status"] == "published"
        assert answer_response.json()["response"]["outcome"] == "noted"
    else:
        assert_error(publish_response, 403)
        assert_error(answer_response, 403)
        with authority_scope(world.a):
            assert Comment.objects.get(pk=comments["held"].pk).status == CommentStatus.HELD


def test_moderation_refusals(world, api, comments):
    consultation = comments["held"].consultation
    held = comments["held"]
    moderation = url(consultation, f"comments/{held.pk}/moderation/")
    as_user(api, None)
    assert_error(api.post(moderation, {"decision": "published"}, format="json"), 401)
    for user in (world.resident, world.user(world.b, Role.COMMISSIONER)):
        as_user(api, user)
        assert_error(api.post(moderation, {"decision": "published"}, format="json"), 404)
    as_user(api, world.user(world.a, Role.COMMISSIONER))
    assert_error(api.post(moderation, {"decision": "hidden"}, format="json"), 400, field="reason")
    assert_error(api.post(moderation, {"decision": "maybe"}, format="json"), 400, field="decision")
    body = assert_error(
        api.put(
            url(consultation, f"comments/{held.pk}/response/"), {"outcome": "accepted", "text": "Yes"}, format="json"
        ),
        400,
        field="outcome",
    )
    assert body["detail"] == "Publish the comment before answering it"
    assert_error(
        api.post(url(consultation, "comments/999999/moderation/"), {"decision": "published"}, format="json"), 404
    )
