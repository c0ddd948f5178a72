"""Whether two names of a public body name the same body: the rule the OCDS import uses to tell an authority's own
notices from another buyer's.

Notices spell a council's name many ways ("Northmoor Borough Council", "Northmoor BC", "The Borough of
Northmoor", "NORTHMOOR B.C."), so a name is read as a place and the kinds of council it may be:
- case, accents, punctuation, "&" for "and" and a leading "The" do not count;
- "X City Council", "Council of the City of X", "City of X (Council)" are a city council;
- "X Borough Council", "X BC", "Borough of X", "X (Metropolitan) Borough Council", "X MBC", "Royal Borough of X",
  "London Borough of X" are a borough council;
- "X District Council", "X DC" a district council; "X County Council", "County of X" a county council;
  "X County Borough Council", "X CBC" a county borough council;
- "X CC" is a city or a county council (the abbreviation is used for both);
- "X Council" (and Welsh "Cyngor X") is a council of any kind; Welsh "Cyngor Sir X" is a county council,
  "Cyngor Dinas X" a city council, "Cyngor Bwrdeistref Sirol X" a county borough council.
Two names match when their places are the same and their kinds can agree. Any other body (an NHS trust, a
combined authority) matches only by its whole normalised name. Welsh and English place names (Sir Ddinbych,
Denbighshire) are not translated.
"""

import re
import unicodedata

CITY, COUNTY, BOROUGH, DISTRICT, COUNTY_BOROUGH = "city", "county", "borough", "district", "county borough"
ANY: frozenset[str] = frozenset()  # "X Council": the kind is not said

# (pattern on the normalised name, kinds); the first that matches wins, so longer forms come first.
_PREFIXES = [
    (r"council of the city of (.+)", {CITY}),
    (r"council of the county of (.+)", {COUNTY}),
    (r"council of the (?:royal |metropolitan )?borough of (.+)", {BOROUGH}),
    (r"council of the district of (.+)", {DISTRICT}),
    (r"city of (.+?)(?: council)?", {CITY}),
    (r"county of (.+?)(?: council)?", {COUNTY}),
    (r"(?:royal |london |metropolitan )?borough of (.+?)(?: council)?", {BOROUGH}),
    (r"district of (.+?)(?: council)?", {DISTRICT}),
    (r"cyngor bwrdeistref sirol (.+)", {COUNTY_BOROUGH}),
    (r"cyngor bwrdeistref (.+)", {BOROUGH}),
    (r"cyngor sir (.+)", {COUNTY}),
    (r"cyngor dinas (.+)", {CITY}),
    (r"cyngor (.+)", set()),
]
_SUFFIXES = [
    (r"(.+?) (?:metropolitan borough council|metropolitan borough|mbc)", {BOROUGH}),
    (r"(.+?) (?:county borough council|cbc)", {COUNTY_BOROUGH}),
    (r"(.+?) (?:london |royal )?(?:borough council|bc)", {BOROUGH}),
    (r"(.+?) (?:district council|dc)", {DISTRICT}),
    (r"(.+?) city council", {CITY}),
    (r"(.+?) county council", {COUNTY}),
    (r"(.+?) cc", {CITY, COUNTY}),
    (r"(.+?) council", set()),
]
_FORMS = [(re.compile(pattern), frozenset(kinds)) for pattern, kinds in _PREFIXES + _SUFFIXES]


def normalise(name: str) -> str:
    """Lower case words without accents or punctuation; "&" is "and"; no leading "the"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(character for character in text if not unicodedata.combining(character)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"['’`]", "", text)  # King's Lynn, Kings Lynn
    text = re.sub(r"(?<=\b[a-z])\.(?=[a-z]\b)", "", text)  # B.C. → BC
    text = " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())
    return text.removeprefix("the ").strip() if text != "the" else text


def buyer_name_parts(name: str) -> tuple[str, frozenset[str]]:
    """The place a council's name names and the kinds of council it may be (empty: any kind, or not a council)."""
    text = normalise(name)
    if text in {"council", "cyngor"}:
        return "", ANY  # names no place, so it cannot tell one body from another
    for pattern, kinds in _FORMS:
        match = pattern.fullmatch(text)
        if match and match[1].removeprefix("the ").strip():
            return match[1].removeprefix("the ").strip(), kinds
    return text, ANY


def same_buyer(first: str, second: str) -> bool:
    """Whether two names (as a notice and as our authority spell them) are the same body's."""
    place, kinds = buyer_name_parts(first)
    other_place, other_kinds = buyer_name_parts(second)
    if not place or place != other_place:
        return False
    return not kinds or not other_kinds or bool(kinds & other_kinds)
