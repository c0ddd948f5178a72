from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

admin.site.site_header = "Community Value Charters — platform operator"
admin.site.site_title = "Platform operator"

pages = (
    [
        path("accessibility/", account_views.accessibility, name="accessibility"),
        path("privacy/", account_views.privacy, name="privacy"),
    ],
    "pages",
)

urlpatterns = [
    path("", account_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("", include(pages)),
    path("", include("accounts.urls")),
    path("", include("charters.urls")),
    path("", include("tenders.urls")),
    path("", include("evaluation.urls")),
    path("", include("compact.urls")),
    path("", include("publication.urls")),
    path("api/", include("config.api_urls")),
]
