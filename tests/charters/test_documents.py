"""The charter PDF and the consultation report: job kinds run end to end, their text, tags and metadata; the
adoption hook; which PDF the public is given."""

import io
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader

from accounts.jobs import job_kind
from accounts.models import Job, JobStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import consultation as consultation_services
from charters import documents, services
from charters.models import CommentSection, ResponseOutcome, VersionStatus
from charters.signals import version_adopted
from tests.charters.factories import adopt_without_consultation, build_charter, open_consultation

pytestmark = pytest.mark.django_db


def _run(job_factory, capture):
    """Starts a job and lets its on-commit task run in-process, as it would without a broker."""
    with capture(execute=True):
        job = job_factory()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def _read(job) -> PdfReader:
    with job.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def _text(reader: PdfReader) -> str:
    # Table cells and wrapped lines come out with line breaks; compare with single spaces.
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def _assert_tagged(reader: PdfReader, title: str):
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == title


def _consulted_and_adopted(world, *, weeks=12):
    """A charter consulted on (closed), with comments published, answered and hidden, then adopted."""
    authority = world.a
    commissioner = world.user(authority, Role.COMMISSIONER)
    _, version = build_charter(world, authority, measures_per_outcome=2)
    opened = timezone.localdate() - timedelta(weeks=weeks, days=1)
    consultation = open_consultation(world, authority, version, weeks=weeks, today=opened)
    with authority_scope(authority):
        measure = version.measures.order_by("position", "id").first()
        said = [
            (world.resident, None, CommentSection.VISION, None, "Please mention the canal towpath."),
            (world.community_user, world.community_group, CommentSection.MEASURE, measure, "Count apprenticeships."),
            (world.resident, None, CommentSection.CONTEXT, None, "Hidden rude remark about the mayor."),
        ]
        comments = [
            consultation_services.comment_create(
                consultation=consultation,
                acting_user=user,
                organisation=group,
                section=section,
                item=item,
                text=text,
                today=opened + timedelta(days=1),
            )
            for user, group, section, item, text in said
        ]
        for comment in comments[:2]:
            consultation_services.comment_moderate(comment=comment, acting_user=commissioner, decision="published")
        consultation_services.comment_moderate(
            comment=comments[2], acting_user=commissioner, decision="hidden", reason="Personal remark"
        )
        consultation_services.comment_respond(
            comment=comments[0],
            acting_user=commissioner,
            outcome=ResponseOutcome.ACCEPTED,
            text="We have added the towpath to the priority places.",
            change_made="Canal towpath added as a priority place.",
        )
        consultation_services.comment_respond(
            comment=comments[1],
            acting_user=commissioner,
            outcome=ResponseOutcome.NOT_ACCEPTED,
            text="Apprenticeships are counted under another measure.",
        )
        services.version_adopt(version=version, acting_user=commissioner)
        version.refresh_from_db()
    return version, consultation


# The charter PDF ---------------------------------------------------------------------------------------------


def test_charter_pdf_of_an_adopted_version(world, django_capture_on_commit_callbacks):
    _, version = build_charter(world, world.a, measures_per_outcome=3)
    adopt_without_consultation(world, world.a, version)
    version.refresh_from_db()
    with authority_scope(world.a):
        job = _run(
            lambda: documents.charter_pdf_request(version=version, acting_user=world.user(world.a, Role.EVALUATOR)),
            django_capture_on_commit_callbacks,
        )
        reader = _read(job)
    assert job.filename.endswith(f"-v{version.number}.pdf")
    assert 2 <= len(reader.pages) <= 8
    _assert_tagged(reader, f"{version.title}, version 1 \N{EN DASH} {world.a.name}")
    text = _text(reader)
    for expected in (
        world.a.name,
        "Version 1: adopted",
        f"{version.adopted_at:%-d %B %Y}",
        "A fairer, greener borough where every contract leaves something behind.",
        "The east wards need jobs most.",
        "East Ward",
        "Youth unemployment",
        "Theme 1 (50%)",
        "Theme 2 (50%)",
        "Outcome: Outcome 1.1",
        "M1-1-1",
        "M2-1-3",
        "Measure 2.1.3",
        "full-time equivalent jobs (FTE)",
        "£25,000.00",
        "Local estimate, 2025",
        "Quarterly",
        "adopted without a public consultation",
        "Refresh of an agreed text",
        "Page 2 of",
    ):
        assert expected in text, expected


def test_charter_pdf_of_a_draft_says_draft(world, django_capture_on_commit_callbacks):
    _, version = build_charter(world, world.a)
    with authority_scope(world.a):
        job = _run(
            lambda: documents.charter_pdf_request(version=version, acting_user=world.user(world.a, Role.COMMISSIONER)),
            django_capture_on_commit_callbacks,
        )
        text = _text(_read(job))
    assert "Version 1: draft" in text
    assert "Draft, not adopted" in text


def test_charter_pdf_summarises_the_consultation(world, django_capture_on_commit_callbacks):
    version, consultation = _consulted_and_adopted(world, weeks=6)
    with authority_scope(world.a):
        job = _run(
            lambda: documents.charter_pdf_request(version=version, acting_user=None), django_capture_on_commit_callbacks
        )
        text = _text(_read(job))
    assert f"{consultation.opens_on:%-d %B %Y} to {consultation.closes_on:%-d %B %Y}" in text
    assert "6 weeks (42 days)" in text
    assert "12-week standard Not met. Reason: Urgent budget cycle" in text
    assert "Comments published 2" in text
    assert "Comments answered 2" in text
    assert "Comments hidden by moderation 1" in text
    assert "Hidden rude remark" not in text


