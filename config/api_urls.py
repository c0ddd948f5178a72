"""The API, mounted at /api/: version 1 under /api/v1/, its OpenAPI 3 schema at /api/schema/ and the interactive
documentation at /api/docs/. docs/api.md explains authentication, errors, pagination and limits.

Each app's routes live in its own `<app>/api/urls.py`, which exports `authority_urlpatterns` (mounted under
/api/v1/authorities/<authority_slug>/) and `platform_urlpatterns` (under /api/v1/); this module only includes them."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api import urls as accounts_api_urls
from accounts.api.views import NotFoundView
from charters.api import urls as charters_api_urls
from compact.api import urls as compact_api_urls
from evaluation.api import urls as evaluation_api_urls
from tenders.api import urls as tenders_api_urls

app_name = "api"

# In the dependency order of the apps; URL names are prefixed by what they serve (tender-, offer-, evaluation-, ...).
API_URL_MODULES = (accounts_api_urls, charters_api_urls, tenders_api_urls, evaluation_api_urls, compact_api_urls)

v1_patterns = [
    *[path("", include(module.platform_urlpatterns)) for module in API_URL_MODULES],
    path(
        "authorities/<slug:authority_slug>/",
        include([path("", include(module.authority_urlpatterns)) for module in API_URL_MODULES]),
    ),
    # Anything else under /api/v1/ (newlines too, which "." would miss) answers the API's 404 body, not an HTML page.
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="not-found"),
]

urlpatterns = [
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
