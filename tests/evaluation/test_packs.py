"""Evaluation packs: the three job kinds run in-process on a moderated, awarded evaluation, and the files read back
(the PDF's text, the XLSX with openpyxl, the CSV with csv) agree with the database; the job keeps each file's SHA-256;
the page refuses before moderation is finalised; downloads are audited."""

import csv
import hashlib
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.jobs import job_execute
from accounts.models import AuditEvent, Job, JobStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from evaluation import packs, selectors, services
from evaluation.models import ModeratedScore, Score
from foundation.errors import DomainError
from tenders import offers as offer_services
from tenders.models import Tender
from tenders.services import tender_close
from tests.evaluation.factories import (
    build_awarded,
    build_evaluation,
    build_opened_tender,
    moderate_everything,
    score_everything,
)
from tests.tenders.factories import build_tender

pytestmark = pytest.mark.django_db

INJECTED = '=HYPERLINK("http://evil.example")'


def _score(m, o, q) -> Decimal:
    # The second evaluator marks the second offer 2 lower: a spread the pack flags.
    base = max(0, 4 - o)
    return Decimal(max(0, base - 2) if (m == 1 and o == 1) else base)


def _rationale(m, o, q) -> str:
    return INJECTED if (m, o, q) == (1, 0, 0) else f"Evaluator {m + 1} on offer {o + 1}, question {q + 1}: sound."


def _evaluated(world, *, bids=2):
    """A finalised and awarded evaluation whose every score has its own rationale (one of them a spreadsheet
    formula, which the files must neutralise)."""
    tender, offers = build_opened_tender(world, world.a, bids=bids)
    evaluation, members = build_evaluation(world, tender)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a):
        questions = selectors.questions_for(tender)
        # A first thought, changed before submitting: the audit trail in the pack keeps both.
        services.score_record(
            member=members[0],
            offer=offers[0],
            question=questions[0],
            score=Decimal("2"),
            rationale="First reading.",
            acting_user=members[0].user,
        )
        for m, member in enumerate(members):
            for o, offer in enumerate(offers):
                for q, question in enumerate(questions):
                    services.score_record(
                        member=member,
                        offer=offer,
                        question=question,
                        score=_score(m, o, q),
                        rationale=_rationale(m, o, q),
                        acting_user=member.user,
                    )
            services.scores_submit(member=member, acting_user=member.user)
        for o, offer in enumerate(offers):
            for q, question in enumerate(questions):
                services.moderated_score_record(
                    evaluation=evaluation,
                    offer=offer,
                    question=question,
                    score=_score(0, o, q),
                    rationale=f"Agreed for offer {o + 1}, question {q + 1} after discussion.",
                    acting_user=members[0].user,
                )
        evaluation = services.moderation_finalise(evaluation=evaluation, acting_user=members[0].user)
        services.award_decide(
            evaluation=evaluation,
            lot=None,
            offer=offers[0],
            reasons="Highest total: the cheapest offer with the strongest answers.",
            acting_user=officer,
            today=date(2026, 11, 2),
        )
    return evaluation


def _make_pack(world, evaluation, capture) -> dict:
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a):
        with capture(execute=True):
            jobs = packs.pack_start(evaluation=evaluation, acting_user=officer)
        for job in jobs:
            job.refresh_from_db()
            assert job.status == JobStatus.SUCCEEDED, job.error
        return {job.kind: job for job in jobs}


def _bytes(job) -> bytes:
    with authority_scope(job.authority), job.file.open("rb") as handle:
        return handle.read()


def _pdf(job):
    reader = PdfReader(io.BytesIO(_bytes(job)))
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    return reader, pages


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _name(user) -> str:
    return user.full_name or user.email


# The files ----------------------------------------------------------------------------------------------------


