import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditEvent, Authority, Job, Membership, User
from accounts.scoping import authority_scope, dangerously_unscoped
from evaluation import scoring, selectors
from evaluation.models import Award, Evaluation, EvaluationStatus, ModeratedScore, PanelMember, Score
from tenders.models import Tender

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    with dangerously_unscoped():
        return {
            model.__name__: model.objects.count()
            for model in (Evaluation, PanelMember, Score, ModeratedScore, Award, Tender, AuditEvent, User, Membership)
        }


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert first["Evaluation"] == 2


def test_demo_eastvale_evaluation_is_moderated_and_awarded_with_standstill_running():
    call_command("seed_demo")
    eastvale = Authority.objects.get(slug="eastvale")
    with authority_scope(eastvale):
        evaluation = Evaluation.objects.select_related("tender", "moderator").get(tender__reference="EDC-2026-012")
        tender = evaluation.tender
        assert tender.offers_opened_at is not None
        assert evaluation.status == EvaluationStatus.FINALISED
        assert evaluation.moderator.email == "evaluator@eastvale.example.org"
        panel = {member.user.email: member for member in evaluation.panel.select_related("user")}
        assert set(panel) == {"evaluator@eastvale.example.org", "evaluator2@eastvale.example.org"}
        assert all(member.scores_submitted_at for member in panel.values())
        assert Membership.objects.filter(authority=eastvale, user__email="evaluator2@eastvale.example.org").exists()
        offers = {offer.organisation.name for offer, _ in selectors.evaluable_offers(tender)}
        assert offers == {"Valley Community Catering CIC", "Brightside Facilities Ltd"}
        assert selectors.missing_moderated_scores(evaluation) == 0
        # Brightside's method statement split the evaluators: a spread the moderator discussed.
        spreads = [
            scoring.spread_flagged(
                [s.score for s in Score.objects.filter(offer=offer, question=question)], question.scale_max
            )
            for offer, _ in selectors.evaluable_offers(tender)
            for question in selectors.questions_for(tender)
        ]
        assert any(spreads)

        award = Award.objects.select_related("offer__organisation").get(evaluation=evaluation)
        results = selectors.results(evaluation, None)
        assert award.offer_id == results.rows[0].offer.pk and results.rows[0].rank == 1
        assert award.offer.organisation.name == "Valley Community Catering CIC"
        assert award.confirmed_at is None
        assert award.standstill_ends_on > timezone.localdate()

        # The opening journey still starts from Eastvale's other closed tender.
        assert Tender.objects.get(reference="EDC-2026-021").offers_opened_at is None


def test_demo_northmoor_evaluation_is_in_scoring():
    call_command("seed_demo")
    with authority_scope(Authority.objects.get(slug="northmoor")):
        evaluation = Evaluation.objects.select_related("tender", "moderator").get(tender__reference="NBC-2026-009")
        assert evaluation.tender.offers_opened_at is not None
        assert evaluation.status == EvaluationStatus.SCORING
        (member,) = evaluation.panel.select_related("user")
        assert member.user.email == "evaluator@northmoor.example.org" == evaluation.moderator.email
        assert member.may_see_offers
        assert member.scores_submitted_at is None
        assert not Score.objects.filter(panel_member=member).exists()
        assert selectors.missing_scores(member) == 2  # one offer, two questions


def test_demo_award_makes_an_evaluation_pack(django_capture_on_commit_callbacks):
    from evaluation import packs

    call_command("seed_demo")
    eastvale = Authority.objects.get(slug="eastvale")
    officer = User.objects.get(email="procurement.officer@eastvale.example.org")
    with authority_scope(eastvale):
        evaluation = Evaluation.objects.get(tender__reference="EDC-2026-012")
        with django_capture_on_commit_callbacks(execute=True):
            packs.pack_start(evaluation=evaluation, acting_user=officer)
        jobs = {job.kind: job for job in Job.objects.filter(kind__in=packs.PACK_KINDS)}
        assert {job.status for job in jobs.values()} == {"succeeded"}
        with jobs[packs.PACK_PDF].file.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Commitments: Valley Community Catering CIC" in text and "Commitments: Brightside Facilities Ltd" in text
    # Brightside's narrative repeats its Northmoor offer: flagged, without saying where else it appears.
    assert "Identikit" in text and "Much of this text repeats other offers" in text
    assert "NBC-2026-009" not in text and "Northmoor" not in text
    assert "Spread" in text and "flagged" in text
