"""Identikit and over-claim flags for social value offers: pure functions, no database.

The rule (issue 4, "Identikit and over-claim flags"): on submission, compare each commitment narrative and method
statement with (a) the same supplier's offers to other tenders and authorities, (b) other offers to the same
tender, (c) a list of stock phrases; keep a similarity score and the passages *of this offer* that repeat
elsewhere. Evaluators see the score and those passages — never where else they appear. Also flag narratives that
mention none of the charter's priority places or local context terms, and offers whose monetised social value or
committed jobs are implausible for the contract's value. Flags inform evaluators; they never refuse an offer.

Method
------
- Text is normalised word by word (Unicode compatibility form, accents dropped, case folded, apostrophes and
  thousands separators removed, other punctuation and whitespace treated as word breaks, numbers kept) and cut into
  overlapping *shingles* of k = 5 words. A text shorter than k words is one shingle.
- A `Corpus` cuts the comparison texts into shingle sets once; one narrative is then compared with each of them by
  exact set intersection (500 texts of 300 words: well under a second, including building the corpus).
- *Similarity* of a text to another is the share of the text's shingles found in the other, |A ∩ B| / |A|
  (containment), exact. Unlike Jaccard, it is not diluted when the other text is a longer document the narrative
  was cut from (on the labelled set, Jaccard gives 0.36 for an excerpt of a longer offer and 0.18 for a narrative
  stitched from three offers); for texts of the same length it is close to Jaccard. `jaccard` and `containment`
  compare shingle sets exactly.
- For storing and for large histories: `shingle_set` hashes shingles to stable 64-bit integers (BLAKE2b, not the
  per-process ``hash()``), `minhash_signature` gives a 128-value MinHash signature (a fixed hash family derived
  from constants), `estimate_jaccard` compares two signatures and `lsh_band_keys` gives 32 banded LSH keys to look
  up candidate near-duplicates in an index without loading their text. Pure-Python MinHash is slower than exact
  set intersection at the sizes of one tender, so the in-memory comparison does not use it.
- *Repeated passages* are maximal runs of this text's words covered by shingles that occur in any comparison text,
  kept when at least `min_words` long (12 for offers, 8 for stock phrases; or all of a shorter text), returned as
  character spans of this text only. Nothing identifies the text they were found in.
- The narrative's *score* is the larger of its highest similarity to any one other offer text and the share of its
  words inside repeated passages (other offers and stock phrases together), so a narrative stitched from several
  offers, or padded with boilerplate, scores as high as one copied whole.

Threshold
---------
``IDENTIKIT_THRESHOLD = 0.5``: a narrative is identikit when at least half of it repeats other offers or stock
phrases. Tuned on the labelled set in ``tests/tenders/fixtures/identikit/labelled.json`` (38 narratives: 19
identikit, 19 original). Originals score 0.00-0.31 (a stock sentence or two, a shared phrase naming a local
partnership, one reused paragraph); identikit narratives score 0.71-1.00, except a sentence-by-sentence paraphrase
(0.00) and a copy with a word changed every few words (0.24), which word shingles cannot see. Any threshold from
0.32 to 0.71 gives the same result; 0.5 sits in the middle of that gap and reads plainly ("half of it"). Measured:
precision 1.00, recall 0.89 (17 of 19).

Over-claims
-----------
The monetised (gross) social value is flagged when it is more than the contract value (equal is not over). Full-time
jobs are flagged when they would cost more than the contract value at `FTE_ANNUAL_COST_FLOOR` each — one year of
full-time pay at the National Living Wage, without employer's National Insurance or pension, so a conservative
floor (a job lasting a year or more cannot cost less).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from foundation.formatting import money_millions_short

DEFAULT_K = 5
DEFAULT_MIN_WORDS = 12
STOCK_MIN_WORDS = 8
IDENTIKIT_THRESHOLD = 0.5
NUM_PERM = 128
LSH_BANDS = 32
# Stored shingle sets and signatures depend on the normalisation, k and the hash: bump this when any changes.
FINGERPRINT_VERSION = 1
PENNY = Decimal("0.01")

STOCK_PHRASES_PATH = Path(__file__).resolve().parent / "data" / "stock_phrases.txt"

# National Living Wage for workers aged 21 and over from 1 April 2026: £12.71 an hour (GOV.UK, "National Minimum
# Wage and National Living Wage rates"; the Low Pay Commission's recommendation, accepted by the government in
# November 2025). Update each April.
NATIONAL_LIVING_WAGE_HOURLY = Decimal("12.71")
# 35 hours rather than the usual 37.5, and pay only (no employer's National Insurance or pension), so the floor
# understates what a full-time job costs and a flag is never raised on a plausible offer.
FULL_TIME_HOURS_PER_WEEK = Decimal("35")
WEEKS_PER_YEAR = Decimal("52")
FTE_ANNUAL_COST_FLOOR = NATIONAL_LIVING_WAGE_HOURLY * FULL_TIME_HOURS_PER_WEEK * WEEKS_PER_YEAR  # £23,132.20


# Words --------------------------------------------------------------------------------------------------------

# A number with internal separators ("1,200", "2.5"), or letters and digits with internal apostrophes ("End's").
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’][^\W_]+)*")
_DROP = str.maketrans("", "", "'’,")


class Token(NamedTuple):
    word: str  # normalised
    start: int  # character span in the original text
    end: int


@lru_cache(maxsize=1 << 16)
def _normalise_word(raw: str) -> str:
    if raw.isascii():
        word = raw.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", raw)
        word = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return word.translate(_DROP)


def tokenize(text: str) -> list[Token]:
    """The words of `text`, normalised, with where each one sits in the original."""
    return [Token(_normalise_word(match.group()), match.start(), match.end()) for match in _TOKEN_RE.finditer(text)]


def words(text: str) -> list[str]:
    """The normalised words of `text`: the same as the tokens' words, faster."""
    return [_normalise_word(raw) for raw in _TOKEN_RE.findall(text)]


