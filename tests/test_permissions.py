"""Role truth tables, generated from the permission matrix in accounts/roles.py, and the docs kept in step."""

from pathlib import Path

import pytest
from django.urls import reverse

from accounts.roles import PERMISSIONS, Role, has_permission, render_matrix_markdown
from tests.isolation import (
    OBJECT_MAKERS,
    OBJECT_PERMISSIONS,
    authority_routes,
    route_keywords,
    view_permission,
)

ROUTES = authority_routes()


def test_docs_matrix_matches_code():
    docs = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
    assert docs.read_text() == render_matrix_markdown(), "run: python manage.py permission_matrix > docs/permissions.md"


def test_every_permission_is_used_by_a_route():
    used = {view_permission(view) for _, _, view in ROUTES}
    assert set(PERMISSIONS) <= used | {"audit.export"}  # audit.export also guards job files (OBJECT_PERMISSIONS)


@pytest.mark.parametrize(("route", "name", "view"), ROUTES, ids=[n for _, n, _ in ROUTES])
def test_route_truth_table(client, world, route, name, view):
    permission = view_permission(view)
    kwargs = {"authority_slug": world.a.slug}
    needed = [permission]
    for keyword in route_keywords(route):
        kwargs[keyword] = OBJECT_MAKERS[keyword](world, world.a)
        if keyword in OBJECT_PERMISSIONS:
            needed.append(OBJECT_PERMISSIONS[keyword])
    url = reverse(name, kwargs=kwargs)
    for role in Role:
        client.force_login(world.user(world.a, role))
        response = client.get(url)
        if not has_permission({role}, permission):
            expected = {403}
        elif not all(has_permission({role}, p) for p in needed):
            expected = {404}
        else:
            expected = {200, 286, 405}  # 286: a finished job's status partial; 405: a POST-only action
        assert response.status_code in expected, f"{role.value} GET {url}: {response.status_code}"


@pytest.mark.parametrize("role", list(Role))
def test_matrix_row_by_role(role):
    # A readable spot check of the matrix itself: only admins manage members, settings and the audit log.
    for permission in ("members.manage", "settings.manage", "audit.view", "audit.export"):
        assert has_permission({role}, permission) == (role == Role.ADMIN)
    assert has_permission({role}, "authority.view")
