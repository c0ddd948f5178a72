"""The API robustness run: schemathesis over the generated OpenAPI schema, every operation, valid and invalid input.

Each operation gets generated input as a person holding every staff role in authority A (the coverage phase's valid
boundary cases of every parameter and field, and hypothesis fuzzing in schemathesis's positive and negative modes),
and fuzzed input without credentials. Every answer must be no server error, with a status code and content type the
schema documents and a body that matches the schema. The run is derandomized
with no example database, so it sends the same requests every time; each request runs in a transaction that is
rolled back, so each one sees the same data.

Not checked: that every schema-violating input is refused (schemathesis's `negative_data_rejection`). DRF coerces
by design (a number for a text or decimal field, an unreadable `page_size` falls back to 25), so that check fails on
input the API rightly accepts; invalid input still has to answer without a server error and within the schema.

A new endpoint is in the run without a change here: the schema is generated from the URL conf, and its path
keywords are aimed at real objects made by tests/isolation.py's makers (a keyword without one fails the run).
"""

import copy
import os
from collections import Counter

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import EndpointEnumerator
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.api.views import NotFoundView
from accounts.tokens import token_create
from config.celery import app as celery_app
from config.wsgi import application

from .conftest import assert_error
from .robustness_data import api_schema, build_robustness_world, path_keywords, schema_operations

RAW_SCHEMA = api_schema()
OPERATIONS = schema_operations(RAW_SCHEMA)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# API_ROBUSTNESS_DEEP=1 adds the coverage phase's invalid boundary cases, for both callers: some 10,000 requests
# and two minutes more. Run it after a change to the API; it found the NUL in a filter that the test below keeps.
DEEP = os.environ.get("API_ROBUSTNESS_DEEP") == "1"


def _load_schema(*, max_examples: int, coverage: bool):
    """The schema, generating the same cases on every run: `max_examples` fuzzed cases an operation (valid and
    invalid), and with `coverage` the coverage phase's valid boundary cases of every parameter and field as well."""
    config = schemathesis.Config.from_dict(
        {
            "generation": {
                "mode": "all",
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
                # The credentials are the test's to choose (the staff token, or none), not generated.
                "with-security-parameters": False,
            },
            "phases": {
                "coverage": {"enabled": coverage or DEEP, "generation": {"mode": "all" if DEEP else "positive"}},
                "stateful": {"enabled": False},
            },
            "warnings": False,
        }
    )
    schema = schemathesis.openapi.from_dict(copy.deepcopy(RAW_SCHEMA), config=config)
    schema.app = application  # called in-process through WSGI
    return schema


# The staff person can take every path, so the boundary cases go there; anonymous callers are mostly refused. The
# coverage phase's invalid cases would take the run past three minutes: fuzzing sends invalid input instead.
staff_schema = _load_schema(max_examples=8, coverage=True)
anonymous_schema = _load_schema(max_examples=4, coverage=False)


@pytest.fixture(scope="module")
def robustness(django_db_setup, django_db_blocker):
    """The world, the staff person's token and A's objects, made once and rolled back after the module."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = build_robustness_world(path_keywords(RAW_SCHEMA))
            _, data.token = token_create(user=data.staff, name="Robustness run")
            yield data
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            celery_app.conf.task_always_eager = previous


@pytest.fixture
def in_process(settings):
    """Requests through the WSGI application as Django's test client makes them, and no rate limits."""
    settings.API_THROTTLE_RATES = {"anon": None, "user": None}
    # Django closes the connection when a request starts or ends inside a transaction; the test client stops it
    # doing so, and so does this run, whose requests all happen inside the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def exercised():
    """The cases an operation's test sent, by generation mode: each operation must have been called."""
    seen = Counter()
    yield seen
    if not seen["failed"]:  # a failing operation reports its failure, not this
        assert seen["positive"] >= 1, "no valid input was sent to this operation"


def _call(case, robustness, exercised, headers):
    """Aims the path at real objects (unless the path is the invalid part), sends the case and checks the answer."""
    meta = case.meta
    path_component = meta.components.get(ParameterLocation.PATH) if meta is not None else None
    path_negative = path_component is not None and path_component.mode.is_negative
    turn = exercised["cases"]
    if case.path_parameters and not path_negative:
        case.path_parameters = {name: robustness.aim(name, value, turn) for name, value in case.path_parameters.items()}
    exercised["cases"] += 1
    exercised[meta.generation.mode.value if meta is not None else "explicit"] += 1
    try:
        # Each request in a transaction of its own, rolled back: every case sees the same data.
        with transaction.atomic():
            case.call_and_validate(headers=headers, checks=CHECKS)
            transaction.set_rollback(True)
    except BaseException:
        exercised["failed"] += 1
        raise


# The function-scoped fixtures hold for a whole operation on purpose (each request is rolled back on its own), and a
# health check that times generation would make a busy CI machine fail a run that sends the same requests.
SUPPRESSED = [hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow]


# The single-valued parametrisations give each operation's test a node id of its own ("...[GET /api/v1/...][staff]"),
# so -k and pytest-xdist can tell them apart.
@pytest.mark.parametrize("caller", ["staff"])
@staff_schema.parametrize()
@hypothesis.settings(suppress_health_check=SUPPRESSED)
def test_api_as_staff(case, caller, robustness, in_process, exercised, db):
    _call(case, robustness, exercised, {"Authorization": f"Bearer {robustness.token}"})


@pytest.mark.parametrize("caller", ["anonymous"])
@anonymous_schema.parametrize()
@hypothesis.settings(suppress_health_check=SUPPRESSED)
def test_api_anonymous(case, caller, robustness, in_process, exercised, db):
    _call(case, robustness, exercised, {})


def test_the_run_covers_every_operation_in_the_schema():
    assert len(OPERATIONS) >= 27  # the authorities, charters and consultations at least
    for schema in (staff_schema, anonymous_schema):
        results = list(schema.get_all_operations())
        assert not [result.err() for result in results if isinstance(result, Err)], "operations it cannot read"
        assert {result.ok().label for result in results} == OPERATIONS  # none filtered out


def test_every_endpoint_of_the_url_conf_is_in_the_schema():
    """No endpoint escapes the run by being left out of the schema (only the catch-all 404 is)."""
    endpoints = {
        f"{method} {path}"
        for path, _, method, callback in EndpointEnumerator().get_api_endpoints()
        if path.startswith("/api/v1/") and callback.cls is not NotFoundView
    }
    assert endpoints == OPERATIONS


def test_every_path_keyword_is_aimed_at_a_real_object(robustness):
    assert not robustness.missing, f"add a maker to tests/isolation.py for: {sorted(robustness.missing)}"
    assert set(robustness.objects) == path_keywords(RAW_SCHEMA)


def test_an_address_with_a_newline_answers_the_api_404_body(db, api):
    # Found by the run: "." in the catch-all's pattern stopped at %0A, and Django answered its HTML page.
    assert_error(api.get("/api/v1/authorities/north%0Amoor/charters/"), 404)
    assert_error(api.get("/api/v1/nothing%0Ahere/"), 404)


def test_a_null_character_in_a_filter_is_refused_not_a_server_error(robustness, db, api):
    # Found by the run: PostgreSQL refuses NUL in a string, so a search for one failed in the database (500).
    body = assert_error(api.get("/api/v1/authorities/?q=north%00moor"), 400, field="q")
    assert body["errors"]["q"] == ["Null characters are not allowed."]
    measures = f"/api/v1/authorities/{robustness.authority.slug}/measures/"
    assert_error(api.get(f"{measures}?theme=%00&q=x"), 400, field="theme")
