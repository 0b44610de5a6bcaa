"""The SKOS vocabularies as a contributor looks for a value in them: schemes, concepts, suggestions.

``hrgraph vocab`` lists the schemes of ``ontology/vocabularies/`` and, for one scheme, every
concept with its IRI, preferred, alternative and hidden labels, definition and broader concepts.
The files are read directly (through :func:`hrgraph.load.parse_file`), so it works before
anything is built.

A scheme is named by the path segment of its IRI below the vocabulary base (``action-type`` for
``https://w3id.org/hrgraph/vocab/action-type``, whose concepts are ``…/action-type/release``),
by its IRI (or ``hrv:action-type``), or by its file's name (``action-types``).

:func:`suggest` ranks the concepts of a scheme for a value that is not one of its labels: by
meaning first (the value is, or stems to, an alternative or hidden label; its words occur in
labels or definitions, rare words counting more), then by spelling. The words live in the
vocabularies (``skos:altLabel``, ``skos:hiddenLabel``), not here.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from hrgraph.errors import UsageError
from hrgraph.load import parse_file
from hrgraph.project import Project

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: Output formats of :func:`render`.
FORMATS = ("text", "csv", "json")

#: Below this spelling similarity (rapidfuzz ratio, 0-100) a concept that matches in no other
#: way is not suggested: "did you mean" should not list labels that merely share letters.
SPELLING_CUTOFF = 70
#: Below this score of shared words (about one word that a third of the concepts share) a
#: concept is not suggested for its words: "the" should not suggest anything.
MIN_MEANING = 1.0


@dataclass(frozen=True)
class Concept:
    """One SKOS concept: labels and definitions as ``(text, language)`` pairs."""

    iri: str
    pref_labels: tuple[tuple[str, str], ...] = ()
    alt_labels: tuple[tuple[str, str], ...] = ()
    hidden_labels: tuple[tuple[str, str], ...] = ()
    definitions: tuple[tuple[str, str], ...] = ()
    broader: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The English preferred label, else any preferred label, else the IRI's last segment."""
        return _english(self.pref_labels) or re.split(r"[/#]", self.iri.rstrip("/#"))[-1]

    @property
    def definition(self) -> str:
        """The English definition, else any ('' without one)."""
        return _english(self.definitions)


@dataclass(frozen=True)
class Scheme:
    """A concept scheme, the files that describe it and its concepts (by English label)."""

    iri: str
    name: str
    label: str
    definition: str
    files: tuple[Path, ...]
    concepts: tuple[Concept, ...]


def _english(values: Sequence[tuple[str, str]]) -> str:
    for text, language in values:
        if language == "en":
            return text
    return values[0][0] if values else ""


# --------------------------------------------------------------------------- reading


def read_schemes(project: Project) -> list[Scheme]:
    """Every concept scheme of the project's vocabulary files, by name.

    Raises:
        InputError: a vocabulary file cannot be read (named with line and column).
    """
    quads: list[ox.Quad] = []
    files_of: dict[str, list[Path]] = {}
    for source in project.files_of_kind("vocabulary"):
        parsed = parse_file(project, source.path)
        quads += parsed
        for quad in parsed:
            if quad.predicate.value == RDF_TYPE and quad.object.value == SKOS + "ConceptScheme":
                files_of.setdefault(quad.subject.value, []).append(source.path)
    return schemes_from_quads(quads, project, files_of)


