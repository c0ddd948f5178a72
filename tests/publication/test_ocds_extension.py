"""The social value extension to OCDS (publication/data/ocds/social_value_extension/): its own schema is valid JSON
Schema, its metadata has what OCDS asks of an extension, the merged release schema accepts the extension's fields
and rejects wrong types in them, and the extension is served at stable addresses."""

import copy
import json

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft4Validator

from publication import ocds, ocds_schema

RELEASE = {
    "ocid": "ocds-cvc000-tender-1",
    "id": "ocds-cvc000-tender-1-award-1",
    "date": "2026-03-01T12:00:00Z",
    "tag": ["award"],
    "initiationType": "tender",
    "tender": {
        "id": "T-1",
        "socialValue": {
            "charter": {"id": "3", "title": "Our charter", "version": 2, "url": "https://example.org/charter/"},
            "weighting": {"percentage": 15, "justification": ""},
            "relevantMeasures": [
                {
                    "id": "1",
                    "code": "CVC-EMP-01",
                    "title": "Local people employed",
                    "theme": "Jobs",
                    "unit": "fte",
                    "proxyValue": {"amount": 25000, "currency": "GBP"},
                    "relevance": "The service employs people locally.",
                    "weight": 60,
                    "target": 4,
                    "targetKind": "target",
                    "lot": "1",
                }
            ],
        },
    },
    "awards": [
        {
            "id": "1",
            "socialValue": {
                "commitments": [
                    {
                        "id": "1",
                        "measure": "CVC-EMP-01",
                        "title": "Local people employed",
                        "quantity": 5,
                        "unit": "fte",
                        "place": "Moor End",
                        "deliveryPeriod": "Throughout the contract",
                        "value": {"amount": 125000, "currency": "GBP"},
                    }
                ]
            },
        }
    ],
    "contracts": [
        {
            "id": "1",
            "awardID": "1",
            "implementation": {
                "socialValue": {
                    "delivery": [
                        {
                            "id": "9",
                            "measure": "CVC-EMP-01",
                            "period": {"startDate": "2026-01-01T00:00:00Z", "endDate": "2026-03-31T23:59:59Z"},
                            "quantityVerified": 2.5,
                            "unit": "fte",
                            "place": "Moor End",
                            "value": {"amount": 62500, "currency": "GBP"},
                            "dateVerified": "2026-04-20T10:00:00Z",
                        }
                    ]
                }
            },
        }
    ],
}


def release_validator():
    return ocds_schema._validators()["release"]


def test_the_extension_schema_and_the_merged_release_schema_are_valid_draft_4():
    Draft4Validator.check_schema(ocds_schema.extension_schema())
    Draft4Validator.check_schema(ocds_schema.patched_release_schema())


def test_every_field_the_extension_adds_has_a_title_and_a_description():
    def walk(node, where):
        if isinstance(node, dict):
            for name, spec in node.get("properties", {}).items():
                assert spec.get("title") and spec.get("description"), f"{where}.{name}"
                walk(spec, f"{where}.{name}")
            for name, spec in node.get("definitions", {}).items():
                if name not in ("Tender", "Award", "Implementation"):
                    assert spec.get("title") and spec.get("description"), name
                walk(spec, name)

    walk(ocds_schema.extension_schema(), "")


def test_the_extension_metadata_has_what_ocds_asks_for():
    metadata = ocds_schema.extension_metadata()
    assert metadata["name"]["en"] == "Social value"
    assert metadata["description"]["en"]
    assert metadata["documentationUrl"]["en"]
    assert metadata["compatibility"] == ["1.1"]
    assert metadata["schemas"] == ["release-schema.json"]
    for name in metadata["schemas"]:
        assert (ocds_schema.EXTENSION_DIR / name).is_file()


def test_the_merged_schema_accepts_a_release_with_every_extension_field():
    errors = list(release_validator().iter_errors(RELEASE))
    assert errors == []


