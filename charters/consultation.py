"""Writes for consultations: comments from the public, their moderation, and the authority's answers.

Each function is one transaction with its audit event; emails to the comment's author go out on commit. Comments
are held until a moderator publishes them. The comment record (moderation and answers) stays open while the
version is in consultation, including after the close date, and freezes when the version is adopted or withdrawn.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record, diff
from accounts.emails import send_templated_email
from accounts.models import Organisation, OrganisationKind, OrganisationMembership, OrganisationMemberStatus, User
from foundation.errors import DomainError
from foundation.formatting import date_long

from .models import (
    CharterMeasure,
    Comment,
    CommentResponse,
    CommentSection,
    CommentStatus,
    Consultation,
    Outcome,
    ResponseOutcome,
    Theme,
    VersionStatus,
)

COMMENT_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000
RESPONSE_MAX_LENGTH = 5000
CHANGE_MAX_LENGTH = 2000

# The kind of charter part each section anchors to; vision and local context need no item.
SECTION_ITEM_MODELS = {
    CommentSection.THEME: Theme,
    CommentSection.OUTCOME: Outcome,
    CommentSection.MEASURE: CharterMeasure,
}


class ConsultationClosed(DomainError):
    """The consultation is not taking comments: not open yet, closed, or its version has moved on."""


class CommentRecordClosed(DomainError):
    """The version has been adopted or withdrawn, so its comments and answers no longer change."""


def consultation_refusal(consultation: Consultation, *, today: date | None = None) -> str:
    """Why the consultation does not take comments today (the server's date), or "" when it does."""
    today = today or timezone.localdate()
    if consultation.version.status != VersionStatus.CONSULTATION:
        return "This consultation has finished, so comments can no longer be sent."
    if today < consultation.opens_on:
        return f"This consultation opens on {date_long(consultation.opens_on)}. You can comment from then."
    if today > consultation.closes_on:
        return f"This consultation closed on {date_long(consultation.closes_on)}, so comments can no longer be sent."
    return ""


def anchor_label(section: str, item=None) -> str:
    """What a comment is about, in words: "Vision", "Theme: Jobs", "Measure M1: Local jobs"."""
    if section == CommentSection.VISION:
        return "Vision"
    if section == CommentSection.CONTEXT:
        return "Local context"
    if item is None:
        return CommentSection(section).label
    if section == CommentSection.MEASURE:
        return f"Measure {item.code}: {item.title}"
    return f"{CommentSection(section).label}: {item.title}"


def _check_item(consultation: Consultation, section: str, item) -> None:
    if section not in CommentSection.values:
        raise DomainError("Choose the part of the charter you are commenting on", field="section")
    model = SECTION_ITEM_MODELS.get(section)
    if model is None:
        if item is not None:
            raise DomainError("Choose the part of the charter you are commenting on", field="section")
        return
    if not isinstance(item, model) or item.version_id != consultation.version_id:
        raise DomainError(
            f"Choose a {CommentSection(section).label.lower()} from the charter in this consultation", field="section"
        )


def _check_speaking_for(acting_user: User, organisation: Organisation | None) -> None:
    if organisation is None:
        return
    is_member = OrganisationMembership.objects.filter(
        organisation=organisation,
        organisation__kind=OrganisationKind.COMMUNITY_GROUP,
        user=acting_user,
        status=OrganisationMemberStatus.APPROVED,
    ).exists()
    if not is_member:
        raise DomainError(
            "You can only speak for a community group you are an approved member of", field="speaking_for"
        )


def comment_create(
    *,
    consultation: Consultation,
    acting_user: User,
    section: str,
    text: str,
    item: Theme | Outcome | CharterMeasure | None = None,
    organisation: Organisation | None = None,
    today: date | None = None,
) -> Comment:
    """A signed-in person comments on a part of the draft, for themselves or for a community group they belong to.
    Refused before the consultation opens and after it closes (the server's date). Held for moderation."""
    text = (text or "").strip()
    if not text:
        raise DomainError("Enter your comment", field="text")
    if len(text) > COMMENT_MAX_LENGTH:
        raise DomainError(f"Your comment must be {COMMENT_MAX_LENGTH:,} characters or fewer", field="text")
    _check_item(consultation, section, item)
    _check_speaking_for(acting_user, organisation)
    with transaction.atomic():
        # Read the version's status under a lock, so a comment cannot land on a version being withdrawn.
        consultation = Consultation.objects.select_related("version").select_for_update().get(pk=consultation.pk)
        if refusal := consultation_refusal(consultation, today=today):
            raise ConsultationClosed(refusal)
        comment = Comment.objects.create(
            authority=consultation.authority,
            consultation=consultation,
            author=acting_user,
            organisation=organisation,
            section=section,
            theme=item if section == CommentSection.THEME else None,
            outcome=item if section == CommentSection.OUTCOME else None,
            measure=item if section == CommentSection.MEASURE else None,
            text=text,
        )
        audit_record(
            authority=consultation.authority,
            actor=acting_user,
            verb="comment.created",
            obj=comment,
            changes={
                "consultation": consultation.pk,
                "about": anchor_label(section, item),
                "speaking_for": organisation.name if organisation else "themselves, as a resident",
                "status": comment.status,
            },
        )
    return comment


def _locked_comment(comment: Comment) -> Comment:
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("authority", "consultation__version", "author", "theme", "outcome", "measure")
        .get(pk=comment.pk)
    )
    if comment.consultation.version.status != VersionStatus.CONSULTATION:
        raise CommentRecordClosed(
            "This consultation's comments and answers can no longer change: its charter version is "
            f"{comment.consultation.version.get_status_display().lower()}."
        )
    return comment