def schemes_from_quads(quads: Iterable[ox.Quad], project: Project,
                       files_of: dict[str, list[Path]] | None = None) -> list[Scheme]:
    """The concept schemes described by ``quads`` (graph names are ignored), by name."""
    values: dict[tuple[str, str], list[ox.Term]] = {}
    for quad in quads:
        if isinstance(quad.subject, ox.NamedNode):
            values.setdefault((quad.subject.value, quad.predicate.value), []).append(quad.object)

    def literals(subject: str, predicate: str) -> tuple[tuple[str, str], ...]:
        found = {(o.value, o.language or "") for o in values.get((subject, predicate), [])
                 if isinstance(o, ox.Literal)}
        return tuple(sorted(found, key=lambda v: (v[1] != "en", v[1], v[0].casefold())))

    def iris(subject: str, predicate: str) -> list[str]:
        return sorted({o.value for o in values.get((subject, predicate), [])
                       if isinstance(o, ox.NamedNode)})

    subjects = {s for s, _p in values}
    members: dict[str, list[Concept]] = {}
    for subject in subjects:
        for scheme in iris(subject, SKOS + "inScheme"):
            members.setdefault(scheme, []).append(Concept(
                iri=subject, pref_labels=literals(subject, SKOS + "prefLabel"),
                alt_labels=literals(subject, SKOS + "altLabel"),
                hidden_labels=literals(subject, SKOS + "hiddenLabel"),
                definitions=literals(subject, SKOS + "definition"),
                broader=tuple(iris(subject, SKOS + "broader"))))
    schemes = []
    for iri in sorted(s for s in subjects if SKOS + "ConceptScheme" in
                      {o.value for o in values.get((s, RDF_TYPE), [])}):
        labels = literals(iri, SKOS + "prefLabel") or literals(iri, RDFS_LABEL)
        concepts = sorted(members.get(iri, []), key=lambda c: (c.label.casefold(), c.iri))
        schemes.append(Scheme(iri=iri, name=scheme_name(project, iri),
                              label=_english(labels) or scheme_name(project, iri),
                              definition=_english(literals(iri, SKOS + "definition")),
                              files=tuple((files_of or {}).get(iri, [])),
                              concepts=tuple(concepts)))
    return sorted(schemes, key=lambda s: s.name)


def scheme_name(project: Project, iri: str) -> str:
    """``action-type`` for ``<vocabulary base>action-type``; another scheme's last segment."""
    if iri.startswith(project.vocab_base):
        return iri[len(project.vocab_base):].strip("/")
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def find_scheme(project: Project, schemes: Sequence[Scheme], name: str) -> Scheme:
    """The scheme ``name`` names: its name, IRI, ``hrv:NAME``, or its file's name.

    Raises:
        UsageError: no scheme has that name (the message lists them), or a file holding
            several schemes was named (the message names them).
    """
    wanted = name.strip()
    folded = wanted.casefold()
    if folded.startswith("hrv:"):
        wanted = project.vocab_base + wanted[4:]
    for scheme in schemes:
        if folded == scheme.name.casefold() or wanted.strip("<>") == scheme.iri:
            return scheme
    in_file = [s for s in schemes if any(folded in (f.stem.casefold(), f.name.casefold())
                                         for f in s.files)]
    if len(in_file) == 1:
        return in_file[0]
    if in_file:
        raise UsageError(f"{in_file[0].files[0].name} holds {len(in_file)} schemes: "
                         f"{', '.join(s.name for s in in_file)}; name one of them, e.g. "
                         f"`hrgraph vocab {in_file[0].name}`")
    raise UsageError(f"no vocabulary is named {name!r}; the vocabularies are "
                     f"{', '.join(s.name for s in schemes)} (`hrgraph vocab` lists them)")


# --------------------------------------------------------------------------- suggestions


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(text.split())


#: Endings taken off English words before comparing them ("funding" → "fund", "operationalises"
#: → "operationalis"), one of them and then a final "e" or "y" ("ratifying", "ratify" → "ratif");
#: British and American spellings meet ("iz" → "is").
_ENDINGS = ("ations", "ation", "ments", "ment", "ings", "ing", "ions", "ion", "ied", "ies",
            "ed", "es", "s")


def _stem(word: str) -> str:
    word = word.replace("iz", "is")
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if word.endswith(("e", "y")) and len(word) > 3:
        word = word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[^\W_]+", _fold(text))]


