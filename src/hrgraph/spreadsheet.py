"""Contributions as spreadsheets: the template's sheets to RDF and back.

A contribution is an ``.xlsx`` workbook, a folder or ``.zip`` of CSV files (or one CSV named after
its sheet), with one sheet per kind of entity — ``documents``, ``demands``, ``actors``,
``assessments`` here, and the sheets of :mod:`hrgraph.spreadsheet_model` (mechanisms,
provisions, roles, signatures, mentions, affiliations, events, publications, names, texts), which
this module hands its reader and exporter to, and which locates quotes in their text — and
human column names (:data:`SHEETS`; docs/contributing.md has the column reference).
:func:`read_contribution` maps the rows to triples exactly as the project's own data is written
(data/documents/*.ttl, data/history/assessments.ttl):

* IRIs are minted under ``<id base><kind>/<id>`` from the ``id`` column (a lower-case slug that no
  resource in the store has yet); a demand gets ``quote:<id>`` and ``quote:<id>-selector`` for
  its quote, a document ``publication:<id>`` for its source URL;
* vocabulary values are labels in any language a vocabulary holds (``release``,
  ``political prisoners``; hidden labels too: ``funding``), a concept's IRI, or ``prefix:local``
  (``action:release``); an unknown label is an error suggesting up to three concepts by meaning
  and spelling (:func:`hrgraph.vocab.suggest`) and pointing to ``hrgraph vocab SCHEME``;
* references to people, organisations, groups, documents, demands … are an ``id`` of the same
  contribution, an IRI, ``prefix:local`` (``person:marfa-rabkova``), or any name in any script:
  first the exact name after :func:`hrgraph.names.normalise`, then a name that contains the text
  (what the saved query ``find-by-name`` does), then :func:`hrgraph.names.similarity`; each step
  must find exactly one entity, else the error lists the candidates;
* dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``xsd:gYear``, ``xsd:gYearMonth``,
  ``xsd:date``) with ``hrg:earliestDate``/``hrg:latestDate`` bounds; a period is ``START/END``.

Everything that makes the input unusable raises :class:`hrgraph.errors.InputError` (exit 2) naming
file, sheet, row and column; a formula cell is such an error (formulas are never evaluated).
Messages quote at most a short excerpt of a cell (:func:`hrgraph.guard.shorten`).

Bounded work (:class:`Limits`, set in ``hrgraph.toml`` ``[contributions]``, :func:`limits_of`):
CSV files are read row by row with the ``csv`` module and workbooks with openpyxl's streaming
``read_only`` mode, rows and cells counted as they come, so a refusal comes as soon as a limit is
passed: ``max_rows`` (:data:`MAX_ROWS`), ``max_cells`` (:data:`MAX_CELLS`), ``max_cell_chars``
(:data:`MAX_CELL_CHARS`; a CSV line may hold :data:`LINE_CELLS` full cells) and, for a ``.zip`` or
``.xlsx``, ``max_unpacked_bytes`` (:data:`MAX_UNCOMPRESSED`, from the archive's directory, before
anything is unpacked). Every XML part of a workbook is first read by expat, streaming: a DOCTYPE
(entity expansion, external entities) is refused, and rows, cells and shared strings are counted,
because openpyxl keeps a whole row and every shared string in memory. Symbolic links (a CSV in a
folder, a member of an archive) and other files that are not plain files are refused unread. What
the shapes find afterwards is located through :attr:`Contribution.locations` (minted subject →
sheet and row) and :attr:`Contribution.columns` (property → column).

:func:`export_template` writes a graph (a merged contribution) back into the same sheets; cells a
spreadsheet program would run as a formula (starting with ``= + - @``, tab or CR) get a leading
apostrophe, which the import takes off again (:func:`escape_cell`, :func:`unescape_cell`).

Why one module (about 2,000 lines): the reader and the exporter share the column table, the cell
rules and the name and vocabulary resolution, and a round trip is only lossless while both sides
read them from one place. The seam if it grows further: the bounded reading of archives and CSV
files (:class:`Limits`, the expat pre-read), which the Word reader already reuses.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import hashlib
import io
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.parsers import expat

import pyoxigraph as ox

from hrgraph import guard, spreadsheet_model
from hrgraph.errors import InputError, UsageError
from hrgraph.names import normalise, similarity
from hrgraph.project import Project

__all__ = [
    "SHEETS",
    "Column",
    "Contribution",
    "ExportResult",
    "escape_cell",
    "export_template",
    "is_spreadsheet",
    "read_contribution",
    "source_bytes",
    "unescape_cell",
    "write_template",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
LANG = "http://id.loc.gov/vocabulary/iso639-1/"
RDF_TYPE = RDF + "type"
OWL_DIFFERENT_FROM = "http://www.w3.org/2002/07/owl#differentFrom"

SPREADSHEET_SUFFIXES = {".xlsx", ".csv", ".zip"}
#: Sheets a workbook may hold besides the data sheets (instructions); they are not read.
IGNORED_SHEETS = {"readme", "help", "instructions"}
_DANGEROUS = "=+-@\t\r"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_TAGGED = re.compile(r"(.*\S)\s*@([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)")
_EVIDENCE = re.compile(r"(\S+)(?:\s+\((.+)\))?")
_CURIE = re.compile(r"([a-z][a-z0-9-]*):([^\s/][^\s]*)")


# --------------------------------------------------------------------------- the template


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, whether it must be there and filled, what it holds."""

    name: str
    required: bool
    kind: str  # for the documentation: what a cell holds
    help: str
    multi: bool = False  # several values separated by ";"


#: An editor's note (skos:editorialNote) on a document or a demand, and its language.
_NOTE_COLUMNS = (
    Column("note", False, "text", "an editor's note: what the text leaves open and how it was "
           "read (The text names no addressee …)"),
    Column("note language", False, "language code", "language of the note (default en)"),
)

SHEETS: dict[str, list[Column]] = {
    "documents": [
        Column("id", True, "slug", "new IRI document/<id> (lower-case letters, digits, -)"),
        Column("title", True, "text", "the title, in the document's language"),
        Column("date", True, "date or unknown", "YYYY, YYYY-MM or YYYY-MM-DD; unknown when the "
               "text states no date and no source gives one (hrg:dateUnknown, never a guess)"),
        Column("language", True, "language code", "ISO 639-1 code of the document (en, be, ru)"),
        Column("signatories", False, "references", "people, organisations or groups that "
               "signed it", multi=True),
        Column("source URL", True, "URL", "where it is published (its publication)"),
        Column("text file", False, "path", "a verbatim copy in the project: data/sources/NAME"),
        Column("topics", False, "topic labels", "topics of the whole document", multi=True),
        Column("type", False, "document type", "what kind of document, by label: joint "
               "statement, open letter, article … (the ontology's kinds of document; empty: "
               "a document of no particular kind)", multi=True),
        Column("partial", False, "yes", "yes when only part of the text is available (the "
               "document and its publication are marked partial)"),
        *_NOTE_COLUMNS,
    ],
    "demands": [
        Column("id", True, "slug", "new IRI demand/<id>"),
        Column("document", True, "reference", "the document it is made in (an id of the "
               "documents sheet, or an existing document)"),
        Column("summary", False, "text", "a short English summary (its preferred label)"),
        Column("quote", True, "text", "the demand's words exactly as the source has them"),
        Column("quote language", True, "language code", "language of the quote"),
        *(Column(*c) for c in spreadsheet_model.QUOTE_COLUMNS),
        Column("action", True, "action type", "label from the action-type vocabulary "
               "(release, repeal …)"),
        Column("topics", False, "topic labels", "topics from the topic vocabulary", multi=True),
        Column("addressee", False, "references", "whom the demand is addressed to", multi=True),
        Column("actor asked to act", False, "references", "who is asked to act (addressee or "
               "actor asked to act: at least one)", multi=True),
        Column("made by", False, "references", "who makes the demand when it is not the "
               "document's signatories: a state speaking at a session, the EU's spokesperson "
               "for the EU (hrg:madeBy)", multi=True),
        Column("targets", False, "references", "people, organisations, groups, legal "
               "provisions, mechanisms (an id of the actors, provisions or mechanisms sheet, "
               "or an existing one) or countries it concerns", multi=True),
        Column("part of", False, "reference", "a larger demand or point it belongs to"),
        Column("order", False, "whole number", "its place among its siblings (1, 2 …)"),
        *_NOTE_COLUMNS,
    ],
    "actors": [
        Column("id", True, "slug", "new IRI person/<id>, organisation/<id> or group/<id>"),
        Column("kind", True, "person / organisation / group", "what the actor is"),
        Column("name", True, "text", "the preferred name"),
        Column("name language", True, "language code", "language of the name"),
        Column("names in other languages", False, "text@lang", "further preferred names, one "
               "per language: Марфа Рабкова@be", multi=True),
        Column("other names", False, "text@lang", "other spellings: Maryia Rabkova@en",
               multi=True),
        Column("definition", False, "text", "who or what it is, in a sentence"),
        Column("definition language", False, "language code", "language of the definition "
               "(default en)"),
        Column("source", False, "URL (quality)", "pages that support the names and "
               "definition, each followed by its evidence quality in brackets when the project "
               "does not know it yet: https://example.org/a (news media)", multi=True),
        Column("different from", False, "references", "existing actors whose names match but "
               "who are someone else (owl:differentFrom)", multi=True),
        Column("possibly same as", False, "references", "existing actors this one may be, "
               "when the sources do not tell: recorded as an open question (hrg:possiblySameAs) "
               "with the row's source", multi=True),
        Column("basis", False, "text", "why the question is open, for 'possibly same as': "
               "The text gives only the name."),
        Column("basis language", False, "language code", "language of the basis (default en)"),
    ],
    "assessments": [
        Column("id", True, "slug", "new IRI assessment/<id>"),
        Column("demand", True, "reference", "the demand assessed (an id of the demands sheet "
               "or an existing demand)"),
        Column("status", True, "status label", "met, partly met, not met, reversed, "
               "superseded, unknown"),
        Column("date or period", True, "date, START/END or START/",
               "the period during which the status held: 2016-07/2024-04; 2016-07/ when it "
               "still held when last seen; one date when it held on that day"),
        Column("evidence date", False, "date", "the date of the evidence that shows the status "
               "(the event or report; for status unknown, the day you looked); default: the end "
               "of the period, else its start"),
        Column("note", True, "text", "what happened, in a sentence or two"),
        Column("note language", True, "language code", "language of the note"),
        Column("evidence", False, "URL (quality)", "web sources, each a URL followed by its "
               "evidence quality in brackets when the project does not know it yet: "
               "https://example.org/a (news media); required unless the status is unknown "
               "(you looked and found nothing: say where in the note)", multi=True),
        Column("assessed by", True, "reference", "who made the assessment (an actor)"),
        Column("related events", False, "references", "events it takes into account (an id "
               "of the events sheet, or an existing event)", multi=True),
    ],
    **{sheet: [Column(*c) for c in columns]
       for sheet, columns in spreadsheet_model.MODEL_SHEETS.items()},
}

