"""Validating OCDS packages offline, against the shipped OCDS 1.1.5 schemas (`data/ocds/1.1.5/`) and the social
value extension (`data/ocds/social_value_extension/`): the release schema patched with the extension (JSON Merge
Patch, RFC 7386), a local `referencing` registry for the canonical schema URLs (nothing is fetched), and a check of
every coded field against its codelist (CODED_FIELDS).
"""

import copy
import csv
import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "ocds"
SCHEMA_DIR = DATA / "1.1.5"
EXTENSION_DIR = DATA / "social_value_extension"
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"


def merge_patch(target, patch):
    """JSON Merge Patch (RFC 7386): `patch` applied to a copy of `target`."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def extension_metadata() -> dict:
    return _load(EXTENSION_DIR / "extension.json")


@cache
def extension_schema() -> dict:
    return _load(EXTENSION_DIR / "release-schema.json")


@cache
def patched_release_schema() -> dict:
    return merge_patch(_load(SCHEMA_DIR / "release-schema.json"), extension_schema())


@cache
def _validators():
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = {
        "release-schema.json": patched_release_schema(),
        "release-package-schema.json": _load(SCHEMA_DIR / "release-package-schema.json"),
        "record-package-schema.json": _load(SCHEMA_DIR / "record-package-schema.json"),
    }
    registry = Registry().with_resources(
        (SCHEMA_BASE + name, Resource.from_contents(schema, default_specification=DRAFT4))
        for name, schema in schemas.items()
    )
    return {
        name: Draft4Validator(
            schemas[f"{name}-schema.json"], registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
        )
        for name in ("release", "release-package", "record-package")
    }


@cache
def codelist(name: str) -> frozenset[str]:
    with (SCHEMA_DIR / "codelists" / f"{name}.csv").open(encoding="utf-8", newline="") as file:
        return frozenset(row["Code"] for row in csv.DictReader(file))


# Every coded field the releases carry, by path in a release ("[]" for each item of a list), and its codelist.
CODED_FIELDS = (
    ("tag[]", "releaseTag"),
    ("initiationType", "initiationType"),
    ("parties[].roles[]", "partyRole"),
    ("tender.status", "tenderStatus"),
    ("tender.procurementMethod", "method"),
    ("tender.mainProcurementCategory", "procurementCategory"),
    ("tender.awardCriteria", "awardCriteria"),
    ("tender.submissionMethod[]", "submissionMethod"),
    ("tender.value.currency", "currency"),
    ("tender.items[].classification.scheme", "itemClassificationScheme"),
    ("tender.items[].additionalClassifications[].scheme", "itemClassificationScheme"),
    ("tender.documents[].documentType", "documentType"),
    ("tender.socialValue.relevantMeasures[].proxyValue.currency", "currency"),
    ("awards[].status", "awardStatus"),
    ("awards[].value.currency", "currency"),
    ("awards[].socialValue.commitments[].value.currency", "currency"),
    ("contracts[].status", "contractStatus"),
    ("contracts[].value.currency", "currency"),
    ("contracts[].documents[].documentType", "documentType"),
    ("contracts[].implementation.socialValue.delivery[].value.currency", "currency"),
)


def _values_at(value, parts: list[str], path: str = ""):
    """(path, value) for every value at the dotted path; `name[]` walks each item of a list."""
    if not parts:
        yield path, value
        return
    head, rest = parts[0], parts[1:]
    key = head.removesuffix("[]")
    if not isinstance(value, dict) or key not in value:
        return
    found, here = value[key], f"{path}.{key}" if path else key
    if head.endswith("[]"):
        if isinstance(found, list):
            for index, item in enumerate(found):
                yield from _values_at(item, rest, f"{here}[{index}]")
    else:
        yield from _values_at(found, rest, here)


def codelist_errors(release: dict, where: str = "") -> list[str]:
    errors = []
    for path, name in CODED_FIELDS:
        for found_path, value in _values_at(release, path.split(".")):
            if value not in codelist(name):
                errors.append(f"{where}{found_path}: “{value}” is not in the {name} codelist")
    return errors


def _schema_errors(validator, instance, where: str = "", *, covered=()) -> list[str]:
    """The schema's errors as "path: message". Errors under a path in `covered` are left out: those releases are
    validated on their own, with their own label."""
    errors = sorted(validator.iter_errors(instance), key=lambda error: [str(part) for part in error.absolute_path])
    return [
        f"{where}{'/'.join(str(part) for part in error.absolute_path) or '(top level)'}: {error.message}"
        for error in errors
        if not any(tuple(error.absolute_path)[: len(path)] == path for path in covered)
    ]


def validate_package(package: dict, kind: str = "release") -> list[str]:
    """Readable errors (an empty list when valid) of a release package (`kind="release"`) or a record package
    (`kind="record"`): the OCDS 1.1.5 package schema with the extension, each release (or each record's compiled
    release) on its own, the codelists of every coded field, and release ids unique within their process."""
    if kind not in ("release", "record"):
        raise ValueError("kind is 'release' or 'record'")
    validators = _validators()
    releases = []  # (path in the package, label, release)
    if kind == "release":
        for index, release in enumerate(package.get("releases") or []):
            if isinstance(release, dict):
                releases.append((("releases", index), f"release {release.get('id', index)}: ", release))
    else:
        for index, record in enumerate(package.get("records") or []):
            if isinstance(record, dict) and isinstance(record.get("compiledRelease"), dict):
                label = f"record {record.get('ocid', index)}, compiledRelease: "
                releases.append((("records", index, "compiledRelease"), label, record["compiledRelease"]))
    errors = _schema_errors(validators[f"{kind}-package"], package, covered=[path for path, _, _ in releases])
    for _, label, release in releases:
        errors += _schema_errors(validators["release"], release, label)
        errors += codelist_errors(release, label)
    ids = [(release.get("ocid"), release.get("id")) for _, _, release in releases]
    if len(ids) != len(set(ids)):
        errors.append("releases: two releases of one process have the same id")
    return errors
