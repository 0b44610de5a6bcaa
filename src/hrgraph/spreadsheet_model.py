"""The sheets of the contribution template beyond documents, demands, actors and assessments.

:mod:`hrgraph.spreadsheet` reads files, counts limits, resolves names and vocabulary labels and
maps its four first sheets; this module maps the rest of what a contributor may say, each
exactly as the curated data writes it:

=============  =============================================================================
mechanisms     ``mechanism:<id>`` as data/mechanisms/mechanisms.ttl (``hrg:Mandate`` …)
provisions     ``legal:<id>``: codes, laws, articles and rules as data/legal/provisions.ttl (ELI)
roles          ``roleclaim:<id>`` a ``hrg:RoleClaim`` (holder, role, role in, attested in, as of)
signatures     ``signature:<id>`` a ``hrg:Signature``, and the document's ``hrg:signatory``
mentions       ``<document> hrg:mentions <entity>``
affiliations   ``<group> hrg:affiliatedWith <organisation>`` (data/actors/groups.ttl)
events         ``evt:<id>`` a ``hrg:Event`` as data/history/events.ttl
publications   ``publication:<id>``: another copy of a document, or a translation (a copy in
               another language, as data/documents/joint-position-eu-belarus-dialogue.ttl)
names          more names of an existing (or new) entity: ``skos:altLabel``, or a preferred
               name (``skos:prefLabel``; a document's ``dcterms:title``) in a new language
texts          the text quotes are located in (not RDF)
=============  =============================================================================

**Quotes** (demands, roles, signatures) are located in their text (:func:`hrgraph.quotes.
locate_quote`): the text named by the row's ``quoted from`` — an id of the ``texts`` sheet, a
``.txt`` file beside the CSV files or inside the ``.zip``, or a publication — or else the
text of the document's publication (its ``text file``, a ``texts`` row with its URL, or, for a
publication the project has, its ``hrg:textCopy`` under data/sources/). ``oa:exact`` and
``hrg:quote`` are the text's own characters, ``oa:prefix``/``oa:suffix`` are computed; without a
text, the ``quote prefix``/``quote suffix`` columns are used as given (that is also how
``--export`` keeps a round trip lossless when the text is not in the project).

Data flows one way: :mod:`hrgraph.spreadsheet` imports this module and hands it its reader and
exporter (typed here as the protocols :class:`Reader` and :class:`Exporter`); this module never
imports that one.

Why one module: each sheet's import and export sit side by side (about a hundred lines a sheet), so
a column is added in one place; the sheets share one writer. The seam if it grows: one module per
family of sheets (actors-like, documents-like).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from hrgraph import guard
from hrgraph.errors import InputError
from hrgraph.quotes import QuoteProblem, locate_quote
from hrgraph.sources import read_source_text, strip_header
from hrgraph.terms import LINKED_PREFIXES, WELL_KNOWN_PREFIXES

__all__ = ["MODEL_PROPERTY_COLUMNS", "MODEL_SHEETS", "QUOTE_COLUMNS", "VERBATIM_COLUMNS",
           "Exporter", "ModelReader", "Reader", "export_model", "export_quote", "model_ids"]

RDF_TYPE = WELL_KNOWN_PREFIXES["rdf"] + "type"
SKOS = WELL_KNOWN_PREFIXES["skos"]
DCTERMS = WELL_KNOWN_PREFIXES["dcterms"]
FOAF = WELL_KNOWN_PREFIXES["foaf"]
ORG = WELL_KNOWN_PREFIXES["org"]
OA = WELL_KNOWN_PREFIXES["oa"]
ELI = WELL_KNOWN_PREFIXES["eli"]
SCHEMA = WELL_KNOWN_PREFIXES["schema"]
XSD = WELL_KNOWN_PREFIXES["xsd"]
LANG = LINKED_PREFIXES["lang"]
_TAGGED = re.compile(r"(.*\S)\s*@([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)", re.DOTALL)
_ATTACHED = re.compile(r"[^/\\:]+\.txt", re.IGNORECASE)
_SOURCE_COPY = re.compile(r"data/sources/[^/\\]+")

#: Columns every sheet with a quote has (demands, roles, signatures): (name, required, kind,
#: help, several values). The quote and its language are the sheet's own.
QUOTE_COLUMNS: list[tuple[str, bool, str, str, bool]] = [
    ("quoted from", False, "text or publication",
     "where the quote is: an id of the texts sheet, a .txt file beside the CSV files or "
     "inside the .zip, or a publication (an id of the publications sheet, an IRI, "
     "publication:…); empty: the text of the document's publication", False),
    ("quote prefix", False, "text", "the words just before the quote: computed from the text; "
     "fill it only to say which of several occurrences is meant, or when there is no text",
     False),
    ("quote suffix", False, "text", "the words just after the quote (as quote prefix)", False),
]

#: Columns whose cells are taken as they are, spaces at either end included.
VERBATIM_COLUMNS = frozenset({"quote prefix", "quote suffix"})

_NAMES: list[tuple[str, bool, str, str, bool]] = [
    ("name", True, "text", "the preferred name", False),
    ("name language", True, "language code", "language of the name", False),
    ("names in other languages", False, "text@lang", "further preferred names, one per "
     "language: Спецыяльны дакладчык@be", True),
    ("other names", False, "text@lang", "other names: Special Rapporteur on Belarus@en", True),
    ("definition", False, "text", "what it is, in a sentence", False),
    ("definition language", False, "language code", "language of the definition (default en)",
     False),
]

_QUOTE = [("quote", False, "text", "the words of the source that make the claim, exactly"
           , False),
          ("quote language", False, "language code", "language of the quote (needed with a "
           "quote)", False)]

MODEL_SHEETS: dict[str, list[tuple[str, bool, str, str, bool]]] = {
    "mechanisms": [
        ("id", True, "slug", "new IRI mechanism/<id>", False),
        ("kind", False, "mandate / dialogue / policy instrument / family",
         "what kind of international mechanism (empty: none of these)", False),
        *_NAMES,
        ("operated by", False, "references", "the organisations that run or decide on it", True),
        ("parties", False, "references", "the parties of a dialogue", True),
        ("established on", False, "date", "when it was created", False),
        ("established by resolution", False, "text", "number of the resolution that created "
         "it: 46/20", False),
        ("topics", False, "topic labels", "topics from the topic vocabulary", True),
        ("source", False, "URLs", "pages that support what the row says", True),
    ],
    "provisions": [
        ("id", True, "slug", "new IRI legal/<id>", False),
        ("kind", True, "code / law / article / provision",
         "a code, a law, an article (or part) of a code, or a rule without an article", False),
        *_NAMES,
        ("official title", False, "text@lang", "its title in the law: Mass riots@en", False),
        ("article", False, "text", "article number as the source writes it (kind article): "
         "293", False),
        ("part of", False, "reference", "the code an article belongs to", False),
        ("law number", False, "text", "a law's own number: 71-З", False),
        ("date", False, "date", "date of a law", False),
        ("jurisdiction", True, "reference", "the country: Belarus", False),
        ("introduced by", False, "reference", "the law that added an article to its code",
         False),
        ("topics", False, "topic labels", "topics from the topic vocabulary", True),
        ("scope note", False, "text@lang", "what it covers or leaves out", False),
        ("source", False, "URLs", "pages that support what the row says", True),
    ],
    "roles": [
        ("id", True, "slug", "new IRI role-claim/<id>", False),
        ("holder", True, "reference", "the person or organisation said to hold the role", False),
        ("role", True, "role label", "label from the role vocabulary (journalist, founder, "
         "political prisoner …)", False),
        ("role in", False, "reference", "the organisation the role is held in", False),
        ("document", True, "reference", "the document that makes the claim", False),
        ("as of", False, "date", "when the claim holds (default: the document's date)", False),
        *_QUOTE,
        *QUOTE_COLUMNS,
    ],
    "signatures": [
        ("id", True, "slug", "new IRI signature/<id>", False),
        ("document", True, "reference", "the signed document", False),
        ("signer", True, "reference", "who signed (also made a signatory of the document)",
         False),
        ("order", False, "whole number", "place in the list of signatories (1, 2 …)", False),
        ("quote", False, "text", "the signer's name as the list of signatories prints it",
         False),
        ("quote language", False, "language code", "language of the quote", False),
        *QUOTE_COLUMNS,
    ],
    "mentions": [
        ("document", True, "reference", "the document", False),
        ("mentions", True, "references", "people, organisations, groups, legal provisions or "
         "mechanisms it speaks about without demanding anything of them", True),
    ],
    "affiliations": [
        ("group", True, "reference", "a group (kind group); a person's membership is a role "
         "claim: roles sheet, column role in", False),
        ("organisation", True, "references", "the organisations that define the group "
         "(journalists of Belsat TV: Belsat TV)", True),
    ],
    "events": [
        ("id", True, "slug", "new IRI event/<id>", False),
        ("type", True, "event-type label", "label from the event-type vocabulary (conviction, "
         "release, mandate renewal …)", False),
        ("label", True, "text", "a short label", False),
        ("label language", True, "language code", "language of the label", False),
        ("involves", True, "references", "the people, organisations, provisions or mechanisms "
         "it happened to", True),
        ("date or period", True, "date or START/END", "2021-03-24, or 2020-08/2021-03", False),
        ("note", False, "text", "what happened, in a sentence or two", False),
        ("note language", False, "language code", "language of the note (needed with a note)",
         False),
        ("reference number", False, "text", "number of the resolution or decision: 46/20",
         False),
        ("evidence", True, "URL (quality)", "web sources, as in the assessments sheet", True),
    ],
    "publications": [
        ("id", True, "slug", "new IRI publication/<id>", False),
        ("document", True, "reference", "the document it is a copy of (new or existing)",
         False),
        ("source URL", True, "URL", "where this copy is published", False),
        ("language", True, "language code", "language of this copy: a copy in another "
         "language than the document's is a translation", False),
        ("title", False, "text", "its title, if it differs (in the copy's language)", False),
        ("publisher", False, "reference", "the organisation that published it", False),
        ("issued", False, "date", "when it was published", False),
        ("text file", False, "path", "its text: data/sources/NAME, an id of the texts sheet, or "
         "a .txt file beside the CSV files or inside the .zip", False),
        ("partial", False, "yes", "yes when only part of the text is available", False),
        ("note", False, "text@lang", "an editor's note: Another English translation of the "
         "same statement@en", False),
    ],
    "names": [
        ("entity", True, "reference", "an existing (or new) person, organisation, group, "
         "document, mechanism or provision", False),
        ("name", True, "text", "the name", False),
        ("name language", True, "language code", "language of the name", False),
        ("preferred", False, "yes", "yes: its preferred name (a document's title) in a "
         "language it has none in; empty: another name (skos:altLabel)", False),
    ],
    "texts": [
        ("id", True, "slug", "an id other rows name in quoted from or text file", False),
        ("text", True, "text", "the text, pasted whole (not stored in the graph: used to "
         "locate quotes); longer than a cell holds (32,767 characters): a .txt file beside the "
         "CSV files or inside the .zip instead", False),
        ("source URL", False, "URL", "the publication it is the text of", False),
    ],
}

#: Which column a property's values come from, per sheet (to locate what the shapes report).
MODEL_PROPERTY_COLUMNS: dict[str, dict[str, str]] = {
    "mechanisms": {SKOS + "prefLabel": "name", SKOS + "altLabel": "other names",
                   SKOS + "definition": "definition", "operatedBy": "operated by",
                   "party": "parties", "establishedOn": "established on",
                   "establishedByResolution": "established by resolution", "topic": "topics",
                   DCTERMS + "source": "source"},
    "provisions": {SKOS + "prefLabel": "name", SKOS + "altLabel": "other names",
                   SKOS + "definition": "definition", ELI + "title": "official title",
                   "articleNumber": "article", ELI + "is_part_of": "part of",
                   ELI + "id_local": "law number", ELI + "date_document": "date",
                   "jurisdiction": "jurisdiction", "introducedBy": "introduced by",
                   "topic": "topics", SKOS + "scopeNote": "scope note",
                   DCTERMS + "source": "source"},
    "roles": {"holder": "holder", "role": "role", "roleIn": "role in",
              "attestedIn": "document", "asOf": "as of", "earliestDate": "as of",
              "latestDate": "as of", "quote": "quote", "quotedFrom": "quote"},
    "signatures": {"signer": "signer", "signedDocument": "document", "order": "order",
                   "quote": "quote", "quotedFrom": "quote"},
    "events": {"eventType": "type", SKOS + "prefLabel": "label", "involves": "involves",
               DCTERMS + "date": "date or period", "periodStart": "date or period",
               "periodEnd": "date or period", "earliestDate": "date or period",
               "latestDate": "date or period", SKOS + "note": "note",
               "referenceNumber": "reference number", "evidence": "evidence"},
    "publications": {"publicationOf": "document", SCHEMA + "url": "source URL",
                     DCTERMS + "language": "language", DCTERMS + "title": "title",
                     DCTERMS + "publisher": "publisher", DCTERMS + "issued": "issued",
                     "textCopy": "text file", "partial": "partial",
                     SKOS + "editorialNote": "note"},
}

MECHANISM_KINDS = {"mandate": "Mandate", "dialogue": "Dialogue",
                   "policy instrument": "PolicyInstrument", "family": "MechanismFamily",
                   "family of mechanisms": "MechanismFamily"}
#: A law is a body of law a demand can target (hrg:LegalProvision, whose range
#: hrg:concernsLegalProvision has), and a legal resource in ELI's sense.
PROVISION_KINDS = {"code": ["{hrg}Code", ELI + "LegalResource"],
                   "law": ["{hrg}LegalProvision", ELI + "LegalResource"],
                   "article": ["{hrg}LegalProvision", ELI + "LegalResourceSubdivision"],
                   "provision": ["{hrg}LegalProvision"]}


def _q(text: str, limit: int = 60) -> str:
    return repr(guard.shorten(text, limit))


# --------------------------------------------------------------------------- the protocols


class Row(Protocol):
    """A data row of a sheet (``hrgraph.spreadsheet._Row``)."""

    sheet: str
    row: int

    def get(self, column: str) -> str: ...

    def many(self, column: str) -> list[str]: ...


class Known(Protocol):
    """What this module uses of ``hrgraph.spreadsheet._Known`` (what the store holds)."""

    store: ox.Store
    types: dict[str, set[str]]

    def exists(self, iri: str) -> bool: ...
    def has_type(self, iri: str, classes: Iterable[str]) -> bool: ...


class Reader(Protocol):
    """What this module uses of ``hrgraph.spreadsheet._Reader``."""

    hrg: str
    triples: list[ox.Triple]
    locations: dict[str, object]  # minted IRI → its sheet and row (a Location)
    minted: dict[str, dict[str, str]]
    new_names: dict[str, list[str]]
    new_types: dict[str, set[str]]
    known: Known

    def iri(self, kind: str, slug: str) -> str: ...
    def add(self, s: str, p: str, o: ox.Term | str) -> None: ...
    def fail(self, row: Row, column: str, message: str) -> InputError: ...
    def language(self, row: Row, column: str, default: str | None = None) -> str: ...
    def mint(self, row: Row, kind: str) -> str: ...
    def expand(self, text: str) -> str | None: ...
    def date(self, row: Row, column: str, text: str) -> tuple[ox.Literal, str, str]: ...
    def bounds(self, s: str, lo: str, hi: str) -> None: ...
    def url(self, row: Row, column: str, text: str) -> str: ...
    def concept(self, row: Row, column: str, text: str, scheme: str) -> str: ...
    def reference(self, row: Row, column: str, text: str, *, sheets: tuple[str, ...],
                  classes: tuple[str, ...], what: str) -> str: ...
    def period(self, row: Row, column: str, s: str) -> None: ...
    def evidence(self, row: Row, column: str, s: str) -> None: ...
    def order(self, row: Row, column: str, s: str) -> None: ...
    def default_publication(self, row: Row, document: str) -> str: ...
    def _short(self, iri: str) -> str: ...


class Exporter(Protocol):
    """What this module uses of ``hrgraph.spreadsheet._Exporter``."""

    hrg: str
    triples: list[ox.Triple]
    used: set[ox.Triple]
    ids: dict[str, str]
    by_subject: dict[str, list[ox.Triple]]

    def values(self, s: str, p: str) -> list[ox.Term]: ...
    def one(self, s: str, p: str) -> ox.Term | None: ...
    def typed(self, cls: str) -> list[str]: ...
    def slug(self, iri: str, kind: str) -> str | None: ...
    def ref(self, iri: str) -> str: ...
    def label(self, iri: str, scheme: str) -> str: ...
    def _types(self, s: str, classes: Iterable[str]) -> None: ...
    def _tagged(self, literals: list[ox.Term]) -> str: ...
    def period_text(self, s: str) -> str: ...
    def evidence_text(self, s: str) -> str: ...


# --------------------------------------------------------------------------- reading


@dataclass
class _Text:
    text: str
    shown: str  # how messages name it


@dataclass
class ModelReader:
    """Maps the sheets of :data:`MODEL_SHEETS` through ``reader`` (its helpers and triples).

    ``attachment(name)`` gives the text of a ``.txt`` file beside the CSV files or inside the
    ``.zip`` (None when there is none); ``root`` is the project's folder (for data/sources/).
    """

    reader: Reader
    tables: dict[str, list]
    attachment: Callable[[str], str | None]
    root: Path
    texts: dict[str, tuple[Row, _Text]] = field(default_factory=dict)
    publication_texts: dict[str, _Text] = field(default_factory=dict)
    publications_minted: dict[str, str] = field(default_factory=dict)  # id → IRI

    # ---- helpers

    @property
    def hrg(self) -> str:
        return self.reader.hrg

    def rows(self, sheet: str) -> list:
        return self.tables.get(sheet, [])

    def _agents(self, row: Row, column: str, *, classes: tuple[str, ...] = (FOAF + "Agent",),
                what: str = "person, organisation or group") -> list[str]:
        return [self.reader.reference(row, column, item, sheets=("actors",), classes=classes,
                                      what=what) for item in row.many(column)]

    def _agent(self, row: Row, column: str, *, classes: tuple[str, ...] = (FOAF + "Agent",),
               what: str = "person, organisation or group") -> str:
        return self.reader.reference(row, column, row.get(column), sheets=("actors",),
                                     classes=classes, what=what)

    def _document(self, row: Row, column: str = "document") -> str:
        return self.reader.reference(row, column, row.get(column), sheets=("documents",),
                                     classes=(self.hrg + "Document",), what="document")

    def entity(self, row: Row, column: str, text: str) -> str:
        """Anything a document may speak about: an actor, a provision, a mechanism."""
        return self.reader.reference(
            row, column, text, sheets=("actors", "mechanisms", "provisions"),
            classes=(FOAF + "Agent", self.hrg + "LegalProvision", ELI + "LegalResource",
                     self.hrg + "InternationalMechanism"),
            what="person, organisation, group, provision or mechanism")

    def _tagged(self, row: Row, column: str, item: str) -> ox.Literal:
        match = _TAGGED.fullmatch(item)
        if not match:
            raise self.reader.fail(row, column, f"{_q(item)}: write the text with its language, "
                                   "like Mass riots@en")
        return ox.Literal(match.group(1), language=match.group(2).lower())

    def _names(self, row: Row, s: str) -> None:
        """name, name language, names in other languages, other names, definition (as the
        actors sheet has them)."""
        r = self.reader
        r.add(s, SKOS + "prefLabel", ox.Literal(row.get("name"),
                                                language=r.language(row, "name language")))
        names = [row.get("name")]
        for column, prop in (("names in other languages", "prefLabel"),
                             ("other names", "altLabel")):
            for item in row.many(column):
                literal = self._tagged(row, column, item)
                names.append(literal.value)
                r.add(s, SKOS + prop, literal)
        r.new_names[s] = names
        if row.get("definition"):
            r.add(s, SKOS + "definition", ox.Literal(
                row.get("definition"), language=r.language(row, "definition language", "en")))

    def _common(self, row: Row, s: str) -> None:
        for item in row.many("topics"):
            self.reader.add(s, self.hrg + "topic",
                            self.reader.concept(row, "topics", item, "topic"))
        for item in row.many("source"):
            self.reader.add(s, DCTERMS + "source", self.reader.url(row, "source", item))

    # ---- texts

    def load_texts(self) -> None:
        """Read the texts sheet (before any row names one of its ids)."""
        for row in self.rows("texts"):
            slug = row.get("id")
            if slug in self.texts:
                raise self.reader.fail(row, "id", f"the id {_q(slug)} is used twice in this "
                                       "sheet")
            body = row.get("text")
            self.texts[slug] = (row, _Text(strip_header(body),
                                           f"the texts sheet's row {row.row} ({slug})"))

    def attach(self, row: Row, column: str, publication: str) -> None:
        """The ``text file`` cell of a documents or publications row: data/sources/NAME (an
        ``hrg:textCopy``), an id of the texts sheet, or a .txt file beside the CSV files."""
        value = row.get(column)
        if not value:
            return
        if value in self.texts:
            self.publication_texts[publication] = self.texts[value][1]
            return
        if _SOURCE_COPY.fullmatch(value):
            self.reader.add(publication, self.hrg + "textCopy", ox.Literal(value))
            stored = self._stored(value)
            if stored is not None:
                self.publication_texts[publication] = stored
            return
        text = self.attachment(value) if _ATTACHED.fullmatch(value) else None
        if text is None:
            raise self.reader.fail(row, column, f"{_q(value)}: give data/sources/NAME.txt, an "
                                   "id of the texts sheet, or the name of a .txt file beside "
                                   "the CSV files (or inside the .zip; a workbook carries its "
                                   "texts in the texts sheet)")
        self.publication_texts[publication] = _Text(strip_header(text), value)

    def _stored(self, copy: str) -> _Text | None:
        """A text copy of the project (data/sources/…), if the project has it."""
        sources = (self.root / "data" / "sources").resolve()
        path = (self.root / copy).resolve()
        if not path.is_relative_to(sources) or not path.is_file():
            return None
        return _Text(read_source_text(path), copy)

    def texts_by_url(self) -> None:
        """Give each texts row with a source URL to the publication with that URL."""
        for row, text in self.texts.values():
            if not row.get("source URL"):
                continue
            url = self.reader.url(row, "source URL", row.get("source URL"))
            found = self._publications_at(url)
            if not found:
                raise self.reader.fail(row, "source URL", f"no publication has the URL "
                                       f"{guard.shorten(url)}: give it as the source URL of a "
                                       "documents or publications row, or leave it empty and "
                                       "name the text in the quoted from column")
            for publication in found:
                self.publication_texts.setdefault(publication, text)

    def _publications_at(self, url: str) -> list[str]:
        here = {t.subject.value for t in self.reader.triples
                if t.predicate.value == SCHEMA + "url" and t.object.value == url}
        there = {q.subject.value for q in self.reader.known.store.quads_for_pattern(
            None, ox.NamedNode(SCHEMA + "url"), ox.NamedNode(url))}
        return sorted(here | there)

    def text_of(self, publication: str) -> _Text | None:
        """The text of a publication: given in this contribution, or the project's copy."""
        if publication in self.publication_texts:
            return self.publication_texts[publication]
        for q in self.reader.known.store.quads_for_pattern(
                ox.NamedNode(publication), ox.NamedNode(self.hrg + "textCopy"), None):
            stored = self._stored(q.object.value)
            if stored is not None:
                self.publication_texts[publication] = stored
                return stored
        return None

    def _is_publication(self, iri: str) -> bool:
        cls = self.hrg + "Publication"
        return any(t.subject.value == iri and t.predicate.value == RDF_TYPE
                   and t.object.value == cls for t in self.reader.triples) or \
            self.reader.known.has_type(iri, [cls])

    def _source(self, row: Row, document: str) -> tuple[str, _Text | None]:
        """The publication a quote points at, and the text to locate it in (if any)."""
        r = self.reader
        value = row.get("quoted from")
        if not value:
            publication = r.default_publication(row, document)
            return publication, self.text_of(publication)
        if value in self.texts:
            text_row, text = self.texts[value]
            url = text_row.get("source URL")
            publications = self._publications_at(url) if url else []
            return (publications[0] if publications else r.default_publication(row, document),
                    text)
        if value in self.publications_minted:
            publication = self.publications_minted[value]
            return publication, self.text_of(publication)
        if _ATTACHED.fullmatch(value):
            text = self.attachment(value)
            if text is not None:
                return r.default_publication(row, document), _Text(strip_header(text),
                                                                   value)
        iri = r.expand(value)
        if iri is not None and re.match(r"https?://", value):
            at = self._publications_at(iri)
            iri = at[0] if at else iri
        if iri is None or not self._is_publication(iri):
            raise r.fail(row, "quoted from", f"{_q(value)} is neither an id of the texts "
                         "sheet, nor a .txt file beside the CSV files, nor a publication "
                         "(an id of the publications sheet, publication:…, or its URL)")
        return iri, self.text_of(iri)

    def add_quote(self, row: Row, s: str, quote_iri: str, document: str) -> None:
        """``hrg:quote`` and ``hrg:quotedFrom`` for a row's quote, located in its text."""
        r = self.reader
        words = row.get("quote")
        if not words:
            for column in ("quoted from", "quote prefix", "quote suffix"):
                if row.get(column):
                    raise r.fail(row, column, "this column needs a quote")
            return
        language = r.language(row, "quote language")
        publication, text = self._source(row, document)
        prefix = row.get("quote prefix") or None
        suffix = row.get("quote suffix") or None
        exact = words
        if text is not None:
            try:
                match = locate_quote(text.text, words, prefix=prefix, suffix=suffix,
                                     where=text.shown)
            except QuoteProblem as exc:
                raise r.fail(row, "quote", str(exc)) from None
            exact, prefix, suffix = match.exact, match.prefix, match.suffix
        selector = quote_iri + "-selector"
        for iri in (quote_iri, selector):
            if iri in r.locations or r.known.exists(iri):
                raise r.fail(row, "id", f"{r._short(iri)} exists already: choose another id")
            r.locations[iri] = r.locations[s]
        r.add(s, self.hrg + "quote", ox.Literal(exact, language=language))
        r.add(s, self.hrg + "quotedFrom", quote_iri)
        r.add(quote_iri, RDF_TYPE, OA + "SpecificResource")
        r.add(quote_iri, OA + "hasSource", publication)
        r.add(quote_iri, OA + "hasSelector", selector)
        r.add(selector, RDF_TYPE, OA + "TextQuoteSelector")
        r.add(selector, OA + "exact", ox.Literal(exact))
        if prefix:
            r.add(selector, OA + "prefix", ox.Literal(prefix))
        if suffix:
            r.add(selector, OA + "suffix", ox.Literal(suffix))

    # ---- sheets that mint resources others refer to

    def mechanisms(self) -> None:
        r, hrg = self.reader, self.hrg
        rows = self.rows("mechanisms")
        for row in rows:
            s = r.mint(row, "mechanism")
            kind = row.get("kind").lower()
            if kind and kind not in MECHANISM_KINDS:
                raise r.fail(row, "kind", f"{_q(row.get('kind'))}: write mandate, dialogue, "
                             "policy instrument or family, or leave it empty")
            classes = [hrg + "InternationalMechanism"] + (
                [hrg + MECHANISM_KINDS[kind]] if kind else [])
            r.new_types[s] = set(classes)
            r.new_names[s] = [row.get("name")]
        for row in rows:
            s = r.minted["mechanisms"][row.get("id")]
            for cls in sorted(r.new_types[s]):
                r.add(s, RDF_TYPE, cls)
            self._names(row, s)
            for o in self._agents(row, "operated by", classes=(ORG + "Organization",),
                                  what="organisation"):
                r.add(s, hrg + "operatedBy", o)
            if row.get("parties") and hrg + "Dialogue" not in r.new_types[s]:
                raise r.fail(row, "parties", "only a dialogue has parties: write dialogue in "
                             "the kind column, or use operated by")
            for o in self._agents(row, "parties"):
                r.add(s, hrg + "party", o)
            if row.get("established on"):
                r.add(s, hrg + "establishedOn",
                      r.date(row, "established on", row.get("established on"))[0])
            if row.get("established by resolution"):
                r.add(s, hrg + "establishedByResolution",
                      ox.Literal(row.get("established by resolution")))
            self._common(row, s)

    def provisions(self) -> None:
        r, hrg = self.reader, self.hrg
        rows = self.rows("provisions")
        for row in rows:
            s = r.mint(row, "legal")
            kind = row.get("kind").lower()
            if kind not in PROVISION_KINDS:
                raise r.fail(row, "kind", f"{_q(row.get('kind'))}: write code, law, article or "
                             "provision")
            r.new_types[s] = {c.format(hrg=hrg) for c in PROVISION_KINDS[kind]}
            r.new_names[s] = [row.get("name")]
        for row in rows:
            s = r.minted["provisions"][row.get("id")]
            kind = row.get("kind").lower()
            for cls in PROVISION_KINDS[kind]:
                r.add(s, RDF_TYPE, cls.format(hrg=hrg))
            self._names(row, s)
            if row.get("official title"):
                r.add(s, ELI + "title", self._tagged(row, "official title",
                                                      row.get("official title")))
            for column, wanted in (("article", "article"), ("part of", "article"),
                                   ("introduced by", "article"), ("law number", "law")):
                if row.get(column) and kind != wanted:
                    raise r.fail(row, column, f"only a provision of kind {wanted} has "
                                 f"{column!r}; this row's kind is {kind}")
            if row.get("article"):
                r.add(s, hrg + "articleNumber", ox.Literal(row.get("article")))
            if row.get("part of"):
                r.add(s, ELI + "is_part_of", r.reference(
                    row, "part of", row.get("part of"), sheets=("provisions",),
                    classes=(hrg + "Code",), what="code"))
            if row.get("introduced by"):
                r.add(s, hrg + "introducedBy", r.reference(
                    row, "introduced by", row.get("introduced by"), sheets=("provisions",),
                    classes=(ELI + "LegalResource",), what="law"))
            if row.get("law number"):
                r.add(s, ELI + "id_local", ox.Literal(row.get("law number")))
            if row.get("date"):
                r.add(s, ELI + "date_document", r.date(row, "date", row.get("date"))[0])
            r.add(s, hrg + "jurisdiction", r.reference(
                row, "jurisdiction", row.get("jurisdiction"), sheets=(),
                classes=(hrg + "Country",), what="country"))
            if row.get("scope note"):
                r.add(s, SKOS + "scopeNote", self._tagged(row, "scope note",
                                                           row.get("scope note")))
            self._common(row, s)

    def publications(self) -> None:
        """Further copies of new or existing documents (translations among them)."""
        r, hrg = self.reader, self.hrg
        for row in self.rows("publications"):
            slug = row.get("id")
            s = r.iri("publication", slug)
            if s in r.locations:
                raise r.fail(row, "id", f"{r._short(s)} is already the publication of a "
                             "documents row: choose another id")
            s = r.mint(row, "publication")
            self.publications_minted[slug] = s
            document = self._document(row)
            language = r.language(row, "language")
            r.add(s, RDF_TYPE, hrg + "Publication")
            r.add(s, hrg + "publicationOf", document)
            r.add(document, hrg + "hasPublication", s)
            r.add(s, SCHEMA + "url", r.url(row, "source URL", row.get("source URL")))
            r.add(s, DCTERMS + "language", LANG + language)
            if row.get("title"):
                r.add(s, DCTERMS + "title", ox.Literal(row.get("title"), language=language))
            if row.get("publisher"):
                r.add(s, DCTERMS + "publisher", self._agent(
                    row, "publisher", classes=(ORG + "Organization",), what="organisation"))
            if row.get("issued"):
                r.add(s, DCTERMS + "issued", r.date(row, "issued", row.get("issued"))[0])
            if row.get("partial"):
                if row.get("partial").lower() not in ("yes", "true"):
                    raise r.fail(row, "partial", f"{_q(row.get('partial'))}: write yes, or "
                                 "leave it empty")
                r.add(s, hrg + "partial",
                      ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))
            if row.get("note"):
                r.add(s, SKOS + "editorialNote", self._tagged(row, "note", row.get("note")))
            self.attach(row, "text file", s)

    # ---- sheets that link or describe

    def roles(self) -> None:
        r, hrg = self.reader, self.hrg
        for row in self.rows("roles"):
            s = r.mint(row, "role-claim")
            document = self._document(row)
            r.add(s, RDF_TYPE, hrg + "RoleClaim")
            r.add(s, hrg + "holder", self._agent(row, "holder"))
            r.add(s, hrg + "role", r.concept(row, "role", row.get("role"), "role"))
            if row.get("role in"):
                r.add(s, hrg + "roleIn", self._agent(
                    row, "role in", classes=(ORG + "Organization",), what="organisation"))
            r.add(s, hrg + "attestedIn", document)
            if row.get("as of"):
                literal, lo, hi = r.date(row, "as of", row.get("as of"))
            else:
                literal, lo, hi = self._document_date(row, document)
            r.add(s, hrg + "asOf", literal)
            r.bounds(s, lo, hi)
            self.add_quote(row, s, r.iri("quote", "role-claim-" + row.get("id")), document)

    def _document_date(self, row: Row, document: str) -> tuple[ox.Literal, str, str]:
        date = DCTERMS + "date"
        found = [t.object for t in self.reader.triples
                 if t.subject.value == document and t.predicate.value == date]
        found += [q.object for q in self.reader.known.store.quads_for_pattern(
            ox.NamedNode(document), ox.NamedNode(date), None)]
        literal = next((x for x in found if isinstance(x, ox.Literal)), None)
        if literal is None:
            raise self.reader.fail(row, "as of", "the document has no date: give the date the "
                                   "claim holds as of")
        return self.reader.date(row, "as of", literal.value)

    def signatures(self) -> None:
        r, hrg = self.reader, self.hrg
        for row in self.rows("signatures"):
            s = r.mint(row, "signature")
            document = self._document(row)
            signer = self._agent(row, "signer")
            r.add(s, RDF_TYPE, hrg + "Signature")
            r.add(s, hrg + "signedDocument", document)
            r.add(s, hrg + "signer", signer)
            r.add(document, hrg + "signatory", signer)
            r.order(row, "order", s)
            self.add_quote(row, s, r.iri("quote", "signature-" + row.get("id")), document)

    def events(self) -> None:
        r, hrg = self.reader, self.hrg
        for row in self.rows("events"):
            s = r.mint(row, "event")
            r.new_types[s] = {hrg + "Event"}
            r.new_names[s] = [row.get("label")]
            r.add(s, RDF_TYPE, hrg + "Event")
            r.add(s, hrg + "eventType", r.concept(row, "type", row.get("type"), "event-type"))
            r.add(s, SKOS + "prefLabel", ox.Literal(
                row.get("label"), language=r.language(row, "label language")))
            for item in row.many("involves"):
                r.add(s, hrg + "involves", self.entity(row, "involves", item))
            r.period(row, "date or period", s)
            if row.get("note"):
                r.add(s, SKOS + "note", ox.Literal(row.get("note"),
                                                   language=r.language(row, "note language")))
            if row.get("reference number"):
                r.add(s, hrg + "referenceNumber", ox.Literal(row.get("reference number")))
            r.evidence(row, "evidence", s)

    def mentions(self) -> None:
        for row in self.rows("mentions"):
            document = self._document(row)
            for item in row.many("mentions"):
                self.reader.add(document, self.hrg + "mentions",
                                self.entity(row, "mentions", item))

    def affiliations(self) -> None:
        r, hrg = self.reader, self.hrg
        for row in self.rows("affiliations"):
            group = self._agent(row, "group", what="group")
            types = r.known.types.get(group, set()) | r.new_types.get(group, set())
            if hrg + "Collective" not in types and not r.known.has_type(group,
                                                                       [hrg + "Collective"]):
                raise r.fail(row, "group", f"{r._short(group)} is not a group: a person's or "
                             "organisation's membership of an organisation is a role claim "
                             "(roles sheet, column role in)")
            for o in self._agents(row, "organisation", classes=(ORG + "Organization",),
                                  what="organisation"):
                r.add(group, hrg + "affiliatedWith", o)

    def names(self) -> None:
        r, hrg = self.reader, self.hrg
        for row in self.rows("names"):
            entity = r.reference(
                row, "entity", row.get("entity"),
                sheets=("actors", "documents", "mechanisms", "provisions"),
                classes=(FOAF + "Agent", hrg + "Document", hrg + "LegalProvision",
                         ELI + "LegalResource", hrg + "InternationalMechanism", hrg + "Event"),
                what="entity")
            language = r.language(row, "name language")
            literal = ox.Literal(row.get("name"), language=language)
            preferred = row.get("preferred").lower()
            if preferred not in ("", "yes", "true"):
                raise r.fail(row, "preferred", f"{_q(row.get('preferred'))}: write yes, or "
                             "leave it empty")
            if not preferred:
                r.add(entity, SKOS + "altLabel", literal)
            else:
                is_document = hrg + "Document" in (
                    r.known.types.get(entity, set()) | r.new_types.get(entity, set()))
                prop = DCTERMS + "title" if is_document else SKOS + "prefLabel"
                have = [t.object for t in r.triples if t.subject.value == entity
                        and t.predicate.value == prop] + [
                    q.object for q in r.known.store.quads_for_pattern(
                        ox.NamedNode(entity), ox.NamedNode(prop), None)]
                same = next((x for x in have if isinstance(x, ox.Literal)
                             and (x.language or "") == language and x != literal), None)
                if same is not None:
                    raise r.fail(row, "preferred", f"{r._short(entity)} has a preferred name in "
                                 f"{language} already ({_q(same.value, 40)}): leave preferred "
                                 "empty to add this one as another name")
                r.add(entity, prop, literal)
            r.new_names.setdefault(entity, []).append(row.get("name"))


