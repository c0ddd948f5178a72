"""The 16 actions for local Compact groups (the 2012 guidance on social value; ../shared/design/COMPACT.md), as
each authority and its Compact partners stand on them: status, notes, who is leading and evidence links.

Who may update: the authority's officers (staff with `compact.manage`) and the approved members of its partner
groups. A missing row reads as not started, so a new authority's checklist is all 16 actions, not started."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from accounts.audit import audit_record, diff
from accounts.models import Authority, User
from foundation.errors import DomainError

from .models import CaseExample, ChecklistAction, ChecklistEvidence, ChecklistStatus
from .partners import NotPartnerOrOfficer, is_compact_officer, partner_organisations


@dataclass(frozen=True)
class ActionText:
    number: int
    title: str
    text: str


ACTIONS: tuple[ActionText, ...] = (
    ActionText(1, "Understand social value", "Talk to statutory partners about how they understand social value."),
    ActionText(
        2,
        "A local definition",
        "Work to influence a local definition of social value that reflects the value the VCS brings.",
    ),
    ActionText(
        3,
        "Relevant and proportionate",
        'Find out whether local conversations are defining "relevant" and "proportionate" for social value in '
        "procurement, and influence them.",
    ),
    ActionText(
        4,
        "All procurement",
        "Gain commitment from statutory partners to consider social value in all procurement, not only above "
        "thresholds.",
    ),
    ActionText(
        5,
        "A universal set of measures",
        "Find out whether local public bodies plan a universal set of social value measures.",
    ),
    ActionText(
        6,
        "Involve the VCS early",
        "Make sure public bodies involve the VCS, from the earliest stage, in deciding how social value is measured.",
    ),
    ActionText(
        7,
        "The Compact and social value",
        "Make sure local partners understand the link between the Compact and social value.",
    ),
    ActionText(8, "Train in the Compact", "Train commissioners and procurement officers in the Compact."),
    ActionText(
        9,
        "Influence policy early",
        "Assess opportunities for the VCS to influence policy development early, and lobby for improvements.",
    ),
    ActionText(
        10,
        "Engagement practices",
        "Review the engagement practices of local statutory bodies and suggest improvements (12-week consultations, "
        "feedback to respondents, a public consultation calendar, annual compliance reporting).",
    ),
    ActionText(11, "Demonstrating social value", "Help the VCS get to grips with demonstrating social value."),
    ActionText(
        12,
        "Reduce the reporting burden",
        "Tell public bodies how to reduce the reporting burden on the VCS while improving the information "
        "(reporting proportionate to the size of the contract, with a definite financial threshold; common "
        "question formats).",
    ),
    ActionText(
        13,
        "Decommissioning",
        "Make considering social value as much a part of decommissioning as of procurement.",
    ),
    ActionText(
        14,
        "Examples of savings",
        "Collect examples where weighting the social value the VCS provides locally leads to long-term savings.",
    ),
    ActionText(
        15,
        "Examples of extra costs",
        "Collect examples where failing to recognise social value in procurement led to extra costs.",
    ),
    ActionText(
        16,
        "The procurement code",
        "Check how the authority's procurement code applies procurement law, and press for change where it is more "
        "restrictive than necessary.",
    ),
)
ACTIONS_BY_NUMBER = {action.number: action for action in ACTIONS}

NOTES_MAX = 5000
OWNER_MAX = 200
LABEL_MAX = 200
URL_MAX = 500


def action_text(number: int) -> ActionText | None:
    return ACTIONS_BY_NUMBER.get(number)


@dataclass
class ChecklistRow:
    """One of the 16 actions with the authority's row, or a not-started default when there is none yet."""

    number: int
    title: str
    text: str
    action: ChecklistAction | None
    evidence: list[ChecklistEvidence] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.action.status if self.action else ChecklistStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return ChecklistStatus(self.status).label

    @property
    def notes(self) -> str:
        return self.action.notes if self.action else ""

    @property
    def owner(self) -> str:
        return self.action.owner if self.action else ""

    @property
    def updated_at(self):
        return self.action.updated_at if self.action else None

    @property
    def updated_by(self):
        return self.action.updated_by if self.action else None


def _evidence_queryset(*, public: bool):
    evidence = ChecklistEvidence.objects.select_related("case_example")
    if public:
        # A link to a case example that is not published would show a draft: the public sees only published ones.
        evidence = evidence.filter(Q(case_example__isnull=True) | Q(case_example__published_at__isnull=False))
    return evidence.order_by("added_at", "id")


def checklist_rows(authority: Authority, *, public: bool = False, number: int | None = None) -> list[ChecklistRow]:
    """All 16 actions in order (or just `number`), in two queries whatever the data: the rows and their evidence."""
    actions = ChecklistAction.objects.filter(authority=authority).select_related("updated_by")
    if number is not None:
        actions = actions.filter(number=number)
    actions = actions.prefetch_related(
        Prefetch("evidence_links", queryset=_evidence_queryset(public=public), to_attr="evidence_list")
    )
    by_number = {action.number: action for action in actions}
    texts = ACTIONS if number is None else [ACTIONS_BY_NUMBER[number]]
    return [
        ChecklistRow(
            number=text.number,
            title=text.title,
            text=text.text,
            action=by_number.get(text.number),
            evidence=list(getattr(by_number.get(text.number), "evidence_list", [])),
        )
        for text in texts
    ]


def checklist_row(authority: Authority, number: int, *, public: bool = False) -> ChecklistRow | None:
    if number not in ACTIONS_BY_NUMBER:
        return None
    return checklist_rows(authority, public=public, number=number)[0]


