"""Tender routes: staff pages under /a/<authority_slug>/, public ones under /p/<authority_slug>/, platform-wide
pages at the root."""

from django.urls import include, path

from .views import (
    clarifications,
    intake,
    ocds_import,
    offer_documents,
    offers,
    opening,
    public,
    reference,
)

app_name = "tenders"

_modules = (reference, intake, ocds_import, clarifications, public, offers, offer_documents, opening)
staff_urlpatterns = [pattern for module in _modules for pattern in module.staff_urlpatterns]
public_urlpatterns = [pattern for module in _modules for pattern in module.public_urlpatterns]

urlpatterns = [
    path("a/<slug:authority_slug>/", include(staff_urlpatterns)),
    path("p/<slug:authority_slug>/", include(public_urlpatterns)),
    *[pattern for module in _modules for pattern in module.platform_urlpatterns],
]