#: Which column a property's values come from, per sheet (to locate what the shapes report).
PROPERTY_COLUMNS: dict[str, dict[str, str]] = {
    "documents": {DCTERMS + "title": "title", DCTERMS + "date": "date",
                  "earliestDate": "date", "latestDate": "date", "dateUnknown": "date",
                  DCTERMS + "language": "language", "signatory": "signatories",
                  "hasPublication": "source URL", "topic": "topics", RDF_TYPE: "type",
                  "partial": "partial", SKOS + "editorialNote": "note"},
    "demands": {SKOS + "prefLabel": "summary", "quote": "quote", "quotedFrom": "quote",
                "madeIn": "document", "actionType": "action", "topic": "topics",
                "addressee": "addressee", "actorAskedToAct": "actor asked to act",
                "madeBy": "made by",
                "concerns": "targets", "concernsPerson": "targets",
                "concernsOrganisation": "targets", "concernsGroup": "targets",
                "concernsLegalProvision": "targets", "concernsMechanism": "targets",
                "concernsPlace": "targets",
                "partOf": "part of", "order": "order", SKOS + "editorialNote": "note"},
    "actors": {SKOS + "prefLabel": "name", SKOS + "altLabel": "other names",
               SKOS + "definition": "definition", DCTERMS + "source": "source",
               OWL_DIFFERENT_FROM: "different from", "possiblySameAs": "possibly same as",
               "about": "possibly same as", "basis": "basis"},
    "assessments": {"assessedDemand": "demand", "status": "status",
                    DCTERMS + "date": "evidence date", "periodStart": "date or period",
                    "periodEnd": "date or period", "earliestDate": "date or period",
                    "startLatestDate": "date or period", "endEarliestDate": "date or period",
                    "latestDate": "date or period", SKOS + "note": "note",
                    "evidence": "evidence", PROV + "wasAttributedTo": "assessed by",
                    "relatedEvent": "related events"},
    **spreadsheet_model.MODEL_PROPERTY_COLUMNS,
}

ACTOR_KINDS = {"person": ("person", [FOAF + "Person"]),
               "organisation": ("organisation", [ORG + "Organization"]),
               "group": ("group", ["{hrg}Collective", FOAF + "Group"])}

VOCABULARIES = {"action": "action-type", "topics": "topic", "status": "status",
                "quality": "evidence-quality"}


# --------------------------------------------------------------------------- cells


def escape_cell(text: str) -> str:
    """``text`` as a cell that no spreadsheet program runs: a leading apostrophe before ``= + -
    @``, tab or CR (and before apostrophes already in front of them, so that it is reversible)."""
    return "'" + text if text.lstrip("'")[:1] in tuple(_DANGEROUS) and text.lstrip("'") else text


def unescape_cell(text: str) -> str:
    """The inverse of :func:`escape_cell`: one leading apostrophe off before a dangerous
    character (``'=HYPERLINK(…)`` → ``=HYPERLINK(…)``); everything else as it is."""
    if text.startswith("'") and text.lstrip("'")[:1] in tuple(_DANGEROUS) and text.lstrip("'"):
        return text[1:]
    return text


@dataclass(frozen=True)
class Location:
    """Where a minted resource comes from: a sheet's data row (1-based, the header is row 1)."""

    sheet: str
    row: int


@dataclass(frozen=True)
class Resolution:
    """What a reference or vocabulary cell resolved to, and how: ``id`` (of this spreadsheet),
    ``IRI`` (or prefix:local), ``exact`` (a name, after normalisation), ``contains`` (a name
    containing it), ``similar`` (:func:`hrgraph.names.similarity`) or ``label`` (a vocabulary
    label)."""

    sheet: str
    row: int
    column: str
    text: str
    iri: str
    how: str

    def __str__(self) -> str:
        return f"sheet {self.sheet!r}, row {self.row}, column {self.column!r}: {self.text!r} → " \
               f"<{self.iri}> ({self.how})"


class _Where:
    """Builds the errors that name file, sheet, row and column."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def error(self, message: str, sheet: str | None = None, row: int | None = None,
              column: str | None = None) -> InputError:
        where = []
        if sheet is not None:
            where.append(f"sheet {_quote(sheet, 40)}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {_quote(column, 40)}")
        prefix = ", ".join(where)
        return InputError(f"{prefix}: {message}" if prefix else message, path=self.shown)


# --------------------------------------------------------------------------- reading files


def is_spreadsheet(path: Path) -> bool:
    """Whether ``add`` should read ``path`` as a spreadsheet contribution."""
    return path.is_dir() or path.suffix.lower() in SPREADSHEET_SUFFIXES


# --------------------------------------------------------------------------- limits

#: Rows a contribution may have, all sheets together (header and empty rows count too).
MAX_ROWS = 10_000
#: Cells a contribution may have, all sheets together (empty cells within a row count too).
MAX_CELLS = 200_000
#: Characters one cell may hold (Excel's own limit for a cell).
MAX_CELL_CHARS = 32_767
#: Bytes the members of a .zip or the parts of an .xlsx may unpack to, all together.
MAX_UNCOMPRESSED = 50 * 1024 * 1024
#: A line of a CSV file may hold as many characters as this many full cells.
LINE_CELLS = 16

_SETTINGS = {"rows": "max_rows", "cells": "max_cells", "cell_chars": "max_cell_chars",
             "unpacked_bytes": "max_unpacked_bytes"}


@dataclass(frozen=True)
class Limits:
    """How much a spreadsheet contribution may hold; see :func:`limits_of`."""

    rows: int = MAX_ROWS
    cells: int = MAX_CELLS
    cell_chars: int = MAX_CELL_CHARS
    unpacked_bytes: int = MAX_UNCOMPRESSED

    def advice(self, name: str) -> str:
        return (f"split the contribution, or raise [contributions] {_SETTINGS[name]} in "
                "hrgraph.toml")


def limits_of(project: Project) -> Limits:
    """The limits from ``hrgraph.toml``, section ``[contributions]``: ``max_rows`` (default
    :data:`MAX_ROWS`), ``max_cells`` (:data:`MAX_CELLS`), ``max_cell_chars``
    (:data:`MAX_CELL_CHARS`) and ``max_unpacked_bytes`` (:data:`MAX_UNCOMPRESSED`).

    Raises:
        InputError: a setting is not a positive whole number.
    """
    section = project.settings.get("contributions", {})
    values = {}
    for field_name, key in _SETTINGS.items():
        default = {"rows": MAX_ROWS, "cells": MAX_CELLS, "cell_chars": MAX_CELL_CHARS,
                   "unpacked_bytes": MAX_UNCOMPRESSED}[field_name]  # read now: tests patch them
        value = section.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InputError(f"[contributions] {key} must be a positive whole number, not "
                             f"{guard.shorten(repr(value), 40)}", path="hrgraph.toml")
        values[field_name] = value
    return Limits(**values)


def _quote(text: str, limit: int = 60) -> str:
    """A cell's text as an error message shows it: an excerpt, quoted (never the whole cell)."""
    return repr(guard.shorten(text, limit))


class _Budget:
    """Counts rows and cells while they are read, and refuses as soon as one is too many."""

    def __init__(self, limits: Limits, where: _Where) -> None:
        self.limits = limits
        self.where = where
        self.rows = 0
        self.cells = 0

    def row(self, sheet: str, number: int, width: int) -> None:
        """Count one row of ``width`` cells (before its cells are looked at)."""
        self.rows += 1
        self.cells += width
        if self.rows > self.limits.rows:
            raise self.where.error(f"more than {self.limits.rows:,} rows in all (empty rows "
                                   f"count too); {self.limits.advice('rows')}", sheet, number)
        if self.cells > self.limits.cells:
            raise self.where.error(f"more than {self.limits.cells:,} cells in all (empty cells "
                                   f"count too); {self.limits.advice('cells')}", sheet, number)

    def cell(self, sheet: str, number: int, column: str, text: str) -> str:
        if len(text) > self.limits.cell_chars:
            raise self.where.error(f"the cell holds {len(text):,} characters, more than the "
                                   f"limit of {self.limits.cell_chars:,}; shorten it, or raise "
                                   "[contributions] max_cell_chars in hrgraph.toml", sheet,
                                   number, column)
        return text


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _is_link_member(info: zipfile.ZipInfo) -> bool:
    """Whether an archive member is a symbolic link (Unix mode bits in its external attributes)."""
    return stat.S_ISLNK(info.external_attr >> 16)


def _folder_csvs(path: Path, shown: str, pattern: str = "*.csv") -> list[Path]:
    """The CSV files (or others, by ``pattern``) of a folder contribution, in name order:
    regular files only. A symbolic link (or anything else that is not a plain file) is refused
    unread, so that a link to another file never has its content read or shown."""
    found = []
    for p in sorted(path.glob(pattern)):
        mode = p.lstat().st_mode
        if stat.S_ISLNK(mode):
            raise InputError(f"{guard.shorten(p.name, 60)} is a symbolic link: a contribution "
                             "folder may hold only plain files (refused unread)", path=shown)
        if not stat.S_ISREG(mode):
            raise InputError(f"{guard.shorten(p.name, 60)} is not a plain file (refused "
                             "unread)", path=shown)
        found.append(p)
    return found


def source_bytes(path: Path, *, shown: str, max_bytes: int) -> bytes:
    """The bytes a contribution's checksum is taken over: the file, or for a folder each CSV's
    name and bytes in name order (its ``.txt`` texts too). Refuses more than ``max_bytes`` in
    all, and symbolic links inside a folder."""
    if not path.exists():
        raise InputError("file not found", path=shown)
    files = sorted(_folder_csvs(path, shown) + _folder_csvs(path, shown, "*.txt"),
                   key=lambda p: p.name) if path.is_dir() else [path]
    if path.is_dir() and not any(p.suffix == ".csv" for p in files):
        raise InputError("the folder holds no .csv files (documents.csv, demands.csv, "
                         "actors.csv, assessments.csv)", path=shown)
    size = sum(p.stat().st_size for p in files)
    if size > max_bytes:
        raise InputError(f"the contribution is {size:,} bytes, more than the limit of "
                         f"{max_bytes:,}; split it, or raise [contributions] max_bytes in "
                         "hrgraph.toml", path=shown)
    if not path.is_dir():
        return path.read_bytes()
    return b"".join(p.name.encode() + b"\0" + p.read_bytes() + b"\0" for p in files)


def _lines(text: io.TextIOBase, limit: int, sheet: str, where: _Where) -> Iterator[str]:
    """The lines of ``text``, none longer than ``limit`` characters (a longer one is refused
    before it is read whole)."""
    number = 0
    while True:
        line = text.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit:
            raise where.error(f"line {number} is longer than {limit:,} characters (room for "
                              f"{LINE_CELLS} full cells); shorten it, or raise [contributions] "
                              "max_cell_chars in hrgraph.toml", sheet)
        yield line