def test_pdf_holds_every_offer_score_and_rationale(world, django_capture_on_commit_callbacks):
    evaluation = _evaluated(world, bids=2)
    jobs = _make_pack(world, evaluation, django_capture_on_commit_callbacks)
    reader, pages = _pdf(jobs[packs.PACK_PDF])
    text = " ".join(pages)

    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title.startswith(f"Evaluation pack: {evaluation.tender.reference}")
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page

    with authority_scope(world.a):
        labels = packs.question_labels(selectors.questions_for(evaluation.tender))
        for offer, _ in selectors.evaluable_offers(evaluation.tender):
            assert f"Individual scores: {offer.organisation.name}" in text
            assert f"Commitments: {offer.organisation.name}" in text
        scores = list(Score.objects.filter(panel_member__evaluation=evaluation).select_related("panel_member__user"))
        assert len(scores) == 8
        for score in scores:
            row = f"{labels[score.question_id]} {_name(score.panel_member.user)} {_number(score.score)} / 5 "
            assert row + score.rationale in text
        for agreed in ModeratedScore.objects.filter(evaluation=evaluation):
            assert f"{_number(agreed.score)} / 5 {agreed.rationale}" in text
    # The spread on the second offer is flagged; the threshold assessment, ranking, award and audit are there.
    assert "flagged" in text
    assert "Threshold assessment" in text and "is above the" in text
    assert "Relevant measures: the whole tender" in text
    assert "1 Bidder 1 Ltd £200,000" in text
    assert "the winner does not change if the social value weighting moves by 5 points" in text
    assert "Awarded to Bidder 1 Ltd" in text
    assert "ends at midnight at the end of Thursday 12 November 2026" in text
    assert "Finalised moderation" in text and "Decided the award to Bidder 1 Ltd" in text
    assert "Changed a score for Bidder 1 Ltd, Quality question 1: 2 to 4, with a new rationale" in text


def test_bigger_pdf_runs_over_pages_and_repeats_table_headers(world, django_capture_on_commit_callbacks):
    small = _make_pack(world, build_awarded(world, world.a, bids=2).evaluation, django_capture_on_commit_callbacks)
    big = _make_pack(world, _evaluated(world, bids=6), django_capture_on_commit_callbacks)
    _, small_pages = _pdf(small[packs.PACK_PDF])
    _, big_pages = _pdf(big[packs.PACK_PDF])
    assert len(big_pages) > len(small_pages) > 1
    # The audit trail's table runs over several pages, its header row on each.
    audit_pages = [page for page in big_pages if "Recorded a score for" in page]
    assert len(audit_pages) >= 2
    assert all("When Who What" in page for page in audit_pages)


def test_xlsx_matches_the_database_row_for_row(world, django_capture_on_commit_callbacks):
    evaluation = _evaluated(world, bids=3)
    jobs = _make_pack(world, evaluation, django_capture_on_commit_callbacks)
    workbook = load_workbook(io.BytesIO(_bytes(jobs[packs.PACK_XLSX])))
    assert workbook.sheetnames == ["Offers", "Commitments", "Individual scores", "Moderated scores", "Ranking"]
    sheets = {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}
    for name, rows in sheets.items():
        assert rows[0] == tuple(header for header, _ in packs.XLSX_SHEETS[name]), name

    with authority_scope(world.a):
        tender = evaluation.tender
        labels = packs.question_labels(selectors.questions_for(tender))
        offers = selectors.evaluable_offers(tender)
        results = selectors.results(evaluation, None)
        scores = Score.objects.filter(panel_member__evaluation=evaluation).select_related(
            "panel_member__user", "offer__organisation"
        )
        expected_scores = sorted(
            (s.offer.organisation.name, labels[s.question_id], _name(s.panel_member.user), float(s.score), s.rationale)
            for s in scores
        )
        agreed = ModeratedScore.objects.filter(evaluation=evaluation).select_related("offer__organisation")
        expected_agreed = sorted(
            (m.offer.organisation.name, labels[m.question_id], float(m.score), m.rationale) for m in agreed
        )
        award = evaluation.awards.get()

    # Offers: one row per submitted offer, the submitted price as a number, the time of receipt as a date and time.
    offer_rows = sheets["Offers"][1:]
    assert len(offer_rows) == len(offers)
    for row, (offer, submission) in zip(offer_rows, offers, strict=True):
        assert row[1:4] == (offer.organisation.name, offer.pk, submission.number)
        assert row[4] == timezone.localtime(submission.received_at).replace(tzinfo=None, microsecond=0)
        assert row[5] == submission.receipt
        assert row[6] == float(submission.content["price"])
    # Commitments: as submitted.
    submitted = [(o.pk, c["measure"], float(c["quantity"])) for o, s in offers for c in s.content["commitments"]]
    assert [(r[2], r[3], r[5]) for r in sheets["Commitments"][1:]] == submitted

    individual = sheets["Individual scores"][1:]
    got = sorted((r[1], r[3], r[5], r[6], r[8]) for r in individual)
    # A rationale that looks like a formula is written as text, not run.
    assert [row[4] for row in got if row[4].startswith(("=", "'"))] == ["'" + INJECTED]
    assert got == sorted((*e[:4], "'" + e[4] if e[4] == INJECTED else e[4]) for e in expected_scores)
    assert all(isinstance(r[6], int | float) and isinstance(r[9], datetime) for r in individual)

    moderated = sheets["Moderated scores"][1:]
    assert sorted((r[1], r[3], r[5], r[9]) for r in moderated) == expected_agreed
    flagged = [(r[1], r[3]) for r in moderated if r[8]]
    assert flagged == [("Bidder 2 Ltd", "Quality question 1"), ("Bidder 2 Ltd", "Social value question 1")]

    ranking = sheets["Ranking"][1:]
    assert [(r[1], r[4]) for r in ranking] == [(row.rank, row.offer.pk) for row in results.rows]
    assert [r[9] for r in ranking] == pytest.approx([float(row.total) for row in results.rows])
    assert ranking[0][10] is True and ranking[0][11] == datetime.combine(award.standstill_ends_on, datetime.min.time())
    assert all(r[10] is False and r[11] is None for r in ranking[1:])


