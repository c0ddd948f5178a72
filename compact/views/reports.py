"""Staff pages that start the contract follow-up reports (compact/reports.py) as background jobs; once started,
the job page (accounts:job-detail) follows its progress and offers the file."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import authority_permission
from accounts.services import job_start
from accounts.views import form_status, see_other

from .. import reports, selectors
from ..forms.reports import AnnualReportForm


def _job_page(request, job):
    return see_other("accounts:job-detail", authority_slug=request.authority.slug, job_id=job.pk)


@authority_permission("contracts.export")
@require_http_methods(["GET", "POST"])
def compliance_report(request, contract_id):
    contract = selectors.contract_get(request.authority, contract_id)
    if contract is None:
        raise Http404("No such contract")
    if request.method == "POST":
        job = job_start(
            authority=request.authority,
            acting_user=request.user,
            kind=reports.COMPLIANCE_PDF,
            params={"contract_id": contract.pk},
        )
        return _job_page(request, job)
    return render(request, "compact/reports/compliance_report.html", {"contract": contract})


@authority_permission("contracts.export")
@require_http_methods(["GET", "POST"])
def annual_report(request):
    # The current year is offered too, for a report of the year so far; the last complete one is the default.
    today = timezone.localdate()
    last_complete = reports.last_complete_financial_year(today)
    if request.method == "POST":
        form = AnnualReportForm(request.POST, today=today)
        if form.is_valid():
            job = job_start(
                authority=request.authority,
                acting_user=request.user,
                kind=reports.ANNUAL_PDF,
                params={"year": form.cleaned_data["year"]},
            )
            return _job_page(request, job)
    else:
        form = AnnualReportForm(initial={"year": last_complete}, today=today)
    return render(request, "compact/reports/annual_report.html", {"form": form}, status=form_status(form))


staff_urlpatterns = [
    path("contracts/<int:contract_id>/compliance-report/", compliance_report, name="compliance-report"),
    path("reports/annual/", annual_report, name="annual-report"),
]
public_urlpatterns = []
platform_urlpatterns = []