def _rows_from_csv(binary: IO[bytes], sheet: str, where: _Where,
                   budget: _Budget) -> list[list[str]]:
    """The rows of one CSV file, read row by row and counted as they come."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    limit = budget.limits.cell_chars
    rows: list[list[str]] = []
    number = 0
    try:
        for record in csv.reader(_lines(text, limit * LINE_CELLS, sheet, where)):
            number += 1
            budget.row(sheet, number, len(record))
            names = rows[0] if rows else []
            for index, value in enumerate(record):
                column = names[index].strip() if index < len(names) and number > 1 else ""
                budget.cell(sheet, number, column or f"#{index + 1}", value)
            rows.append(_trimmed(record))
    except UnicodeDecodeError:
        raise where.error(f"not UTF-8 (row {number + 1}): save the CSV as UTF-8",
                          sheet) from None
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise where.error(f"a cell of more than {csv.field_size_limit():,} characters (the "
                              "most the csv module reads)", sheet, number + 1) from None
        raise where.error(f"not a readable CSV file ({guard.shorten(str(exc), 80)})", sheet,
                          number + 1) from None
    finally:
        text.detach()  # the caller closes the file
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_sheets(path: Path, where: _Where, limits: Limits) -> list[tuple[str, list[list[str]]]]:
    """(sheet name, rows of cell texts) in order (formulas refused, apostrophes not yet
    undone), read streaming within ``limits``."""
    budget = _Budget(limits, where)
    suffix = path.suffix.lower()
    if path.is_dir():
        found = []
        for p in _folder_csvs(path, where.shown):
            with p.open("rb") as binary:
                found.append((p.stem, _rows_from_csv(binary, p.stem, where, budget)))
        return found
    if suffix == ".csv":
        with path.open("rb") as binary:
            return [(path.stem, _rows_from_csv(binary, path.stem, where, budget))]
    if suffix == ".zip":
        return _read_zip(path, where, budget)
    return _read_workbook(path, where, budget)


def _open_archive(path: Path, where: _Where, limits: Limits) -> zipfile.ZipFile:
    """The archive, once its directory says that it unpacks to at most ``limits.unpacked_bytes``
    and holds no symbolic links.

    The sizes come from the archive's directory; Python's zipfile (which openpyxl uses too)
    never returns more than the declared size of a member, so the check bounds what is read.
    """
    kind = path.suffix.lower()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise where.error(f"not a readable {kind} file") from None
    try:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > limits.unpacked_bytes:
            raise where.error(f"the archive unpacks to {total:,} bytes, more than the limit of "
                              f"{limits.unpacked_bytes:,}; refused without unpacking it "
                              "(raise [contributions] max_unpacked_bytes in hrgraph.toml)")
        for info in infos:
            if _is_link_member(info):
                raise where.error(f"the member {_quote(info.filename)} is a symbolic link: "
                                  f"a {kind} may hold only plain files (refused unread)")
    except BaseException:
        archive.close()
        raise
    return archive


def _read_zip(path: Path, where: _Where, budget: _Budget) -> list[tuple[str, list[list[str]]]]:
    with _open_archive(path, where, budget.limits) as archive:
        members = [info for info in archive.infolist()
                   if info.filename.lower().endswith(".csv") and not info.is_dir()
                   and not info.filename.startswith("__MACOSX/")]
        found = []
        for info in sorted(members, key=lambda i: i.filename):
            stem = Path(info.filename).stem
            try:
                with archive.open(info) as binary:
                    found.append((stem, _rows_from_csv(binary, stem, where, budget)))
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                    RuntimeError):  # damaged, an unknown compression, encrypted
                raise where.error(f"the member {_quote(info.filename)} cannot be unpacked"
                                  ) from None
        return found


class _XmlRefused(Exception):
    """Raised from inside the expat handlers of :func:`_scan_part`."""


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: _Where,
               budget: _Budget, counts: dict[str, int], *, kind: str = ".xlsx workbook",
               cells: tuple[str, ...] = ("c", "si"), rows: tuple[str, ...] = ("row",),
               texts: tuple[str, ...] = (), text_nodes: tuple[str, ...] = ()) -> None:
    """Read one XML part of a workbook with expat, streaming, before openpyxl parses it:
    refuse a DOCTYPE (no workbook needs one: it is how entity expansion — billion laughs —
    and external entities — XXE — get in) and count rows, cells and shared strings, and the
    characters of each cell, so that openpyxl (which keeps a whole row, and every shared string,
    in memory) never receives more than the limits allow.

    Other Office files are scanned the same way (:mod:`hrgraph.upr_docx`: ``kind=".docx Word
    document"``): ``cells`` and ``rows`` are the local names counted as cells and rows (each a
    key of ``counts``), and the characters are counted from the start of the last cell or of
    the last element named in ``texts`` (a Word paragraph); with ``text_nodes`` (Word's ``t``),
    only the characters inside those elements count, not the layout whitespace between
    elements that a pretty-printed part (a style sheet) may hold."""
    limits = budget.limits
    noun = kind.partition(" ")[2]
    parser = expat.ParserCreate(namespace_separator=" ")
    text = [0]
    inside = [0]  # depth in text_nodes

    def refuse(message: str) -> None:
        raise _XmlRefused(message)

    def doctype(*_args: object) -> None:
        refuse(f"the part {_quote(info.filename)} declares a DOCTYPE; a {noun} never needs "
               "one (it is how entity-expansion and external-entity attacks work): refused")

    def start(name: str, _attributes: object) -> None:
        local = name.rpartition(" ")[2]
        if local in cells:
            text[0] = 0
            counts[local] += 1
            if counts[local] > limits.cells:
                refuse(f"more than {limits.cells:,} cells in all; {limits.advice('cells')}")
        elif local in rows:
            counts[local] += 1
            if counts[local] > limits.rows:
                refuse(f"more than {limits.rows:,} rows in all; {limits.advice('rows')}")
        elif local in texts:
            text[0] = 0
        if local in text_nodes:
            inside[0] += 1

    def end(name: str) -> None:
        if name.rpartition(" ")[2] in text_nodes:
            inside[0] -= 1

    def characters(data: str) -> None:
        if text_nodes and not inside[0]:
            return
        text[0] += len(data)
        if text[0] > limits.cell_chars:
            refuse(f"a {'cell or paragraph' if texts else 'cell'} holds more than "
                   f"{limits.cell_chars:,} characters; shorten it, or "
                   "raise [contributions] max_cell_chars in hrgraph.toml")

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.buffer_text = True
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _XmlRefused as exc:
        raise where.error(str(exc)) from None
    except expat.ExpatError as exc:
        raise where.error(f"not a readable {kind}: the part {_quote(info.filename)} is "
                          f"not well-formed XML ({guard.shorten(str(exc), 80)})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise where.error(f"not a readable {kind}: the part {_quote(info.filename)} "
                          "cannot be unpacked") from None


def _read_workbook(path: Path, where: _Where,
                   budget: _Budget) -> list[tuple[str, list[list[str]]]]:
    import openpyxl
    from openpyxl.utils import get_column_letter

    with _open_archive(path, where, budget.limits) as archive:
        counts = {"c": 0, "si": 0, "row": 0}
        for info in archive.infolist():
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                _scan_part(archive, info, where, budget, counts)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise where.error(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    sheets: list[tuple[str, list[list[str]]]] = []
    try:
        for ws in book.worksheets:
            if ws.title.strip().lower() in IGNORED_SHEETS:
                continue
            rows = []
            header: list[str] = []
            for r, row in enumerate(ws.iter_rows(), start=1):
                budget.row(ws.title, r, len(row))
                texts = []
                for c, cell in enumerate(row, start=1):
                    column = header[c - 1] if c - 1 < len(header) and header[c - 1] \
                        else get_column_letter(c)
                    if getattr(cell, "data_type", None) == "f":
                        raise where.error(f"the cell {get_column_letter(c)}{r} holds a formula "
                                          f"({guard.shorten(str(cell.value), 40)}); formulas "
                                          "are not evaluated: type the value itself", ws.title,
                                          r, column)
                    texts.append(budget.cell(ws.title, r, column, _cell_text(cell.value)))
                if r == 1:
                    header = [t.strip() for t in texts]
                rows.append(_trimmed(texts))
            sheets.append((ws.title, rows))
    except InputError:
        raise
    except Exception as exc:  # a part openpyxl cannot parse after all
        raise where.error(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    finally:
        book.close()
    return sheets


# --------------------------------------------------------------------------- what the store knows


@dataclass
class _Known:
    """Names, vocabulary labels and types from the store, read once."""

    project: Project
    store: ox.Store
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # scheme → label → concept
    concept_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # scheme → IRI → en
    names: dict[str, list[str]] = field(default_factory=dict)  # entity → names
    types: dict[str, set[str]] = field(default_factory=dict)
    #: The ontology's kinds of document (subclasses of hrg:Document): class IRI → English label.
    document_types: dict[str, str] = field(default_factory=dict)

    def load(self) -> _Known:
        from hrgraph import store as stores

        for row in stores.query(self.store, f"""
                PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
                SELECT ?c ?label WHERE {{
                  ?c rdfs:subClassOf+ <{self.project.ontology_ns}Document> ; rdfs:label ?label .
                  FILTER(langMatches(lang(?label), "en"))
                }} ORDER BY ?label"""):
            self.document_types.setdefault(row["c"].value, row["label"].value)

        private = self.project.graph_base + "private/"
        rows = stores.query(self.store, f"""
            PREFIX skos: <{SKOS}>
            SELECT ?scheme ?c ?label WHERE {{
              ?c skos:inScheme ?scheme .
              {{ ?c skos:prefLabel|skos:altLabel ?label BIND(0 AS ?rank) }}
              UNION {{ ?c skos:hiddenLabel ?label BIND(1 AS ?rank) }}
            }} ORDER BY ?rank""")  # a hidden label ('ratification') never hides a shown one
        for row in rows:
            scheme = row["scheme"].value
            if not scheme.startswith(self.project.vocab_base):
                continue
            key = scheme[len(self.project.vocab_base):]
            self.labels.setdefault(key, {}).setdefault(_fold(row["label"].value),
                                                       row["c"].value)
            if row["label"].language == "en":
                current = self.concept_labels.setdefault(key, {}).get(row["c"].value)
                label = row["label"].value
                pref = any(True for _ in self.store.quads_for_pattern(
                    row["c"], ox.NamedNode(SKOS + "prefLabel"), row["label"]))
                if pref and (current is None or label < current):
                    self.concept_labels[key][row["c"].value] = label
        rows = stores.query(self.store, f"""
            PREFIX skos: <{SKOS}> PREFIX dcterms: <{DCTERMS}>
            SELECT ?e ?type ?name ?g WHERE {{
              GRAPH ?g {{ ?e skos:prefLabel|skos:altLabel|dcterms:title ?name }}
              ?e a ?type .
            }}""")
        for row in rows:
            if row["g"].value.startswith(private) or not isinstance(row["e"], ox.NamedNode):
                continue
            entity = row["e"].value
            self.types.setdefault(entity, set()).add(row["type"].value)
            names = self.names.setdefault(entity, [])
            if row["name"].value not in names:
                names.append(row["name"].value)
        return self

    def exists(self, iri: str) -> bool:
        return any(True for _ in self.store.quads_for_pattern(ox.NamedNode(iri), None, None))

    def has_type(self, iri: str, classes: Iterable[str]) -> bool:
        wanted = set(classes)
        if iri in self.types:
            return bool(self.types[iri] & wanted)
        return any(any(True for _ in self.store.quads_for_pattern(
            ox.NamedNode(iri), ox.NamedNode(RDF_TYPE), ox.NamedNode(c))) for c in wanted)


def _or(names: tuple[str, ...]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} or {names[-1]}"


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# --------------------------------------------------------------------------- the result


@dataclass
class Contribution:
    """What a spreadsheet says, as triples, with where each minted resource came from."""

    triples: list[ox.Triple]
    locations: dict[str, Location]  # minted subject IRI → sheet and row
    source: str  # the file as shown in messages
    resolutions: list[Resolution] = field(default_factory=list)  # each reference cell's value

    def quads(self, graph: str) -> list[ox.Quad]:
        name = ox.NamedNode(graph)
        return [ox.Quad(t.subject, t.predicate, t.object, name) for t in self.triples]

    def column_of(self, subject: str, predicate: str | None) -> str | None:
        """The column a result about ``subject`` and ``predicate`` points at, if one does."""
        location = self.locations.get(subject)
        if location is None or not predicate:
            return None
        columns = PROPERTY_COLUMNS.get(location.sheet, {})
        local = re.split(r"[#/]", predicate.strip("<>"))[-1]
        return columns.get(predicate.strip("<>")) or columns.get(local)

    def where(self, subject: str, predicate: str | None = None) -> str | None:
        """``file, sheet 'demands', row 3, column 'action'`` for a minted subject, else None."""
        location = self.locations.get(subject)
        if location is None:
            return None
        text = f"{self.source}, sheet {location.sheet!r}, row {location.row}"
        column = self.column_of(subject, predicate)
        return text + (f", column {column!r}" if column else "")


def identity_question(project: Project, actor: str, other: str) -> str:
    """The IRI of the hrg:IdentityQuestion whether ``actor`` (minted by a spreadsheet row) is
    ``other``: ``question/person-<id>--person-<other id>``, the same whatever the cell's
    order."""
    def tail(iri: str) -> str:
        rest = iri.removeprefix(project.id_base)
        return rest.replace("/", "-") if re.fullmatch(r"[a-z0-9][a-z0-9/-]*", rest) else \
            hashlib.sha256(iri.encode()).hexdigest()[:12]
    return f"{project.id_base}question/{tail(actor)}--{tail(other)}"


# --------------------------------------------------------------------------- reading


@dataclass
class _Row:
    sheet: str
    row: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def many(self, column: str) -> list[str]:
        return [v.strip() for v in self.get(column).split(";") if v.strip()]


def _table(sheet: str, rows: list[list[str]], where: _Where) -> list[_Row]:
    columns = SHEETS[sheet]
    if not rows or not any(c.strip() for c in rows[0]):
        raise where.error("the first row must name the columns "
                          f"({', '.join(c.name for c in columns)})", sheet, 1)
    header = [unescape_cell(c).strip() for c in rows[0]]
    by_fold = {c.name.casefold(): c.name for c in columns}
    names: list[str | None] = []
    for text in header:
        if not text:
            names.append(None)
            continue
        name = by_fold.get(" ".join(text.casefold().split()))
        if name is None:
            raise where.error(f"unknown column {_quote(text, 40)}; the columns of {sheet!r} are "
                              f"{', '.join(c.name for c in columns)}", sheet, 1, text)
        if name in names:
            raise where.error(f"the column {name!r} appears twice", sheet, 1, name)
        names.append(name)
    for column in columns:
        if column.required and column.name not in names:
            raise where.error(f"the required column {column.name!r} is missing", sheet, 1,
                              column.name)
    table = []
    for number, raw in enumerate(rows[1:], start=2):
        cells = {}
        for index, value in enumerate(raw):
            name = names[index] if index < len(names) else None
            text = unescape_cell(value)
            if name is None:
                if text.strip():
                    raise where.error("a value in a column without a name", sheet, number,
                                      f"#{index + 1}")
                continue
            # spaces only: a tab or CR may be the value's own; a quote's context keeps its spaces
            cells[name] = text if name in spreadsheet_model.VERBATIM_COLUMNS else text.strip(" ")
        if not any(v.strip() for v in cells.values()):
            continue
        for column in columns:
            if column.required and not cells.get(column.name):
                raise where.error("this column must not be empty", sheet, number, column.name)
        table.append(_Row(sheet, number, cells))
    return table


class _Reader:
    def __init__(self, project: Project, known: _Known, where: _Where) -> None:
        self.project = project
        self.known = known
        self.where = where
        self.hrg = project.ontology_ns
        self.triples: list[ox.Triple] = []
        self.locations: dict[str, Location] = {}
        self.minted: dict[str, dict[str, str]] = {s: {} for s in SHEETS}  # sheet → id → IRI
        self.new_names: dict[str, list[str]] = {}
        self.new_types: dict[str, set[str]] = {}
        self.resolutions: list[Resolution] = []
        #: The sheets beyond the first four, and quotes (set by read_contribution).
        self.model: spreadsheet_model.ModelReader | None = None
        from hrgraph.query import prefixes

        self.prefixes = prefixes(project)

    # ---- helpers

    def iri(self, kind: str, slug: str) -> str:
        return f"{self.project.id_base}{kind}/{slug}"

    def add(self, s: str, p: str, o: ox.Term | str) -> None:
        obj = ox.NamedNode(o) if isinstance(o, str) else o
        self.triples.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj))

    def fail(self, row: _Row, column: str, message: str) -> InputError:
        return self.where.error(message, row.sheet, row.row, column)

    def language(self, row: _Row, column: str, default: str | None = None) -> str:
        text = row.get(column).lower() or (default or "")
        if not _LANGUAGE.fullmatch(text):
            raise self.fail(row, column, f"{_quote(row.get(column))} is not a language code "
                            "(en, be, ru …)" if text else "give the language code (en, be …)")
        return text

    def text(self, row: _Row, column: str, language: str) -> ox.Literal:
        return ox.Literal(row.get(column), language=language)

    def mint(self, row: _Row, kind: str) -> str:
        slug = row.get("id")
        if not _SLUG.fullmatch(slug):
            raise self.fail(row, "id", f"{_quote(slug)} is not a usable id: lower-case letters, "
                            "digits and -, starting with a letter or digit")
        if slug in self.minted[row.sheet]:
            raise self.fail(row, "id", f"the id {_quote(slug)} is used twice in this sheet")
        iri = self.iri(kind, slug)
        if self.known.exists(iri):
            raise self.fail(row, "id", f"{self._short(iri)} exists already: choose another "
                            "id, or refer to the existing resource from other sheets")
        self.minted[row.sheet][slug] = iri
        self.locations[iri] = Location(row.sheet, row.row)
        return iri

    def _short(self, iri: str) -> str:
        from hrgraph.query import shorten

        return guard.shorten(shorten(iri, self._kind_prefixes()), 80)

    def _kind_prefixes(self) -> dict[str, str]:
        from hrgraph.terms import ID_PREFIXES, VOCAB_PREFIXES

        found = dict(self.prefixes)
        found.pop("hrid", None)
        # A prefix means in a cell what it means in data/ (evt: an event, event: an event type),
        # then each kind's own name (role-claim:) where data/ gives it no other meaning.
        for name, path in ID_PREFIXES.items():
            found.setdefault(name, self.project.id_base + path)
        for name, path in VOCAB_PREFIXES.items():
            found.setdefault(name, self.project.vocab_base + path)
        for kind in ("person", "organisation", "group", "document", "demand", "point",
                     "publication", "assessment", "place", "legal", "mechanism", "agent",
                     "quote", "position", "role-claim", "signature"):
            found.setdefault(kind, self.iri(kind, ""))
        return found

    def expand(self, text: str) -> str | None:
        """An IRI written as ``<…>``, ``http(s)://…`` or ``prefix:local``, else None."""
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if re.match(r"https?://\S+$", text):
            return text
        match = _CURIE.fullmatch(text)
        if match and match.group(1) in self._kind_prefixes():
            return self._kind_prefixes()[match.group(1)] + match.group(2)
        return None

    def date(self, row: _Row, column: str, text: str) -> tuple[ox.Literal, str, str]:
        """The literal of its precision and its xsd:date bounds."""
        match = _DATE.fullmatch(text)
        message = (f"{_quote(text)} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD "
                   "(2016, 2016-02, 2016-02-15)")
        if not match:
            raise self.fail(row, column, message)
        year, month, day = match.groups()
        try:
            if day:
                datetime.date(int(year), int(month), int(day))
                return (ox.Literal(text, datatype=ox.NamedNode(XSD + "date")), text, text)
            if month:
                m = int(month)
                if not 1 <= m <= 12:
                    raise ValueError
                last = calendar.monthrange(int(year), m)[1]
                return (ox.Literal(text, datatype=ox.NamedNode(XSD + "gYearMonth")),
                        f"{text}-01", f"{text}-{last:02d}")
        except ValueError:
            raise self.fail(row, column, message) from None
        return (ox.Literal(text, datatype=ox.NamedNode(XSD + "gYear")), f"{text}-01-01",
                f"{text}-12-31")

    def bounds(self, s: str, lo: str, hi: str) -> None:
        self.add(s, self.hrg + "earliestDate", ox.Literal(lo, datatype=ox.NamedNode(XSD + "date")))
        self.add(s, self.hrg + "latestDate", ox.Literal(hi, datatype=ox.NamedNode(XSD + "date")))

    def url(self, row: _Row, column: str, text: str) -> str:
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text):
            raise self.fail(row, column, f"{_quote(text)} is not an http(s) URL")
        return text

    def concept(self, row: _Row, column: str, text: str, scheme: str) -> str:
        """A vocabulary concept by label (any language), IRI or prefix:local."""
        base = self.project.vocab_base + scheme + "/"
        iri = self.expand(text)
        labels = self.known.labels.get(scheme, {})
        if iri is not None and iri in labels.values():
            return iri
        found = labels.get(_fold(text)) or (
            base + text if base + text in labels.values() else None)
        if found:
            return found
        from hrgraph.vocab import did_you_mean  # by meaning and spelling, each concept once

        raise self.fail(row, column, f"{_quote(text)} is not a label of the {scheme} vocabulary; "
                        f"{did_you_mean(self.project, scheme, text)}")

    def _resolved(self, row: _Row, column: str, text: str, iri: str, how: str) -> str:
        self.resolutions.append(Resolution(row.sheet, row.row, column, text, iri, how))
        return iri

    def reference(self, row: _Row, column: str, text: str, *, sheets: tuple[str, ...],
                  classes: tuple[str, ...], what: str, exclude: str | None = None) -> str:
        """An entity by id of this contribution, IRI, prefix:local or name (see module doc),
        never ``exclude``; each is recorded in :attr:`resolutions`."""
        for sheet in sheets:
            if text in self.minted[sheet] and self.minted[sheet][text] != exclude:
                return self._resolved(row, column, text, self.minted[sheet][text], "id")
        iri = self.expand(text)
        if iri is not None:
            minted = {i for ids in self.minted.values() for i in ids.values()}
            if iri != exclude and (iri in minted or self.known.exists(iri)):
                return self._resolved(row, column, text, iri, "IRI")
            raise self.fail(row, column, f"{_quote(text)}: no such {what} in the graph or in this "
                            "contribution")
        candidates = {e: n for e, n in self.known.names.items()
                      if self.known.types.get(e, set()) & set(classes)}
        for entity, names in self.new_names.items():
            if self.new_types.get(entity, set()) & set(classes):
                candidates[entity] = names
        candidates.pop(exclude, None)
        key = normalise(text)
        steps = [
            ("exact", lambda n: normalise(n) == key),
            ("contains", lambda n: key in normalise(n) or _fold(text) in _fold(n)),
            ("similar", lambda n: similarity(text, n) > 0),
        ]
        for how, test in steps:
            found = sorted(e for e, names in candidates.items() if any(test(n) for n in names))
            if len(found) == 1:
                return self._resolved(row, column, text, found[0], how)
            if len(found) > 1:
                shown = ", ".join(f"{self._short(e)} ({guard.shorten(candidates[e][0], 40)})"
                                  for e in found[:5])
                raise self.fail(row, column, f"{_quote(text)} may be any of {shown}: write the IRI "
                                "(e.g. person:…) or a fuller name")
        raise self.fail(row, column, f"no {what} named {_quote(text)} in the graph or in this "
                        f"contribution; add it to the {_or(sheets)} sheet, or check the "
                        "spelling" if sheets else
                        f"no {what} named {_quote(text)} in the graph or in this contribution")

    # ---- sheets

    def actors(self, rows: list[_Row]) -> None:
        for row in rows:
            kind = row.get("kind").lower()
            if kind not in ACTOR_KINDS:
                raise self.fail(row, "kind", f"{_quote(row.get('kind'))}: write person, "
                                "organisation or group")
            namespace, classes = ACTOR_KINDS[kind]
            s = self.mint(row, namespace)
            classes = [c.format(hrg=self.hrg) for c in classes]
            for c in classes:
                self.add(s, RDF_TYPE, c)
            self.new_types[s] = set(classes) | {FOAF + "Agent"}
            names = [row.get("name")]
            self.add(s, SKOS + "prefLabel", self.text(row, "name",
                                                      self.language(row, "name language")))
            for column, prop in (("names in other languages", "prefLabel"),
                                 ("other names", "altLabel")):
                for item in row.many(column):
                    match = _TAGGED.fullmatch(item)
                    if not match:
                        raise self.fail(row, column, f"{_quote(item)}: write each name with its "
                                        "language, like Марфа Рабкова@be")
                    names.append(match.group(1))
                    self.add(s, SKOS + prop, ox.Literal(match.group(1),
                                                        language=match.group(2).lower()))
            self.new_names[s] = names
            if row.get("definition"):
                language = self.language(row, "definition language", "en")
                self.add(s, SKOS + "definition", self.text(row, "definition", language))
            for item in row.many("source"):  # where its names come from: evidence, rated
                self.add(s, DCTERMS + "source", self.web_source(row, "source", item))
            self.identity(row, s)

    def identity(self, row: _Row, s: str) -> None:
        """``different from`` and ``possibly same as``: what the row says it is when its names
        match an existing actor's (hrgraph.contribute refuses a likely duplicate otherwise)."""
        agent = (FOAF + "Agent",)
        if (row.get("basis") or row.get("basis language")) and not row.many("possibly same as"):
            raise self.fail(row, "basis", "the basis says why a 'possibly same as' question is "
                            "open: fill 'possibly same as', or empty this column")
        basis = ox.Literal(row.get("basis"), language=self.language(
            row, "basis language", "en")) if row.get("basis") else None
        for item in row.many("different from"):
            self.add(s, OWL_DIFFERENT_FROM, self.reference(
                row, "different from", item, sheets=("actors",), classes=agent,
                what="person, organisation or group", exclude=s))
        for item in row.many("possibly same as"):
            other = self.reference(row, "possibly same as", item, sheets=("actors",),
                                   classes=agent, what="person, organisation or group",
                                   exclude=s)
            if not row.many("source"):
                raise self.fail(row, "source", "'possibly same as' records an open question "
                                "with the source that raises it: give its URL in this column")
            question = identity_question(self.project, s, other)
            if self.known.exists(question):
                raise self.fail(row, "id", f"{self._short(question)} exists already: choose "
                                "another id")
            self.locations[question] = Location(row.sheet, row.row)
            self.add(s, self.hrg + "possiblySameAs", other)
            self.add(question, RDF_TYPE, self.hrg + "IdentityQuestion")
            for about in (s, other):
                self.add(question, self.hrg + "about", about)
            for item in row.many("source"):  # the URL of "URL (quality)"
                match = _EVIDENCE.fullmatch(item)
                self.add(question, DCTERMS + "source",
                         self.url(row, "source", match.group(1) if match else item))
            if basis is not None:
                self.add(question, self.hrg + "basis", basis)

    def document_type(self, row: _Row, column: str, text: str) -> str:
        """A kind of document (a subclass of hrg:Document) by its label, IRI or prefix:local."""
        kinds = self.known.document_types
        iri = self.expand(text)
        if iri in kinds:
            return iri
        found = [c for c, label in kinds.items() if _fold(label) == _fold(text)]
        if found:
            return found[0]
        raise self.fail(row, column, f"{_quote(text)} is not a kind of document; the kinds are "
                        f"{', '.join(sorted(kinds.values(), key=str.casefold))} (or leave it "
                        "empty for a document of no particular kind)")

    def yes(self, row: _Row, column: str) -> bool:
        """Whether a yes/empty cell says yes (``yes`` or ``true``)."""
        value = row.get(column).lower()
        if value and value not in ("yes", "true"):
            raise self.fail(row, column, f"{_quote(row.get(column))}: write yes, or leave it "
                            "empty")
        return bool(value)

    def note(self, row: _Row, s: str) -> None:
        """``skos:editorialNote`` from the note and note language columns (default en)."""
        if row.get("note"):
            self.add(s, SKOS + "editorialNote",
                     self.text(row, "note", self.language(row, "note language", "en")))
        elif row.get("note language"):
            raise self.fail(row, "note", "a note language without a note: write the note, or "
                            "empty the note language")

    def documents(self, rows: list[_Row]) -> None:
        for row in rows:
            s = self.mint(row, "document")
            self.new_types[s] = {self.hrg + "Document"}
            self.new_names[s] = [row.get("title")]
        for row in rows:
            s = self.minted["documents"][row.get("id")]
            language = self.language(row, "language")
            self.add(s, RDF_TYPE, self.hrg + "Document")
            self.add(s, DCTERMS + "title", self.text(row, "title", language))
            if _fold(row.get("date")) == "unknown":  # said, not guessed: no date, no bounds
                self.add(s, self.hrg + "dateUnknown",
                         ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))
            else:
                literal, lo, hi = self.date(row, "date", row.get("date"))
                self.add(s, DCTERMS + "date", literal)
                self.bounds(s, lo, hi)
            self.add(s, DCTERMS + "language", LANG + language)
            for item in row.many("signatories"):
                self.add(s, self.hrg + "signatory", self.reference(
                    row, "signatories", item, sheets=("actors",),
                    classes=(FOAF + "Agent",), what="person, organisation or group"))
            for item in row.many("topics"):
                self.add(s, self.hrg + "topic", self.concept(row, "topics", item, "topic"))
            for item in row.many("type"):
                self.add(s, RDF_TYPE, self.document_type(row, "type", item))
            self.note(row, s)
            publication = self.iri("publication", row.get("id"))
            if self.known.exists(publication):
                raise self.fail(row, "id", f"{self._short(publication)} exists already: "
                                "choose another id")
            self.locations[publication] = Location(row.sheet, row.row)
            self.add(s, self.hrg + "hasPublication", publication)
            self.add(publication, RDF_TYPE, self.hrg + "Publication")
            self.add(publication, self.hrg + "publicationOf", s)
            self.add(publication, SCHEMA + "url",
                     self.url(row, "source URL", row.get("source URL")))
            self.add(publication, DCTERMS + "language", LANG + language)
            if self.yes(row, "partial"):  # as the curated data: the document and its copy
                for partial in (s, publication):
                    self.add(partial, self.hrg + "partial",
                             ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))
            self.model.attach(row, "text file", publication)

    def demands(self, rows: list[_Row]) -> None:
        for row in rows:
            s = self.mint(row, "demand")
            self.new_types[s] = {self.hrg + "Demand"}
            self.new_names[s] = [row.get("summary")] if row.get("summary") else []
        agent = (FOAF + "Agent",)
        targets = (FOAF + "Person", ORG + "Organization", self.hrg + "Collective",
                   self.hrg + "LegalProvision", self.hrg + "InternationalMechanism",
                   self.hrg + "Country")
        for row in rows:
            s = self.minted["demands"][row.get("id")]
            self.add(s, RDF_TYPE, self.hrg + "Demand")
            if row.get("summary"):
                self.add(s, SKOS + "prefLabel", self.text(row, "summary", "en"))
            document = self.reference(row, "document", row.get("document"),
                                      sheets=("documents",), classes=(self.hrg + "Document",),
                                      what="document")
            self.add(s, self.hrg + "madeIn", document)
            if row.get("part of"):
                self.add(s, self.hrg + "partOf", self.reference(
                    row, "part of", row.get("part of"), sheets=("demands",),
                    classes=(self.hrg + "Demand", self.hrg + "Point"), what="demand or point"))
            self.order(row, "order", s)
            self.add(s, self.hrg + "actionType",
                     self.concept(row, "action", row.get("action"), "action-type"))
            for column, prop in (("addressee", "addressee"),
                                 ("actor asked to act", "actorAskedToAct"),
                                 ("made by", "madeBy")):
                for item in row.many(column):
                    self.add(s, self.hrg + prop, self.reference(
                        row, column, item, sheets=("actors",), classes=agent,
                        what="person, organisation or group"))
            for item in row.many("targets"):
                target = self.reference(row, "targets", item,
                                        sheets=("actors", "mechanisms", "provisions"),
                                        classes=targets, what="target")
                self.add(s, self.hrg + self._concerns(target), target)
            for item in row.many("topics"):
                self.add(s, self.hrg + "topic", self.concept(row, "topics", item, "topic"))
            self.note(row, s)
            self.model.add_quote(row, s, self.iri("quote", row.get("id")), document)

    def _concerns(self, target: str) -> str:
        types = self.known.types.get(target, set()) | self.new_types.get(target, set())
        for cls, prop in ((FOAF + "Person", "concernsPerson"),
                          (ORG + "Organization", "concernsOrganisation"),
                          (self.hrg + "Collective", "concernsGroup"),
                          (self.hrg + "LegalProvision", "concernsLegalProvision"),
                          (self.hrg + "InternationalMechanism", "concernsMechanism"),
                          (self.hrg + "Country", "concernsPlace")):
            if cls in types or (not types and self.known.has_type(target, [cls])):
                return prop
        return "concerns"

    def order(self, row: _Row, column: str, s: str) -> None:
        """``hrg:order`` from a whole number ≥ 1, if the cell has one."""
        if not row.get(column):
            return
        if not re.fullmatch(r"[1-9][0-9]*", row.get(column)):
            raise self.fail(row, column, f"{_quote(row.get(column))} is not a whole number "
                            "from 1")
        self.add(s, self.hrg + "order",
                 ox.Literal(row.get(column), datatype=ox.NamedNode(XSD + "integer")))

    def period(self, row: _Row, column: str, s: str) -> None:
        """A date (``dcterms:date``) or ``START/END`` (``hrg:periodStart``/``periodEnd``),
        with the bounds."""
        period = row.get(column)
        if "/" in period:
            start, _, end = (p.strip() for p in period.partition("/"))
            first, lo, _ = self.date(row, column, start)
            last, _, hi = self.date(row, column, end)
            self.add(s, self.hrg + "periodStart", first)
            self.add(s, self.hrg + "periodEnd", last)
        else:
            literal, lo, hi = self.date(row, column, period)
            self.add(s, DCTERMS + "date", literal)
        self.bounds(s, lo, hi)

    def status_period(self, row: _Row, s: str) -> None:
        """The period during which an assessment's status held (``START/END``, ``START/`` while
        it still held, or one day), the date of its evidence, and the four bounds."""
        column = "date or period"
        text = row.get(column)
        start_text, slash, end_text = (p.strip() for p in text.partition("/"))
        if not slash:
            end_text = start_text
        start, start_lo, start_hi = self.date(row, column, start_text)
        end = self.date(row, column, end_text) if end_text else None
        given = row.get("evidence date")
        evidence = (self.date(row, "evidence date", given) if given
                    else end or (start, start_lo, start_hi))
        self.add(s, self.hrg + "periodStart", start)
        self.add(s, DCTERMS + "date", evidence[0])
        day = ox.NamedNode(XSD + "date")
        self.add(s, self.hrg + "earliestDate", ox.Literal(start_lo, datatype=day))
        self.add(s, self.hrg + "startLatestDate", ox.Literal(start_hi, datatype=day))
        # an open period held at least until the first day of its evidence
        self.add(s, self.hrg + "endEarliestDate",
                 ox.Literal(end[1] if end else evidence[1], datatype=day))
        if end:
            self.add(s, self.hrg + "periodEnd", end[0])
            self.add(s, self.hrg + "latestDate", ox.Literal(end[2], datatype=day))

    def evidence(self, row: _Row, column: str, s: str) -> None:
        """``hrg:evidence`` from ``URL (quality); …``."""
        for item in row.many(column):
            self.add(s, self.hrg + "evidence", self.web_source(row, column, item))

    def web_source(self, row: _Row, column: str, item: str) -> str:
        """The URL of ``URL (quality)``; a URL new to the project becomes a ``hrg:WebSource``
        with its quality, which it must then give."""
        match = _EVIDENCE.fullmatch(item)
        url = self.url(row, column, match.group(1) if match else item)
        quality = match.group(2) if match else None
        known = [q.object.value for q in self.known.store.quads_for_pattern(
            ox.NamedNode(url), ox.NamedNode(self.hrg + "evidenceQuality"), None)]
        if quality is None:
            if not known and not any(t.subject.value == url for t in self.triples):
                raise self.fail(row, column, f"{guard.shorten(url)} is new to the "
                                "project: give its evidence quality in brackets after it, "
                                f"e.g. {guard.shorten(url)} (news media)")
            return url
        concept = self.concept(row, column, quality, "evidence-quality")
        if known and concept not in known:
            raise self.fail(row, column, f"{guard.shorten(url)} is recorded as "
                            f"{self._short(known[0])} already, not {_quote(quality)}")
        self.add(url, RDF_TYPE, self.hrg + "WebSource")
        self.add(url, self.hrg + "evidenceQuality", concept)
        return url

    def default_publication(self, row: _Row, document: str) -> str:
        """The publication a quote of ``document`` points at unless the row names another:
        the first this contribution gives it, else the graph's first."""
        for t in self.triples:
            if t.predicate.value == self.hrg + "publicationOf" and t.object.value == document:
                return t.subject.value
        found = sorted(q.subject.value for q in self.known.store.quads_for_pattern(
            None, ox.NamedNode(self.hrg + "publicationOf"), ox.NamedNode(document))
            if isinstance(q.subject, ox.NamedNode))
        if not found:  # a document known only from another page: where its own quote is from
            found = sorted(q.object.value
                           for quote in self.known.store.quads_for_pattern(
                               ox.NamedNode(document), ox.NamedNode(self.hrg + "quotedFrom"), None)
                           for q in self.known.store.quads_for_pattern(
                               quote.object, ox.NamedNode(OA + "hasSource"), None))
        if not found:
            raise self.fail(row, "document", f"{self._short(document)} has no publication to "
                            "quote from: add the document to the documents sheet with its "
                            "source URL")
        return found[0]

    def assessments(self, rows: list[_Row]) -> None:
        for row in rows:
            s = self.mint(row, "assessment")
            self.add(s, RDF_TYPE, self.hrg + "Assessment")
            self.add(s, self.hrg + "assessedDemand", self.reference(
                row, "demand", row.get("demand"), sheets=("demands",),
                classes=(self.hrg + "Demand",), what="demand"))
            self.add(s, self.hrg + "status",
                     self.concept(row, "status", row.get("status"), "status"))
            self.status_period(row, s)
            self.add(s, SKOS + "note", self.text(row, "note", self.language(row, "note language")))
            self.evidence(row, "evidence", s)
            self.add(s, PROV + "wasAttributedTo", self.reference(
                row, "assessed by", row.get("assessed by"), sheets=("actors",),
                classes=(FOAF + "Agent", PROV + "Agent"), what="actor"))
            for item in row.many("related events"):
                self.add(s, self.hrg + "relatedEvent", self.reference(
                    row, "related events", item, sheets=("events",),
                    classes=(self.hrg + "Event",), what="event"))


