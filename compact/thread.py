"""The golden thread: from a contract commitment back to why it was asked for, and from a resident's comment forward
to what was delivered.

Backwards: a commitment answers the tender's relevant measure (with the reason it was relevant), which is a measure
of the charter version the tender pinned; the consultation comments whose answers changed that part of the charter
(the measure, its outcome, its theme, or the version's vision and local context) explain why it reads as it does.
Revisions copy themes, outcomes and measures (`copied_from`) and versions (`based_on`), so the thread follows those
links into earlier versions too.

Forwards ("you said, we did — and this is what was delivered"): for each of a person's comments whose answer changed
the charter, the active or completed contracts now committed to that part of the charter and their verified delivery.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from accounts.models import User
from accounts.scoping import dangerously_unscoped
from charters.consultation import anchor_label
from charters.models import CharterMeasure, CharterVersion, Comment, CommentSection, CommentStatus, Outcome, Theme

from .models import ContractCommitment
from .tracker import PUBLIC_STATUSES, commitments_with_verified

# Enough for any real charter's history; stops a malformed copy loop from spinning.
MAX_GENERATIONS = 50
VERSION_SECTIONS = (CommentSection.VISION, CommentSection.CONTEXT)


def _ancestors(model, first_id, link: str) -> set[int]:
    """The object and every earlier copy it came from, following `link` (copied_from or based_on)."""
    found, current = set(), first_id
    while current is not None and current not in found and len(found) < MAX_GENERATIONS:
        found.add(current)
        current = model.objects.filter(pk=current).values_list(f"{link}_id", flat=True).first()
    return found


def _descendants(model, first_id, link: str) -> set[int]:
    """The object and every later copy made from it."""
    found, frontier = {first_id}, {first_id}
    for _ in range(MAX_GENERATIONS):
        frontier = set(model.objects.filter(**{f"{link}_id__in": frontier}).values_list("pk", flat=True)) - found
        if not frontier:
            break
        found |= frontier
    return found


def _changing(comments):
    # Only published comments whose answer records a change to the charter.
    return comments.filter(status=CommentStatus.PUBLISHED, response__isnull=False).exclude(response__change_made="")


@dataclass(frozen=True)
class ThreadComment:
    comment: Comment
    about: str
    speaker: str  # the group spoken for, or "A resident": never the person's name


def _thread_comment(comment: Comment) -> ThreadComment:
    item = comment.measure or comment.outcome or comment.theme
    speaker = comment.organisation.name if comment.organisation_id else "A resident"
    return ThreadComment(comment, anchor_label(comment.section, item), speaker)


@dataclass(frozen=True)
class Thread:
    commitment: ContractCommitment
    comments: list[ThreadComment]


def thread_get(authority, commitment_id) -> Thread | None:
    """The golden thread for one of the authority's contract commitments (staff: any contract status)."""
    commitment = (
        ContractCommitment.objects.filter(authority=authority, pk=commitment_id)
        .select_related(
            "contract__supplier",
            "contract__tender",
            "contract__lot",
            "contract__charter_version__charter",
            "relevant_measure__lot",
            "charter_measure__outcome__theme",
            "charter_measure__version__charter",
        )
        .first()
    )
    if commitment is None:
        return None
    measure = commitment.charter_measure
    measure_ids = _ancestors(CharterMeasure, measure.pk, "copied_from")
    outcome_ids = _ancestors(Outcome, measure.outcome_id, "copied_from")
    theme_ids = _ancestors(Theme, measure.outcome.theme_id, "copied_from")
    version_ids = _ancestors(CharterVersion, measure.version_id, "based_on")
    comments = (
        _changing(Comment.objects.filter(authority=authority))
        .filter(
            Q(measure_id__in=measure_ids)
            | Q(outcome_id__in=outcome_ids)
            | Q(theme_id__in=theme_ids)
            | Q(section__in=VERSION_SECTIONS, consultation__version_id__in=version_ids)
        )
        .select_related("organisation", "response", "consultation__version", "measure", "outcome", "theme")
        .order_by("created_at", "id")
    )
    return Thread(commitment, [_thread_comment(comment) for comment in comments])


@dataclass(frozen=True)
class DeliveredCommitment:
    commitment: ContractCommitment
    verified: Decimal


@dataclass(frozen=True)
class DeliveredContract:
    contract: object
    commitments: list[DeliveredCommitment]


@dataclass(frozen=True)
class YouSaid:
    comment: ThreadComment
    authority: object
    contracts: list[DeliveredContract]


def _commitments_for(comment: Comment):
    """The public contracts' commitments to the part of the charter the comment was about, in later versions too."""
    commitments = commitments_with_verified().filter(
        authority_id=comment.authority_id, contract__status__in=PUBLIC_STATUSES
    )
    if comment.measure_id:
        ids = _descendants(CharterMeasure, comment.measure_id, "copied_from")
        commitments = commitments.filter(charter_measure_id__in=ids)
    elif comment.outcome_id:
        ids = _descendants(Outcome, comment.outcome_id, "copied_from")
        commitments = commitments.filter(charter_measure__outcome_id__in=ids)
    elif comment.theme_id:
        ids = _descendants(Theme, comment.theme_id, "copied_from")
        commitments = commitments.filter(charter_measure__outcome__theme_id__in=ids)
    else:
        ids = _descendants(CharterVersion, comment.consultation.version_id, "based_on")
        commitments = commitments.filter(charter_measure__version_id__in=ids)
    return commitments.select_related("contract__supplier").order_by("contract__title", "contract_id", "id")


def dangerously_delivered_for_author(user: User) -> list[YouSaid]:
    """For each of the person's comments whose answer changed a charter, the contracts committed to that part of it
    and their verified delivery. Reads across authorities but only from this person's own comments, so it runs
    unscoped; everything the page shows is fetched before the block ends."""
    results = []
    with dangerously_unscoped():
        comments = (
            _changing(Comment.objects.filter(author=user))
            .select_related(
                "authority", "organisation", "response", "consultation__version", "measure", "outcome", "theme"
            )
            .order_by("-created_at", "-id")
        )
        for comment in comments:
            grouped: dict[int, DeliveredContract] = {}
            for commitment in _commitments_for(comment):
                entry = grouped.setdefault(commitment.contract_id, DeliveredContract(commitment.contract, []))
                entry.commitments.append(DeliveredCommitment(commitment, commitment.verified))
            results.append(YouSaid(_thread_comment(comment), comment.authority, list(grouped.values())))
    return results
