"""Tenant isolation, generated from the URL conf: every staff route, every role, another authority's objects."""

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import ScopeError

from accounts.models import Authority
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from tests.isolation import (
    OBJECT_MAKERS,
    SHARED_KEYWORDS,
    authority_routes,
    route_keywords,
    view_permission,
)

ROUTES = authority_routes()
ROUTE_IDS = [name for _, name, _ in ROUTES]


def _url(name, route, world, slug_authority, object_authority):
    kwargs = {"authority_slug": slug_authority.slug}
    for keyword in route_keywords(route):
        kwargs[keyword] = OBJECT_MAKERS[keyword](world, object_authority)
    return reverse(name, kwargs=kwargs)


def test_routes_were_found():
    names = {name for _, name, _ in ROUTES}
    assert {"accounts:authority-home", "accounts:audit-log", "accounts:job-download"} <= names


@pytest.mark.parametrize(("route", "name", "view"), ROUTES, ids=ROUTE_IDS)
def test_every_route_declares_a_permission_and_known_keywords(route, name, view):
    assert view_permission(view), f"{name} has no @authority_permission"
    unknown = set(route_keywords(route)) - set(OBJECT_MAKERS)
    assert not unknown, f"add {unknown} to tests/isolation.py OBJECT_MAKERS so {name} is isolation-tested"


@pytest.mark.parametrize(("route", "name", "view"), ROUTES, ids=ROUTE_IDS)
def test_other_authority_answers_404_to_every_role(client, world, route, name, view):
    url_in_b = _url(name, route, world, world.b, world.b)
    for role in Role:
        client.force_login(world.user(world.a, role))
        for method in (client.get, client.post):
            response = method(url_in_b)
            assert response.status_code == 404, f"{role} {method.__name__.upper()} {url_in_b}"
            assert world.b.name not in response.content.decode()


# Routes naming at least one tenant object (a route whose objects are all platform-wide has nothing to leak).
OBJECT_ROUTES = [r for r in ROUTES if set(route_keywords(r[0])) - SHARED_KEYWORDS]


@pytest.mark.parametrize(("route", "name", "view"), OBJECT_ROUTES, ids=[n for _, n, _ in OBJECT_ROUTES])
def test_other_authority_objects_answer_404_under_own_slug(client, world, route, name, view):
    url = _url(name, route, world, world.a, world.b)
    for role in Role:
        client.force_login(world.user(world.a, role))
        get, post = client.get(url), client.post(url)
        if has_permission({role}, view_permission(view)):
            # POST-only actions refuse GET with 405 before looking anything up; POST must not find the object.
            assert get.status_code in (404, 405), f"{role} GET {url}"
            assert post.status_code == 404, f"{role} POST {url}"
        else:
            # Refused on the role alone, before the object is looked at: the answer says nothing about it.
            assert (get.status_code, post.status_code) == (403, 403), f"{role} {url}"


@pytest.mark.parametrize(("route", "name", "view"), ROUTES, ids=ROUTE_IDS)
def test_anonymous_is_sent_to_sign_in(client, world, route, name, view):
    for authority in (world.a, world.b):
        url = _url(name, route, world, authority, authority)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize(("route", "name", "view"), ROUTES, ids=ROUTE_IDS)
def test_people_without_a_staff_role_get_404(client, world, route, name, view):
    url = _url(name, route, world, world.a, world.a)
    for user in (world.supplier_both_user, world.community_user, world.resident):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_unknown_authority_answers_404(client, world):
    client.force_login(world.user(world.a, Role.ADMIN))
    assert client.get("/a/no-such-authority/").status_code == 404


# The meta-test: every model that belongs to an authority is scoped ------------------------------------------


def _tenant_models():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "many_to_one", False) and field.related_model is Authority:
                yield model
                break


def test_tenant_models_exist():
    assert {model.__name__ for model in _tenant_models()} >= {"Membership", "Invitation", "AuditEvent", "Job"}


@pytest.mark.parametrize("model", list(_tenant_models()), ids=lambda m: m._meta.label)
def test_every_tenant_model_refuses_unscoped_queries(model, world):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()


@pytest.mark.parametrize("model", list(_tenant_models()), ids=lambda m: m._meta.label)
def test_every_tenant_model_filters_to_the_scope(model, world):
    field_name = next(
        f.name for f in model._meta.get_fields() if getattr(f, "many_to_one", False) and f.related_model is Authority
    )
    with authority_scope(world.a):
        values = set(model.objects.values_list(field_name, flat=True))
    assert values <= {world.a.pk}


def test_scope_refuses_none():
    with pytest.raises(ValueError), authority_scope(None):
        pass