def _attachments(path: Path, where: _Where, limits: Limits):
    """``name → text`` of the ``.txt`` files a contribution carries: beside the CSV files of a
    folder, or inside a ``.zip``; None when there is no such file. Only what the contributor
    packaged: never a file beside a workbook or a single CSV (a workbook from elsewhere must not
    pull the context of someone's other files into the graph). Plain files only (a link is
    refused unread), within ``max_unpacked_bytes``."""
    def read(name: str) -> str | None:
        if "/" in name or "\\" in name or name.startswith("."):
            return None
        if not path.is_dir() and path.suffix.lower() != ".zip":
            return None
        try:
            if path.suffix.lower() == ".zip":
                with _open_archive(path, where, limits) as archive:
                    try:
                        info = archive.getinfo(name)
                    except KeyError:
                        return None
                    data = archive.read(info)
            else:
                file = path / name
                if not file.exists() and not file.is_symlink():
                    return None
                mode = file.lstat().st_mode
                if not stat.S_ISREG(mode):
                    raise where.error(f"{guard.shorten(name, 60)} is not a plain file (a link "
                                      "or a folder): refused unread")
                if file.stat().st_size > limits.unpacked_bytes:
                    raise where.error(f"{guard.shorten(name, 60)} is larger than "
                                      f"{limits.unpacked_bytes:,} bytes; "
                                      "raise [contributions] max_unpacked_bytes in hrgraph.toml")
                data = file.read_bytes()
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise where.error(f"{guard.shorten(name, 60)} is not UTF-8 text") from None
        except (OSError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError):
            raise where.error(f"{guard.shorten(name, 60)} cannot be read") from None

    return read


