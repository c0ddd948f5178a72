"""The supplier's pages: the contract, submitting a report (refusals kept at 422, then the receipt), evidence
(upload, list, download, remove), answering a query, the platform list of contracts; who reaches them (approved
members of the contract's supplier only) and a query-count guard."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scoping import authority_scope
from compact import services
from compact.models import DeliveryLine, Evidence, ReportStatus, Verification
from tests.compact.factories import build_direct_contract
from tests.compact.test_evidence import CSV, EXE, pdf_bytes, stored_files, use_temporary_private_storage

pytestmark = pytest.mark.django_db


def _contract(world, authority=None, targets=("10", "5"), reference="C-1"):
    # Dates around today, so one report's period has ended and a later one has not.
    today = timezone.localdate()
    return build_direct_contract(
        world,
        authority or world.a,
        targets=targets,
        reference=reference,
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=300),
    )


def _past_and_future(contract):
    today = timezone.localdate()
    with authority_scope(contract.authority):
        reports = list(contract.reports.order_by("number"))
    return next(r for r in reports if r.period_end < today), [r for r in reports if r.period_end >= today][-1]


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path, monkeypatch):
    return use_temporary_private_storage(settings, tmp_path, monkeypatch)


@pytest.fixture
def contract(world):
    return _contract(world)


@pytest.fixture
def member(client, world):
    client.force_login(world.supplier_one_user)
    return client


def url(name, contract, *args):
    return reverse(f"compact:{name}", args=[contract.authority.slug, contract.pk, *args])


def _commitments(contract):
    with authority_scope(contract.authority):
        return list(contract.commitments.order_by("id"))


# The contract -------------------------------------------------------------------------------------------------


def test_the_contract_page_shows_commitments_reports_and_open_queries(world, contract, member):
    past, _ = _past_and_future(contract)
    first, _second = _commitments(contract)
    with authority_scope(world.a):
        services.report_submit(
            report=past,
            acting_user=world.supplier_one_user,
            lines={c.pk: ("2", "Northtown", "") for c in (first, _second)},
            narrative="",
        )
        line = DeliveryLine.objects.get(report=past, commitment=first)
        services.line_verify(
            line=line,
            acting_user=world.user(world.a, Role.CONTRACT_MANAGER),
            decision=Verification.QUERIED,
            note="Which site were they at?",
        )
    response = member.get(url("supplier-contract", contract))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="commitment-{first.pk}"' in html and "Grounds maintenance" in html
    assert f'id="report-{past.number}"' in html and "Submitted" in html and "Not yet open" in html
    assert url("query-answer", contract, line.pk) in html


@pytest.mark.parametrize("who", ["other_supplier", "resident", "staff"])
def test_only_the_suppliers_members_reach_the_pages(client, world, contract, who):
    user = {
        "other_supplier": world.supplier_both_user,
        "resident": world.resident,
        "staff": world.user(world.a, Role.CONTRACT_MANAGER),
    }[who]
    client.force_login(user)
    past, _ = _past_and_future(contract)
    for address in (
        url("supplier-contract", contract),
        url("report-submit", contract, past.number),
        url("report-evidence", contract, past.number),
    ):
        assert client.get(address).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, contract):
    response = client.get(url("supplier-contract", contract))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_another_authoritys_slug_is_404(world, contract, member):
    address = reverse("compact:supplier-contract", args=[world.b.slug, contract.pk])
    assert member.get(address).status_code == 404


def _count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_the_contract_page_runs_the_same_queries_whatever_its_size(world, member):
    small = _contract(world, targets=("10",), reference="C-S")
    large = _contract(world, targets=("10", "5", "3", "2"), reference="C-L")
    _count_queries(member, url("supplier-contract", small))  # warm the session and caches
    assert _count_queries(member, url("supplier-contract", small)) == _count_queries(
        member, url("supplier-contract", large)
    )


# Submitting a report ------------------------------------------------------------------------------------------


def _form(contract, quantity="4"):
    data = {"narrative": "Four apprentices started."}
    for commitment in _commitments(contract):
        data |= {
            f"quantity_{commitment.pk}": quantity,
            f"place_{commitment.pk}": "Northtown",
            f"note_{commitment.pk}": "",
        }
    return data


def test_a_future_period_is_explained_before_any_form(contract, member):
    _, future = _past_and_future(contract)
    response = member.get(url("report-submit", contract, future.number))
    html = response.content.decode()
    assert (
        response.status_code == 200 and "a report for a future period" in html and "<form" not in html.split("<main")[1]
    )
    assert member.post(url("report-submit", contract, future.number), _form(contract)).status_code == 422


def test_bad_input_is_refused_next_to_the_field_and_kept(contract, member):
    past, _ = _past_and_future(contract)
    first = _commitments(contract)[0]
    data = _form(contract) | {f"quantity_{first.pk}": "lots"}
    response = member.post(url("report-submit", contract, past.number), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "as a number" in html and 'value="lots"' in html and "Four apprentices started." in html
    with authority_scope(contract.authority):
        past.refresh_from_db()
        assert past.status == ReportStatus.DUE


def test_submitting_shows_the_receipt_with_far_above_target_flags(contract, member):
    past, _ = _past_and_future(contract)
    _first, second = _commitments(contract)
    data = _form(contract) | {f"quantity_{second.pk}": "500"}
    response = member.post(url("report-submit", contract, past.number), data)
    assert response.status_code == 303 and response["Location"] == url("report-submit", contract, past.number)
    page = member.get(response["Location"]).content.decode()
    with authority_scope(contract.authority):
        past.refresh_from_db()
    assert past.status == ReportStatus.SUBMITTED and past.receipt in page
    assert "govuk-panel--confirmation" in page and 'id="flags"' in page and "Check the unit" in page
    # Until verified, the supplier can change it and submit again.
    again = member.get(url("report-submit", contract, past.number) + "?change=1").content.decode()
    assert 'value="500"' in again and "submitted" in again


# Evidence -----------------------------------------------------------------------------------------------------


def test_evidence_upload_list_download_and_remove(
    world,
    contract,
    member,
    private_storage,
    django_capture_on_commit_callbacks,
):
    past, _ = _past_and_future(contract)
    address = url("report-evidence", contract, past.number)
    refused = member.post(address, {"file": _file("Timesheets.csv", EXE)})
    assert refused.status_code == 422 and "Windows program" in refused.content.decode()
    assert member.post(address, {}).status_code == 422
    response = member.post(address, {"file": _file("Register.pdf", pdf_bytes())})
    assert response.status_code == 303
    with authority_scope(world.a):
        item = Evidence.objects.get(report=past)
    listing = member.get(address).content.decode()
    assert "Register.pdf" in listing and url("report-evidence-remove", contract, past.number, item.pk) in listing
    download = member.get(url("report-evidence-download", contract, past.number, item.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes()
    assert download["Content-Type"] == "application/pdf" and "Register.pdf" in download["Content-Disposition"]
    confirm = member.get(url("report-evidence-remove", contract, past.number, item.pk))
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        removed = member.post(url("report-evidence-remove", contract, past.number, item.pk))
    assert removed.status_code == 303 and stored_files(private_storage) == []
    with authority_scope(world.a):
        assert not Evidence.objects.filter(report=past).exists()


def test_evidence_is_404_to_another_supplier(client, world, contract, member):
    past, _ = _past_and_future(contract)
    member.post(url("report-evidence", contract, past.number), {"file": _file("Sheet.csv", CSV)})
    with authority_scope(world.a):
        item = Evidence.objects.get(report=past)
    client.force_login(world.supplier_both_user)
    assert client.get(url("report-evidence-download", contract, past.number, item.pk)).status_code == 404
    assert client.post(url("report-evidence-remove", contract, past.number, item.pk)).status_code == 404


def _file(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# Answering a query --------------------------------------------------------------------------------------------


def test_answering_a_query_sends_the_line_back_for_verification(world, contract, member):
    past, _ = _past_and_future(contract)
    first = _commitments(contract)[0]
    with authority_scope(world.a):
        services.report_submit(
            report=past, acting_user=world.supplier_one_user, lines={first.pk: ("2", "", "")}, narrative=""
        )
        line = DeliveryLine.objects.get(report=past)
        services.line_verify(
            line=line,
            acting_user=world.user(world.a, Role.CONTRACT_MANAGER),
            decision=Verification.QUERIED,
            note="Which site were they at?",
        )
    address = url("query-answer", contract, line.pk)
    page = member.get(address).content.decode()
    assert "Which site were they at?" in page
    assert member.post(address, {"answer": ""}).status_code == 422
    response = member.post(address, {"answer": "The Northtown depot."})
    assert response.status_code == 303 and response["Location"] == url("supplier-contract", contract)
    with authority_scope(world.a):
        line.refresh_from_db()
    assert line.verification == Verification.PENDING and line.supplier_answer == "The Northtown depot."
    assert "There is no open question" in member.get(address).content.decode()


# Every contract ------------------------------------------------------------------------------------------------


def test_my_contracts_lists_the_organisations_contracts_across_authorities(client, world):
    mine_a = _contract(world, world.a, reference="A-1")
    mine_b = _contract(world, world.b, reference="B-1")
    client.force_login(world.supplier_one_user)
    page = client.get(reverse("compact:my-contracts")).content.decode()
    assert f'id="contract-{mine_a.pk}"' in page and f'id="contract-{mine_b.pk}"' in page
    client.force_login(world.supplier_both_user)
    empty = client.get(reverse("compact:my-contracts")).content.decode()
    assert 'id="no-contracts"' in empty and "A-1" not in empty
    client.force_login(world.supplier_one_user)
    account = client.get(reverse("accounts:account")).content.decode()
    assert reverse("compact:my-contracts") in account


def test_my_contracts_is_paginated(client, world, monkeypatch):
    monkeypatch.setattr("compact.views.supplier.MY_CONTRACTS_PAGE_SIZE", 1)
    first = _contract(world, world.a, reference="A-1")
    second = _contract(world, world.b, reference="B-1")
    client.force_login(world.supplier_one_user)
    pages = [client.get(reverse("compact:my-contracts"), {"page": n}).content.decode() for n in (1, 2)]
    assert sum(f'id="contract-{c.pk}"' in page for page in pages for c in (first, second)) == 2
    assert "govuk-pagination" in pages[0]


def test_a_verified_report_shows_its_receipt_and_cannot_be_submitted_again(world, contract, member):
    past, _ = _past_and_future(contract)
    assert member.post(url("report-submit", contract, past.number), _form(contract)).status_code == 303
    with authority_scope(world.a):
        for line in DeliveryLine.objects.filter(report=past):
            services.line_verify(
                line=line, acting_user=world.user(world.a, Role.CONTRACT_MANAGER), decision=Verification.ACCEPTED
            )
        past.refresh_from_db()
    assert past.status == ReportStatus.VERIFIED
    page = member.get(url("report-submit", contract, past.number) + "?change=1").content.decode()
    assert f"Report {past.number} verified" in page and "<textarea" not in page
    assert member.post(url("report-submit", contract, past.number), _form(contract, "9")).status_code == 422
    evidence_page = member.get(url("report-evidence", contract, past.number)).content.decode()
    assert "has been verified" in evidence_page and 'type="file"' not in evidence_page
