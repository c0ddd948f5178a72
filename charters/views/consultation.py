"""Consultation pages.

Public (/p/<authority>/): the consultation page (the draft in full, published comments with their answers), the
comment form (signed in) and its confirmation. Staff (/a/<authority>/): the moderation page, where moderators
publish or hide comments and answer them. Account (/account/comments/): everything a person has commented.

Every form is a plain POST that answers 303 (or 422 with the error summary) without JavaScript. With htmx, the
moderation forms swap just the comment's card (the `comment_card` partial) and the list counts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import authority_permission
from accounts.roles import has_permission
from accounts.views import add_domain_error, form_status, see_other
from foundation.errors import DomainError

from .. import consultation as services
from ..forms.consultation import CommentForm, HideForm, ResponseForm
from ..models import CommentSection, CommentStatus, VersionStatus
from ..selectors import consultation as selectors

# Public pages -----------------------------------------------------------------------------------------------


def _public_consultation_or_404(request, consultation_id):
    if request.authority is None:
        raise Http404("No such authority")
    consultation = selectors.consultation_get_public(request.authority, consultation_id)
    if consultation is None:
        raise Http404("No such consultation")
    return consultation


def consultation_public(request, authority_slug, consultation_id):
    consultation = _public_consultation_or_404(request, consultation_id)
    page = selectors.consultation_public_page(consultation)
    dates = selectors.consultation_dates(consultation)
    comment_url = ""
    if dates["is_open"]:
        comment_url = reverse("charters:comment-create", args=[request.authority.slug, consultation.pk])
    return render(
        request,
        "charters/consultation/consultation_public.html",
        {"consultation": consultation, "version": consultation.version, "page": page, "comment_url": comment_url}
        | dates,
    )


def _comment_heading(target) -> str:
    if target.section == CommentSection.VISION:
        return "Comment on the vision"
    if target.section == CommentSection.CONTEXT:
        return "Comment on the local context"
    if target.section == CommentSection.MEASURE:
        return f"Comment on measure {target.item.code}: {target.item.title}"
    return f"Comment on the {target.section}: {target.item.title}"


@login_required
@require_http_methods(["GET", "POST"])
def comment_create(request, authority_slug, consultation_id):
    consultation = _public_consultation_or_404(request, consultation_id)
    target = selectors.comment_target(consultation, request.GET.get("section"), request.GET.get("item"))
    if target is None:
        raise Http404("No such part of this charter")
    form = CommentForm(request.POST or None, groups=selectors.community_groups_for_speaking(request.user))
    refusal = services.consultation_refusal(consultation)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.comment_create(
                consultation=consultation,
                acting_user=request.user,
                section=target.section,
                item=target.item,
                text=form.cleaned_data["text"],
                organisation=form.organisation,
            )
        except services.ConsultationClosed as error:
            refusal = error.message
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return see_other(
                "charters:comment-sent", authority_slug=request.authority.slug, consultation_id=consultation.pk
            )
    refused_post = request.method == "POST" and bool(refusal)
    back_anchor = selectors.ANCHOR_IDS.get(target.section) or f"{target.section}-{target.item.pk}"
    return render(
        request,
        "charters/consultation/comment_form.html",
        {
            "consultation": consultation,
            "version": consultation.version,
            "target": target,
            "heading": _comment_heading(target),
            "form": form,
            "refusal": refusal,
            # A comment sent after the close date is refused: say so, and give back what was typed.
            "error": refusal if refused_post else "",
            "page_has_errors": refused_post,
            "typed_text": request.POST.get("text", "").strip() if refused_post else "",
            "back_url": reverse("charters:consultation-public", args=[request.authority.slug, consultation.pk])
            + f"#{back_anchor}",
        },
        status=422 if refused_post else form_status(form),
    )


@login_required
def comment_sent(request, authority_slug, consultation_id):
    consultation = _public_consultation_or_404(request, consultation_id)
    return render(
        request,
        "charters/consultation/comment_sent.html",
        {"consultation": consultation, "version": consultation.version},
    )


# Moderation (staff) -----------------------------------------------------------------------------------------


def _staff_consultation_or_404(request, consultation_id):
    consultation = selectors.consultation_get(request.authority, consultation_id)
    if consultation is None:
        raise Http404("No such consultation")
    return consultation


def _can_moderate(request, consultation) -> bool:
    return (
        has_permission(request.roles, "consultations.moderate")
        and consultation.version.status == VersionStatus.CONSULTATION
    )


def _attach_forms(comment, *, bound: dict | None = None):
    """Each card carries its own forms, prefixed with the comment's id so that ids stay unique on the page."""
    prefix = f"c{comment.pk}"
    answer = comment.answer
    comment.hide_form = HideForm(prefix=prefix)
    comment.response_form = ResponseForm(
        prefix=prefix,
        initial={"outcome": answer.outcome, "text": answer.text, "change_made": answer.change_made} if answer else {},
    )
    for name, form in (bound or {}).items():
        setattr(comment, name, form)
    return comment


def _list_name(request) -> str:
    show = request.POST.get("show") or request.GET.get("show")
    return show if show in selectors.MODERATION_LISTS else ""


def _manage_context(request, consultation, *, show="", bound_comment_id=None, bound=None) -> dict:
    queue = selectors.moderation_queue(consultation)
    counts = queue.counts
    if not show:
        show = "held" if counts["held"] or not counts["unanswered"] else "unanswered"
    comments = queue.lists[show]
    for comment in comments:
        _attach_forms(comment, bound=bound if comment.pk == bound_comment_id else None)
    return {
        "consultation": consultation,
        "version": consultation.version,
        "counts": counts,
        "total": queue.total,
        "lists": selectors.MODERATION_LISTS,
        "show": show,
        "show_label": selectors.MODERATION_LISTS[show],
        "comments": comments,
        "can_moderate": _can_moderate(request, consultation),
        "public_url": reverse("charters:consultation-public", args=[request.authority.slug, consultation.pk])
        if consultation.version.status in selectors.PUBLIC_VERSION_STATUSES
        else "",
    } | selectors.consultation_dates(consultation)