def read_contribution(project: Project, path: str | Path, store: ox.Store, *,
                      shown: str | None = None, limits: Limits | None = None) -> Contribution:
    """The triples of a spreadsheet contribution, checked against what ``store`` knows.

    The file is read streaming and counted as it is read, within ``limits`` (default
    :func:`limits_of`): a refusal comes as soon as a limit is passed, before the rest is read.

    Raises:
        InputError: the input is unusable (see the module docstring); the message names the
            file, sheet, row and column, and for a limit the setting that raises it.
    """
    path = Path(path)
    where = _Where(shown or str(path))
    if not path.exists():
        raise InputError("file not found", path=where.shown)
    raw = _read_sheets(path, where, limits_of(project) if limits is None else limits)
    from hrgraph.draft import check_confirmed  # a drafted workbook: confirmed by a person first

    check_confirmed(raw, where, IGNORED_SHEETS)
    tables: dict[str, list[_Row]] = {}
    for name, rows in raw:
        sheet = name.strip().lower()
        if sheet in IGNORED_SHEETS:
            continue
        if sheet not in SHEETS:
            raise where.error(f"unknown sheet {_quote(name, 40)}; the sheets are "
                              f"{', '.join(SHEETS)}", name)
        if sheet in tables:
            raise where.error(f"the sheet {sheet!r} is given twice", name)
        tables[sheet] = _table(sheet, rows, where) if any(
            any(c.strip() for c in r) for r in rows) else []
    if not any(tables.values()):
        raise where.error("the spreadsheet is empty: fill at least one row of a sheet ("
                          f"{', '.join(SHEETS)})")
    reader = _Reader(project, _Known(project, store).load(), where)
    model = spreadsheet_model.ModelReader(
        reader, tables, _attachments(path, where, limits_of(project) if limits is None
                                     else limits), project.root)
    reader.model = model
    # in the order references need: what a row refers to is minted before it
    model.load_texts()
    reader.actors(tables.get("actors", []))
    model.mechanisms()
    model.provisions()
    reader.documents(tables.get("documents", []))
    model.publications()
    model.texts_by_url()
    reader.demands(tables.get("demands", []))
    model.roles()
    model.signatures()
    model.events()
    reader.assessments(tables.get("assessments", []))
    model.mentions()
    model.affiliations()
    model.names()
    unique = list(dict.fromkeys(reader.triples))
    return Contribution(unique, reader.locations, where.shown, reader.resolutions)


