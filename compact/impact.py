"""Cumulative impact: committed against verified delivered across every contract of an authority, grouped by theme,
outcome, measure, supplier, place or quarter, and the accessible SVG bar chart that shows it.

- Committed is the commitments' targets; delivered is the quantities of ACCEPTED delivery lines only (pending,
  queried and rejected lines count for nothing).
- The database does the adding up (GROUP BY with SUM): one query for the commitments, one for the accepted lines,
  each grouped by the chosen dimension and the charter measure, then one for those measures' proxies. Python only
  monetises the grouped rows (groups × measures, never lines) with charters.monetisation.monetise_measure, because
  each charter version carries its own proxy value and deflators.
- Quantities are only added up per measure (code and unit): units differ. Money (gross, and net of deflators) adds
  up across everything.
- Period: a delivery counts in the calendar quarter its report's period ends in; a commitment in the quarter it is
  due. The date range filter works the same way (report period end for delivered, due date for committed).
- Place: a delivery line's own place when the supplier gave one, otherwise its commitment's.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import CharField, F, Sum, Value
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear, NullIf
from django.utils.html import format_html, format_html_join

from charters.models import CharterMeasure, Theme, Unit
from charters.monetisation import NOTHING, Monetised, monetise_measure
from foundation.formatting import money_pence

from .models import Contract, ContractCommitment, ContractStatus, DeliveryLine, Verification

ZERO = Decimal("0")
PENNY = Decimal("0.01")

DIMENSIONS = {
    "theme": "Theme",
    "outcome": "Outcome",
    "measure": "Measure",
    "supplier": "Supplier",
    "place": "Place",
    "period": "Quarter",
}
DEFAULT_DIMENSION = "theme"
QUARTER_MONTHS = {1: "January to March", 2: "April to June", 3: "July to September", 4: "October to December"}
NO_PLACE = "No place given"


@dataclass(frozen=True)
class ImpactFilters:
    theme: str = ""
    supplier: int | None = None
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def any(self) -> bool:
        return bool(self.theme or self.supplier or self.status or self.date_from or self.date_to)


@dataclass
class MeasureRow:
    code: str
    title: str
    unit: str
    committed_quantity: Decimal = ZERO
    delivered_quantity: Decimal = ZERO
    committed: Monetised = NOTHING
    delivered: Monetised = NOTHING

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label if self.unit in Unit.values else self.unit


@dataclass
class ImpactGroup:
    key: object
    label: str
    measures: list[MeasureRow] = field(default_factory=list)
    committed: Monetised = NOTHING
    delivered: Monetised = NOTHING


@dataclass
class Impact:
    dimension: str
    groups: list[ImpactGroup]
    committed: Monetised
    delivered: Monetised

    @property
    def dimension_label(self) -> str:
        return DIMENSIONS[self.dimension]


def _group_fields(dimension: str, prefix: str, *, line: bool) -> dict:
    """The expressions for the group key and label: `prefix` reaches the commitment from the grouped model."""
    if dimension == "theme":
        title = F(f"{prefix}charter_measure__outcome__theme__title")
        return {"group_key": title, "group_label": title}
    if dimension == "outcome":
        title = F(f"{prefix}charter_measure__outcome__title")
        return {"group_key": title, "group_label": title}
    if dimension == "measure":
        return {"group_key": F(f"{prefix}charter_measure__code"), "group_label": F(f"{prefix}charter_measure__code")}
    if dimension == "supplier":
        return {"group_key": F(f"{prefix}contract__supplier_id"), "group_label": F(f"{prefix}contract__supplier__name")}
    if dimension == "place":
        place = (
            Coalesce(NullIf("place", Value("")), F("commitment__place"), output_field=CharField())
            if line
            else F("place")
        )
        return {"group_key": place, "group_label": place}
    if dimension == "period":
        day = "report__period_end" if line else "due_on"
        key = ExtractYear(day) * 10 + ExtractQuarter(day)
        return {"group_key": key, "group_label": Value("", output_field=CharField())}
    raise ValueError(f"Unknown dimension {dimension!r}")


def _filtered(queryset, filters: ImpactFilters, prefix: str, day: str):
    if filters.theme:
        queryset = queryset.filter(**{f"{prefix}charter_measure__outcome__theme__title": filters.theme})
    if filters.supplier:
        queryset = queryset.filter(**{f"{prefix}contract__supplier_id": filters.supplier})
    if filters.status:
        queryset = queryset.filter(**{f"{prefix}contract__status": filters.status})
    if filters.date_from:
        queryset = queryset.filter(**{f"{day}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{day}__lte": filters.date_to})
    return queryset


def committed_rows(authority, dimension: str, filters: ImpactFilters):
    """Targets summed per group and charter measure, in the database."""
    queryset = _filtered(ContractCommitment.objects.filter(authority=authority), filters, "", "due_on")
    return (
        queryset.values(**_group_fields(dimension, "", line=False), measure_id=F("charter_measure_id"))
        .annotate(quantity=Sum("target"))
        .order_by()
    )


def delivered_rows(authority, dimension: str, filters: ImpactFilters):
    """Accepted quantities summed per group and charter measure, in the database."""
    queryset = DeliveryLine.objects.filter(authority=authority, verification=Verification.ACCEPTED)
    queryset = _filtered(queryset, filters, "commitment__", "report__period_end")
    return (
        queryset.values(
            **_group_fields(dimension, "commitment__", line=True), measure_id=F("commitment__charter_measure_id")
        )
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )


def _period_label(key: int) -> str:
    year, quarter = divmod(int(key), 10)
    return f"Q{quarter} {year} ({QUARTER_MONTHS[quarter]})"


def _label(dimension: str, key, label) -> str:
    if dimension == "period":
        return _period_label(key)
    if dimension == "place" and not key:
        return NO_PLACE
    return str(label)


def impact_summary(authority, *, dimension: str = DEFAULT_DIMENSION, filters: ImpactFilters | None = None) -> Impact:
    """The dashboard's figures in three queries, whatever the number of contracts and lines."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}")
    filters = filters or ImpactFilters()
    committed = list(committed_rows(authority, dimension, filters))
    delivered = list(delivered_rows(authority, dimension, filters))
    measure_ids = {row["measure_id"] for row in committed} | {row["measure_id"] for row in delivered}
    measures = CharterMeasure.objects.filter(authority=authority, pk__in=measure_ids).only(
        "code",
        "title",
        "unit",
        "proxy_value_gbp",
        "deadweight_pct",
        "attribution_pct",
        "displacement_pct",
        "dropoff_pct",
    )
    measures = {measure.pk: measure for measure in measures}

    groups: dict[object, ImpactGroup] = {}
    rows: dict[tuple, MeasureRow] = {}
    for kind, source in (("committed", committed), ("delivered", delivered)):
        for row in source:
            key = row["group_key"] if row["group_key"] is not None else ""
            measure = measures[row["measure_id"]]
            group = groups.get(key)
            if group is None:
                group = groups[key] = ImpactGroup(key=key, label=_label(dimension, key, row["group_label"]))
            measure_row = rows.get((key, measure.code, measure.unit))
            if measure_row is None:
                measure_row = rows[(key, measure.code, measure.unit)] = MeasureRow(
                    code=measure.code, title=measure.title, unit=measure.unit
                )
                group.measures.append(measure_row)
            money = monetise_measure(measure, row["quantity"])
            setattr(measure_row, f"{kind}_quantity", getattr(measure_row, f"{kind}_quantity") + row["quantity"])
            setattr(measure_row, kind, getattr(measure_row, kind) + money)
            setattr(group, kind, getattr(group, kind) + money)

    ordered = sorted(groups.values(), key=lambda group: group.key if dimension == "period" else group.label.casefold())
    for group in ordered:
        group.measures.sort(key=lambda row: (row.code, row.unit))
    return Impact(
        dimension=dimension,
        groups=ordered,
        committed=sum((group.committed for group in ordered), NOTHING),
        delivered=sum((group.delivered for group in ordered), NOTHING),
    )