def _same_word(a: str, b: str) -> bool:
    """Stems of one word: equal, or one the start of the other when the shorter is long enough
    ("investig" / "investigat"; not "fund" / "fundamental")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short) and len(short) >= 0.6 * len(long)


def _matches(word: str, words: Iterable[str]) -> bool:
    return any(_same_word(word, w) for w in words)


def _misspelt(word: str, words: Iterable[str]) -> bool:
    """``word`` is one of ``words`` with a typo or two ("relase" / "releas")."""
    from rapidfuzz import fuzz

    return len(word) >= 4 and any(len(w) >= 4 and fuzz.ratio(word, w) >= 80 for w in words)


def _word_score(word: str, label_words: set[str], definition_words: set[str]) -> float:
    """How well one stemmed word of a value matches a concept: in a label 1, in a label with a
    typo 0.5, in a definition 0.4, in a definition with a typo 0.2."""
    if _matches(word, label_words):
        return 1.0
    if _misspelt(word, label_words):
        return 0.5
    if _matches(word, definition_words):
        return 0.4
    if _misspelt(word, definition_words):
        return 0.2
    return 0.0


def suggest(concepts: Sequence[Concept], text: str, limit: int = 3) -> list[str]:
    """The labels of the concepts ``text`` most likely means, best first, each concept once.

    Ranked by: ``text`` is one of a concept's labels (preferred, alternative or hidden), or is
    one after stemming ("ratifying" → ratify); then a whole label inside ``text`` ("free" in
    "free political prisoners"); then the words of ``text`` found among the concept's label
    words (counting fully) or definition words (counting less), also with a typo (counting
    half), each weighted by how rare it is in the scheme (so "a" or "the" hardly count); then
    spelling (rapidfuzz ratio of the whole value against every label). Concepts sharing too few
    words (:data:`MIN_MEANING`) are suggested for their spelling only when no concept matches by
    meaning, and only when spelt like the value (:data:`SPELLING_CUTOFF`). Returns the concepts'
    preferred (English) labels.
    """
    from rapidfuzz import fuzz

    query = _fold(text)
    query_words = list(dict.fromkeys(_words(text)))
    documents = []
    for concept in concepts:
        labels = [t for t, _lang in
                  concept.pref_labels + concept.alt_labels + concept.hidden_labels]
        label_words = {w for label in labels for w in _words(label)}
        definition_words = {w for d, _lang in concept.definitions for w in _words(d)}
        documents.append((concept, labels, label_words, definition_words))

    # How rare each word of the text is among the concepts (inverse document frequency).
    total = len(documents)
    weight = {}
    for word in query_words:
        frequency = sum(1 for _c, _l, lw, dw in documents if _matches(word, lw | dw))
        weight[word] = math.log((total + 1) / (frequency + 1))

    ranked = []
    for concept, labels, label_words, definition_words in documents:
        folded = [_fold(label) for label in labels]
        stemmed = [list(dict.fromkeys(_words(label))) for label in labels]
        if query in folded:
            tier = 2
        elif query_words in stemmed:
            tier = 1
        else:
            tier = 0
        # A whole label inside the text ("free" in "free political prisoners") beats words
        # that merely occur in labels ("hold free and fair elections").
        contained = max((sum(weight[w] for w in query_words if _matches(w, words))
                         for words in stemmed
                         if words and all(_matches(w, query_words) for w in words)), default=0.0)
        meaning = sum(weight[w] * _word_score(w, label_words, definition_words)
                      for w in query_words)
        spelling = max((fuzz.ratio(query, label) for label in folded), default=0.0)
        if tier or meaning >= MIN_MEANING or spelling >= SPELLING_CUTOFF:
            ranked.append(((tier, round(contained, 6), round(meaning, 6), spelling),
                           concept.label))
    # Spelling is the fallback: once some concept matches by meaning, look-alikes are noise
    # ("funding" should not suggest "end a violation" for its hidden label "ending").
    if any(key[0] or key[2] >= MIN_MEANING for key, _label in ranked):
        ranked = [(key, label) for key, label in ranked if key[0] or key[2] >= MIN_MEANING]
    ranked.sort(key=lambda item: (tuple(-v for v in item[0]), item[1]))
    return list(dict.fromkeys(label for _key, label in ranked))[:limit]


def did_you_mean(project: Project, scheme: str, text: str, limit: int = 3) -> str:
    """The end of an "unknown value" message: ``did you mean 'fund', 'support'? `hrgraph vocab
    action-type` lists them all`` (the suggestions of :func:`suggest` for the scheme named
    ``scheme``; without any, only the pointer to ``hrgraph vocab``)."""
    try:
        found = find_scheme(project, read_schemes(project), scheme)
    except UsageError:  # a project without that vocabulary file: still say where to look
        return "`hrgraph vocab` lists the vocabularies"
    close = suggest(found.concepts, text, limit)
    pointer = f"`hrgraph vocab {found.name}` lists them all"
    if not close:
        return pointer
    return f"did you mean {', '.join(repr(c) for c in close)}? {pointer}"


# --------------------------------------------------------------------------- output


def render(project: Project, name: str | None = None, fmt: str = "text") -> str:
    """What ``hrgraph vocab [NAME] --format FMT`` prints: the schemes, or one scheme's concepts.

    Raises:
        UsageError: an unknown scheme or format.
        InputError: a vocabulary file cannot be read.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    schemes = read_schemes(project)
    if name is None:
        return {"text": _schemes_text, "csv": _schemes_csv, "json": _schemes_json}[fmt](
            project, schemes)
    scheme = find_scheme(project, schemes, name)
    return {"text": _scheme_text, "csv": _scheme_csv, "json": _scheme_json}[fmt](project, scheme)


