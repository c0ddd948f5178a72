"""The measure library: the platform's shared measures and each authority's local ones.

Three layers, each usable on its own:
- pure parsing and validation (`clean_measure_values`, `read_measures_csv`, `parse_unit`): plain text in, typed
  values and messages fit to show out; no database, so the tests call them directly;
- reads (`library_measure_list`, `local_measure_get`, ...), taking the authority explicitly;
- writes (`measure_import`, `local_measure_create`, `local_measure_update`, `platform_measure_save`), each in one
  transaction with its audit event and an entry in the measure's own edit history.

The CSV format (`CSV_COLUMNS`) is the same for import and export, so exporting and importing again changes nothing.
Rules (RULES.md, "Measures and proxies"): the library is open; a proxy value is £ per unit with a source and year;
SROI deflators are optional percentages. National TOMs values are never shipped: an authority may import its own
licensed copy as local measures.
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import BooleanField, Q, Value
from django.utils import timezone

from accounts.audit import audit_record, diff
from accounts.models import Authority
from accounts.scoping import authority_scope
from foundation.errors import DomainError
from foundation.formatting import money_whole_pounds

from .models import PROXY_LIMIT, LocalMeasure, Measure, Unit

# CSV columns, in order, and the model field each fills. Only `evidence` is named differently.
CSV_COLUMNS = (
    "code",
    "title",
    "unit",
    "theme",
    "outcome",
    "proxy_value_gbp",
    "proxy_source",
    "proxy_year",
    "deadweight_pct",
    "attribution_pct",
    "displacement_pct",
    "dropoff_pct",
    "evidence",
)
COLUMN_FIELDS = {column: ("evidence_guidance" if column == "evidence" else column) for column in CSV_COLUMNS}
FIELD_COLUMNS = {field_name: column for column, field_name in COLUMN_FIELDS.items()}
IMPORT_FIELDS = tuple(COLUMN_FIELDS.values())

# Fields whose changes go into a measure's edit history (the CSV fields plus those only the forms edit).
HISTORY_FIELDS = (*IMPORT_FIELDS, "description", "is_active")
FIELD_LABELS = {
    "code": "Code",
    "title": "Title",
    "description": "Description",
    "unit": "Unit",
    "theme": "Theme",
    "outcome": "Outcome",
    "proxy_value_gbp": "Proxy value (£ per unit)",
    "proxy_source": "Source of the proxy value",
    "proxy_year": "Proxy year",
    "deadweight_pct": "Deadweight (%)",
    "attribution_pct": "Attribution (%)",
    "displacement_pct": "Displacement (%)",
    "dropoff_pct": "Drop-off (%)",
    "evidence_guidance": "Evidence guidance",
    "is_active": "In use",
}

MAX_IMPORT_BYTES = 5 * 1024 * 1024
PROXY_YEAR_RANGE = (1990, 2100)
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal("100")

TEXT_LIMITS = {"code": 30, "title": 200, "theme": 200, "outcome": 200, "proxy_source": 300}
TEXT_NAMES = {
    "code": "The code",
    "title": "The title",
    "theme": "The theme",
    "outcome": "The outcome",
    "proxy_source": "The source of the proxy value",
}
PERCENT_NAMES = {
    "deadweight_pct": "The deadweight",
    "attribution_pct": "The attribution",
    "displacement_pct": "The displacement",
    "dropoff_pct": "The drop-off",
}
TEXT_FIELDS = ("code", "title", "theme", "outcome", "proxy_source", "evidence_guidance", "description")

# A spreadsheet runs a cell that starts with one of these as a formula. Export guards such text with a leading
# apostrophe (which spreadsheets hide) and import takes it off again, so text survives the round trip unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Units --------------------------------------------------------------------------------------------------------

# Other ways people write the units, besides our codes and labels (matched case-insensitively).
UNIT_ALIASES = {
    "person": Unit.PEOPLE,
    "full-time equivalent": Unit.FTE,
    "full-time equivalent jobs": Unit.FTE,
    "week": Unit.WEEKS,
    "hour": Unit.HOURS,
    "pounds": Unit.GBP,
    "£s": Unit.GBP,
    "tonnes co2e": Unit.TCO2E,
    "tco2": Unit.TCO2E,
    "number": Unit.COUNT,
    "per cent": Unit.PERCENT,
}


def _unit_lookup() -> dict[str, str]:
    lookup = {alias: unit.value for alias, unit in UNIT_ALIASES.items()}
    for unit in Unit:
        lookup[unit.value.casefold()] = unit.value
        lookup[str(unit.label).casefold()] = unit.value
    return lookup


UNIT_LOOKUP = _unit_lookup()


def parse_unit(text: str) -> str | None:
    """A unit code from its code or label, any case ("FTE", "£", "tonnes CO2e", "%"); None if not a unit."""
    return UNIT_LOOKUP.get(" ".join(text.split()).casefold())


def units_hint() -> str:
    return ", ".join(unit.value if unit.value == str(unit.label) else f"{unit.value} ({unit.label})" for unit in Unit)


# Validation of one measure's values ----------------------------------------------------------------------------


def _number(text: str, *, name: str, example: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} must be a number, like {example}") from None
    if not value.is_finite():
        raise ValueError(f"{name} must be a number, like {example}")
    return value


def _two_places(value: Decimal, *, name: str) -> Decimal:
    if value != value.quantize(TWO_PLACES):
        raise ValueError(f"{name} must have no more than 2 decimal places")
    return value.quantize(TWO_PLACES)


def parse_proxy_value(text: str) -> Decimal | None:
    text = text.strip().removeprefix("£").replace(",", "").strip()
    if not text:
        return None
    value = _number(text, name="The proxy value", example="12.50")
    if value < 0:
        raise ValueError("The proxy value must be £0 or more")
    if value > PROXY_LIMIT:
        raise ValueError(
            f"The proxy value must be {money_whole_pounds(PROXY_LIMIT)} or less. Check it is the value of one unit"
        )
    return _two_places(value, name="The proxy value")


def parse_percentage(text: str, *, name: str) -> Decimal | None:
    text = text.strip().removesuffix("%").strip()
    if not text:
        return None
    value = _number(text, name=name, example="25")
    if not 0 <= value <= HUNDRED:
        raise ValueError(f"{name} must be between 0% and 100%")
    return _two_places(value, name=name)


def parse_proxy_year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,6}", text):
        raise ValueError("The proxy year must be a year, like 2024")
    year = int(text)
    low, high = PROXY_YEAR_RANGE
    if not low <= year <= high:
        raise ValueError(f"The proxy year must be between {low} and {high}")
    return year


def unguard_text(text: str) -> str:
    """Take off the apostrophe export puts before text a spreadsheet would run as a formula."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def guard_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def clean_measure_values(raw: Mapping[str, str | None]) -> tuple[dict, dict[str, str]]:
    """Check a measure's values as typed (text, keyed by model field name).

    Returns (values, errors): values typed for the model (Decimal to 2 places, int, str), errors as
    {field: message} with messages fit to show next to the field or after a CSV line and column.
    Only the fields present in `raw` are checked and returned (description is checked when present).
    """
    values: dict = {}
    errors: dict[str, str] = {}

    def text_of(name):
        return (raw.get(name) or "").strip()

    for name in ("code", "title", "theme", "outcome", "proxy_source"):
        if name not in raw:
            continue
        value = text_of(name)
        if len(value) > TEXT_LIMITS[name]:
            errors[name] = f"{TEXT_NAMES[name]} must be {TEXT_LIMITS[name]} characters or fewer"
        values[name] = value
    for name in ("evidence_guidance", "description"):
        if name in raw:
            values[name] = text_of(name)
    if "code" in raw and not values["code"]:
        errors["code"] = "Enter a code"
    if "title" in raw and not values["title"]:
        errors["title"] = "Enter a title"

    if "unit" in raw:
        unit_text = (raw.get("unit") or "").strip()
        unit = parse_unit(unit_text)
        if not unit_text:
            errors["unit"] = "Enter a unit"
        elif unit is None:
            errors["unit"] = f"“{unit_text}” is not a unit. Use one of: {units_hint()}"
        values["unit"] = unit or ""

    parsers = {
        "proxy_value_gbp": parse_proxy_value,
        "proxy_year": parse_proxy_year,
        **{name: (lambda text, name=name: parse_percentage(text, name=PERCENT_NAMES[name])) for name in PERCENT_NAMES},
    }
    for name, parse in parsers.items():
        if name not in raw:
            continue
        try:
            values[name] = parse(raw.get(name) or "")
        except ValueError as error:
            errors[name] = str(error)
            values[name] = None

    if values.get("proxy_value_gbp") is not None and "proxy_source" in values and not values["proxy_source"]:
        errors.setdefault("proxy_source", "Enter the source of the proxy value, so others can check it")
    return values, errors


