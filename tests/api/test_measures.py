"""The measure library over the API: platform measures and the authority's own, open to anyone."""

import pytest

from accounts.scoping import authority_scope
from charters.models import LocalMeasure, Measure, Unit

from .conftest import assert_error


def url(authority, query=""):
    # Only this test's measures (codes starting XQ), not the platform's starter set that the migrations load.
    if "q=" not in query:
        query = f"{query}&q=XQ" if query.startswith("?") else "?q=XQ"
    return f"/api/v1/authorities/{authority.slug}/measures/{query}"


@pytest.fixture
def library(world):
    Measure.objects.create(code="XQP-1", title="Local jobs", unit=Unit.FTE, theme="Jobs", proxy_value_gbp=25000)
    Measure.objects.create(code="XQP-2", title="Hedgerow planted", unit=Unit.COUNT, theme="Environment")
    Measure.objects.create(code="XQP-0", title="Retired measure", unit=Unit.COUNT, is_active=False)
    for authority, code in ((world.a, "XQA-1"), (world.b, "XQB-1")):
        with authority_scope(authority):
            LocalMeasure.objects.create(
                authority=authority,
                code=code,
                title=f"Apprenticeships in {authority.name}",
                unit=Unit.WEEKS,
                theme="Jobs",
            )


def test_anyone_reads_the_platform_and_the_authoritys_own_measures(world, api, library):
    body = api.get(url(world.a)).json()
    found = [(m["code"], m["is_local"]) for m in body["results"]]
    assert found == [("XQA-1", True), ("XQP-1", False), ("XQP-2", False)]
    assert body["results"][1]["proxy_value_gbp"] == "25000.00"
    # B's local measures are B's alone.
    assert [m["code"] for m in api.get(url(world.b)).json()["results"]] == ["XQB-1", "XQP-1", "XQP-2"]


def test_filters_and_ordering(world, api, library):
    assert [m["code"] for m in api.get(url(world.a, "?theme=Jobs")).json()["results"]] == ["XQA-1", "XQP-1"]
    assert [m["code"] for m in api.get(url(world.a, "?unit=count")).json()["results"]] == ["XQP-2"]
    assert [m["code"] for m in api.get(url(world.a, "?q=XQ hedgerow")).json()["results"]] == ["XQP-2"]
    descending = [m["code"] for m in api.get(url(world.a, "?ordering=-code")).json()["results"]]
    assert descending == ["XQP-2", "XQP-1", "XQA-1"]
    titles = [m["title"] for m in api.get(url(world.a, "?ordering=title")).json()["results"]]
    assert titles == sorted(titles)
    assert_error(api.get(url(world.a, "?unit=furlongs")), 400, field="unit")
    assert_error(api.get(url(world.a, "?ordering=proxy_value_gbp")), 400, field="ordering")