def test_csv_has_one_row_per_score_in_long_form(world, django_capture_on_commit_callbacks):
    evaluation = _evaluated(world, bids=2)
    jobs = _make_pack(world, evaluation, django_capture_on_commit_callbacks)
    raw = _bytes(jobs[packs.PACK_CSV])
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    with authority_scope(world.a):
        labels = packs.question_labels(selectors.questions_for(evaluation.tender))
        scores = list(
            Score.objects.filter(panel_member__evaluation=evaluation).select_related(
                "panel_member__user", "offer__organisation"
            )
        )
        agreed = list(ModeratedScore.objects.filter(evaluation=evaluation).select_related("offer__organisation"))
    assert list(rows[0]) == packs.CSV_COLUMNS
    assert len(rows) == len(scores) + len(agreed) == 12

    def row(score, evaluator, rationale):
        where = (str(score.offer_id), score.offer.organisation.name, labels[score.question_id])
        return (*where, evaluator, f"{score.score:f}", "5", rationale)

    # A rationale starting with "=" is written as text (with a leading apostrophe), never as a formula.
    by_evaluators = [
        row(s, _name(s.panel_member.user), "'" + s.rationale if s.rationale.startswith("=") else s.rationale)
        for s in scores
    ]
    by_moderator = [row(m, "moderated", m.rationale) for m in agreed]
    expected = sorted(by_evaluators + by_moderator)
    got = sorted(
        (r["offer"], r["supplier"], r["question"], r["evaluator"], r["score"], r["scale"], r["rationale"]) for r in rows
    )
    assert got == expected
    assert {r["tender"] for r in rows} == {evaluation.tender.reference} and {r["lot"] for r in rows} == {""}
    assert "'" + INJECTED in {r["rationale"] for r in rows}


def test_each_job_keeps_the_sha256_of_its_file(world, django_capture_on_commit_callbacks):
    jobs = _make_pack(world, build_awarded(world, world.a).evaluation, django_capture_on_commit_callbacks)
    for job in jobs.values():
        assert len(job.sha256) == 64
        assert job.sha256 == hashlib.sha256(_bytes(job)).hexdigest()


def test_every_job_kind_records_its_files_sha256(world, django_capture_on_commit_callbacks):
    from accounts.services import job_start

    with authority_scope(world.a), django_capture_on_commit_callbacks(execute=True):
        job = job_start(authority=world.a, acting_user=world.user(world.a, Role.ADMIN), kind="audit_export_csv")
    with authority_scope(world.a):
        job.refresh_from_db()
    assert job.sha256 == hashlib.sha256(_bytes(job)).hexdigest()