# --------------------------------------------------------------------------- export


def model_ids(e: Exporter) -> dict[str, list[tuple[str, str]]]:
    """The minted resources of the model sheets, per sheet: (IRI, id); registers the ids."""
    hrg = e.hrg
    plan = {"mechanisms": ([hrg + "InternationalMechanism"], "mechanism"),
            "provisions": ([hrg + "LegalProvision", ELI + "LegalResource", hrg + "Code"],
                           "legal"),
            "roles": ([hrg + "RoleClaim"], "role-claim"),
            "signatures": ([hrg + "Signature"], "signature"),
            "events": ([hrg + "Event"], "event"),
            "publications": ([hrg + "Publication"], "publication")}
    documents_own = {_sibling(d, e.slug(d, "document") or "", "publication")
                     for d in e.typed(hrg + "Document") if e.slug(d, "document")}
    found: dict[str, list[tuple[str, str]]] = {}
    for sheet, (classes, kind) in plan.items():
        subjects = sorted({s for cls in classes for s in e.typed(cls)})
        for s in subjects:
            slug = e.slug(s, kind)
            if slug is None or (sheet == "publications" and s in documents_own):
                continue
            found.setdefault(sheet, []).append((s, slug))
            e.ids[s] = slug
    return found


def export_quote(e: Exporter, s: str, own_publication: str | None) -> dict[str, str]:
    """The quote columns of a row: quote, quote language, quoted from, quote prefix, suffix."""
    quote = e.one(s, e.hrg + "quote")
    row = {"quote": quote.value if isinstance(quote, ox.Literal) else "",
           "quote language": (quote.language or "") if isinstance(quote, ox.Literal) else ""}
    for q in e.values(s, e.hrg + "quotedFrom"):
        e._types(q.value, [OA + "SpecificResource"])
        source = e.one(q.value, OA + "hasSource")
        if source is not None and source.value != own_publication:
            row["quoted from"] = e.ref(source.value)
        for selector in e.values(q.value, OA + "hasSelector"):
            e._types(selector.value, [OA + "TextQuoteSelector"])
            e.values(selector.value, OA + "exact")
            for column, prop in (("quote prefix", "prefix"), ("quote suffix", "suffix")):
                value = e.one(selector.value, OA + prop)
                if value is not None:
                    row[column] = value.value
    return row


