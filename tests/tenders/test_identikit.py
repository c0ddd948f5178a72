"""The identikit and over-claim rules (tenders/identikit.py).

Measured on the labelled set (tests/tenders/fixtures/identikit/labelled.json, 38 narratives: 19 identikit, 19
original) at the default threshold of 0.5: precision 1.00, recall 0.89 (17 of 19 identikit narratives flagged; the
two missed are a sentence-by-sentence paraphrase and a copy with a word changed every few words). Originals score at
most 0.31, the other identikit narratives at least 0.71. Run with `-s` to see the figures and every case's score.
"""

import dataclasses
import itertools
import json
import random
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foundation.formatting import money_millions_short
from tenders.identikit import (
    FTE_ANNUAL_COST_FLOOR,
    IDENTIKIT_THRESHOLD,
    Corpus,
    NarrativeAssessment,
    Passage,
    assess_narrative,
    containment,
    estimate_jaccard,
    find_repeated_passages,
    jaccard,
    load_stock_phrases,
    local_terms_mentioned,
    lsh_band_keys,
    minhash_signature,
    normalise,
    overclaim_flags,
    shingle_set,
    shingles,
    similarity,
    stock_phrase_passages,
    tokenize,
    words,
)

LABELLED = Path(__file__).parent / "fixtures" / "identikit" / "labelled.json"

# A vocabulary of made-up words, so generated texts share nothing by accident.
VOCABULARY = [f"{a}{b}{c}" for a in "bdfgklmnprstvz" for b in ("a", "e", "i", "o", "u", "ai", "ou") for c in "lmnrst"]
word_lists = st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=80)


def text_of(word_list, rng=None):
    """Words joined with varied punctuation and spacing, as a person would type them."""
    rng = rng or random.Random(len(word_list))
    separators = [" ", " ", " ", ", ", ". ", "  ", "\n", " — ", "; "]
    out = []
    for i, word in enumerate(word_list):
        out.append(word.capitalize() if i == 0 or rng.random() < 0.1 else word)
        out.append(rng.choice(separators) if i < len(word_list) - 1 else ".")
    return "".join(out)


# Words and shingles -------------------------------------------------------------------------------------------


def test_normalise_lowercases_strips_punctuation_keeps_numbers():
    assert normalise("Moor End’s  1,200 trees —\tplanted in Ynys Môn!  2.5 FTE; Café") == (
        "moor ends 1200 trees planted in ynys mon 2.5 fte cafe"
    )
    assert normalise("") == ""
    assert normalise("   ...  ") == ""


def test_tokens_point_back_into_the_original_text():
    text = "We’ll plant 1,200 trees in Moor-End's parks."
    for token in tokenize(text):
        assert normalise(text[token.start : token.end]) == token.word
    assert [token.word for token in tokenize(text)] == ["well", "plant", "1200", "trees", "in", "moor", "ends", "parks"]


def test_shingles_are_stable_across_processes():
    # Stored fingerprints depend on these values: a change here must bump FINGERPRINT_VERSION.
    assert sorted(shingle_set("The quick brown fox jumps over")) == [11033456989573087361, 14029935466038595319]
    assert minhash_signature(shingle_set("The quick brown fox jumps over"))[:3] == (
        369731895592831274,
        1103426827749855872,
        596785856272924928,
    )


@given(word_lists, st.integers(min_value=1, max_value=7))
def test_shingle_count(word_list, k):
    expected = 0 if not word_list else max(1, len(word_list) - k + 1)
    assert len(shingles(word_list, k)) == expected


def test_shingles_ignore_case_and_punctuation():
    assert shingle_set("Social value, at the HEART of it!") == shingle_set("social value at the heart of it")
    with pytest.raises(ValueError):
        shingles(["a"], 0)


@given(st.frozensets(st.integers(min_value=0, max_value=50)), st.frozensets(st.integers(min_value=0, max_value=50)))
def test_jaccard_and_containment_are_exact(a, b):
    j = jaccard(a, b)
    assert j == jaccard(b, a)
    assert 0 <= j <= 1
    if a or b:
        assert j == len(a & b) / len(a | b)
    assert containment(a, b) >= j
    if a:
        assert jaccard(a, a) == 1 == containment(a, a | b)