def test_a_pack_job_refuses_an_evaluation_still_in_scoring(world):
    tender, _ = build_opened_tender(world, world.a)
    evaluation, _ = build_evaluation(world, tender)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    with authority_scope(world.a):
        with pytest.raises(DomainError, match="once moderation is finalised"):
            packs.pack_start(evaluation=evaluation, acting_user=officer)
        assert not Job.objects.exists()
        # A job queued some other way still makes nothing from unmoderated scores.
        job = Job.objects.create(
            authority=world.a, kind=packs.PACK_CSV, params={"evaluation_id": evaluation.pk}, requested_by=officer
        )
        with pytest.raises(DomainError):
            job_execute(job)
        job.refresh_from_db()
        assert not job.file and not job.sha256


def test_offers_are_read_through_the_seal_as_the_requester(world):
    """Whoever asked for the pack must still hold a role that reads offers; the refusal is recorded."""
    evaluation = build_awarded(world, world.a).evaluation
    with authority_scope(world.a):
        job = Job.objects.create(
            authority=world.a,
            kind=packs.PACK_PDF,
            params={"evaluation_id": evaluation.pk},
            requested_by=world.user(world.a, Role.COMMISSIONER),
        )
        with pytest.raises(DomainError, match="Only procurement officers and evaluators can read offers"):
            job_execute(job)
        assert AuditEvent.objects.filter(verb="offer.access_refused", actor=job.requested_by).exists()


# The page -----------------------------------------------------------------------------------------------------


def _url(world, evaluation, name="evaluation:packs", authority=None):
    return reverse(name, args=[(authority or world.a).slug, evaluation.pk])


def test_page_before_finalisation_explains_and_refuses(client, world):
    tender, _ = build_opened_tender(world, world.a)
    evaluation, _ = build_evaluation(world, tender)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    page = client.get(_url(world, evaluation))
    body = page.content.decode()
    assert page.status_code == 200
    assert "once moderation is finalised" in body
    assert "Make the evaluation pack" not in body
    refused = client.post(_url(world, evaluation))
    assert refused.status_code == 422
    assert "There is a problem" in refused.content.decode()
    with authority_scope(world.a):
        assert not Job.objects.exists()


def test_one_click_makes_the_pack_and_the_page_offers_each_file_with_its_sha256(
    client, world, django_capture_on_commit_callbacks
):
    evaluation = build_awarded(world, world.a).evaluation
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    page = client.get(_url(world, evaluation))
    assert page.status_code == 200 and "Make the evaluation pack" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(_url(world, evaluation))
    assert started.status_code == 303 and started["Location"] == _url(world, evaluation)
    with authority_scope(world.a):
        jobs = packs.pack_jobs(evaluation)
        assert AuditEvent.objects.filter(verb="evaluation.pack_started", object_id=str(evaluation.pk)).exists()
    assert [job.kind for job in jobs] == list(packs.PACK_KINDS)

    body = client.get(_url(world, evaluation)).content.decode()
    for job in jobs:
        assert reverse("accounts:job-download", args=[world.a.slug, job.pk]) in body
        assert job.sha256 in body
    assert "Make the pack again" in body
    assert "hx-get" not in body  # every file is ready: nothing to poll

    status = client.get(_url(world, evaluation, "evaluation:pack-status"), headers={"HX-Request": "true"})
    assert status.status_code == 286  # tells htmx to stop polling
    assert "<html" not in status.content.decode() and jobs[0].sha256 in status.content.decode()


def test_page_polls_while_files_are_being_made(client, world):
    evaluation = build_awarded(world, world.a).evaluation
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    client.post(_url(world, evaluation))  # queued; the on-commit task never runs in this test
    body = client.get(_url(world, evaluation)).content.decode()
    assert 'hx-trigger="every 1s"' in body and "Refresh the page" in body and "Progress: 0%" in body
    status = client.get(_url(world, evaluation, "evaluation:pack-status"), headers={"HX-Request": "true"})
    assert status.status_code == 200
    assert 'id="pack-status"' in status.content.decode()