@authority_permission("charters.view")
def consultation_manage(request, consultation_id):
    consultation = _staff_consultation_or_404(request, consultation_id)
    return render(
        request,
        "charters/consultation/consultation_manage.html",
        _manage_context(request, consultation, show=_list_name(request)),
    )


def _staff_comment_or_404(request, consultation_id, comment_id):
    consultation = _staff_consultation_or_404(request, consultation_id)
    comment = selectors.staff_comment_get(consultation, comment_id)
    if comment is None:
        raise Http404("No such comment")
    return consultation, comment


def _card_response(request, consultation, comment_id, *, bound=None, done="", error="", status=200):
    """The comment's card alone, for htmx, with the list counts swapped out of band."""
    comment = _attach_forms(selectors.staff_comment_get(consultation, comment_id), bound=bound)
    context = {
        "consultation": consultation,
        "comment": comment,
        "show": _list_name(request),
        "can_moderate": _can_moderate(request, consultation),
        "counts": selectors.moderation_counts(consultation),
        "lists": selectors.MODERATION_LISTS,
        "in_place": True,
        "done": done,
        "card_error": error,
    }
    return render(request, "charters/consultation/consultation_manage.html#card_update", context, status=status)


def _action_done(request, consultation, comment, message: str):
    if request.htmx:
        return _card_response(request, consultation, comment.pk, done=message)
    messages.success(request, message)
    url = reverse("charters:consultation-manage", args=[request.authority.slug, consultation.pk])
    show = _list_name(request)
    return see_other(f"{url}?show={show}" if show else url)


def _action_refused(request, consultation, comment, *, bound=None, error=""):
    """Invalid input or a refused action: 422 with the card (htmx) or the whole page and its error summary."""
    if request.htmx:
        return _card_response(request, consultation, comment.pk, bound=bound, error=error, status=422)
    context = _manage_context(
        request,
        consultation,
        show=selectors.comment_list_name(comment),
        bound_comment_id=comment.pk,
        bound=bound,
    )
    error_form = next(iter((bound or {}).values()), None)
    context |= {"error_form": error_form, "error": error, "page_has_errors": True}
    return render(request, "charters/consultation/consultation_manage.html", context, status=422)


@authority_permission("consultations.moderate")
@require_POST
def comment_publish(request, consultation_id, comment_id):
    consultation, comment = _staff_comment_or_404(request, consultation_id, comment_id)
    try:
        services.comment_moderate(comment=comment, acting_user=request.user, decision=CommentStatus.PUBLISHED)
    except DomainError as error:
        return _action_refused(request, consultation, comment, error=error.message)
    return _action_done(request, consultation, comment, f"Comment {comment.pk} published.")


@authority_permission("consultations.moderate")
@require_POST
def comment_hide(request, consultation_id, comment_id):
    consultation, comment = _staff_comment_or_404(request, consultation_id, comment_id)
    form = HideForm(request.POST, prefix=f"c{comment.pk}")
    if form.is_valid():
        try:
            services.comment_moderate(
                comment=comment,
                acting_user=request.user,
                decision=CommentStatus.HIDDEN,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _action_done(
                request, consultation, comment, f"Comment {comment.pk} hidden. Its author has been told why."
            )
    return _action_refused(request, consultation, comment, bound={"hide_form": form})


@authority_permission("consultations.moderate")
@require_POST
def comment_respond(request, consultation_id, comment_id):
    consultation, comment = _staff_comment_or_404(request, consultation_id, comment_id)
    form = ResponseForm(request.POST, prefix=f"c{comment.pk}")
    if form.is_valid():
        first_answer = comment.answer is None
        try:
            services.comment_respond(comment=comment, acting_user=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            message = (
                f"Comment {comment.pk} answered. Its author has been sent the answer."
                if first_answer
                else f"The response to comment {comment.pk} has been changed."
            )
            return _action_done(request, consultation, comment, message)
    return _action_refused(request, consultation, comment, bound={"response_form": form})


# A person's own comments ------------------------------------------------------------------------------------


@login_required
def my_comments(request):
    return render(
        request,
        "charters/consultation/my_comments.html",
        {"comments": selectors.dangerously_comments_by_author(request.user)},
    )


staff_urlpatterns = [
    path("consultations/<int:consultation_id>/", consultation_manage, name="consultation-manage"),
    path(
        "consultations/<int:consultation_id>/comments/<int:comment_id>/publish/",
        comment_publish,
        name="comment-publish",
    ),
    path("consultations/<int:consultation_id>/comments/<int:comment_id>/hide/", comment_hide, name="comment-hide"),
    path(
        "consultations/<int:consultation_id>/comments/<int:comment_id>/respond/",
        comment_respond,
        name="comment-respond",
    ),
]
public_urlpatterns = [
    path("consultations/<int:consultation_id>/", consultation_public, name="consultation-public"),
    path("consultations/<int:consultation_id>/comment/", comment_create, name="comment-create"),
    path("consultations/<int:consultation_id>/comment/sent/", comment_sent, name="comment-sent"),
]
# Outside any authority: a person's comments across every authority.
account_urlpatterns = [
    path("account/comments/", my_comments, name="my-comments"),
]
