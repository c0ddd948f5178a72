"""The supplier's side of contract follow-up (public side, /p/<authority>/, signed in): a contract with its
commitments, verified delivery, reports and open queries; submitting a delivery report (with its receipt); the
report's evidence (upload, list, download, remove); answering the contract manager's query on a line. And, at the
platform level, the contracts of every supplier organisation the person belongs to.

Only approved members of the contract's supplier organisation reach the /p/ pages: anyone else, authority staff
included, gets 404, and so does another authority's slug (queries run in the slug's authority scope). The rules
live in compact/services.py and compact/evidence.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from accounts import selectors as account_selectors
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError
from tenders.views.offer_documents import TOO_LARGE, UploadSizeGuard

from .. import evidence as evidence_rules
from .. import selectors, services
from ..forms.supplier import AnswerForm, EvidenceUploadForm, ReportForm
from ..models import Contract, DeliveryReport, ReportStatus, Verification

MY_CONTRACTS_PAGE_SIZE = 20

# Finding things -----------------------------------------------------------------------------------------------


def _contract_or_404(request, contract_id) -> Contract:
    if request.authority is None:
        raise Http404("No such authority")
    contract = selectors.contract_get_for_supplier_member(request.authority, contract_id, request.user)
    if contract is None:
        raise Http404("No such contract")
    return contract


def _report_or_404(contract, number) -> DeliveryReport:
    report = selectors.report_for_contract(contract, number)
    if report is None:
        raise Http404("No such report")
    return report


def _contract_url(contract) -> str:
    return reverse("compact:supplier-contract", args=[contract.authority.slug, contract.pk])


def _report_url(report) -> str:
    return reverse("compact:report-submit", args=[report.contract.authority.slug, report.contract_id, report.number])


def _evidence_url(report) -> str:
    return reverse("compact:report-evidence", args=[report.contract.authority.slug, report.contract_id, report.number])


def _receipt_groups(receipt: str) -> list[str]:
    # Groups of 8 are easier to read out and compare; the whole receipt is given to copy as well.
    return [receipt[i : i + 8] for i in range(0, len(receipt), 8)]


# The contract -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def supplier_contract(request, authority_slug, contract_id):
    contract = _contract_or_404(request, contract_id)
    progress = selectors.contract_progress(contract, timezone.localdate())
    reports = selectors.contract_reports(contract)
    queries = selectors.contract_open_queries(contract)
    return render(
        request,
        "compact/supplier/contract.html",
        {
            "contract": contract,
            "progress": progress,
            "reports": reports,
            "queries": queries,
            "today": timezone.localdate(),
        },
    )


# Submitting a report ------------------------------------------------------------------------------------------


def _initial(report, commitments) -> dict:
    initial = {"narrative": report.narrative}
    for line in selectors.report_lines(report):
        initial |= {
            f"quantity_{line.commitment_id}": f"{line.quantity.normalize():f}",
            f"place_{line.commitment_id}": line.place,
            f"note_{line.commitment_id}": line.note,
        }
    for commitment in commitments:
        initial.setdefault(f"place_{commitment.pk}", commitment.place)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def report_submit(request, authority_slug, contract_id, number):
    contract = _contract_or_404(request, contract_id)
    report = _report_or_404(contract, number)
    base = {"contract": contract, "report": report, "contract_url": _contract_url(contract)}
    if report.period_end >= timezone.localdate():
        # Explained before any form: the period has not ended, so there is nothing to report yet.
        return render(
            request, "compact/supplier/report_future.html", base, status=200 if request.method == "GET" else 422
        )
    changing = request.method == "POST" or request.GET.get("change") == "1"
    if report.status != ReportStatus.DUE and not (changing and report.status == ReportStatus.SUBMITTED):
        return render(
            request,
            "compact/supplier/report_receipt.html",
            base
            | {
                "receipt_groups": _receipt_groups(report.receipt),
                "flags": (report.content or {}).get("flags", []),
                "lines": (report.content or {}).get("lines", []),
                "evidence_url": _evidence_url(report),
                "change_url": f"{_report_url(report)}?change=1",
            },
            status=422 if request.method == "POST" else 200,  # a verified report cannot be submitted again
        )
    commitments = selectors.contract_commitments(contract)
    if request.method == "POST":
        form = ReportForm(request.POST, commitments=commitments)
        if form.is_valid():
            try:
                services.report_submit(
                    report=report,
                    acting_user=request.user,
                    lines=form.lines(),
                    narrative=form.cleaned_data["narrative"],
                )
            except DomainError as error:
                first = f"quantity_{commitments[0].pk}" if commitments else None
                add_domain_error(form, error, field_map={"lines": first})
            else:
                messages.success(request, f"Report {report.number} for {contract.reference} has been submitted.")
                return see_other(_report_url(report))
    else:
        form = ReportForm(initial=_initial(report, commitments), commitments=commitments)
    return render(
        request,
        "compact/supplier/report_submit.html",
        base | {"form": form, "evidence_url": _evidence_url(report), "evidence_count": report.evidence.count()},
        status=form_status(form),
    )


# Evidence -----------------------------------------------------------------------------------------------------


def _evidence_or_404(report, evidence_id):
    item = selectors.report_evidence_get(report, evidence_id)
    if item is None:
        raise Http404("No such file")
    return item


@csrf_exempt  # only so the size guard is in place before the body is read: _report_evidence checks the token
@login_required
@require_http_methods(["GET", "POST"])
def report_evidence(request, authority_slug, contract_id, number):
    if request.method == "POST":
        request.upload_handlers.insert(0, UploadSizeGuard(request, evidence_rules.max_bytes()))
    return _report_evidence(request, contract_id, number)


@csrf_protect
def _report_evidence(request, contract_id, number):
    contract = _contract_or_404(request, contract_id)
    report = _report_or_404(contract, number)
    refusal = evidence_rules.change_refusal(report)
    error = ""
    if request.method == "POST":
        form = EvidenceUploadForm(request.POST, request.FILES, too_large=getattr(request, TOO_LARGE, False))
        if refusal:
            error = refusal
        elif form.is_valid():
            try:
                added = evidence_rules.evidence_add(
                    report=report, upload=form.cleaned_data["file"], acting_user=request.user
                )
            except DomainError as refused:
                add_domain_error(form, refused)
            else:
                messages.success(request, f"“{added.name}” has been added to report {report.number}.")
                return see_other(_evidence_url(report))
    else:
        form = EvidenceUploadForm()
    listed = evidence_rules.evidence_for_report(report)
    return render(
        request,
        "compact/supplier/evidence_list.html",
        {
            "contract": contract,
            "report": report,
            "items": listed,
            "form": form,
            "refusal": refusal,
            "error": error,
            "page_has_errors": bool(error),
            "full": len(listed) >= evidence_rules.MAX_EVIDENCE,
            "max_evidence": evidence_rules.MAX_EVIDENCE,
            "labels": evidence_rules.LABELS,
            "report_url": _report_url(report),
        },
        status=422 if error else form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_evidence_remove(request, authority_slug, contract_id, number, evidence_id):
    contract = _contract_or_404(request, contract_id)
    report = _report_or_404(contract, number)
    item = _evidence_or_404(report, evidence_id)
    refusal = evidence_rules.change_refusal(report)
    error = ""
    if request.method == "POST":
        try:
            evidence_rules.evidence_remove(evidence=item, acting_user=request.user)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(request, f"“{item.name}” has been removed from report {report.number}.")
            return see_other(_evidence_url(report))
    return render(
        request,
        "compact/supplier/evidence_remove.html",
        {
            "contract": contract,
            "report": report,
            "item": item,
            "refusal": refusal or error,
            "error": error,
            "page_has_errors": bool(error),
            "list_url": _evidence_url(report),
        },
        status=422 if error else 200,
    )


@login_required
@require_GET
def report_evidence_download(request, authority_slug, contract_id, number, evidence_id):
    contract = _contract_or_404(request, contract_id)
    item = _evidence_or_404(_report_or_404(contract, number), evidence_id)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.name,
        content_type=evidence_rules.CONTENT_TYPES[item.kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Answering a query --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def query_answer(request, authority_slug, contract_id, line_id):
    contract = _contract_or_404(request, contract_id)
    line = selectors.contract_line_get(contract, line_id)
    if line is None:
        raise Http404("No such line")
    open_question = line.verification == Verification.QUERIED
    if request.method == "POST" and open_question:
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.line_answer_query(line=line, acting_user=request.user, answer=form.cleaned_data["answer"])
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Your answer has been sent. The line is back with the contract manager.")
                return see_other(_contract_url(contract))
    else:
        form = AnswerForm()
    return render(
        request,
        "compact/supplier/query_answer.html",
        {"contract": contract, "line": line, "form": form, "open_question": open_question},
        status=form_status(form) if open_question else (422 if request.method == "POST" else 200),
    )


# Every contract of the person's organisations ----------------------------------------------------------------


@login_required
@require_GET
def my_contracts(request):
    return render(
        request,
        "compact/supplier/my_contracts.html",
        {
            "page_obj": selectors.dangerously_contracts_for_suppliers(
                account_selectors.supplier_organisations_for(request.user),
                request.GET.get("page"),
                page_size=MY_CONTRACTS_PAGE_SIZE,
            )
        },
    )


staff_urlpatterns = []
public_urlpatterns = [
    path("my-contracts/<int:contract_id>/", supplier_contract, name="supplier-contract"),
    path("my-contracts/<int:contract_id>/reports/<int:number>/", report_submit, name="report-submit"),
    path("my-contracts/<int:contract_id>/reports/<int:number>/evidence/", report_evidence, name="report-evidence"),
    path(
        "my-contracts/<int:contract_id>/reports/<int:number>/evidence/<int:evidence_id>/remove/",
        report_evidence_remove,
        name="report-evidence-remove",
    ),
    path(
        "my-contracts/<int:contract_id>/reports/<int:number>/evidence/<int:evidence_id>/",
        report_evidence_download,
        name="report-evidence-download",
    ),
    path("my-contracts/<int:contract_id>/lines/<int:line_id>/answer/", query_answer, name="query-answer"),
]
platform_urlpatterns = [
    path("account/contracts/", my_contracts, name="my-contracts"),
]
