"""Names that may be the same person or organisation, across scripts and spellings.

``Алесь Бяляцкі``, ``Ales Bialiatski``, ``Алесь Беляцкий``, ``Aleś Bialacki`` and ``A. Bialiatski``
are one man. To see that, each name is

1. *normalised* (:func:`normalise`): Unicode NFKC, lower case, quotes and punctuation removed,
   Łacinka letters spelt out by the small table :data:`LACINKA` (``č`` → ``ch``, ``c`` stays the
   ``ts`` sound), then transliterated to ASCII by ``unidecode`` (Cyrillic, diacritics);
2. turned into *phonetic keys* per word (:func:`phonetic`) that forget what transliteration
   systems and the Belarusian/Russian forms of a name disagree on: ``ts``/``c``, ``kh``/``h``,
   ``w``/``v``, iotated vowels (``ia``/``ya``/``je`` …), ``e``/``o`` as ``a`` (Belarusian
   *akanne*: Танкачова / Тонкачева), ``h``/``g`` (Belarusian Сяргей/Siarhei, Russian Sergei), ``dz``
   /``d`` (Вадзім / Вадим), a final ``ŭ``/``v`` (Касінераў / Косинеров), doubled letters;
3. *compared* word by word in any order (:func:`similarity`): every word of the shorter name must
   match a different word of the longer one, a lone initial (``A.``) matching any word that
   starts with the same sound, other words by their keys (``rapidfuzz`` ratio ≥
   :data:`WORD_THRESHOLD`). Patronymics and middle names of the longer name may stay unmatched.

:func:`confidence` grades a match: ``"high"`` (similarity ≥ :data:`HIGH_CONFIDENCE` with two whole
words, or two one-word names: ``hrgraph add`` refuses such a new entry unless it says what it is)
or ``"low"`` (a warning); for organisations, a name that merely contains the other's words and
more names a part or a whole, not the same body.

PyICU's transliterators were the first choice, but PyICU builds from source here (it needs the ICU
headers), so ``unidecode`` (pure Python) does the script conversion and this module the rest.
The frozen set ``tests/data/name-pairs.csv`` measures precision and recall (tests/test_names.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Indel
from unidecode import unidecode

__all__ = [
    "HIGH_CONFIDENCE",
    "LACINKA",
    "Comparison",
    "NameMatch",
    "best_match",
    "compare",
    "confidence",
    "matches",
    "normalise",
    "phonetic",
    "same_name",
    "similarity",
]

#: Belarusian Latin (Łacinka) letters as the English-style transliteration spells them. unidecode
#: would drop the diacritic (``č`` → ``c``) and so confuse ``č`` with ``c`` (= ``ts``).
LACINKA = {
    "č": "ch", "š": "sh", "ž": "zh", "ł": "l", "ŭ": "u", "ć": "ts", "ś": "s", "ź": "z",
    "ń": "n", "c": "ts",
}
#: Only names with one of these letters are read as Łacinka (so the ``c`` of "Centre" stays).
_LACINKA_MARKERS = set("čšžłŭćśźń")

#: Words that do not distinguish names of organisations.
STOPWORDS = frozenset({"the", "of", "and", "for", "on", "in"})

#: Least similarity (0–1) of the phonetic keys of two words that count as the same word.
WORD_THRESHOLD = 0.87
#: Least :func:`similarity` of a high-confidence match (:func:`confidence`): a new person or
#: organisation that matches an existing one this well is refused by ``hrgraph add`` unless the
#: contribution says what it is. Measured on ``tests/data/name-pairs.csv``
#: (tests/test_duplicates.py): the true pairs of two or more words score 0.944 or more (German
#: "Michalewitsch" is the lowest); no negative passes :data:`WORD_THRESHOLD`, and without it the
#: closest negatives score 0.90 (one word the same, the other 0.8: "Marfa Rabkovskaya") and
#: 0.873 (both words near the threshold: "Alesia Bialiatskaya"). 0.9 lies between.
HIGH_CONFIDENCE = 0.9

_APOSTROPHES = re.compile(r"['’ʼ`´]")  # a soft sign comes out of unidecode as '
_QUOTES_AND_PUNCTUATION = re.compile(r"[\"«»„“”‘‚‹›<>.,;:!?()\[\]{}/\\–—-]+")

# Transliteration variants, longest first; upper-case letters stand for one sound each.
_SOUNDS = [
    ("ck", "k"), ("shch", "S"), ("tsch", "C"), ("sch", "S"), ("zh", "Z"), ("kh", "X"), ("ch", "C"),
    ("sh", "S"), ("ts", "c"), ("tz", "c"), ("dz", "d"), ("ph", "f"), ("w", "v"),
    ("x", "ks"), ("q", "k"),
]
_IOTATED = [(re.compile(r"[iyj]([aeiou])"), r"\1")]


def normalise(name: str) -> str:
    """``name`` in lower-case ASCII words, without quotes or punctuation.

    >>> normalise("Алесь «Бяляцкі»")
    'ales bialiatski'
    >>> normalise("Aleś Bialacki")
    'ales bialiatski'
    """
    text = unicodedata.normalize("NFKC", name).lower()
    if _LACINKA_MARKERS & set(text):
        text = text.replace("ch", "kh")  # Łacinka ch is х; its č is ч
        text = "".join(LACINKA.get(ch, ch) for ch in text)
    text = _QUOTES_AND_PUNCTUATION.sub(" ", text)  # before unidecode, which makes « into <<
    text = _APOSTROPHES.sub("", unidecode(text))
    text = _QUOTES_AND_PUNCTUATION.sub(" ", text)
    return " ".join(text.split())


def phonetic(word: str) -> str:
    """A key for one normalised word that transliteration variants share.

    >>> phonetic("bialiatski") == phonetic("beliatskii") == phonetic("byalyatski")
    True
    """
    key = word
    for old, new in _SOUNDS:
        key = key.replace(old, new)
    for pattern, replacement in _IOTATED:
        key = pattern.sub(replacement, key)
    key = key.replace("y", "i").replace("j", "i")
    key = re.sub(r"(?<=[aeiou])[vu](?=[^aeiou]|$)", "", key)  # ў, -ov / -au
    key = key.replace("e", "a").replace("o", "a").replace("h", "g")
    key = re.sub(r"(.)\1+", r"\1", key)
    return key


def _words(name: str) -> list[str]:
    return [w for w in normalise(name).split() if w not in STOPWORDS]


def _word_similarity(a: str, b: str) -> float:
    """1.0 for an initial that fits, else the similarity of the phonetic keys."""
    if len(a) == 1 or len(b) == 1:
        return 1.0 if phonetic(a)[:1] == phonetic(b)[:1] else 0.0
    return Indel.normalized_similarity(phonetic(a), phonetic(b))


@dataclass(frozen=True)
class Comparison:
    """How two names compare (:func:`compare`)."""

    score: float  # :func:`similarity`
    whole_words: int  # words matched as words, not as initials
    words: tuple[int, int]  # how many words each name has (stopwords left out)
    extra: tuple[str, ...]  # words of the longer name left unmatched (not an acronym of the rest)


def _acronym(words: list[str]) -> str:
    return "".join(w[0] for w in words)


def compare(a: str, b: str) -> Comparison:
    """The best one-to-one pairing of the shorter name's words with the longer name's words:
    its mean similarity (0 if a word finds no partner ≥ :data:`WORD_THRESHOLD`, or only
    initials matched), how many whole words matched, and which words of the longer name are
    left over. A left-over word that is the acronym of the other name ("Belarusian Association
    of Journalists (BAJ)") is not counted as left over."""
    words_a, words_b = _words(a), _words(b)
    sizes = (len(words_a), len(words_b))
    if not words_a or not words_b:
        return Comparison(0.0, 0, sizes, ())
    short, long_ = sorted((words_a, words_b), key=len)
    free = list(long_)
    scores = []
    whole = 0
    for word in sorted(short, key=len, reverse=True):  # initials last: they fit too easily
        best, best_score = None, 0.0
        for candidate in free:
            score = _word_similarity(word, candidate)
            if score > best_score:
                best, best_score = candidate, score
        if best is None or best_score < WORD_THRESHOLD:
            return Comparison(0.0, 0, sizes, ())
        free.remove(best)
        scores.append(best_score)
        whole += len(word) > 1 and len(best) > 1
    if not whole:
        return Comparison(0.0, 0, sizes, ())
    acronyms = {_acronym(short), _acronym(normalise(a if short is words_a else b).split())}
    extra = tuple(w for w in free if w not in acronyms)
    return Comparison(sum(scores) / len(scores), whole, sizes, extra)


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0–1: the mean similarity of the best one-to-one pairing of the
    shorter name's words with the longer name's words (0 if a word finds no partner ≥
    :data:`WORD_THRESHOLD`, or only initials matched)."""
    return compare(a, b).score


def same_name(a: str, b: str) -> bool:
    """Whether two names may name the same person or organisation."""
    return similarity(a, b) > 0.0


def confidence(a: str, b: str, *, organisation: bool = False) -> str | None:
    """``"high"`` when two names are very likely one entity's, ``"low"`` when they may be,
    ``None`` when they do not match.

    High: a :func:`similarity` of at least :data:`HIGH_CONFIDENCE` with at least two whole words
    matched (given name and surname, not an initial), or two one-word names. On the frozen set
    ``tests/data/name-pairs.csv`` that keeps every negative out (precision 1.00) and catches
    most true pairs (tests/test_duplicates.py prints the figures); the rest — a surname alone,
    an initial, a misspelt single word — are ``"low"``.

    For organisations (``organisation=True``) a name that merely contains the other's words
    and more ("Office of the United Nations High Commissioner for Human Rights" and "United
    Nations") names a part or a whole, not the same body: ``None``.
    """
    found = compare(a, b)
    if found.score == 0.0 or (organisation and found.extra):
        return None
    if found.score >= HIGH_CONFIDENCE and (found.whole_words >= 2 or found.words == (1, 1)):
        return "high"
    return "low"


@dataclass(frozen=True)
class NameMatch:
    """An existing entity whose name matches a new one."""

    entity: str
    name: str  # the existing name that matched
    new_name: str
    score: float
    level: str = "low"  # "high" or "low" (:func:`confidence`)
    new_entity: str | None = None  # the new resource, when the caller knows it


def matches(names: list[str], candidates: dict[str, list[str]], *,
            organisation: bool = False) -> list[NameMatch]:
    """Each existing entity (IRI → its names) a name of ``names`` matches, with its best match:
    high-confidence matches first, then by score, then by IRI."""
    best: dict[str, NameMatch] = {}
    for new_name in names:
        for entity, existing in candidates.items():
            for name in existing:
                level = confidence(new_name, name, organisation=organisation)
                if level is None:
                    continue
                match = NameMatch(entity, name, new_name, similarity(new_name, name), level)
                old = best.get(entity)
                if old is None or _rank(match) > _rank(old):
                    best[entity] = match
    return sorted(best.values(), key=lambda m: (m.level != "high", -m.score, m.entity))


def _rank(match: NameMatch) -> tuple[bool, float]:
    return match.level == "high", match.score


def best_match(names: list[str], candidates: dict[str, list[str]], *,
               organisation: bool = False) -> NameMatch | None:
    """The existing entity (IRI → its names) whose names best match any of ``names``: a
    high-confidence match before a low one, then by score."""
    found = matches(names, candidates, organisation=organisation)
    return found[0] if found else None
