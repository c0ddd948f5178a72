"""Objects for the generated route tests (tests/isolation.py merges EVALUATION_MAKERS into OBJECT_MAKERS).

Each maker builds its object once per authority and returns its pk. The states are chosen so that every role the
permission matrix allows gets 200 on every evaluation page: the authority's evaluator (Role.EVALUATOR in the world)
sits on the panel of the "ISO-OFFERS" tender's evaluation, has declared no conflict and is its moderator.
"""

from accounts.roles import Role
from accounts.scoping import authority_scope


def _evaluation(world, authority):
    from evaluation.models import Evaluation
    from tests.evaluation.factories import build_evaluation
    from tests.isolation import _opened_offer

    offer_pk = _opened_offer(world, authority).pk  # the opened ISO-OFFERS tender
    with authority_scope(authority):
        existing = Evaluation.objects.filter(tender__offers__pk=offer_pk).first()
        if existing is not None:
            return existing
        from tenders.models import Offer

        tender = Offer.objects.get(pk=offer_pk).tender
    evaluation, _ = build_evaluation(world, tender)
    return evaluation


def _member(world, authority):
    evaluation = _evaluation(world, authority)
    with authority_scope(authority):
        return evaluation.panel.get(user=world.user(authority, Role.EVALUATOR)).pk


def _scored_offer(world, authority):
    from tests.isolation import _opened_offer

    _evaluation(world, authority)
    return _opened_offer(world, authority).pk


def _award(world, authority):
    from evaluation.models import Award
    from tests.evaluation.factories import build_awarded

    with authority_scope(authority):
        existing = Award.objects.filter(evaluation__tender__reference="ISO-AWARD").first()
        if existing is not None:
            return existing.pk
    return build_awarded(world, authority, reference="ISO-AWARD").pk


EVALUATION_MAKERS = {
    "evaluation_id": lambda world, authority: _evaluation(world, authority).pk,
    "member_id": _member,
    "scored_offer_id": _scored_offer,
    "award_id": _award,
}
