from decimal import Decimal

import pytest

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters import services
from charters.diff import versions_diff
from tests.charters.factories import adopt_without_consultation, build_charter

pytestmark = pytest.mark.django_db


def _summary(changes):
    return {(c.kind, c.level, c.name) for c in changes}


def test_diff_follows_lineage_across_versions(world):
    charter, v1 = build_charter(world, world.a, themes=2)
    adopt_without_consultation(world, world.a, v1)
    commissioner = world.user(world.a, Role.COMMISSIONER)
    with authority_scope(world.a):
        v2 = services.version_revise(charter=charter, acting_user=commissioner)
        theme1, theme2 = v2.themes.all()
        services.item_update(item=theme1, acting_user=commissioner, title="Good jobs")  # renamed, not replaced
        services.weights_set(
            version=v2, acting_user=commissioner, weights={theme1.pk: Decimal(70), theme2.pk: Decimal(30)}
        )
        measure = v2.measures.get(code="M2-1-1")
        services.item_update(item=measure, acting_user=commissioner, proxy_value_gbp=Decimal("30000"))
        services.item_remove(item=v2.measures.get(code="M1-1-1"), acting_user=commissioner)
        services.measure_add(
            outcome=v2.outcomes.first(), acting_user=commissioner, code="NEW-1", title="Hours", unit="hours"
        )
        services.place_add(version=v2, acting_user=commissioner, name="North Ward")
        v2 = services.version_details_update(
            version=v2, acting_user=commissioner, title=v2.title, vision="A new vision", local_context=v2.local_context
        )
        services.version_adopt(version=v2, acting_user=commissioner, reason="Annual refresh")
        v3 = services.version_revise(charter=charter, acting_user=commissioner)

        changes = versions_diff(v1, v2)
        assert _summary(changes) == {
            ("changed", "charter", "Title, vision and local context"),
            ("changed", "theme", "Good jobs"),
            ("changed", "theme", "Theme 2"),
            ("changed", "measure", "M2-1-1 Measure 2.1.1"),
            ("removed", "measure", "M1-1-1 Measure 1.1.1"),
            ("added", "measure", "NEW-1 Hours"),
            ("added", "place", "North Ward"),
        }
        renamed = next(c for c in changes if c.name == "Good jobs")
        assert {(f.label, f.before, f.after) for f in renamed.fields} == {
            ("Title", "Theme 1", "Good jobs"),
            ("Weight (%)", "50", "70"),
        }
        proxy = next(c for c in changes if c.name.startswith("M2-1-1"))
        assert [(f.label, f.before, f.after) for f in proxy.fields] == [("Proxy value (£)", "25000", "30000")]
        # v1 to v3 spans two revisions: lineage still matches the renamed theme.
        assert ("changed", "theme", "Good jobs") in _summary(versions_diff(v1, v3))
        assert versions_diff(v2, v3) == []
