"""The API, mounted at /api/: version 1 under /api/v1/, its OpenAPI 3 schema at /api/schema/ and the interactive
documentation at /api/docs/. docs/api.md explains authentication, errors, pagination and limits."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api import jobs_urls as jobs_api_urls
from accounts.api import views as accounts_api
from charters import api as charters_api
from compact import api_compact_urls as compact_page_api_urls
from compact import api_urls as compact_api_urls
from evaluation import api_urls as evaluation_api_urls
from tenders import api_urls as tenders_api_urls

app_name = "api"

authority_patterns = [
    path("", accounts_api.AuthorityDetail.as_view(), name="authority-detail"),
    path("measures/", charters_api.MeasureLibrary.as_view(), name="measure-list"),
    path("charters/", charters_api.CharterList.as_view(), name="charter-list"),
    path("charters/<int:charter_id>/", charters_api.CharterDetail.as_view(), name="charter-detail"),
    path("versions/<int:version_id>/", charters_api.VersionDetail.as_view(), name="version-detail"),
    path("versions/<int:version_id>/weights/", charters_api.VersionWeights.as_view(), name="version-weights"),
    path("versions/<int:version_id>/places/", charters_api.PlaceCreate.as_view(), name="place-create"),
    path("versions/<int:version_id>/themes/", charters_api.ThemeCreate.as_view(), name="theme-create"),
    path("places/<int:place_id>/", charters_api.PlaceDetail.as_view(), name="place-detail"),
    path("themes/<int:theme_id>/", charters_api.ThemeDetail.as_view(), name="theme-detail"),
    path("themes/<int:theme_id>/outcomes/", charters_api.OutcomeCreate.as_view(), name="outcome-create"),
    path("outcomes/<int:outcome_id>/", charters_api.OutcomeDetail.as_view(), name="outcome-detail"),
    path("outcomes/<int:outcome_id>/measures/", charters_api.MeasureCreate.as_view(), name="charter-measure-create"),
    path(
        "charter-measures/<int:charter_measure_id>/",
        charters_api.MeasureDetail.as_view(),
        name="charter-measure-detail",
    ),
    path("consultations/", charters_api.ConsultationList.as_view(), name="consultation-list"),
    path(
        "consultations/<int:consultation_id>/",
        charters_api.ConsultationDetail.as_view(),
        name="consultation-detail",
    ),
    path(
        "consultations/<int:consultation_id>/comments/",
        charters_api.CommentList.as_view(),
        name="comment-list",
    ),
    path(
        "consultations/<int:consultation_id>/comments/<int:comment_id>/moderation/",
        charters_api.CommentModeration.as_view(),
        name="comment-moderation",
    ),
    path(
        "consultations/<int:consultation_id>/comments/<int:comment_id>/response/",
        charters_api.CommentAnswer.as_view(),
        name="comment-response",
    ),
]

# Each stage's endpoints, in its own module (names prefixed by what they serve: tender-, offer-, evaluation-, ...).
_stage_modules = (tenders_api_urls, evaluation_api_urls, compact_api_urls, compact_page_api_urls, jobs_api_urls)
authority_patterns += [path("", include(module.authority_urlpatterns)) for module in _stage_modules]

v1_patterns = [
    *[path("", include(module.platform_urlpatterns)) for module in _stage_modules],
    path("authorities/", accounts_api.AuthorityList.as_view(), name="authority-list"),
    path("authorities/<slug:authority_slug>/", include(authority_patterns)),
    # Anything else under /api/v1/ (newlines too, which "." would miss) answers the API's 404 body, not an HTML page.
    re_path(r"^[\s\S]*$", accounts_api.NotFoundView.as_view(), name="not-found"),
]

urlpatterns = [
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