def _prefixes(project: Project) -> dict[str, str]:
    from hrgraph.query import prefixes
    from hrgraph.terms import VOCAB_PREFIXES

    found = prefixes(project)
    found.update({name: project.vocab_base + path for name, path in VOCAB_PREFIXES.items()})
    return found


def _file(project: Project, scheme: Scheme) -> str:
    shown = []
    for path in scheme.files:
        try:
            shown.append(path.relative_to(project.root).as_posix())
        except ValueError:
            shown.append(str(path))
    return "; ".join(shown)


def _with_language(values: Iterable[tuple[str, str]]) -> list[str]:
    """English values as they are, others as ``text@lang`` (as the spreadsheets write them)."""
    return [text if language in ("en", "") else f"{text}@{language}" for text, language in values]


def _language_map(values: Iterable[tuple[str, str]], single: bool = False) -> dict:
    out: dict = {}
    for text, language in values:
        if single:
            out.setdefault(language, text)
        else:
            out.setdefault(language, []).append(text)
    return out


def _schemes_text(project: Project, schemes: Sequence[Scheme]) -> str:
    rows = [("scheme", "concepts", "label", "file")]
    rows += [(s.name, str(len(s.concepts)), s.label, _file(project, s)) for s in schemes]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip()
             for r in rows]
    lines += ["", "`hrgraph vocab SCHEME` lists the concepts of one (SCHEME: a name above, "
              "or its file's name)"]
    return "\n".join(lines) + "\n"


def _schemes_csv(project: Project, schemes: Sequence[Scheme]) -> str:
    return _csv(["scheme", "iri", "label", "concepts", "file"],
                [[s.name, s.iri, s.label, str(len(s.concepts)), _file(project, s)]
                 for s in schemes])


def _schemes_json(project: Project, schemes: Sequence[Scheme]) -> str:
    return json.dumps([{"scheme": s.name, "iri": s.iri, "label": s.label,
                        "definition": s.definition, "concepts": len(s.concepts),
                        "file": _file(project, s)} for s in schemes],
                      ensure_ascii=False, indent=1) + "\n"