# --------------------------------------------------------------------------- export


@dataclass
class ExportResult:
    """What :func:`export_template` wrote, and the triples the template has no column for."""

    path: Path
    rows: dict[str, int]
    left_out: list[ox.Triple]


def _graph_triples(project: Project, store: ox.Store, graph_or_id: str) -> list[ox.Triple]:
    from hrgraph.contribute import list_contributions

    graph = graph_or_id
    if not re.match(r"https?://", graph_or_id):
        found = {c.id: c.graph for c in list_contributions(project)}
        if graph_or_id not in found:
            raise UsageError(f"no contribution {graph_or_id!r} (merged: "
                             f"{', '.join(found) or 'none'})")
        graph = found[graph_or_id]
    name = ox.NamedNode(graph)
    if not store.contains_named_graph(name):
        raise UsageError(f"no graph <{graph}> in the store")
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, name)
            if not q.subject.value.startswith(graph)]


def export_template(project: Project, graph_or_contribution: str | Iterable[ox.Triple],
                    path: str | Path, *, store: ox.Store | None = None) -> ExportResult:
    """Write a graph back into the template's sheets: ``.xlsx``, ``.zip`` of CSVs, or a folder
    of CSVs (any other path). ``graph_or_contribution`` is a contribution id, a graph IRI, or the
    triples themselves (e.g. :attr:`Contribution.triples`).

    Importing the result again gives the same triples (tested); triples the template has no
    column for are returned in :attr:`ExportResult.left_out`.
    """
    from hrgraph import store as stores

    store = store or stores.open_store(project, read_only=True)  # dropped when we return
    if isinstance(graph_or_contribution, str):
        triples = _graph_triples(project, store, graph_or_contribution)
    else:
        triples = list(graph_or_contribution)
    known = _Known(project, store).load()
    sheets, left_out = _Exporter(project, known, triples).run()
    del known, store
    path = Path(path)
    write_template(path, sheets)
    return ExportResult(path, {k: len(v) for k, v in sheets.items()}, left_out)


