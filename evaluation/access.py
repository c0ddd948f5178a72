"""Who may read an opened tender's offers, as evaluation narrows it: an evaluator reads them only from the tender's
panel, after declaring no conflict of interest or once a declared interest has been allowed with a mitigation.
Registered with tenders.sealing in EvaluationConfig.ready()."""

from accounts.roles import Role, has_permission

from .models import PanelMember


def evaluator_cleared(*, tender, user, roles) -> str | None:
    if has_permission(set(roles) - {Role.EVALUATOR}, "offers.view"):
        return None  # a procurement officer reads offers by their own role
    member = PanelMember.objects.filter(evaluation__tender=tender, user=user).first()
    if member is None:
        return "Evaluators read a tender's offers once they are on its evaluation panel."
    if not member.may_see_offers:
        return (
            "Declare any conflict of interest for this tender, and wait for a decision on a declared interest, "
            "before you read its offers."
        )
    return None