@pytest.mark.parametrize(
    "path, wrong",
    [
        (("tender", "socialValue", "relevantMeasures", 0, "weight"), "sixty"),
        (("tender", "socialValue", "relevantMeasures", 0, "targetKind"), "maximum"),
        (("tender", "socialValue", "relevantMeasures", 0, "proxyValue", "currency"), "pounds"),
        (("tender", "socialValue", "weighting", "percentage"), 150),
        (("tender", "socialValue", "relevantMeasures"), {"id": "1"}),
        (("awards", 0, "socialValue", "commitments", 0, "quantity"), "5"),
        (("contracts", 0, "implementation", "socialValue", "delivery", 0, "quantityVerified"), -1),
        (("contracts", 0, "implementation", "socialValue", "delivery", 0, "period", "startDate"), 2026),
    ],
)
def test_the_merged_schema_rejects_wrong_types_in_the_extension_fields(path, wrong):
    release = copy.deepcopy(RELEASE)
    target = release
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = wrong
    assert list(release_validator().iter_errors(release))


def test_a_measure_commitment_or_delivery_needs_an_id():
    release = copy.deepcopy(RELEASE)
    del release["awards"][0]["socialValue"]["commitments"][0]["id"]
    (error,) = release_validator().iter_errors(release)
    assert "'id' is a required property" in error.message


def test_merge_patch_follows_rfc_7386():
    # Examples from RFC 7386, appendix A.
    cases = [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "b"}, ["c"], ["c"]),
        ({"a": "foo"}, None, None),
        ({"a": "foo"}, "bar", "bar"),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ]
    for target, patch, result in cases:
        assert ocds_schema.merge_patch(target, patch) == result


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=2), children, max_size=3),
    max_leaves=12,
)


@given(target=JSON, patch=JSON)
def test_merge_patch_is_idempotent_and_leaves_its_arguments_alone(target, patch):
    before = (copy.deepcopy(target), copy.deepcopy(patch))
    once = ocds_schema.merge_patch(target, patch)
    assert ocds_schema.merge_patch(once, patch) == once
    assert (target, patch) == before


def test_the_patched_schema_keeps_the_core_release_schema():
    core = json.loads((ocds_schema.SCHEMA_DIR / "release-schema.json").read_text())
    patched = ocds_schema.patched_release_schema()
    assert patched["required"] == core["required"]
    assert set(core["definitions"]["Tender"]["properties"]) < set(patched["definitions"]["Tender"]["properties"])
    assert "socialValue" in patched["definitions"]["Award"]["properties"]
    assert "socialValue" in patched["definitions"]["Implementation"]["properties"]


def test_the_schemas_are_shipped_with_their_licence_and_origin():
    for name in ("release-package-schema.json", "release-schema.json", "record-package-schema.json", "LICENSE"):
        assert (ocds_schema.SCHEMA_DIR / name).is_file()
    readme = (ocds_schema.SCHEMA_DIR / "README.md").read_text()
    assert "Apache License 2.0" in readme and "1__1__5" in readme
    assert "Apache License" in (ocds_schema.SCHEMA_DIR / "LICENSE").read_text()
    assert len(list((ocds_schema.SCHEMA_DIR / "codelists").glob("*.csv"))) == 19


def test_the_extension_is_served_at_stable_addresses(client, settings):
    settings.SITE_URL = "https://charters.example.org"
    response = client.get("/ocds/extensions/social-value/extension.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    metadata = response.json()
    assert metadata["documentationUrl"]["en"] == "https://charters.example.org/ocds/extensions/social-value/"
    assert metadata["schemas"] == ["release-schema.json"]
    assert ocds.extension_url() == "https://charters.example.org/ocds/extensions/social-value/extension.json"
    response = client.get("/ocds/extensions/social-value/release-schema.json")
    assert response.status_code == 200
    assert response.json() == ocds_schema.extension_schema()
    assert client.post("/ocds/extensions/social-value/extension.json").status_code == 405


@pytest.mark.django_db
def test_the_documentation_page_lists_every_field_from_the_schema(client):
    response = client.get(reverse("publication:ocds-extension-docs"))
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("relevantMeasures", "weighting", "commitments", "delivery", "quantityVerified", "relevance"):
        assert f"<code>{field}</code>" in page
    assert 'href="/ocds/extensions/social-value/release-schema.json"' in page