# MinHash ------------------------------------------------------------------------------------------------------


def hashed(numbers):
    return {shingles([f"item{n}"], 1)[0] for n in numbers}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (range(0, 300), range(100, 400)),  # 0.5
        (range(0, 300), range(30, 330)),  # 0.82
        (range(0, 300), range(250, 550)),  # 0.09
        (range(0, 1000), range(0, 900)),  # 0.9
    ],
)
def test_minhash_estimates_jaccard(a, b):
    exact = jaccard(hashed(a), hashed(b))
    estimate = estimate_jaccard(minhash_signature(hashed(a)), minhash_signature(hashed(b)))
    assert abs(estimate - exact) < 0.12, (exact, estimate)


def test_minhash_edge_cases():
    signature = minhash_signature(hashed(range(50)))
    assert len(signature) == 128
    assert estimate_jaccard(signature, signature) == 1
    assert minhash_signature([]) == ()
    assert estimate_jaccard((), signature) == 0
    with pytest.raises(ValueError):
        estimate_jaccard(signature, signature[:64])


def test_lsh_band_keys_find_near_duplicates_only():
    base = minhash_signature(hashed(range(0, 300)))
    near = minhash_signature(hashed(range(20, 320)))  # Jaccard 0.88
    far = minhash_signature(hashed(range(1000, 1300)))
    keys = set(lsh_band_keys(base))
    assert len(keys) == 32
    assert keys & set(lsh_band_keys(near))
    assert not keys & set(lsh_band_keys(far))
    assert lsh_band_keys(()) == ()
    with pytest.raises(ValueError):
        lsh_band_keys(base, bands=30)


# Corpus and similarity ----------------------------------------------------------------------------------------

TEMPLATE = (
    "Our staff will give 400 hours of volunteering a year to community projects, chosen with the council for "
    "voluntary service. Teams from our depot will run practical days with friends groups, clearing overgrown "
    "footpaths and repairing benches in the parks that the groups care for."
)


def test_similarity():
    assert similarity(TEMPLATE, [TEMPLATE]) == 1
    assert similarity(TEMPLATE, []) == 0
    assert similarity("", [TEMPLATE]) == 0
    assert similarity(TEMPLATE, ["Something else entirely, written for this tender alone."]) == 0
    # Containment: a narrative cut from a longer document is wholly repeated, though Jaccard would be low.
    long_document = TEMPLATE + " " + text_of(VOCABULARY[:200])
    excerpt = TEMPLATE
    assert similarity(excerpt, [long_document, "unrelated text"]) == 1
    assert jaccard(shingle_set(excerpt), shingle_set(long_document)) < 0.3
    # The highest over the others, not an average.
    half = " ".join(TEMPLATE.split()[:22]) + " " + text_of(VOCABULARY[300:322])
    assert 0.3 < similarity(half, [TEMPLATE]) < 0.7
    assert similarity(half, ["unrelated", TEMPLATE, half]) == 1


def test_a_corpus_gives_the_same_answers_as_the_texts():
    others = [TEMPLATE, text_of(VOCABULARY[:100])]
    corpus = Corpus(others)
    narrative = "New words here. " + TEMPLATE
    assert similarity(narrative, corpus) == similarity(narrative, others) > 0.9
    assert find_repeated_passages(narrative, corpus) == find_repeated_passages(narrative, others)
    assert len(corpus) == 2
    assert words(text_of(VOCABULARY[:30])) == [token.word for token in tokenize(text_of(VOCABULARY[:30]))]


def test_corpus_refuses_mistakes():
    with pytest.raises(TypeError):
        Corpus(TEMPLATE)  # one text, not a list of texts
    with pytest.raises(ValueError):
        similarity(TEMPLATE, Corpus([TEMPLATE], k=4))


# Passages -----------------------------------------------------------------------------------------------------


def test_passages_cover_the_copied_part_and_nothing_else():
    new_before = "In Moor End we will start with the play area on Wesley Street, which has been closed twice."
    new_after = "Kieran, who joined us from the Moor End youth club, will lead the work."
    text = f"{new_before} {TEMPLATE}\n\n{new_after}"
    other = "A different introduction that is not in the text at all. " + TEMPLATE + " And a different ending."
    passages = find_repeated_passages(text, [other])
    assert len(passages) == 1
    (passage,) = passages
    assert text[passage.start : passage.end] == passage.text
    assert passage.text == TEMPLATE.rstrip(".")  # the span ends at the last word
    assert "introduction" not in passage.text and "ending" not in passage.text


