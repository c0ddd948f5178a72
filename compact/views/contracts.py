"""Staff contract pages: the contract list, a contract from a confirmed award, the contract page (progress, reports,
KPIs, ratings), KPIs, ending a contract, confirming the performance rating, a delivery report with its evidence, and
the contract manager's verification of each line.

Every form is a plain POST that answers 303, or 422 with the error summary and what was typed kept.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts import selectors as account_selectors
from accounts.decorators import authority_permission
from accounts.roles import Role, has_permission
from accounts.views import add_domain_error, form_status, see_other
from charters import selectors as charter_selectors
from evaluation import selectors as evaluation_selectors
from foundation.errors import DomainError
from tenders.documents import CONTENT_TYPES

from .. import decommissioning, selectors, services
from ..forms.contracts import (
    ContractCreateForm,
    ContractEndForm,
    ContractFilterForm,
    ContractFromAwardForm,
    KpiForm,
    LineVerifyForm,
    RatingForm,
)
from ..models import Contract, ContractStatus, DeliveryReport, ReportStatus
from ..performance import STATUS_TEXT, Rating
from ..selectors import contract_progress

CONTRACTS_PAGE_SIZE = 25


# Helpers -------------------------------------------------------------------------------------------------------------
# GET-only object pages look their object up before refusing other methods: another authority's object answers 404
# whatever the method.


def _contract_or_404(request, contract_id) -> Contract:
    contract = selectors.contract_get(request.authority, contract_id)
    if contract is None:
        raise Http404("No such contract")
    return contract


def _contract_managers(authority):
    return account_selectors.authority_users_with_role(authority, Role.CONTRACT_MANAGER)


def _contract_url(request, contract) -> str:
    return reverse("compact:contract-detail", args=[request.authority.slug, contract.pk])


def _thread_url(slug, commitment_id) -> str:
    # The golden thread is its own page; link only when it is mounted.
    try:
        return reverse("compact:thread", args=[slug, commitment_id])
    except NoReverseMatch:
        return ""


def _rating_period_end(contract):
    today = timezone.localdate()
    return min(today, contract.ended_on or contract.ends_on)


# Contracts --------------------------------------------------------------------------------------------------------


@authority_permission("contracts.view")
@require_GET
def contract_list(request):
    form = ContractFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    contracts = selectors.contract_list(
        request.authority, status=filters.get("status", ""), supplier=filters.get("supplier", "")
    )
    filtered = form.is_bound and any((form.cleaned_data or {}).values()) if form.is_valid() else form.is_bound
    page_obj = Paginator(contracts, CONTRACTS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "compact/contracts/contract_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "filtered": filtered,
            "query_string": query.urlencode(),
            "can_manage": has_permission(request.roles, "contracts.manage"),
            "can_export": has_permission(request.roles, "contracts.export"),
        },
    )


@authority_permission("contracts.manage")
@require_http_methods(["GET", "POST"])
def contract_create(request):
    authority = request.authority
    versions = charter_selectors.frozen_versions(authority)
    measures = charter_selectors.measures_of_versions(authority, versions)
    # Supplier organisations are platform-wide, not the authority's: any registered supplier can hold a contract.
    suppliers = account_selectors.supplier_organisations()
    form = ContractCreateForm(
        request.POST or None,
        managers=_contract_managers(authority),
        suppliers=suppliers,
        versions=versions,
        measures=measures,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(
                authority=authority,
                acting_user=request.user,
                supplier=form.suppliers[form.cleaned_data["supplier"]],
                reference=form.cleaned_data["reference"],
                title=form.cleaned_data["title"],
                value=form.cleaned_data["value"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                responsible_officer=form.officer(),
                charter_version=form.versions[form.cleaned_data["charter_version"]],
                commitments=form.commitments(),
            )
        except DomainError as error:
            # A refusal about the commitments as a whole is shown at the first row, where they start.
            add_domain_error(form, error, field_map={"commitments": "measure_1"})
        else:
            messages.success(request, f"Contract {contract.reference} created with its reporting schedule.")
            return see_other(_contract_url(request, contract))
    return render(request, "compact/contracts/contract_create.html", {"form": form}, status=form_status(form))


@authority_permission("contracts.manage")
@require_http_methods(["GET", "POST"])
def contract_from_award(request, award_id):
    award = evaluation_selectors.award_get(request.authority, award_id)
    if award is None:
        raise Http404("No such award")
    tender = award.evaluation.tender
    context = {"award": award, "tender": tender, "supplier": award.offer.organisation.name}
    existing = selectors.contract_for_award(award)
    if award.confirmed_at is None or existing is not None:
        return render(
            request, "compact/contracts/contract_from_award_unavailable.html", {**context, "existing": existing}
        )
    form = ContractFromAwardForm(request.POST or None, managers=_contract_managers(request.authority))
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create_from_award(
                award=award,
                acting_user=request.user,
                responsible_officer=form.officer(),
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                reference=form.cleaned_data["reference"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Contract {contract.reference} created with its reporting schedule.")
            return see_other(_contract_url(request, contract))
    return render(
        request,
        "compact/contracts/contract_from_award.html",
        {**context, "form": form, "commitments": award.contract_terms.get("commitments", [])},
        status=form_status(form),
    )


@authority_permission("contracts.view")
def contract_detail(request, contract_id):
    contract = _contract_or_404(request, contract_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    today = timezone.localdate()
    progress = contract_progress(contract, today)
    slug = request.authority.slug
    commitments = [
        {"progress": row, "thread_url": _thread_url(slug, row.commitment.pk)} for row in progress.commitments
    ]
    reports = selectors.contract_reports(contract)
    for report in reports:
        report.overdue = selectors.report_is_overdue(report, today)
    roles = request.roles
    assessments = decommissioning.assessments_for_contract(contract)
    return render(
        request,
        "compact/contracts/contract_detail.html",
        {
            "contract": contract,
            "progress": progress,
            "commitments": commitments,
            "reports": reports,
            "kpis": list(contract.kpis.all()),
            # What community groups said on the public tracker, for the manager to answer.
            "community_checks": selectors.contract_community_checks(contract),
            "ratings": selectors.contract_ratings(contract),
            "assessments": assessments,
            "reduction_ready": any(decommissioning.reduction_ready(a) for a in assessments),
            "rating_labels": {rating.value: rating.label for rating in Rating},
            "status_text": STATUS_TEXT,
            "active": contract.status == ContractStatus.ACTIVE,
            "can_manage": has_permission(roles, "contracts.manage"),
            "can_verify": has_permission(roles, "contracts.verify"),
            "can_export": has_permission(roles, "contracts.export"),
        },
    )


@authority_permission("contracts.manage")
@require_http_methods(["GET", "POST"])
def kpi_add(request, contract_id):
    contract = _contract_or_404(request, contract_id)
    form = KpiForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_add(
                contract=contract,
                acting_user=request.user,
                title=form.cleaned_data["title"],
                target=form.cleaned_data["target"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "KPI added.")
            return see_other(_contract_url(request, contract) + "#kpis")
    return render(
        request,
        "compact/contracts/kpi_add.html",
        {"contract": contract, "form": form, "contract_url": _contract_url(request, contract)},
        status=form_status(form),
    )


@authority_permission("contracts.manage")
@require_http_methods(["GET", "POST"])
def contract_end(request, contract_id):
    contract = _contract_or_404(request, contract_id)
    contract_url = _contract_url(request, contract)
    if contract.status != ContractStatus.ACTIVE:
        return render(
            request, "compact/contracts/contract_ended.html", {"contract": contract, "contract_url": contract_url}
        )
    form = ContractEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_end(
                contract=contract,
                acting_user=request.user,
                status=form.cleaned_data["status"],
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The end of the contract has been recorded.")
            return see_other(contract_url)
    return render(
        request,
        "compact/contracts/contract_end.html",
        {
            "contract": contract,
            "form": form,
            "contract_url": contract_url,
            # Ending early needs a decided decommissioning assessment: say so before the form is sent.
            "early_end_blocker": decommissioning.early_end_blocker(contract),
            "end_assessment": decommissioning.end_early_assessment(contract),
        },
        status=form_status(form),
    )


@authority_permission("contracts.verify")
@require_http_methods(["GET", "POST"])
def rating_confirm(request, contract_id):
    contract = _contract_or_404(request, contract_id)
    contract_url = _contract_url(request, contract)
    period_end = _rating_period_end(contract)
    suggestion = contract_progress(contract, period_end).rating
    confirmed = selectors.rating_for_period(contract, period_end)
    context = {
        "contract": contract,
        "contract_url": contract_url,
        "period_end": period_end,
        "suggestion": suggestion,
        "confirmed": confirmed,
        "rating_labels": {rating.value: rating.label for rating in Rating},
    }
    if confirmed is not None:
        return render(request, "compact/contracts/rating_confirm.html", context)
    form = RatingForm(request.POST or None, initial={"rating": suggestion.rating.value})
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_confirm(
                contract=contract,
                acting_user=request.user,
                period_end=period_end,
                rating=form.cleaned_data["rating"],
                suggested=suggestion.rating.value,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The performance rating has been confirmed.")
            return see_other(contract_url + "#ratings")
    return render(request, "compact/contracts/rating_confirm.html", {**context, "form": form}, status=form_status(form))


# Reports, verification and evidence -------------------------------------------------------------------------------


def _report_or_404(request, report_id) -> DeliveryReport:
    report = selectors.report_get(request.authority, report_id)
    if report is None:
        raise Http404("No such report")
    return report


@authority_permission("contracts.view")
def report_detail(request, report_id):
    report = _report_or_404(request, report_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    lines = selectors.report_lines(report)
    return render(
        request,
        "compact/contracts/report_detail.html",
        {
            "report": report,
            "contract": report.contract,
            "contract_url": _contract_url(request, report.contract),
            "lines": lines,
            "evidence": list(report.evidence.all()),
            "receipt_matches": services.report_receipt_matches(report),
            "can_verify": has_permission(request.roles, "contracts.verify") and report.status == ReportStatus.SUBMITTED,
        },
    )


@authority_permission("contracts.verify")
@require_http_methods(["GET", "POST"])
def line_verify(request, line_id):
    line = selectors.line_get(request.authority, line_id)
    if line is None:
        raise Http404("No such line")
    report_url = reverse("compact:report-detail", args=[request.authority.slug, line.report_id])
    form = LineVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.line_verify(
                line=line,
                acting_user=request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{line.commitment.charter_measure.code}: decision recorded.")
            return see_other(f"{report_url}#line-{line.pk}")
    return render(
        request,
        "compact/contracts/line_verify.html",
        {
            "line": line,
            "report": line.report,
            "report_url": report_url,
            "form": form,
            "open": line.report.status == ReportStatus.SUBMITTED,
        },
        status=form_status(form),
    )


@authority_permission("contracts.view")
def evidence_download(request, evidence_id):
    evidence = selectors.evidence_get(request.authority, evidence_id)
    if evidence is None:
        raise Http404("No such evidence")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.name,
        content_type=CONTENT_TYPES.get(evidence.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


staff_urlpatterns = [
    path("contracts/", contract_list, name="contract-list"),
    path("contracts/new/", contract_create, name="contract-create"),
    path("awards/<int:award_id>/contract/", contract_from_award, name="contract-from-award"),
    path("contracts/<int:contract_id>/", contract_detail, name="contract-detail"),
    path("contracts/<int:contract_id>/kpis/", kpi_add, name="kpi-add"),
    path("contracts/<int:contract_id>/end/", contract_end, name="contract-end"),
    path("contracts/<int:contract_id>/rating/", rating_confirm, name="rating-confirm"),
    path("reports/<int:report_id>/", report_detail, name="report-detail"),
    path("lines/<int:line_id>/verify/", line_verify, name="line-verify"),
    path("evidence/<int:evidence_id>/", evidence_download, name="evidence-staff"),
]
public_urlpatterns = []
platform_urlpatterns = []
