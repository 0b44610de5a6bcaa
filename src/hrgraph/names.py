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
   Two more ways for a word to match: a *given name* of the same class of the table
   :data:`GIVEN_NAMES` (Мікалай / Николай / Mikołaj, Арцём / Артём: spellings no key can
   bridge), counted only beside another word matched by its keys (the surname); and a long word
   (:data:`LONG_WORD` letters or more) with two adjacent letters swapped (``Bialiastki``: a
   misspelling). A masculine and a feminine form (``Alesin`` / ``Alesina``) never match.

:func:`confidence` grades a match: ``"high"`` (similarity ≥ :data:`HIGH_CONFIDENCE` with two whole
words, or two one-word names: ``hrgraph add`` refuses such a new entry unless it says what it is)
or ``"low"`` (a warning: also whenever a consonant differs, ``Statkevich`` / ``Stankevich``, or
a given name matched only through the table beside a surname whose keys differ, or a misspelling
beside anything but a given name matched by its keys); for organisations, a name that merely
contains the other's words and more names a part or a whole, not the same body.

PyICU's transliterators were the first choice, but PyICU builds from source here (it needs the ICU
headers), so ``unidecode`` (pure Python) does the script conversion and this module the rest.
The frozen set ``tests/data/name-pairs.csv`` measures precision and recall (tests/test_names.py).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz.distance import Indel
from unidecode import unidecode

from hrgraph.errors import InputError

__all__ = [
    "GIVEN_NAMES",
    "HIGH_CONFIDENCE",
    "LACINKA",
    "Comparison",
    "NameMatch",
    "best_match",
    "compare",
    "confidence",
    "given_name_class",
    "load_given_names",
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
#: (tests/test_duplicates.py, 234 pairs): the true pairs of two or more words score 0.9375 or
#: more ("Alienevich" / "Alinevich" is the lowest); the only negatives that pass
#: :data:`WORD_THRESHOLD` differ in a consonant (Statkevich / Stankevich, 0.944: "low" whatever
#: the score), and without the threshold the closest others score 0.90 (one word the same, the
#: other 0.8: "Marfa Rabkovskaya", "Yauheniya Vaskovich"). 0.9 lies between.
HIGH_CONFIDENCE = 0.9
#: Least number of letters of a word in which two swapped adjacent letters count as a
#: misspelling (``Bialiastki`` / ``Bialiatski``). Shorter words swapped are too often another
#: name; 8 keeps every negative of the frozen set out.
LONG_WORD = 8
#: The table of given names that are one name across Belarusian, Russian, Ukrainian, Polish and
#: English (one row per class; data/reference/README.md says where the forms come from).
GIVEN_NAMES = Path(__file__).resolve().parents[2] / "data" / "reference" / "given-names.csv"

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


def load_given_names(path: Path = GIVEN_NAMES) -> dict[str, str]:
    """The given-name table at ``path``: the phonetic key of every form (Latin or Cyrillic
    column, ``;``-separated) → its class (column ``class``).

    Raises:
        InputError: the file is missing or unreadable, a column is missing, a row has no class
            or no form, a form is not one word, or one key falls in two classes (naming the
            file and line).
    """
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"cannot read the given-name table: {err}", path=str(path)) from None
    if rows and not {"class", "latin", "cyrillic"} <= set(rows[0]):
        raise InputError("the given-name table needs the columns class, latin, cyrillic",
                         path=str(path), line=1)
    table: dict[str, str] = {}
    where: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        name = (row.get("class") or "").strip()
        forms = [f.strip() for column in ("latin", "cyrillic")
                 for f in (row.get(column) or "").split(";") if f.strip()]
        if not name or not forms:
            raise InputError("a row needs a class and at least one form", path=str(path),
                             line=line)
        for form in [name, *forms]:
            words = normalise(form).split()
            if len(words) != 1:
                raise InputError(f"the form {form!r} is not one word", path=str(path), line=line)
            key = phonetic(words[0])
            if table.get(key, name) != name:
                raise InputError(f"the form {form!r} has the key of class {table[key]!r} "
                                 f"(line {where[key]}) too", path=str(path), line=line)
            table[key], where[key] = name, where.get(key, line)
    return table


@cache
def _given_names() -> dict[str, str]:
    return load_given_names()


def given_name_class(word: str) -> str | None:
    """The class of the given-name table :data:`GIVEN_NAMES` a name (one word, any script or
    spelling its phonetic key shares) belongs to, or None.

    >>> given_name_class("Николай") == given_name_class("Mikołaj") == "Mikalai"
    True
    """
    words = normalise(word).split()
    return _given_names().get(phonetic(words[0])) if len(words) == 1 else None


def _words(name: str) -> list[str]:
    return [w for w in normalise(name).split() if w not in STOPWORDS]


def _consonants(key: str) -> str:
    # German, Polish and Łacinka "ch" is х: the key's C (English ч) and X stay one consonant here.
    return re.sub(r"[aeiou]", "", key).replace("X", "C")


def _gendered(a: str, b: str) -> bool:
    """Whether one key is the other's feminine form (Alesin / Alesina, Aliaksandr / -a)."""
    short, long_ = sorted((a, b), key=len)
    return long_ == short + "a" and short[-1:] not in "aeiou"


