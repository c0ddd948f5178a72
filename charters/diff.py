"""What changed between two versions of a charter: text, places, themes, outcomes, measures and weights.

Items are matched by lineage (each copy in a revision remembers the item it was copied from, across any number of
versions), so a renamed theme shows as changed, not as removed and added. Items without lineage are matched by
measure code, or by title.
"""

from dataclasses import dataclass, field

from .models import CharterMeasure, CharterVersion, Outcome, Theme
from .selectors import version_content

THEME_FIELDS = {"title": "Title", "description": "Description", "weight": "Weight (%)"}
OUTCOME_FIELDS = {"title": "Title", "description": "Description"}
MEASURE_FIELDS = {
    "code": "Code",
    "title": "Title",
    "unit": "Unit",
    "proxy_value_gbp": "Proxy value (£)",
    "proxy_source": "Proxy source",
    "proxy_year": "Proxy year",
    "evidence_required": "Evidence required",
    "reporting_frequency": "Reporting frequency",
    "min_contract_value": "Minimum contract value (£)",
    "deadweight_pct": "Deadweight (%)",
    "attribution_pct": "Attribution (%)",
    "displacement_pct": "Displacement (%)",
    "dropoff_pct": "Drop-off (%)",
}
PLACE_FIELDS = {"name": "Name", "needs": "Needs"}
VERSION_FIELDS = {"title": "Title", "vision": "Vision", "local_context": "Local context"}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class ItemChange:
    kind: str  # "added", "removed" or "changed"
    level: str  # "charter", "place", "theme", "outcome" or "measure"
    name: str
    parent: str = ""
    fields: list[FieldChange] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def _field_changes(old, new, fields: dict[str, str]) -> list[FieldChange]:
    return [
        FieldChange(label, _text(getattr(old, name)), _text(getattr(new, name)))
        for name, label in fields.items()
        if _text(getattr(old, name)) != _text(getattr(new, name))
    ]


def _roots(model, charter_id: int) -> dict[int, int]:
    """Maps every item of this kind in the charter to the first item of its lineage."""
    parents = dict(model.objects.filter(version__charter_id=charter_id).values_list("id", "copied_from_id"))
    roots = {}
    for item_id in parents:
        root, seen = item_id, set()
        while parents.get(root) and root not in seen:
            seen.add(root)
            root = parents[root]
        roots[item_id] = root
    return roots


def _match(old_items, new_items, roots, fallback_key):
    """Pairs items of two versions; returns (pairs, removed, added)."""
    old_by_root = {roots.get(item.pk, item.pk): item for item in old_items}
    old_by_key = {fallback_key(item): item for item in old_items}
    pairs, matched = [], set()
    added = []
    for item in new_items:
        old = old_by_root.get(roots.get(item.pk, item.pk))
        if old is None or old.pk in matched:
            candidate = old_by_key.get(fallback_key(item))
            old = candidate if candidate is not None and candidate.pk not in matched else None
        if old is None:
            added.append(item)
        else:
            matched.add(old.pk)
            pairs.append((old, item))
    removed = [item for item in old_items if item.pk not in matched]
    return pairs, removed, added


def versions_diff(old: CharterVersion, new: CharterVersion) -> list[ItemChange]:
    changes: list[ItemChange] = []
    text = _field_changes(old, new, VERSION_FIELDS)
    if text:
        changes.append(ItemChange("changed", "charter", "Title, vision and local context", fields=text))

    old_content, new_content = version_content(old), version_content(new)
    charter_id = new.charter_id

    pairs, removed, added = _match(old_content.places, new_content.places, {}, lambda p: p.name.lower())
    changes += [ItemChange("removed", "place", p.name) for p in removed]
    changes += [ItemChange("added", "place", p.name) for p in added]
    changes += [
        ItemChange("changed", "place", n.name, fields=f) for o, n in pairs if (f := _field_changes(o, n, PLACE_FIELDS))
    ]

    theme_roots, outcome_roots, measure_roots = (_roots(m, charter_id) for m in (Theme, Outcome, CharterMeasure))
    pairs, removed, added = _match(old_content.themes, new_content.themes, theme_roots, lambda t: t.title.lower())
    changes += [ItemChange("removed", "theme", t.title) for t in removed]
    changes += [
        ItemChange("added", "theme", t.title, fields=[FieldChange("Weight (%)", "", _text(t.weight))]) for t in added
    ]
    changes += [
        ItemChange("changed", "theme", n.title, fields=f) for o, n in pairs if (f := _field_changes(o, n, THEME_FIELDS))
    ]

    def outcomes(content):
        return [(outcome, theme) for theme in content.themes for outcome in theme.outcome_list]

    old_outcomes = {o.pk: t for o, t in outcomes(old_content)}
    new_outcomes = {o.pk: t for o, t in outcomes(new_content)}
    pairs, removed, added = _match(
        [o for o, _ in outcomes(old_content)],
        [o for o, _ in outcomes(new_content)],
        outcome_roots,
        lambda o: o.title.lower(),
    )
    changes += [ItemChange("removed", "outcome", o.title, old_outcomes[o.pk].title) for o in removed]
    changes += [ItemChange("added", "outcome", o.title, new_outcomes[o.pk].title) for o in added]
    for o, n in pairs:
        fields = _field_changes(o, n, OUTCOME_FIELDS)
        old_theme, new_theme = old_outcomes[o.pk], new_outcomes[n.pk]
        if theme_roots.get(old_theme.pk, old_theme.pk) != theme_roots.get(new_theme.pk, new_theme.pk):
            fields.append(FieldChange("Theme", old_outcomes[o.pk].title, new_outcomes[n.pk].title))
        if fields:
            changes.append(ItemChange("changed", "outcome", n.title, new_outcomes[n.pk].title, fields))

    def measures(content):
        return [(m, o) for t in content.themes for o in t.outcome_list for m in o.measure_list]

    old_measures = {m.pk: o for m, o in measures(old_content)}
    new_measures = {m.pk: o for m, o in measures(new_content)}
    pairs, removed, added = _match(
        [m for m, _ in measures(old_content)],
        [m for m, _ in measures(new_content)],
        measure_roots,
        lambda m: m.code.lower(),
    )
    changes += [ItemChange("removed", "measure", f"{m.code} {m.title}", old_measures[m.pk].title) for m in removed]
    changes += [ItemChange("added", "measure", f"{m.code} {m.title}", new_measures[m.pk].title) for m in added]
    for o, n in pairs:
        fields = _field_changes(o, n, MEASURE_FIELDS)
        old_outcome, new_outcome = old_measures[o.pk], new_measures[n.pk]
        if outcome_roots.get(old_outcome.pk, old_outcome.pk) != outcome_roots.get(new_outcome.pk, new_outcome.pk):
            fields.append(FieldChange("Outcome", old_measures[o.pk].title, new_measures[n.pk].title))
        if fields:
            changes.append(ItemChange("changed", "measure", f"{n.code} {n.title}", new_measures[n.pk].title, fields))
    return changes