def _sibling(iri: str, slug: str, kind: str) -> str:
    """``…/id/document/x`` → ``…/id/<kind>/x`` (the IRI another sheet mints for the same id)."""
    base = iri[:len(iri) - len(slug)].rstrip("/").rpartition("/")[0]
    return f"{base}/{kind}/{slug}"


def _own_publication(e: Exporter, document: str) -> str | None:
    """The publication a documents row of ``document`` mints (``publication:<its id>``)."""
    slug = e.slug(document, "document")
    if slug is None:
        return None
    iri = _sibling(document, slug, "publication")
    return iri if iri in e.by_subject else None


def _names_row(e: Exporter, s: str) -> dict[str, str]:
    labels = [x for x in e.values(s, SKOS + "prefLabel") if isinstance(x, ox.Literal)]
    first = next((x for x in labels if x.language == "en"), labels[0] if labels else None)
    definition = e.one(s, SKOS + "definition")
    return {"name": first.value if first else "",
            "name language": first.language or "" if first else "",
            "names in other languages": e._tagged([x for x in labels if x != first]),
            "other names": e._tagged(e.values(s, SKOS + "altLabel")),
            "definition": definition.value if isinstance(definition, ox.Literal) else "",
            "definition language": (definition.language or "")
            if isinstance(definition, ox.Literal) else ""}


