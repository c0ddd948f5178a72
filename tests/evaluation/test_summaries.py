"""Assessment summaries (Procurement Act 2023 s.50): issued to every assessed bidder when the award is decided, with
its scores and the winner's by criterion, the moderated rationales as reasons, its rank and the standstill end; as
a page and a PDF job; each bidder sees only its own summary (never another losing bidder's scores); members are
emailed; staff download the PDFs through the job pages."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditEvent, Job, JobStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import selectors, services, summaries
from evaluation.models import AssessmentSummary
from tests.evaluation.factories import build_evaluation, build_opened_tender, score_everything

pytestmark = pytest.mark.django_db

AGREED = [4, 3, 1]  # Bidder 1 wins, Bidder 2 second, Bidder 3 third


def _rationale(o_index, question):
    return f"MARK-{o_index}-{question.kind}: agreed reason for bidder {o_index + 1}."


def _awarded(world, django_capture_on_commit_callbacks, *, run_jobs=True):
    """Three bids, scored, moderated with a distinct rationale per offer and question, finalised, awarded to Bidder 1.
    With run_jobs, the decision's after-commit work runs: the PDF jobs and the emails."""
    tender, offers = build_opened_tender(world, world.a, bids=3)
    evaluation, members = build_evaluation(world, tender)
    score_everything(evaluation, members, lambda m, o, q: AGREED[o])
    moderator = members[0].user
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a):
        for o_index, offer in enumerate(offers):
            for question in selectors.questions_for(tender):
                services.moderated_score_record(
                    evaluation=evaluation,
                    offer=offer,
                    question=question,
                    score=Decimal(AGREED[o_index]),
                    rationale=_rationale(o_index, question),
                    acting_user=moderator,
                )
        evaluation = services.moderation_finalise(evaluation=evaluation, acting_user=moderator)
        with django_capture_on_commit_callbacks(execute=run_jobs):
            award = services.award_decide(
                evaluation=evaluation, lot=None, offer=offers[0], reasons="Highest total.", acting_user=officer
            )
    return award, offers


def _summary_url(authority, award):
    return reverse("evaluation:summary", args=[authority.slug, award.pk])


def _user(index):
    from accounts.models import User

    return User.objects.get(email=f"bidder{index + 1}@example.com")


def test_deciding_the_award_issues_a_summary_per_assessed_bidder_with_its_pdf_and_emails(
    world, django_capture_on_commit_callbacks
):
    award, offers = _awarded(world, django_capture_on_commit_callbacks)
    with authority_scope(world.a):
        issued = list(AssessmentSummary.objects.filter(award=award).select_related("job").order_by("offer_id"))
        assert [s.offer_id for s in issued] == [o.pk for o in offers]
        assert all(s.job.status == JobStatus.SUCCEEDED and s.job.sha256 for s in issued)
        assert AuditEvent.objects.filter(verb="evaluation.summaries_issued").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == [f"bidder{i}@example.com" for i in (1, 2, 3)]
    message = next(m for m in mail.outbox if m.to == ["bidder2@example.com"])
    assert award.evaluation.tender.reference in message.subject
    assert _summary_url(world.a, award) in message.body
    assert "Standstill ends at midnight at the end of" in message.body


def test_the_summary_data_follows_the_results_and_the_moderated_reasons(world, django_capture_on_commit_callbacks):
    award, offers = _awarded(world, django_capture_on_commit_callbacks, run_jobs=False)
    with authority_scope(world.a):
        data = summaries.summary_build(award, offers[1])
        results = selectors.results(award.evaluation, None)
        questions = selectors.questions_for(award.evaluation.tender)
    rows = {row.offer.pk: row for row in results.rows}
    assert (data.rank, data.offers_assessed, data.is_winner) == (2, 3, False)
    assert data.total == rows[offers[1].pk].total and data.winner_total == rows[offers[0].pk].total
    assert sum(line.points for line in data.lines) == data.total
    assert sum(line.winner_points for line in data.lines) == data.winner_total
    assert data.winner_supplier == "Bidder 1 Ltd" and data.supplier == "Bidder 2 Ltd"
    reasons = {line.reason for line in data.lines} | {line.winner_reason for line in data.lines}
    for question in questions:
        assert _rationale(1, question) in reasons and _rationale(0, question) in reasons
        assert _rationale(2, question) not in reasons
    assert data.standstill_ends_on == award.standstill_ends_on