def _transposed(a: str, b: str) -> bool:
    """Whether two long words differ only by two swapped adjacent letters."""
    if len(a) != len(b) or len(a) < LONG_WORD or a == b:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and (
        a[diff[1]] == b[diff[0]])


def _word_similarity(a: str, b: str) -> tuple[float, str | None]:
    """How two normalised words match: a score and how (None: they do not).

    ``initial`` (a lone initial that fits: 1.0), ``same`` (equal phonetic keys), ``keys``
    (keys alike ≥ :data:`WORD_THRESHOLD`), ``consonant`` (as alike, but a consonant differs:
    maybe another name), ``table`` (one class of given names: 1.0) or ``misspelt`` (two adjacent
    letters swapped in a long word: the similarity of the letters)."""
    if len(a) == 1 or len(b) == 1:
        return (1.0, "initial") if phonetic(a)[:1] == phonetic(b)[:1] else (0.0, None)
    key_a, key_b = phonetic(a), phonetic(b)
    if key_a == key_b:
        return 1.0, "same"
    if _gendered(key_a, key_b):
        return 0.0, None
    score = Indel.normalized_similarity(key_a, key_b)
    if score >= WORD_THRESHOLD and _consonants(key_a) == _consonants(key_b):
        return score, "keys"
    given = _given_names().get(key_a)
    if given is not None and given == _given_names().get(key_b):
        return 1.0, "table"  # Уладзіслаў / Владислав: У and В, but one name
    if score >= WORD_THRESHOLD:
        return score, "consonant"
    if _transposed(a, b):
        return Indel.normalized_similarity(a, b), "misspelt"
    return 0.0, None


@dataclass(frozen=True)
class Comparison:
    """How two names compare (:func:`compare`)."""

    score: float  # :func:`similarity`
    whole_words: int  # words matched as words, not as initials
    words: tuple[int, int]  # how many words each name has (stopwords left out)
    extra: tuple[str, ...]  # words of the longer name left unmatched (not an acronym of the rest)
    kinds: tuple[str, ...] = ()  # how each pair of words matched (:func:`_word_similarity`)


def _acronym(words: list[str]) -> str:
    return "".join(w[0] for w in words)


def compare(a: str, b: str) -> Comparison:
    """The best one-to-one pairing of the shorter name's words with the longer name's words:
    its mean similarity (0 if a word finds no partner ≥ :data:`WORD_THRESHOLD`, or only
    initials matched), how many whole words matched, and which words of the longer name are
    left over. A left-over word that is the acronym of the other name ("Belarusian Association
    of Journalists (BAJ)") is not counted as left over. A given name matched only through the
    table :data:`GIVEN_NAMES` needs another word matched by its keys (``same``, ``keys`` or
    ``consonant``), else the names do not match."""
    words_a, words_b = _words(a), _words(b)
    sizes = (len(words_a), len(words_b))
    if not words_a or not words_b:
        return Comparison(0.0, 0, sizes, ())
    short, long_ = sorted((words_a, words_b), key=len)
    free = list(long_)
    scores = []
    kinds = []
    whole = 0
    for word in sorted(short, key=len, reverse=True):  # initials last: they fit too easily
        best, best_score, best_kind = None, 0.0, None
        for candidate in free:
            score, kind = _word_similarity(word, candidate)
            if kind is not None and score > best_score:
                best, best_score, best_kind = candidate, score, kind
        if best is None or best_kind is None:
            return Comparison(0.0, 0, sizes, ())
        free.remove(best)
        scores.append(best_score)
        kinds.append(best_kind)
        whole += len(word) > 1 and len(best) > 1
    if not whole or ("table" in kinds and not {"same", "keys", "consonant"} & set(kinds)):
        return Comparison(0.0, 0, sizes, ())
    acronyms = {_acronym(short), _acronym(normalise(a if short is words_a else b).split())}
    extra = tuple(w for w in free if w not in acronyms)
    return Comparison(sum(scores) / len(scores), whole, sizes, extra, tuple(kinds))


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
    an initial, a misspelt single word — are ``"low"``. Also ``"low"``: a pair of words whose
    consonants differ (``Statkevich`` / ``Stankevich``: most likely two surnames); a given name
    matched through the table unless every other word has equal keys; a swapped pair of letters
    (``Bialiastki``) unless every other word is a given name matched by its keys.

    For organisations (``organisation=True``) a name that merely contains the other's words
    and more ("Office of the United Nations High Commissioner for Human Rights" and "United
    Nations") names a part or a whole, not the same body: ``None``.
    """
    found = compare(a, b)
    if found.score == 0.0 or (organisation and found.extra):
        return None
    kinds = set(found.kinds)
    if found.score < HIGH_CONFIDENCE or not (found.whole_words >= 2 or found.words == (1, 1)):
        return "low"
    if "consonant" in kinds or ("table" in kinds and kinds - {"table", "same"}):
        return "low"
    if "misspelt" in kinds and (kinds - {"misspelt", "same", "keys"} or found.kinds.count(
            "misspelt") > 1 or found.whole_words < 2):
        return "low"
    return "high"


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