def test_download_is_audited_with_the_files_sha256(client, world, django_capture_on_commit_callbacks):
    evaluation = build_awarded(world, world.a).evaluation
    jobs = _make_pack(world, evaluation, django_capture_on_commit_callbacks)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    client.force_login(officer)
    job = jobs[packs.PACK_XLSX]
    download = client.get(reverse("accounts:job-download", args=[world.a.slug, job.pk]))
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == job.sha256
    with authority_scope(world.a):
        event = AuditEvent.objects.get(verb="job.downloaded")
    assert (event.actor, event.object_id) == (officer, str(job.pk))
    assert event.changes == {"kind": packs.PACK_XLSX, "filename": job.filename, "sha256": job.sha256}


def test_only_procurement_officers_of_the_authority_reach_the_pack(client, world):
    evaluation = build_awarded(world, world.a).evaluation
    client.force_login(world.user(world.a, Role.EVALUATOR))
    assert client.get(_url(world, evaluation)).status_code == 403
    client.force_login(world.user(world.b, Role.PROCUREMENT_OFFICER))
    assert client.get(_url(world, evaluation, authority=world.b)).status_code == 404
    assert client.post(_url(world, evaluation, authority=world.b)).status_code == 404


def test_a_tender_with_lots_is_ranked_per_lot(world, django_capture_on_commit_callbacks):
    tender = build_tender(world, world.a, published=True, lots=2, now=timezone.now() - timedelta(days=31))
    during = tender.published_at + timedelta(days=1)
    officer = world.user(world.a, Role.PROCUREMENT_OFFICER)
    bidders = [(world.supplier_both, world.supplier_both_user), (world.supplier_one, world.supplier_one_user)]
    with authority_scope(world.a):
        for lot in tender.lots.order_by("number"):
            for index, (supplier, user) in enumerate(bidders):
                offer = offer_services.offer_start(
                    tender=tender, lot=lot, organisation=supplier, acting_user=user, now=during
                )
                offer_services.offer_update(
                    offer=offer,
                    acting_user=user,
                    price=Decimal(100000 + 5000 * index),
                    commitments={
                        m.pk: offer_services.CommitmentInput(quantity=Decimal(index + 1), narrative="Local hires.")
                        for m in offer_services.measures_for(tender, lot)
                    },
                    answers={q.pk: f"{supplier.name}'s method for lot {lot.number}." for q in tender.questions.all()},
                    now=during,
                )
                offer_services.offer_submit(offer=offer, acting_user=user, now=during)
        tender_close(tender=tender, acting_user=officer)
        Tender.objects.filter(pk=tender.pk).update(offers_opened_at=timezone.now(), offers_opened_by=officer)
        tender.refresh_from_db()
    evaluation, members = build_evaluation(world, tender)
    score_everything(evaluation, members, lambda m, o, q: 3)
    evaluation = moderate_everything(evaluation, members, lambda o, q: 3)

    jobs = _make_pack(world, evaluation, django_capture_on_commit_callbacks)
    ranking = list(load_workbook(io.BytesIO(_bytes(jobs[packs.PACK_XLSX])))["Ranking"].iter_rows(values_only=True))
    assert sorted((row[0], row[1], row[3]) for row in ranking[1:]) == [
        (1, 1, "Both Ways Ltd"),
        (1, 2, "Only A Services Ltd"),
        (2, 1, "Both Ways Ltd"),
        (2, 2, "Only A Services Ltd"),
    ]
    rows = list(csv.DictReader(io.StringIO(_bytes(jobs[packs.PACK_CSV]).decode("utf-8-sig"))))
    assert sorted({r["lot"] for r in rows}) == ["1", "2"] and len(rows) == 4 * 2 * 3
    _, pages = _pdf(jobs[packs.PACK_PDF])
    text = " ".join(pages)
    assert "Ranking: Lot 1: Lot 1: area 1" in text
    assert "Ranking: Lot 2: Lot 2: area 2" in text and "No award has been decided yet." in text
