"""Drafting a contribution from a statement's text (``hrgraph draft TEXT -o draft.xlsx``).

A first version of the spreadsheet a person would fill by hand (the template of
:mod:`hrgraph.spreadsheet`), made by rules only — no network, no language model:

1. **The header.** A text copy may start with ``Key: value`` lines (``Title:``, ``Date:``,
   ``Source:`` or ``URL:``, ``Language:``, ``Publisher/author:`` …), closed by a line ``---`` (the
   convention of ``data/sources/``) or by the first blank line (the shared ``sources/more/``
   files). :func:`read_header` reads it; the document row comes from it.
2. **Units.** The text after the header is cut into its title line, bullets and sentences
   (:func:`units`). A line break joins two lines when the next one starts in lower case (stored
   copies break lines mid-sentence); a blank line, a bullet (``•``, ``-``, ``1.``) or an inline
   `` - `` after a full stop starts a new unit.
3. **Candidate demands.** A unit that asks for something (:func:`demand_cue`): a cue such as
   "call on", "urge", "demand", "must", "should", "we ask", "it is critical that", "патрабуем",
   "требуем" …, or a unit that begins with a verb in the imperative (the first words of the
   action-type labels, and :data:`IMPERATIVES`). Questions, past reports ("called on") and
   impersonal remarks ("It should be noted that …", "It should be reminded that …") are not.
   Its quote is the unit's words exactly as the text has them. A stored partial copy ends at
   its marker (``[... stored text ends here ...]``, :data:`hrgraph.quotes.END_MARKER`).
4. **Names.** Every name of a person, organisation, group, legal provision, mechanism or country
   in the built graph, in any script, is looked for in the unit (:class:`Gazetteer`: word by word
   after :func:`hrgraph.names.normalise`, a word also matching by its phonetic key or, for an
   inflected Belarusian or Russian form, by its stem). Capitalised phrases that are no known name
   are looked up as the saved query ``find-by-name`` does (a known name containing them), else
   proposed as new, with a guessed kind; so are phrases naming groups ("all political
   prisoners"), and acronyms (``GUBAZIK``, with what the text spells out in brackets after it
   as the name). A name's span keeps its quote marks whole (``Human Rights Center “Viasna”``).
   "his", "her", "the mandate" take the last person or mechanism named before. The names of
   units that ask for nothing become ``mentions`` rows (:func:`spoken_about`); a new provision
   there gets a provisions row with its kind, article, code and the code's country.
5. **Suggestions.** The action type and topics whose labels, alternative or hidden labels share the
   most words with the unit; who is asked ("call on X to", "X to adopt", a list's introduction).

**Every value a rule chose is marked** with :data:`MARK` (``[?] release``, ``[?] person:…``): the
import (:func:`hrgraph.spreadsheet.read_contribution`) refuses a workbook that still has a mark and
lists every one (:func:`check_confirmed`), so nothing is merged until a person has confirmed each
suggestion by deleting its mark (or deleted the row). Words copied from the text — the quote, a
header's title and URL — carry no mark. The workbook's ``README`` sheet (not read by the import)
says why each row was drafted and what each name was matched to.

:func:`score` measures the drafts against the hand-written gold of ``tests/gold/``: recall (gold
demands whose quote some candidate's quote contains), precision (candidates that contain a gold
quote), targets right, and action types right.

Why one module: the drafting rules form one pipeline (header, units, cues, names, suggestions,
workbook, scoring) tuned together against the gold; the seam if it grows: the gazetteer of names,
which other readers could use.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hrgraph.errors import InputError
from hrgraph.names import best_match, normalise, phonetic, similarity
from hrgraph.project import Project

__all__ = [
    "MARK",
    "Candidate",
    "Draft",
    "Gazetteer",
    "Header",
    "Mention",
    "Scores",
    "Unit",
    "check_confirmed",
    "demand_cue",
    "draft_file",
    "draft_text",
    "known_iris",
    "read_gold",
    "read_header",
    "score",
    "unconfirmed",
    "units",
    "write_draft",
]

#: The mark that starts every suggested value; the import refuses cells that still carry it.
MARK = "[?] "

FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

# --------------------------------------------------------------------------- reading the file

#: Largest text file drafted (a statement is a few pages; a book is not a statement).
MAX_TEXT_BYTES = 1_000_000


def read_text(path: Path, *, shown: str | None = None) -> str:
    """The text of a UTF-8 file; a missing, binary, non-UTF-8 or huge file is an InputError."""
    shown = shown or str(path)
    if not path.exists():
        raise InputError("file not found", path=shown)
    if not path.is_file():
        raise InputError("not a file: give a plain text file (.txt)", path=shown)
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise InputError(f"the text is {size:,} bytes, more than the {MAX_TEXT_BYTES:,} a "
                         "statement may have: draft one statement at a time", path=shown)
    data = path.read_bytes()
    if b"\0" in data or data[:4] in (b"PK\x03\x04", b"%PDF"):
        raise InputError("this is a binary file (a PDF, a workbook …), not plain text: save the "
                         "statement as a UTF-8 .txt file first", path=shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text: save the statement as UTF-8", path=shown,
                         line=line) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("the file is empty", path=shown)
    return text


@dataclass
class Header:
    """The ``Key: value`` lines at the top of a text copy, and the text after them."""

    fields: dict[str, str]  # key in lower case → value
    body: str
    form: str | None  # "---" (closed by a --- line), "blank" (by a blank line) or None

    def get(self, *keys: str) -> str:
        """The first of ``keys`` (lower case) that the header has, else ''."""
        for key in keys:
            if self.fields.get(key):
                return self.fields[key]
        return ""


_HEADER_LINE = re.compile(r"([A-Z][A-Za-z /-]{0,30}):\s*(.*)")
_HEADER_KEYS = {"title", "date", "source", "url", "language", "publisher/author", "author",
                "publisher", "signatories", "status", "completeness", "note"}


def read_header(text: str) -> Header:
    """Split a text copy into its header fields and its body (see the module doc).

    A block counts as a header only when every line is ``Key: value`` and one key is
    ``Title``, ``Date``, ``Source`` or ``URL``; otherwise the whole text is the body.
    """
    for separator, form in (("\n---\n", "---"), ("\n\n", "blank")):
        head, sep, body = text.partition(separator)
        if not sep:
            continue
        fields: dict[str, str] = {}
        lines = [line for line in head.split("\n") if line.strip()]
        for line in lines:
            match = _HEADER_LINE.fullmatch(line.strip())
            if not match:
                break
            fields.setdefault(match.group(1).strip().lower(), match.group(2).strip())
        else:
            if lines and {"title", "date", "source", "url"} & set(fields) \
                    and set(fields) <= _HEADER_KEYS | set(fields):
                return Header(fields, body, form)
    return Header({}, text, None)


_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MONTHS.update({m: i for i, m in enumerate(
    ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"], start=1)})
_MONTHS.update({"augustus": 8, "maart": 3, "juni": 6, "juli": 7, "oktober": 10})


def parse_date(text: str) -> str:
    """The first date in ``text`` as ``YYYY-MM-DD`` (``YYYY`` alone when only a year is
    certain is not guessed: ''), or '' when it states none ("not stated")."""
    if not text or re.match(r"\s*(not stated|unknown|undated)", text, re.I):
        return ""
    match = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if match:
        return match.group(0)
    month_names = "|".join(sorted(_MONTHS, key=len, reverse=True))
    match = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+({month_names})\s+(\d{{4}})\b",
                      text, re.I)
    if match:
        return f"{match.group(3)}-{_MONTHS[match.group(2).lower()]:02d}-{int(match.group(1)):02d}"
    match = re.search(rf"\b({month_names})\s+(\d{{1,2}}),?\s+(\d{{4}})\b", text, re.I)
    if match:
        return f"{match.group(3)}-{_MONTHS[match.group(1).lower()]:02d}-{int(match.group(2)):02d}"
    match = re.search(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b", text)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
    return ""


_LANGUAGE_NAMES = {"english": "en", "belarusian": "be", "russian": "ru", "french": "fr",
                   "german": "de", "polish": "pl", "ukrainian": "uk"}


def guess_language(text: str) -> str:
    """``be``, ``ru`` or ``en`` by the letters of ``text`` (Belarusian has і and ў, Russian и, щ,
    ъ), ``fr`` by a few French words."""
    letters = set(text.lower())
    cyrillic = len(_CYRILLIC.findall(text))
    if cyrillic * 2 < len(re.findall(r"[A-Za-z]", text)):
        letters = set()  # mostly Latin letters: a Cyrillic name or title does not decide
    if letters & set("ўі"):
        return "be"
    if letters & set("ищъ"):
        return "ru"
    if re.search(r"\b(?:le|la|les|des|du|une|et)\b", text) and \
            len(re.findall(r"\b(?:le|la|les|des|du)\b", text)) > len(re.findall(r"\bthe\b", text)):
        return "fr"
    return "en"


def _language(header: Header, body: str) -> tuple[str, bool]:
    """The document's language code and whether it was guessed (not written in the header)."""
    value = header.get("language").strip()
    if re.fullmatch(r"[a-z]{2,3}", value):
        return value, False
    first = value.split()[0].lower().strip(",;()") if value else ""
    if first in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[first], True
    return guess_language(body), True