@dataclass(frozen=True)
class ChecklistSummary:
    achieved: int
    in_progress: int
    not_started: int

    @property
    def total(self) -> int:
        return self.achieved + self.in_progress + self.not_started


def checklist_summary(authority: Authority) -> ChecklistSummary:
    counts = {
        row["status"]: row["count"]
        for row in ChecklistAction.objects.filter(authority=authority)
        .values("status")
        .annotate(count=Count("id"))
        .order_by()
    }
    achieved = counts.get(ChecklistStatus.ACHIEVED, 0)
    in_progress = counts.get(ChecklistStatus.IN_PROGRESS, 0)
    return ChecklistSummary(
        achieved=achieved, in_progress=in_progress, not_started=len(ACTIONS) - achieved - in_progress
    )


# Who may update -----------------------------------------------------------------------------------------------------


def updater_groups(authority: Authority, user: User) -> list[str] | None:
    """The partner groups the user acts for ([] for an officer who is in none), or None when they may not update."""
    groups = [group.name for group in partner_organisations(user, authority)]
    if groups or is_compact_officer(user, authority):
        return groups
    return None


def can_update(authority: Authority, user: User) -> bool:
    return updater_groups(authority, user) is not None


def _require_updater(authority: Authority, user: User) -> list[str]:
    groups = updater_groups(authority, user)
    if groups is None:
        raise NotPartnerOrOfficer(
            f"Only members of {authority.name}'s Compact partner groups and its officers can update the checklist"
        )
    return groups


def _number(number) -> int:
    if number not in ACTIONS_BY_NUMBER:
        raise DomainError("Choose one of the 16 actions on the checklist", field="number")
    return number


# Writes -------------------------------------------------------------------------------------------------------------


def _row_for_update(authority: Authority, number: int) -> ChecklistAction:
    action = ChecklistAction.objects.select_for_update().filter(authority=authority, number=number).first()
    if action is None:
        action = ChecklistAction(authority=authority, number=number)
    return action


def action_update(
    *, authority: Authority, acting_user: User, number: int, status: str, notes: str = "", owner: str = ""
) -> ChecklistAction:
    groups = _require_updater(authority, acting_user)
    number = _number(number)
    if status not in ChecklistStatus.values:
        raise DomainError("Choose whether the action is not started, in progress or achieved", field="status")
    notes, owner = (notes or "").strip(), (owner or "").strip()
    if len(notes) > NOTES_MAX:
        raise DomainError(f"The notes must be {NOTES_MAX:,} characters or fewer", field="notes")
    if len(owner) > OWNER_MAX:
        raise DomainError(f"Who is leading must be {OWNER_MAX} characters or fewer", field="owner")
    with transaction.atomic():
        action = _row_for_update(authority, number)
        before = {"status": action.status, "notes": action.notes, "owner": action.owner}
        action.status, action.notes, action.owner = status, notes, owner
        action.updated_at = timezone.now()
        action.updated_by = acting_user
        action.save()
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="compact.checklist_updated",
            obj=action,
            changes={
                "action": number,
                **diff(before, {"status": status, "notes": notes, "owner": owner}),
                "partner_groups": groups,
            },
        )
    return action


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > URL_MAX:
        raise DomainError(f"The web address must be {URL_MAX} characters or fewer", field="url")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(
            "Enter a web address starting with https:// or http://, like https://www.example.org/report",
            field="url",
        ) from None
    return url


def evidence_add(
    *,
    authority: Authority,
    acting_user: User,
    number: int,
    label: str,
    url: str = "",
    case_example: CaseExample | None = None,
) -> ChecklistEvidence:
    """Links evidence to an action: a web address, or one of the authority's case examples (shown to the public
    only once the example is published)."""
    groups = _require_updater(authority, acting_user)
    number = _number(number)
    label = (label or "").strip()
    if not label:
        raise DomainError("Enter what the evidence is", field="label")
    if len(label) > LABEL_MAX:
        raise DomainError(f"What the evidence is must be {LABEL_MAX} characters or fewer", field="label")
    if case_example is not None and (url or "").strip():
        raise DomainError("Enter a web address or choose a case example, not both", field="url")
    if case_example is None:
        if not (url or "").strip():
            raise DomainError("Enter the evidence's web address, or choose a case example", field="url")
        url = _clean_url(url)
    elif case_example.authority_id != authority.pk:
        raise DomainError("Choose one of this authority's case examples", field="case_example")
    with transaction.atomic():
        action = _row_for_update(authority, number)
        if action.pk is None:
            action.updated_by = acting_user
            action.save()
        evidence = ChecklistEvidence.objects.create(
            authority=authority,
            action=action,
            label=label,
            url="" if case_example is not None else url,
            case_example=case_example,
            added_by=acting_user,
        )
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="compact.checklist_evidence_added",
            obj=evidence,
            changes={
                "action": number,
                "label": label,
                "url": evidence.url,
                "case_example": case_example.title if case_example else "",
                "partner_groups": groups,
            },
        )
    return evidence


def evidence_get(authority: Authority, evidence_id: int) -> ChecklistEvidence | None:
    return (
        ChecklistEvidence.objects.filter(authority=authority, pk=evidence_id)
        .select_related("action", "case_example")
        .first()
    )


def evidence_remove(*, evidence: ChecklistEvidence, acting_user: User) -> None:
    authority = evidence.authority
    groups = _require_updater(authority, acting_user)
    with transaction.atomic():
        audit_record(
            authority=authority,
            actor=acting_user,
            verb="compact.checklist_evidence_removed",
            obj=evidence,
            changes={
                "action": evidence.action.number,
                "label": evidence.label,
                "url": evidence.url,
                "partner_groups": groups,
            },
        )
        evidence.delete()