def test_passage_says_nothing_about_where_it_came_from():
    assert [field.name for field in dataclasses.fields(Passage)] == ["start", "end", "text"]
    assert [field.name for field in dataclasses.fields(NarrativeAssessment)] == [
        "score",
        "repeated_passages",
        "is_identikit",
        "mentions_local",
        "reasons",
        "repeated_share",
        "local_terms_found",
    ]


def test_short_shared_runs_are_not_passages():
    text = "We will work with the friends group to repair the benches, then plant bulbs along the canal."
    other = "Unrelated opening words. We will work with the friends group to repair the fence instead."
    assert find_repeated_passages(text, [other]) == []  # 10 shared words < 12
    assert find_repeated_passages(text, [other], min_words=8)[0].text == (
        "We will work with the friends group to repair the"
    )


def test_a_short_text_is_a_passage_only_when_all_of_it_repeats():
    # Fewer than k words: one shingle, matched only by the same short text.
    assert find_repeated_passages("See the attached plan.", ["Please see the attached plan."]) == []
    assert find_repeated_passages("See the attached plan.", ["see the ATTACHED plan"]) == [
        Passage(0, 21, "See the attached plan")
    ]
    copied = "We will employ local people on this contract."  # 8 words, shorter than min_words
    result = assess(copied, tender=[f"Another bidder wrote: {copied}"])
    assert result.is_identikit and result.score == 1
    assert [p.text for p in result.repeated_passages] == [copied.rstrip(".")]


def test_passages_from_several_others_are_merged_and_sorted():
    words_a, words_b, words_c = VOCABULARY[:20], VOCABULARY[20:40], VOCABULARY[40:60]
    text = text_of(words_a + words_b + words_c)
    # The first two copied from two different texts, back to back, merge into one span; the third is new.
    passages = find_repeated_passages(text, [text_of(words_b + VOCABULARY[100:110]), text_of(words_a)])
    assert len(passages) == 1
    assert words(passages[0].text) == words_a + words_b


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(VOCABULARY[:150]), min_size=0, max_size=60),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=12, max_value=40),
    st.lists(st.sampled_from(VOCABULARY[150:]), min_size=0, max_size=30),
    st.randoms(use_true_random=False),
)
def test_passages_are_spans_of_the_text_covering_the_copy(text_words, copy_at, copy_length, foreign_words, rng):
    text = text_of(text_words, rng)
    tokens = tokenize(text)
    copied = [token.word for token in tokens][copy_at : copy_at + copy_length]
    # The other text: foreign words (never in `text`) around a copied run of the text's words.
    other = text_of(foreign_words[:15] + copied + foreign_words[15:], rng)
    passages = find_repeated_passages(text, [other])
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text
        assert len(words(passage.text)) >= min(12, len(tokens))
        assert not set(words(passage.text)) & set(foreign_words)
    assert all(a.end < b.start for a, b in itertools.pairwise(passages))
    if len(copied) >= 12:
        first, last = tokens[copy_at], tokens[copy_at + len(copied) - 1]
        assert any(p.start <= first.start and last.end <= p.end for p in passages)


# Stock phrases ------------------------------------------------------------------------------------------------


def test_the_shipped_stock_phrases():
    phrases = load_stock_phrases()
    assert 35 <= len(phrases) <= 45
    assert len({normalise(phrase) for phrase in phrases}) == len(phrases)
    assert all(len(words(phrase)) >= 10 for phrase in phrases)
    assert not any(phrase.startswith("#") for phrase in phrases)


def test_stock_phrases_are_found_whatever_the_case_and_punctuation():
    text = (
        "In Lowgate, WE ARE COMMITTED to making a positive impact on the communities in which we operate — and we "
        "will repaint the subway under the ring road."
    )
    (passage,) = stock_phrase_passages(text, load_stock_phrases())
    assert passage.text == "WE ARE COMMITTED to making a positive impact on the communities in which we operate"
    assert stock_phrase_passages("We will repaint the subway under the ring road.", load_stock_phrases()) == []


