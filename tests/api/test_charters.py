"""Charters and versions over the API: public reads of adopted versions, drafts for staff, commissioners' writes,
isolation between authorities and the role truth table of every write."""

from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role, has_permission
from accounts.scoping import authority_scope
from charters.models import Charter, CharterMeasure, CharterVersion, Measure, Theme, Unit, VersionStatus
from tests.charters.factories import adopt_without_consultation, build_charter

from .conftest import as_user, assert_error


def base(authority):
    return f"/api/v1/authorities/{authority.slug}"


@pytest.fixture
def charters(world):
    """In A: a charter with an adopted version and a separate draft charter. In B: a draft charter."""
    _, adopted = build_charter(world, world.a, title="Adopted charter")
    adopt_without_consultation(world, world.a, adopted)
    _, draft = build_charter(world, world.a, title="Draft charter")
    _, b_draft = build_charter(world, world.b, title="B draft charter")
    return {"adopted": adopted, "draft": draft, "b_draft": b_draft}


# Public reads ---------------------------------------------------------------------------------------------------


def test_anonymous_sees_adopted_charters_only(world, api, charters):
    response = api.get(f"{base(world.a)}/charters/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (charter,) = body["results"]
    assert charter["title"] == "Adopted charter"
    assert [v["status"] for v in charter["versions"]] == ["adopted"]

    version = api.get(f"{base(world.a)}/versions/{charters['adopted'].pk}/").json()
    assert version["status"] == "adopted"
    assert version["weights_total"] == "100.00"
    assert [theme["title"] for theme in version["themes"]] == ["Theme 1", "Theme 2"]
    measure = version["themes"][0]["outcomes"][0]["measures"][0]
    assert measure["code"] == "M1-1-1" and measure["proxy_value_gbp"] == "25000.00"
    assert version["places"][0]["name"] == "East Ward"

    assert_error(api.get(f"{base(world.a)}/versions/{charters['draft'].pk}/"), 404)
    assert_error(api.get(f"{base(world.a)}/charters/{charters['draft'].charter_id}/"), 404)


def test_superseded_versions_stay_public(world, api, charters):
    from charters import services

    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        charter = charters["adopted"].charter
        revision = services.version_revise(charter=charter, acting_user=commissioner)
        services.version_adopt(version=revision, acting_user=commissioner, reason="Annual refresh")
    versions = api.get(f"{base(world.a)}/charters/{charter.pk}/").json()["versions"]
    assert [(v["number"], v["status"]) for v in versions] == [(2, "adopted"), (1, "superseded")]
    assert api.get(f"{base(world.a)}/versions/{charters['adopted'].pk}/").status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_sees_drafts(world, api, charters, role):
    as_user(api, world.user(world.a, role))
    titles = {c["title"] for c in api.get(f"{base(world.a)}/charters/").json()["results"]}
    assert titles == {"Adopted charter", "Draft charter"}
    assert api.get(f"{base(world.a)}/versions/{charters['draft'].pk}/").json()["status"] == "draft"


def test_other_authorities_staff_and_the_public_do_not_see_drafts(world, api, charters):
    for user in (world.user(world.b, Role.ADMIN), world.user(world.b, Role.COMMISSIONER), world.resident, None):
        as_user(api, user)
        titles = {c["title"] for c in api.get(f"{base(world.a)}/charters/").json()["results"]}
        assert titles == {"Adopted charter"}
        assert_error(api.get(f"{base(world.a)}/versions/{charters['draft'].pk}/"), 404)
        # A's adopted version under B's slug is not B's: 404.
        assert_error(api.get(f"{base(world.b)}/versions/{charters['adopted'].pk}/"), 404)
        assert_error(api.get(f"{base(world.b)}/charters/{charters['adopted'].charter_id}/"), 404)


def test_list_ordering_and_validation(world, api, charters):
    as_user(api, world.user(world.a, Role.ADMIN))
    titles = [c["title"] for c in api.get(f"{base(world.a)}/charters/?ordering=-title").json()["results"]]
    assert titles == ["Draft charter", "Adopted charter"]
    assert_error(api.get(f"{base(world.a)}/charters/?ordering=secret"), 400, field="ordering")


# Writes --------------------------------------------------------------------------------------------------------


def test_commissioner_creates_a_charter_from_the_template(world, api):
    as_user(api, world.user(world.a, Role.COMMISSIONER))
    response = api.post(f"{base(world.a)}/charters/", {"title": "Our charter", "start": "template"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["origin"] == "template" and [v["status"] for v in body["versions"]] == ["draft"]
    version = api.get(f"{base(world.a)}/versions/{body['versions'][0]['id']}/").json()
    assert len(version["themes"]) == 5 and version["weights_total"] == "100.00"
    with authority_scope(world.a):
        assert AuditEvent.objects.filter(verb="charter.created", object_id=str(body["id"])).exists()


def test_create_refuses_bad_input_with_field_errors(world, api):
    as_user(api, world.user(world.a, Role.COMMISSIONER))
    assert_error(api.post(f"{base(world.a)}/charters/", {"title": ""}, format="json"), 400, field="title")
    assert_error(
        api.post(f"{base(world.a)}/charters/", {"title": "X", "start": "sideways"}, format="json"), 400, field="start"
    )
    # The service's own refusal, with its field.
    body = assert_error(
        api.post(f"{base(world.a)}/charters/", {"title": "X", "start": "copy", "source_version": 9999}, format="json"),
        400,
        field="source_version",
    )
    assert body["errors"]["source_version"] == ["Choose an adopted charter to copy"]


def test_commissioner_edits_a_draft_end_to_end(world, api, charters):
    draft = charters["draft"]
    as_user(api, world.user(world.a, Role.COMMISSIONER))
    url = base(world.a)

    response = api.patch(f"{url}/versions/{draft.pk}/", {"vision": "A new vision."}, format="json")
    assert response.status_code == 200 and response.json()["vision"] == "A new vision."
    assert response.json()["title"] == "Draft charter"

    place = api.post(f"{url}/versions/{draft.pk}/places/", {"name": "West Ward"}, format="json")
    assert place.status_code == 201 and place.json()["name"] == "West Ward"
    theme = api.post(f"{url}/versions/{draft.pk}/themes/", {"title": "Green", "weight": "0"}, format="json")
    assert theme.status_code == 201
    theme_id = theme.json()["id"]
    outcome = api.post(f"{url}/themes/{theme_id}/outcomes/", {"title": "Cleaner air"}, format="json")
    assert outcome.status_code == 201
    outcome_id = outcome.json()["id"]

    measure = Measure.objects.create(code="API-1", title="Trees planted", unit=Unit.COUNT, proxy_value_gbp=10)
    copied = api.post(f"{url}/outcomes/{outcome_id}/measures/", {"library_measure": measure.pk}, format="json")
    assert copied.status_code == 201, copied.content
    assert copied.json()["code"] == "API-1" and copied.json()["library_measure_id"] == measure.pk
    written = api.post(
        f"{url}/outcomes/{outcome_id}/measures/",
        {"code": "NEW-1", "title": "Bus passes", "unit": "people", "proxy_value_gbp": "12.50"},
        format="json",
    )
    assert written.status_code == 201, written.content
    duplicate = api.post(
        f"{url}/outcomes/{outcome_id}/measures/", {"code": "NEW-1", "title": "Again", "unit": "people"}, format="json"
    )
    assert_error(duplicate, 400, field="code")
    no_code = api.post(f"{url}/outcomes/{outcome_id}/measures/", {"title": "No code"}, format="json")
    assert_error(no_code, 400, field="code")
    # A rule the model holds (percentages up to 100) comes back on its field too.
    too_much = api.patch(f"{url}/charter-measures/{written.json()['id']}/", {"deadweight_pct": "150"}, format="json")
    assert_error(too_much, 400, field="deadweight_pct")

    with authority_scope(world.a):
        themes = list(Theme.objects.filter(version=draft).order_by("position"))
    bad = {"weights": [{"theme_id": t.pk, "weight": "10"} for t in themes]}
    body = assert_error(api.put(f"{url}/versions/{draft.pk}/weights/", bad, format="json"), 400, field="weights")
    assert "total 100%" in body["detail"]
    good = {"weights": [{"theme_id": t.pk, "weight": w} for t, w in zip(themes, ["50", "30", "20"], strict=True)]}
    response = api.put(f"{url}/versions/{draft.pk}/weights/", good, format="json")
    assert response.status_code == 200 and response.json()["weights_total"] == "100.00"

    renamed = api.patch(f"{url}/themes/{theme_id}/", {"title": "Greener"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["title"] == "Greener"
    assert [o["title"] for o in renamed.json()["outcomes"]] == ["Cleaner air"]
    assert len(renamed.json()["outcomes"][0]["measures"]) == 2
    assert api.delete(f"{url}/places/{place.json()['id']}/").status_code == 204
    assert api.delete(f"{url}/themes/{theme_id}/").status_code == 204
    with authority_scope(world.a):
        assert not CharterMeasure.objects.filter(version=draft, code__in=["API-1", "NEW-1"]).exists()
        assert AuditEvent.objects.filter(verb="charter_theme.removed").exists()


def test_adopted_versions_are_frozen_409(world, api, charters):
    adopted = charters["adopted"]
    as_user(api, world.user(world.a, Role.COMMISSIONER))
    body = assert_error(api.patch(f"{base(world.a)}/versions/{adopted.pk}/", {"vision": "x"}, format="json"), 409)
    assert "cannot be changed" in body["detail"]
    with authority_scope(world.a):
        theme = Theme.objects.filter(version=adopted).first()
    assert_error(api.patch(f"{base(world.a)}/themes/{theme.pk}/", {"title": "x"}, format="json"), 409)
    assert_error(api.delete(f"{base(world.a)}/themes/{theme.pk}/"), 409)


# The role truth table and isolation of every write -------------------------------------------------------------


def _write_requests(world, authority, version):
    """(method, path, body, expected success status) for every write endpoint, on `version`'s objects."""
    with authority_scope(authority):
        theme = Theme.objects.filter(version=version).order_by("position").first()
        outcome = theme.outcomes.first()
        measure = CharterMeasure.objects.filter(version=version).first()
        place = version.places.first()
        themes = list(Theme.objects.filter(version=version))
    url = base(authority)
    weights = {"weights": [{"theme_id": t.pk, "weight": str(Decimal(100) / len(themes))} for t in themes]}
    return [
        ("post", f"{url}/charters/", {"title": "Another"}, 201),
        ("patch", f"{url}/versions/{version.pk}/", {"title": "Renamed"}, 200),
        ("put", f"{url}/versions/{version.pk}/weights/", weights, 200),
        ("post", f"{url}/versions/{version.pk}/places/", {"name": "North"}, 201),
        ("post", f"{url}/versions/{version.pk}/themes/", {"title": "New"}, 201),
        ("patch", f"{url}/places/{place.pk}/", {"needs": "Buses"}, 200),
        ("patch", f"{url}/themes/{theme.pk}/", {"description": "d"}, 200),
        ("post", f"{url}/themes/{theme.pk}/outcomes/", {"title": "O"}, 201),
        ("patch", f"{url}/outcomes/{outcome.pk}/", {"description": "d"}, 200),
        ("post", f"{url}/outcomes/{outcome.pk}/measures/", {"code": "Z9", "title": "Z", "unit": "hours"}, 201),
        ("patch", f"{url}/charter-measures/{measure.pk}/", {"title": "Changed"}, 200),
        ("delete", f"{url}/charter-measures/{measure.pk}/", None, 204),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_write_truth_table(world, api, charters, role):
    """Commissioners (charters.edit) may; every other role of the authority gets 403, before anything changes."""
    as_user(api, world.user(world.a, role))
    allowed = has_permission({role}, "charters.edit")
    for method, path, body, success in _write_requests(world, world.a, charters["draft"]):
        response = getattr(api, method)(path, body, format="json")
        if allowed:
            assert response.status_code == success, (method, path, response.content)
        else:
            assert_error(response, 403)


def test_writes_for_non_members_and_anonymous(world, api, charters):
    requests = _write_requests(world, world.a, charters["draft"])
    for user in (world.user(world.b, Role.COMMISSIONER), world.resident, world.community_user):
        as_user(api, user)
        for method, path, body, _ in requests:
            assert_error(getattr(api, method)(path, body, format="json"), 404)
    as_user(api, None)
    for method, path, body, _ in requests:
        assert_error(getattr(api, method)(path, body, format="json"), 401)
    with authority_scope(world.a):
        assert CharterVersion.objects.get(pk=charters["draft"].pk).title == "Draft charter"


def test_other_authoritys_objects_under_own_slug_answer_404(world, api, charters):
    """B's commissioner, under B's own slug, naming A's objects: every write answers 404 and nothing changes."""
    as_user(api, world.user(world.b, Role.COMMISSIONER))
    for method, path, body, _ in _write_requests(world, world.a, charters["draft"])[1:]:
        path = path.replace(f"/authorities/{world.a.slug}/", f"/authorities/{world.b.slug}/")
        assert_error(getattr(api, method)(path, body, format="json"), 404)
    with authority_scope(world.a):
        assert Charter.objects.filter(authority=world.a).count() == 2
        assert CharterVersion.objects.get(pk=charters["draft"].pk).status == VersionStatus.DRAFT
