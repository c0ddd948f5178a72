"""Reads for consultations: the public page, the comment form's target, the moderation queue, a person's own
comments across authorities, and the data behind the consultation report.

Public reads select published comments explicitly: scoping keeps authorities apart, it does not hide held or hidden
comments. Every read fetches comments in one query, whatever their number.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import (
    Authority,
    Organisation,
    OrganisationKind,
    OrganisationMembership,
    OrganisationMemberStatus,
    User,
)
from accounts.scoping import dangerously_unscoped

from ..consultation import SECTION_ITEM_MODELS, anchor_label, consultation_refusal
from ..models import (
    CharterVersion,
    Comment,
    CommentSection,
    CommentStatus,
    Consultation,
    ResponseOutcome,
    VersionStatus,
)
from . import VersionContent, version_content

# A consultation is public once its version has gone out for consultation, and stays public after adoption.
PUBLIC_VERSION_STATUSES = (VersionStatus.CONSULTATION, VersionStatus.ADOPTED, VersionStatus.SUPERSEDED)
COMMENT_RELATIONS = ("organisation", "theme", "outcome", "measure", "response")


def consultation_for_version(version: CharterVersion) -> Consultation | None:
    """The version's consultation (a version has at most one), or None."""
    return Consultation.objects.filter(version=version).first()


def consultations_open(authority: Authority, today: date) -> list[Consultation]:
    """The authority's consultations open today, closing soonest first."""
    return list(
        Consultation.objects.filter(
            authority=authority,
            opens_on__lte=today,
            closes_on__gte=today,
            version__status=VersionStatus.CONSULTATION,
        )
        .select_related("authority", "version", "version__charter")
        .order_by("closes_on")
    )


def consultation_get(authority: Authority, consultation_id: int) -> Consultation | None:
    """Any of the authority's consultations, for its staff."""
    return (
        Consultation.objects.filter(authority=authority, pk=consultation_id)
        .select_related("authority", "version__charter")
        .first()
    )


def consultation_get_public(authority: Authority, consultation_id: int) -> Consultation | None:
    """A consultation the public may read: its version is in consultation, adopted or superseded."""
    return (
        Consultation.objects.filter(
            authority=authority, pk=consultation_id, version__status__in=PUBLIC_VERSION_STATUSES
        )
        .select_related("authority", "version__charter")
        .first()
    )


def consultation_dates(consultation: Consultation, *, today: date | None = None) -> dict:
    """Where the consultation stands today (the server's date), for the pages."""
    today = today or timezone.localdate()
    authority = consultation.authority
    default_days = authority.consultation_weeks * 7
    return {
        "today": today,
        "is_open": not consultation_refusal(consultation, today=today),
        "not_yet_open": today < consultation.opens_on,
        "has_closed": today > consultation.closes_on,
        "days_left": (consultation.closes_on - today).days,
        "default_weeks": authority.consultation_weeks,
        "is_shorter": consultation.length_days < default_days,
    }


# What a comment is about ------------------------------------------------------------------------------------


@dataclass
class CommentTarget:
    section: str
    item: object | None
    label: str

    @property
    def description(self) -> str:
        return getattr(self.item, "description", "") if self.item is not None else ""


def comment_target(consultation: Consultation, section: str | None, item_id: str | None) -> CommentTarget | None:
    """The part of the consultation's version a comment link points at; None if there is no such part in it."""
    if section not in CommentSection.values:
        return None
    model = SECTION_ITEM_MODELS.get(section)
    if model is None:
        return CommentTarget(section=section, item=None, label=anchor_label(section))
    if not (item_id or "").isdigit():
        return None
    item = model.objects.filter(pk=int(item_id), version_id=consultation.version_id).first()
    if item is None:
        return None
    return CommentTarget(section=section, item=item, label=anchor_label(section, item))


def community_groups_for_speaking(user: User) -> list[Organisation]:
    """The community groups a person may speak for: those they are an approved member of."""
    return [
        membership.organisation
        for membership in OrganisationMembership.objects.filter(
            user=user,
            status=OrganisationMemberStatus.APPROVED,
            organisation__kind=OrganisationKind.COMMUNITY_GROUP,
        )
        .select_related("organisation")
        .order_by("organisation__name")
    ]


# Grouping comments by the part of the charter they are about, in the charter's order -------------------------


def _comment_key(comment: Comment) -> tuple[str, int | None]:
    return (comment.section, comment.theme_id or comment.outcome_id or comment.measure_id)


def _charter_order(content: VersionContent) -> dict[tuple[str, int | None], tuple]:
    order = {(CommentSection.VISION, None): (0,), (CommentSection.CONTEXT, None): (1,)}
    for t, theme in enumerate(content.themes):
        order[(CommentSection.THEME, theme.pk)] = (2, t, -1, -1)
        for o, outcome in enumerate(theme.outcome_list):
            order[(CommentSection.OUTCOME, outcome.pk)] = (2, t, o, -1)
            for m, measure in enumerate(outcome.measure_list):
                order[(CommentSection.MEASURE, measure.pk)] = (2, t, o, m)
    return order


