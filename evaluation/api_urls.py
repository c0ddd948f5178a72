"""The evaluation API's routes (evaluation/api.py): under /api/v1/authorities/<authority_slug>/, in the "api"
namespace."""

from django.urls import path

from . import api

authority_urlpatterns = [
    path("evaluations/", api.EvaluationList.as_view(), name="evaluation-list"),
    path("evaluations/<int:evaluation_id>/", api.EvaluationDetail.as_view(), name="evaluation-detail"),
    path("evaluations/<int:evaluation_id>/panel/", api.Panel.as_view(), name="evaluation-panel"),
    path("evaluations/<int:evaluation_id>/moderator/", api.Moderator.as_view(), name="evaluation-moderator"),
    path(
        "evaluations/<int:evaluation_id>/moderation/",
        api.Moderation.as_view(),
        name="evaluation-moderation",
    ),
    path(
        "evaluations/<int:evaluation_id>/moderation/<int:scored_offer_id>/",
        api.ModerationOffer.as_view(),
        name="evaluation-moderation-offer",
    ),
    path(
        "evaluations/<int:evaluation_id>/finalisation/",
        api.Finalisation.as_view(),
        name="evaluation-finalisation",
    ),
    path("evaluations/<int:evaluation_id>/results/", api.Results.as_view(), name="evaluation-results"),
    path("evaluations/<int:evaluation_id>/awards/", api.Awards.as_view(), name="evaluation-awards"),
    path("evaluations/<int:evaluation_id>/pack/", api.Pack.as_view(), name="evaluation-pack"),
    path(
        "panel-members/<int:member_id>/decision/",
        api.ConflictDecide.as_view(),
        name="evaluation-conflict-decision",
    ),
    path(
        "panel-members/<int:member_id>/declaration/",
        api.DeclarationView.as_view(),
        name="evaluation-declaration",
    ),
    path("panel-members/<int:member_id>/scores/", api.OwnScores.as_view(), name="evaluation-scores"),
    path(
        "panel-members/<int:member_id>/scores/<int:scored_offer_id>/",
        api.OfferScores.as_view(),
        name="evaluation-offer-scores",
    ),
    path(
        "panel-members/<int:member_id>/submission/",
        api.ScoresSubmit.as_view(),
        name="evaluation-scores-submit",
    ),
    path("awards/<int:award_id>/confirmation/", api.AwardConfirmation.as_view(), name="evaluation-award-confirmation"),
]
platform_urlpatterns = []
