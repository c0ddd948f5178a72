"""The buyer-name rule (`tenders/buyer_names.py`): the spellings of one council's name match; other bodies' never."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenders.buyer_names import buyer_name_parts, normalise, same_buyer

# Words the rule reads as a council's form, kept out of the generated place names.
FORM_WORDS = {
    "the", "of", "and", "council", "city", "county", "borough", "district", "royal", "london", "metropolitan",
    "cc", "bc", "dc", "mbc", "cbc", "cyngor", "sir", "dinas", "bwrdeistref", "sirol",
}  # fmt: skip

# Ways each kind of council is written, with {place} for the place's name.
FORMS = {
    "city": ["{place} City Council", "Council of the City of {place}", "City of {place} Council", "{place} CC"],
    "borough": [
        "{place} Borough Council",
        "{place} BC",
        "{place} B.C.",
        "Borough of {place}",
        "{place} Metropolitan Borough Council",
        "{place} MBC",
        "Royal Borough of {place}",
        "London Borough of {place}",
        "{place} Council",
    ],
    "district": ["{place} District Council", "{place} DC", "{place} D.C.", "{place} Council"],
    "county": ["{place} County Council", "{place} CC", "Cyngor Sir {place}", "{place} Council"],
}

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9).filter(lambda w: w not in FORM_WORDS)
places = st.lists(words, min_size=1, max_size=3)


def spell(place: list[str], form: str, case: str, the: bool, ampersand: bool) -> str:
    words = [word.capitalize() for word in place]
    joined = " & ".join(words) if ampersand else " and ".join(words)
    name = form.format(place=joined)
    name = {"upper": name.upper(), "lower": name.lower(), "as is": name}[case]
    return f"The {name}" if the else name


spellings = st.tuples(st.sampled_from(["upper", "lower", "as is"]), st.booleans(), st.booleans())


@given(place=places, kind=st.sampled_from(sorted(FORMS)), data=st.data())
def test_every_spelling_of_one_councils_name_matches_every_other(place, kind, data):
    first = spell(place, data.draw(st.sampled_from(FORMS[kind])), *data.draw(spellings))
    second = spell(place, data.draw(st.sampled_from(FORMS[kind])), *data.draw(spellings))
    assert same_buyer(first, second), (first, second)


@given(place=places, other=places, data=st.data())
def test_councils_of_different_places_never_match(place, other, data):
    if normalise(" ".join(place)) == normalise(" ".join(other)):
        return
    kind, other_kind = data.draw(st.sampled_from(sorted(FORMS))), data.draw(st.sampled_from(sorted(FORMS)))
    first = spell(place, data.draw(st.sampled_from(FORMS[kind])), *data.draw(spellings))
    second = spell(other, data.draw(st.sampled_from(FORMS[other_kind])), *data.draw(spellings))
    assert not same_buyer(first, second), (first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("London Borough of Barnet", "Barnet Council"),
        ("London Borough of Barnet", "Barnet London Borough Council"),
        ("Royal Borough of Kensington & Chelsea", "Kensington and Chelsea Borough Council"),
        ("The Council of the City of York", "York City Council"),
        ("City of Edinburgh Council", "Edinburgh City Council"),
        ("Stoke-on-Trent City Council", "Stoke on Trent CC"),
        ("King’s Lynn and West Norfolk Borough Council", "Kings Lynn & West Norfolk BC"),
        ("Wigan Metropolitan Borough Council", "Wigan MBC"),
        ("Cyngor Sir Powys", "Powys County Council"),
        ("Cyngor Dinas Casnewydd", "Casnewydd City Council"),
        ("Cyngor Bwrdeistref Sirol Caerffili", "Caerffili County Borough Council"),
        ("Durham CC", "Durham County Council"),
        ("NHS Northmoor Integrated Care Board", "nhs northmoor integrated care board."),
    ],
)
def test_spellings_of_the_same_body_match(first, second):
    assert same_buyer(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Eastvale District Council", "Northmoor Borough Council"),
        ("York City Council", "North Yorkshire County Council"),
        ("Canterbury City Council", "Kent County Council"),
        ("Northmoor District Council", "Northmoor County Council"),  # two tiers over one place
        ("Northmoor City Council", "Northmoor Borough Council"),
        ("Durham CC", "Durham District Council"),
        ("NHS Northmoor Integrated Care Board", "Northmoor Council"),
        ("", ""),
        ("The Council", "The Council"),
    ],
)
def test_other_bodies_do_not_match(first, second):
    assert not same_buyer(first, second)


def test_a_name_is_read_as_a_place_and_the_kinds_of_council_it_may_be():
    assert buyer_name_parts("THE BOROUGH OF NORTHMOOR") == ("northmoor", {"borough"})
    assert buyer_name_parts("Northmoor CC") == ("northmoor", {"city", "county"})
    assert buyer_name_parts("Northmoor Council") == ("northmoor", set())
    assert buyer_name_parts("Crown Commercial Service") == ("crown commercial service", set())
