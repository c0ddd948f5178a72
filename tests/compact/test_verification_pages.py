"""The staff report page, verification line by line, evidence downloads and confirming the performance rating."""

import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import selectors, services
from compact.models import DeliveryLine, DeliveryReport, PerformanceRating, ReportStatus, Verification
from tests.compact.test_contract_pages import PDF, build_reported_contract

pytestmark = pytest.mark.django_db


def _url(name, authority, *args):
    return reverse(name, args=[authority.slug, *args])


def _checked(page, name):
    """The value of the checked radio called `name`."""
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    found = [re.search(r'value="([^"]+)"', tag).group(1) for tag in inputs if re.search(r"\schecked[\s>]", tag)]
    return found[0] if len(found) == 1 else None


def _manager(client, world, authority):
    client.force_login(world.user(authority, Role.CONTRACT_MANAGER))
    return client


def _line(world, pk):
    with authority_scope(world.a):
        return DeliveryLine.objects.select_related("report").get(pk=pk)


def test_report_page_shows_lines_evidence_and_receipt(client, world):
    reported = build_reported_contract(world, world.a)
    response = _manager(client, world, world.a).get(_url("compact:report-detail", world.a, reported.report.pk))
    assert response.status_code == 200
    page = response.text
    assert "Awaiting verification" in page
    assert _url("compact:line-verify", world.a, reported.line.pk) in page
    assert _url("compact:evidence-staff", world.a, reported.evidence.pk) in page
    # The helper's receipt was not computed from the content, so it must not claim to verify.
    assert "Does not verify" in page


def test_report_page_has_no_verify_links_for_read_only_roles(client, world):
    reported = build_reported_contract(world, world.a)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    page = client.get(_url("compact:report-detail", world.a, reported.report.pk)).text
    assert _url("compact:line-verify", world.a, reported.line.pk) not in page


def test_evidence_download_is_private_attachment(client, world):
    reported = build_reported_contract(world, world.a)
    response = _manager(client, world, world.a).get(_url("compact:evidence-staff", world.a, reported.evidence.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_accept_counts_as_delivered_and_verifies_the_report(client, world):
    reported = build_reported_contract(world, world.a)
    url = _url("compact:line-verify", world.a, reported.line.pk)
    assert _manager(client, world, world.a).get(url).status_code == 200
    response = client.post(url, {"decision": "accepted", "note": ""})
    assert response.status_code == 303
    assert response["Location"].endswith(f"#line-{reported.line.pk}")
    with authority_scope(world.a):
        line = DeliveryLine.objects.select_related("commitment").get(pk=reported.line.pk)
        assert line.verification == Verification.ACCEPTED
        assert selectors.delivered(line.commitment) == line.quantity
        assert DeliveryReport.objects.get(pk=reported.report.pk).status == ReportStatus.VERIFIED
    # Verified: the page says so instead of offering the form.
    assert 'id="not-open"' in client.get(url).text


def test_query_then_supplier_answers_then_pending_again(client, world):
    reported = build_reported_contract(world, world.a)
    url = _url("compact:line-verify", world.a, reported.line.pk)
    _manager(client, world, world.a)
    response = client.post(url, {"decision": "queried", "note": ""})
    assert response.status_code == 422
    assert "Enter the question for the supplier" in response.text
    assert client.post(url, {"decision": "queried", "note": "Which sites?"}).status_code == 303
    with authority_scope(world.a):
        line = DeliveryLine.objects.get(pk=reported.line.pk)
        assert line.verification == Verification.QUERIED
        services.line_answer_query(line=line, acting_user=world.supplier_one_user, answer="Northtown depot")
        line.refresh_from_db()
        assert line.verification == Verification.PENDING
        assert selectors.delivered(line.commitment) == 0
    page = client.get(_url("compact:report-detail", world.a, reported.report.pk)).text
    assert "Which sites?" in page and "Northtown depot" in page


def test_reject_needs_a_reason_and_keeps_input(client, world):
    reported = build_reported_contract(world, world.a)
    url = _url("compact:line-verify", world.a, reported.line.pk)
    response = _manager(client, world, world.a).post(url, {"decision": "rejected", "note": "  "})
    assert response.status_code == 422
    assert "Enter why the line is rejected" in response.text
    assert _checked(response.text, "decision") == "rejected"
    assert client.post(url, {"decision": "rejected", "note": "No evidence of the hours"}).status_code == 303
    assert _line(world, reported.line.pk).verification == Verification.REJECTED


def test_verify_is_for_contract_managers_only(client, world):
    reported = build_reported_contract(world, world.a)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    response = client.post(_url("compact:line-verify", world.a, reported.line.pk), {"decision": "accepted", "note": ""})
    assert response.status_code == 403
    assert _line(world, reported.line.pk).verification == Verification.PENDING


def test_rating_confirm_preselects_suggestion_and_is_audited(client, world):
    reported = build_reported_contract(world, world.a)
    url = _url("compact:rating-confirm", world.a, reported.contract.pk)
    page = _manager(client, world, world.a).get(url).text
    # Nothing accepted yet with part of the target expected: the suggestion is Inadequate, pre-selected.
    assert _checked(page, "rating") == "inadequate"
    response = client.post(url, {"rating": "good", "reason": ""})
    assert response.status_code == 422
    assert "Enter why the rating differs from the suggested one" in response.text
    response = client.post(url, {"rating": "good", "reason": "Delivery was agreed to start late"})
    assert response.status_code == 303
    with authority_scope(world.a):
        rating = PerformanceRating.objects.get(contract=reported.contract)
        assert (rating.rating, rating.suggested) == ("good", "inadequate")
        event = AuditEvent.objects.get(verb="contract.rating_confirmed")
        assert event.changes["reason"] == "Delivery was agreed to start late"
    detail = client.get(_url("compact:contract-detail", world.a, reported.contract.pk)).text
    assert "Delivery was agreed to start late" in detail
    assert 'id="already-confirmed"' in client.get(url).text


def test_rating_confirm_accepts_the_suggestion_without_reason(client, world):
    reported = build_reported_contract(world, world.a)
    url = _url("compact:rating-confirm", world.a, reported.contract.pk)
    assert _manager(client, world, world.a).post(url, {"rating": "inadequate", "reason": ""}).status_code == 303
    with authority_scope(world.a):
        assert PerformanceRating.objects.get(contract=reported.contract).rating == "inadequate"


def test_rating_confirm_is_for_contract_managers_only(client, world):
    reported = build_reported_contract(world, world.a)
    client.force_login(world.user(world.a, Role.PROCUREMENT_OFFICER))
    assert client.get(_url("compact:rating-confirm", world.a, reported.contract.pk)).status_code == 403