@dataclass
class CommentGroup:
    section: str
    label: str
    anchor_id: str  # the id of that part on the public page: "vision", "theme-12"
    comments: list = field(default_factory=list)


ANCHOR_IDS = {CommentSection.VISION: "vision", CommentSection.CONTEXT: "local-context"}


def group_comments(comments, content: VersionContent) -> list[CommentGroup]:
    order = _charter_order(content)
    groups: dict[tuple, CommentGroup] = {}
    for comment in comments:
        key = _comment_key(comment)
        if key not in groups:
            section, item_id = key
            groups[key] = CommentGroup(
                section=section,
                label=anchor_label(section, comment.anchor),
                anchor_id=ANCHOR_IDS.get(section) or f"{section}-{item_id}",
            )
        groups[key].comments.append(comment)
    return [groups[key] for key in sorted(groups, key=lambda key: order.get(key, (9,)))]


def _decorate(comment: Comment) -> Comment:
    comment.anchor_label = anchor_label(comment.section, comment.anchor)
    comment.answer = getattr(comment, "response", None)
    comment.speaking_for = comment.organisation.name if comment.organisation_id else "A resident"
    return comment


# The public consultation page ---------------------------------------------------------------------------------


@dataclass
class OutcomeCount:
    outcome: str
    label: str
    count: int


@dataclass
class PublicConsultation:
    consultation: Consultation
    content: VersionContent
    groups: list[CommentGroup]
    published: int
    answered: int
    by_outcome: list[OutcomeCount]


def _outcome_counts(comments) -> list[OutcomeCount]:
    counted = Counter(comment.answer.outcome for comment in comments if comment.answer)
    return [OutcomeCount(outcome.value, outcome.label, counted[outcome.value]) for outcome in ResponseOutcome]


def consultation_public_page(consultation: Consultation) -> PublicConsultation:
    """The draft in full and its published comments with their answers. Held and hidden comments never appear."""
    content = version_content(consultation.version)
    comments = [
        _decorate(comment)
        for comment in Comment.objects.filter(consultation=consultation, status=CommentStatus.PUBLISHED)
        .select_related(*COMMENT_RELATIONS)
        .order_by("created_at", "id")
    ]
    return PublicConsultation(
        consultation=consultation,
        content=content,
        groups=group_comments(comments, content),
        published=len(comments),
        answered=sum(1 for comment in comments if comment.answer),
        by_outcome=_outcome_counts(comments),
    )


# Moderation ---------------------------------------------------------------------------------------------------


MODERATION_LISTS = {
    "held": "Waiting for moderation",
    "unanswered": "Published, not answered",
    "answered": "Answered",
    "hidden": "Hidden",
}


def comment_list_name(comment: Comment) -> str:
    """Which moderation list a comment belongs in."""
    if comment.status == CommentStatus.HELD:
        return "held"
    if comment.status == CommentStatus.HIDDEN:
        return "hidden"
    return "answered" if getattr(comment, "response", None) else "unanswered"


@dataclass
class ModerationQueue:
    consultation: Consultation
    lists: dict[str, list[Comment]]

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(comments) for name, comments in self.lists.items()}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def staff_comments(consultation: Consultation) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(consultation=consultation)
        .select_related("author", "moderated_by", "response__responded_by", *COMMENT_RELATIONS)
        .order_by("created_at", "id")
    )


def staff_comment_get(consultation: Consultation, comment_id: int) -> Comment | None:
    comment = staff_comments(consultation).filter(pk=comment_id).first()
    return _decorate(comment) if comment else None


def moderation_queue(consultation: Consultation) -> ModerationQueue:
    lists: dict[str, list[Comment]] = {name: [] for name in MODERATION_LISTS}
    for comment in staff_comments(consultation):
        lists[comment_list_name(comment)].append(_decorate(comment))
    return ModerationQueue(consultation=consultation, lists=lists)


def moderation_counts(consultation: Consultation) -> dict[str, int]:
    counts = {name: 0 for name in MODERATION_LISTS}
    for status, answered in Comment.objects.filter(consultation=consultation).values_list("status", "response__id"):
        if status == CommentStatus.PUBLISHED:
            counts["answered" if answered else "unanswered"] += 1
        else:
            counts[status] += 1
    return counts


# A person's own comments, across authorities --------------------------------------------------------------------


