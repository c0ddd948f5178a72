"""What the generated route tests need to know: how to make an object of each URL keyword in a given authority.

Every `/a/<authority_slug>/...` route's keywords must be listed in OBJECT_MAKERS (a meta-test fails otherwise), so
each new route is automatically requested with another authority's objects. Later stages add their keywords here.
"""

from django.urls import URLPattern, URLResolver, get_resolver

from accounts.jobs import job_execute
from accounts.models import Invitation, Job
from accounts.roles import Role
from accounts.scoping import authority_scope
from accounts.services import invitation_create, job_start


def _member_user(world, authority):
    # Someone who holds a role in this authority only: the contract manager.
    return world.user(authority, Role.CONTRACT_MANAGER).pk


def _invitation(world, authority):
    with authority_scope(authority):
        existing = Invitation.objects.filter(email=f"invitee@{authority.slug}.example.org").first()
        if existing:
            return existing.pk
        return invitation_create(
            authority=authority,
            acting_user=world.user(authority, Role.ADMIN),
            email=f"invitee@{authority.slug}.example.org",
            roles=["evaluator"],
        ).pk


def _job(world, authority):
    with authority_scope(authority):
        existing = Job.objects.filter(kind="audit_export_csv").first()
        if existing:
            return existing.pk
        job = job_start(authority=authority, acting_user=world.user(authority, Role.ADMIN), kind="audit_export_csv")
        job_execute(job)  # finished, so its download route answers
        return job.pk


OBJECT_MAKERS = {
    "user_id": _member_user,
    "invitation_id": _invitation,
    "job_id": _job,
}

# Routes whose object carries its own permission on top of the view's: jobs need the permission of their kind.
OBJECT_PERMISSIONS = {"job_id": "audit.export"}