def write_template(path: Path, sheets: dict[str, list[dict[str, str]]],
                   readme: list[str] | None = None) -> None:
    """Write rows (column name → text) into the template's sheets at ``path`` (see
    :func:`export_template` for the formats). Every cell is escaped (:func:`escape_cell`)."""
    def table(sheet: str) -> list[list[str]]:
        names = [c.name for c in SHEETS[sheet]]
        return [names] + [[escape_cell(r.get(n, "")) for n in names]
                          for r in sheets.get(sheet, [])]

    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        import openpyxl
        from openpyxl.styles import Font

        book = openpyxl.Workbook()
        book.remove(book.active)
        if readme:
            ws = book.create_sheet("README")
            for line in readme:
                ws.append([line])
            ws.column_dimensions["A"].width = 110
        for sheet in SHEETS:
            ws = book.create_sheet(sheet)
            for r, values in enumerate(table(sheet), start=1):
                for c, value in enumerate(values, start=1):
                    cell = ws.cell(row=r, column=c)
                    cell.value = value or None
                    if value:
                        cell.data_type = "s"  # text, never a formula
                    if r == 1:
                        cell.font = Font(bold=True)
            for c, column in enumerate(SHEETS[sheet], start=1):
                ws.cell(row=1, column=c).comment = None
                letter = ws.cell(row=1, column=c).column_letter
                ws.column_dimensions[letter].width = max(14, len(column.name) + 4)
            ws.freeze_panes = "A2"
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        return
    texts = {}
    for sheet in SHEETS:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(table(sheet))
        texts[f"{sheet}.csv"] = out.getvalue().encode("utf-8")
    if suffix == ".zip":
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in texts.items():
                archive.writestr(name, data)
        return
    path.mkdir(parents=True, exist_ok=True)
    for name, data in texts.items():
        (path / name).write_bytes(data)


class _Exporter:
    def __init__(self, project: Project, known: _Known, triples: list[ox.Triple]) -> None:
        self.project = project
        self.known = known
        self.hrg = project.ontology_ns
        self.triples = triples
        self.used: set[ox.Triple] = set()
        self.by_subject: dict[str, list[ox.Triple]] = {}
        for t in triples:
            self.by_subject.setdefault(t.subject.value, []).append(t)
        self.ids: dict[str, str] = {}  # minted IRI → id in its sheet
        reader = _Reader(project, known, _Where(""))
        self.prefix_map = reader._kind_prefixes()

    def values(self, s: str, p: str) -> list[ox.Term]:
        found = []
        for t in self.by_subject.get(s, []):
            if t.predicate.value == p:
                self.used.add(t)
                found.append(t.object)
        return sorted(found, key=str)

    def one(self, s: str, p: str) -> ox.Term | None:
        found = self.values(s, p)
        return found[0] if found else None

    def typed(self, cls: str) -> list[str]:
        return sorted({t.subject.value for t in self.triples if t.predicate.value == RDF_TYPE
                       and t.object.value == cls})

    def slug(self, iri: str, kind: str) -> str | None:
        base = f"{self.project.id_base}{kind}/"
        rest = iri[len(base):] if iri.startswith(base) else ""
        return rest if _SLUG.fullmatch(rest) else None

    def ref(self, iri: str) -> str:
        if iri in self.ids:
            return self.ids[iri]
        from hrgraph.query import shorten

        short = shorten(iri, self.prefix_map)
        return iri if short.startswith("<") else short

    def label(self, iri: str, scheme: str) -> str:
        return self.known.concept_labels.get(scheme, {}).get(iri) or self.ref(iri)

    def run(self) -> tuple[dict[str, list[dict[str, str]]], list[ox.Triple]]:
        hrg = self.hrg
        plan = [("actors", kind, cls.format(hrg=hrg)) for kind, (_, classes) in
                ACTOR_KINDS.items() for cls in classes[:1]]
        actors = []
        for _sheet, kind, cls in plan:
            for s in self.typed(cls):
                slug = self.slug(s, ACTOR_KINDS[kind][0])
                if slug:
                    self.ids[s] = slug
                    actors.append((kind, s, slug))
        documents = [(s, self.slug(s, "document")) for s in self.typed(hrg + "Document")]
        demands = [(s, self.slug(s, "demand")) for s in self.typed(hrg + "Demand")]
        assessments = [(s, self.slug(s, "assessment")) for s in self.typed(hrg + "Assessment")]
        for s, slug in documents + demands + assessments:
            if slug:
                self.ids[s] = slug
        found = spreadsheet_model.model_ids(self)
        # an id two minted resources share (in different sheets) is written as prefix:local
        counts: dict[str, int] = {}
        for slug in self.ids.values():
            counts[slug] = counts.get(slug, 0) + 1
        minted = set(self.ids)
        self.ids = {iri: slug for iri, slug in self.ids.items() if counts[slug] == 1}
        sheets = {
            "actors": [self.actor(kind, s, slug) for kind, s, slug in actors],
            "documents": [self.document(s, slug) for s, slug in documents if slug],
            "demands": [self.demand(s, slug) for s, slug in demands if slug],
            "assessments": [self.assessment(s, slug) for s, slug in assessments if slug],
        }
        sheets.update(spreadsheet_model.export_model(self, found, minted))
        left_out = [t for t in self.triples if t not in self.used]
        return sheets, left_out

    def _types(self, s: str, classes: Iterable[str]) -> None:
        for cls in classes:
            t = ox.Triple(ox.NamedNode(s), ox.NamedNode(RDF_TYPE), ox.NamedNode(cls))
            if t in set(self.by_subject.get(s, [])):
                self.used.add(t)

    def _tagged(self, literals: list[ox.Term]) -> str:
        return "; ".join(f"{x.value}@{x.language}" for x in literals
                         if isinstance(x, ox.Literal))

    def actor(self, kind: str, s: str, slug: str) -> dict[str, str]:
        self._types(s, [c.format(hrg=self.hrg) for c in ACTOR_KINDS[kind][1]])
        labels = [x for x in self.values(s, SKOS + "prefLabel") if isinstance(x, ox.Literal)]
        first = next((x for x in labels if x.language == "en"), labels[0] if labels else None)
        definition = self.one(s, SKOS + "definition")
        return {
            "id": slug, "kind": kind,
            "name": first.value if first else "",
            "name language": first.language if first else "",
            "names in other languages": self._tagged([x for x in labels if x != first]),
            "other names": self._tagged(self.values(s, SKOS + "altLabel")),
            "definition": definition.value if definition else "",
            "definition language": definition.language or "" if definition else "",
            "source": self.web_sources_text(s, DCTERMS + "source"),
            "different from": "; ".join(self.ref(x.value)
                                        for x in self.values(s, OWL_DIFFERENT_FROM)),
            **self._questions(s),
        }

    def _questions(self, s: str) -> dict[str, str]:
        """The possibly same as, basis and basis language cells: one basis for all the row's
        questions, as the import gives it (when they differ, none is written and they are left
        out, with a warning)."""
        others = [x.value for x in self.values(s, self.hrg + "possiblySameAs")]
        bases = set()
        for other in others:
            said = [t.object for t in self.by_subject.get(identity_question(
                self.project, s, other), []) if t.predicate.value == self.hrg + "basis"]
            bases.add(said[0] if len(said) == 1 and isinstance(said[0], ox.Literal) else None)
        basis = next(iter(bases)) if len(bases) == 1 else None
        return {"possibly same as": "; ".join(self._question(s, x, basis) for x in others),
                "basis": basis.value if basis is not None else "",
                "basis language": (basis.language or "") if basis is not None else ""}

    def _question(self, s: str, other: str, basis: ox.Literal | None = None) -> str:
        """``other`` as the cell shows it; the identity question the import makes of it is
        used up when it says what the import would say (else it is left out, with a warning)."""
        question = identity_question(self.project, s, other)
        said = set(self.by_subject.get(question, []))
        sources = {t.object for t in self.by_subject.get(s, [])
                   if t.predicate.value == DCTERMS + "source"}
        expected = {ox.Triple(ox.NamedNode(question), ox.NamedNode(RDF_TYPE),
                              ox.NamedNode(self.hrg + "IdentityQuestion"))}
        expected |= {ox.Triple(ox.NamedNode(question), ox.NamedNode(self.hrg + "about"),
                               ox.NamedNode(x)) for x in (s, other)}
        expected |= {ox.Triple(ox.NamedNode(question), ox.NamedNode(DCTERMS + "source"), x)
                     for x in sources}
        if basis is not None:
            expected.add(ox.Triple(ox.NamedNode(question), ox.NamedNode(self.hrg + "basis"),
                                   basis))
        if said == expected:
            self.used |= said
        return self.ref(other)

    def document(self, s: str, slug: str) -> dict[str, str]:
        hrg = self.hrg
        self._types(s, [hrg + "Document"])
        title = self.one(s, DCTERMS + "title")
        date = self.one(s, DCTERMS + "date")
        self.values(s, hrg + "earliestDate")
        self.values(s, hrg + "latestDate")
        unknown = self.one(s, hrg + "dateUnknown")
        language = self.one(s, DCTERMS + "language")
        row = {
            "id": slug, "title": title.value if title else "",
            "date": date.value if date else ("unknown" if unknown is not None
                                             and unknown.value == "true" else ""),
            "language": language.value.removeprefix(LANG) if language else "",
            "signatories": "; ".join(self.ref(x.value) for x in self.values(s, hrg + "signatory")),
            "topics": "; ".join(self.label(x.value, "topic")
                                for x in self.values(s, hrg + "topic")),
            "type": self.document_types(s), **self.note_cells(s),
        }
        own = f"{self.project.id_base}publication/{slug}"
        for publication in self.values(s, hrg + "hasPublication"):
            p = publication.value
            if p != own and own in self.by_subject:
                continue  # another copy: the publications sheet's
            self._types(p, [hrg + "Publication"])
            self.values(p, hrg + "publicationOf")
            self.values(p, DCTERMS + "language")
            url = self.one(p, SCHEMA + "url")
            copy = self.one(p, hrg + "textCopy")
            row["source URL"] = url.value if url else ""
            row["text file"] = copy.value if copy else ""
            row["partial"] = self.partial(s, p)
        return row

    def document_types(self, s: str) -> str:
        """The type cell: the labels of the ontology's kinds of document ``s`` is."""
        kinds = self.known.document_types
        found = sorted(kinds[t.object.value] for t in self.by_subject.get(s, [])
                       if t.predicate.value == RDF_TYPE and t.object.value in kinds)
        self._types(s, [c for c, label in kinds.items() if label in found])
        return "; ".join(found)

    def partial(self, document: str, publication: str) -> str:
        """``yes`` when the document and its own publication are both partial, as the import
        writes it (one of them alone is left out, with a warning)."""
        marks = [ox.Triple(ox.NamedNode(x), ox.NamedNode(self.hrg + "partial"),
                           ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))
                 for x in (document, publication)]
        if all(m in set(self.by_subject.get(m.subject.value, [])) for m in marks):
            self.used.update(marks)
            return "yes"
        return ""

    def note_cells(self, s: str) -> dict[str, str]:
        """The note and note language cells: the first editorial note (a second one is left
        out, with a warning: a cell holds one)."""
        notes = [x for x in self.values(s, SKOS + "editorialNote") if isinstance(x, ox.Literal)]
        for extra in notes[1:]:
            self.used.discard(ox.Triple(ox.NamedNode(s), ox.NamedNode(SKOS + "editorialNote"),
                                        extra))
        if not notes:
            return {}
        return {"note": notes[0].value, "note language": notes[0].language or ""}

    def demand(self, s: str, slug: str) -> dict[str, str]:
        hrg = self.hrg
        self._types(s, [hrg + "Demand"])
        summary = next((x for x in self.values(s, SKOS + "prefLabel")
                        if isinstance(x, ox.Literal) and x.language == "en"), None)
        if summary is not None:
            self.used.add(ox.Triple(ox.NamedNode(s), ox.NamedNode(SKOS + "prefLabel"), summary))
        document = self.one(s, hrg + "madeIn")
        own = None
        if document is not None and self.slug(document.value, "document"):
            own = (f"{self.project.id_base}publication/"
                   f"{self.slug(document.value, 'document')}")
        quoted = spreadsheet_model.export_quote(self, s, own)
        targets = []
        for prop in ("concernsPerson", "concernsOrganisation", "concernsGroup",
                     "concernsLegalProvision", "concernsMechanism", "concernsPlace", "concerns"):
            targets += [self.ref(x.value) for x in self.values(s, hrg + prop)]
        part = self.one(s, hrg + "partOf")
        order = self.one(s, hrg + "order")
        action = self.one(s, hrg + "actionType")
        return {
            "id": slug, "document": self.ref(document.value) if document else "",
            "summary": summary.value if summary else "",
            **quoted,
            "action": self.label(action.value, "action-type") if action else "",
            "topics": "; ".join(self.label(x.value, "topic")
                                for x in self.values(s, hrg + "topic")),
            "addressee": "; ".join(self.ref(x.value) for x in self.values(s, hrg + "addressee")),
            "actor asked to act": "; ".join(self.ref(x.value)
                                            for x in self.values(s, hrg + "actorAskedToAct")),
            "made by": "; ".join(self.ref(x.value) for x in self.values(s, hrg + "madeBy")),
            "targets": "; ".join(targets),
            "part of": self.ref(part.value) if part else "",
            "order": order.value if order else "", **self.note_cells(s),
        }

    def assessment(self, s: str, slug: str) -> dict[str, str]:
        hrg = self.hrg
        self._types(s, [hrg + "Assessment"])
        demand = self.one(s, hrg + "assessedDemand")
        status = self.one(s, hrg + "status")
        note = self.one(s, SKOS + "note")
        by = self.one(s, PROV + "wasAttributedTo")
        return {
            "id": slug, "demand": self.ref(demand.value) if demand else "",
            "status": self.label(status.value, "status") if status else "",
            **self.status_period_cells(s),
            "note": note.value if note else "",
            "note language": note.language or "" if note else "",
            "evidence": self.evidence_text(s),
            "assessed by": self.ref(by.value) if by else "",
            "related events": "; ".join(self.ref(x.value)
                                        for x in self.values(s, hrg + "relatedEvent")),
        }

    def period_text(self, s: str) -> str:
        """A date or ``START/END`` (and its bounds taken), as the reader's ``period`` wants."""
        date = self.one(s, DCTERMS + "date")
        start, end = self.one(s, self.hrg + "periodStart"), self.one(s, self.hrg + "periodEnd")
        self.values(s, self.hrg + "earliestDate")
        self.values(s, self.hrg + "latestDate")
        return date.value if date else (f"{start.value}/{end.value}" if start and end else "")

    def status_period_cells(self, s: str) -> dict[str, str]:
        """``date or period`` and ``evidence date`` of an assessment, as :meth:`status_period`
        reads them (the bounds taken: the reader computes them again)."""
        start, end = self.one(s, self.hrg + "periodStart"), self.one(s, self.hrg + "periodEnd")
        evidence = self.one(s, DCTERMS + "date")
        for bound in ("earliestDate", "startLatestDate", "endEarliestDate", "latestDate"):
            self.values(s, self.hrg + bound)
        if start is None:
            return {"date or period": "", "evidence date": evidence.value if evidence else ""}
        period = (start.value if end is not None and end.value == start.value
                  else f"{start.value}/{end.value if end is not None else ''}")
        default = end if end is not None else start
        shown = evidence.value if evidence is not None and evidence != default else ""
        return {"date or period": period, "evidence date": shown}

    def evidence_text(self, s: str) -> str:
        """``URL (quality); …`` for the reader's ``evidence``."""
        return self.web_sources_text(s, self.hrg + "evidence")

    def web_sources_text(self, s: str, prop: str) -> str:
        """``URL (quality); …`` of the web sources ``s`` has by ``prop``, for the reader's
        ``web_source``: the quality where these triples give it."""
        sources = []
        for url in self.values(s, prop):
            quality = self.one(url.value, self.hrg + "evidenceQuality")
            self._types(url.value, [self.hrg + "WebSource"])
            sources.append(url.value + (f" ({self.label(quality.value, 'evidence-quality')})"
                                        if quality else ""))
        return "; ".join(sources)


