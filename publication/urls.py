"""Open-data routes: an authority's packages under its public /p/<authority_slug>/ pages, the extension at a stable
address of the platform."""

from django.urls import path

from . import views

app_name = "publication"

urlpatterns = [
    path("p/<slug:authority_slug>/ocds/releases.json", views.releases, name="ocds-releases"),
    path("p/<slug:authority_slug>/ocds/records.json", views.records, name="ocds-records"),
    path("ocds/extensions/social-value/", views.extension_docs, name="ocds-extension-docs"),
    path("ocds/extensions/social-value/extension.json", views.extension, name="ocds-extension"),
    path("ocds/extensions/social-value/release-schema.json", views.extension_schema, name="ocds-extension-schema"),
]
