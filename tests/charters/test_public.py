"""Public charter pages, the public PDF download, the platform-wide lists, and the staff routes that make PDFs."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Job, JobStatus
from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import services
from charters.models import CharterVersion
from tests.charters.factories import adopt_without_consultation, build_charter, open_consultation

pytestmark = pytest.mark.django_db


def _public(name, authority, **kwargs):
    return reverse(f"charters:{name}", kwargs={"authority_slug": authority.slug, **kwargs})


def _adopted(world, authority, **kwargs):
    charter, version = build_charter(world, authority, **kwargs)
    adopt_without_consultation(world, authority, version)
    version.refresh_from_db()
    return charter, version


def _revise(world, authority, charter, **details):
    with authority_scope(authority):
        draft = services.version_revise(charter=charter, acting_user=world.user(authority, Role.COMMISSIONER))
        if details:
            services.version_details_update(
                version=draft, acting_user=world.user(authority, Role.COMMISSIONER), local_context="", **details
            )
    return draft


# The authority's charter page --------------------------------------------------------------------------------


def test_charter_page_empty_state(client, world):
    build_charter(world, world.a)  # a draft is not public
    response = client.get(_public("charter-public", world.a))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{world.a.name} has not adopted a charter yet." in page
    assert "A fairer, greener borough" not in page
    assert "has no consultation open" in page


def test_charter_page_shows_the_adopted_charter_to_anyone(client, world):
    charter, version = _adopted(world, world.a, measures_per_outcome=2)
    _revise(world, world.a, charter, title="Secret next draft", vision="A draft vision nobody may read yet.")
    response = client.get(_public("charter-public", world.a))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        version.title,
        "A fairer, greener borough where every contract leaves something behind.",
        "East Ward",
        "Theme 1",
        "M2-1-2",
        _public("version-public-pdf", world.a, version_id=version.pk),
        "Version history",
    ):
        assert expected in page, expected
    assert "A draft vision nobody may read yet." not in page
    assert "Secret next draft" not in page


def test_charter_page_lists_history_and_open_consultations(client, world):
    charter, first = _adopted(world, world.a)
    second = _revise(world, world.a, charter, title="Second edition", vision="Second vision.")
    adopt_without_consultation(world, world.a, second)
    third = _revise(world, world.a, charter, title="Third edition, out for comment", vision="Third vision.")
    consultation = open_consultation(world, world.a, third)
    page = client.get(_public("charter-public", world.a)).content.decode()
    assert "Second vision." in page  # the current version in full
    assert _public("version-public", world.a, version_id=first.pk) in page  # superseded, in the history
    assert "Superseded" in page
    assert "Third edition, out for comment, version 3" in page
    assert f"/p/{world.a.slug}/consultations/{consultation.pk}/" in page
    assert "Third vision." not in page  # the draft's text is on the consultation page, not here


def test_an_authority_with_several_charters_lists_them(client, world):
    _, joint = _adopted(world, world.a, title="Joint waste charter")
    _, main = _adopted(world, world.a, title="Main charter")
    page = client.get(_public("charter-public", world.a)).content.decode()
    assert "2 adopted charters" in page
    for version in (joint, main):
        assert _public("version-public", world.a, version_id=version.pk) in page
    assert "A fairer, greener borough" not in page  # listed, not shown in full


def test_charter_page_shows_only_its_own_authority(client, world):
    _adopted(world, world.b, title="B's own charter")
    page = client.get(_public("charter-public", world.a)).content.decode()
    assert "B's own charter" not in page
    assert client.get("/p/no-such-authority/charter/").status_code == 404


@pytest.mark.parametrize("measures_per_outcome", [5, 50])  # 10 and 100 measures
def test_charter_page_queries_do_not_grow_with_the_charter(
    client, world, measures_per_outcome, django_assert_max_num_queries
):
    charter, version = _adopted(world, world.a, measures_per_outcome=measures_per_outcome)
    open_consultation(world, world.a, _revise(world, world.a, charter))
    with authority_scope(world.a):
        assert version.measures.count() == 2 * measures_per_outcome
    with django_assert_max_num_queries(9):
        response = client.get(_public("charter-public", world.a))
    assert response.status_code == 200
    assert f"M2-1-{measures_per_outcome}" in response.content.decode()


def test_charter_page_query_count_is_the_same_at_both_sizes(client, world):
    counts = []
    for authority, per_outcome in ((world.a, 5), (world.b, 50)):
        _adopted(world, authority, measures_per_outcome=per_outcome)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_public("charter-public", authority)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# One version -------------------------------------------------------------------------------------------------


def test_version_page_shows_adopted_and_superseded_versions(client, world):
    charter, first = _adopted(world, world.a)
    second = _revise(world, world.a, charter, title="Second edition", vision="Second vision.")
    adopt_without_consultation(world, world.a, second)

    current = client.get(_public("version-public", world.a, version_id=second.pk))
    assert current.status_code == 200
    assert "Second vision." in current.content.decode()
    assert 'id="superseded"' not in current.content.decode()

    old = client.get(_public("version-public", world.a, version_id=first.pk))
    assert old.status_code == 200
    page = old.content.decode()
    assert "This version has been superseded." in page
    assert _public("version-public", world.a, version_id=second.pk) in page
    assert "A fairer, greener borough" in page


def test_unpublished_versions_answer_404(client, world):
    charter, adopted = _adopted(world, world.a)
    consulted = _revise(world, world.a, charter)
    open_consultation(world, world.a, consulted)
    _, draft = build_charter(world, world.a, title="Draft only")
    _, withdrawn = build_charter(world, world.a, title="Withdrawn one")
    with authority_scope(world.a):
        services.version_withdraw(
            version=withdrawn, acting_user=world.user(world.a, Role.COMMISSIONER), reason="Merged into the main one"
        )
    for version in (consulted, draft, withdrawn):
        for name in ("version-public", "version-public-pdf"):
            assert client.get(_public(name, world.a, version_id=version.pk)).status_code == 404, (name, version)
    assert client.get(_public("version-public", world.a, version_id=adopted.pk)).status_code == 200


def test_another_authoritys_version_under_this_slug_answers_404(client, world):
    _, version_b = _adopted(world, world.b)
    for name in ("version-public", "version-public-pdf"):
        assert client.get(_public(name, world.a, version_id=version_b.pk)).status_code == 404
        assert client.get(_public(name, world.b, version_id=version_b.pk)).status_code in {200, 202}


# The public PDF ----------------------------------------------------------------------------------------------


def test_public_pdf_is_made_once_then_served(client, world, django_capture_on_commit_callbacks):
    _, version = _adopted(world, world.a)
    url = _public("version-public-pdf", world.a, version_id=version.pk)
    with django_capture_on_commit_callbacks(execute=True):
        # In a request the job's task waits for the commit, so the first answer asks the reader to refresh.
        waiting = client.get(url)
    assert waiting.status_code == 202
    assert "The PDF is being prepared" in waiting.content.decode()
    assert f'href="{url}"' in waiting.content.decode()

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client.get(url).status_code == 200
    with authority_scope(world.a):
        job = Job.objects.get(kind="charter_pdf")
    assert job.requested_by is None
    assert job.status == JobStatus.SUCCEEDED


def test_public_pdf_page_says_when_it_failed(client, world):
    _, version = _adopted(world, world.a)
    with authority_scope(world.a):
        Job.objects.create(
            authority=world.a,
            kind="charter_pdf",
            params={"version_id": version.pk},
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
        )
    response = client.get(_public("version-public-pdf", world.a, version_id=version.pk))
    assert response.status_code == 503
    assert "The PDF is not available at the moment" in response.content.decode()


# Platform-wide lists -----------------------------------------------------------------------------------------


def test_platform_charters_lists_only_adopted_versions(client, world):
    charter, adopted_a = _adopted(world, world.a, title="A's charter")
    _revise(world, world.a, charter, title="A's unfinished draft", vision="")
    build_charter(world, world.b, title="B's draft charter")
    page = client.get(reverse("charters:platform-charters")).content.decode()
    assert "A&#x27;s charter" in page
    assert _public("version-public", world.a, version_id=adopted_a.pk) in page
    assert "unfinished draft" not in page
    assert "B&#x27;s draft charter" not in page


def test_platform_lists_empty_states(client, world):
    assert "No charter has been adopted yet." in client.get(reverse("charters:platform-charters")).content.decode()
    assert "No consultation is open" in client.get(reverse("charters:platform-consultations")).content.decode()


def test_platform_consultations_lists_only_open_ones(client, world):
    _, open_b = build_charter(world, world.b, title="B's draft out for comment")
    open_consultation(world, world.b, open_b)
    _, later = build_charter(world, world.a, title="A's consultation opening next week")
    open_consultation(world, world.a, later, today=timezone.localdate() + timedelta(days=7))
    _, closed = build_charter(world, world.a, title="A's closed consultation")
    open_consultation(world, world.a, closed, weeks=2, today=timezone.localdate() - timedelta(weeks=3))
    page = client.get(reverse("charters:platform-consultations")).content.decode()
    assert "B&#x27;s draft out for comment" in page
    with authority_scope(world.b):
        consultation_id = CharterVersion.objects.get(pk=open_b.pk).consultation.pk
    assert f"/p/{world.b.slug}/consultations/{consultation_id}/" in page
    assert "opening next week" not in page
    assert "closed consultation" not in page


def test_platform_lists_are_paginated(client, world, monkeypatch):
    monkeypatch.setattr("charters.views.public.PAGE_SIZE", 1)
    _adopted(world, world.a, title="First charter")
    _adopted(world, world.b, title="Second charter")
    first = client.get(reverse("charters:platform-charters")).content.decode()
    second = client.get(reverse("charters:platform-charters") + "?page=2").content.decode()
    assert 'aria-label="Pagination"' in first
    assert ("First charter" in first) != ("First charter" in second)
    assert ("Second charter" in first) != ("Second charter" in second)


def test_platform_pages_work_unscoped_and_anonymous(client, world):
    # They run outside any authority scope: a query that forgot to read the public selectors would raise.
    _adopted(world, world.a)
    assert client.get(reverse("charters:platform-charters")).status_code == 200
    assert client.get(reverse("charters:platform-consultations")).status_code == 200


# Staff routes: make the documents ----------------------------------------------------------------------------


def test_staff_start_a_charter_pdf(client, world, django_capture_on_commit_callbacks):
    _, version = build_charter(world, world.a)
    client.force_login(world.user(world.a, Role.EVALUATOR))  # every staff role may export
    url = reverse("charters:version-pdf-request", args=[world.a.slug, version.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Make the charter PDF" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 303
    with authority_scope(world.a):
        job = Job.objects.get(kind="charter_pdf")
    assert response["Location"] == reverse("accounts:job-detail", args=[world.a.slug, job.pk])
    assert job.requested_by == world.user(world.a, Role.EVALUATOR)
    assert job.params == {"version_id": version.pk}
    detail = client.get(response["Location"])
    assert "Charter (PDF)" in detail.content.decode()
    download = client.get(reverse("accounts:job-download", args=[world.a.slug, job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_staff_start_a_consultation_report(client, world):
    _, version = build_charter(world, world.a)
    consultation = open_consultation(world, world.a, version)
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    url = reverse("charters:consultation-report-request", args=[world.a.slug, consultation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 303
    with authority_scope(world.a):
        job = Job.objects.get(kind="consultation_report_pdf")
    assert job.params == {"consultation_id": consultation.pk}


def test_staff_routes_refuse_another_authoritys_objects(client, world):
    _, version_b = build_charter(world, world.b)
    consultation_b = open_consultation(world, world.b, version_b)
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    for url in (
        reverse("charters:version-pdf-request", args=[world.a.slug, version_b.pk]),
        reverse("charters:consultation-report-request", args=[world.a.slug, consultation_b.pk]),
    ):
        assert client.post(url).status_code == 404
        assert client.get(url).status_code == 404
    with authority_scope(world.b):
        assert not Job.objects.exists()
