"""The evaluation API's routes (evaluation/api/): under /api/v1/authorities/<authority_slug>/, in the "api"
namespace."""

from django.urls import path

from . import awards, evaluations, moderation, packs, panels, results, scores

authority_urlpatterns = [
    path("evaluations/", evaluations.EvaluationList.as_view(), name="evaluation-list"),
    path("evaluations/<int:evaluation_id>/", evaluations.EvaluationDetail.as_view(), name="evaluation-detail"),
    path("evaluations/<int:evaluation_id>/panel/", panels.Panel.as_view(), name="evaluation-panel"),
    path("evaluations/<int:evaluation_id>/moderator/", panels.Moderator.as_view(), name="evaluation-moderator"),
    path(
        "evaluations/<int:evaluation_id>/moderation/",
        moderation.Moderation.as_view(),
        name="evaluation-moderation",
    ),
    path(
        "evaluations/<int:evaluation_id>/moderation/<int:scored_offer_id>/",
        moderation.ModerationOffer.as_view(),
        name="evaluation-moderation-offer",
    ),
    path(
        "evaluations/<int:evaluation_id>/finalisation/",
        moderation.Finalisation.as_view(),
        name="evaluation-finalisation",
    ),
    path("evaluations/<int:evaluation_id>/results/", results.Results.as_view(), name="evaluation-results"),
    path("evaluations/<int:evaluation_id>/awards/", awards.Awards.as_view(), name="evaluation-awards"),
    path("evaluations/<int:evaluation_id>/pack/", packs.Pack.as_view(), name="evaluation-pack"),
    path(
        "panel-members/<int:member_id>/decision/",
        panels.ConflictDecide.as_view(),
        name="evaluation-conflict-decision",
    ),
    path(
        "panel-members/<int:member_id>/declaration/",
        panels.DeclarationView.as_view(),
        name="evaluation-declaration",
    ),
    path("panel-members/<int:member_id>/scores/", scores.OwnScores.as_view(), name="evaluation-scores"),
    path(
        "panel-members/<int:member_id>/scores/<int:scored_offer_id>/",
        scores.OfferScores.as_view(),
        name="evaluation-offer-scores",
    ),
    path(
        "panel-members/<int:member_id>/submission/",
        scores.ScoresSubmit.as_view(),
        name="evaluation-scores-submit",
    ),
    path(
        "awards/<int:award_id>/confirmation/", awards.AwardConfirmation.as_view(), name="evaluation-award-confirmation"
    ),
]
platform_urlpatterns = []