# --------------------------------------------------------------------------- units


@dataclass
class Unit:
    """A title line, bullet or sentence of the body: ``text`` is ``body[start:end]``."""

    text: str
    start: int
    end: int
    kind: str  # "title", "bullet" or "sentence"
    block: int  # index of the line-joined block it comes from
    introduces: bool = False  # ends with ":" (a list follows)
    marker: str = ""  # a bullet's kind of mark: "number", "letter" or "symbol"


_MONTH_WORDS = ("January|February|March|April|May|June|July|August|September|October|"
                "November|December")
_BULLET = re.compile(r"(?:[•●▪◦*·]|[-–—](?=\s)|\(?\d{1,2}[.)](?=\s)(?!\s+(?:" + _MONTH_WORDS
                     + r")\b)|\(?[a-z][.)](?=\s))\s*")
_INLINE_BULLET = re.compile(r"(?<=[.;:])\s+[-–•]\s+(?=[A-Z])")
_ABBREVIATIONS = {"art", "no", "nos", "mr", "mrs", "ms", "dr", "st", "vs", "e.g", "i.e", "cf",
                  "para", "paras", "p", "pp", "ca", "approx", "etc", "inc", "ltd", "jr", "sr",
                  "prof", "gen", "col", "u.s", "u.k", "u.n", "ст", "п", "ч", "г", "гг"}
_SENTENCE_END = re.compile(r"[.!?…]+[\"”“»’)]*(?=\s+[\"“„«(]?[A-ZА-ЯЁІЎ0-9•\-–])")


def _blocks(body: str) -> list[tuple[int, int, bool]]:
    """Spans of ``body`` that belong together (lines joined), and whether each is a bullet."""
    spans: list[tuple[int, int, bool]] = []
    offset = 0
    current: list[int] | None = None  # [start, end, bullet]
    for line in body.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        stripped = line.strip()
        if not stripped:
            if current:
                spans.append((current[0], current[1], bool(current[2])))
            current = None
            continue
        lead = start + len(line) - len(line.lstrip())
        bullet = bool(_BULLET.match(stripped))
        joins = (current is not None and not bullet
                 and (stripped[0].islower() or stripped[0] in ",;)")
                 and body[current[1] - 1:current[1]] not in ".:;!?")
        if joins:
            current[1] = end
        else:
            if current:
                spans.append((current[0], current[1], bool(current[2])))
            current = [lead, end, int(bullet)]
    if current:
        spans.append((current[0], current[1], bool(current[2])))
    # Bullets written on one line after a full stop: "… since 1 May 2020. - Operationalise …"
    result = []
    for start, end, bullet in spans:
        cuts = [m for m in _INLINE_BULLET.finditer(body, start, end)]
        pieces = [start] + [m.start() for m in cuts] + [end]
        for i in range(len(pieces) - 1):
            a, b = pieces[i], pieces[i + 1]
            while a < b and body[a].isspace():
                a += 1
            result.append((a, b, bullet or i > 0))
    return result


def _is_abbreviation(text: str, end: int) -> bool:
    word = re.search(r"([\w.]+)\.$", text[:end])
    if not word:
        return False
    token = word.group(1).lower().rstrip(".")
    return (token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())
            or (token.isdigit() and len(token) <= 2))


def units(body: str) -> list[Unit]:
    """The title line (the first line, when it has no final full stop), bullets and sentences
    of ``body``, each with its exact span."""
    found: list[Unit] = []
    for index, (start, end, bullet) in enumerate(_blocks(body)):
        block = body[start:end]
        marker = ""
        if bullet:
            match = _BULLET.match(block)
            lead = match.end() if match else 0
            pieces = [(start + lead, end)]
            if match:
                mark = match.group().strip("( ")
                marker = ("number" if mark[:1].isdigit() else
                          "letter" if mark[:1].isalpha() else "symbol")
        else:
            pieces = []
            a = 0
            for match in _SENTENCE_END.finditer(block):
                if _is_abbreviation(block, match.start() + 1):
                    continue
                pieces.append((start + a, start + match.end()))
                a = match.end()
            pieces.append((start + a, end))
        for a, b in pieces:
            text = body[a:b]
            a += len(text) - len(text.lstrip())
            text = body[a:b].rstrip()
            match = re.match(r"\(?\d{1,2}[.)]\s+(?!(?:" + _MONTH_WORDS + r")\b)", text)
            if match:
                a += match.end()
                text = text[match.end():]
            if not text:
                continue
            kind = "bullet" if bullet else "sentence"
            if not found and not bullet and not re.search(r"[.!?:;]$", text):
                kind = "title"
            found.append(Unit(text, a, a + len(text), kind, index, text.endswith(":"), marker))
    return found


def quote_of(unit: Unit) -> str:
    """The unit's words without the final punctuation (``;``, ``.``, ``:``)."""
    return re.sub(r"[\s.;:,]+$", "", unit.text)


# --------------------------------------------------------------------------- demand cues

#: Verbs that begin a demand in the imperative, besides the first words of the action types'
#: labels (the vocabulary gives most: release, repeal, register, close …).
_IMPERATIVE_WORDS = """
abolish accede adopt allow amend appoint bring cease close commute comply conduct continue
cooperate create decriminalise decriminalize desist drop eliminate end ensure establish extend
fund grant guarantee halt implement include initiate introduce investigate invite launch lift
make operationalise operationalize permit prevent prosecute protect provide publish put ratify
recognise recognize refrain register reinstate release remove renew repeal respect restore
review revoke set stop strengthen support suspend take terminate train withdraw
"""
IMPERATIVES = frozenset(_IMPERATIVE_WORDS.split())

_CUES = [
    ("call on", r"\bcall(?:s|ing)?\s+(?:up)?on\b"),
    ("call for", r"\bcall(?:s|ing)?\s+for\b"),
    ("call to", r"\bcall(?:s)?\s+to\b(?=\s+(?:the|all)\b)"),
    ("urge", r"\burg(?:e|es|ing)\b"),
    ("demand", r"\b(?:we|they|[A-Z]\w+)\s+demands?\b|\bdemand(?:s)?\s+that\b"),
    ("appeal", r"\bappeal(?:s|ing)?\s+to\b"),
    ("we ask", r"\b(?:we|[A-Z]\w+)\s+asks?\b|\bask(?:s|ing)?\s+\w+(?:\s+\w+){0,4}\s+to\b"),
    ("request", r"\brequest(?:s|ing)?\s+(?:that|the|all)\b"),
    ("recommend", r"\brecommend(?:s|ing)?\b"),
    ("expect", r"\bexpect(?:s|ing)?\s+(?:the|all|[A-Z])\w*(?:\s+\w+){0,5}\s+to\b"),
    ("encourage", r"\bencourag(?:e|es|ing)\s+\w+"),
    ("invite", r"\binvit(?:e|es|ing)\s+(?:the|all|[A-Z])"),
    ("insist", r"\binsist(?:s|ing)?\b"),
    ("must", r"\bmust\b"),
    ("should", r"\bshould\b"),
    ("need to", r"\bneeds?\s+to\b"),
    ("have to", r"\b(?:has|have)\s+to\b"),
    ("it is critical", r"\bit\s+is\s+(?:critical|essential|crucial|vital|imperative|necessary|"
                       r"important)\s+(?:that|to)\b"),
    ("патрабуем", r"патрабу(?:ем|юць|е)|требу(?:ем|ют|ет)\b"),
    ("заклікаем", r"заклік(?:аем|аюць|ае)|призыва(?:ем|ют|ет)\b"),
    ("просім", r"\bпрос(?:ім|им|яць|ят)\b"),
    ("павінны", r"\bпавінн[ыаа]\b|\bдолжн[ыао]?\b|\bнеабходна\b|\bнеобходимо\b"),
    ("appelle", r"\b(?:appelle|appellent|exhorte|exhortent|demande|demandent|invite|"
                r"invitent)\b|\bdoi(?:t|vent)\b|\bdevrai(?:t|ent)\b"),
]
_CUE_PATTERNS = [(name, re.compile(pattern, re.I if name not in ("demand", "we ask") else 0))
                 for name, pattern in _CUES]
