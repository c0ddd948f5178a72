"""Consultation: comments with every guard, moderation, answers, emails, the pages, isolation and query counts."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, OrganisationKind, OrganisationMemberStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import consultation as services
from charters.models import Comment, CommentResponse, CommentSection, CommentStatus, ResponseOutcome
from charters.selectors import consultation as selectors
from charters.services import version_adopt, version_withdraw
from foundation.errors import DomainError
from tests.charters.factories import build_charter, open_consultation
from tests.factories import OrganisationFactory, UserFactory, add_org_member

pytestmark = pytest.mark.django_db


# Helpers ------------------------------------------------------------------------------------------------------


def make_consultation(world, authority=None, *, title=None, **kwargs):
    authority = authority or world.a
    _, version = build_charter(world, authority, title=title)
    return open_consultation(world, authority, version, **kwargs)


def add_comment(world, consultation, *, user=None, section="vision", item=None, text="Plant more trees", **kwargs):
    with authority_scope(consultation.authority):
        return services.comment_create(
            consultation=consultation,
            acting_user=user or world.resident,
            section=section,
            item=item,
            text=text,
            **kwargs,
        )


def moderator(world, authority=None):
    return world.user(authority or world.a, Role.COMMISSIONER)


def publish(world, comment):
    with authority_scope(comment.authority):
        return services.comment_moderate(comment=comment, acting_user=moderator(world), decision="published")


def hide(world, comment, reason="It names a member of staff"):
    with authority_scope(comment.authority):
        return services.comment_moderate(
            comment=comment, acting_user=moderator(world), decision="hidden", reason=reason
        )


def answer(world, comment, *, outcome=ResponseOutcome.ACCEPTED, text="We will plant 500 trees", change_made=""):
    with authority_scope(comment.authority):
        return services.comment_respond(
            comment=comment, acting_user=moderator(world), outcome=outcome, text=text, change_made=change_made
        )


def first_theme(consultation):
    with authority_scope(consultation.authority):
        return consultation.version.themes.order_by("position").first()


def comment_count(authority):
    with authority_scope(authority):
        return Comment.objects.count()


def events(authority, verb):
    with authority_scope(authority):
        return list(AuditEvent.objects.filter(authority=authority, verb=verb))


# Creating comments ------------------------------------------------------------------------------------------


def test_a_comment_is_held_and_audited_in_the_authority(world):
    consultation = make_consultation(world)
    theme = first_theme(consultation)
    comment = add_comment(world, consultation, section="theme", item=theme, text="  Jobs for young people  ")
    assert comment.status == CommentStatus.HELD
    assert (comment.theme, comment.text, comment.author, comment.organisation) == (
        theme,
        "Jobs for young people",
        world.resident,
        None,
    )
    (event,) = events(world.a, "comment.created")
    assert event.object_id == str(comment.pk)
    assert event.changes["about"] == "Theme: Theme 1"
    assert event.changes["speaking_for"] == "themselves, as a resident"


def test_comments_on_each_part_of_the_charter(world):
    consultation = make_consultation(world)
    with authority_scope(world.a):
        version = consultation.version
        outcome, measure = version.outcomes.first(), version.measures.first()
    add_comment(world, consultation, section="context")
    add_comment(world, consultation, section="outcome", item=outcome)
    comment = add_comment(world, consultation, section="measure", item=measure)
    assert comment.measure == measure
    assert services.anchor_label("measure", measure) == "Measure M1-1-1: Measure 1.1.1"
    assert comment_count(world.a) == 3


def test_a_member_speaks_for_their_community_group(world):
    consultation = make_consultation(world)
    comment = add_comment(world, consultation, user=world.community_user, organisation=world.community_group)
    assert comment.organisation == world.community_group
    (event,) = events(world.a, "comment.created")
    assert event.changes["speaking_for"] == "A Residents Forum"


@pytest.mark.parametrize("case", ["not a member", "pending member", "declined member", "supplier"])
def test_only_approved_members_speak_for_a_community_group(world, case):
    consultation = make_consultation(world)
    organisation = world.community_group
    user = world.resident
    if case == "pending member":
        add_org_member(organisation, user, status=OrganisationMemberStatus.PENDING)
    elif case == "declined member":
        add_org_member(organisation, user, status=OrganisationMemberStatus.DECLINED)
    elif case == "supplier":
        organisation, user = world.supplier_both, world.supplier_both_user  # a member, but not a community group
    with pytest.raises(DomainError) as refused:
        add_comment(world, consultation, user=user, organisation=organisation)
    assert refused.value.field == "speaking_for"
    assert "approved member" in refused.value.message
    assert comment_count(world.a) == 0


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_comment_is_refused(world, text):
    consultation = make_consultation(world)
    with pytest.raises(DomainError) as refused:
        add_comment(world, consultation, text=text)
    assert (refused.value.field, refused.value.message) == ("text", "Enter your comment")
    assert comment_count(world.a) == 0


def test_a_comment_longer_than_5000_characters_is_refused(world):
    consultation = make_consultation(world)
    add_comment(world, consultation, text="x" * 5000)
    with pytest.raises(DomainError) as refused:
        add_comment(world, consultation, text="x" * 5001)
    assert refused.value.message == "Your comment must be 5,000 characters or fewer"
    assert comment_count(world.a) == 1


def test_an_item_from_another_version_is_refused(world):
    consultation = make_consultation(world)
    _, other_version = build_charter(world, world.a, title="Another charter")
    with authority_scope(world.a):
        other_theme = other_version.themes.first()
        outcome = consultation.version.outcomes.first()
    with pytest.raises(DomainError) as refused:
        add_comment(world, consultation, section="theme", item=other_theme)
    assert refused.value.field == "section"
    with pytest.raises(DomainError):  # an item of the wrong kind for the section
        add_comment(world, consultation, section="theme", item=outcome)
    with pytest.raises(DomainError):  # a theme comment needs its theme
        add_comment(world, consultation, section="theme", item=None)
    with pytest.raises(DomainError):
        add_comment(world, consultation, section="nonsense")
    assert comment_count(world.a) == 0


def test_comments_are_refused_before_opening_and_after_closing(world):
    today = timezone.localdate()
    consultation = make_consultation(world, today=today)
    closes = consultation.closes_on
    add_comment(world, consultation, today=closes)  # the close date itself is the last day
    for day, message in [
        (today - timedelta(days=1), "opens on"),
        (closes + timedelta(days=1), "closed on"),
    ]:
        with pytest.raises(services.ConsultationClosed) as refused:
            add_comment(world, consultation, today=day)
        assert message in refused.value.message
    assert comment_count(world.a) == 1


def test_the_server_date_closes_a_consultation(world):
    # Opened 13 weeks ago for 12 weeks: closed a week ago by the server's clock.
    consultation = make_consultation(world, today=timezone.localdate() - timedelta(weeks=13))
    with pytest.raises(services.ConsultationClosed) as refused:
        add_comment(world, consultation)
    assert refused.value.message == (
        f"This consultation closed on {consultation.closes_on:%-d %B %Y}, so comments can no longer be sent."
    )
    assert comment_count(world.a) == 0


def test_a_withdrawn_consultation_takes_no_comments(world):
    consultation = make_consultation(world)
    with authority_scope(world.a):
        version_withdraw(version=consultation.version, acting_user=moderator(world), reason="Rethink")
        consultation.refresh_from_db()
        consultation.version.refresh_from_db()
    with pytest.raises(services.ConsultationClosed):
        add_comment(world, consultation)


# Moderation -------------------------------------------------------------------------------------------------


def test_publish_is_audited_with_before_and_after(world):
    consultation = make_consultation(world)
    comment = publish(world, add_comment(world, consultation))
    assert comment.status == CommentStatus.PUBLISHED
    assert comment.moderated_by == moderator(world)
    (event,) = events(world.a, "comment.published")
    assert event.changes == {"status": {"before": "held", "after": "published"}}
    with pytest.raises(DomainError, match="already published"):
        publish(world, comment)


def test_hiding_needs_a_reason_and_emails_it_to_the_author(world, mailoutbox, django_capture_on_commit_callbacks):
    consultation = make_consultation(world)
    comment = add_comment(world, consultation, text="Something rude")
    with pytest.raises(DomainError) as refused:
        hide(world, comment, reason="  ")
    assert refused.value.field == "reason"
    with authority_scope(world.a):
        comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD
    with django_capture_on_commit_callbacks(execute=True):
        hide(world, comment, reason="It names a member of staff")
    with authority_scope(world.a):
        comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason) == (CommentStatus.HIDDEN, "It names a member of staff")
    (event,) = events(world.a, "comment.hidden")
    assert event.changes["hidden_reason"] == {"before": "", "after": "It names a member of staff"}
    (email,) = mailoutbox
    assert email.to == [world.resident.email]
    assert email.subject == "Your comment on Authority A Borough Council charter was not published"
    assert "Why: It names a member of staff" in email.body
    assert "Something rude" in email.body
    assert reverse("charters:my-comments") in email.body


def test_a_hidden_comment_can_be_published_later(world):
    consultation = make_consultation(world)
    comment = hide(world, add_comment(world, consultation))
    comment = publish(world, comment)
    assert (comment.status, comment.hidden_reason) == (CommentStatus.PUBLISHED, "")
    (event,) = events(world.a, "comment.published")
    assert event.changes["status"] == {"before": "hidden", "after": "published"}


def test_no_moderation_after_adoption(world):
    today = timezone.localdate() - timedelta(weeks=13)
    consultation = make_consultation(world, today=today)
    comment = add_comment(world, consultation, today=today)
    publish(world, comment)
    answer(world, comment)
    with authority_scope(world.a):
        version_adopt(version=consultation.version, acting_user=moderator(world))
    with pytest.raises(services.CommentRecordClosed):
        hide(world, comment)
    with pytest.raises(services.CommentRecordClosed):
        answer(world, comment, text="Changed later")


# Responses --------------------------------------------------------------------------------------------------


def test_only_a_published_comment_can_be_answered(world):
    consultation = make_consultation(world)
    comment = add_comment(world, consultation)
    with pytest.raises(DomainError, match="Publish the comment"):
        answer(world, comment)
    hide(world, comment)
    with pytest.raises(DomainError, match="Publish the comment"):
        answer(world, comment)
    with authority_scope(world.a):
        assert not CommentResponse.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "text", "field"),
    [("", "An answer", "outcome"), ("maybe", "An answer", "outcome"), ("accepted", "  ", "text")],
)
def test_a_response_needs_an_outcome_and_text(world, outcome, text, field):
    consultation = make_consultation(world)
    comment = publish(world, add_comment(world, consultation))
    with pytest.raises(DomainError) as refused:
        answer(world, comment, outcome=outcome, text=text)
    assert refused.value.field == field
    with authority_scope(world.a):
        assert not CommentResponse.objects.exists()


def test_the_first_answer_is_emailed_to_the_author(world, mailoutbox, django_capture_on_commit_callbacks):
    consultation = make_consultation(world)
    theme = first_theme(consultation)
    comment = publish(world, add_comment(world, consultation, section="theme", item=theme, text="More apprentices"))
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(
            world,
            comment,
            outcome=ResponseOutcome.PARTLY,
            text="We will ask for apprentices on larger contracts.",
            change_made="Measure M1-1-1 now applies from £500,000.",
        )
    assert (response.outcome, response.responded_by) == (ResponseOutcome.PARTLY, moderator(world))
    (event,) = events(world.a, "comment.answered")
    assert event.changes["outcome"] == {"before": None, "after": "partly"}
    (email,) = mailoutbox
    assert email.to == [world.resident.email]
    assert (
        email.subject == "Authority A Borough Council has answered your comment on Authority A Borough Council charter"
    )
    assert "Outcome: Partly accepted" in email.body
    assert "We will ask for apprentices on larger contracts." in email.body
    assert "Measure M1-1-1 now applies from £500,000." in email.body
    assert "(Theme: Theme 1)" in email.body
    public_url = reverse("charters:consultation-public", args=[world.a.slug, consultation.pk])
    assert f"{public_url}#comment-{comment.pk}" in email.body


def test_editing_a_response_keeps_the_old_text_in_the_audit_trail(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_consultation(world)
    comment = publish(world, add_comment(world, consultation))
    answer(world, comment, outcome=ResponseOutcome.NOTED, text="Thank you.")
    with django_capture_on_commit_callbacks(execute=True):
        answer(world, comment, outcome=ResponseOutcome.ACCEPTED, text="We will plant 500 trees.", change_made="New")
        answer(world, comment, outcome=ResponseOutcome.ACCEPTED, text="We will plant 500 trees.", change_made="New")
    with authority_scope(world.a):
        response = CommentResponse.objects.get(comment=comment)
    assert (response.outcome, response.text) == (ResponseOutcome.ACCEPTED, "We will plant 500 trees.")
    (event,) = events(world.a, "comment.response_edited")  # the unchanged second save records nothing
    assert event.changes == {
        "change_made": {"before": "", "after": "New"},
        "outcome": {"before": "noted", "after": "accepted"},
        "text": {"before": "Thank you.", "after": "We will plant 500 trees."},
    }
    assert mailoutbox == []  # only the first answer is emailed


def test_no_email_to_a_deleted_author(world, mailoutbox, django_capture_on_commit_callbacks):
    consultation = make_consultation(world)
    author = UserFactory()
    comment = publish(world, add_comment(world, consultation, user=author))
    author.delete()
    with authority_scope(world.a):
        comment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        answer(world, comment)
    assert mailoutbox == []


# The report's data ------------------------------------------------------------------------------------------


def test_consultation_report_data(world):
    consultation = make_consultation(world)
    theme = first_theme(consultation)
    vision = publish(world, add_comment(world, consultation, text="A clear vision"))
    on_theme = publish(
        world,
        add_comment(
            world,
            consultation,
            user=world.community_user,
            organisation=world.community_group,
            section="theme",
            item=theme,
            text="Local jobs first",
        ),
    )
    answer(world, on_theme, outcome=ResponseOutcome.ACCEPTED, text="Agreed", change_made="Weight raised")
    hide(world, add_comment(world, consultation, text="Secret rude words"))
    add_comment(world, consultation, text="Still held text")
    with authority_scope(world.a):
        report = selectors.consultation_report_data(consultation)
    assert report.counts == {"received": 4, "held": 1, "published": 2, "hidden": 1, "answered": 1, "unanswered": 1}
    by_section = {row.section: row for row in report.by_section}
    assert list(by_section) == list(CommentSection.values)
    assert (by_section["vision"].received, by_section["vision"].published, by_section["vision"].hidden) == (3, 1, 1)
    assert by_section["vision"].held == 1
    assert (by_section["theme"].published, by_section["theme"].answered) == (1, 1)
    assert [(row.outcome, row.count) for row in report.by_outcome] == [
        ("accepted", 1),
        ("partly", 0),
        ("not_accepted", 0),
        ("noted", 0),
    ]
    assert [group.about for group in report.groups] == ["Vision", "Theme: Theme 1"]
    texts = [comment.text for group in report.groups for comment in group.comments]
    assert texts == ["A clear vision", "Local jobs first"]  # hidden and held text never in the report
    theme_comment = report.groups[1].comments[0]
    assert (theme_comment.id, theme_comment.speaking_for, theme_comment.outcome_label) == (
        on_theme.pk,
        "A Residents Forum",
        "Accepted",
    )
    assert (theme_comment.response, theme_comment.change_made) == ("Agreed", "Weight raised")
    assert report.groups[0].comments[0].speaking_for == "A resident"
    assert report.groups[0].comments[0].outcome == "" and vision.pk == report.groups[0].comments[0].id
    assert report.weeks == 12 and report.shorter_reason == ""


# The public page --------------------------------------------------------------------------------------------


def public_url(consultation, authority=None):
    return reverse("charters:consultation-public", args=[(authority or consultation.authority).slug, consultation.pk])


def comment_url(consultation, query=""):
    url = reverse("charters:comment-create", args=[consultation.authority.slug, consultation.pk])
    return f"{url}?{query}" if query else url


def test_public_page_shows_published_comments_with_answers_to_anyone(client, world):
    consultation = make_consultation(world)
    theme = first_theme(consultation)
    published = publish(
        world,
        add_comment(
            world,
            consultation,
            user=world.community_user,
            organisation=world.community_group,
            section="theme",
            item=theme,
            text="Local jobs first",
        ),
    )
    answer(world, published, outcome=ResponseOutcome.ACCEPTED, text="Agreed, we will", change_made="Weight raised")
    publish(world, add_comment(world, consultation, text="Unanswered so far"))
    hide(world, add_comment(world, consultation, text="Hidden words here"))
    add_comment(world, consultation, text="Held words here")

    response = client.get(public_url(consultation))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["Local jobs first", "Agreed, we will", "Weight raised", "From A Residents Forum", "Unanswered so far"]:
        assert text in html
    assert "Hidden words here" not in html and "Held words here" not in html
    assert "Rae Resident" not in html and world.resident.email not in html  # authors' names are not published
    assert "2 published comments, 1 answered." in html
    assert "Not answered yet." in html
    assert "Closes on" in html and "84 days left" in html
    assert "12 weeks" in html
    # The draft in full, with "comment on" links while it is open.
    assert "Theme 1" in html and "Measure 1.1.1" in html
    assert f"{comment_url(consultation)}?section=theme&amp;item={theme.pk}" in html


def test_public_page_of_a_shorter_consultation_shows_the_reason(client, world):
    consultation = make_consultation(world, weeks=6)
    html = client.get(public_url(consultation)).content.decode()
    assert "Why it is shorter than 12 weeks" in html
    assert "Urgent budget cycle" in html
    assert "6 weeks" in html


def test_a_closed_consultation_has_no_comment_links(client, world):
    consultation = make_consultation(world, today=timezone.localdate() - timedelta(weeks=13))
    html = client.get(public_url(consultation)).content.decode()
    assert f"Closed on {consultation.closes_on:%-d %B %Y}" in html
    assert comment_url(consultation) not in html


def test_withdrawn_and_other_authorities_consultations_are_not_public(client, world):
    withdrawn = make_consultation(world, title="Withdrawn charter")
    with authority_scope(world.a):
        version_withdraw(version=withdrawn.version, acting_user=moderator(world), reason="Rethink")
    assert client.get(public_url(withdrawn)).status_code == 404
    in_b = make_consultation(world, world.b)
    assert client.get(public_url(in_b)).status_code == 200
    # B's consultation under A's address is not found, nor is its comment form.
    assert client.get(public_url(in_b, world.a)).status_code == 404
    client.force_login(world.resident)
    url_in_a = reverse("charters:comment-create", args=[world.a.slug, in_b.pk]) + "?section=vision"
    assert client.get(url_in_a).status_code == 404
    assert client.post(url_in_a, {"text": "Leak?", "speaking_for": "resident"}).status_code == 404
    assert comment_count(world.b) == 0


def test_public_page_queries_do_not_grow_with_comments(client, world, django_assert_max_num_queries):
    consultation = make_consultation(world)
    theme = first_theme(consultation)

    def add(count):
        for number in range(count):
            comment = add_comment(
                world,
                consultation,
                user=world.community_user,
                organisation=world.community_group if number % 2 else None,
                section="theme" if number % 3 else "vision",
                item=theme if number % 3 else None,
                text=f"Comment {number}",
            )
            publish(world, comment)
            if number % 2:
                answer(world, comment)

    add(5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(public_url(consultation)).status_code == 200
    add(45)
    with django_assert_max_num_queries(len(small)):
        response = client.get(public_url(consultation))
    assert response.content.decode().count('class="govuk-summary-card"') == 50
    assert len(small) <= 12


# The comment form -------------------------------------------------------------------------------------------


def test_commenting_needs_sign_in(client, world):
    consultation = make_consultation(world)
    url = comment_url(consultation, "section=vision")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert "next=" in response["Location"] and "section%3Dvision" in response["Location"]


def test_comment_form_shows_what_is_commented_on(client, world):
    consultation = make_consultation(world)
    theme = first_theme(consultation)
    client.force_login(world.community_user)
    response = client.get(comment_url(consultation, f"section=theme&item={theme.pk}"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Comment on the theme: Theme 1" in html
    assert "Who are you speaking for?" in html
    assert "Yourself, as a resident" in html and "A Residents Forum" in html
    assert 'data-module="govuk-character-count"' in html and 'data-maxlength="5000"' in html


@pytest.mark.parametrize(
    "query", ["", "section=nonsense", "section=theme", "section=theme&item=abc", "section=theme&item=999999"]
)
def test_comment_form_needs_a_part_of_this_charter(client, world, query):
    consultation = make_consultation(world)
    client.force_login(world.resident)
    assert client.get(comment_url(consultation, query)).status_code == 404


def test_comment_on_an_item_from_another_version_answers_404(client, world):
    consultation = make_consultation(world)
    _, other = build_charter(world, world.a, title="Other charter")
    with authority_scope(world.a):
        other_theme = other.themes.first()
    client.force_login(world.resident)
    url = comment_url(consultation, f"section=theme&item={other_theme.pk}")
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Hello", "speaking_for": "resident"}).status_code == 404
    assert comment_count(world.a) == 0


def test_sending_a_comment_for_a_group(client, world):
    consultation = make_consultation(world)
    theme = first_theme(consultation)
    client.force_login(world.community_user)
    response = client.post(
        comment_url(consultation, f"section=theme&item={theme.pk}"),
        {"text": "Local jobs first", "speaking_for": str(world.community_group.pk)},
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("charters:comment-sent", args=[world.a.slug, consultation.pk])
    with authority_scope(world.a):
        comment = Comment.objects.get()
    assert (comment.status, comment.organisation, comment.theme) == (
        CommentStatus.HELD,
        world.community_group,
        theme,
    )
    html = client.get(response["Location"]).content.decode()
    assert "Your comment has been sent" in html
    assert "It will appear once it has been checked." in html


def test_an_empty_comment_answers_422(client, world):
    consultation = make_consultation(world)
    client.force_login(world.resident)
    response = client.post(comment_url(consultation, "section=vision"), {"text": "  ", "speaking_for": "resident"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>Error: Comment on the vision" in html
    assert 'href="#id_text">Enter your comment</a>' in html
    assert 'id="id_text-error"' in html
    assert comment_count(world.a) == 0


def test_a_non_member_cannot_speak_for_a_group(client, world):
    consultation = make_consultation(world)
    group = OrganisationFactory(kind=OrganisationKind.COMMUNITY_GROUP, name="Someone Else's Group")
    client.force_login(world.community_user)
    response = client.post(
        comment_url(consultation, "section=vision"), {"text": "Hello", "speaking_for": str(group.pk)}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "You can only speak for a community group you are an approved member of" in html
    assert 'id="id_speaking_for-error"' in html
    assert "Someone Else&#x27;s Group" not in html
    assert comment_count(world.a) == 0


def test_after_the_close_date_the_form_is_refused(client, world):
    consultation = make_consultation(world, today=timezone.localdate() - timedelta(weeks=13))
    client.force_login(world.resident)
    url = comment_url(consultation, "section=vision")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"This consultation closed on {consultation.closes_on:%-d %B %Y}" in html
    assert "<textarea" not in html
    # Sent anyway (a form loaded before the close): refused, nothing saved, the text given back.
    response = client.post(url, {"text": "Too late to say", "speaking_for": "resident"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>Error:" in html and "There is a problem" in html
    assert "Too late to say" in html
    assert comment_count(world.a) == 0


# Moderation pages -------------------------------------------------------------------------------------------


def manage_url(consultation, query=""):
    url = reverse("charters:consultation-manage", args=[consultation.authority.slug, consultation.pk])
    return f"{url}?{query}" if query else url


def action_url(name, comment):
    return reverse(f"charters:comment-{name}", args=[comment.authority.slug, comment.consultation_id, comment.pk])


def test_evaluator_can_read_but_not_moderate(client, world):
    consultation = make_consultation(world)
    comment = add_comment(world, consultation, text="A held comment")
    client.force_login(world.user(world.a, Role.EVALUATOR))
    response = client.get(manage_url(consultation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A held comment" in html and "Rae Resident" in html
    assert action_url("publish", comment) not in html
    for name, data in [("publish", {}), ("hide", {f"c{comment.pk}-reason": "No"}), ("respond", {})]:
        assert client.post(action_url(name, comment), data).status_code == 403
    with authority_scope(world.a):
        comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD


def test_moderation_lists_and_counts(client, world):
    consultation = make_consultation(world)
    add_comment(world, consultation, text="Held one")
    answered = publish(world, add_comment(world, consultation, text="Answered one"))
    answer(world, answered)
    publish(world, add_comment(world, consultation, text="Unanswered one"))
    hide(world, add_comment(world, consultation, text="Hidden one"))
    client.force_login(moderator(world))
    html = client.get(manage_url(consultation)).content.decode()
    assert "Held one" in html and "Answered one" not in html  # the held list comes first
    for name in ["held", "unanswered", "answered", "hidden"]:
        assert f'<span id="count-{name}">1</span>' in html
    assert "Hidden one" in client.get(manage_url(consultation, "show=hidden")).content.decode()
    assert "It names a member of staff" in client.get(manage_url(consultation, "show=hidden")).content.decode()
    answered_html = client.get(manage_url(consultation, "show=answered")).content.decode()
    assert "Answered one" in answered_html and "Change the response" in answered_html


def test_publish_without_javascript_redirects_back(client, world):
    consultation = make_consultation(world)
    comment = add_comment(world, consultation)
    client.force_login(moderator(world))
    response = client.post(action_url("publish", comment), {"show": "held"})
    assert response.status_code == 303
    assert response["Location"] == manage_url(consultation, "show=held")
    with authority_scope(world.a):
        comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED
    html = client.get(response["Location"]).content.decode()
    assert f"Comment {comment.pk} published." in html


def test_publish_with_htmx_returns_the_card(client, world):
    consultation = make_consultation(world)
    comment = add_comment(world, consultation)
    client.force_login(moderator(world))
    response = client.post(action_url("publish", comment), {"show": "held"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith(f'<div class="govuk-summary-card" id="comment-{comment.pk}">')
    assert f"Comment {comment.pk} published." in html
    assert "Answer this comment" in html  # the card now offers the response form
    assert '<span id="count-held" hx-swap-oob="true">0</span>' in html
    assert '<span id="count-unanswered" hx-swap-oob="true">1</span>' in html


def test_hide_without_a_reason_answers_422(client, world):
    consultation = make_consultation(world)
    comment = add_comment(world, consultation)
    client.force_login(moderator(world))
    url = action_url("hide", comment)
    field = f"c{comment.pk}-reason"
    # Without JavaScript: the whole page, its error summary linking to the card's field.
    response = client.post(url, {field: " ", "show": "held"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<title>Error: Comments and answers" in html
    assert f'href="#id_{field}">Enter why the comment is hidden' in html
    assert f'id="id_{field}-error"' in html
    assert '<details class="govuk-details" open>' in html
    # With htmx: just the card, with its own error summary.
    response = client.post(url, {field: ""}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" not in html and "There is a problem" in html and f'id="id_{field}-error"' in html
    with authority_scope(world.a):
        comment.refresh_from_db()
    assert comment.status == CommentStatus.HELD
    assert not events(world.a, "comment.hidden")


def test_hide_with_a_reason(client, world):
    consultation = make_consultation(world)
    comment = add_comment(world, consultation)
    client.force_login(moderator(world))
    response = client.post(action_url("hide", comment), {f"c{comment.pk}-reason": "Off topic"})
    assert response.status_code == 303
    with authority_scope(world.a):
        comment.refresh_from_db()
    assert (comment.status, comment.hidden_reason) == (CommentStatus.HIDDEN, "Off topic")


def test_respond_validation_and_success(client, world):
    consultation = make_consultation(world)
    comment = publish(world, add_comment(world, consultation))
    client.force_login(moderator(world))
    url = action_url("respond", comment)
    prefix = f"c{comment.pk}-"
    response = client.post(url, {f"{prefix}text": "", "show": "unanswered"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose whether the comment was accepted, partly accepted, not accepted or noted" in html
    assert "Enter the response" in html
    assert f'href="#id_{prefix}outcome_0"' in html
    with authority_scope(world.a):
        assert not CommentResponse.objects.exists()
    response = client.post(
        url,
        {f"{prefix}outcome": "accepted", f"{prefix}text": "We agree", f"{prefix}change_made": "Added trees"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "We agree" in html and "Added trees" in html and "Change the response" in html
    assert '<span id="count-answered" hx-swap-oob="true">1</span>' in html
    with authority_scope(world.a):
        assert CommentResponse.objects.get().text == "We agree"


def test_moderating_another_authoritys_comment_answers_404(client, world):
    consultation_b = make_consultation(world, world.b)
    comment_b = add_comment(world, consultation_b)
    consultation_a = make_consultation(world)
    client.force_login(moderator(world))
    # B's comment under A's consultation, and under A's slug with B's consultation.
    for url in [
        reverse("charters:comment-publish", args=[world.a.slug, consultation_a.pk, comment_b.pk]),
        reverse("charters:comment-publish", args=[world.a.slug, consultation_b.pk, comment_b.pk]),
        reverse("charters:consultation-manage", args=[world.a.slug, consultation_b.pk]),
    ]:
        assert client.post(url).status_code == 404
    with authority_scope(world.b):
        comment_b.refresh_from_db()
    assert comment_b.status == CommentStatus.HELD


# A person's own comments ------------------------------------------------------------------------------------


def test_your_comments_lists_comments_across_authorities(client, world):
    in_a = make_consultation(world)
    in_b = make_consultation(world, world.b)
    answered = publish(world, add_comment(world, in_a, text="About A's charter"))
    answer(world, answered, text="A's answer")
    hide(world, add_comment(world, in_a, text="A hidden one"), reason="Off topic")
    add_comment(world, in_b, text="About B's charter")
    add_comment(world, in_b, user=world.community_user, text="Someone else's comment")

    client.force_login(world.resident)
    account = client.get(reverse("accounts:account")).content.decode()
    assert reverse("charters:my-comments") in account
    response = client.get(reverse("charters:my-comments"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["About A's charter", "A's answer", "A hidden one", "Off topic", "About B's charter"]:
        assert text.replace("'", "&#x27;") in html
    assert "Someone else" not in html
    assert "Authority B District Council" in html and "Being checked" in html
    assert len(re.findall(r'class="govuk-summary-card"', html)) == 3


def test_your_comments_needs_sign_in(client, world):
    response = client.get(reverse("charters:my-comments"))
    assert response.status_code == 302
