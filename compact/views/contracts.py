"""Staff contract pages: the contract list, a contract from a confirmed award, the contract page (progress, reports,
KPIs, ratings), KPIs, ending a contract, confirming the performance rating, a delivery report with its evidence, and
the contract manager's verification of each line.

Every form is a plain POST that answers 303, or 422 with the error summary and what was typed kept.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import authority_permission
from accounts.models import Membership, Organisation, OrganisationKind
from accounts.roles import Role, has_permission
from accounts.views import add_domain_error, form_status, see_other
from accounts.widgets import GovukDateField, GovukRadioSelect
from charters.models import FROZEN_STATUSES, CharterMeasure, CharterVersion
from foundation.errors import DomainError
from tenders.documents import CONTENT_TYPES

from .. import decommissioning, selectors, services
from ..models import (
    CommunityCheck,
    Contract,
    ContractStatus,
    DeliveryReport,
    Evidence,
    PerformanceRating,
    ReportStatus,
    Verification,
)
from ..performance import STATUS_TEXT, Rating
from ..selectors import contract_progress

CONTRACTS_PAGE_SIZE = 25

# Forms ------------------------------------------------------------------------------------------------------------


class ContractFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *ContractStatus.choices])
    supplier = forms.CharField(label="Supplier name contains", required=False, max_length=200)


class _OfficerDatesForm(forms.Form):
    responsible_officer = forms.ChoiceField(
        label="Responsible officer",
        help_text="The contract manager who verifies the supplier's reports.",
        error_messages={
            "required": "Choose the responsible officer",
            "invalid_choice": "Choose one of the authority's contract managers",
        },
    )
    starts_on = GovukDateField(label="Start date", subject="Start date", help_text="For example, 1 4 2026")
    ends_on = GovukDateField(label="End date", subject="End date", help_text="For example, 31 3 2027")

    def __init__(self, *args, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.managers = {str(user.pk): user for user in managers}
        self.fields["responsible_officer"].choices = [
            ("", "Choose a contract manager"),
            *((key, user.full_name or user.email) for key, user in self.managers.items()),
        ]
        self.fields["starts_on"].error_messages["required"] = "Enter the date the contract starts"
        self.fields["ends_on"].error_messages["required"] = "Enter the date the contract ends"

    def officer(self):
        return self.managers.get(self.cleaned_data.get("responsible_officer", ""))


class ContractFromAwardForm(_OfficerDatesForm):
    reference = forms.CharField(
        label="Contract reference (optional)",
        required=False,
        max_length=50,
        help_text="Leave it blank to use the tender's reference.",
        error_messages={"max_length": "The reference must be 50 characters or fewer"},
    )


COMMITMENT_ROWS = 5


class ContractCreateForm(_OfficerDatesForm):
    """A contract awarded elsewhere: the service checks the rules; the form only turns choices into objects."""

    supplier = forms.ChoiceField(
        label="Supplier organisation",
        error_messages={
            "required": "Choose the supplier organisation",
            "invalid_choice": "Choose one of the supplier organisations",
        },
    )
    reference = forms.CharField(
        label="Contract reference",
        max_length=50,
        error_messages={
            "required": "Enter the contract's reference",
            "max_length": "The reference must be 50 characters or fewer",
        },
    )
    title = forms.CharField(
        label="Contract title",
        max_length=200,
        error_messages={
            "required": "Enter the contract's title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    value = forms.DecimalField(
        label="Contract value (£)",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the contract value",
            "invalid": "Enter the contract value as a number, like 50000",
            "min_value": "The contract value cannot be negative",
            "max_digits": "Enter a contract value of less than £1 trillion",
            "max_decimal_places": "Enter the contract value in pounds and pence",
        },
    )
    charter_version = forms.ChoiceField(
        label="Charter version",
        help_text="The commitments' measures must come from this version.",
        error_messages={
            "required": "Choose the charter version",
            "invalid_choice": "Choose an adopted (or superseded) version of the authority's charter",
        },
    )

    field_order = ["supplier", "reference", "title", "value", "starts_on", "ends_on", "responsible_officer"]

    def __init__(self, *args, managers, suppliers, versions, measures, **kwargs):
        super().__init__(*args, managers=managers, **kwargs)
        self.suppliers = {str(org.pk): org for org in suppliers}
        self.versions = {str(version.pk): version for version in versions}
        self.measures = {str(measure.pk): measure for measure in measures}
        self.fields["supplier"].choices = [
            ("", "Choose a supplier"),
            *((key, org.name) for key, org in self.suppliers.items()),
        ]
        self.fields["charter_version"].choices = [
            ("", "Choose a charter version"),
            *((key, f"{version} – {version.get_status_display().lower()}") for key, version in self.versions.items()),
        ]
        measure_choices = [
            ("", "No commitment"),
            *((key, f"version {m.version.number}: {m.code} {m.title}") for key, m in self.measures.items()),
        ]
        for row in self.rows():
            self.fields[f"measure_{row}"] = forms.ChoiceField(
                label="Measure",
                required=False,
                choices=measure_choices,
                error_messages={"invalid_choice": "Choose one of the charter versions' measures"},
            )
            self.fields[f"target_{row}"] = forms.CharField(
                label="Target",
                required=False,
                max_length=30,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
                error_messages={"max_length": "The target must be 30 characters or fewer"},
            )
            self.fields[f"place_{row}"] = forms.CharField(
                label="Place (optional)",
                required=False,
                max_length=200,
                error_messages={"max_length": "The place must be 200 characters or fewer"},
            )

    @staticmethod
    def rows():
        return range(1, COMMITMENT_ROWS + 1)

    def commitment_rows(self):
        """(measure field, target field, place field) per row, for the template."""
        return [(self[f"measure_{row}"], self[f"target_{row}"], self[f"place_{row}"]) for row in self.rows()]

    def clean(self):
        cleaned = super().clean()
        for row in self.rows():
            measure, target = cleaned.get(f"measure_{row}"), (cleaned.get(f"target_{row}") or "").strip()
            if measure and not target:
                self.add_error(f"target_{row}", f"Enter the target for commitment {row}")
            elif target and not measure and f"measure_{row}" not in self.errors:
                self.add_error(f"measure_{row}", f"Choose the measure for commitment {row}")
        return cleaned

    def commitments(self):
        # Blank rows are ignored; the service refuses when none is left.
        return [
            (
                self.measures[self.cleaned_data[f"measure_{row}"]],
                self.cleaned_data[f"target_{row}"].strip(),
                self.cleaned_data[f"place_{row}"],
            )
            for row in self.rows()
            if self.cleaned_data.get(f"measure_{row}")
        ]


class KpiForm(forms.Form):
    title = forms.CharField(
        label="What the KPI measures",
        max_length=200,
        error_messages={
            "required": "Enter what the KPI measures",
            "max_length": "The KPI must be 200 characters or fewer",
        },
    )
    target = forms.CharField(
        label="Target",
        max_length=200,
        help_text="For example, 95% of repairs completed within 10 working days.",
        error_messages={
            "required": "Enter the KPI's target",
            "max_length": "The target must be 200 characters or fewer",
        },
    )


END_CHOICES = [
    (ContractStatus.COMPLETED.value, "Completed"),
    (ContractStatus.ENDED_EARLY.value, "Ended early"),
]


class ContractEndForm(forms.Form):
    status = forms.ChoiceField(
        label="How did the contract end?",
        choices=END_CHOICES,
        widget=GovukRadioSelect(choices=END_CHOICES),
        error_messages={
            "required": "Choose whether the contract was completed or ended early",
            "invalid_choice": "Choose whether the contract was completed or ended early",
        },
    )
    ended_on = GovukDateField(label="Date it ended", subject="The end date", help_text="For example, 31 3 2027")
    reason = forms.CharField(
        label="Why it ended early (if it did)",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "The reason must be 3,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].error_messages["required"] = "Enter the date the contract ended"


RATING_CHOICES = [(rating.value, rating.label) for rating in Rating]


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label="Performance rating",
        choices=RATING_CHOICES,
        widget=GovukRadioSelect(choices=RATING_CHOICES),
        error_messages={"required": "Choose the rating", "invalid_choice": "Choose the rating"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=3000,
        help_text="Needed when you change the suggested rating.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "The reason must be 3,000 characters or fewer"},
    )


DECISION_CHOICES = [
    (Verification.ACCEPTED.value, "Accept"),
    (Verification.QUERIED.value, "Query: ask the supplier a question"),
    (Verification.REJECTED.value, "Reject"),
]


class LineVerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=DECISION_CHOICES,
        widget=GovukRadioSelect(
            choices=DECISION_CHOICES,
            option_hints={
                Verification.ACCEPTED.value: "The quantity counts as delivered.",
                Verification.QUERIED.value: "The supplier answers, and the line comes back to you.",
                Verification.REJECTED.value: "The quantity does not count. Give the reason.",
            },
        ),
        error_messages={
            "required": "Choose whether to accept, query or reject the line",
            "invalid_choice": "Choose whether to accept, query or reject the line",
        },
    )
    note = forms.CharField(
        label="Your question, or the reason for rejecting",
        required=False,
        max_length=3000,
        help_text="The supplier sees it.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "The note must be 3,000 characters or fewer"},
    )


# Helpers -------------------------------------------------------------------------------------------------------------
# GET-only object pages look their object up before refusing other methods: another authority's object answers 404
# whatever the method.


def _contract_or_404(request, contract_id) -> Contract:
    contract = (
        Contract.objects.filter(authority=request.authority, pk=contract_id)
        .select_related("supplier", "responsible_officer", "charter_version", "tender", "lot")
        .first()
    )
    if contract is None:
        raise Http404("No such contract")
    return contract


def _contract_managers(authority):
    memberships = (
        Membership.objects.filter(authority=authority, role=Role.CONTRACT_MANAGER)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [membership.user for membership in memberships]


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
    versions = list(
        CharterVersion.objects.filter(authority=authority, status__in=FROZEN_STATUSES).order_by("-number", "pk")
    )
    measures = (
        CharterMeasure.objects.filter(authority=authority, version__in=versions)
        .select_related("version")
        .order_by("-version__number", "code", "pk")
    )
    # Supplier organisations are platform-wide, not the authority's: any registered supplier can hold a contract.
    suppliers = Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).order_by("name", "pk")
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
    from evaluation.models import Award

    award = (
        Award.objects.filter(authority=request.authority, pk=award_id)
        .select_related("evaluation__tender", "lot", "offer__organisation")
        .first()
    )
    if award is None:
        raise Http404("No such award")
    tender = award.evaluation.tender
    context = {"award": award, "tender": tender, "supplier": award.offer.organisation.name}
    existing = Contract.objects.filter(authority=request.authority, award_id_source=award.pk).first()
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
    reports = list(DeliveryReport.objects.filter(contract=contract).order_by("number"))
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
            "community_checks": list(
                CommunityCheck.objects.filter(line__report__contract=contract).select_related(
                    "organisation", "line__commitment__charter_measure", "line__report"
                )
            ),
            "ratings": list(PerformanceRating.objects.filter(contract=contract).select_related("confirmed_by")),
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
    confirmed = PerformanceRating.objects.filter(contract=contract, period_end=period_end).first()
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
    report = (
        DeliveryReport.objects.filter(authority=request.authority, pk=report_id)
        .select_related("contract__supplier", "submitted_by")
        .first()
    )
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
    evidence = Evidence.objects.filter(authority=request.authority, pk=evidence_id).first()
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
