"""The charters API's routes (charters/api/): `authority_urlpatterns` under /api/v1/authorities/<authority_slug>/,
`platform_urlpatterns` under /api/v1/ (both in the "api" namespace)."""

from django.urls import path

from . import charter_items, charters, consultations, library

authority_urlpatterns = [
    path("measures/", library.MeasureLibrary.as_view(), name="measure-list"),
    path("charters/", charters.CharterList.as_view(), name="charter-list"),
    path("charters/<int:charter_id>/", charters.CharterDetail.as_view(), name="charter-detail"),
    path("versions/<int:version_id>/", charters.VersionDetail.as_view(), name="version-detail"),
    path("versions/<int:version_id>/weights/", charters.VersionWeights.as_view(), name="version-weights"),
    path("versions/<int:version_id>/places/", charter_items.PlaceCreate.as_view(), name="place-create"),
    path("versions/<int:version_id>/themes/", charter_items.ThemeCreate.as_view(), name="theme-create"),
    path("places/<int:place_id>/", charter_items.PlaceDetail.as_view(), name="place-detail"),
    path("themes/<int:theme_id>/", charter_items.ThemeDetail.as_view(), name="theme-detail"),
    path("themes/<int:theme_id>/outcomes/", charter_items.OutcomeCreate.as_view(), name="outcome-create"),
    path("outcomes/<int:outcome_id>/", charter_items.OutcomeDetail.as_view(), name="outcome-detail"),
    path("outcomes/<int:outcome_id>/measures/", charter_items.MeasureCreate.as_view(), name="charter-measure-create"),
    path(
        "charter-measures/<int:charter_measure_id>/",
        charter_items.MeasureDetail.as_view(),
        name="charter-measure-detail",
    ),
    path("consultations/", consultations.ConsultationList.as_view(), name="consultation-list"),
    path(
        "consultations/<int:consultation_id>/",
        consultations.ConsultationDetail.as_view(),
        name="consultation-detail",
    ),
    path(
        "consultations/<int:consultation_id>/comments/",
        consultations.CommentList.as_view(),
        name="comment-list",
    ),
    path(
        "consultations/<int:consultation_id>/comments/<int:comment_id>/moderation/",
        consultations.CommentModeration.as_view(),
        name="comment-moderation",
    ),
    path(
        "consultations/<int:consultation_id>/comments/<int:comment_id>/response/",
        consultations.CommentAnswer.as_view(),
        name="comment-response",
    ),
]
platform_urlpatterns = []