# --------------------------------------------------------------------------- the committed files

#: The text of the example statement (its texts sheet): its quotes are located in it.
EXAMPLE_TEXT = (
    "Example: free Marfa Rabkova, a year after her arrest\n\n"
    "A year ago Marfa Rabkova, coordinator of the volunteer service of Viasna, was detained.\n"
    "We demand the immediate release of Marfa Rabkova. We call on the Belarusian authorities "
    "to drop the charges against her under Part 3 of\nArticle 293 of the Criminal Code. We "
    "urge the international community to support the new UN mandate on accountability in "
    "Belarus.\n")

#: The example in data/templates/example.xlsx: a statement by Viasna (invented for the example,
#: with an example.org source) demanding the release of Marfa Rabkova, who is referred to by her
#: Belarusian name; Viasna and the Belarusian authorities by their English names. It creates a
#: mechanism and a legal provision (both marked as examples), and its text is in the texts
#: sheet, so that the quotes' prefixes and suffixes are computed (one quote spans a line break).
EXAMPLE: dict[str, list[dict[str, str]]] = {
    "documents": [{
        "id": "example-viasna-rabkova-2021",
        "title": "Example: free Marfa Rabkova, a year after her arrest",
        "date": "2021-09", "language": "en", "signatories": "Viasna",
        "source URL": "https://example.org/hrgraph/example-viasna-rabkova-2021",
        "topics": "political prisoners",
    }],
    "demands": [{
        "id": "example-viasna-rabkova-2021-1",
        "document": "example-viasna-rabkova-2021",
        "summary": "Release Marfa Rabkova (example)",
        "quote": "We demand the immediate release of Marfa Rabkova.",
        "quote language": "en", "action": "release",
        "topics": "political prisoners; human-rights defenders",
        "addressee": "Belarusian authorities",
        "actor asked to act": "Belarusian authorities", "targets": "Марфа Рабкова",
        "order": "1",
    }, {
        "id": "example-viasna-rabkova-2021-2",
        "document": "example-viasna-rabkova-2021",
        "summary": "Drop the charges against Marfa Rabkova under Article 293 (example)",
        "quote": "drop the charges against her under Part 3 of Article 293 of the Criminal Code",
        "quote language": "en", "action": "end persecution",
        "topics": "political prisoners; human-rights defenders",
        "addressee": "Belarusian authorities", "actor asked to act": "Belarusian authorities",
        "targets": "Марфа Рабкова; example-article-293-part-3", "order": "2",
    }, {
        "id": "example-viasna-rabkova-2021-3",
        "document": "example-viasna-rabkova-2021",
        "summary": "Support the new UN accountability mandate on Belarus (example)",
        "quote": "support the new UN mandate on accountability in Belarus",
        "quote language": "en", "action": "support",
        "topics": "UN human-rights mechanisms", "addressee": "the international community",
        "actor asked to act": "the international community",
        "targets": "example-un-accountability-mandate", "order": "3",
    }],
    "actors": [],
    "mechanisms": [{
        "id": "example-un-accountability-mandate", "kind": "mandate",
        "name": "UN mandate on accountability in Belarus (example)", "name language": "en",
        "definition": "An example mechanism: a monitoring and reporting mandate on "
                      "accountability for human-rights violations in Belarus.",
        "operated by": "United Nations", "established on": "2021-03",
        "topics": "UN human-rights mechanisms",
        "source": "https://example.org/hrgraph/example-un-accountability-mandate",
    }],
    "provisions": [{
        "id": "example-article-293-part-3", "kind": "article",
        "name": "Part 3 of Article 293 of the Criminal Code (example)", "name language": "en",
        "definition": "An example provision: training or preparing people to take part in "
                      "riots, or funding it.",
        "article": "293", "part of": "Criminal Code of the Republic of Belarus",
        "jurisdiction": "Belarus",
        "source": "https://example.org/hrgraph/example-article-293-part-3",
    }],
    "mentions": [{"document": "example-viasna-rabkova-2021", "mentions": "Viasna"}],
    "texts": [{"id": "example-viasna-rabkova-2021-text", "text": EXAMPLE_TEXT,
               "source URL": "https://example.org/hrgraph/example-viasna-rabkova-2021"}],
    "assessments": [{
        "id": "example-viasna-rabkova-2021-1-2025",
        "demand": "example-viasna-rabkova-2021-1", "status": "not met",
        "date or period": "2021-09/", "evidence date": "2025-09",
        "note": "Not met: she was still detained in September 2025 (example).",
        "note language": "en",
        "evidence": "https://example.org/hrgraph/example-evidence (news media)",
        "assessed by": "hrgraph editors",
    }],
}


def readme_lines() -> list[str]:
    """The README sheet of the template: how to fill it, and every column."""
    lines = [
        "hrgraph contribution template: one sheet per kind of entity. Fill rows; leave the "
        "header row as it is. See docs/contributing.md.",
        "Check with: hrgraph add --dry-run FILE.xlsx   Merge with: hrgraph add FILE.xlsx "
        "--contributor NAME --source-url URL",
        "Several values in one cell: separate them with ';'. References: an id of this "
        "workbook, an IRI, prefix:local (person:marfa-rabkova) or a name in any script.",
        "Do not use formulas: a cell with a formula is refused.",
        "",
    ]
    for sheet, columns in SHEETS.items():
        lines.append(f"Sheet {sheet}:")
        for c in columns:
            lines.append(f"  {c.name} ({'required' if c.required else 'optional'}; {c.kind}"
                         f"{'; several with ;' if c.multi else ''}): {c.help}")
        lines.append("")
    return lines


def write_templates(directory: str | Path) -> list[Path]:
    """Write the committed template files into ``directory`` (data/templates): the empty
    workbook with its README sheet, the CSV headers, and the example workbook."""
    directory = Path(directory)
    written = [directory / "contribution-template.xlsx", directory / "csv",
               directory / "example.xlsx"]
    write_template(written[0], {}, readme=readme_lines())
    write_template(written[1], {})
    write_template(written[2], EXAMPLE, readme=readme_lines())
    return written