# Local terms --------------------------------------------------------------------------------------------------

TERMS = ["Moor End", "Eastwood", "St Anne's", "Harbourside Estate", "Calder Valley", "Holme Bank"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Work starts in Moor End next spring.", ["Moor End"]),
        ("We will ask Moor End's residents first.", ["Moor End"]),  # possessive
        ("Moor End’s tenants (curly apostrophe)", ["Moor End"]),
        ("the MOOR-END play area", ["Moor End"]),  # case and hyphen
        ("across the Moor\nEnd estate", ["Moor End"]),  # a line break inside the name
        ("both Eastwoods", ["Eastwood"]),  # plural
        ("at St. Anne's church hall", ["St Anne's"]),
        ("St Annes", ["St Anne's"]),
        ("the Harbourside Estates", ["Harbourside Estate"]),
        ("Calder Valley and Holme Bank", ["Calder Valley", "Holme Bank"]),  # in the order given
        ("Eastwood, Moor End and Eastwood again", ["Moor End", "Eastwood"]),
        # Not matches: other words, parts of words, spelling variants, a name split by other words.
        ("East Ward is a different ward.", []),
        ("East Wood is spelled differently.", []),
        ("Eastwoodside is a different place.", []),
        ("The moorland at the end of the road.", []),
        ("Moor Lane, then the End Cottage.", []),
        ("Harbourside alone is not the estate's name.", []),
        ("", []),
    ],
)
def test_local_terms(text, found):
    assert local_terms_mentioned(text, TERMS) == found


def test_local_terms_edge_cases():
    assert local_terms_mentioned("Moor End", []) == []
    assert local_terms_mentioned("Moor End", ["", "  ", "—"]) == []
    assert local_terms_mentioned("Moor End and Moor End", ["Moor End", "Moor End"]) == ["Moor End"]


# The assessment -----------------------------------------------------------------------------------------------


def assess(text, *, supplier=(), tender=(), terms=("Moor End", "Eastwood"), **kwargs):
    return assess_narrative(
        text,
        same_supplier_texts=list(supplier),
        same_tender_texts=list(tender),
        stock_phrases=load_stock_phrases(),
        local_terms=list(terms),
        **kwargs,
    )


def test_a_copied_narrative_is_identikit_and_says_why():
    past = TEMPLATE.replace("community projects", "community projects in Ashby")
    result = assess(TEMPLATE.replace("community projects", "community projects in Moor End"), supplier=[past])
    assert result.is_identikit
    assert result.score >= 0.8
    assert result.mentions_local and result.local_terms_found == ("Moor End",)
    assert result.reasons == (f"Much of this text repeats other offers (similarity {result.score:.2f}).",)
    assert "Ashby" not in " ".join(result.reasons) + " ".join(p.text for p in result.repeated_passages)


def test_an_original_local_narrative_is_not_flagged():
    text = (
        "The play area on Wesley Street in Moor End has been closed twice this year after vandalism. We will inspect "
        "it every weekday morning, fix broken fencing within 48 hours and replace the surfacing under the frame."
    )
    result = assess(text, supplier=[TEMPLATE], tender=[TEMPLATE])
    assert not result.is_identikit
    assert result.score == 0
    assert result.repeated_passages == ()
    assert result.reasons == ()


def test_boilerplate_and_missing_local_terms():
    phrases = load_stock_phrases()
    result = assess(" ".join(phrases[:3]))
    assert result.is_identikit
    assert not result.mentions_local
    assert result.reasons == (
        f"Much of this text is stock phrasing common to social value offers (similarity {result.score:.2f}).",
        "Mentions none of the charter's priority places or local terms.",
    )


def test_some_repetition_below_the_threshold_is_reported_softly():
    text = (
        f"{load_stock_phrases()[0]} In Eastwood that means repairing the allotment society's raised beds at the "
        "Cross Lane site, rebuilding the path to the gate for wheelchair users, fitting two new water tanks, and "
        "paying the skip hire for the spring clear-out each year."
    )
    result = assess(text)
    assert not result.is_identikit
    assert result.reasons == (
        f"Some passages are stock phrases common to social value offers (similarity {result.score:.2f}).",
    )
    assert [p.text for p in result.repeated_passages] == [load_stock_phrases()[0].rstrip(".")]