def dangerously_comments_by_author(user: User) -> list[Comment]:
    """Every comment a person has written, in every authority, newest first, with its answer.

    Reads across authorities (the person comments on many councils' charters) but only the rows whose author is
    this person, so it runs unscoped. Everything the page shows is fetched here, in one query, before the
    unscoped block ends.
    """
    with dangerously_unscoped():
        comments = list(
            Comment.objects.filter(author=user)
            .select_related("authority", "consultation__version", *COMMENT_RELATIONS)
            .order_by("-created_at", "-id")
        )
    for comment in comments:
        _decorate(comment)
        comment.is_public_consultation = comment.consultation.version.status in PUBLIC_VERSION_STATUSES
    return comments


# The consultation report (its PDF is made by charters/documents.py) -----------------------------------------------


@dataclass(frozen=True)
class ReportComment:
    id: int
    section: str  # a CommentSection value
    about: str  # "Vision", "Theme: Jobs", "Measure M1: Local jobs"
    speaking_for: str  # the community group's name, or "A resident" (authors' names are never published)
    text: str
    received_at: datetime
    outcome: str  # a ResponseOutcome value, or "" while unanswered
    outcome_label: str  # "Accepted", ..., or "" while unanswered
    response: str
    change_made: str
    responded_at: datetime | None


@dataclass(frozen=True)
class ReportGroup:
    section: str
    about: str
    comments: tuple[ReportComment, ...]


@dataclass(frozen=True)
class SectionCount:
    section: str
    label: str
    received: int
    published: int
    answered: int
    held: int
    hidden: int


@dataclass(frozen=True)
class ConsultationReport:
    authority: Authority
    consultation: Consultation
    version: CharterVersion
    opens_on: date
    closes_on: date
    weeks: Decimal
    shorter_reason: str
    counts: dict  # received, held, published, hidden, answered, unanswered
    by_section: tuple[SectionCount, ...]  # every CommentSection, in order, zeros included
    by_outcome: tuple[OutcomeCount, ...]  # every ResponseOutcome, in order, zeros included (published comments)
    groups: tuple[ReportGroup, ...]  # published comments only, grouped by part, in the charter's order


def consultation_report_data(consultation: Consultation) -> ConsultationReport:
    """Every comment counted (held and hidden ones only as numbers), and every published comment with its answer,
    grouped by the part of the charter it is about. One query for the comments and four for the charter."""
    version = consultation.version
    content = version_content(version)
    comments = [_decorate(comment) for comment in staff_comments(consultation)]
    published = [comment for comment in comments if comment.status == CommentStatus.PUBLISHED]
    status_counts = Counter(comment.status for comment in comments)
    answered = sum(1 for comment in published if comment.answer)
    by_section = []
    for section in CommentSection:
        in_section = [comment for comment in comments if comment.section == section]
        by_section.append(
            SectionCount(
                section=section.value,
                label=section.label,
                received=len(in_section),
                published=sum(1 for c in in_section if c.status == CommentStatus.PUBLISHED),
                answered=sum(1 for c in in_section if c.status == CommentStatus.PUBLISHED and c.answer),
                held=sum(1 for c in in_section if c.status == CommentStatus.HELD),
                hidden=sum(1 for c in in_section if c.status == CommentStatus.HIDDEN),
            )
        )
    groups = tuple(
        ReportGroup(
            section=group.section,
            about=group.label,
            comments=tuple(_report_comment(comment) for comment in group.comments),
        )
        for group in group_comments(published, content)
    )
    return ConsultationReport(
        authority=consultation.authority,
        consultation=consultation,
        version=version,
        opens_on=consultation.opens_on,
        closes_on=consultation.closes_on,
        weeks=consultation.length_weeks,
        shorter_reason=consultation.shorter_reason,
        counts={
            "received": len(comments),
            "held": status_counts[CommentStatus.HELD],
            "published": len(published),
            "hidden": status_counts[CommentStatus.HIDDEN],
            "answered": answered,
            "unanswered": len(published) - answered,
        },
        by_section=tuple(by_section),
        by_outcome=tuple(_outcome_counts(published)),
        groups=groups,
    )


def _report_comment(comment: Comment) -> ReportComment:
    answer = comment.answer
    return ReportComment(
        id=comment.pk,
        section=comment.section,
        about=comment.anchor_label,
        speaking_for=comment.speaking_for,
        text=comment.text,
        received_at=comment.created_at,
        outcome=answer.outcome if answer else "",
        outcome_label=answer.get_outcome_display() if answer else "",
        response=answer.text if answer else "",
        change_made=answer.change_made if answer else "",
        responded_at=answer.responded_at if answer else None,
    )


def consultations_visible(authority: Authority, *, include_drafts: bool) -> QuerySet[Consultation]:
    """The authority's consultations, newest first: those the public may read, or every one for its staff."""
    consultations = Consultation.objects.filter(authority=authority)
    if not include_drafts:
        consultations = consultations.filter(version__status__in=PUBLIC_VERSION_STATUSES)
    return consultations.select_related("authority", "version").order_by("-opens_on", "-id")
