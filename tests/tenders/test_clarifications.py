"""Clarification questions: asking (deadline on the server's clock), answering with an anonymised question, the
emails, the audit trail, and the pages for bidders and officers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, OrganisationMemberStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from foundation.errors import DomainError
from tenders import clarifications as services
from tenders.models import Clarification, Tender, TenderStatus
from tests.factories import OrganisationFactory, UserFactory, add_org_member
from tests.tenders.test_public import public_tender

pytestmark = pytest.mark.django_db


# Helpers ------------------------------------------------------------------------------------------------------


@pytest.fixture
def tender(world):
    return public_tender(world, world.a, reference="CLARIFY-1", title="Library cleaning")


def ask(world, tender, *, user=None, organisation=None, question="Is the car park included?", now=None):
    with authority_scope(tender.authority):
        return services.clarification_ask(
            tender=tender,
            acting_user=user or world.supplier_both_user,
            organisation=organisation or world.supplier_both,
            question=question,
            now=now,
        )


def answer(world, clarification, *, published="Is the car park included?", text="Yes, both levels.", user=None):
    with authority_scope(clarification.authority):
        return services.clarification_answer(
            clarification=clarification,
            acting_user=user or world.user(clarification.authority, Role.PROCUREMENT_OFFICER),
            published_question=published,
            answer=text,
        )


def officer(world, authority=None):
    return world.user(authority or world.a, Role.PROCUREMENT_OFFICER)


def _ask_url(tender, authority=None):
    return reverse("tenders:clarification-ask", args=[(authority or tender.authority).slug, tender.pk])


def _tender_url(tender):
    return reverse("tenders:tender-public", args=[tender.authority.slug, tender.pk])


def _list_url(tender, authority=None):
    return reverse("tenders:clarification-list", args=[(authority or tender.authority).slug, tender.pk])


def _answer_url(clarification, authority=None):
    return reverse("tenders:clarification-answer", args=[(authority or clarification.authority).slug, clarification.pk])


# Asking (service) ---------------------------------------------------------------------------------------------


def test_a_supplier_member_asks_privately(world, tender, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        clarification = ask(world, tender)
    assert clarification.organisation == world.supplier_both
    assert clarification.asked_by == world.supplier_both_user
    assert not clarification.is_published
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="clarification.asked")
    assert event.changes == {
        "tender": "CLARIFY-1",
        "organisation": "Both Ways Ltd",
        "question": "Is the car park included?",
    }
    # The tender's contact hears that a question is waiting; nobody else is emailed yet.
    assert [message.to for message in mailoutbox] == [["procurement@authority-a.example.org"]]
    assert "Is the car park included?" in mailoutbox[0].body
    assert _list_url(tender) in mailoutbox[0].body


@pytest.mark.parametrize(
    ("question", "message"),
    [("   ", "Enter your question"), ("x" * 3001, "Your question must be 3,000 characters or fewer")],
)
def test_empty_or_long_questions_are_refused(world, tender, question, message):
    with pytest.raises(DomainError) as error:
        ask(world, tender, question=question)
    assert (error.value.message, error.value.field) == (message, "question")


def test_only_approved_members_of_a_supplier_can_ask(world, tender):
    with pytest.raises(DomainError, match="supplier organisation you are an approved member of"):
        ask(world, tender, user=world.community_user, organisation=world.community_group)
    # A supplier the person does not belong to.
    with pytest.raises(DomainError, match="approved member"):
        ask(world, tender, user=world.supplier_one_user, organisation=world.supplier_both)
    pending = UserFactory()
    add_org_member(world.supplier_both, pending, status=OrganisationMemberStatus.PENDING)
    with pytest.raises(DomainError, match="approved member"):
        ask(world, tender, user=pending, organisation=world.supplier_both)
    with authority_scope(world.a):
        assert not Clarification.objects.exists()


def test_the_clarification_deadline_is_the_last_moment(world, tender):
    deadline = tender.clarification_deadline
    ask(world, tender, now=deadline - timedelta(microseconds=1))
    with pytest.raises(services.ClarificationsClosed) as error:
        ask(world, tender, now=deadline)
    assert "The deadline for clarification questions was" in error.value.message
    assert timezone.localtime(deadline).strftime("%Z") in error.value.message  # the zone is named
    with pytest.raises(services.ClarificationsClosed):
        ask(world, tender, now=deadline + timedelta(seconds=1))
    with authority_scope(world.a):
        assert Clarification.objects.count() == 1


def test_without_a_clarification_deadline_the_submission_deadline_is_the_last_moment(world, tender):
    with authority_scope(world.a):
        Tender.objects.filter(pk=tender.pk).update(clarification_deadline=None)
    tender.refresh_from_db()
    ask(world, tender, now=tender.submission_deadline - timedelta(seconds=1))
    with pytest.raises(services.ClarificationsClosed):
        ask(world, tender, now=tender.submission_deadline)


def test_no_questions_before_the_publication_date(world, tender):
    with authority_scope(world.a):
        Tender.objects.filter(pk=tender.pk).update(publish_at=timezone.now() + timedelta(days=1))
    tender.refresh_from_db()
    with pytest.raises(services.ClarificationsClosed, match="You can ask questions from then"):
        ask(world, tender)
    ask(world, tender, now=tender.publish_at)


def test_a_closed_tender_takes_no_questions(world):
    closed = public_tender(world, world.a, reference="CLOSED-1", status=TenderStatus.CLOSED)
    with pytest.raises(services.ClarificationsClosed, match="This tender is closed"):
        ask(world, closed)


# Answering (service) ------------------------------------------------------------------------------------------


def test_answering_publishes_and_emails_every_interested_bidder(
    world, tender, mailoutbox, django_capture_on_commit_callbacks
):
    first = ask(world, tender, question="Both Ways Ltd would like to know: is the car park included?")
    ask(world, tender, user=world.supplier_one_user, organisation=world.supplier_one, question="TUPE?")
    colleague = UserFactory(email="colleague@bothways.example.com", full_name="Col League")
    add_org_member(world.supplier_both, colleague)
    ask(world, tender, user=colleague, question="Parking permits?")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answered = answer(world, first)
    assert answered.is_published
    assert answered.published_question == "Is the car park included?"
    assert answered.question.startswith("Both Ways Ltd")  # what was asked is kept, privately
    assert answered.answered_by == officer(world)
    # One email each, never a shared list; the asker's says it was their question.
    assert sorted(message.to[0] for message in mailoutbox) == [
        "bids@bothways.example.com",
        "bids@onlya.example.com",
        "colleague@bothways.example.com",
    ]
    assert all(len(message.to) == 1 for message in mailoutbox)
    by_address = {message.to[0]: message for message in mailoutbox}
    assert by_address["bids@bothways.example.com"].subject == "Your question about CLARIFY-1 has been answered"
    assert by_address["bids@onlya.example.com"].subject.startswith("New clarification published for CLARIFY-1")
    for message in mailoutbox:
        assert "Is the car park included?" in message.body and "Yes, both levels." in message.body
        assert "Both Ways" not in message.body
        assert f"{_tender_url(tender)}#clarification-{first.pk}" in message.body


def test_answering_is_audited_with_before_and_after(world, tender):
    clarification = answer(world, ask(world, tender))
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="clarification.answered")
    assert event.actor == officer(world)
    assert event.changes["answer"] == {"before": "", "after": "Yes, both levels."}
    assert event.changes["published_question"] == {"before": "", "after": "Is the car park included?"}
    assert event.changes["status"] == {"before": "waiting", "after": "published"}
    assert event.object_id == str(clarification.pk)


def test_changing_an_answer_is_audited_and_not_emailed_again(
    world, tender, mailoutbox, django_capture_on_commit_callbacks
):
    clarification = answer(world, ask(world, tender))
    answered_at = clarification.answered_at
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        changed = answer(world, clarification, text="Yes, the upper level only.")
    assert changed.answer == "Yes, the upper level only."
    assert changed.answered_at == answered_at
    assert mailoutbox == []
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="clarification.answer_edited")
    assert event.changes == {"answer": {"before": "Yes, both levels.", "after": "Yes, the upper level only."}}
    # Saving the same text again records nothing.
    answer(world, clarification, text="Yes, the upper level only.")
    with authority_scope(world.a):
        assert AuditEvent.objects.filter(verb__startswith="clarification.answer").count() == 2


@pytest.mark.parametrize(
    ("published", "text", "field", "named"),
    [
        ("Both Ways Ltd asks about parking", "Yes.", "published_question", "Both Ways Ltd"),
        ("both ways asks about parking", "Yes.", "published_question", "Both Ways"),  # without "Ltd"
        ("Is parking included?", "Yes, Bo Bidder, it is.", "answer", "Bo Bidder"),
        ("Write to bids@bothways.example.com?", "No.", "published_question", "bids@bothways.example.com"),
    ],
)
def test_text_that_names_who_asked_is_refused(world, tender, published, text, field, named):
    clarification = ask(world, tender)
    with pytest.raises(services.BidderNamed) as error:
        answer(world, clarification, published=published, text=text)
    assert error.value.field == field
    assert named in error.value.message
    clarification.refresh_from_db()
    assert not clarification.is_published


def test_short_names_match_only_as_written_and_never_inside_other_words(world, tender):
    care = OrganisationFactory(name="Care")
    add_org_member(care, world.supplier_one_user)
    clarification = ask(world, tender, user=world.supplier_one_user, organisation=care)
    with pytest.raises(services.BidderNamed):
        answer(world, clarification, published="Does Care need a licence?", text="Yes.")
    answer(world, clarification, published="Does home care need a licence? Is careful planning enough?", text="Yes.")
    ash = OrganisationFactory(name="Ash Ltd")
    add_org_member(ash, world.supplier_one_user)
    clarification = ask(world, tender, user=world.supplier_one_user, organisation=ash)
    # Without "Ltd" only one word is left, so only "Ash Ltd" counts; "cash" is never a match.
    answer(world, clarification, published="Is payment by cash allowed? Are ash trees protected?", text="No.")


@pytest.mark.parametrize(
    ("published", "text", "message"),
    [
        ("", "Yes.", "Enter the question as it will be published"),
        ("Parking?", "  ", "Enter the answer"),
        ("x" * 3001, "Yes.", "The published question must be 3,000 characters or fewer"),
        ("Parking?", "x" * 5001, "The answer must be 5,000 characters or fewer"),
    ],
)
def test_answers_need_both_texts_within_their_limits(world, tender, published, text, message):
    with pytest.raises(DomainError, match=message):
        answer(world, ask(world, tender), published=published, text=text)


def test_a_cancelled_tenders_questions_cannot_be_answered(world, tender):
    clarification = ask(world, tender)
    with authority_scope(world.a):
        Tender.objects.filter(pk=tender.pk).update(status=TenderStatus.CANCELLED)
    with pytest.raises(services.ClarificationsClosed, match="cancelled"):
        answer(world, clarification)


# Asking (pages) -----------------------------------------------------------------------------------------------


def test_asking_needs_an_account(client, tender):
    response = client.get(_ask_url(tender))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("who", ["community_user", "resident"])
def test_people_without_a_supplier_organisation_are_told_what_they_need(client, world, tender, who):
    client.force_login(getattr(world, who))
    for response in (client.get(_ask_url(tender)), client.post(_ask_url(tender), {"question": "Hello?"})):
        assert response.status_code == 403
        text = response.content.decode()
        assert "You need a supplier organisation to ask a question" in text
        assert reverse("accounts:organisation-create") in text
    with authority_scope(world.a):
        assert not Clarification.objects.exists()


def test_a_bidder_asks_and_sees_their_question_on_the_tender_page(client, world, tender):
    client.force_login(world.supplier_both_user)
    response = client.get(_ask_url(tender))
    assert response.status_code == 200
    text = response.content.decode()
    assert "You are asking for <strong>Both Ways Ltd</strong>" in text
    response = client.post(
        _ask_url(tender), {"question": "Is the car park included?", "organisation": world.supplier_both.pk}
    )
    assert response.status_code == 303
    assert response["Location"] == f"{_tender_url(tender)}#your-questions"
    page = client.get(_tender_url(tender)).content.decode()
    assert "Your question has been sent to Authority A Borough Council" in page
    assert "Your clarification questions" in page and "Is the car park included?" in page
    assert "Waiting for an answer" in page


def test_questions_are_private_to_the_asking_organisation(client, world, tender):
    ask(world, tender, question="A private question from Both Ways")
    colleague = UserFactory()
    add_org_member(world.supplier_both, colleague)
    client.force_login(colleague)
    assert "A private question from Both Ways" in client.get(_tender_url(tender)).content.decode()
    client.force_login(world.supplier_one_user)
    text = client.get(_tender_url(tender)).content.decode()
    assert "A private question from Both Ways" not in text
    assert "You have not asked any questions about this tender." in text
    client.logout()
    assert "A private question from Both Ways" not in client.get(_tender_url(tender)).content.decode()


def test_a_person_in_two_suppliers_chooses_which_they_ask_for(client, world, tender):
    add_org_member(world.supplier_one, world.supplier_both_user)
    client.force_login(world.supplier_both_user)
    text = client.get(_ask_url(tender)).content.decode()
    assert "Which organisation are you asking for?" in text
    response = client.post(_ask_url(tender), {"question": "Which lots?"})
    assert response.status_code == 422
    assert "Choose the organisation you are asking for" in response.content.decode()
    other = OrganisationFactory(name="Not Mine Ltd")
    response = client.post(_ask_url(tender), {"question": "Which lots?", "organisation": other.pk})
    assert response.status_code == 422
    response = client.post(_ask_url(tender), {"question": "Which lots?", "organisation": world.supplier_one.pk})
    assert response.status_code == 303
    with authority_scope(world.a):
        assert Clarification.objects.get().organisation == world.supplier_one


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "Enter your question"), ("Why? " * 700, "Your question must be 3,000 characters or fewer")],
)
def test_bad_questions_answer_422_with_the_error_summary_and_keep_the_input(client, world, tender, question, message):
    client.force_login(world.supplier_both_user)
    response = client.post(_ask_url(tender), {"question": question, "organisation": world.supplier_both.pk})
    assert response.status_code == 422
    text = response.content.decode()
    assert "<title>Error: " in text and "There is a problem" in text and message in text
    if question:
        assert "Why? Why?" in text


def test_after_the_deadline_the_form_is_refused_on_get_and_post(client, world):
    now = timezone.now()
    late = public_tender(
        world,
        world.a,
        reference="LATE-1",
        clarification_deadline=now - timedelta(seconds=1),
        deadline=now + timedelta(days=3),
    )
    client.force_login(world.supplier_both_user)
    response = client.get(_ask_url(late))
    assert response.status_code == 200
    text = response.content.decode()
    assert "The deadline for clarification questions was" in text
    assert 'name="question"' not in text
    response = client.post(_ask_url(late), {"question": "Just in time?", "organisation": world.supplier_both.pk})
    assert response.status_code == 422
    text = response.content.decode()
    assert "<title>Error: " in text and "There is a problem" in text
    assert "Just in time?" in text  # what was typed is given back
    with authority_scope(world.a):
        assert not Clarification.objects.exists()
    # The tender page says so instead of offering the button.
    page = client.get(_tender_url(late)).content.decode()
    assert 'id="ask-question"' not in page and "The deadline for clarification questions was" in page


def test_no_questions_on_drafts_cancelled_or_another_authoritys_tender(client, world):
    client.force_login(world.supplier_both_user)
    draft = public_tender(world, world.a, reference="DRAFT-1", status=TenderStatus.DRAFT)
    cancelled = public_tender(world, world.a, reference="CANCELLED-1", status=TenderStatus.CANCELLED)
    other = public_tender(world, world.b, reference="B-1")
    assert client.get(_ask_url(draft)).status_code == 404
    assert client.post(_ask_url(cancelled), {"question": "Hello?"}).status_code == 404
    assert client.get(_ask_url(other, world.a)).status_code == 404
    assert client.post(_ask_url(other, world.a), {"question": "Hello?"}).status_code == 404
    assert client.get(_ask_url(other)).status_code == 200


# Staff pages --------------------------------------------------------------------------------------------------


def test_every_staff_role_reads_the_questions_only_officers_answer(client, world, tender):
    clarification = ask(world, tender)
    for role in Role:
        client.force_login(world.user(world.a, role))
        response = client.get(_list_url(tender))
        assert response.status_code == 200, role
        text = response.content.decode()
        assert "Bo Bidder" in text and "Both Ways Ltd" in text and "Is the car park included?" in text
        can_answer = role == Role.PROCUREMENT_OFFICER
        assert (_answer_url(clarification) in text) == can_answer, role
        assert client.get(_answer_url(clarification)).status_code == (200 if can_answer else 403), role


def test_the_list_shows_waiting_questions_first_and_empty_states(client, world, tender):
    client.force_login(officer(world))
    text = client.get(_list_url(tender)).content.decode()
    assert "No questions are waiting for an answer." in text and "No questions have been answered yet." in text
    first = ask(world, tender, question="First question")
    ask(world, tender, question="Second question")
    answer(world, first)
    text = client.get(_list_url(tender)).content.decode()
    assert text.index("Second question") < text.index("First question")
    assert 'id="count-waiting">1<' in text and 'id="count-answered">1<' in text


def test_an_officer_answers_from_a_prefilled_form(
    client, world, tender, mailoutbox, django_capture_on_commit_callbacks
):
    clarification = ask(world, tender, question="Both Ways Ltd asks: is the car park included?")
    client.force_login(officer(world))
    response = client.get(_answer_url(clarification))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["published_question"].value() == "Both Ways Ltd asks: is the car park included?"
    # Publishing the bidder's words as they are is refused: they name the bidder.
    response = client.post(
        _answer_url(clarification),
        {"published_question": "Both Ways Ltd asks: is the car park included?", "answer": "Yes."},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "The published question names who asked" in text and "There is a problem" in text
    assert "Yes.</textarea>" in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _answer_url(clarification), {"published_question": "Is the car park included?", "answer": "Yes."}
        )
    assert response.status_code == 303
    assert response["Location"] == f"{_list_url(tender)}#clarification-{clarification.pk}"
    assert [message.to for message in mailoutbox] == [["bids@bothways.example.com"]]
    page = client.get(_tender_url(tender)).content.decode()
    assert "Is the car park included?" in page and "Both Ways" not in page
    # Changing it later.
    response = client.get(_answer_url(clarification))
    assert "Change the answer to question" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _answer_url(clarification), {"published_question": "Is the car park included?", "answer": "Partly."}
        )
    assert response.status_code == 303
    assert "Partly." in client.get(_tender_url(tender)).content.decode()
    assert len(mailoutbox) == 1


def test_empty_answers_answer_422_and_keep_the_input(client, world, tender):
    clarification = ask(world, tender)
    client.force_login(officer(world))
    response = client.post(_answer_url(clarification), {"published_question": "Parking?", "answer": ""})
    assert response.status_code == 422
    text = response.content.decode()
    assert "Enter the answer" in text and "Parking?</textarea>" in text


def test_staff_pages_for_another_authoritys_tender_or_question_are_404(client, world, tender):
    clarification_b = ask(world, public_tender(world, world.b, reference="B-1"))
    tender_b = clarification_b.tender
    client.force_login(officer(world))
    assert client.get(_list_url(tender_b, world.a)).status_code == 404
    assert client.get(_answer_url(clarification_b, world.a)).status_code == 404
    assert (
        client.post(_answer_url(clarification_b, world.a), {"published_question": "x", "answer": "y"}).status_code
        == 404
    )
    clarification_b.refresh_from_db()
    assert not clarification_b.is_published