def has_contracts(authority) -> bool:
    return Contract.objects.filter(authority=authority).exists()


def filter_choices(authority) -> tuple[list[str], list[tuple[int, str]]]:
    """The theme titles of the charter versions the authority's contracts pin, and its contracts' suppliers."""
    themes = (
        Theme.objects.filter(
            authority=authority, version__in=Contract.objects.filter(authority=authority).values("charter_version")
        )
        .order_by("title")
        .values_list("title", flat=True)
        .distinct()
    )
    suppliers = (
        Contract.objects.filter(authority=authority)
        .order_by("supplier__name", "supplier_id")
        .values_list("supplier_id", "supplier__name")
        .distinct()
    )
    return list(themes), list(suppliers)


STATUS_CHOICES = ContractStatus.choices

# The bar chart -----------------------------------------------------------------------------------------------

CHART_WIDTH = 720
LABEL_WIDTH = 220
VALUE_WIDTH = 120
BAR_HEIGHT = 16
GROUP_GAP = 14
TOP = 44
COMMITTED_COLOUR = "#1d70b8"  # GOV.UK blue
DELIVERED_COLOUR = "#00703c"  # GOV.UK green
TEXT_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"
LABEL_CHARACTERS = 30


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def impact_chart_svg(impact: Impact, *, chart_id: str = "impact-chart") -> str:
    """Committed against delivered (gross £) per group as a horizontal bar chart: server-side SVG, no script,
    with a title and a description; the page shows the same figures as a table next to it."""
    groups = impact.groups
    largest = max([g.committed.gross for g in groups] + [g.delivered.gross for g in groups] + [ZERO])
    plot = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    step = 2 * BAR_HEIGHT + GROUP_GAP
    height = TOP + step * len(groups) + 10
    title = f"Social value committed and delivered by {impact.dimension_label.lower()}, gross £"
    description = (
        f"Bar chart of {len(groups)} {impact.dimension_label.lower()} group{'s' if len(groups) != 1 else ''}: "
        f"{money_pence(impact.committed.gross)} committed and {money_pence(impact.delivered.gross)} verified as "
        "delivered in total. "
        + " ".join(
            f"{group.label}: {money_pence(group.committed.gross)} committed, "
            f"{money_pence(group.delivered.gross)} delivered."
            for group in groups
        )
    )

    def width(value: Decimal) -> str:
        return f"{(Decimal(plot) * value / largest) if largest else ZERO:.1f}"

    bars = []
    for index, group in enumerate(groups):
        y = TOP + index * step
        bars.append(
            format_html(
                '<g><text x="{}" y="{}" text-anchor="end" fill="{}" font-size="13">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text x="{}" y="{}" fill="{}" font-size="12">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text x="{}" y="{}" fill="{}" font-size="12">{}</text></g>',
                LABEL_WIDTH - 8,
                y + BAR_HEIGHT + 4,
                TEXT_COLOUR,
                _short(group.label),
                LABEL_WIDTH,
                y,
                width(group.committed.gross),
                BAR_HEIGHT - 1,
                COMMITTED_COLOUR,
                LABEL_WIDTH + float(width(group.committed.gross)) + 4,
                y + BAR_HEIGHT - 4,
                TEXT_COLOUR,
                money_pence(group.committed.gross),
                LABEL_WIDTH,
                y + BAR_HEIGHT,
                width(group.delivered.gross),
                BAR_HEIGHT - 1,
                DELIVERED_COLOUR,
                LABEL_WIDTH + float(width(group.delivered.gross)) + 4,
                y + 2 * BAR_HEIGHT - 4,
                TEXT_COLOUR,
                money_pence(group.delivered.gross),
            )
        )
    legend = format_html(
        '<g><rect x="{}" y="8" width="14" height="14" fill="{}"></rect>'
        '<text x="{}" y="20" fill="{}" font-size="13">Committed</text>'
        '<rect x="{}" y="8" width="14" height="14" fill="{}"></rect>'
        '<text x="{}" y="20" fill="{}" font-size="13">Verified delivered</text></g>',
        LABEL_WIDTH,
        COMMITTED_COLOUR,
        LABEL_WIDTH + 20,
        TEXT_COLOUR,
        LABEL_WIDTH + 120,
        DELIVERED_COLOUR,
        LABEL_WIDTH + 140,
        TEXT_COLOUR,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {w} {h}" width="100%" class="app-chart" id="{id}" font-family="Arial, sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{legend}'
        '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{axis}"></line>{bars}</svg>',
        id=chart_id,
        w=CHART_WIDTH,
        h=height,
        title=title,
        desc=description,
        legend=legend,
        x=LABEL_WIDTH,
        top=TOP - 4,
        bottom=height - 6,
        axis=AXIS_COLOUR,
        bars=format_html_join("", "{}", ((bar,) for bar in bars)),
    )


# Exports ------------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "group",
    "measure code",
    "measure",
    "unit",
    "committed quantity",
    "delivered quantity",
    "committed gross (£)",
    "committed net (£)",
    "delivered gross (£)",
    "delivered net (£)",
]
ALL_MEASURES = "All measures"
ALL_GROUPS = "All"


def _pennies(money: Monetised) -> list[Decimal]:
    return [money.gross.quantize(PENNY), money.net.quantize(PENNY)]


def export_rows(impact: Impact):
    """The rows of the page's table, in its order: each group's measures, then the group's total; then the total.
    Quantities are typed Decimals, blank (None) where units would be mixed."""
    for group in impact.groups:
        for row in group.measures:
            yield [
                group.label,
                row.code,
                row.title,
                row.unit_label,
                row.committed_quantity,
                row.delivered_quantity,
                *_pennies(row.committed),
                *_pennies(row.delivered),
            ]
        yield [
            group.label,
            "",
            ALL_MEASURES,
            "",
            None,
            None,
            *_pennies(group.committed),
            *_pennies(group.delivered),
        ]
    yield [
        ALL_GROUPS,
        "",
        ALL_MEASURES,
        "",
        None,
        None,
        *_pennies(impact.committed),
        *_pennies(impact.delivered),
    ]
