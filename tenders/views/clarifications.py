"""Clarification questions.

Public (/p/<authority>/): a signed-in member of a supplier organisation asks a question about a published tender,
privately, before its clarification deadline. Staff (/a/<authority>/): the questions on a tender, and the page where
a procurement officer writes the question as it will be published (anonymised) and its answer.

Every form is a plain POST that answers 303, or 422 with the error summary and what was typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_http_methods

from accounts.decorators import authority_permission
from accounts.roles import has_permission
from accounts.selectors import supplier_organisations_for
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError

from .. import clarifications as services
from ..forms.clarifications import ClarificationAnswerForm, ClarificationAskForm

# Asking (public, signed in) ---------------------------------------------------------------------------------


def _public_tender_or_404(request, tender_id):
    if request.authority is None:
        raise Http404("No such authority")
    tender = services.tender_get_public(request.authority, tender_id)
    if tender is None:
        raise Http404("No such tender")
    return tender


@login_required
@require_http_methods(["GET", "POST"])
def clarification_ask(request, authority_slug, tender_id):
    tender = _public_tender_or_404(request, tender_id)
    tender_url = reverse("tenders:tender-public", args=[request.authority.slug, tender.pk])
    organisations = supplier_organisations_for(request.user)
    if not organisations:
        return render(
            request,
            "tenders/clarifications/clarification_not_supplier.html",
            {"tender": tender, "tender_url": tender_url},
            status=403,
        )
    form = ClarificationAskForm(request.POST or None, organisations=organisations)
    refusal = services.clarification_refusal(tender)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.clarification_ask(
                tender=tender,
                acting_user=request.user,
                organisation=form.chosen_organisation(),
                question=form.cleaned_data["question"],
            )
        except services.ClarificationsClosed as error:
            refusal = error.message
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Your question has been sent to {tender.authority.name}. Only they can read it until they publish "
                "an answer.",
            )
            return see_other(f"{tender_url}#your-questions")
    refused_post = request.method == "POST" and bool(refusal)
    return render(
        request,
        "tenders/clarifications/clarification_ask.html",
        {
            "tender": tender,
            "tender_url": tender_url,
            "form": form,
            "organisations": organisations,
            "refusal": refusal,
            # A question sent after the deadline is refused: say so, and give back what was typed.
            "error": refusal if refused_post else "",
            "page_has_errors": refused_post,
            "typed_text": request.POST.get("question", "").strip() if refused_post else "",
        },
        status=422 if refused_post else form_status(form),
    )


# Staff: the questions on a tender, and answering one ------------------------------------------------------------


def _staff_tender_url(request, tender) -> str:
    """The staff tender page (the intake views own it), or the public page while there is none."""
    try:
        return reverse("tenders:tender-detail", args=[request.authority.slug, tender.pk])
    except NoReverseMatch:
        return ""


@authority_permission("tenders.view")
def clarification_list(request, tender_id):
    tender = services.tender_get_for_staff(request.authority, tender_id)
    if tender is None:
        raise Http404("No such tender")
    clarifications = services.clarifications_for_staff(tender)
    waiting = [c for c in clarifications if not c.is_published]
    public = services.tender_is_public(tender)
    return render(
        request,
        "tenders/clarifications/clarification_list.html",
        {
            "tender": tender,
            "waiting": waiting,
            "answered": [c for c in clarifications if c.is_published],
            "can_answer": has_permission(request.roles, "tenders.manage") and tender.status in services.PUBLIC_STATUSES,
            "tender_url": _staff_tender_url(request, tender),
            "public_url": reverse("tenders:tender-public", args=[request.authority.slug, tender.pk]) if public else "",
        },
    )


@authority_permission("tenders.manage")
@require_http_methods(["GET", "POST"])
def clarification_answer(request, clarification_id):
    clarification = services.clarification_get_for_staff(request.authority, clarification_id)
    if clarification is None:
        raise Http404("No such clarification question")
    tender = clarification.tender
    form = ClarificationAnswerForm(
        request.POST or None,
        initial={
            # The officer starts from the bidder's words and removes what identifies them.
            "published_question": clarification.published_question or clarification.question,
            "answer": clarification.answer,
        },
    )
    first = not clarification.is_published
    if request.method == "POST" and form.is_valid():
        try:
            services.clarification_answer(clarification=clarification, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Question {clarification.pk} answered and published. The bidders who asked questions have been "
                "emailed."
                if first
                else f"The published answer to question {clarification.pk} has been changed.",
            )
            return see_other(
                reverse("tenders:clarification-list", args=[request.authority.slug, tender.pk])
                + f"#clarification-{clarification.pk}"
            )
    return render(
        request,
        "tenders/clarifications/clarification_answer.html",
        {"tender": tender, "clarification": clarification, "form": form, "first": first},
        status=form_status(form),
    )


staff_urlpatterns = [
    path("tenders/<int:tender_id>/clarifications/", clarification_list, name="clarification-list"),
    path("clarifications/<int:clarification_id>/answer/", clarification_answer, name="clarification-answer"),
]
public_urlpatterns = [
    path("tenders/<int:tender_id>/clarifications/ask/", clarification_ask, name="clarification-ask"),
]
platform_urlpatterns = []