def _tree(scheme: Scheme) -> list[tuple[int, Concept]]:
    """The concepts in hierarchy order, each once with its depth: a concept under the first of
    its broader concepts in the scheme (by label), siblings by label."""
    by_iri = {c.iri: c for c in scheme.concepts}
    children: dict[str | None, list[Concept]] = {}
    for concept in scheme.concepts:  # already sorted by label
        parents = sorted((by_iri[b] for b in concept.broader if b in by_iri),
                         key=lambda c: (c.label.casefold(), c.iri))
        children.setdefault(parents[0].iri if parents else None, []).append(concept)
    order: list[tuple[int, Concept]] = []
    seen: set[str] = set()

    def walk(parent: str | None, depth: int) -> None:
        for concept in children.get(parent, []):
            if concept.iri not in seen:
                seen.add(concept.iri)
                order.append((depth, concept))
                walk(concept.iri, depth + 1)

    walk(None, 0)
    for concept in scheme.concepts:  # a cycle of broader links has no root: list it anyway
        if concept.iri not in seen:
            seen.add(concept.iri)
            order.append((0, concept))
    return order


def _scheme_text(project: Project, scheme: Scheme) -> str:
    from hrgraph.query import shorten

    prefixes = _prefixes(project)
    by_iri = {c.iri: c for c in scheme.concepts}
    count = len(scheme.concepts)
    lines = [f"{scheme.name}: {scheme.label} ({shorten(scheme.iri, prefixes)}), {count} "
             f"concept{'s' if count != 1 else ''}, {_file(project, scheme)}"]
    if scheme.definition:
        lines += textwrap.wrap(scheme.definition, 100, initial_indent="  ",
                               subsequent_indent="  ")
    for depth, concept in _tree(scheme):
        indent = "  " * depth
        more = indent + "    "
        names = _with_language(concept.pref_labels) or [concept.label]
        lines += ["", f"{indent}{shorten(concept.iri, prefixes)}  {' | '.join(names)}"]
        fields = [("alternative labels", "; ".join(_with_language(concept.alt_labels))),
                  ("hidden labels", "; ".join(_with_language(concept.hidden_labels))),
                  ("definition", concept.definition),
                  ("broader", "; ".join(
                      f"{shorten(b, prefixes)} ({by_iri[b].label})" if b in by_iri
                      else shorten(b, prefixes) for b in concept.broader))]
        for title, value in fields:
            if value and title == "definition":  # labels stay on one line, never split
                lines += textwrap.wrap(f"{title}: {value}", 100, initial_indent=more,
                                       subsequent_indent=more + "  ")
            elif value:
                lines.append(f"{more}{title}: {value}")
    return "\n".join(lines) + "\n"


_CONCEPT_COLUMNS = ["scheme", "iri", "prefLabel", "altLabel", "hiddenLabel", "definition",
                    "broader"]


def _scheme_csv(project: Project, scheme: Scheme) -> str:
    return _csv(_CONCEPT_COLUMNS, [
        [scheme.name, c.iri, "; ".join(_with_language(c.pref_labels)),
         "; ".join(_with_language(c.alt_labels)), "; ".join(_with_language(c.hidden_labels)),
         c.definition, "; ".join(c.broader)] for c in scheme.concepts])


def _scheme_json(project: Project, scheme: Scheme) -> str:
    return json.dumps({
        "scheme": scheme.name, "iri": scheme.iri, "label": scheme.label,
        "definition": scheme.definition, "file": _file(project, scheme),
        "concepts": [{"iri": c.iri, "prefLabel": _language_map(c.pref_labels, single=True),
                      "altLabel": _language_map(c.alt_labels),
                      "hiddenLabel": _language_map(c.hidden_labels),
                      "definition": _language_map(c.definitions, single=True),
                      "broader": list(c.broader)} for c in scheme.concepts],
    }, ensure_ascii=False, indent=1) + "\n"


def _csv(header: list[str], rows: list[list[str]]) -> str:
    from hrgraph.spreadsheet import escape_cell  # a cell no spreadsheet program runs

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[escape_cell(cell) for cell in row] for row in rows])
    return out.getvalue()