def _tag(x: ox.Term | None) -> str:
    return f"{x.value}@{x.language}" if isinstance(x, ox.Literal) and x.language else (
        x.value if x is not None else "")


def _refs(e: Exporter, s: str, p: str) -> str:
    return "; ".join(e.ref(x.value) for x in e.values(s, p))


def _common(e: Exporter, s: str) -> dict[str, str]:
    return {"topics": "; ".join(e.label(x.value, "topic") for x in e.values(s, e.hrg + "topic")),
            "source": "; ".join(x.value for x in e.values(s, DCTERMS + "source"))}


def export_model(e: Exporter, found: dict[str, list[tuple[str, str]]],
                 minted: set[str]) -> dict[str, list[dict[str, str]]]:
    """The rows of the model sheets (after the first four sheets took their triples).
    ``minted`` are the subjects that have a row of their own somewhere."""
    hrg = e.hrg
    sheets: dict[str, list[dict[str, str]]] = {name: [] for name in MODEL_SHEETS}
    for s, slug in found.get("mechanisms", []):
        kinds = [k for k, local in MECHANISM_KINDS.items() if k != "family of mechanisms"
                 and any(t.predicate.value == RDF_TYPE and t.object.value == hrg + local
                         for t in e.by_subject.get(s, []))]
        e._types(s, [hrg + "InternationalMechanism"] + [hrg + MECHANISM_KINDS[k] for k in kinds])
        established = e.one(s, hrg + "establishedOn")
        resolution = e.one(s, hrg + "establishedByResolution")
        sheets["mechanisms"].append({
            "id": slug, "kind": kinds[0] if kinds else "", **_names_row(e, s),
            "operated by": _refs(e, s, hrg + "operatedBy"), "parties": _refs(e, s, hrg + "party"),
            "established on": established.value if established else "",
            "established by resolution": resolution.value if resolution else "",
            **_common(e, s)})
    for s, slug in found.get("provisions", []):
        kind = next((k for k, classes in PROVISION_KINDS.items()
                     if {c.format(hrg=hrg) for c in classes} == {
                         t.object.value for t in e.by_subject.get(s, [])
                         if t.predicate.value == RDF_TYPE}), "provision")
        e._types(s, [c.format(hrg=hrg) for c in PROVISION_KINDS[kind]])
        one = {column: e.one(s, prop) for column, prop in (
            ("article", hrg + "articleNumber"), ("law number", ELI + "id_local"),
            ("date", ELI + "date_document"))}
        part, by, where = (e.one(s, p) for p in (ELI + "is_part_of", hrg + "introducedBy",
                                                  hrg + "jurisdiction"))
        sheets["provisions"].append({
            "id": slug, "kind": kind, **_names_row(e, s),
            "official title": _tag(e.one(s, ELI + "title")),
            **{c: v.value if v is not None else "" for c, v in one.items()},
            "part of": e.ref(part.value) if part else "",
            "introduced by": e.ref(by.value) if by else "",
            "jurisdiction": e.ref(where.value) if where else "",
            "scope note": _tag(e.one(s, SKOS + "scopeNote")), **_common(e, s)})
    for s, slug in found.get("publications", []):
        e._types(s, [hrg + "Publication"])
        document = e.one(s, hrg + "publicationOf")
        if document is not None:
            e.used.update(t for t in e.by_subject.get(document.value, [])
                          if t.predicate.value == hrg + "hasPublication" and t.object.value == s)
        language, url, title, publisher, issued, copy, partial, note = (
            e.one(s, p) for p in (DCTERMS + "language", SCHEMA + "url", DCTERMS + "title",
                                  DCTERMS + "publisher", DCTERMS + "issued", hrg + "textCopy",
                                  hrg + "partial", SKOS + "editorialNote"))
        sheets["publications"].append({
            "id": slug, "document": e.ref(document.value) if document else "",
            "source URL": url.value if url else "",
            "language": language.value.removeprefix(LANG) if language else "",
            "title": title.value if title else "",
            "publisher": e.ref(publisher.value) if publisher else "",
            "issued": issued.value if issued else "", "text file": copy.value if copy else "",
            "partial": "yes" if partial is not None and partial.value == "true" else "",
            "note": _tag(note)})
    for s, slug in found.get("roles", []):
        e._types(s, [hrg + "RoleClaim"])
        holder, role, role_in, document, as_of = (e.one(s, hrg + p) for p in (
            "holder", "role", "roleIn", "attestedIn", "asOf"))
        e.values(s, hrg + "earliestDate")
        e.values(s, hrg + "latestDate")
        sheets["roles"].append({
            "id": slug, "holder": e.ref(holder.value) if holder else "",
            "role": e.label(role.value, "role") if role else "",
            "role in": e.ref(role_in.value) if role_in else "",
            "document": e.ref(document.value) if document else "",
            "as of": as_of.value if as_of else "",
            **export_quote(e, s, _own_publication(e, document.value) if document else None)})
    for s, slug in found.get("signatures", []):
        e._types(s, [hrg + "Signature"])
        document, signer, order = (e.one(s, hrg + p) for p in ("signedDocument", "signer",
                                                               "order"))
        if document is not None and signer is not None:
            e.used.update(t for t in e.by_subject.get(document.value, [])
                          if t.predicate.value == hrg + "signatory"
                          and t.object.value == signer.value)
        sheets["signatures"].append({
            "id": slug, "document": e.ref(document.value) if document else "",
            "signer": e.ref(signer.value) if signer else "",
            "order": order.value if order else "",
            **export_quote(e, s, _own_publication(e, document.value) if document else None)})
    for s, slug in found.get("events", []):
        e._types(s, [hrg + "Event"])
        kind, label, note, number = (e.one(s, p) for p in (
            hrg + "eventType", SKOS + "prefLabel", SKOS + "note", hrg + "referenceNumber"))
        sheets["events"].append({
            "id": slug, "type": e.label(kind.value, "event-type") if kind else "",
            "label": label.value if label else "",
            "label language": (label.language or "") if isinstance(label, ox.Literal) else "",
            "involves": _refs(e, s, hrg + "involves"),
            "date or period": e.period_text(s),
            "note": note.value if note else "",
            "note language": (note.language or "") if isinstance(note, ox.Literal) else "",
            "reference number": number.value if number else "",
            "evidence": e.evidence_text(s)})
    # links and names on any subject, with whatever the rows above did not take
    for t in sorted(e.triples, key=str):
        if t in e.used:
            continue
        p = t.predicate.value
        if p == hrg + "mentions":
            e.used.add(t)
            sheets["mentions"].append({"document": e.ref(t.subject.value),
                                       "mentions": e.ref(t.object.value)})
        elif p == hrg + "affiliatedWith":
            e.used.add(t)
            sheets["affiliations"].append({"group": e.ref(t.subject.value),
                                           "organisation": e.ref(t.object.value)})
        elif (p in (SKOS + "prefLabel", SKOS + "altLabel", DCTERMS + "title")
              and isinstance(t.object, ox.Literal) and t.object.language
              and t.subject.value not in minted):
            e.used.add(t)
            sheets["names"].append({"entity": e.ref(t.subject.value), "name": t.object.value,
                                    "name language": t.object.language,
                                    "preferred": "" if p == SKOS + "altLabel" else "yes"})
    return sheets
