"""Query counts per page must not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.audit import audit_record
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_events(world, count):
    admin = world.user(world.a, Role.ADMIN)
    for number in range(count):
        audit_record(
            authority=world.a,
            actor=admin,
            verb=f"test.verb{number % 7}",
            object_type=f"type{number % 3}",
            object_id=number,
            object_repr=f"Object {number}",
        )


@pytest.mark.parametrize("url_name", ["home", "accounts:authority-home", "accounts:audit-log", "accounts:member-list"])
def test_page_queries_do_not_grow_with_events(client, world, url_name, django_assert_max_num_queries):
    url = reverse(url_name) if url_name == "home" else reverse(url_name, args=[world.a.slug])
    client.force_login(world.user(world.a, Role.ADMIN))
    _add_events(world, 5)
    small = _count_queries(client, url)
    _add_events(world, 45)
    with django_assert_max_num_queries(small):
        client.get(url)
    assert small <= 15