def test_stitched_from_several_sources_scores_as_the_share_repeated():
    a, b, c = (text_of(VOCABULARY[i : i + 30]) for i in (0, 30, 60))
    result = assess(f"{a} {b} {c}", supplier=[a], tender=[b], terms=())
    # No single other text holds more than a third, but two thirds of it repeats something.
    assert result.repeated_share == pytest.approx(2 / 3)
    assert result.score == pytest.approx(2 / 3)
    assert result.is_identikit
    assert [words(p.text) for p in result.repeated_passages] == [words(a) + words(b)]


def test_threshold_and_empty_text():
    text = text_of(VOCABULARY[:40])
    other = text_of(VOCABULARY[:20] + VOCABULARY[200:240])
    assert assess(text, supplier=[other], threshold=0.4).is_identikit
    assert not assess(text, supplier=[other], threshold=0.6).is_identikit
    empty = assess("  ", supplier=[other])
    assert (empty.score, empty.is_identikit, empty.mentions_local) == (0, False, False)
    assert empty.reasons == (
        "There is no text to compare.",
        "Mentions none of the charter's priority places or local terms.",
    )
    assert assess("Moor End", terms=()).reasons == ()  # no local terms: nothing to say about them


def test_the_assessment_is_immutable():
    result = assess(TEMPLATE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 0


# The labelled set ---------------------------------------------------------------------------------------------


def test_precision_and_recall_on_the_labelled_set():
    data = json.loads(LABELLED.read_text(encoding="utf-8"))
    stock = Corpus(load_stock_phrases())
    outcomes = []
    print(f"\nIdentikit labelled set: {len(data['cases'])} narratives, threshold {IDENTIKIT_THRESHOLD}")
    for case in data["cases"]:
        result = assess_narrative(
            case["text"],
            same_supplier_texts=[data["texts"][key] for key in case["same_supplier"]],
            same_tender_texts=[data["texts"][key] for key in case["same_tender"]],
            stock_phrases=stock,
            local_terms=data["local_terms"][case["tender"]],
        )
        for passage in result.repeated_passages:
            assert case["text"][passage.start : passage.end] == passage.text
        outcomes.append((case["label"] == "identikit", result.is_identikit))
        mark = "ok  " if outcomes[-1][0] == outcomes[-1][1] else "MISS"
        print(f"  {mark} {case['id']} {case['label']:9} {case['kind']:24} score {result.score:.2f}")
    true_positives = sum(actual and flagged for actual, flagged in outcomes)
    precision = true_positives / sum(flagged for _, flagged in outcomes)
    recall = true_positives / sum(actual for actual, _ in outcomes)
    print(f"  precision {precision:.2f}, recall {recall:.2f}")
    assert precision >= 0.8
    assert recall >= 0.8
    assert len(outcomes) >= 30
    assert {label for label, _ in outcomes} == {True, False}


# Performance --------------------------------------------------------------------------------------------------


def test_one_offer_against_500_others_is_fast():
    rng = random.Random(4)
    others = [text_of(rng.choices(VOCABULARY, k=300), rng) for _ in range(500)]
    # An offer of 10 narratives of 300 words; some copy parts of the others.
    narratives = []
    for i in range(10):
        own = rng.choices(VOCABULARY, k=300)
        if i % 3 == 0:
            own[50:150] = words(others[i * 7])[:100]
        narratives.append(text_of(own, rng))
    stock = load_stock_phrases()
    terms = ["Moor End", "Eastwood", "Harbourside", "Lowgate"] * 10

    started = time.perf_counter()
    supplier, tender = Corpus(others[:250]), Corpus(others[250:])
    results = [
        assess_narrative(
            text, same_supplier_texts=supplier, same_tender_texts=tender, stock_phrases=stock, local_terms=terms
        )
        for text in narratives
    ]
    elapsed = time.perf_counter() - started

    started = time.perf_counter()
    assess_narrative(
        narratives[0], same_supplier_texts=others, same_tender_texts=[], stock_phrases=stock, local_terms=terms
    )
    one_unindexed = time.perf_counter() - started
    print(f"\n10 narratives against 500 others: {elapsed:.3f}s; one, not pre-indexed: {one_unindexed:.3f}s")
    assert elapsed < 2
    assert one_unindexed < 2
    assert [result.repeated_share > 0.3 for result in results] == [i % 3 == 0 for i in range(10)]


# Over-claims --------------------------------------------------------------------------------------------------


def test_the_fte_cost_floor():
    # £12.71 an hour (National Living Wage from April 2026) × 35 hours × 52 weeks.
    assert money_millions_short(FTE_ANNUAL_COST_FLOOR) == "£23,132.20"


def test_social_value_more_than_the_contract():
    assert overclaim_flags(contract_value=Decimal("800000"), monetised_gross=Decimal("1200000")) == [
        "The offer's social value (£1.2m) is more than the contract is worth (£800,000)."
    ]
    assert overclaim_flags(contract_value=Decimal("800000"), monetised_gross=Decimal("800000")) == []  # equal
    assert overclaim_flags(contract_value=Decimal("800000"), monetised_gross=Decimal("800000.01")) == [
        "The offer's social value (£800,000.01) is more than the contract is worth (£800,000)."
    ]


def test_jobs_more_than_the_contract_could_pay():
    flags = overclaim_flags(contract_value=Decimal("800000"), monetised_gross=Decimal("0"), fte_committed=Decimal("40"))
    assert flags == [
        "The offer commits 40 full-time jobs, which would cost at least £925,288 a year (£23,132.20 each), "
        "more than the contract is worth (£800,000)."
    ]
    assert overclaim_flags(contract_value=Decimal("800000"), monetised_gross=Decimal("0"), fte_committed=34) == []
    one = overclaim_flags(contract_value=Decimal("20000"), monetised_gross=Decimal("0"), fte_committed=Decimal("1.0"))
    assert one[0].startswith("The offer commits 1 full-time job, which would cost at least £23,132.20 a year")
    half = overclaim_flags(contract_value=Decimal("10000"), monetised_gross=Decimal("0"), fte_committed=Decimal("2.50"))
    assert half[0].startswith("The offer commits 2.5 full-time jobs")
    # Exactly what the contract could pay is not over.
    floor = Decimal("20000")
    assert (
        overclaim_flags(contract_value=Decimal("100000"), monetised_gross=0, fte_committed=5, fte_cost_floor=floor)
        == []
    )
    assert overclaim_flags(
        contract_value=Decimal("100000"), monetised_gross=Decimal("100001"), fte_committed=6, fte_cost_floor=floor
    )[1].startswith("The offer commits 6 full-time jobs")


def test_overclaim_input_is_checked():
    with pytest.raises(TypeError):
        overclaim_flags(contract_value=800000.0, monetised_gross=Decimal("1"))
    with pytest.raises(TypeError):
        overclaim_flags(contract_value=Decimal("800000"), monetised_gross=Decimal("1"), fte_committed=True)
    with pytest.raises(ValueError):
        overclaim_flags(contract_value=Decimal("0"), monetised_gross=Decimal("1"))
    with pytest.raises(ValueError):
        overclaim_flags(contract_value=Decimal("1"), monetised_gross=Decimal("-1"))
    with pytest.raises(ValueError):
        overclaim_flags(contract_value=Decimal("1"), monetised_gross=Decimal("0"), fte_committed=Decimal("-1"))
    with pytest.raises(ValueError):
        overclaim_flags(contract_value=Decimal("NaN"), monetised_gross=Decimal("0"))


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e10"), places=2)


@given(contract=money, gross=st.one_of(money, st.just(Decimal("0"))), fte=st.none() | st.decimals(0, 10000, places=1))
def test_overclaim_flags_exactly_when_over(contract, gross, fte):
    flags = overclaim_flags(contract_value=contract, monetised_gross=gross, fte_committed=fte)
    value_flags = [flag for flag in flags if flag.startswith("The offer's social value")]
    job_flags = [flag for flag in flags if flag.startswith("The offer commits")]
    assert len(value_flags) == (gross > contract)
    assert len(job_flags) == (fte is not None and fte * FTE_ANNUAL_COST_FLOOR > contract)
    assert len(flags) == len(value_flags) + len(job_flags)
    assert all(money_millions_short(contract) in flag for flag in flags)