#: The demand of another document, reported: "a petition calling for …".
_REPORTED = re.compile(r"\b(?:petition|letter|resolution|appeal|declaration|campaign|report)s?\s+"
                       r"(?:calling|urging|demanding|asking)\b", re.I)
#: Impersonal phrases that introduce a statement of fact, not a request: "It should be noted
#: that …", "it must be stressed that …". They are taken out before the cues are looked for.
_IMPERSONAL = re.compile(
    r"\b(?:it|this)\s+(?:should|must|has\s+to|needs?\s+to|is\s+to|can|may)\s+be\s+"
    r"(?:noted|reminded|recalled|stressed|emphasi[sz]ed|underlined|mentioned|pointed\s+out|"
    r"said|added|highlighted|remembered|borne\s+in\s+mind|observed|recognised|recognized)\b"
    r"(?:\s+that)?", re.I)
#: A question, or a request for information rather than action.
_QUESTION = re.compile(r"\?\s*$|\bask\w*\s+(?:\w+\s+){0,4}(?:whether|if|how|what|why)\b", re.I)


def demand_cue(text: str, *, imperatives: Iterable[str] = IMPERATIVES,
               in_list: bool = False) -> str | None:
    """The cue that makes ``text`` ask for something, or None.

    ``in_list``: the text is a bullet or follows a list's introduction, where "To continue …" and
    "The European Union to adopt …" are demands too.
    """
    if _QUESTION.search(text) or _REPORTED.search(text):
        return None
    text = _IMPERSONAL.sub(" ", text)  # "It should be noted that X faced …" asks nothing
    verbs = set(imperatives)
    first = re.match(r"[\"“„«(]*([A-Za-z]+)(?:\s+(\w+))?", text)
    if first:
        word, following = first.group(1).lower(), (first.group(2) or "").lower()
        if word in verbs and following not in ("of", "for", "is", "was", "has", "and"):
            return "imperative"
        if in_list and word == "to" and following.isalpha():
            return "imperative"  # "1. To continue …" after "We call upon …:"
    if in_list and re.match(r"(?:the\s+)?[A-Z][\w’' -]{1,60}?\s+to\s+([a-z]+)", text) and \
            re.match(r"(?:the\s+)?[A-Z][\w’' -]{1,60}?\s+to\s+([a-z]+)", text).group(1) in verbs:
        return "imperative"
    for name, pattern in _CUE_PATTERNS:
        if pattern.search(text):
            return name
    return None


# --------------------------------------------------------------------------- names


@dataclass
class Mention:
    """A name in a unit: an existing entity (``iri``) or a proposed new one (``iri`` None)."""

    text: str  # the words of the text
    start: int  # offset in the body
    end: int
    kind: str  # person, organisation, group, provision, mechanism, country
    iri: str | None = None
    how: str = ""  # how it was matched, for the person who checks it
    anaphor: str = ""  # for a name taken from an earlier unit: the words here ("his")
    expansion: str = ""  # what an acronym stands for, as the text spells it out after it
    within: str | None = None  # a new provision's code, when the graph has it ("of the Code")
    jurisdiction: str | None = None  # … and that code's jurisdiction

    @property
    def new(self) -> bool:
        """Whether this proposes a new entity."""
        return self.iri is None


_KINDS = [(FOAF + "Person", "person"), (ORG + "Organization", "organisation"),
          ("Collective", "group"), ("LegalProvision", "provision"), ("Code", "provision"),
          ("http://data.europa.eu/eli/ontology#LegalResource", "provision"),
          ("InternationalMechanism", "mechanism"), ("Country", "country")]
