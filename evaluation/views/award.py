"""The award and standstill (staff), and assessment summaries (bidders).

Staff (/a/<authority>/): once moderation is finalised a procurement officer decides the award per lot (a tender
without lots is one) for the highest-ranked offer, with reasons; standstill then runs for 8 working days, after
which the award can be confirmed, marking the tender awarded once every lot is confirmed. Deciding issues every
assessed bidder's assessment summary; staff download the PDFs through the job pages.

Bidders: `account/assessment-summaries/` lists the summaries of every supplier organisation the person is an
approved member of, across authorities; `/p/<authority>/awards/<award_id>/summary/` shows one award's summary for
their organisation only (404 for anyone without an assessed offer in it), with its PDF.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import authority_permission
from accounts.jobs import job_download_record
from accounts.models import JobStatus
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError
from tenders import selectors as tender_selectors

from .. import selectors, services, summaries
from ..forms import AwardForm
from ..models import Award, EvaluationStatus
from ..selectors import supplier_name
from .moderation import evaluation_or_404, overview_url

# Deciding ------------------------------------------------------------------------------------------------------


def standstill_text(award: Award) -> str:
    ends = award.standstill_ends_on
    return (
        f"Standstill ends at midnight at the end of {ends:%A %-d %B %Y}; you can confirm the award from "
        f"{ends + timedelta(days=1):%A %-d %B %Y}."
    )


@authority_permission("evaluation.manage")
@require_http_methods(["GET", "POST"])
def award(request, evaluation_id):
    evaluation = evaluation_or_404(request, evaluation_id)
    tender = evaluation.tender
    award_url = reverse("evaluation:award", args=[request.authority.slug, evaluation.pk])
    context = {
        "evaluation": evaluation,
        "tender": tender,
        "overview_url": overview_url(request, evaluation),
        "results_url": reverse("evaluation:results", args=[request.authority.slug, evaluation.pk]),
        "award_url": award_url,
    }
    if evaluation.status == EvaluationStatus.SCORING:
        context["still_scoring"] = selectors.members_still_scoring(evaluation)
        context["moderated_missing"] = selectors.missing_moderated_scores(evaluation)
        return render(request, "evaluation/award/not_yet.html", context)
    lots = tender_selectors.lots_for_tender(tender)
    awards = selectors.awards_by_lot(evaluation)
    lot = None
    if lots:
        number = request.POST.get("lot") or request.GET.get("lot")
        lot = next((each for each in lots if str(each.number) == number), None)
        if lot is None:
            if number:
                raise Http404("No such lot")
            # Several lots: choose one; those already decided show their award.
            context["lots"] = [{"lot": each, "award": awards.get(each.pk)} for each in lots]
            return render(request, "evaluation/award/lots.html", context)
    context["lot"] = lot
    context["lot_query"] = f"?lot={lot.number}" if lot else ""
    decided = awards.get(lot.pk if lot else None)
    if decided is not None:
        context.update(
            {
                "award": decided,
                "supplier": decided.offer.organisation.name,
                "standstill": standstill_text(decided),
                "standstill_over": timezone.localdate() > decided.standstill_ends_on,
                "summaries": selectors.award_summaries(decided),
            }
        )
        return render(request, "evaluation/award/award_decided.html", context)
    results = selectors.results(evaluation, lot)
    ranked = results.rows
    winners = [row for row in ranked if row.rank == 1]
    form = AwardForm(
        request.POST if request.method == "POST" else None,
        ranked=ranked,
        initial={"offer": winners[0].offer.pk} if winners else {},
    )
    if request.method == "POST" and ranked and form.is_valid():
        offer = next(row.offer for row in ranked if row.offer.pk == form.cleaned_data["offer"])
        try:
            made = services.award_decide(
                evaluation=evaluation,
                lot=lot,
                offer=offer,
                reasons=form.cleaned_data["reasons"],
                acting_user=request.user,
            )
        except DomainError as refusal:
            add_domain_error(form, refusal)
        else:
            messages.success(
                request,
                f"The award to {offer.organisation.name} is decided. {standstill_text(made)} Each bidder's assessment "
                "summary has been issued.",
            )
            return see_other(award_url + context["lot_query"])
    context.update(
        {
            "form": form,
            "ranked": ranked,
            "winners": [supplier_name(row.offer, row.submission) for row in winners],
            "problems": results.problems,
            "tie_break_text": results.tie_break_text,
        }
    )
    return render(request, "evaluation/award/award_decide.html", context, status=form_status(form))


# Confirming after standstill -----------------------------------------------------------------------------------


@authority_permission("evaluation.manage")
@require_http_methods(["GET", "POST"])
def award_confirm(request, award_id):
    decided = selectors.award_get(request.authority, award_id)
    if decided is None:
        raise Http404("No such award")
    evaluation = decided.evaluation
    award_url = reverse("evaluation:award", args=[request.authority.slug, evaluation.pk]) + (
        f"?lot={decided.lot.number}" if decided.lot else ""
    )
    today = timezone.localdate()
    error = ""
    if request.method == "POST" and decided.confirmed_at is None:
        try:
            confirmed = services.award_confirm(award=decided, acting_user=request.user, today=today)
        except DomainError as refusal:
            error = refusal.message
        else:
            confirmed.evaluation.tender.refresh_from_db()
            tender = confirmed.evaluation.tender
            done = " The tender is now awarded." if tender.status == "awarded" else ""
            messages.success(
                request,
                f"The award to {confirmed.offer.organisation.name} is confirmed: the contract can be entered into."
                + done,
            )
            return see_other(award_url)
    return render(
        request,
        "evaluation/award/award_confirm.html",
        {
            "award": decided,
            "evaluation": evaluation,
            "tender": evaluation.tender,
            "supplier": decided.offer.organisation.name,
            "standstill": standstill_text(decided),
            "standstill_over": today > decided.standstill_ends_on,
            "error": error,
            "page_has_errors": bool(error),
            "award_url": award_url,
        },
        status=422 if error else 200,
    )


# Assessment summaries for bidders ------------------------------------------------------------------------------


@login_required
@require_GET
def my_summaries(request):
    return render(
        request,
        "evaluation/summaries/my_summaries.html",
        {"summaries": summaries.summaries_for_member(request.user)},
    )


@login_required
@require_GET
def summary(request, authority_slug, award_id):
    if request.authority is None:
        raise Http404("No such authority")
    found = summaries.summaries_for_award(award_id, request.user)
    if not found:
        raise Http404("No such assessment summary")
    entries = []
    for each in found:
        entries.append({"summary": each, "data": summaries.summary_build(each.award, each.offer), "job": each.job})
    return render(
        request,
        "evaluation/summaries/summary.html",
        {"entries": entries, "award": found[0].award, "tender": found[0].award.evaluation.tender},
    )


@login_required
@require_GET
def summary_pdf(request, authority_slug, summary_id):
    if request.authority is None:
        raise Http404("No such authority")
    found = summaries.summary_for_member(summary_id, request.user)
    if found is None:
        raise Http404("No such assessment summary")
    job = summaries.summary_pdf_job(found)
    if job.status == JobStatus.SUCCEEDED and job.file:
        job_download_record(job=job, acting_user=request.user)
        response = FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.filename, content_type="application/pdf"
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "evaluation/summaries/summary_pdf_pending.html",
        {
            "summary": found,
            "job": job,
            "tender": found.award.evaluation.tender,
            "summary_url": reverse("evaluation:summary", args=[request.authority.slug, found.award_id]),
        },
    )


staff_urlpatterns = [
    path("evaluations/<int:evaluation_id>/award/", award, name="award"),
    path("awards/<int:award_id>/confirm/", award_confirm, name="award-confirm"),
]
public_urlpatterns = [
    path("awards/<int:award_id>/summary/", summary, name="summary"),
    path("assessment-summaries/<int:summary_id>/pdf/", summary_pdf, name="summary-pdf"),
]
platform_urlpatterns = [
    path("account/assessment-summaries/", my_summaries, name="my-summaries"),
]
