"""Importing a published notice (OCDS 1.1 JSON) as draft tenders: the upload form and its report.

Needs `tenders.manage`. A file that cannot be read, or from which nothing could be imported, is re-shown with 422
and the reasons. Otherwise the drafts are created and the browser is sent (303) to the report, kept in the session
for this authority so that refreshing it shows it again rather than importing twice.
"""

import uuid

from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from accounts.decorators import authority_permission
from accounts.views import form_status, see_other

from .. import ocds
from ..forms.ocds_import import OcdsImportForm

# The report lists at most this many problems and notes each; the rest are counted.
LINES_SHOWN = 200


def _session_key(authority) -> str:
    return f"tenders:ocds-import:{authority.pk}"


def _report_data(report: ocds.ImportReport) -> dict:
    """What the report page shows, as plain data that can be kept in the session."""
    errors, notes = report.error_lines, report.note_lines
    return {
        "filename": report.filename,
        "file_kind": report.file_kind,
        "summary": report.summary(),
        "created": [
            {
                "id": release.tender.pk if release.tender else None,
                "reference": release.fields["reference"],
                "title": release.fields["title"],
                "label": release.label,
            }
            for release in report.created
        ],
        "skipped": [release.skipped_line for release in report.skipped],
        "without_tender": [release.label for release in report.without_tender],
        "errors": errors[:LINES_SHOWN],
        "hidden_errors": max(0, len(errors) - LINES_SHOWN),
        "notes": notes[:LINES_SHOWN],
        "hidden_notes": max(0, len(notes) - LINES_SHOWN),
    }


def _with_links(data: dict, authority) -> dict:
    created = [
        {
            **tender,
            "url": reverse(
                "tenders:tender-detail", kwargs={"authority_slug": authority.slug, "tender_id": tender["id"]}
            ),
        }
        for tender in data["created"]
    ]
    return {**data, "created": created}


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def ocds_import_page(request):
    authority = request.authority
    report = None
    if request.method == "POST":
        form = OcdsImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = ocds.ocds_import(authority=authority, acting_user=request.user, file=form.cleaned_data["file"])
            if result.file_errors:
                for error in result.file_errors:
                    form.add_error("file", error)
            elif not result.created:
                form.add_error("file", "No draft tenders were made from this file. The reasons are listed below")
                report = _report_data(result)
            else:
                token = uuid.uuid4().hex
                request.session[_session_key(authority)] = {"token": token, "report": _report_data(result)}
                url = reverse("tenders:ocds-import", kwargs={"authority_slug": authority.slug})
                return see_other(f"{url}?report={token}")
    else:
        form = OcdsImportForm()
        stored = request.session.get(_session_key(authority))
        if stored and request.GET.get("report") == stored.get("token"):
            report = stored["report"]
    return render(
        request,
        "tenders/ocds/ocds_import.html",
        {
            "form": form,
            "report": _with_links(report, authority) if report else None,
            "back_url": reverse("tenders:tender-list", kwargs={"authority_slug": authority.slug}),
            "max_megabytes": ocds.MAX_FILE_BYTES // (1024 * 1024),
        },
        status=form_status(form),
    )


staff_urlpatterns = [
    path("tenders/import/", ocds_import_page, name="ocds-import"),
]
public_urlpatterns = []
platform_urlpatterns = []
