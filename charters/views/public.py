"""Public charter pages, the charter PDF download, the platform-wide lists, and the staff buttons that make PDFs.

Public pages (`/p/<authority_slug>/...`) run inside the authority's scope (the middleware sets it) and are open to
anyone: they show only adopted and superseded versions and open consultations. Platform pages run unscoped and read
through the public selectors. Staff routes (`/a/<authority_slug>/...`) start document jobs and send the user to the
job page, which shows progress and the download.
"""

from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import authority_permission
from accounts.models import JobStatus
from accounts.views import see_other

from .. import documents, selectors
from ..models import CharterVersion, Consultation, VersionStatus
from ..selectors import consultation as consultation_selectors
from ..selectors import public_adopted_versions, public_open_consultations, version_content

PAGE_SIZE = 20


def consultation_public_url(consultation: Consultation) -> str:
    """The public consultation page (the consultation views own it); by path until its URL name exists."""
    slug = consultation.authority.slug
    try:
        return reverse(
            "charters:consultation-public", kwargs={"authority_slug": slug, "consultation_id": consultation.pk}
        )
    except NoReverseMatch:
        return f"/p/{slug}/consultations/{consultation.pk}/"


def _open_consultations(authority):
    today = timezone.localdate()
    consultations = consultation_selectors.consultations_open(authority, today)
    for consultation in consultations:
        consultation.public_url = consultation_public_url(consultation)
    return consultations


# Public pages under /p/<authority_slug>/ --------------------------------------------------------------------


def charter_public(request, authority_slug):
    """The authority's adopted charter(s), their version history, open consultations and the PDF download.

    One charter with an adopted version is shown in full; several are listed, each linking to its current version.
    A fixed number of queries whatever the charter's size (the body comes from `version_content`)."""
    authority = request.authority
    charters = selectors.charters_public(authority)
    current = [charter for charter in charters if charter.adopted]
    content = version_content(current[0].adopted) if len(current) == 1 else None
    return render(
        request,
        "charters/public/charter_public.html",
        {
            "authority": authority,
            "charters": charters,
            "current": current,
            "content": content,
            "consultations": _open_consultations(authority),
        },
    )


def _public_version(request, version_id) -> CharterVersion:
    return get_object_or_404(
        CharterVersion.objects.select_related("charter", "authority"),
        pk=version_id,
        authority=request.authority,
        status__in=selectors.PUBLIC_VERSION_STATUSES,
    )


def version_public(request, authority_slug, version_id):
    """One adopted or superseded version in full; a superseded one links to the charter's current version."""
    version = _public_version(request, version_id)
    current = None
    if version.status == VersionStatus.SUPERSEDED:
        current = selectors.version_adopted_for_charter(version.charter_id)
    history = selectors.versions_public_for_charter(version.charter_id)
    return render(
        request,
        "charters/public/version_public.html",
        {
            "authority": request.authority,
            "version": version,
            "current": current,
            "history": history,
            "content": version_content(version),
        },
    )


def version_public_pdf(request, authority_slug, version_id):
    """The version's PDF. If none has been made since the version's status last changed, one is started (by the
    system) and the page asks the reader to refresh; without a broker it is made before this answers."""
    version = _public_version(request, version_id)
    job = documents.public_charter_pdf(version)
    if job.status == JobStatus.SUCCEEDED and job.file:
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.filename, content_type="application/pdf"
        )
    return render(
        request,
        "charters/public/version_pdf_pending.html",
        {"authority": request.authority, "version": version, "failed": job.status == JobStatus.FAILED},
        status=503 if job.status == JobStatus.FAILED else 202,
    )


# Platform-wide pages ---------------------------------------------------------------------------------------


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def platform_charters(request):
    """Every authority's adopted charters (public information, read across authorities)."""
    page = _page(request, public_adopted_versions())
    return render(request, "charters/public/platform_charters.html", {"page_obj": page})


def platform_consultations(request):
    """Consultations open today, across authorities, closing soonest first."""
    consultations = public_open_consultations(timezone.localdate())
    page = _page(request, consultations)
    for consultation in page.object_list:
        consultation.public_url = consultation_public_url(consultation)
    return render(request, "charters/public/platform_consultations.html", {"page_obj": page})


# Staff: make documents -------------------------------------------------------------------------------------


@authority_permission("charters.export")
@require_http_methods(["GET", "POST"])
def version_pdf_request(request, version_id):
    """POST starts a charter PDF job; GET shows the button (and the latest PDFs), so the route works without a
    form on the page that links here."""
    version = get_object_or_404(
        CharterVersion.objects.select_related("charter"), pk=version_id, authority=request.authority
    )
    if request.method == "POST":
        job = documents.charter_pdf_request(version=version, acting_user=request.user)
        return see_other("accounts:job-detail", authority_slug=request.authority.slug, job_id=job.pk)
    return render(
        request,
        "charters/public/document_request.html",
        {
            "heading": f"Charter PDF: {version.title}, version {version.number}",
            "description": "Make a PDF of this version of the charter, to print or share.",
            "button": "Make the charter PDF",
            "jobs": documents.charter_pdf_jobs(version).select_related("requested_by").order_by("-created_at")[:5],
        },
    )


@authority_permission("charters.export")
@require_http_methods(["GET", "POST"])
def consultation_report_request(request, consultation_id):
    """POST starts a consultation report job; GET shows the button and the latest reports."""
    consultation = get_object_or_404(
        Consultation.objects.select_related("version", "version__charter"),
        pk=consultation_id,
        authority=request.authority,
    )
    if request.method == "POST":
        job = documents.consultation_report_request(consultation=consultation, acting_user=request.user)
        return see_other("accounts:job-detail", authority_slug=request.authority.slug, job_id=job.pk)
    version = consultation.version
    return render(
        request,
        "charters/public/document_request.html",
        {
            "heading": f"Consultation report: {version.title}, version {version.number}",
            "description": (
                "Make a PDF of every published comment with its answer, and counts by part of the charter and by "
                "answer. Hidden comments are counted but not shown."
            ),
            "button": "Make the consultation report",
            "jobs": documents.consultation_report_jobs(consultation)
            .select_related("requested_by")
            .order_by("-created_at")[:5],
        },
    )


staff_urlpatterns = [
    path("versions/<int:version_id>/pdf/", version_pdf_request, name="version-pdf-request"),
    path(
        "consultations/<int:consultation_id>/report/", consultation_report_request, name="consultation-report-request"
    ),
]
public_urlpatterns = [
    path("charter/", charter_public, name="charter-public"),
    path("charter/versions/<int:version_id>/", version_public, name="version-public"),
    path("charter/versions/<int:version_id>/pdf/", version_public_pdf, name="version-public-pdf"),
]
platform_urlpatterns = [
    path("charters/", platform_charters, name="platform-charters"),
    path("consultations/", platform_consultations, name="platform-consultations"),
]
