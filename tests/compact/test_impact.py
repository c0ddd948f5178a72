"""The cumulative impact dashboard: database aggregates checked against hand-written SQL, only accepted lines
counting, filters, every grouping, the exports matching the page, isolation, query counts and the accessible chart.

The data is built with the ORM directly (not the contract services), so these tests only depend on the models."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from accounts.scoping import authority_scope
from charters.models import Charter, CharterMeasure, CharterVersion, Outcome, Theme, VersionStatus
from compact import impact
from compact.models import (
    Contract,
    ContractCommitment,
    ContractStatus,
    DeliveryLine,
    DeliveryReport,
    ReportingLevel,
    ReportStatus,
    Verification,
)

pytestmark = pytest.mark.django_db

# Distinct proxies and deflators per measure, so a mix-up between measures shows in the money.
PROXIES = {
    "M1-1-1": ("100.00", {"deadweight_pct": Decimal("10")}),
    "M2-1-1": ("50.00", {"attribution_pct": Decimal("20"), "displacement_pct": Decimal("5")}),
    "M1-1-2": ("12.50", {}),
    "M2-1-2": (None, {}),
}


def _measures(world, authority) -> dict[str, CharterMeasure]:
    """An adopted charter version with two themes of one outcome each, two measures per outcome: built as a draft
    (the database refuses changes to adopted content) and then marked adopted."""
    with authority_scope(authority):
        charter = Charter.objects.create(authority=authority, title="Impact test charter")
        version = CharterVersion.objects.create(
            authority=authority, charter=charter, number=1, status=VersionStatus.DRAFT, title="Impact test charter"
        )
        measures = {}
        for t in (1, 2):
            theme = Theme.objects.create(authority=authority, version=version, title=f"Theme {t}", position=t)
            outcome = Outcome.objects.create(
                authority=authority, version=version, theme=theme, title=f"Outcome {t}.1", position=1
            )
            for m in (1, 2):
                code = f"M{t}-1-{m}"
                proxy, deflators = PROXIES[code]
                measures[code] = CharterMeasure.objects.create(
                    authority=authority,
                    version=version,
                    outcome=outcome,
                    code=code,
                    title=f"Measure {t}.1.{m}",
                    unit="fte",
                    proxy_value_gbp=Decimal(proxy) if proxy else None,
                    position=m,
                    **deflators,
                )
        CharterVersion.objects.filter(pk=version.pk).update(status=VersionStatus.ADOPTED)
    return {code: measures[code] for code in ("M1-1-1", "M2-1-1", "M1-1-2", "M2-1-2")}


def _contract(world, authority, measures, reference, supplier, *, status=ContractStatus.ACTIVE) -> Contract:
    with authority_scope(authority):
        return Contract.objects.create(
            authority=authority,
            charter_version=next(iter(measures.values())).version,
            reference=reference,
            title=f"Contract {reference}",
            supplier=supplier,
            value=Decimal("200000"),
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            responsible_officer=world.user(authority, Role.CONTRACT_MANAGER),
            reporting_level=ReportingLevel.STANDARD,
            status=status,
        )


def _commit(contract, measure, target, *, place="Northtown", due_on=date(2026, 12, 31)) -> ContractCommitment:
    return ContractCommitment.objects.create(
        authority=contract.authority,
        contract=contract,
        charter_measure=measure,
        target=Decimal(target),
        place=place,
        due_on=due_on,
    )


def _report(contract, number, period_end) -> DeliveryReport:
    return DeliveryReport.objects.create(
        authority=contract.authority,
        contract=contract,
        number=number,
        label=f"Report {number}",
        period_start=date(period_end.year, period_end.month, 1),
        period_end=period_end,
        due_on=period_end,
        status=ReportStatus.SUBMITTED,
    )


def _line(report, commitment, quantity, verification=Verification.ACCEPTED, place="") -> DeliveryLine:
    return DeliveryLine.objects.create(
        authority=report.authority,
        report=report,
        commitment=commitment,
        quantity=Decimal(quantity),
        verification=verification,
        place=place,
    )


def build_data(world, authority, *, contracts=2, noise=True):
    """`contracts` contracts alternating between two suppliers, each committing to all four measures, with two
    quarterly reports whose lines are accepted, and (with `noise`) pending, queried and rejected lines too."""
    measures = _measures(world, authority)
    suppliers = [world.supplier_one if authority == world.a else world.supplier_both, world.supplier_both]
    with authority_scope(authority):
        for number in range(contracts):
            status = ContractStatus.COMPLETED if number % 3 == 2 else ContractStatus.ACTIVE
            contract = _contract(world, authority, measures, f"C-{number}", suppliers[number % 2], status=status)
            commitments = [
                _commit(contract, measure, 10 * (index + 1) + number, place="Northtown" if index % 2 else "Southside")
                for index, measure in enumerate(measures.values())
            ]
            q1 = _report(contract, 1, date(2026, 3, 31))
            q2 = _report(contract, 2, date(2026, 6, 30))
            for index, commitment in enumerate(commitments):
                _line(q1, commitment, index + 1 + number, place="Eastgate" if index == 0 else "")
                if noise:
                    verdict = [Verification.PENDING, Verification.QUERIED, Verification.REJECTED][index % 3]
                    _line(q2, commitment, 1000, verification=verdict)
                else:
                    _line(q2, commitment, 2)
    return measures


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _sql(query: str, params) -> list:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _sql_delivered_by_theme(authority) -> dict[str, tuple[Decimal, Decimal]]:
    """Gross and net of accepted lines by theme title, written by hand."""
    rows = _sql(
        f"""
        SELECT t.title,
               SUM(l.quantity * m.proxy_value_gbp),
               SUM(l.quantity * m.proxy_value_gbp * (1 - COALESCE(m.deadweight_pct, 0) / 100.0)
                   * (1 - COALESCE(m.attribution_pct, 0) / 100.0) * (1 - COALESCE(m.displacement_pct, 0) / 100.0))
        FROM {_table(DeliveryLine)} l
        JOIN {_table(ContractCommitment)} c ON c.id = l.commitment_id
        JOIN {_table(CharterMeasure)} m ON m.id = c.charter_measure_id
        JOIN {_table(Outcome)} o ON o.id = m.outcome_id
        JOIN {_table(Theme)} t ON t.id = o.theme_id
        WHERE l.authority_id = %s AND l.verification = 'accepted'
        GROUP BY t.title
        """,
        [authority.pk],
    )
    return {title: (_money(gross), _money(net)) for title, gross, net in rows}


def _sql_committed_by_theme(authority) -> dict[str, Decimal]:
    rows = _sql(
        f"""
        SELECT t.title, SUM(c.target * m.proxy_value_gbp)
        FROM {_table(ContractCommitment)} c
        JOIN {_table(CharterMeasure)} m ON m.id = c.charter_measure_id
        JOIN {_table(Outcome)} o ON o.id = m.outcome_id
        JOIN {_table(Theme)} t ON t.id = o.theme_id
        WHERE c.authority_id = %s
        GROUP BY t.title
        """,
        [authority.pk],
    )
    return {title: _money(gross) for title, gross in rows}


def _sql_quantities_by_measure(authority) -> dict[str, tuple[Decimal, Decimal]]:
    committed = _sql(
        f"""
        SELECT m.code, SUM(c.target) FROM {_table(ContractCommitment)} c
        JOIN {_table(CharterMeasure)} m ON m.id = c.charter_measure_id
        WHERE c.authority_id = %s GROUP BY m.code
        """,
        [authority.pk],
    )
    delivered = dict(
        _sql(
            f"""
            SELECT m.code, SUM(l.quantity) FROM {_table(DeliveryLine)} l
            JOIN {_table(ContractCommitment)} c ON c.id = l.commitment_id
            JOIN {_table(CharterMeasure)} m ON m.id = c.charter_measure_id
            WHERE l.authority_id = %s AND l.verification = 'accepted' GROUP BY m.code
            """,
            [authority.pk],
        )
    )
    return {code: (_money(total), _money(delivered.get(code))) for code, total in committed}


def _summary(authority, **kwargs) -> impact.Impact:
    with authority_scope(authority):
        return impact.impact_summary(authority, **kwargs)


# Totals against SQL -------------------------------------------------------------------------------------------


def test_totals_equal_a_direct_sql_aggregate(world):
    build_data(world, world.a, contracts=4)
    build_data(world, world.b, contracts=3)  # another authority's contracts must never be counted
    summary = _summary(world.a)

    delivered = _sql_delivered_by_theme(world.a)
    committed = _sql_committed_by_theme(world.a)
    assert {group.label for group in summary.groups} == set(delivered) == set(committed) == {"Theme 1", "Theme 2"}
    for group in summary.groups:
        assert (group.delivered.gross, group.delivered.net) == delivered[group.label]
        assert group.committed.gross == committed[group.label]
    assert summary.delivered.gross == sum(gross for gross, _ in delivered.values())
    assert summary.delivered.net == sum(net for _, net in delivered.values())

    by_measure = _summary(world.a, dimension="measure")
    quantities = _sql_quantities_by_measure(world.a)
    assert {
        row.code: (row.committed_quantity, row.delivered_quantity)
        for group in by_measure.groups
        for row in group.measures
    } == quantities


def test_only_accepted_lines_count(world):
    build_data(world, world.a, contracts=1, noise=True)
    summary = _summary(world.a, dimension="measure")
    delivered = {row.code: row.delivered_quantity for group in summary.groups for row in group.measures}
    # Only the first report's accepted lines (1, 2, 3, 4); the 1,000s pending, queried or rejected count for nothing.
    assert delivered == {"M1-1-1": 1, "M2-1-1": 2, "M1-1-2": 3, "M2-1-2": 4}

    with authority_scope(world.a):
        DeliveryLine.objects.filter(quantity=1000, verification=Verification.PENDING).update(
            verification=Verification.ACCEPTED
        )
    delivered = {
        row.code: row.delivered_quantity
        for group in _summary(world.a, dimension="measure").groups
        for row in group.measures
    }
    assert delivered["M1-1-1"] == 1001


def test_money_is_monetised_gross_and_net(world):
    build_data(world, world.a, contracts=1, noise=False)
    summary = _summary(world.a, dimension="measure")
    rows = {row.code: row for group in summary.groups for row in group.measures}
    # M1-1-1: target 10, delivered 1 + 2 at £100 with 10% deadweight.
    assert rows["M1-1-1"].committed.gross == Decimal("1000.00")
    assert rows["M1-1-1"].committed.net == Decimal("900.00")
    assert (rows["M1-1-1"].delivered.gross, rows["M1-1-1"].delivered.net) == (Decimal("300.00"), Decimal("270.00"))
    # M2-1-1: delivered 2 + 2 at £50, net of 20% attribution and 5% displacement: 200 × 0.8 × 0.95.
    assert (rows["M2-1-1"].delivered.gross, rows["M2-1-1"].delivered.net) == (Decimal("200.00"), Decimal("152.00"))
    # No proxy: counted in its own unit, worth nothing in money.
    assert rows["M2-1-2"].delivered_quantity == 6
    assert rows["M2-1-2"].delivered.gross == 0


# Grouping and filters -----------------------------------------------------------------------------------------


def test_grouping_by_each_dimension(world):
    build_data(world, world.a, contracts=2, noise=False)
    totals = _summary(world.a)
    labels = {}
    for dimension in impact.DIMENSIONS:
        summary = _summary(world.a, dimension=dimension)
        labels[dimension] = [group.label for group in summary.groups]
        # Every grouping shares out the same totals.
        assert summary.committed == totals.committed, dimension
        assert summary.delivered == totals.delivered, dimension
    assert labels["theme"] == ["Theme 1", "Theme 2"]
    assert labels["outcome"] == ["Outcome 1.1", "Outcome 2.1"]
    assert labels["measure"] == ["M1-1-1", "M1-1-2", "M2-1-1", "M2-1-2"]
    assert labels["supplier"] == sorted([world.supplier_both.name, world.supplier_one.name], key=str.casefold)
    # A line's own place wins over its commitment's.
    assert labels["place"] == ["Eastgate", "Northtown", "Southside"]
    # Delivery by its report's quarter; commitments by the quarter they are due.
    assert labels["period"] == [
        "Q1 2026 (January to March)",
        "Q2 2026 (April to June)",
        "Q4 2026 (October to December)",
    ]
    period = {group.label: group for group in _summary(world.a, dimension="period").groups}
    assert period["Q4 2026 (October to December)"].delivered.gross == 0
    assert period["Q1 2026 (January to March)"].committed.gross == 0


def test_filters(world):
    build_data(world, world.a, contracts=3, noise=False)  # C-2 is completed; C-1 is supplier_both's
    everything = _summary(world.a, dimension="supplier")

    theme = _summary(world.a, dimension="measure", filters=impact.ImpactFilters(theme="Theme 1"))
    assert [group.label for group in theme.groups] == ["M1-1-1", "M1-1-2"]

    supplier = _summary(world.a, dimension="supplier", filters=impact.ImpactFilters(supplier=world.supplier_both.pk))
    assert [group.label for group in supplier.groups] == [world.supplier_both.name]
    assert supplier.delivered == next(g for g in everything.groups if g.key == world.supplier_both.pk).delivered

    completed = _summary(world.a, dimension="measure", filters=impact.ImpactFilters(status=ContractStatus.COMPLETED))
    assert {row.committed_quantity for group in completed.groups for row in group.measures} == {12, 22, 32, 42}

    first_quarter = _summary(
        world.a, dimension="period", filters=impact.ImpactFilters(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))
    )
    assert [group.label for group in first_quarter.groups] == ["Q1 2026 (January to March)"]
    assert first_quarter.committed.gross == 0  # every commitment is due in December


def test_filters_from_the_page(client, world):
    build_data(world, world.a, contracts=3, noise=False)
    client.force_login(world.user(world.a, Role.EVALUATOR))  # every staff role may read the dashboard
    url = reverse("compact:impact", kwargs={"authority_slug": world.a.slug})
    response = client.get(url, {"group_by": "measure", "theme": "Theme 2", "status": "active"})
    assert response.status_code == 200
    assert response.context["impact"].dimension == "measure"
    assert [group.label for group in response.context["impact"].groups] == ["M2-1-1", "M2-1-2"]

    refused = client.get(url, {"date_from": "2026-06-01", "date_to": "2026-01-01", "group_by": "nonsense"})
    assert refused.status_code == 422
    assert "The to date must be the same as or after the from date" in refused.text
    assert refused.context["impact"].dimension == "theme"  # unfiltered figures, and the form says what is wrong


# The page and its exports -------------------------------------------------------------------------------------


def _page(client, world, **params):
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    return client.get(reverse("compact:impact", kwargs={"authority_slug": world.a.slug}), params)


def _export(client, world, export_format, **params):
    url = reverse("compact:impact-export", kwargs={"authority_slug": world.a.slug})
    return client.get(url, {"format": export_format, **params})


def test_page_shows_the_chart_and_the_table(client, world):
    build_data(world, world.a, contracts=2)
    response = _page(client, world)
    assert response.status_code == 200
    html = response.text
    assert 'role="img"' in html
    assert '<title id="impact-chart-title">Social value committed and delivered by theme, gross £</title>' in html
    assert '<desc id="impact-chart-desc">' in html
    assert 'aria-labelledby="impact-chart-title impact-chart-desc"' in html
    assert 'id="impact-groups"' in html and 'id="impact-measures"' in html
    summary = response.context["impact"]
    for group in summary.groups:
        assert f"£{group.delivered.gross:,.2f}" in html
    assert "<script" not in response.context["chart"]


def test_chart_escapes_labels():
    group = impact.ImpactGroup(key="x", label='<script>alert("x")</script>')
    svg = impact.impact_chart_svg(impact.Impact("place", [group], impact.NOTHING, impact.NOTHING))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_empty_state(client, world):
    response = _page(client, world)
    assert response.status_code == 200
    assert 'id="no-contracts"' in response.text
    assert "<svg" not in response.text


def test_no_figures_matching_filters(client, world):
    build_data(world, world.a, contracts=1)
    response = _page(client, world, status="ended_early")
    assert 'id="no-figures"' in response.text


def _rows(summary):
    return [["" if cell is None else str(cell) for cell in row] for row in impact.export_rows(summary)]


def test_csv_export_matches_the_page(client, world):
    build_data(world, world.a, contracts=3)
    params = {"group_by": "supplier", "status": "active"}
    page = _page(client, world, **params)
    response = _export(client, world, "csv", **params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="impact-authority-a-')
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["supplier", *impact.EXPORT_COLUMNS[1:]]
    assert rows[1:] == _rows(page.context["impact"])
    assert rows[-1][0] == "All"
    assert Decimal(rows[-1][8]) == page.context["impact"].delivered.gross
    # The page links to exactly these filters.
    assert "group_by=supplier&amp;status=active" in page.text


def test_xlsx_export_matches_the_page_with_typed_cells(client, world):
    build_data(world, world.a, contracts=2)
    page = _page(client, world, group_by="measure")
    response = _export(client, world, "xlsx", group_by="measure")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["measure", *impact.EXPORT_COLUMNS[1:]]
    expected = list(impact.export_rows(page.context["impact"]))
    assert len(rows) - 1 == len(expected)
    for got, want in zip(rows[1:], expected, strict=True):
        assert got[:4] == tuple(cell or None for cell in want[:4])
        for cell, value in zip(got[4:], want[4:], strict=True):
            assert (cell is None and value is None) or (isinstance(cell, int | float) and Decimal(str(cell)) == value)


def test_export_cells_are_formula_safe(client, world):
    build_data(world, world.a, contracts=1)
    world.supplier_one.name = "=HYPERLINK(1)"
    world.supplier_one.save(update_fields=["name"])
    _page(client, world)
    response = _export(client, world, "csv", group_by="supplier")
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_export_refuses_unknown_format_and_bad_filters(client, world):
    build_data(world, world.a, contracts=1)
    _page(client, world)
    assert _export(client, world, "pdf").status_code == 404
    assert _export(client, world, "csv", date_from="not a date").status_code == 400


# Isolation and permissions ------------------------------------------------------------------------------------


def test_another_authoritys_contracts_never_count(client, world):
    build_data(world, world.b, contracts=2)
    response = _page(client, world)
    assert 'id="no-contracts"' in response.text
    csv_rows = _export(client, world, "csv").content.decode("utf-8-sig").splitlines()
    assert csv_rows[1:] == ["All,,All measures,,,,0.00,0.00,0.00,0.00"]
    # B's supplier is not even offered as a filter on A's page.
    assert world.supplier_both.name not in response.text


def test_supplier_members_cannot_see_the_dashboard(client, world):
    client.force_login(world.supplier_one_user)
    response = client.get(reverse("compact:impact", kwargs={"authority_slug": world.a.slug}))
    assert response.status_code == 404


# Query counts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("contracts", [2, 12])
def test_query_count_does_not_grow_with_data(client, world, django_assert_max_num_queries, contracts):
    build_data(world, world.a, contracts=contracts)
    client.force_login(world.user(world.a, Role.CONTRACT_MANAGER))
    url = reverse("compact:impact", kwargs={"authority_slug": world.a.slug})
    client.get(url)  # warm the session and the membership caches
    for params in ({}, {"group_by": "supplier", "status": "active"}):
        with django_assert_max_num_queries(12):
            assert client.get(url, params).status_code == 200
    # The selector itself: commitments, accepted lines, their measures.
    with authority_scope(world.a), django_assert_max_num_queries(3):
        impact.impact_summary(world.a, dimension="place")