def authority_routes():
    """(route string, url name, view) for every route under /a/<authority_slug>/, found by walking the URL conf."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("a/<slug:authority_slug>/"):
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                    found.append((route, name, pattern.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


def route_keywords(route: str) -> list[str]:
    import re

    return [name for name in re.findall(r"<(?:\w+:)?(\w+)>", route) if name != "authority_slug"]


def view_permission(view) -> str | None:
    return getattr(view, "authority_permission", None)


# Charters: one draft charter per authority, built once and reused by every charter keyword.
def _draft_version(world, authority):
    from charters.models import CharterVersion, VersionStatus
    from tests.charters.factories import build_charter

    with authority_scope(authority):
        version = CharterVersion.objects.filter(status=VersionStatus.DRAFT, title="Isolation charter").first()
    if version is None:
        _, version = build_charter(world, authority, title="Isolation charter")
    return version


def _in_draft(attribute):
    def maker(world, authority):
        version = _draft_version(world, authority)
        with authority_scope(authority):
            return getattr(version, attribute).order_by("position", "id").first().pk

    return maker


OBJECT_MAKERS |= {
    "charter_id": lambda world, authority: _draft_version(world, authority).charter_id,
    "version_id": lambda world, authority: _draft_version(world, authority).pk,
    "place_id": _in_draft("places"),
    "theme_id": _in_draft("themes"),
    "outcome_id": _in_draft("outcomes"),
    "charter_measure_id": _in_draft("measures"),
}


# The measure library (charters/views/library.py) ---------------------------------------------------------------


def _platform_measure(world, authority):
    # Platform measures are not tenant data: the same one serves every authority (see SHARED_KEYWORDS).
    from charters.models import Measure

    measure, _ = Measure.objects.get_or_create(
        code="ISO-PLATFORM-1", defaults={"title": "A platform measure for the isolation tests", "unit": "people"}
    )
    return measure.pk


def _local_measure(world, authority):
    from charters.models import LocalMeasure

    with authority_scope(authority):
        measure, _ = LocalMeasure.objects.get_or_create(
            authority=authority,
            code=f"ISO-LOCAL-{authority.slug}",
            defaults={"title": f"A local measure of {authority.name}", "unit": "hours"},
        )
        return measure.pk


OBJECT_MAKERS["measure_id"] = _platform_measure
OBJECT_MAKERS["local_measure_id"] = _local_measure

# Keywords naming platform-wide objects (not tenant data): any authority's staff may see them under their own slug,
# so "another authority's object under your own slug" does not apply to routes whose keywords are all shared.
SHARED_KEYWORDS = {"measure_id"}


# Consultations (charters/views/consultation.py) --------------------------------------------------------------------


def _consultation(world, authority):
    """One open consultation per authority, on its own charter, built once and reused."""
    from charters.models import Consultation
    from tests.charters.factories import build_charter, open_consultation

    with authority_scope(authority):
        existing = Consultation.objects.filter(version__title="Isolation consultation").first()
    if existing is not None:
        return existing
    _, version = build_charter(world, authority, title="Isolation consultation")
    return open_consultation(world, authority, version)


def _comment(world, authority):
    from charters.consultation import comment_create
    from charters.models import Comment

    consultation = _consultation(world, authority)
    with authority_scope(authority):
        existing = Comment.objects.filter(consultation=consultation).first()
        if existing is not None:
            return existing.pk
        return comment_create(
            consultation=consultation, acting_user=world.resident, section="vision", text="An isolation comment"
        ).pk


OBJECT_MAKERS["consultation_id"] = lambda world, authority: _consultation(world, authority).pk
OBJECT_MAKERS["comment_id"] = _comment


# Clarification questions (tenders/views/clarifications.py) ------------------------------------------------------


def _clarification(world, authority):
    """One question on a published tender of the authority, asked by the supplier that bids to both; built once."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from tenders.clarifications import clarification_ask
    from tenders.models import Clarification, Tender, TenderStatus
    from tenders.services import tender_create_draft

    with authority_scope(authority):
        existing = Clarification.objects.filter(tender__reference="ISO-CLARIFY").first()
        if existing is not None:
            return existing.pk
        tender = tender_create_draft(
            authority=authority,
            acting_user=world.user(authority, Role.PROCUREMENT_OFFICER),
            reference="ISO-CLARIFY",
            title=f"Isolation tender of {authority.name}",
            category="services",
            estimated_value=Decimal("100000"),
        )
        now = timezone.now()
        Tender.objects.filter(pk=tender.pk).update(
            status=TenderStatus.PUBLISHED,
            published_at=now,
            clarification_deadline=now + timedelta(days=10),
            submission_deadline=now + timedelta(days=30),
        )
        tender.refresh_from_db()
        return clarification_ask(
            tender=tender,
            acting_user=world.supplier_both_user,
            organisation=world.supplier_both,
            question=f"An isolation question for {authority.name}",
        ).pk


OBJECT_MAKERS["clarification_id"] = _clarification


# Tender intake (tenders/views/intake.py) ---------------------------------------------------------------------------


def _intake_tender(world, authority):
    """One draft tender per authority with a lot, relevant measures and questions, built once and reused by every
    intake keyword. A draft, so every intake page answers (pages for published tenders say what they can do)."""
    from tenders.models import Tender
    from tests.tenders.factories import build_tender

    with authority_scope(authority):
        existing = Tender.objects.filter(authority=authority, reference="ISO-TENDER").first()
    if existing is not None:
        return existing
    return build_tender(world, authority, reference="ISO-TENDER", lots=1)


def _in_intake_tender(attribute):
    def maker(world, authority):
        tender = _intake_tender(world, authority)
        with authority_scope(authority):
            return getattr(tender, attribute).order_by("id").first().pk

    return maker


OBJECT_MAKERS |= {
    "tender_id": lambda world, authority: _intake_tender(world, authority).pk,
    "lot_id": _in_intake_tender("lots"),
    "relevant_measure_id": _in_intake_tender("relevant_measures"),
    "question_id": _in_intake_tender("questions"),
}


# Opened offers (tenders/views/opening.py) ----------------------------------------------------------------------


