"""Evaluation routes: staff pages under /a/<authority_slug>/, bidders' pages under /p/<authority_slug>/, and
platform-wide pages at the root."""

from django.urls import include, path

from .views import award, moderation, packs, panel, scoring

app_name = "evaluation"

_modules = (panel, scoring, moderation, award, packs)
staff_urlpatterns = [pattern for module in _modules for pattern in module.staff_urlpatterns]
public_urlpatterns = [pattern for module in _modules for pattern in module.public_urlpatterns]

urlpatterns = [
    path("a/<slug:authority_slug>/", include(staff_urlpatterns)),
    path("p/<slug:authority_slug>/", include(public_urlpatterns)),
    *[pattern for module in _modules for pattern in module.platform_urlpatterns],
]
