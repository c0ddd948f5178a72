"""Staff roles and the permission matrix: the single source for role checks, docs/permissions.md and the tests."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Authority admin"
    COMMISSIONER = "commissioner", "Commissioner"
    PROCUREMENT_OFFICER = "procurement_officer", "Procurement officer"
    EVALUATOR = "evaluator", "Evaluator"
    CONTRACT_MANAGER = "contract_manager", "Contract manager"


ALL_ROLES = frozenset(Role)

# permission -> (what it allows, the roles that hold it). Views name a permission; they never list roles.
PERMISSIONS: dict[str, tuple[str, frozenset[Role]]] = {
    "authority.view": ("See the authority's staff home page and their own roles", ALL_ROLES),
    "members.view": (
        "See the authority's members, their roles and pending invitations",
        frozenset({Role.ADMIN}),
    ),
    "members.manage": (
        "Invite staff, change their roles, remove members, revoke invitations",
        frozenset({Role.ADMIN}),
    ),
    "settings.manage": (
        "Change the authority's settings (consultation length, weighting band, light-touch reporting value)",
        frozenset({Role.ADMIN}),
    ),
    "audit.view": ("Read the authority's audit log", frozenset({Role.ADMIN})),
    "audit.export": ("Export the audit log as CSV or XLSX and download the export", frozenset({Role.ADMIN})),
    "charters.view": ("Read the authority's charters, including drafts, and their consultations", ALL_ROLES),
    "charters.edit": (
        "Create charters, edit draft versions, open consultations, adopt, revise and withdraw versions",
        frozenset({Role.COMMISSIONER}),
    ),
    "consultations.moderate": (
        "Publish or hide consultation comments and answer them in public",
        frozenset({Role.COMMISSIONER}),
    ),
    "measures.manage": (
        "Add, edit, import and export the authority's local measures",
        frozenset({Role.COMMISSIONER}),
    ),
    "charters.export": ("Generate charter PDFs and consultation reports and download them", ALL_ROLES),
    "tenders.view": ("Read the authority's tenders, drafts included (never sealed offer content)", ALL_ROLES),
    "tenders.manage": (
        "Create, edit, publish, amend and cancel tenders; import OCDS notices; answer clarification questions",
        frozenset({Role.PROCUREMENT_OFFICER}),
    ),
    "offers.open": (
        "Open a tender's sealed offers once its submission deadline has passed (an audited act)",
        frozenset({Role.PROCUREMENT_OFFICER}),
    ),
    "offers.view": (
        "Read offers, their supporting documents and identikit findings, only after they have been opened",
        frozenset({Role.PROCUREMENT_OFFICER, Role.EVALUATOR}),
    ),
    "evaluation.manage": (
        "Start evaluations, form the panel and choose its moderator, decide on declared conflicts of interest, "
        "decide and confirm awards",
        frozenset({Role.PROCUREMENT_OFFICER}),
    ),
    "evaluation.view": (
        "Follow an evaluation's progress; read its results once moderation is finalised",
        frozenset({Role.PROCUREMENT_OFFICER, Role.EVALUATOR}),
    ),
    "evaluation.score": (
        "On a panel they sit on: declare conflicts of interest, score offers, and moderate where they are the "
        "moderator",
        frozenset({Role.EVALUATOR}),
    ),
    "evaluation.export": (
        "Generate evaluation packs (PDF, XLSX, CSV) and download them",
        frozenset({Role.PROCUREMENT_OFFICER}),
    ),
    "contracts.view": (
        "Read contracts, their commitments, delivery reports and evidence, and the cumulative impact dashboard",
        ALL_ROLES,
    ),
    "contracts.manage": (
        "Create contracts (from confirmed awards or entered directly), set KPIs, open decommissioning assessments, "
        "answer their responses and record decisions, end or reduce contracts",
        frozenset({Role.PROCUREMENT_OFFICER, Role.CONTRACT_MANAGER}),
    ),
    "contracts.verify": (
        "Verify delivery reports line by line, confirm performance ratings, answer community checks",
        frozenset({Role.CONTRACT_MANAGER}),
    ),
    "contracts.export": (
        "Generate contract compliance reports and the annual social value report, and download them",
        frozenset({Role.ADMIN, Role.PROCUREMENT_OFFICER, Role.CONTRACT_MANAGER}),
    ),
    "compact.view": (
        "Read the local Compact area: the consultation register, the Compact checklist and case examples awaiting "
        "approval",
        ALL_ROLES,
    ),
    "compact.manage": (
        "Keep the consultation register, update the Compact checklist, write case examples, approve them as the "
        "officer and publish them",
        frozenset({Role.ADMIN, Role.COMMISSIONER}),
    ),
    "compact.partners": (
        "Mark community groups as the authority's Compact partners, or remove them",
        frozenset({Role.ADMIN}),
    ),
}


def roles_allowed(permission: str) -> frozenset[Role]:
    return PERMISSIONS[permission][1]


def has_permission(roles, permission: str) -> bool:
    return bool(set(roles) & roles_allowed(permission))


def render_matrix_markdown() -> str:
    """The permission matrix as a markdown table (docs/permissions.md is this text; a test keeps them equal)."""
    roles = list(Role)
    lines = [
        "# Permission matrix",
        "",
        "Generated from `accounts/roles.py` by `python manage.py permission_matrix`; a test fails if this file",
        "and the code disagree. Views name one permission each; the role tests are generated from this table.",
        "A user who is not a member of the authority gets 404 for every `/a/<authority>/` page, whatever the role.",
        "",
        "| permission | what it allows | " + " | ".join(role.label for role in roles) + " |",
        "| --- | --- | " + " | ".join("---" for _ in roles) + " |",
    ]
    for name, (description, allowed) in PERMISSIONS.items():
        cells = ["yes" if role in allowed else "no" for role in roles]
        lines.append(f"| `{name}` | {description} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Outside authorities: anyone may register an account, a supplier organisation or a community group, and",
        "ask to join a community group; an organisation's admins approve join requests and manage its members.",
        "Platform operators (Django superusers) use the Django admin at `/admin/`; they are not authority members",
        "unless invited.",
        "",
    ]
    return "\n".join(lines)