_WORD = re.compile(r"\w+(?:[’'-]\w+)*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _tokens(text: str, offset: int = 0) -> list[tuple[str, int, int, str]]:
    """(normalised word, start, end, original) for every word; a word that normalises to
    several (``193.1`` does not: it is two words already) keeps its span for each."""
    found = []
    for match in _WORD.finditer(text):
        for word in normalise(match.group()).split():
            found.append((word, offset + match.start(), offset + match.end(), match.group()))
    return found


def _stem(word: str) -> str:
    return re.sub(r"[aeiouy]{1,2}$", "", word)


def _same_word(text_word: str, name_word: str, cyrillic: bool) -> bool:
    if text_word == name_word:
        return True
    if len(name_word) < 4 or len(text_word) < 4 or text_word.isdigit() or name_word.isdigit():
        return False
    if phonetic(text_word) == phonetic(name_word):
        return True
    if cyrillic and len(_stem(name_word)) >= 4 and _stem(text_word) == _stem(name_word):
        return True  # a Belarusian or Russian case ending: Рабковай / Рабкова
    return similarity(text_word, name_word) >= 0.9


class Gazetteer:
    """The names of the graph's people, organisations, groups, legal provisions, mechanisms and
    countries (from the store, as :mod:`hrgraph.spreadsheet` reads them), found in text."""

    def __init__(self, names: Mapping[str, list[str]], kinds: Mapping[str, str]) -> None:
        self.names = {e: list(n) for e, n in names.items() if e in kinds}
        self.kinds = dict(kinds)
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for entity, entity_names in self.names.items():
            for name in entity_names:
                words = tuple(normalise(name).split())
                while words and words[0] in ("the", "a"):
                    words = words[1:]
                if not words or (len(words) == 1 and len(words[0]) < 3 and not name.isupper()):
                    continue
                self._by_first.setdefault(words[0][:3], []).append((words, entity, name))

    @classmethod
    def from_store(cls, project: Project, store: object) -> Gazetteer:
        """The names in ``store`` (public graphs only, as the spreadsheet import reads them)."""
        from hrgraph.spreadsheet import _Known  # the import's own reading of names and types

        known = _Known(project, store).load()
        kinds = {}
        for entity, types in known.types.items():
            for cls_, kind in _KINDS:
                iri = cls_ if "/" in cls_ else project.ontology_ns + cls_
                if iri in types:
                    kinds[entity] = kind
                    break
        return cls(known.names, kinds)

    def find(self, text: str, offset: int = 0) -> list[Mention]:
        """The known names in ``text``, longest first where they overlap."""
        tokens = _tokens(text, offset)
        cyrillic = bool(_CYRILLIC.search(text))
        found: list[tuple[int, Mention]] = []
        for i, (word, _s, _e, original) in enumerate(tokens):
            keys = {word[:3]} | ({k for k in self._by_first if _same_word(word, k, cyrillic)}
                                 if cyrillic and len(word) >= 3 else set())
            for key in keys:
                for words, entity, name in self._by_first.get(key, []):
                    n = len(words)
                    window = tokens[i:i + n]
                    if len(window) < n:
                        continue
                    if n == 1 and name.isupper() and original != name:
                        continue  # acronyms by case: "US", not "us"
                    if n == 1:
                        ok = window[0][0] == words[0]
                    else:
                        ok = all(_same_word(token[0], w, cyrillic)
                                 for token, w in zip(window, words, strict=True))
                    if ok:
                        start, end = window[0][1], window[-1][2]
                        how = "exact name" if [t[0] for t in window] == list(words) else \
                            "name in another spelling or form"
                        found.append((n, Mention(text[start - offset:end - offset], start, end,
                                                 self.kinds[entity], entity,
                                                 f"{how}: {name}")))
        found.extend((n, m) for n, m in self._loose(tokens, text, offset))
        return _longest(found)

    def _loose(self, tokens: list[tuple[str, int, int, str]], text: str,
               offset: int) -> Iterable[tuple[int, Mention]]:
        """Names of four words or more whose words come in order with at most three others
        between them ("persons who were forced to leave …" for "persons forced to leave …")."""
        words_at = [t[0] for t in tokens]
        for entity, entity_names in self.names.items():
            for name in entity_names:
                words = [w for w in normalise(name).split() if w not in _STOP]
                if len(words) < 4:
                    continue
                for i, word in enumerate(words_at):
                    if word != words[0]:
                        continue
                    j, k = i, 1
                    limit = i + len(normalise(name).split()) + 3
                    while k < len(words) and j + 1 < min(limit, len(words_at)):
                        j += 1
                        if words_at[j] == words[k]:
                            k += 1
                    if k == len(words):
                        start, end = tokens[i][1], tokens[j][2]
                        yield (len(words), Mention(text[start - offset:end - offset], start, end,
                                                   self.kinds[entity], entity,
                                                   f"its words, in order: {name}"))

    def containing(self, phrase: str) -> list[str]:
        """Entities with a name that contains ``phrase`` (normalised), as ``find-by-name``."""
        key = normalise(phrase)
        if not key:
            return []
        return sorted(e for e, names in self.names.items()
                      if any(re.search(rf"\b{re.escape(key)}\b", normalise(n)) for n in names))


def _longest(found: list[tuple[int, Mention]]) -> list[Mention]:
    """The longest names where they overlap; of two on the same words, the country (the place a
    demand concerns, ``place:belarus``) before the state of the same name (``state:belarus``,
    the actor, which data/reference/states.ttl links to it by ``hrg:country``)."""
    chosen: list[Mention] = []
    for _n, mention in sorted(found, key=lambda f: (-(f[1].end - f[1].start), f[1].start,
                                                    f[1].kind != "country")):
        if any(m.start < mention.end and mention.start < m.end for m in chosen):
            continue
        chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


_CONNECTORS = {"of", "the", "for", "and", "on", "in", "de", "du", "la", "des"}
_NOT_NAMES = {"we", "the", "this", "these", "those", "it", "its", "in", "on", "as", "and",
              "however", "furthermore", "now", "today", "thank", "you", "madam", "madame",
              "mr", "mrs", "ms", "president", "ambassador", "chairman", "check", "item",
              "statement", "a", "an", "our", "their", "his", "her", "they", "all", "further",
              "moreover", "with", "since", "after", "before", "during", "under", "by", "for",
              "to", "from", "at", "that", "what", "who", "which", "there", "also", "more",
              "former", "presidential", "candidate", "journalist", "politician", "media",
              "manager", "activist", "defender", "chairperson", "ms.", "mr."} | set(_MONTHS)
_ORGANISATION_WORDS = {"office", "council", "committee", "centre", "center", "foundation",
                       "house", "union", "association", "ministry", "court", "organisation",
                       "organization", "commission", "parliament", "agency", "service",
                       "network", "watch", "international", "institute", "partnership",
                       "government", "embassy", "helsinki", "amnesty", "federation", "league",
                       "ostgruppen", "society", "party", "movement", "fund", "tv", "radio",
                       "channel", "assembly", "delegation", "mission", "directorate",
                       "department", "administration", "prison", "police", "prosecutor's"}
_MECHANISM_WORDS = {"rapporteur", "mandate", "mechanism", "review", "dialogue", "procedure",
                    "inquiry", "examination", "resolution", "process"}
_PROVISION_WORDS = {"article", "art", "code", "law", "decree", "part", "section", "statute"}
_GROUP = re.compile(
    r"\b(?:(?:all|the|other|remaining|former|many|some|these|those|\d+)\s+)*"
    r"(?:(?!(?:for|of|to|in|on|and|or|with|by|under|from|against|the|a|an|who|that)\b)"
    r"[a-z][\w-]*\s+){0,3}?"
    r"(?:political prisoners|prisoners|journalists|human rights defenders|defenders|activists|"
    r"lawyers|detainees|experts|investigators|persons|victims|protesters|students|"
    r"non-profit organi[sz]ations|organi[sz]ations)\b(?:\s+in\s+Belarus)?")
#: An acronym (GUBAZIK, OHCHR), with what it stands for when the text spells it out in brackets
#: after it: "officers of GUBAZIK (Interior Ministry’s Main Directorate for …)".
_ACRONYM = re.compile(r"(?<![\w’'-])([A-ZА-ЯЁІЎ]{3,10})(?![\w’'-])"
                      r"(?:\s*\(([A-ZА-ЯЁІЎ][^()\n]{4,150})\))?")
_NOT_ACRONYMS = {"THE", "AND", "FOR", "NOT", "ALL", "OUR", "ARE", "WHO", "YOU", "HIS", "HER",
                 "ITS", "NEW", "NOW", "END", "PDF", "URL", "USD", "EUR", "BYN", "RUB"}
#: Quote marks a name may be written in, opening → closing.
_QUOTE_PAIRS = (("“", "”"), ("«", "»"), ('"', '"'))
_MANDATE = re.compile(r"(?:the\s+)?(?:[A-Z][\w-]*(?:\s+(?:of\s+the\s+|of\s+)?[A-Z][\w-]*)*)"
                      r"[’']s\s+(?:new\s+)?(?:[a-z]+\s+){0,3}?mandate(?:\s+on\s+[A-Z]\w+)?")


def _kind_of(words: list[str]) -> str:
    lower = {re.sub(r"[’']s$", "", w.lower().strip(".,")) for w in words}
    if lower & _PROVISION_WORDS and any(w[0].isdigit() for w in words):
        return "provision"
    if lower & _MECHANISM_WORDS:
        return "mechanism"
    if lower & _ORGANISATION_WORDS or any(w.isupper() and len(w) > 1 for w in words):
        return "organisation"
    return "person"


def _capitalised_phrases(text: str, offset: int,
                         verbs: Iterable[str] = IMPERATIVES) -> list[tuple[int, int, str]]:
    """Runs of capitalised words (``Office of the High Commissioner``, ``Article 356 of the
    Criminal Code``), connectors allowed inside, leading sentence words and titles dropped."""
    words = list(re.finditer(r"[\w’'.-]+", text))
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for match in words:
        word = match.group().rstrip(".,’'") or match.group()
        capital = word[:1].isupper() or (current and word[:1].isdigit()
                                         and current[-1].group().lower().rstrip(".")
                                         in _PROVISION_WORDS)
        gap = text[current[-1].end():match.start()] if current else " "
        spaced = re.fullmatch(r"\s+", gap)
        if (capital and (not current or spaced)) or (
                current and word.lower() in _CONNECTORS and spaced):
            current.append(match)
        else:
            if current:
                runs.append(current)
            current = [match] if capital else []
        if current and re.search(r"[,;:()]", text[match.end():match.end() + 1]):
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    phrases = []
    skip = _NOT_NAMES | _CONNECTORS | set(verbs)
    for run in runs:
        while run and (run[0].group().lower().strip(".,’'") in skip):
            run = run[1:]
        while run and run[-1].group().lower() in _CONNECTORS:
            run = run[:-1]
        if run and all(m.group().isupper() and len(m.group()) > 4 for m in run):
            continue  # emphasis (IN A PUBLIC TRIAL), not a name
        capitals = [m for m in run if m.group()[:1].isupper()]
        if len(capitals) < 2 or all(m.group().lower().strip(".,’'") in _NOT_NAMES
                                    for m in capitals):
            continue
        start, end = run[0].start(), run[-1].end()
        phrase = text[start:end].rstrip(".,’'")
        phrase = re.sub(r"[’']s$", "", phrase)
        phrases.append((offset + start, offset + start + len(phrase), phrase))
    return phrases


def _slug(name: str) -> str:
    return "-".join(w for w in normalise(name).split() if w not in ("the",))[:60].strip("-")


def mentions(text: str, offset: int, gazetteer: Gazetteer,
             verbs: Iterable[str] = IMPERATIVES) -> list[Mention]:
    """Known and proposed new names in ``text`` (see the module doc, step 4)."""
    found = gazetteer.find(text, offset)

    def free(start: int, end: int) -> bool:
        return not any(m.start < end and start < m.end for m in found)

    for match in _MANDATE.finditer(text):
        start, end = offset + match.start(), offset + match.end()
        phrase = match.group()
        inner = [m for m in found if start <= m.start and m.end <= end]
        if any(m.kind == "mechanism" for m in inner):
            continue
        owner = re.split(r"[’']s\s", phrase)[0]
        known = [e for e in gazetteer.containing(re.sub(r"^the\s+", "", owner))
                 if gazetteer.kinds[e] == "mechanism"]
        found = [m for m in found if m not in inner]
        if len(known) == 1:  # "the Special Rapporteur’s mandate"
            found.append(Mention(phrase, start, end, "mechanism", known[0],
                                 f"its holder is named in: {gazetteer.names[known[0]][0]}"))
        else:
            found.append(Mention(phrase, start, end, "mechanism", None,
                                 "a mandate not in the graph"))
    for match in _ACRONYM.finditer(text):
        word = match.group(1)
        around = text[max(0, match.start() - 12):match.end() + 12]
        if word in _NOT_ACRONYMS or re.fullmatch(r"[IVXLCDM]+", word) or \
                len(re.findall(r"\b[A-ZА-ЯЁІЎ]{2,}\b", around)) > 1:
            continue  # a numeral, or emphasis in capitals (IN A PUBLIC TRIAL): no acronym
        start, end = offset + match.start(), offset + match.end()
        if not free(offset + match.start(1), offset + match.end(1)) or not free(start, end):
            continue  # a known name (OSCE, UPR), or inside one
        expansion = match.group(2) or ""
        found.append(Mention(word, start, end, _kind_of((expansion or word).split()), None,
                             "an acronym not in the graph" + (
                                 f", which the text spells out: {expansion}" if expansion
                                 else ""), expansion=expansion))
    for start, end, phrase in _capitalised_phrases(text, offset, verbs):
        inner = [m for m in found if start <= m.start and m.end <= end]
        if not free(start, end) and not (inner and _kind_of(phrase.split()) == "provision"
                                         and not any(m.end - m.start >= end - start
                                                     for m in inner)):
            continue
        kind = _kind_of(phrase.split())
        candidates = gazetteer.containing(phrase)
        if len(candidates) == 1 and kind != "provision":
            entity = candidates[0]
            found.append(Mention(phrase, start, end, gazetteer.kinds[entity], entity,
                                 f"part of the name: {gazetteer.names[entity][0]}"))
            continue
        close = best_match([phrase], {e: n for e, n in gazetteer.names.items()
                                      if gazetteer.kinds[e] == kind}) if kind == "person" else None
        if close is not None and not candidates:
            found.append(Mention(phrase, start, end, kind, close.entity,
                                 f"a similar name: {close.name}"))
            continue
        how = "not in the graph" + (f" (names containing it: {len(candidates)})"
                                    if candidates else "")
        found.append(Mention(phrase, start, end, kind, None, how))
    for match in _GROUP.finditer(text):
        start, end = offset + match.start(), offset + match.end()
        phrase = match.group()
        inner = [m for m in found if start <= m.start and m.end <= end]
        if len(phrase.split()) < 2 or (not free(start, end) and not (
                inner and all(m.kind == "country" for m in inner)
                and not any(m.start < start < m.end or m.start < end < m.end for m in found))):
            continue
        found = [m for m in found if m not in inner]
        found.append(Mention(phrase, start, end, "group", None, "a group not in the graph"))
    for mention in found:
        if not mention.expansion:
            _balance(mention, text, offset)
    return sorted(found, key=lambda m: m.start)


def _balance(mention: Mention, text: str, offset: int) -> None:
    """Widen or narrow a name's span so that its quote marks pair up: a name matched word by
    word ends inside ``Human Rights Center “Viasna”`` before the closing mark."""
    start, end = mention.start - offset, mention.end - offset
    for opening, closing in _QUOTE_PAIRS:
        span = text[start:end]
        if opening == closing:
            unpaired = span.count(opening) % 2 == 1
            if unpaired and text[end:end + 1] == closing and span.count(opening) == 1 \
                    and not span.startswith(opening):
                end += 1
            elif unpaired and span.startswith(opening):
                start += 1
            elif unpaired and span.endswith(closing):
                end -= 1
            continue
        if span.count(opening) > span.count(closing):
            if text[end:end + 1] == closing:
                end += 1
            elif span.startswith(opening):
                start += 1
        elif span.count(closing) > span.count(opening):
            if start > 0 and text[start - 1] == opening:
                start -= 1
            elif span.endswith(closing):
                end -= 1
    mention.start, mention.end, mention.text = offset + start, offset + end, text[start:end]


_PRONOUNS = {"person": re.compile(r"\b(?:his|him|he|her|she)\b", re.I),
             "mechanism": re.compile(r"\b(?:the|this|that|its)\s+(?:new\s+)?mandate\b", re.I)}


# --------------------------------------------------------------------------- vocabularies


@dataclass(frozen=True)
class Concept:
    """A vocabulary concept with the English label shown, and all its labels folded."""

    iri: str
    label: str
    labels: tuple[str, ...]


def _vocabulary(project: Project, store: object, scheme: str) -> list[Concept]:
    from hrgraph import store as stores

    rows = stores.query(store, f"""
        PREFIX skos: <{SKOS}>
        SELECT ?c ?p ?label WHERE {{
          ?c skos:inScheme <{project.vocab_base}{scheme}> ;
             ?p ?label .
          VALUES ?p {{ skos:prefLabel skos:altLabel skos:hiddenLabel }}
        }}""")
    labels: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for row in rows:
        concept, text = row["c"].value, row["label"].value
        labels.setdefault(concept, []).append(text)
        if row["p"].value == SKOS + "prefLabel" and row["label"].language == "en":
            shown[concept] = text
    return [Concept(c, shown.get(c, c.rsplit("/", 1)[-1]), tuple(v))
            for c, v in sorted(labels.items())]


_STOP = {"a", "an", "the", "of", "to", "in", "on", "for", "and", "with", "its", "their", "as",
         "by", "from", "or", "be", "is", "all", "any", "fully"}


def _word_stem(word: str) -> str:
    return word[:6] if len(word) > 6 else word


def suggest_concept(text: str, concepts: list[Concept], *, limit: int = 1,
                    verb: str | None = None) -> list[Concept]:
    """The concepts whose labels (preferred, alternative or hidden) have the most of their
    words in ``text``: a label counts when all its words are there (by their first six
    letters); labels that begin with ``verb`` (the demand's main verb) first, then longer
    labels; ties go to the label met earliest in the text."""
    words = [w for w in normalise(text).split() if w not in _STOP]
    stems = [_word_stem(w) for w in words]
    scored: list[tuple[tuple[int, ...], str, Concept]] = []
    for concept in concepts:
        best: tuple[float, int] | None = None
        for label in concept.labels:
            label_words = [_word_stem(w) for w in normalise(label).split() if w not in _STOP]
            if not label_words or not all(w in stems for w in label_words):
                continue
            where = min(stems.index(w) for w in label_words)
            leads = verb is not None and label_words[0] == _word_stem(verb)
            value = (leads, len(label_words), -where)
            if best is None or value > best:
                best = value
        if best is not None:
            scored.append((best, concept.label, concept))
    scored.sort(key=lambda s: (tuple(-v for v in s[0]), s[1]))
    chosen: list[Concept] = []
    for *_rest, concept in scored:
        if concept not in chosen:
            chosen.append(concept)
    return chosen[:limit]


def _imperatives(concepts: list[Concept]) -> set[str]:
    verbs = set(IMPERATIVES)
    for concept in concepts:
        for label in concept.labels:
            first = normalise(label).split()[:1]
            if first and first[0].isalpha() and len(first[0]) > 2 and \
                    not first[0].endswith(("ing", "ed", "tion", "ment")):
                verbs.add(first[0])
    return verbs


# --------------------------------------------------------------------------- drafting


@dataclass
class Candidate:
    """A unit that asks for something, with what the rules suggest for it."""

    unit: Unit
    quote: str
    cue: str
    action: Concept | None
    topics: list[Concept]
    addressees: list[Mention]
    targets: list[Mention]
    addressee_text: str = ""  # who is asked, when no name in it is known
    speakers: list[Mention] = field(default_factory=list)  # who makes the demand
    part_of: int | None = None  # index of the candidate that introduces its list


@dataclass
class Draft:
    """What :func:`draft_text` found: the document row, the candidates, the proposed entities."""

    document: dict[str, str]
    candidates: list[Candidate]
    header: Header
    language: str
    notes: list[str] = field(default_factory=list)
    #: Names the text holds outside its demands (:func:`spoken_about`): its mentions rows.
    mentioned: list[Mention] = field(default_factory=list)

    def new_entities(self) -> dict[str, Mention]:
        """Proposed new entities by id (slug of the name), the first mention of each."""
        found: dict[str, Mention] = {}
        for candidate in self.candidates:
            for mention in candidate.addressees + candidate.targets:
                if mention.new:
                    found.setdefault(_slug(mention.text), mention)
        for mention in self.mentioned:
            if mention.new:
                found.setdefault(_slug(mention.text), mention)
        return found


_ADDRESSEE = re.compile(
    r"\b(?:call(?:s|ing)?\s+(?:up)?on|urg(?:e|es|ing)|appeal(?:s|ing)?\s+to|expect(?:s|ing)?|"
    r"invit(?:e|es|ing)|encourag(?:e|es|ing)|ask(?:s|ing)?|request(?:s|ing)?|"
    r"recommend(?:s|ing)?\s+that|demand(?:s)?\s+that)\s+"
    r"(?P<who>.+?)(?=\s+to\s+[a-z]|\s+(?:renew|ensure|adopt|release|receive|receives)\b|:|$)")
_LEADING_ACTOR = re.compile(r"(?P<who>(?:the\s+)?[A-Z][\w’' -]{1,60}?)\s+to\s+[a-z]+")


def _split_addressees(candidate_text: str, offset: int, cue: str,
                      found: list[Mention]) -> tuple[list[Mention], str]:
    match = _ADDRESSEE.search(candidate_text)
    if not match and cue == "imperative":
        match = _LEADING_ACTOR.match(candidate_text)
        if match and match.group("who").split()[0].lower() in IMPERATIVES | {"to"}:
            match = None
    if not match:
        return [], ""
    start, end = offset + match.start("who"), offset + match.end("who")
    inside = [m for m in found if start <= m.start and m.end <= end
              and m.kind in ("person", "organisation", "group", "country")]
    return inside, match.group("who")


def draft_text(project: Project, text: str, *, name: str, store: object,
               text_file: str = "") -> Draft:
    """Draft the contribution of one statement (see the module doc).

    ``name`` is the file's name (the document's id comes from it); ``store`` the built store
    whose names and vocabularies are used; ``text_file`` the path of its copy under
    ``data/sources/`` when it has one.
    """
    from hrgraph.quotes import END_MARKER

    header = read_header(text)
    body = header.body
    marker = END_MARKER.search(body)  # a stored partial copy: the editor's end line is no text
    if marker:
        body = body[:marker.start()]
    gazetteer = Gazetteer.from_store(project, store)
    actions = _vocabulary(project, store, "action-type")
    topics = _vocabulary(project, store, "topic")
    verbs = _imperatives(actions)
    language, guessed_language = _language(header, body)
    found_units = units(body)

    document = _document_row(project, store, header, body, found_units, name, language,
                             guessed_language, text_file, gazetteer)
    candidates: list[Candidate] = []
    context_addressees: list[Mention] = []  # from a list's introduction: "We call upon X:"
    context_text = ""
    listing = False  # after an introduction, "To continue …" and "X to adopt …" ask too
    intro: int | None = None  # the candidate whose bullets follow
    last: dict[str, Mention] = {}
    outside: list[Mention] = []  # names in units that ask for nothing
    for unit in found_units:
        in_list = unit.kind == "bullet" or listing
        cue = demand_cue(unit.text, imperatives=verbs, in_list=in_list)
        found = mentions(unit.text, unit.start, gazetteer, verbs)
        if cue is None:
            if unit.kind != "bullet":
                listing, intro, context_addressees, context_text = False, None, [], ""
            outside.extend(found)
            _remember(last, found)
            continue
        addressees, who = _split_addressees(unit.text, unit.start, cue, found)
        speakers = _speakers(unit, cue, found)
        targets = [m for m in found if m not in addressees and m not in speakers]
        for kind, pattern in _PRONOUNS.items():
            anaphor = pattern.search(unit.text)
            if kind in last and anaphor and not any(m.kind == kind for m in targets):
                carried = last[kind]
                targets.append(Mention(carried.text, carried.start, carried.end, kind,
                                       carried.iri, f"{anaphor.group()!r}, named before",
                                       anaphor.group()))
        if unit.introduces and unit.kind != "bullet" and not targets and (addressees or who):
            # "We call upon the international community:" introduces a list, asks nothing.
            context_addressees, context_text, listing, intro = addressees, who, True, None
            _remember(last, found)
            continue
        parent = intro if intro is not None and unit.marker != candidates[intro].unit.marker \
            else None
        if not addressees and not who and parent is not None:
            addressees = list(candidates[parent].addressees)
            who = candidates[parent].addressee_text
        elif not addressees and not who and in_list:
            addressees, who = list(context_addressees), context_text
        candidates.append(Candidate(
            unit, quote_of(unit), cue,
            (suggest_concept(unit.text, actions, verb=_main_verb(unit.text, verbs))
             or [None])[0],
            suggest_concept(unit.text, topics, limit=2), addressees, targets,
            "" if addressees else who, speakers, parent))
        if parent is None:  # a new list item or sentence: its own bullets may follow
            intro = len(candidates) - 1 if unit.introduces else None
            listing = listing or unit.introduces
        _remember(last, found)
    return Draft(document, candidates, header, language,
                 mentioned=spoken_about(project, store, outside, candidates))


#: Last words that make a capitalised phrase no person's name ("Election Day").
_NOT_PERSON_TAILS = {"day", "week", "campaign", "campaigns", "elections", "election", "law",
                     "code", "constitution", "constitutions", "declaration", "covenant",
                     "convention", "charter", "programme", "program", "prize", "award",
                     "commissioner", "rapporteur", "president", "minister", "secretary",
                     "ambassador", "director", "chair", "chairperson", "council", "office"}


def spoken_about(project: Project, store: object, found: list[Mention],
                 candidates: list[Candidate]) -> list[Mention]:
    """The names of ``found`` (names in units that ask for nothing) that a document
    ``hrg:mentions``: people, organisations, groups, provisions and mechanisms, each once, not
    those its demands already name, nor countries. Of new ones only what is likely a name: an
    organisation, a provision, a mechanism, a person of two to four capitalised words (no
    "Election Day"); new groups ("detained protesters") are left out. A new provision gets the
    code it names (``of the Criminal Code``) and that code's jurisdiction, from the graph."""
    import pyoxigraph as ox

    hrg = project.ontology_ns
    demanded = {m.iri or _slug(m.text) for c in candidates for m in c.addressees + c.targets}
    chosen: dict[str, Mention] = {}
    codes = {m.iri for m in found if m.kind == "provision" and m.iri and any(
        True for _ in store.quads_for_pattern(ox.NamedNode(m.iri), ox.NamedNode(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(hrg + "Code")))}
    for mention in found:
        key = mention.iri or _slug(mention.text)
        if mention.kind == "country" or key in demanded or key in chosen or not key:
            continue
        if mention.new and mention.kind == "group":
            continue
        words = mention.text.split()
        if mention.new and mention.kind == "person" and not (
                2 <= len(words) <= 4 and all(w[:1].isupper() for w in words)
                and words[-1].lower() not in _NOT_PERSON_TAILS):
            continue
        inside = [m for m in found if m.iri in codes and mention.start <= m.start
                  and m.end <= mention.end and m is not mention]
        if mention.new and mention.kind == "provision" and inside:
            mention.within = inside[0].iri
            place = next(store.quads_for_pattern(ox.NamedNode(inside[0].iri),
                                                 ox.NamedNode(hrg + "jurisdiction"), None), None)
            mention.jurisdiction = place.object.value if place is not None else None
        chosen[key] = mention
    # a code named only as part of a new provision's name is that provision's, not mentioned
    within = {m.within for m in chosen.values() if m.within}
    return [m for m in chosen.values()
            if not (m.iri in within and any(m.start >= n.start and m.end <= n.end
                                            for n in chosen.values() if n.within == m.iri))]


_SPEECH_CUES = {"call on", "call for", "call to", "urge", "demand", "appeal", "we ask",
                "request", "recommend", "expect", "encourage", "invite", "insist", "патрабуем",
                "заклікаем", "просім"}


def _speakers(unit: Unit, cue: str, found: list[Mention]) -> list[Mention]:
    """Who makes the demand: names before a speech verb ("HRHF … joined … in recommending")."""
    if cue not in _SPEECH_CUES:
        return []
    pattern = dict(_CUE_PATTERNS)[cue]
    match = pattern.search(unit.text)
    if not match:
        return []
    at = unit.start + match.start()
    return [m for m in found if m.end <= at and m.kind in ("person", "organisation", "group")]


def _main_verb(text: str, verbs: Iterable[str]) -> str | None:
    """The first word of ``text`` that is one of ``verbs`` (what the demand asks to do)."""
    known = set(verbs)
    for word in re.findall(r"[A-Za-z]+", text):
        if word.lower() in known:
            return word.lower()
    return None


def _remember(last: dict[str, Mention], found: list[Mention]) -> None:
    for mention in found:
        if mention.kind in _PRONOUNS:
            last[mention.kind] = mention


def _document_row(project: Project, store: object, header: Header, body: str,
                  found_units: list[Unit], name: str, language: str, guessed_language: bool,
                  text_file: str, gazetteer: Gazetteer) -> dict[str, str]:
    stem = re.sub(r"^\d+-", "", Path(name).stem.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", normalise(stem)).strip("-") or "document"
    iri = f"{project.id_base}document/{slug}"
    if any(True for _ in store.quads_for_pattern(_node(iri), None, None)):
        slug += "-2"  # the graph has it already: perhaps this text is a second copy of it
    title = header.get("title")
    if not title:
        first = next((u for u in found_units if u.kind == "title"), None)
        title = MARK + first.text if first else ""
    date = parse_date(header.get("date"))
    url = re.search(r"https?://[^\s;,)]+", header.get("source", "url"))
    signatories = []
    author = header.get("publisher/author", "author", "publisher", "signatories")
    for mention in mentions(author, 0, gazetteer) if author else []:
        if mention.iri and mention.kind in ("person", "organisation", "group"):
            signatories.append(MARK + _reference(project, mention.iri))
    return {
        "id": MARK + slug,
        "title": title,
        "date": MARK + (date or "not stated in the text: give the date or the year"),
        "language": (MARK if guessed_language else "") + language,
        "signatories": "; ".join(dict.fromkeys(signatories)),
        "source URL": url.group().rstrip(".") if url else "",
        "text file": text_file,
        # "Status: PARTIAL — stored copy breaks off …" (the convention of data/sources/)
        "partial": MARK + "yes" if re.match(r"\s*partial\b", header.get(
            "status", "completeness"), re.I) else "",
    }


def _node(iri: str) -> object:
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _reference(project: Project, iri: str) -> str:
    """``kind:slug`` for an IRI under the id base (the import reads it), else the IRI."""
    if iri.startswith(project.id_base):
        kind, _, slug = iri[len(project.id_base):].partition("/")
        if slug and "/" not in slug:
            return f"{kind}:{slug}"
    return iri


def draft_file(project: Project, path: Path, *, store: object | None = None) -> Draft:
    """Read the text file at ``path`` and draft it (:func:`draft_text`) against the built store.

    Raises:
        InputError: the file is missing, binary, not UTF-8, empty or too large.
        StoreError: there is no built store.
    """
    from hrgraph import store as stores

    text = read_text(path)
    if store is None:
        store = stores.open_store(project, read_only=True)
    sources = project.root / "data" / "sources"
    try:
        text_file = "data/sources/" + path.resolve().relative_to(sources.resolve()).as_posix()
    except ValueError:
        text_file = MARK + "data/sources/" + path.name  # copy it there: quotes point into it
    if "/" in text_file.removeprefix(MARK).removeprefix("data/sources/"):
        text_file = ""
    return draft_text(project, text, name=path.name, store=store, text_file=text_file)


# --------------------------------------------------------------------------- the workbook

#: Extra sheets for entities that the actors sheet cannot hold, when the template has them.
_SHEET_FOR_KIND = {"mechanism": ("mechanisms",), "provision": ("legal provisions", "provisions")}


def _cell(values: Iterable[str]) -> str:
    return "; ".join(MARK + v for v in dict.fromkeys(values) if v)


def sheets_of(project: Project, draft: Draft) -> tuple[dict[str, list[dict[str, str]]],
                                                         list[str]]:
    """The rows of the template's sheets for ``draft``, and the lines of its README sheet."""
    from hrgraph.spreadsheet import SHEETS

    doc_id = draft.document["id"].removeprefix(MARK)
    new = draft.new_entities()
    sheet_rows: dict[str, list[dict[str, str]]] = {name: [] for name in SHEETS}
    sheet_rows["documents"].append(dict(draft.document))
    placed: dict[str, str] = {}  # new slug → what a reference cell says
    for slug, mention in new.items():
        language = guess_language(mention.text) if _CYRILLIC.search(mention.text) \
            else draft.language
        if mention.kind in ("person", "organisation", "group"):
            row = {"id": MARK + slug, "kind": MARK + mention.kind,
                   "name": mention.expansion or mention.text, "name language": MARK + language}
            if mention.expansion:  # GUBAZIK (Interior Ministry’s Main Directorate …)
                row["other names"] = f"{MARK}{mention.text}@{language}"
            sheet_rows["actors"].append(row)
            placed[slug] = slug
            continue
        sheet = next((s for s in _SHEET_FOR_KIND.get(mention.kind, ()) if s in SHEETS), None)
        columns = {c.name for c in SHEETS.get(sheet, [])} if sheet else set()
        label = next((c for c in ("name", "label", "title") if c in columns), None)
        if sheet and "id" in columns and label:
            row = {"id": MARK + slug, label: mention.text}
            if f"{label} language" in columns:
                row[f"{label} language"] = MARK + draft.language
            if mention.kind == "provision":
                row.update(_provision_cells(project, mention, columns))
            sheet_rows[sheet].append(row)
            placed[slug] = slug
        else:
            placed[slug] = mention.text  # no sheet for it: a person adds it (in Turtle)
    readme = [
        f"Drafted by `hrgraph draft` from {draft.header.get('title') or 'a text'} — rules only.",
        f"Every value that starts with {MARK.strip()} is a suggestion: check it, correct it "
        f"if needed and delete the mark {MARK.strip()!r}, or delete the value or the whole row.",
        "`hrgraph add` refuses the workbook while any mark is left. Quotes are copied from the "
        "text exactly and carry no mark.",
        "",
    ]
    ids: list[str] = []
    for number, candidate in enumerate(draft.candidates, start=1):
        demand_id = f"{doc_id}-{number}"
        ids.append(demand_id)

        def ref(m: Mention) -> str:
            return _reference(project, m.iri) if m.iri else placed[_slug(m.text)]

        addressees = [ref(m) for m in candidate.addressees]
        if not addressees and candidate.addressee_text:
            addressees = [candidate.addressee_text]
        row = {
            "id": MARK + demand_id,
            "document": doc_id,
            "quote": candidate.quote,
            "quote language": (draft.language if not _CYRILLIC.search(candidate.quote)
                               or draft.language in ("be", "ru")
                               else MARK + guess_language(candidate.quote)),
            "action": MARK + candidate.action.label if candidate.action else "",
            "topics": _cell(t.label for t in candidate.topics),
            "addressee": _cell(addressees),
            "actor asked to act": _cell(addressees),
            "targets": _cell(ref(m) for m in candidate.targets),
            "part of": (MARK + ids[candidate.part_of]
                        if candidate.part_of is not None else ""),
        }
        sheet_rows["demands"].append(row)
        readme.append(f"demands row {number + 1}: cue {candidate.cue!r}"
                      + (f"; action {candidate.action.label!r}" if candidate.action
                         else "; no action type found: choose one (hrgraph vocab action-type)"))
        for m in candidate.addressees + candidate.targets:
            readme.append(f"    {m.text!r} → " + (_reference(project, m.iri) if m.iri
                                                 else f"new {m.kind}") + f" ({m.how})")
    def named(m: Mention) -> str:
        return _reference(project, m.iri) if m.iri else placed[_slug(m.text)]

    for mention in draft.mentioned:
        if "mentions" not in sheet_rows:
            break
        sheet_rows["mentions"].append({"document": doc_id, "mentions": MARK + named(mention)})
        readme.append(f"mentions row {len(sheet_rows['mentions']) + 1}: {mention.text!r} → "
                      + (_reference(project, mention.iri) if mention.iri
                         else f"new {mention.kind}") + f" ({mention.how}), named outside the "
                      "demands" + ("; if this may be someone else, add an actors row with "
                                   "'possibly same as'" if mention.iri and mention.kind ==
                                   "person" else ""))
    for slug, text in placed.items():
        if text != slug:
            readme.append(f"new {new[slug].kind} {text!r}: the template has no sheet for it; "
                          "add it in Turtle (docs/contributing.md) before the demands that "
                          "name it")
    return sheet_rows, readme


def _provision_cells(project: Project, mention: Mention, columns: set[str]) -> dict[str, str]:
    """Suggested kind, article, code and jurisdiction of a new provision ("Part 3 of Art. 293 of
    the Criminal Code": an article, 293, the graph's Criminal Code, its country)."""
    number = re.search(r"\b(?:art(?:icle)?s?\.?)\s*(\d+(?:[.-]\d+)*)", mention.text, re.I)
    cells = {"kind": MARK + ("article" if number else "provision")}
    if number:
        cells["article"] = MARK + number.group(1)
    if mention.within:
        cells["part of"] = MARK + _reference(project, mention.within)
    if mention.jurisdiction:
        cells["jurisdiction"] = MARK + _reference(project, mention.jurisdiction)
    return {k: v for k, v in cells.items() if k in columns}


def write_draft(project: Project, draft: Draft, path: Path) -> dict[str, int]:
    """Write ``draft`` in the template at ``path`` (``.xlsx``, ``.zip`` of CSVs, or a folder);
    rows per sheet."""
    from hrgraph.spreadsheet import write_template

    sheet_rows, readme = sheets_of(project, draft)
    write_template(path, sheet_rows, readme)
    return {name: len(rows) for name, rows in sheet_rows.items() if rows}


# --------------------------------------------------------------------------- confirming


def unconfirmed(sheets: Iterable[tuple[str, list[list[str]]]],
                ignored: Iterable[str] = ()) -> list[tuple[str, int, str, str]]:
    """(sheet, row, column, value) of every cell that still has the mark, in sheets as read
    (name, rows with the header first); sheets named in ``ignored`` (README) are skipped."""
    skip = {s.lower() for s in ignored}
    found = []
    for name, rows in sheets:
        if name.strip().lower() in skip or not rows:
            continue
        header = rows[0]
        for number, row in enumerate(rows[1:], start=2):
            for index, value in enumerate(row):
                if MARK.strip() in value:
                    column = header[index].strip() if index < len(header) else f"#{index + 1}"
                    found.append((name, number, column, value))
    return found


def check_confirmed(sheets: Iterable[tuple[str, list[list[str]]]], where: object,
                    ignored: Iterable[str] = ()) -> None:
    """Refuse sheets with suggestions of ``hrgraph draft`` not yet confirmed, listing them all
    (at most 50). ``where`` is the reader's error factory (it names the file).

    Raises:
        InputError: naming each unconfirmed cell by sheet, row and column.
    """
    from hrgraph.guard import shorten

    marks = unconfirmed(sheets, ignored)
    if not marks:
        return
    shown = "\n".join(f"  sheet {sheet!r}, row {row}, column {column!r}: {shorten(value, 70)}"
                      for sheet, row, column, value in marks[:50])
    more = f"\n  … and {len(marks) - 50} more" if len(marks) > 50 else ""
    raise where.error(
        f"{len(marks)} suggestions of `hrgraph draft` are not confirmed yet. Check each, "
        f"correct it if needed and delete its {MARK.strip()} mark (or delete the value or the "
        f"row); nothing is read until none is left:\n{shown}{more}")


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class GoldDemand:
    """One row of a gold file (tests/gold/README.md)."""

    point: str
    quote: str
    target_text: str
    action: str
    targets: tuple[str, ...]


def read_gold(path: Path) -> list[GoldDemand]:
    """The demands of a gold CSV file."""
    with path.open(encoding="utf-8", newline="") as f:
        return [GoldDemand(r["point"], r["quote"], r["target_text"], r["action"],
                           tuple(r["targets"].split())) for r in csv.DictReader(f)]


@dataclass
class Scores:
    """How a draft compares with the gold of its text."""

    gold: int  # gold demands
    found: int  # gold demands whose quote a candidate's quote contains
    candidates: int
    real: int  # candidates that contain a gold demand's quote
    targets: int  # targets of the found gold demands
    targets_right: int
    actions: int  # real candidates
    actions_right: int  # … whose suggested action is one of their gold demands' actions

    @property
    def recall(self) -> float:
        """Gold demands found / gold demands."""
        return self.found / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        """Candidates that are real demands / candidates."""
        return self.real / self.candidates if self.candidates else 0.0

    def to_text(self) -> str:
        """One line of figures."""
        return (f"recall {self.found}/{self.gold} ({self.recall:.2f}), precision "
                f"{self.real}/{self.candidates} ({self.precision:.2f}), targets right "
                f"{self.targets_right}/{self.targets}, action types right "
                f"{self.actions_right}/{self.actions}")


def known_iris(store: object) -> set[str]:
    """Every IRI that is a subject in ``store`` (what the graph has, for :func:`score`)."""
    return {q.subject.value for q in store.quads_for_pattern(None, None, None)
            if q.subject.__class__.__name__ == "NamedNode"}


def _target_right(target: str, gold: GoldDemand, candidates: list[Candidate],
                  exists: Mapping[str, object]) -> bool:
    for candidate in candidates:
        if target in exists:
            if any(m.iri == target for m in candidate.targets):
                return True
            continue
        words = " ".join(target.rsplit("/", 1)[-1].split("-"))
        key = normalise(gold.target_text)
        for m in candidate.targets:
            if not m.new:
                continue
            name = normalise(m.anaphor or m.text)
            if (key and (key in name or name in key)) or similarity(m.text, words) > 0:
                return True
    return False


def score(draft: Draft, gold: list[GoldDemand], exists: Mapping[str, object]) -> Scores:
    """Compare ``draft`` with ``gold``; ``exists`` holds the IRIs the graph has (a gold target
    outside it must be proposed as new, one inside it matched)."""
    def contains(candidate: Candidate, demand: GoldDemand) -> bool:
        return demand.quote in candidate.quote or \
            unicodedata.normalize("NFC", demand.quote) in candidate.quote

    found = targets = targets_right = 0
    for demand in gold:
        holding = [c for c in draft.candidates if contains(c, demand)]
        if not holding:
            continue
        found += 1
        for target in demand.targets:
            targets += 1
            targets_right += _target_right(target, demand, holding, exists)
    real = [c for c in draft.candidates if any(contains(c, d) for d in gold)]
    actions_right = sum(
        1 for c in real if c.action is not None and c.action.iri.rsplit("/", 1)[-1] in
        {d.action for d in gold if contains(c, d)})
    return Scores(len(gold), found, len(draft.candidates), len(real), targets, targets_right,
                  len(real), actions_right)