def normalise(text: str) -> str:
    """Lowercase, punctuation stripped, whitespace collapsed, numbers kept: "Moor End's 1,200 trees!" →
    "moor ends 1200 trees"."""
    return " ".join(words(text))


# Shingles -----------------------------------------------------------------------------------------------------


def _hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _shingle_keys(word_list: Sequence[str], k: int) -> list[str]:
    """The k-word shingles of `word_list` as strings, in order: the i-th covers words i to i + k − 1."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if not word_list:
        return []
    if len(word_list) < k:
        return [" ".join(word_list)]
    return list(map(" ".join, zip(*(word_list[i:] for i in range(k)), strict=False)))


def shingles(word_list: Sequence[str], k: int = DEFAULT_K) -> list[int]:
    """Stable 64-bit hashes of the k-word shingles of `word_list`, in order (for MinHash and for storing)."""
    return [_hash64(key.encode()) for key in _shingle_keys(word_list, k)]


def shingle_set(text: str, k: int = DEFAULT_K) -> frozenset[int]:
    """The set of shingle hashes of `text`: what to store to compare against a text without keeping it."""
    return frozenset(shingles(words(text), k))


def jaccard(a: Collection[int], b: Collection[int]) -> float:
    """|A ∩ B| / |A ∪ B|, exactly; 0 when both are empty."""
    a, b = set(a), set(b)
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def containment(a: Collection[int], b: Collection[int]) -> float:
    """|A ∩ B| / |A|: the share of A found in B; 0 when A is empty."""
    a = set(a)
    return len(a & set(b)) / len(a) if a else 0.0


# MinHash ------------------------------------------------------------------------------------------------------

_MERSENNE_61 = (1 << 61) - 1


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[tuple[int, int], ...]:
    """(a, b) of the hash family h → (a·h + b) mod (2⁶¹ − 1), derived from fixed labels, so every process and
    Python version computes the same signatures."""
    coefficients = []
    for i in range(num_perm):
        digest = hashlib.blake2b(f"identikit-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") % (_MERSENNE_61 - 1) + 1
        b = int.from_bytes(digest[8:], "big") % _MERSENNE_61
        coefficients.append((a, b))
    return tuple(coefficients)


def minhash_signature(shingle_hashes: Iterable[int], num_perm: int = NUM_PERM) -> tuple[int, ...]:
    """The MinHash signature of a shingle set: for each of `num_perm` hash functions, the least value over the set.
    The share of positions where two signatures agree estimates the sets' Jaccard similarity. Empty set → ()."""
    values = [h % _MERSENNE_61 for h in set(shingle_hashes)]
    if not values:
        return ()
    return tuple(min((a * h + b) % _MERSENNE_61 for h in values) for a, b in _permutations(num_perm))