def _opened_offer(world, authority):
    """One offer with a supporting document, submitted before the deadline of a tender whose offers a procurement
    officer has opened; built once per authority. Opened, so the roles allowed to read offers get 200 here; the sealed
    refusal (403, audited) is tested in tests/tenders/test_sealing.py and test_opening.py."""
    from tenders.models import Offer
    from tenders.sealing import offers_open
    from tests.tenders.sealed_offers import submitted_offer, tender_past_deadline

    with authority_scope(authority):
        existing = Offer.objects.filter(tender__reference="ISO-OFFERS").first()
    if existing is not None:
        return existing
    tender = tender_past_deadline(world, authority, reference="ISO-OFFERS")
    offer = submitted_offer(world, tender, documents={"isolation-plan.pdf": b"%PDF-1.4\n%%EOF\n"})
    with authority_scope(authority):
        offers_open(tender=tender, acting_user=world.user(authority, Role.PROCUREMENT_OFFICER))
    return offer


def _opened_offer_document(world, authority):
    offer = _opened_offer(world, authority)
    with authority_scope(authority):
        return offer.documents.get().pk


OBJECT_MAKERS |= {
    "offer_id": lambda world, authority: _opened_offer(world, authority).pk,
    "document_id": _opened_offer_document,
}


# Evaluation (evaluation/views/): its makers live beside its tests.
from tests.evaluation.makers import EVALUATION_MAKERS  # noqa: E402

OBJECT_MAKERS |= EVALUATION_MAKERS


def _cleared(maker):
    # Evaluators read offers only from the tender's panel, cleared of conflicts (evaluation/access.py): the
    # evaluation maker puts the world's evaluator there.
    def make(world, authority):
        EVALUATION_MAKERS["evaluation_id"](world, authority)
        return maker(world, authority)

    return make


OBJECT_MAKERS["offer_id"] = _cleared(OBJECT_MAKERS["offer_id"])
OBJECT_MAKERS["document_id"] = _cleared(OBJECT_MAKERS["document_id"])


# Compact: the public tracker's community checks and the golden thread (compact/views/tracker.py).
def _tracked_contract(world, authority):
    """One contract per authority with accepted delivery and a community check, built once and reused."""
    from compact.models import CommunityCheck
    from tests.compact.test_tracker import add_check, build_tracked_contract

    with authority_scope(authority):
        check = CommunityCheck.objects.select_related("line__commitment").first()
    if check is None:
        tracked = build_tracked_contract(world, authority, reference="ISOLATION-TRACKED")
        check = add_check(world, tracked.accepted[0])
    return check


OBJECT_MAKERS |= {
    "check_id": lambda world, authority: _tracked_contract(world, authority).pk,
    "commitment_id": lambda world, authority: _tracked_contract(world, authority).line.commitment_id,
}


# Compact: the staff contract pages and verification (compact/views/contracts.py).
def _reported_contract(world, authority):
    """One contract per authority with a submitted report of one pending line and one evidence file; built once."""
    from tests.compact.test_contract_pages import build_reported_contract

    return build_reported_contract(world, authority, reference="ISOLATION-REPORTED")


OBJECT_MAKERS |= {
    "contract_id": lambda world, authority: _reported_contract(world, authority).contract.pk,
    "report_id": lambda world, authority: _reported_contract(world, authority).report.pk,
    "line_id": lambda world, authority: _reported_contract(world, authority).line.pk,
    "evidence_id": lambda world, authority: _reported_contract(world, authority).evidence.pk,
}


# The local Compact (compact/views/decommissioning.py, register.py, local_compact.py): each area's makers live
# beside its tests.
from tests.compact.makers_assessment import ASSESSMENT_MAKERS  # noqa: E402
from tests.compact.makers_local_compact import LOCAL_COMPACT_MAKERS  # noqa: E402
from tests.compact.makers_register import REGISTER_MAKERS  # noqa: E402

OBJECT_MAKERS |= ASSESSMENT_MAKERS | REGISTER_MAKERS | LOCAL_COMPACT_MAKERS
# The checklist's actions are numbered 1 to 16 in every authority: a number names no tenant object by itself.
OBJECT_MAKERS["action_number"] = lambda world, authority: 3
SHARED_KEYWORDS.add("action_number")
