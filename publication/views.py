"""Open data: an authority's public tenders as an OCDS 1.1 release package and record package
(`/p/<authority_slug>/ocds/releases.json`, `.../records.json`), and the social value extension at a stable address
(`/ocds/extensions/social-value/extension.json` and its `release-schema.json`, with a page documenting its fields).

Anyone may read them: they hold only what the public tender pages and the delivery tracker already show
(`publication.ocds`). Unknown authorities answer 404, like every public page.
"""

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from accounts.views import public_authority

from . import ocds, ocds_schema

CACHE_SECONDS = 300
SCHEMA_CACHE_SECONDS = 3600


def _json(data: dict, *, max_age: int) -> HttpResponse:
    response = HttpResponse(ocds.to_json(data), content_type="application/json")
    patch_cache_control(response, public=True, max_age=max_age)
    # Open data: other sites' scripts may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


READ_ONLY = ("GET", "HEAD")


def releases(request, authority_slug):
    """Every release of the authority's public tenders, in one OCDS release package."""
    authority = public_authority(request)
    # Checked after the lookup, so an unknown authority answers 404 whatever the method.
    if request.method not in READ_ONLY:
        return HttpResponseNotAllowed(READ_ONLY)
    return _json(ocds.release_package(authority), max_age=CACHE_SECONDS)


def records(request, authority_slug):
    """One record per public tender (or only `?ocid=`, 404 when it is not one of them): its releases, linked, and
    the compiled release."""
    authority = public_authority(request)
    if request.method not in READ_ONLY:
        return HttpResponseNotAllowed(READ_ONLY)
    ocid = request.GET.get("ocid", "").strip() or None
    package = ocds.record_package(authority, ocid)
    if ocid and not package["records"]:
        raise Http404("No such contracting process")
    return _json(package, max_age=CACHE_SECONDS)


@require_safe
def extension(request):
    """The extension's metadata, with its documentation address made absolute for this installation."""
    metadata = dict(ocds_schema.extension_metadata())
    metadata["documentationUrl"] = {"en": ocds.extension_docs_url()}
    return _json(metadata, max_age=SCHEMA_CACHE_SECONDS)


@require_safe
def extension_schema(request):
    return _json(ocds_schema.extension_schema(), max_age=SCHEMA_CACHE_SECONDS)


def _fields(schema: dict, name: str) -> list[dict]:
    definition = schema["definitions"][name]
    fields = []
    for field, spec in definition.get("properties", {}).items():
        kind = spec.get("type", "")
        if "$ref" in spec:
            kind = spec["$ref"].rsplit("/", 1)[-1]
        elif kind == "array":
            kind = "array of " + spec["items"]["$ref"].rsplit("/", 1)[-1]
        elif isinstance(kind, list):
            kind = " or ".join(part for part in kind if part != "null")
        fields.append(
            {"name": field, "title": spec.get("title", ""), "description": spec.get("description", ""), "type": kind}
        )
    return fields


@require_safe
def extension_docs(request):
    """The extension's fields, read from its schema, so the page and the schema never disagree."""
    schema = ocds_schema.extension_schema()
    sections = [
        {"path": f"{where}.socialValue", "fields": _fields(schema, name)}
        for where, name in (
            ("tender", "TenderSocialValue"),
            ("awards[]", "AwardSocialValue"),
            ("contracts[].implementation", "ImplementationSocialValue"),
        )
    ]
    definitions = [
        {"name": name, "title": schema["definitions"][name]["title"], "fields": _fields(schema, name)}
        for name in (
            "SocialValueCharter",
            "SocialValueWeighting",
            "SocialValueMeasure",
            "SocialValueCommitment",
            "SocialValueDelivery",
        )
    ]
    metadata = ocds_schema.extension_metadata()
    return render(
        request,
        "publication/ocds/extension.html",
        {
            "metadata": metadata,
            "description": metadata["description"]["en"],
            "sections": sections,
            "definitions": definitions,
            "extension_url": reverse("publication:ocds-extension"),
            "schema_url": reverse("publication:ocds-extension-schema"),
        },
    )
