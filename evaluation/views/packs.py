"""The evaluation pack page (staff, /a/<authority>/): one button starts the PDF, XLSX and CSV jobs; the page follows
their progress (htmx polls a status partial and stops on HTTP 286; without JavaScript, a refresh link) and offers
each file, with its SHA-256, through the job download route once it is ready."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from accounts.decorators import authority_permission
from accounts.jobs import job_kind
from accounts.views import see_other
from foundation.errors import DomainError

from .. import packs, selectors
from ..models import Evaluation


def _evaluation(request, evaluation_id) -> Evaluation:
    evaluation = selectors.evaluation_get(request.authority, evaluation_id)
    if evaluation is None:
        raise Http404("No such evaluation")
    return evaluation


def _status_context(evaluation) -> dict:
    files = [{"job": job, "label": job_kind(job.kind).label} for job in packs.pack_jobs(evaluation)]
    return {
        "evaluation": evaluation,
        "files": files,
        "finished": all(item["job"].is_finished for item in files),
    }


@authority_permission("evaluation.export")
@require_http_methods(["GET", "POST"])
def pack(request, evaluation_id):
    evaluation = _evaluation(request, evaluation_id)
    error = ""
    if request.method == "POST":
        try:
            packs.pack_start(evaluation=evaluation, acting_user=request.user)
        except DomainError as refusal:
            error = refusal.message
        else:
            messages.success(request, "The evaluation pack is being made. Its files appear below when they are ready.")
            return see_other(reverse("evaluation:packs", args=[request.authority.slug, evaluation.pk]))
    return render(
        request,
        "evaluation/pack/pack.html",
        {
            **_status_context(evaluation),
            "tender": evaluation.tender,
            "refusal": packs.pack_refusal(evaluation),
            "error": error,
            "page_has_errors": bool(error),
        },
        status=422 if error else 200,
    )


@authority_permission("evaluation.export")
def pack_status(request, evaluation_id):
    evaluation = _evaluation(request, evaluation_id)
    context = _status_context(evaluation)
    response = render(request, "evaluation/pack/pack.html#status", context)
    if context["finished"]:
        response.status_code = 286  # tells htmx to stop polling
    return response


staff_urlpatterns = [
    path("evaluations/<int:evaluation_id>/pack/", pack, name="packs"),
    path("evaluations/<int:evaluation_id>/pack/status/", pack_status, name="pack-status"),
]
public_urlpatterns = []
platform_urlpatterns = []