def estimate_jaccard(signature_a: Sequence[int], signature_b: Sequence[int]) -> float:
    if not signature_a or not signature_b:
        return 0.0
    if len(signature_a) != len(signature_b):
        raise ValueError("signatures of different lengths cannot be compared")
    return sum(x == y for x, y in zip(signature_a, signature_b, strict=True)) / len(signature_a)


def lsh_band_keys(signature: Sequence[int], bands: int = LSH_BANDS) -> tuple[str, ...]:
    """Keys for banded locality-sensitive hashing: two texts sharing any key are candidates to compare. With 128
    permutations in 32 bands of 4 rows, pairs with Jaccard 0.5 share a key with probability ≈ 0.87, pairs with 0.2
    ≈ 0.05. Store the keys in an indexed column to find a narrative's likely copies among thousands."""
    if not signature:
        return ()
    if len(signature) % bands:
        raise ValueError("the signature length must be a multiple of the number of bands")
    rows = len(signature) // bands
    keys = []
    for band in range(bands):
        chunk = b"".join(value.to_bytes(8, "big") for value in signature[band * rows : (band + 1) * rows])
        keys.append(f"{band}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return tuple(keys)


# Corpus -------------------------------------------------------------------------------------------------------


class Corpus:
    """Comparison texts cut into shingle sets once. Build it once and reuse it for every narrative of an offer.

    In memory the shingles are kept as strings: Python's own set operations on them are several times faster than
    hashing each shingle to a stable integer, and nothing here outlives the process."""

    __slots__ = ("_sets", "_union", "k")

    def __init__(self, texts: Iterable[str] = (), *, k: int = DEFAULT_K):
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not one text")
        self.k = k
        self._sets = [frozenset(_shingle_keys(words(text), k)) for text in texts]
        self._union = frozenset().union(*self._sets)

    def __len__(self) -> int:
        return len(self._sets)

    def _best_containment(self, keys: set[str]) -> float:
        """The highest share of `keys` found in any one text of the corpus."""
        if not keys or keys.isdisjoint(self._union):
            return 0.0
        return max(len(keys & other) for other in self._sets) / len(keys)


def _as_corpus(texts: Iterable[str] | Corpus, k: int) -> Corpus:
    if isinstance(texts, Corpus):
        if texts.k != k:
            raise ValueError(f"the corpus was built with k={texts.k}, not k={k}")
        return texts
    return Corpus(texts, k=k)


# Passages -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Passage:
    """A span of the assessed text, text[start:end]. Deliberately says nothing about where else it appears."""

    start: int
    end: int
    text: str


def _covered_runs(keys: Sequence[str], n_words: int, corpora: Sequence[Corpus], k: int, min_words: int):
    """Maximal runs of words [first, last) covered by a shingle found in any of `corpora`, at least `min_words`."""
    unions = [corpus._union for corpus in corpora]
    runs = []
    start = end = None
    for i, key in enumerate(keys):
        if any(key in union for union in unions):
            if start is not None and i <= end:
                end = min(i + k, n_words)
            else:
                if start is not None:
                    runs.append((start, end))
                start, end = i, min(i + k, n_words)
    if start is not None:
        runs.append((start, end))
    # A text shorter than `min_words` has a passage only when all of it is repeated.
    return [(first, last) for first, last in runs if last - first >= min(min_words, n_words)]


def _merge_runs(runs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for first, last in sorted(runs):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(first, last) for first, last in merged]


def _passages(text: str, tokens: Sequence[Token], runs: Iterable[tuple[int, int]]) -> list[Passage]:
    passages = []
    for first, last in runs:
        start, end = tokens[first].start, tokens[last - 1].end
        passages.append(Passage(start, end, text[start:end]))
    return passages


def find_repeated_passages(
    text: str, others: Iterable[str] | Corpus, *, k: int = DEFAULT_K, min_words: int = DEFAULT_MIN_WORDS
) -> list[Passage]:
    """The passages of `text` that also appear in any of `others`, as maximal character spans of `text`, in order:
    runs of at least `min_words` words (or all of a shorter text)."""
    tokens = tokenize(text)
    keys = _shingle_keys([token.word for token in tokens], k)
    runs = _covered_runs(keys, len(tokens), [_as_corpus(others, k)], k, min_words)
    return _passages(text, tokens, runs)


def stock_phrase_passages(
    text: str, phrases: Iterable[str] | Corpus, *, k: int = DEFAULT_K, min_words: int = STOCK_MIN_WORDS
) -> list[Passage]:
    """The passages of `text` that are (parts of) stock phrases; a shorter minimum, as each phrase is a sentence."""
    return find_repeated_passages(text, phrases, k=k, min_words=min_words)


def similarity(text: str, others: Iterable[str] | Corpus, *, k: int = DEFAULT_K) -> float:
    """0..1: the highest share of this text's shingles found in any one of `others` (exact containment)."""
    return _as_corpus(others, k)._best_containment(set(_shingle_keys(words(text), k)))


@lru_cache(maxsize=1)
def load_stock_phrases() -> tuple[str, ...]:
    """The shipped stock phrases: one a line; blank lines and lines starting with # are skipped."""
    lines = STOCK_PHRASES_PATH.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


# Local terms --------------------------------------------------------------------------------------------------


def _stem(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
        return word[:-1]
    return word


def _last_word_matches(term_word: str, text_word: str) -> bool:
    # Plurals and possessives: "Moor End's" and "Moor Ends'" normalise to "moor ends"; "estates" ~ "estate".
    return text_word == term_word or text_word == term_word + "es" or _stem(text_word) == _stem(term_word)


def local_terms_mentioned(text: str, terms: Iterable[str]) -> list[str]:
    """The `terms` that `text` mentions, in the order given. Matching is on whole words, ignoring case, accents
    and punctuation ("Moor-End" and "moor end" match "Moor End"), and the term's last word may take a plural or
    possessive ending ("Moor End's"). Spelling variants are not matched: "Eastwood" does not match "East Wood" or
    "East Ward", and "Moor" does not match "Moorland"."""
    text_words = words(text)
    found = []
    for term in dict.fromkeys(terms):
        term_words = words(term)
        if not term_words:
            continue
        *head, last = term_words
        span = len(term_words)
        for i in range(len(text_words) - span + 1):
            if text_words[i : i + span - 1] == head and _last_word_matches(last, text_words[i + span - 1]):
                found.append(term)
                break
    return found


# The assessment -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NarrativeAssessment:
    score: float  # 0..1, see the module docstring
    repeated_passages: tuple[Passage, ...]  # of this text only, merged, in order
    is_identikit: bool  # score ≥ the threshold
    mentions_local: bool  # mentions at least one of the local terms
    reasons: tuple[str, ...]  # for an evaluator; never says where else a passage appears
    repeated_share: float = 0.0  # share of the text's words inside repeated passages
    local_terms_found: tuple[str, ...] = ()


def assess_narrative(
    text: str,
    *,
    same_supplier_texts: Iterable[str] | Corpus,
    same_tender_texts: Iterable[str] | Corpus,
    stock_phrases: Iterable[str] | Corpus,
    local_terms: Iterable[str],
    threshold: float = IDENTIKIT_THRESHOLD,
    k: int = DEFAULT_K,
    min_words: int = DEFAULT_MIN_WORDS,
) -> NarrativeAssessment:
    """How much of one narrative repeats (a) the same supplier's other offers, (b) other offers to the same tender
    and (c) stock phrases, and whether it mentions the charter's priority places or local terms.

    Pass `Corpus` objects to assess many narratives of one offer against the same texts without re-indexing."""
    supplier = _as_corpus(same_supplier_texts, k)
    tender = _as_corpus(same_tender_texts, k)
    stock = _as_corpus(stock_phrases, k)
    terms = [term for term in local_terms if words(term)]
    tokens = tokenize(text)
    keys = _shingle_keys([token.word for token in tokens], k)
    n_words = len(tokens)

    offer_runs = _covered_runs(keys, n_words, [supplier, tender], k, min_words)
    stock_runs = _covered_runs(keys, n_words, [stock], k, min(min_words, STOCK_MIN_WORDS))
    runs = _merge_runs(offer_runs + stock_runs)

    def share(some_runs) -> float:
        return sum(last - first for first, last in _merge_runs(some_runs)) / n_words if n_words else 0.0

    key_set = set(keys)
    offers_similarity = max(supplier._best_containment(key_set), tender._best_containment(key_set))
    offers_part = max(offers_similarity, share(offer_runs))
    stock_part = share(stock_runs)
    repeated_share = share(runs)
    score = max(offers_similarity, repeated_share)
    is_identikit = n_words > 0 and score >= threshold
    found = local_terms_mentioned(text, terms)

    reasons = []
    if not n_words:
        reasons.append("There is no text to compare.")
    elif is_identikit:
        if offers_part >= threshold:
            reasons.append(f"Much of this text repeats other offers (similarity {score:.2f}).")
        elif stock_part >= threshold:
            reasons.append(
                f"Much of this text is stock phrasing common to social value offers (similarity {score:.2f})."
            )
        else:
            reasons.append(f"Much of this text repeats other offers and stock phrases (similarity {score:.2f}).")
    elif offer_runs and stock_runs:
        reasons.append(f"Some passages repeat other offers or stock phrases (similarity {score:.2f}).")
    elif offer_runs:
        reasons.append(f"Some passages repeat other offers (similarity {score:.2f}).")
    elif stock_runs:
        reasons.append(f"Some passages are stock phrases common to social value offers (similarity {score:.2f}).")
    if terms and not found:
        reasons.append("Mentions none of the charter's priority places or local terms.")

    return NarrativeAssessment(
        score=score,
        repeated_passages=tuple(_passages(text, tokens, runs)),
        is_identikit=is_identikit,
        mentions_local=bool(found),
        reasons=tuple(reasons),
        repeated_share=repeated_share,
        local_terms_found=tuple(found),
    )


# Over-claims --------------------------------------------------------------------------------------------------


def _decimal(value, name: str) -> Decimal:
    if isinstance(value, (bool, float)):
        raise TypeError(f"{name} must be a Decimal or an int, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite amount")
    return value


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def overclaim_flags(
    *,
    contract_value: Decimal,
    monetised_gross: Decimal,
    fte_committed: Decimal | None = None,
    fte_cost_floor: Decimal = FTE_ANNUAL_COST_FLOOR,
) -> list[str]:
    """Reasons an offer's quantities look implausible for the contract — flags for evaluators, not refusals.

    - the monetised gross social value is more than the contract value (equal is not over);
    - `fte_committed` full-time-equivalent jobs, each costing at least `fte_cost_floor` a year, cost more than the
      contract value."""
    contract_value = _decimal(contract_value, "contract_value")
    monetised_gross = _decimal(monetised_gross, "monetised_gross")
    fte_cost_floor = _decimal(fte_cost_floor, "fte_cost_floor")
    if contract_value <= 0:
        raise ValueError("contract_value must be more than 0")
    if monetised_gross < 0:
        raise ValueError("monetised_gross must not be negative")
    if fte_cost_floor <= 0:
        raise ValueError("fte_cost_floor must be more than 0")

    flags = []
    worth = money_millions_short(contract_value)
    if monetised_gross > contract_value:
        flags.append(
            f"The offer's social value ({money_millions_short(monetised_gross)}) is more than the contract is worth "
            f"({worth})."
        )
    if fte_committed is not None:
        fte = _decimal(fte_committed, "fte_committed")
        if fte < 0:
            raise ValueError("fte_committed must not be negative")
        jobs_cost = fte * fte_cost_floor
        if jobs_cost > contract_value:
            jobs = "1 full-time job" if fte == 1 else f"{_number(fte)} full-time jobs"
            flags.append(
                f"The offer commits {jobs}, which would cost at least {money_millions_short(jobs_cost)} a year "
                f"({money_millions_short(fte_cost_floor)} each), more than the contract is worth ({worth})."
            )
    return flags