def _email_context(comment: Comment) -> dict:
    """Plain values for the author's email: it is rendered after the transaction, perhaps outside any scope."""
    consultation = comment.consultation
    version = consultation.version
    return {
        "authority_name": comment.authority.name,
        "charter_title": version.title,
        "version_number": version.number,
        "about": anchor_label(comment.section, comment.anchor),
        "comment_text": comment.text,
        "consultation_url": settings.SITE_URL
        + reverse("charters:consultation-public", args=[comment.authority.slug, consultation.pk])
        + f"#comment-{comment.pk}",
        "my_comments_url": settings.SITE_URL + reverse("charters:my-comments"),
    }


def _send_to_author(comment: Comment, template: str, context: dict) -> None:
    author = comment.author
    if author is None or not author.is_active or not author.email:
        return
    email = author.email
    context = {**_email_context(comment), "author_name": author.full_name, **context}
    transaction.on_commit(lambda: send_templated_email(to=[email], template=template, context=context))


def comment_moderate(*, comment: Comment, acting_user: User, decision: str, reason: str = "") -> Comment:
    """Publishes a comment, or hides it with a reason that is emailed to its author. A hidden comment can be
    published later (the hiding stays in the audit trail); a published one can still be hidden."""
    decision = CommentStatus(decision) if decision in CommentStatus.values else None
    if decision not in (CommentStatus.PUBLISHED, CommentStatus.HIDDEN):
        raise DomainError("Choose whether to publish or hide the comment", field="decision")
    reason = (reason or "").strip()
    if decision == CommentStatus.HIDDEN:
        if not reason:
            raise DomainError("Enter why the comment is hidden. The reason is sent to its author", field="reason")
        if len(reason) > REASON_MAX_LENGTH:
            raise DomainError(f"The reason must be {REASON_MAX_LENGTH:,} characters or fewer", field="reason")
    with transaction.atomic():
        comment = _locked_comment(comment)
        if comment.status == decision:
            raise DomainError(f"This comment is already {decision.label.lower()}", field="decision")
        before = {"status": comment.status, "hidden_reason": comment.hidden_reason}
        comment.status = decision
        comment.hidden_reason = reason if decision == CommentStatus.HIDDEN else ""
        comment.moderated_at = timezone.now()
        comment.moderated_by = acting_user
        comment.save(update_fields=["status", "hidden_reason", "moderated_at", "moderated_by"])
        audit_record(
            authority=comment.authority,
            actor=acting_user,
            verb="comment.published" if decision == CommentStatus.PUBLISHED else "comment.hidden",
            obj=comment,
            changes=diff(before, {"status": comment.status, "hidden_reason": comment.hidden_reason}),
        )
        if decision == CommentStatus.HIDDEN:
            _send_to_author(comment, "comment_hidden", {"reason": reason})
    return comment


def comment_respond(
    *, comment: Comment, acting_user: User, outcome: str, text: str, change_made: str = ""
) -> CommentResponse:
    """The authority's public answer to a published comment ("you said, we did"). The first answer is emailed to
    the author; a later edit replaces the text, and the audit trail keeps what it said before."""
    if outcome not in ResponseOutcome.values:
        raise DomainError(
            "Choose whether the comment was accepted, partly accepted, not accepted or noted", field="outcome"
        )
    text = (text or "").strip()
    change_made = (change_made or "").strip()
    if not text:
        raise DomainError("Enter the response", field="text")
    if len(text) > RESPONSE_MAX_LENGTH:
        raise DomainError(f"The response must be {RESPONSE_MAX_LENGTH:,} characters or fewer", field="text")
    if len(change_made) > CHANGE_MAX_LENGTH:
        raise DomainError(f"What changed must be {CHANGE_MAX_LENGTH:,} characters or fewer", field="change_made")
    with transaction.atomic():
        comment = _locked_comment(comment)
        if comment.status != CommentStatus.PUBLISHED:
            raise DomainError("Publish the comment before answering it", field="outcome")
        after = {"outcome": outcome, "text": text, "change_made": change_made}
        response = CommentResponse.objects.filter(comment=comment).first()
        if response is None:
            response = CommentResponse.objects.create(
                authority=comment.authority, comment=comment, responded_by=acting_user, **after
            )
            audit_record(
                authority=comment.authority,
                actor=acting_user,
                verb="comment.answered",
                obj=comment,
                changes=diff({}, after),
            )
            _send_to_author(
                comment,
                "comment_answered",
                {
                    "outcome_label": ResponseOutcome(outcome).label,
                    "response_text": text,
                    "change_made": change_made,
                },
            )
            return response
        before = {"outcome": response.outcome, "text": response.text, "change_made": response.change_made}
        changes = diff(before, after)
        if changes:
            response.outcome, response.text, response.change_made = outcome, text, change_made
            response.responded_at = timezone.now()
            response.responded_by = acting_user
            response.save(update_fields=["outcome", "text", "change_made", "responded_at", "responded_by"])
            audit_record(
                authority=comment.authority,
                actor=acting_user,
                verb="comment.response_edited",
                obj=comment,
                changes=changes,
            )
    return response