def test_user_text_is_escaped(world):
    _, version = build_charter(world, world.a)
    with authority_scope(world.a):
        services.version_details_update(
            version=version,
            acting_user=world.user(world.a, Role.COMMISSIONER),
            title="Our <b>charter</b>",
            vision='<img src="file:///etc/passwd"><script>alert(1)</script>',
            local_context="",
        )
        version.refresh_from_db()
        html = render_to_string("charters/pdf/charter.html", documents.charter_pdf_context(version))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Our &lt;b&gt;charter&lt;/b&gt;" in html
    assert '<img src="file' not in html


# The consultation report -------------------------------------------------------------------------------------


def test_consultation_report_pdf(world, django_capture_on_commit_callbacks):
    version, consultation = _consulted_and_adopted(world)
    with authority_scope(world.a):
        job = _run(
            lambda: documents.consultation_report_request(
                consultation=consultation, acting_user=world.user(world.a, Role.PROCUREMENT_OFFICER)
            ),
            django_capture_on_commit_callbacks,
        )
        reader = _read(job)
    assert job.kind == "consultation_report_pdf"
    assert 2 <= len(reader.pages) <= 6
    _assert_tagged(reader, f"Consultation report: {version.title}, version 1 \N{EN DASH} {world.a.name}")
    text = _text(reader)
    for expected in (
        "Consultation report",
        "meets the 12-week standard",
        "3 received: 2 published, of which 2 answered; 1 hidden by moderation; 0 waiting",
        "Please mention the canal towpath.",
        "Accepted. We have added the towpath to the priority places.",
        "What changed: Canal towpath added as a priority place.",
        "Count apprenticeships.",
        "Not accepted. Apprenticeships are counted under another measure.",
        "M1-1-1",
        "A resident",
        world.community_group.name,
        "1 comment was hidden by moderation",
    ):
        assert expected in text, expected
    # Counts by part of the charter: Vision 1 received, 1 published, 1 answered, 0 hidden, 0 waiting.
    assert "Vision 1 1 1 0 0" in text
    assert "Local context 1 0 0 1 0" in text
    # Hidden text and people's names and emails are never printed.
    for absent in ("Hidden rude remark", "Personal remark", world.resident.full_name, world.resident.email):
        assert absent not in text
    assert world.community_user.full_name not in text


def test_job_kinds_are_registered_with_the_export_permission():
    assert job_kind("charter_pdf").label == "Charter (PDF)"
    assert job_kind("charter_pdf").permission == "charters.export"
    assert job_kind("consultation_report_pdf").permission == "charters.export"


# Generated on adoption ---------------------------------------------------------------------------------------


def test_adoption_signal_starts_the_charter_pdf(world, django_capture_on_commit_callbacks):
    _, version = build_charter(world, world.a)
    adopt_without_consultation(world, world.a, version)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    # Sent from the adoption's on-commit callback, perhaps outside any scope: the receiver enters it itself.
    with django_capture_on_commit_callbacks(execute=True):
        version_adopted.send(sender=type(version), version=version, acting_user=commissioner)
    with authority_scope(world.a):
        job = Job.objects.get(kind="charter_pdf")
    assert job.params == {"version_id": version.pk}
    assert job.requested_by == commissioner
    assert job.status == JobStatus.SUCCEEDED


# The PDF the public is given ---------------------------------------------------------------------------------


def test_public_pdf_is_never_one_made_before_adoption(world):
    _, version = build_charter(world, world.a)
    with authority_scope(world.a):
        draft_job = documents.charter_pdf_request(version=version, acting_user=world.user(world.a, Role.COMMISSIONER))
        Job.objects.filter(pk=draft_job.pk).update(status=JobStatus.SUCCEEDED)
    adopt_without_consultation(world, world.a, version)
    version.refresh_from_db()
    with authority_scope(world.a):
        job = documents.public_charter_pdf(version)
        assert job.pk != draft_job.pk
        assert job.requested_by is None  # started by the system
        # Asked again while it is under way: the same job, not another.
        assert documents.public_charter_pdf(version).pk == job.pk
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now())
        assert documents.public_charter_pdf(version).pk == job.pk  # no retry loop right after a failure
        Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=1))
        assert documents.public_charter_pdf(version).pk != job.pk


def test_superseded_version_needs_a_pdf_made_after_it_was_superseded(world):
    charter, version = build_charter(world, world.a)
    adopt_without_consultation(world, world.a, version)
    version.refresh_from_db()
    with authority_scope(world.a):
        adopted_job = documents.public_charter_pdf(version)
        Job.objects.filter(pk=adopted_job.pk).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now())
        assert documents.public_charter_pdf(version).pk == adopted_job.pk
        draft = services.version_revise(charter=charter, acting_user=world.user(world.a, Role.COMMISSIONER))
    adopt_without_consultation(world, world.a, draft)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUPERSEDED
    with authority_scope(world.a):
        assert documents.public_charter_pdf(version).pk != adopted_job.pk
        assert documents.successor(version).pk == draft.pk


def test_a_pdf_that_cannot_start_never_undoes_the_adoption(world, monkeypatch):
    _, version = build_charter(world, world.a)
    adopt_without_consultation(world, world.a, version)

    def broken(**kwargs):
        raise RuntimeError("broker down")

    monkeypatch.setattr(documents, "charter_pdf_request", broken)
    responses = version_adopted.send(sender=type(version), version=version, acting_user=None)
    assert [response for _, response in responses] == [None]
