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
    "LACINKA",
    "NameMatch",
    "best_match",
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


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0–1: the mean similarity of the best one-to-one pairing of the
    shorter name's words with the longer name's words (0 if a word finds no partner ≥
    :data:`WORD_THRESHOLD`, or only initials matched)."""
    words_a, words_b = _words(a), _words(b)
    if not words_a or not words_b:
        return 0.0
    short, long_ = sorted((words_a, words_b), key=len)
    free = list(long_)
    scores = []
    full_word = False
    for word in sorted(short, key=len, reverse=True):  # initials last: they fit too easily
        best, best_score = None, 0.0
        for candidate in free:
            score = _word_similarity(word, candidate)
            if score > best_score:
                best, best_score = candidate, score
        if best is None or best_score < WORD_THRESHOLD:
            return 0.0
        free.remove(best)
        scores.append(best_score)
        full_word = full_word or (len(word) > 1 and len(best) > 1)
    return sum(scores) / len(scores) if full_word else 0.0


def same_name(a: str, b: str) -> bool:
    """Whether two names may name the same person or organisation."""
    return similarity(a, b) > 0.0


@dataclass(frozen=True)
class NameMatch:
    """An existing entity whose name matches a new one."""

    entity: str
    name: str  # the existing name that matched
    new_name: str
    score: float


def best_match(names: list[str], candidates: dict[str, list[str]]) -> NameMatch | None:
    """The existing entity (IRI → its names) whose names best match any of ``names``."""
    best: NameMatch | None = None
    for new_name in names:
        for entity, existing in candidates.items():
            for name in existing:
                score = similarity(new_name, name)
                if score > 0 and (best is None or score > best.score):
                    best = NameMatch(entity, name, new_name, score)
    return best
