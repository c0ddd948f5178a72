"""List endpoints read a fixed number of queries whatever the data's size: checked at two sizes."""

import pytest

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters.models import LocalMeasure, Measure, Unit
from tests.charters.factories import adopt_without_consultation, build_charter
from tests.charters.test_consultation import add_comment, answer, make_consultation, publish
from tests.factories import AuthorityFactory

from .conftest import as_user

# Authentication (token lookup and its last-used note), the authority, the caller's roles, the count and the page.
MAX_QUERIES = 9


def _authorities(world, size):
    for number in range(size):
        AuthorityFactory(name=f"Query council {size}-{number}", slug=f"q-{size}-{number}")


def _measures(world, size):
    for number in range(size):
        Measure.objects.create(code=f"Q{size}-{number}", title="A measure", unit=Unit.COUNT)
        with authority_scope(world.a):
            LocalMeasure.objects.create(authority=world.a, code=f"L{size}-{number}", title="Local", unit=Unit.HOURS)


def _charters(world, size):
    for number in range(size):
        _, version = build_charter(world, world.a, title=f"Charter {size}-{number}")
        if number % 2:
            adopt_without_consultation(world, world.a, version)


def _consultations(world, size):
    for number in range(size):
        make_consultation(world, title=f"More {size}-{number}")


def _comments(world, size, consultation):
    for number in range(size):
        comment = publish(world, add_comment(world, consultation, text=f"Comment {number}"))
        if number % 2:
            answer(world, comment)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff token"])
def test_list_endpoints_read_a_fixed_number_of_queries(world, api, django_assert_max_num_queries, signed_in):
    if signed_in:
        as_user(api, world.user(world.a, Role.ADMIN))
        api.get("/api/v1/authorities/")  # the token's first use notes the time: one write, not counted below
    consultation = make_consultation(world, title="Queries")
    base = f"/api/v1/authorities/{world.a.slug}"
    lists = {
        "/api/v1/authorities/": lambda size: _authorities(world, size),
        f"{base}/measures/": lambda size: _measures(world, size),
        f"{base}/charters/": lambda size: _charters(world, size),
        f"{base}/consultations/": lambda size: _consultations(world, size),
        f"{base}/consultations/{consultation.pk}/comments/": lambda size: _comments(world, size, consultation),
    }
    for path, grow in lists.items():
        counts, totals = [], []
        for size in (2, 8):
            grow(size)
            with django_assert_max_num_queries(MAX_QUERIES) as captured:
                response = api.get(path)
            assert response.status_code == 200, path
            totals.append(response.json()["count"])
            counts.append(len(captured.captured_queries))
        assert totals[0] < totals[1], f"{path}: the list did not grow ({totals})"
        assert counts[0] == counts[1], f"{path}: {counts}"


def test_a_version_reads_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    counts = []
    for size in (1, 4):
        _, version = build_charter(world, world.a, title=f"Size {size}", themes=size, measures_per_outcome=size)
        adopt_without_consultation(world, world.a, version)
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            response = api.get(f"/api/v1/authorities/{world.a.slug}/versions/{version.pk}/")
        assert len(response.json()["themes"]) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
