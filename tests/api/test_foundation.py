"""What every endpoint shares: the error body, pagination, ordering, throttles, and the OpenAPI schema and docs."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from tests.factories import AuthorityFactory

from .conftest import as_user, assert_error, token_for

AUTHORITIES = "/api/v1/authorities/"


# The error body ---------------------------------------------------------------------------------------------------


def test_404_for_unknown_addresses_and_authorities(world, api):
    body = assert_error(api.get("/api/v1/nothing-here/"), 404)
    assert body["title"] == "Not found" and body["errors"] == {}
    assert_error(api.get("/api/v1/authorities/no-such-authority/"), 404)
    assert_error(api.get("/api/v1/authorities/no-such-authority/charters/"), 404)


def test_405_names_the_allowed_methods(world, api):
    as_user(api, world.resident)
    response = api.delete(AUTHORITIES)
    body = assert_error(response, 405)
    assert body["title"] == "Method not allowed"
    assert "GET" in response["Allow"]


def test_400_names_each_field(world, api):
    body = assert_error(api.get(f"{AUTHORITIES}?nation=atlantis"), 400, field="nation")
    assert body["errors"]["nation"][0].startswith("Choose one of")
    as_user(api, world.user(world.a, Role.COMMISSIONER))
    body = assert_error(api.post(f"{AUTHORITIES}{world.a.slug}/charters/", {}, format="json"), 400, field="title")
    assert body["detail"] == "Check the fields named in “errors”."
    assert_error(api.post(f"{AUTHORITIES}{world.a.slug}/charters/", "not json", content_type="application/json"), 400)


def test_401_and_403_bodies(world, api):
    body = assert_error(api.post(f"{AUTHORITIES}{world.a.slug}/charters/", {"title": "x"}, format="json"), 401)
    assert body["title"] == "Not signed in"
    as_user(api, world.user(world.a, Role.EVALUATOR))
    body = assert_error(api.post(f"{AUTHORITIES}{world.a.slug}/charters/", {"title": "x"}, format="json"), 403)
    assert body["title"] == "Not allowed"


# Pagination and ordering ------------------------------------------------------------------------------------------


def test_pages_of_25_by_default_and_up_to_100(world, api):
    for number in range(28):
        AuthorityFactory(name=f"Council {number:02}", slug=f"council-{number:02}")
    first = api.get(AUTHORITIES).json()
    assert first["count"] == 30 and len(first["results"]) == 25 and first["previous"] is None
    assert first["next"].endswith("?page=2")
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert len(api.get(f"{AUTHORITIES}?page_size=10").json()["results"]) == 10
    assert len(api.get(f"{AUTHORITIES}?page_size=1000").json()["results"]) == 30  # capped at 100
    assert_error(api.get(f"{AUTHORITIES}?page=9"), 404)


def test_ordering_and_filters_on_authorities(world, api):
    AuthorityFactory(name="Aberdeen City Council", slug="aberdeen", nation="scotland", kind="unitary")
    names = [a["name"] for a in api.get(f"{AUTHORITIES}?ordering=-name").json()["results"]]
    assert names == sorted(names, reverse=True)
    scottish = api.get(f"{AUTHORITIES}?nation=scotland").json()["results"]
    assert [a["slug"] for a in scottish] == ["aberdeen"]
    assert [a["slug"] for a in api.get(f"{AUTHORITIES}?q=aberdeen city").json()["results"]] == ["aberdeen"]
    assert_error(api.get(f"{AUTHORITIES}?ordering=created_at"), 400, field="ordering")
    detail = api.get(f"{AUTHORITIES}aberdeen/").json()
    assert detail["name"] == "Aberdeen City Council" and detail["public_url"].endswith("/p/aberdeen/")
    assert set(detail) == {"slug", "name", "kind", "kind_label", "nation", "gss_code", "public_url"}


# Throttles --------------------------------------------------------------------------------------------------------


@pytest.fixture
def low_rates(settings):
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "2/minute"}


def test_anonymous_reads_are_limited_per_ip(world, api, low_rates):
    for _ in range(3):
        assert api.get(AUTHORITIES, REMOTE_ADDR="203.0.113.5").status_code == 200
    response = api.get(AUTHORITIES, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    body = assert_error(response, 429)
    assert body["title"] == "Too many requests"
    assert int(response["Retry-After"]) > 0
    # Another address has its own count.
    assert api.get(AUTHORITIES, REMOTE_ADDR="203.0.113.6").status_code == 200


def test_each_token_is_limited_on_its_own(world, api, low_rates):
    first, second = token_for(world.resident, "First"), token_for(world.resident, "Second")
    for _ in range(2):
        assert api.get(AUTHORITIES, HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 200
    assert_error(api.get(AUTHORITIES, HTTP_AUTHORIZATION=f"Bearer {first}"), 429)
    assert api.get(AUTHORITIES, HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200


# The schema and the documentation page ----------------------------------------------------------------------------


def _v1_routes():
    """Every route under /api/v1/ in OpenAPI's form (`{name}`), from the URL conf."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("api/v1/") and pattern.name != "not-found":
                    found.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return found


def test_schema_generates_without_warnings_and_lists_every_route(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    assert schema["openapi"].startswith("3.")
    routes = _v1_routes()
    assert len(routes) >= 18
    assert set(routes) == set(schema["paths"])
    for path_name, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path_name}"
            assert operation.get("summary") or operation.get("description"), where
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{where}: {parameter['name']}"
            responses = operation["responses"]
            assert "429" in responses, where
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Error"), where
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_and_docs_are_served_without_a_cdn(world, client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