def test_each_bidder_sees_only_its_own_summary_and_the_winners(client, world, django_capture_on_commit_callbacks):
    award, _ = _awarded(world, django_capture_on_commit_callbacks, run_jobs=False)
    url = _summary_url(world.a, award)
    for index, others in ((1, [2]), (2, [1]), (0, [1, 2])):
        client.force_login(_user(index))
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"MARK-{index}-quality" in html and "MARK-0-quality" in html  # its reasons and the winner's
        for other in others:
            assert f"MARK-{other}-" not in html  # never another losing bidder's
            assert f"Bidder {other + 1} Ltd" not in html
        assert f"{award.standstill_ends_on:%A %-d %B %Y}" in html
    client.force_login(_user(1))
    html = client.get(url).content.decode()
    assert "was ranked 2 of 3" in html and "award the contract to Bidder 1 Ltd" in html
    # My summaries: across authorities, only the person's organisations.
    html = client.get(reverse("evaluation:my-summaries")).content.decode()
    assert "Bidder 2 Ltd" in html and "Not awarded" in html and "Bidder 3 Ltd" not in html
    assert url in html
    assert reverse("evaluation:my-summaries") in client.get(reverse("accounts:account")).content.decode()


def test_everyone_else_gets_404(client, world, django_capture_on_commit_callbacks):
    award, _ = _awarded(world, django_capture_on_commit_callbacks, run_jobs=False)
    url = _summary_url(world.a, award)
    with authority_scope(world.a):
        summary = AssessmentSummary.objects.filter(award=award).first()
    pdf = reverse("evaluation:summary-pdf", args=[world.a.slug, summary.pk])
    for user in (
        world.supplier_one_user,  # a supplier with no offer in this award
        world.supplier_both_user,
        world.resident,
        world.user(world.b, Role.PROCUREMENT_OFFICER),  # staff of another authority
        world.user(world.a, Role.PROCUREMENT_OFFICER),  # staff read summaries through the award page, not here
    ):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        assert client.get(pdf).status_code == 404, user
    # The right bidder under another authority's address: not found there.
    client.force_login(_user(0))
    assert client.get(_summary_url(world.b, award)).status_code == 404
    assert client.get(reverse("evaluation:summary-pdf", args=[world.b.slug, summary.pk])).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:sign-in") in response["Location"]


def test_the_pdf_has_the_bidders_scores_and_reasons_and_the_winners(client, world, django_capture_on_commit_callbacks):
    award, offers = _awarded(world, django_capture_on_commit_callbacks)
    with authority_scope(world.a):
        summary = AssessmentSummary.objects.select_related("job").get(award=award, offer=offers[2])
        data = summaries.summary_build(award, offers[2])
    client.force_login(_user(2))
    html = client.get(_summary_url(world.a, award)).content.decode()
    assert "Download PDF" in html and "still being made" not in html
    response = client.get(reverse("evaluation:summary-pdf", args=[world.a.slug, summary.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Assessment summary" in text and "Bidder 3 Ltd" in text and "Bidder 1 Ltd" in text
    assert "MARK-2-quality" in text and "MARK-0-quality" in text and "MARK-1-" not in text
    assert "Bidder 2 Ltd" not in text
    assert f"{data.total:.2f}" in text and f"{data.winner_total:.2f}" in text
    assert "ranked 3 of 3" in text
    assert reader.trailer["/Root"].get("/MarkInfo") is not None  # tagged
    with authority_scope(world.a):
        assert AuditEvent.objects.filter(verb="job.downloaded", object_id=str(summary.job_id)).exists()


def test_a_pdf_not_made_yet_says_so(client, world, django_capture_on_commit_callbacks):
    award, offers = _awarded(world, django_capture_on_commit_callbacks, run_jobs=False)
    with authority_scope(world.a):
        summary = AssessmentSummary.objects.get(award=award, offer=offers[1])
    client.force_login(_user(1))
    assert "still being made" in client.get(_summary_url(world.a, award)).content.decode()
    response = client.get(reverse("evaluation:summary-pdf", args=[world.a.slug, summary.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The PDF is not ready yet" in html and "Refresh this page" in html
    # A job left waiting too long (its worker lost) is replaced when the bidder comes back.
    with authority_scope(world.a):
        Job.objects.filter(pk=summary.job_id).update(created_at=timezone.now() - timedelta(minutes=20))
    client.get(reverse("evaluation:summary-pdf", args=[world.a.slug, summary.pk]))
    with authority_scope(world.a):
        replaced = AssessmentSummary.objects.get(pk=summary.pk).job_id
    assert replaced != summary.job_id


def test_staff_download_the_summaries_through_the_job_pages(client, world, django_capture_on_commit_callbacks):
    award, offers = _awarded(world, django_capture_on_commit_callbacks)
    with authority_scope(world.a):
        summary = AssessmentSummary.objects.get(award=award, offer=offers[1])
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    html = client.get(reverse("evaluation:award", args=[world.a.slug, award.evaluation_id])).content.decode()
    job_url = reverse("accounts:job-detail", args=[world.a.slug, summary.job_id])
    assert job_url in html
    download = reverse("accounts:job-download", args=[world.a.slug, summary.job_id])
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    # Evaluators do not handle awards: the job is not theirs to see.
    client.force_login(world.user(world.a, Role.EVALUATOR))
    assert client.get(download).status_code == 404