# Reading a CSV file ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem with an imported file: `line` counts the header as line 1; `column` is the CSV column's name."""

    line: int | None
    column: str | None
    message: str

    def __str__(self):
        if self.line is not None and self.column:
            return f"Line {self.line}, column {self.column}: {self.message}"
        if self.line is not None:
            return f"Line {self.line}: {self.message}"
        return self.message

    @property
    def sort_key(self):
        column_index = CSV_COLUMNS.index(self.column) if self.column in CSV_COLUMNS else -1
        return (self.line or 0, column_index)


@dataclass(frozen=True)
class MeasureRow:
    line: int
    values: dict


@dataclass
class ParsedFile:
    rows: list[MeasureRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def decode_csv(data: bytes | str) -> tuple[str | None, RowError | None]:
    """The file's text (UTF-8, with or without a byte order mark), or the error explaining why it is unreadable."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    if data.startswith(b"PK\x03\x04"):
        return None, RowError(
            None, None, "The file is a spreadsheet workbook, not CSV. Save it as “CSV UTF-8” and upload that file"
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, RowError(
            line,
            None,
            "The file is not UTF-8 text. Save it as “CSV UTF-8” from your spreadsheet and upload it again",
        )


def read_measures_csv(data: bytes | str) -> ParsedFile:
    """Parse and check a measures CSV. Every problem is reported, each with its line and column."""
    parsed = ParsedFile()
    text, error = decode_csv(data)
    if error is not None:
        parsed.errors.append(error)
        return parsed
    if not text.strip():
        parsed.errors.append(RowError(None, None, "The file is empty"))
        return parsed

    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    seen_codes: dict[str, int] = {}
    line = 1
    try:
        for row in reader:
            start_line, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue  # blank lines are skipped wherever they are
            if header is None:
                header, header_line = [cell.strip().lower() for cell in row], start_line
                parsed.errors.extend(_header_errors(header, header_line))
                if parsed.errors:
                    return parsed
                continue
            _read_row(parsed, header, row, start_line, seen_codes)
    except csv.Error as csv_error:
        parsed.errors.append(RowError(reader.line_num, None, f"The file cannot be read as CSV ({csv_error})"))
    if header is not None and not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(None, None, "The file has no measures: add one row per measure under the header"))
    parsed.errors.sort(key=lambda each: each.sort_key)
    return parsed


def _header_errors(header: list[str], line: int) -> list[RowError]:
    errors = []
    named = [name for name in header if name]  # columns with no name are ignored (spreadsheets leave them)
    repeated = sorted({name for name in named if named.count(name) > 1})
    missing = [column for column in CSV_COLUMNS if column not in named]
    extra = [name for name in dict.fromkeys(named) if name not in CSV_COLUMNS]
    if missing:
        errors.append(RowError(line, None, "The header is missing the column" + _plural_names(missing)))
    if extra:
        errors.append(RowError(line, None, "The header has unknown column" + _plural_names(extra)))
    if repeated:
        errors.append(RowError(line, None, "The header repeats the column" + _plural_names(repeated)))
    if errors:
        errors.append(RowError(line, None, "The header must be: " + ",".join(CSV_COLUMNS)))
    return errors


def _plural_names(names: list[str]) -> str:
    return ("s " if len(names) > 1 else " ") + ", ".join(names)


def _read_row(parsed: ParsedFile, header: list[str], row: list[str], line: int, seen_codes: dict[str, int]) -> None:
    if len(row) != len(header):
        parsed.errors.append(
            RowError(
                line,
                None,
                f"This row has {len(row)} cells but the header has {len(header)}. Check for a missing or extra "
                "comma: text containing commas must be inside double quotes",
            )
        )
        return
    cells = {}
    for name, cell in zip(header, row, strict=True):
        if name:
            cells[name] = unguard_text(cell.strip()) if COLUMN_FIELDS[name] in TEXT_FIELDS else cell
        elif cell.strip():
            parsed.errors.append(RowError(line, None, "This row has a value in a column with no name in the header"))
            return
    values, errors = clean_measure_values({COLUMN_FIELDS[column]: cells[column] for column in CSV_COLUMNS})
    for field_name, message in errors.items():
        parsed.errors.append(RowError(line, FIELD_COLUMNS[field_name], message))
    code = values.get("code")
    if code:
        if code in seen_codes:
            parsed.errors.append(
                RowError(
                    line, "code", f"The code {code} is also on line {seen_codes[code]}. Each code must appear once"
                )
            )
        else:
            seen_codes[code] = line
    if not errors:
        parsed.rows.append(MeasureRow(line=line, values=values))


# Writing a CSV file ------------------------------------------------------------------------------------------


def _format_cell(field_name: str, value) -> str:
    if value is None:
        return ""
    if field_name == "proxy_value_gbp":
        return f"{value:.2f}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if field_name in TEXT_FIELDS:
        return guard_text(str(value))
    return str(value)


def measures_to_csv(measures: Iterable) -> str:
    """Measures (platform or local) as CSV text in the import format."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for measure in measures:
        writer.writerow(
            [_format_cell(COLUMN_FIELDS[column], getattr(measure, COLUMN_FIELDS[column])) for column in CSV_COLUMNS]
        )
    return out.getvalue()


def measures_export_csv(*, authority: Authority | None = None) -> str:
    """The platform library (no authority) or one authority's local measures, as CSV text."""
    if authority is None:
        return measures_to_csv(Measure.objects.order_by("code"))
    with authority_scope(authority):
        return measures_to_csv(LocalMeasure.objects.filter(authority=authority).order_by("code"))


# Edit history ------------------------------------------------------------------------------------------------


def history_value(value):
    """A field's value as stored in the JSON history."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def measure_snapshot(measure, fields: Iterable[str] = HISTORY_FIELDS) -> dict:
    return {name: history_value(getattr(measure, name)) for name in fields}


def creation_changes(measure, fields: Iterable[str] = HISTORY_FIELDS) -> dict:
    """A new measure's history: every field given a value, from nothing."""
    return {
        name: {"before": None, "after": value}
        for name, value in measure_snapshot(measure, fields).items()
        if value not in (None, "")
    }


def history_entry(*, changes: dict, acting_user=None, via: str) -> dict:
    """One entry of a measure's `history`: when, who (an email, or "import" for an unattended import), what."""
    by = acting_user.email if acting_user is not None and acting_user.is_authenticated else "import"
    return {"at": timezone.now().isoformat(), "by": by, "via": via, "changes": changes}


def history_for_display(measure) -> list[dict]:
    """The measure's history, newest first, with field labels and display values."""
    entries = []
    for entry in reversed(measure.history or []):
        changes = [
            {
                "label": FIELD_LABELS.get(name, name),
                "before": _display_value(name, change.get("before")),
                "after": _display_value(name, change.get("after")),
            }
            for name, change in (entry.get("changes") or {}).items()
        ]
        at = entry.get("at")
        with suppress(TypeError, ValueError):  # an unreadable time is shown as written
            at = datetime.fromisoformat(at) if at else None
        raw = (entry.get("changes") or {}).values()
        entries.append(
            {
                "at": at,
                "by": entry.get("by", ""),
                "via": entry.get("via", ""),
                "changes": changes,
                "created": bool(changes) and all(change.get("before") is None for change in raw),
            }
        )
    return entries


def _display_value(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "unit":
        return unit_label(value)
    if name == "is_active":
        return "Yes" if value else "No"
    return str(value)


def unit_label(code: str) -> str:
    try:
        return str(Unit(code).label)
    except ValueError:
        return code


# Reads -------------------------------------------------------------------------------------------------------

LIST_FIELDS = ("id", "code", "title", "unit", "theme", "outcome", "proxy_value_gbp", "is_local")


def library_measure_list(authority: Authority, *, q: str = "", theme: str = "", unit: str = ""):
    """Platform measures and the authority's local measures in use, as one queryset of dicts ordered by code.

    Must run inside the authority's scope (local measures are tenant data). Searches code, title, theme, outcome.
    """
    filters = Q(is_active=True)
    if q:
        for word in q.split():
            filters &= (
                Q(code__icontains=word)
                | Q(title__icontains=word)
                | Q(theme__icontains=word)
                | Q(outcome__icontains=word)
            )
    if theme:
        filters &= Q(theme=theme)
    if unit:
        filters &= Q(unit=unit)
    platform = (
        Measure.objects.filter(filters)
        .annotate(is_local=Value(False, output_field=BooleanField()))
        .values(*LIST_FIELDS)
        .order_by()  # the models' default ordering is not allowed inside a UNION
    )
    local = (
        LocalMeasure.objects.filter(filters, authority=authority)
        .annotate(is_local=Value(True, output_field=BooleanField()))
        .values(*LIST_FIELDS)
        .order_by()
    )
    return platform.union(local, all=True).order_by("code", "is_local", "id")


def library_themes(authority: Authority) -> list[str]:
    """The themes the authority's library uses, for a filter."""
    themes = set(Measure.objects.filter(is_active=True).exclude(theme="").values_list("theme", flat=True))
    themes |= set(
        LocalMeasure.objects.filter(authority=authority, is_active=True)
        .exclude(theme="")
        .values_list("theme", flat=True)
    )
    return sorted(themes, key=str.casefold)


def local_measure_get(authority: Authority, local_measure_id: int) -> LocalMeasure | None:
    return LocalMeasure.objects.filter(authority=authority, pk=local_measure_id).first()


def measure_get(measure_id: int) -> Measure | None:
    return Measure.objects.filter(pk=measure_id).first()


# Writes: import ----------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def _read_file(file) -> tuple[bytes | str, str]:
    """The upload's content (at most one byte over the limit) and its name."""
    if isinstance(file, bytes | str):
        return file, ""
    name = Path(getattr(file, "name", "") or "").name
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(MAX_IMPORT_BYTES + 1), name


def measure_import(
    *, authority: Authority | None = None, acting_user=None, file, dry_run: bool = False
) -> ImportResult:
    """Create or update measures from a CSV file: the platform library, or `authority`'s local measures.

    `file` is an uploaded or open file, or its bytes or text. All or nothing: a file with any error changes
    nothing, and the result lists every error. Each created or changed measure gets a history entry; one audit
    event summarises the import.
    """
    data, filename = _read_file(file)
    if len(data) > MAX_IMPORT_BYTES:
        return ImportResult(errors=[RowError(None, None, "The file must be smaller than 5 MB")], dry_run=dry_run)
    parsed = read_measures_csv(data)
    result = ImportResult(errors=list(parsed.errors), dry_run=dry_run)
    model = Measure if authority is None else LocalMeasure
    with authority_scope(authority) if authority is not None else nullcontext():
        if authority is not None:
            result.errors.extend(_platform_code_clashes(parsed.rows))
        if result.errors:
            result.errors.sort(key=lambda each: each.sort_key)
            return result
        with transaction.atomic():
            queryset = model.objects.all() if authority is None else model.objects.filter(authority=authority)
            codes = [row.values["code"] for row in parsed.rows]
            existing = {measure.code: measure for measure in queryset.select_for_update().filter(code__in=codes)}
            now = timezone.now()
            for row in parsed.rows:
                code = row.values["code"]
                measure = existing.get(code)
                if measure is None:
                    result.created.append(code)
                    if not dry_run:
                        measure = model(**row.values, created_at=now, updated_at=now)
                        if authority is not None:
                            measure.authority = authority
                        changes = creation_changes(measure, IMPORT_FIELDS)
                        measure.history = [history_entry(changes=changes, acting_user=acting_user, via="CSV import")]
                        measure.save()
                    continue
                before = measure_snapshot(measure, IMPORT_FIELDS)
                for name, value in row.values.items():
                    setattr(measure, name, value)
                changes = diff(before, measure_snapshot(measure, IMPORT_FIELDS))
                if not changes:
                    result.unchanged.append(code)
                    continue
                result.updated.append(code)
                if not dry_run:
                    measure.history = [
                        *(measure.history or []),
                        history_entry(changes=changes, acting_user=acting_user, via="CSV import"),
                    ]
                    measure.updated_at = now
                    measure.save()
            if not dry_run:
                audit_record(
                    authority=authority,
                    actor=acting_user,
                    verb="measures.imported" if authority is None else "local_measures.imported",
                    object_type=model._meta.model_name,
                    object_repr=f"{len(parsed.rows)} measures from {filename or 'a CSV file'}",
                    changes={
                        "file": filename,
                        "created": len(result.created),
                        "updated": len(result.updated),
                        "unchanged": len(result.unchanged),
                        "codes created": ", ".join(result.created),
                        "codes updated": ", ".join(result.updated),
                    },
                )
    return result


def _platform_code_clashes(rows: list[MeasureRow]) -> list[RowError]:
    codes = {row.values["code"]: row.line for row in rows}
    taken = set(Measure.objects.filter(code__in=codes).values_list("code", flat=True))
    return [
        RowError(
            codes[code], "code", f"{code} is the code of a measure in the platform library. Use a code of your own"
        )
        for code in sorted(taken, key=codes.get)
    ]


# Writes: one local measure -----------------------------------------------------------------------------------


def _check_local_code(authority: Authority, code: str, *, exclude_pk=None) -> None:
    clash = LocalMeasure.objects.filter(authority=authority, code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(f"Your library already has a local measure with the code {code}", field="code")
    if Measure.objects.filter(code=code).exists():
        raise DomainError(
            f"{code} is the code of a measure in the platform library. Use a code of your own", field="code"
        )


def local_measure_create(*, authority: Authority, acting_user, values: Mapping) -> LocalMeasure:
    """Add a local measure; `values` are checked already (clean_measure_values), keyed by field name."""
    values = {name: value for name, value in values.items() if name in HISTORY_FIELDS}
    with transaction.atomic():
        _check_local_code(authority, values["code"])
        now = timezone.now()
        measure = LocalMeasure(authority=authority, created_at=now, updated_at=now, **values)
        changes = creation_changes(measure)
        measure.history = [history_entry(changes=changes, acting_user=acting_user, via="form")]
        measure.save()
        audit_record(authority=authority, actor=acting_user, verb="local_measure.created", obj=measure, changes=changes)
    return measure


def local_measure_update(*, authority: Authority, acting_user, local_measure: LocalMeasure, values: Mapping) -> bool:
    """Change a local measure. Returns whether anything changed (nothing is recorded when nothing did)."""
    with transaction.atomic():
        measure = LocalMeasure.objects.select_for_update().get(authority=authority, pk=local_measure.pk)
        if "code" in values and values["code"] != measure.code:
            _check_local_code(authority, values["code"], exclude_pk=measure.pk)
        before = measure_snapshot(measure)
        for name, value in values.items():
            if name in HISTORY_FIELDS:
                setattr(measure, name, value)
        changes = diff(before, measure_snapshot(measure))
        if not changes:
            return False
        measure.history = [
            *(measure.history or []),
            history_entry(changes=changes, acting_user=acting_user, via="form"),
        ]
        measure.updated_at = timezone.now()
        measure.save()
        audit_record(authority=authority, actor=acting_user, verb="local_measure.updated", obj=measure, changes=changes)
    return True


# Writes: the operator's edits in the admin -------------------------------------------------------------------


def platform_measure_save(*, measure: Measure, acting_user, via: str = "admin") -> Measure:
    """Save a platform measure edited by the operator: history entry and audit event with what changed."""
    with transaction.atomic():
        stored = Measure.objects.select_for_update().filter(pk=measure.pk).first() if measure.pk else None
        if stored is None:
            changes = creation_changes(measure)
        else:
            changes = diff(measure_snapshot(stored), measure_snapshot(measure))
        if stored is not None and not changes:
            return measure
        now = timezone.now()
        measure.history = [
            *((stored.history if stored is not None else measure.history) or []),
            history_entry(changes=changes, acting_user=acting_user, via=via),
        ]
        measure.updated_at = now
        if stored is None:
            measure.created_at = now
        measure.save()
        audit_record(
            authority=None,
            actor=acting_user,
            verb="measure.created" if stored is None else "measure.updated",
            obj=measure,
            changes=changes,
        )
    return measure
