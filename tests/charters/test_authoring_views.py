"""The authoring pages, through the client: forms, 422s, htmx partials, guards and query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters.models import Charter, CharterMeasure, Theme, VersionStatus
from tests.charters.factories import adopt_without_consultation, build_charter

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner_client(client, world):
    client.force_login(world.user(world.a, Role.COMMISSIONER))
    return client


def url(name, *args, world):
    return reverse(f"charters:{name}", args=[world.a.slug, *args])


def test_start_from_the_template_then_land_on_the_draft(commissioner_client, world):
    response = commissioner_client.post(
        url("charter-create", world=world), {"title": "Our charter", "start": "template"}
    )
    assert response.status_code == 303
    with authority_scope(world.a):
        version = Charter.objects.get(title="Our charter").versions.get()
    assert response["Location"] == url("version-edit", version.pk, world=world)
    page = commissioner_client.get(response["Location"])
    body = page.content.decode()
    assert "Tackling economic inequality (20%)" in body
    assert "Theme weights total <strong>100%</strong>" in body


def test_create_errors(commissioner_client, world):
    response = commissioner_client.post(url("charter-create", world=world), {"title": "", "start": "copy"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter a title for the charter" in body and "Choose an adopted charter to copy" in body


def test_other_roles_read_but_cannot_edit(client, world):
    _, version = build_charter(world, world.a)
    client.force_login(world.user(world.a, Role.EVALUATOR))
    page = client.get(url("version-edit", version.pk, world=world))
    assert page.status_code == 200
    assert "Add a theme" not in page.content.decode()
    assert client.post(url("theme-add", version.pk, world=world), {"theme-title": "X"}).status_code == 403


def test_add_theme_without_javascript_and_with_htmx(commissioner_client, world):
    _, version = build_charter(world, world.a)
    plain = commissioner_client.post(url("theme-add", version.pk, world=world), {"theme-title": "Local jobs"})
    assert plain.status_code == 303
    htmx = commissioner_client.post(
        url("theme-add", version.pk, world=world), {"theme-title": "Green places"}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 200
    body = htmx.content.decode()
    assert body.lstrip().startswith('<div id="structure"') and "Green places" in body and "<html" not in body
    bad = commissioner_client.post(
        url("theme-add", version.pk, world=world), {"theme-title": ""}, headers={"HX-Request": "true"}
    )
    assert bad.status_code == 422
    assert "Enter the theme&#x27;s title" in bad.content.decode()
    bad_plain = commissioner_client.post(url("theme-add", version.pk, world=world), {"theme-title": ""})
    assert bad_plain.status_code == 422 and "<title>Error: " in bad_plain.content.decode()
    with authority_scope(world.a):
        assert list(version.themes.values_list("title", flat=True))[-2:] == ["Local jobs", "Green places"]


def test_weights_page_live_total_and_validation(commissioner_client, world):
    _, version = build_charter(world, world.a, themes=2)
    with authority_scope(world.a):
        first, second = version.themes.all()
    weights_url = url("version-weights", version.pk, world=world)
    live = commissioner_client.post(
        weights_url,
        {f"weight_{first.pk}": "60", f"weight_{second.pk}": "5", "action": "total"},
        headers={"HX-Request": "true"},
    )
    assert live.status_code == 200 and "65%" in live.content.decode() and "<form" not in live.content.decode()
    bad = commissioner_client.post(weights_url, {f"weight_{first.pk}": "60", f"weight_{second.pk}": "30"})
    assert bad.status_code == 422
    assert "Theme weights must total 100%. They total 90%." in bad.content.decode()
    assert 'value="60"' in bad.content.decode()
    good = commissioner_client.post(weights_url, {f"weight_{first.pk}": "60", f"weight_{second.pk}": "40"})
    assert good.status_code == 303
    with authority_scope(world.a):
        assert [t.weight for t in version.themes.all()] == [Decimal("60"), Decimal("40")]


def test_measure_from_library_then_adapted(commissioner_client, world):
    from charters.models import Measure

    library = Measure.objects.create(
        code="LIB-1",
        title="Local jobs",
        unit="fte",
        proxy_value_gbp=Decimal("20000"),
        proxy_source="Open source",
        proxy_year=2024,
        evidence_guidance="Payroll",
    )
    _, version = build_charter(world, world.a)
    with authority_scope(world.a):
        outcome = version.outcomes.first()
    choose = commissioner_client.get(url("charter-measure-choose", outcome.pk, world=world), {"q": "LIB"})
    assert "LIB-1" in choose.content.decode()
    added = commissioner_client.post(url("charter-measure-add", outcome.pk, world=world), {"measure": library.pk})
    assert added.status_code == 303
    with authority_scope(world.a):
        measure = CharterMeasure.objects.get(version=version, code="LIB-1")
    assert (measure.proxy_value_gbp, measure.evidence_required, measure.library_measure) == (
        Decimal("20000.00"),
        "Payroll",
        library,
    )
    data = {
        "code": "LIB-1",
        "title": "Local jobs for East Ward",
        "unit": "fte",
        "proxy_value_gbp": "-5",
        "proxy_source": "",
        "reporting_frequency": "quarterly",
    }
    bad = commissioner_client.post(url("charter-measure-edit", measure.pk, world=world), data)
    assert bad.status_code == 422 and "The proxy value must be £0 or more" in bad.content.decode()
    data |= {"proxy_value_gbp": "22000", "proxy_source": "Council estimate 2025"}
    assert commissioner_client.post(url("charter-measure-edit", measure.pk, world=world), data).status_code == 303
    measure.refresh_from_db()
    assert (measure.title, measure.proxy_value_gbp) == ("Local jobs for East Ward", Decimal("22000.00"))


def test_adopted_version_cannot_be_edited_by_any_form(commissioner_client, world):
    _, version = build_charter(world, world.a)
    adopt_without_consultation(world, world.a, version)
    with authority_scope(world.a):
        theme = version.themes.first()
    response = commissioner_client.post(url("theme-edit", theme.pk, world=world), {"title": "Sneaky"})
    assert response.status_code == 422
    assert "adopted and cannot be changed" in response.content.decode()
    for name, arg in (("theme-add", version.pk), ("place-add", version.pk)):
        commissioner_client.post(url(name, arg, world=world), {"theme-title": "X", "place-name": "Y"})
    with authority_scope(world.a):
        assert not Theme.objects.filter(title__in=["Sneaky", "X"]).exists()
    page = commissioner_client.get(url("version-edit", version.pk, world=world))
    assert "An adopted version never changes" in page.content.decode()


def test_open_consultation_and_adopt_pages(commissioner_client, world):
    _, version = build_charter(world, world.a)
    page = commissioner_client.get(url("consultation-open", version.pk, world=world))
    assert page.status_code == 200
    response = commissioner_client.post(
        url("consultation-open", version.pk, world=world),
        {
            "opens_on_day": "1",
            "opens_on_month": "1",
            "opens_on_year": "2020",
            "closes_on_day": "1",
            "closes_on_month": "2",
            "closes_on_year": "2020",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Explain why the consultation is shorter than 12 weeks" in body or "today or later" in body
    adopt = commissioner_client.post(url("version-adopt", version.pk, world=world), {"reason": ""})
    assert adopt.status_code == 422 and "without a consultation" in adopt.content.decode()
    adopt = commissioner_client.post(url("version-adopt", version.pk, world=world), {"reason": "Council decision"})
    assert adopt.status_code == 303
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED


def test_compare_page_lists_changes(commissioner_client, world):
    charter, v1 = build_charter(world, world.a)
    adopt_without_consultation(world, world.a, v1)
    assert commissioner_client.post(url("charter-revise", charter.pk, world=world)).status_code == 303
    with authority_scope(world.a):
        v2 = charter.versions.get(number=2)
        theme = v2.themes.first()
    commissioner_client.post(url("theme-edit", theme.pk, world=world), {"title": "Renamed theme"})
    page = commissioner_client.get(url("charter-compare", charter.pk, world=world))
    body = page.content.decode()
    assert "Renamed theme" in body and "<del>Theme 1</del>" in body


@pytest.mark.parametrize("url_name", ["version-edit", "version-preview"])
def test_authoring_pages_keep_query_count_with_charter_size(
    commissioner_client, world, url_name, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, small = build_charter(world, world.a, themes=2, outcomes_per_theme=1, measures_per_outcome=5, title="Small")
    with CaptureQueriesContext(connection) as queries:
        assert commissioner_client.get(url(url_name, small.pk, world=world)).status_code == 200
    _, large = build_charter(world, world.a, themes=5, outcomes_per_theme=4, measures_per_outcome=5, title="Large")
    with django_assert_max_num_queries(len(queries)):
        assert commissioner_client.get(url(url_name, large.pk, world=world)).status_code == 200


def test_remove_and_move_answer_htmx_with_the_structure_panel(commissioner_client, world):
    _, version = build_charter(world, world.a, themes=3)
    with authority_scope(world.a):
        first, second, third = version.themes.all()
    moved = commissioner_client.post(
        url("theme-move", third.pk, world=world), {"direction": "up"}, headers={"HX-Request": "true"}
    )
    assert moved.status_code == 200 and 'id="structure"' in moved.content.decode()
    removed = commissioner_client.post(url("theme-remove", first.pk, world=world), headers={"HX-Request": "true"})
    assert removed.status_code == 200 and "Theme 1" not in removed.content.decode()
    confirm = commissioner_client.get(url("theme-remove", second.pk, world=world))
    assert "Its outcomes and measures are removed too." in confirm.content.decode()
    with authority_scope(world.a):
        assert list(version.themes.values_list("title", flat=True)) == ["Theme 3", "Theme 2"]
