"""Run SPARQL queries over the store: ad hoc, or saved in ``queries/`` with a header.

Saved queries (``queries/*.rq``, ``queries/checks/*.rq``) describe themselves in a YAML header of
``#+ `` comment lines (see docs/queries-format.md); :func:`list_queries` reads them and
:func:`run_saved` checks the caller's parameters against the header.

Safety, in order:

1. :func:`hrgraph.guard.checked` refuses updates, ``SERVICE``, text that does not parse and text
   that two SPARQL parsers could read differently; the text it returns is the one that runs.
2. Parameters are RDF terms, never text pasted into the query: each value is parsed by its declared
   type into a pyoxigraph term and bound with pyoxigraph's ``substitutions`` (SEP-0007), which
   replaces the variable in the parsed query. A ``multiple: true`` parameter is bound by a
   ``VALUES`` block (see :func:`_insert_values`).
3. The query runs in a worker process that opens the store read-only and is killed at the
   time limit (pyoxigraph has no query timeout of its own). The calling process does not open the
   store at all (see :mod:`hrgraph._query_worker`).

Results (:class:`QueryResult`) keep pyoxigraph terms (``NamedNode``, ``Literal``, ``BlankNode``;
``None`` for an unbound variable), so datatype and language are never lost; the ``to_*`` methods
turn them into text.

Why one module: a saved query's header, its parameters' binding as RDF terms and its run in the
worker are one contract (the guard must see exactly what runs). The seam if it grows: the header
format (parsing and checking), which querydocs also reads.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import functools
import io
import json
import os
import pickle
import queue
import re
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from hrgraph import _query_worker, guard
from hrgraph._query_worker import RawResult, execute
from hrgraph.errors import InputError, QueryTimeout, QueryTooLarge, StoreError, UsageError
from hrgraph.project import Project
from hrgraph.terms import ID_PREFIXES, LINKED_PREFIXES, VOCAB_PREFIXES, WELL_KNOWN_PREFIXES

__all__ = [
    "DEFAULT_LIMIT",
    "DEFAULT_TIMEOUT",
    "PARAM_TYPES",
    "Param",
    "QueryResult",
    "Rows",
    "SavedQuery",
    "bind_params",
    "find_query",
    "list_queries",
    "parse_header",
    "parse_value",
    "prefixes",
    "resolve_iri_values",
    "run_query",
    "run_saved",
    "to_python",
]

#: Seconds a query may run before it is stopped.
DEFAULT_TIMEOUT = 30.0
#: Rows (or triples) returned at most; the result says when more were cut.
DEFAULT_LIMIT = 10_000
#: Seconds a worker process may take to start and open the store (not counted in the timeout).
WORKER_START_LIMIT = 60.0

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Parameter types a saved query header may declare.
PARAM_TYPES = ("iri", "string", "langstring", "date", "integer", "decimal", "boolean",
               "gYearMonth", "gYear")

#: Well-known prefixes used to shorten IRIs in tables and messages (the project's own are added).
COMMON_PREFIXES = WELL_KNOWN_PREFIXES


def prefixes(project: Project) -> dict[str, str]:
    """Prefix → namespace for display: the project's ``hrg:``, ``hrid:``, ``hrv:`` and common ones.

    ``hrgraph.toml`` may add more under ``[prefixes]``.
    """
    found = dict(COMMON_PREFIXES)
    found.update(hrg=project.ontology_ns, hrid=project.id_base, hrv=project.vocab_base)
    extra = project.settings.get("prefixes", {})
    if isinstance(extra, dict):
        found.update({str(k): str(v) for k, v in extra.items()})
    return found


def shorten(iri: str, prefix_map: Mapping[str, str]) -> str:
    """``iri`` as ``prefix:local`` when a namespace matches (longest first), else ``<iri>``.

    For reading, not for pasting into SPARQL: the local part may contain ``/``
    (``hrid:person/aliaksandr-alesin``).
    """
    best = ""
    best_ns = ""
    for name, namespace in prefix_map.items():
        if iri.startswith(namespace) and len(namespace) > len(best_ns):
            best, best_ns = name, namespace
    local = iri[len(best_ns):]
    if best_ns and re.fullmatch(r"[\w\-/.]*[\w\-/]|", local):
        return f"{best}:{local}"
    return f"<{iri}>"


# --------------------------------------------------------------------------- saved queries


@dataclass(frozen=True)
class Param:
    """One parameter declared in a saved query's header."""

    name: str
    type: str = "string"
    required: bool = False
    default: Any = None
    example: Any = None
    description: str = ""
    multiple: bool = False


@dataclass(frozen=True)
class SavedQuery:
    """A query file of ``queries/`` and what its header says about it."""

    name: str
    path: Path
    summary: str
    description: str
    tags: list[str]
    params: dict[str, Param]
    columns: list[str]
    text: str
    severity: str = "Violation"  # for checks: how serious a returned row is
    header: dict[str, Any] = field(default_factory=dict, repr=False)


_HEADER_LINE = re.compile(r"^#\+ ?(.*)$")
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_header(text: str, *, path: str = "<query>") -> dict[str, Any]:
    """The YAML header of a saved query: its leading ``#+`` lines (blank lines may precede them).

    Raises:
        InputError: the header is not YAML or not a mapping.
    """
    lines: list[str] = []
    for line in text.splitlines():
        match = _HEADER_LINE.match(line)
        if match:
            lines.append(match.group(1))
        elif line.strip() or lines:
            break
    if not lines:
        return {}
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"the query header is not valid YAML: {getattr(exc, 'problem', exc)}",
                         path=path, line=mark.line + 1 if mark else None) from None
    if header is None:
        return {}
    if not isinstance(header, dict):
        raise InputError("the query header must be a mapping of keys like 'summary:'", path=path)
    return header


def _params_from_header(raw: Any, *, path: str) -> dict[str, Param]:
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise InputError("'params:' must map parameter names to their description", path=path)
    params: dict[str, Param] = {}
    for name, spec in raw.items():
        name = str(name)
        if not _VAR_NAME.fullmatch(name):
            raise InputError(f"parameter name {name!r} is not a SPARQL variable name", path=path)
        spec = spec or {}
        if not isinstance(spec, dict):
            raise InputError(f"parameter {name!r}: expected keys like 'type:'", path=path)
        kind = str(spec.get("type", "string"))
        if kind not in PARAM_TYPES:
            raise InputError(f"parameter {name!r}: unknown type {kind!r}; use one of "
                             f"{', '.join(PARAM_TYPES)}", path=path)
        params[name] = Param(name=name, type=kind, required=bool(spec.get("required", False)),
                             default=spec.get("default"), example=spec.get("example"),
                             description=str(spec.get("description") or ""),
                             multiple=bool(spec.get("multiple", False)))
    return params


def load_saved_query(path: str | os.PathLike, *, name: str | None = None) -> SavedQuery:
    """Read one saved query file and its header.

    Raises:
        InputError: the file cannot be read or its header is malformed.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read the query: {exc}", path=str(path)) from None
    # Reading the YAML headers of every query costs ~100 ms; a stat of each file does not.
    return _load_saved_query(path, name, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _load_saved_query(path: Path, name: str | None, _mtime_ns: int, _size: int) -> SavedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the query: {exc}", path=str(path)) from None
    header = parse_header(text, path=str(path))
    tags = header.get("tags") or []
    columns = header.get("columns") or []
    severity = str(header.get("severity", "Violation")).capitalize()
    if severity not in {"Violation", "Warning", "Info"}:
        raise InputError(f"severity {severity!r}: use Violation, Warning or Info", path=str(path))
    return SavedQuery(
        name=name or path.stem,
        path=path,
        summary=str(header.get("summary") or "").strip(),
        description=str(header.get("description") or "").strip(),
        tags=[str(t) for t in (tags if isinstance(tags, list) else [tags])],
        params=_params_from_header(header.get("params"), path=str(path)),
        columns=[str(c) for c in (columns if isinstance(columns, list) else [columns])],
        text=text,
        severity=severity,
        header=header,
    )


def list_queries(project: Project) -> list[SavedQuery]:
    """The saved queries: ``queries/*.rq`` by file stem, then ``queries/checks/*.rq`` as
    ``checks/<stem>``."""
    directory = project.queries_dir
    if not directory.is_dir():
        return []
    return [*(load_saved_query(p) for p in sorted(directory.glob("*.rq"))), *list_checks(project)]


def list_checks(project: Project) -> list[SavedQuery]:
    """The SPARQL checks: ``queries/checks/*.rq`` as ``checks/<stem>`` (without listing the
    other queries: a contribution's check runs them, in 22 ms at 1M)."""
    directory = project.queries_dir / "checks"
    return [load_saved_query(p, name=f"checks/{p.stem}") for p in sorted(directory.glob("*.rq"))]


def find_query(project: Project, name_or_path: str | os.PathLike) -> SavedQuery:
    """A saved query by name (``demands-by-person``, ``checks/x``) or by path to an ``.rq`` file.

    Raises:
        UsageError: no such query.
    """
    text = str(name_or_path)
    candidate = Path(text)
    if candidate.suffix == ".rq" and candidate.is_file():
        resolved = candidate.resolve()
        name = candidate.stem
        if resolved.is_relative_to(project.queries_dir / "checks"):
            name = f"checks/{candidate.stem}"
        return load_saved_query(resolved, name=name)
    saved = list_queries(project)
    for query in saved:
        if query.name == text.removesuffix(".rq"):
            return query
    if not project.is_project:
        raise UsageError(f"no saved query called {text!r}: {project.root} is not an hrgraph "
                         "project (no hrgraph.toml, data/, ontology/, shapes/ or queries/); "
                         "run the command in one, or give --project DIR")
    raise UsageError(f"no saved query called {text!r}"
                     + did_you_mean(text.removesuffix(".rq"), [q.name for q in saved])
                     + " (`hrgraph query --list` lists them)")


def did_you_mean(given: str, known: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the known names closest to ``given`` (by difflib), or
    ``""`` when none is close."""
    close = difflib.get_close_matches(given, known, n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(name) for name in close) + "?"


# --------------------------------------------------------------------------- parameter values

_IRI_FORBIDDEN = re.compile(r"[\s<>\"{}|^`\\]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_DATE = re.compile(r"-?\d{4,}-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?")
_GYEARMONTH = re.compile(r"-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d{2}:\d{2})?")
_GYEAR = re.compile(r"-?\d{4,}(Z|[+-]\d{2}:\d{2})?")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_LANG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


def parse_value(param: Param, value: Any) -> ox.NamedNode | ox.Literal:
    """Turn one value for ``param`` into an RDF term by the parameter's declared type.

    ``value`` is the raw string from the command line, or a Python value (``int``, ``bool``,
    ``datetime.date``, a pyoxigraph term of the right kind).

    Raises:
        UsageError: naming the parameter, when the value does not fit the type.
    """
    kind = param.type

    def bad(expected: str) -> UsageError:
        shown = str(value)
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        return UsageError(f"parameter {param.name!r}: {shown!r} is not {expected}")

    if isinstance(value, (ox.NamedNode, ox.Literal)):
        value = value.value if kind == "iri" or isinstance(value, ox.NamedNode) else value
    if kind == "iri":
        text = str(value)
        if not _SCHEME.match(text) or _IRI_FORBIDDEN.search(text):
            raise bad("an absolute IRI (like https://w3id.org/hrgraph/id/organisation/viasna) "
                      "without spaces or any of < > \" { } | ^ ` \\")
        try:
            return ox.NamedNode(text)
        except ValueError:
            raise bad("a valid IRI") from None
    if isinstance(value, ox.Literal):
        value = value.value
    if kind == "string":
        if not isinstance(value, str):
            raise bad("a text")
        return ox.Literal(value)
    if kind == "langstring":
        text = str(value)
        body, at, lang = text.rpartition("@")
        if not at or not _LANG.fullmatch(lang):
            raise bad("a text with a language tag, like 'Viasna@be' or 'human rights@en'")
        return ox.Literal(body, language=lang.lower())
    if kind == "boolean":
        if isinstance(value, bool):
            return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
        text = str(value).strip().lower()
        if text not in {"true", "false", "1", "0"}:
            raise bad("true or false")
        return ox.Literal("true" if text in {"true", "1"} else "false",
                          datatype=ox.NamedNode(XSD + "boolean"))
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise bad("a whole number")
        text = str(value).strip()
        if not _INTEGER.fullmatch(text):
            raise bad("a whole number")
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "decimal":
        text = str(value).strip()
        if isinstance(value, bool) or not _DECIMAL.fullmatch(text):
            raise bad("a decimal number")
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "decimal"))
    if kind == "date":
        if isinstance(value, datetime.datetime):
            value = value.date()
        text = value.isoformat() if isinstance(value, datetime.date) else str(value).strip()
        match = _DATE.fullmatch(text)
        if not match or not _real_date(text):
            raise bad("a date written YYYY-MM-DD")
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))
    if kind == "gYearMonth":
        text = str(value).strip()
        if not _GYEARMONTH.fullmatch(text):
            raise bad("a month written YYYY-MM")
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "gYearMonth"))
    if kind == "gYear":
        text = str(value).strip()
        if isinstance(value, bool) or not _GYEAR.fullmatch(text):
            raise bad("a year written YYYY")
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "gYear"))
    raise UsageError(f"parameter {param.name!r}: unknown type {kind!r}")  # pragma: no cover


def _real_date(text: str) -> bool:
    """Whether a YYYY-MM-DD lexical form names a day that exists (no 2016-02-30)."""
    digits = text.lstrip("-")[:10]
    try:
        year, month, day = (int(p) for p in digits.split("-")[:3])
        datetime.date(min(max(year, 1), 9999), month, day)
    except ValueError:
        return False
    return True


def _refuse_unknown_params(saved: SavedQuery, values: Mapping[str, Any]) -> None:
    """Raise UsageError for a parameter the header does not declare (with the closest names)."""
    unknown = sorted(set(values) - set(saved.params))
    if unknown:
        known = ", ".join(saved.params) or "none"
        raise UsageError(f"query {saved.name!r} has no parameter {unknown[0]!r}"
                         + did_you_mean(unknown[0], list(saved.params))
                         + f" (its parameters: {known})")


def bind_params(saved: SavedQuery, values: Mapping[str, Any] | None
                ) -> tuple[dict[str, ox.NamedNode | ox.Literal], dict[str, list[Any]]]:
    """Check ``values`` against the header; return single-valued and multi-valued bindings.

    Defaults from the header fill in missing values. A ``multiple`` parameter takes a list (or
    one value); others take exactly one value.

    Raises:
        UsageError: an unknown parameter, a missing required one, or a malformed value.
    """
    values = dict(values or {})
    _refuse_unknown_params(saved, values)
    single: dict[str, ox.NamedNode | ox.Literal] = {}
    multi: dict[str, list[Any]] = {}
    for name, param in saved.params.items():
        value = values.get(name)
        if value is None or value == [] or value == ():
            value = param.default
        if value is None or value == []:
            if param.required:
                example = f" (for example {param.example})" if param.example is not None else ""
                raise UsageError(f"query {saved.name!r} needs a value for parameter "
                                 f"{name!r}{example}")
            continue
        if param.multiple:
            items = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
            multi[name] = [parse_value(param, item) for item in items]
        else:
            if isinstance(value, (list, tuple, set, frozenset)):
                if len(value) != 1:
                    raise UsageError(f"parameter {name!r} takes one value, got {len(value)}")
                value = next(iter(value))
            single[name] = parse_value(param, value)
    return single, multi


# --------------------------------------------------------------------------- IRI parameters

_SKOS = "http://www.w3.org/2004/02/skos/core#"
#: Entities whose name (any of these, in any language, ignoring case) is the value given.
_BY_NAME = f"""SELECT DISTINCT ?entity WHERE {{
  ?entity <http://www.w3.org/2000/01/rdf-schema#label>|<{_SKOS}prefLabel>|<{_SKOS}altLabel>
          |<{_SKOS}hiddenLabel> ?label
  FILTER(isIRI(?entity) && LCASE(STR(?label)) = LCASE(STR(?name)))
}} ORDER BY ?entity"""
#: Which of the IRIs bound to ?iri (a VALUES block) occur in the graph at all.
_IN_GRAPH = "SELECT DISTINCT ?iri WHERE { { ?iri ?p ?o } UNION { ?s ?p ?iri } }"
_PREFIXED_NAME = re.compile(r"([A-Za-z][\w.\-]*):(?!//)(\S*)")


def name_prefixes(project: Project) -> dict[str, str]:
    """The prefixes an IRI parameter may be written with: those of the tables
    (:func:`prefixes`: ``hrid:``, ``hrv:``, ``skos:`` …) and those of the data files
    (``person:``, ``organisation:``, ``topic:``, ``action:`` … of :mod:`hrgraph.terms`)."""
    found = {name: project.id_base + path for name, path in ID_PREFIXES.items()}
    found.update({name: project.vocab_base + path for name, path in VOCAB_PREFIXES.items()})
    found.update(LINKED_PREFIXES)
    found.update(prefixes(project))
    return found


def expand_prefixed(text: str, prefix_map: Mapping[str, str]) -> str | None:
    """The IRI a prefixed name (``hrid:demand/x``, ``topic:death-penalty``) stands for, or
    ``None`` when ``text`` is not one of a known prefix (``https://…`` is not)."""
    match = _PREFIXED_NAME.fullmatch(text)
    if match is None or match.group(1) not in prefix_map:
        return None
    return prefix_map[match.group(1)] + match.group(2)


def resolve_iri_values(project: Project, saved: SavedQuery, values: Mapping[str, Any] | None, *,
                       look_up: bool = True, store: ox.Store | None = None,
                       include_confidential: bool = False,
                       timeout: float | None = DEFAULT_TIMEOUT) -> tuple[dict[str, Any], list[str]]:
    """The values of ``saved``'s IRI parameters as full IRIs, and warnings for people.

    A value may be an IRI, a prefixed name as the tables print them (:func:`name_prefixes`), or,
    with ``look_up``, a name of one entity in the graph (``rdfs:label`` or a SKOS label, any
    language, any case). With ``look_up``, a warning says which IRIs occur nowhere in the
    graph (a typo gives an empty answer, not an error: the query may ask for what is absent).
    Other parameters and non-text values are returned as they are.

    Raises:
        UsageError: a name that fits no entity or several (their IRIs listed), or a value that is
            no IRI at all.
    """
    values = dict(values or {})
    prefix_map = name_prefixes(project)
    given_iris: list[tuple[str, str, str]] = []  # parameter, value as given, IRI
    for name, param in saved.params.items():
        if param.type != "iri" or values.get(name) is None:
            continue
        given = values[name]
        many = isinstance(given, (list, tuple, set, frozenset))
        resolved = []
        for item in (list(given) if many else [given]):
            if isinstance(item, str):
                iri = _iri_for(project, param, item.strip(), prefix_map, look_up=look_up,
                               store=store, include_confidential=include_confidential,
                               timeout=timeout)
                given_iris.append((name, item, iri))
                item = iri
            resolved.append(item)
        values[name] = resolved if many else resolved[0]
    warnings = []
    if look_up and given_iris:
        terms = [ox.NamedNode(iri) for iri in dict.fromkeys(iri for _, _, iri in given_iris)]
        sparql = guard.checked(_insert_values(_IN_GRAPH, {"iri": terms}), False).text
        found = _run_checked(project, sparql, {}, timeout=timeout, limit=None, store=store,
                             include_confidential=include_confidential)
        present = {term.value for term in found.column("iri")}
        for name, item, iri in given_iris:
            if iri not in present:
                shown = item if item == iri else f"{item} (<{iri}>)"
                warnings.append(f"parameter {name!r}: {shown} names nothing in the graph, so "
                                "the answer may well be empty; check its spelling")
    return values, warnings


def _iri_for(project: Project, param: Param, text: str, prefix_map: Mapping[str, str], *,
             look_up: bool, store: ox.Store | None, include_confidential: bool,
             timeout: float | None) -> str:
    """The IRI one value of an IRI parameter names (see :func:`resolve_iri_values`)."""
    expanded = expand_prefixed(text, prefix_map)
    if expanded is not None:
        return parse_value(param, expanded).value
    if not look_up or (_SCHEME.match(text) and not _IRI_FORBIDDEN.search(text)) or not text:
        return parse_value(param, text).value  # an IRI, or the error that says what one is
    found = run_query(project, _BY_NAME, {"name": ox.Literal(text)}, timeout=timeout,
                      limit=None, store=store, include_confidential=include_confidential)
    entities = [term.value for term in found.column("entity")]
    if len(entities) == 1:
        return entities[0]
    if not entities:
        raise UsageError(f"parameter {param.name!r}: {text!r} is neither an IRI (like "
                         "https://w3id.org/hrgraph/id/organisation/viasna), nor a prefixed name "
                         "(like hrid:organisation/viasna), nor the name of anything in the graph")
    listed = ", ".join(shorten(iri, prefixes(project)) for iri in entities[:10])
    more = f" and {len(entities) - 10} more" if len(entities) > 10 else ""
    raise UsageError(f"parameter {param.name!r}: {text!r} is the name of {len(entities)} "
                     f"entities: {listed}{more}; give the one you mean by its IRI")


# --------------------------------------------------------------------------- VALUES insertion

_SPARQL_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _insert_values(sparql: str, multi: Mapping[str, list[ox.NamedNode | ox.Literal]]) -> str:
    """Add ``VALUES ?name { term ... }`` at the start of the query's WHERE group.

    This is the only place where hrgraph writes query text, and it is safe because everything
    inserted comes from a closed set: the keyword ``VALUES``, a variable whose name the header
    declared and :data:`_VAR_NAME` checked (letters, digits, ``_``), braces, and terms printed by
    pyoxigraph in N-Triples syntax. An IRI term was refused earlier if it contains a space or any of
    ``< > " { } | ^ ` \\``, and pyoxigraph's ``NamedNode`` checks it again; a literal's quotes,
    backslashes and line breaks are escaped by the serialiser, so no value can end its term early,
    close the block, or start a new clause. The place of insertion is found by a tokenizer that
    skips comments, strings and IRIs, and the result is parsed again by the guard before it runs.
    A VALUES block at the start of the WHERE group joins with the whole group, so it restricts the
    variable exactly where the query uses it (a trailing VALUES after the query would apply after
    GROUP BY instead).
    """
    tokens = list(_SPARQL_TOKEN.finditer(sparql))
    significant = [t for t in tokens if t.lastgroup not in {"ws", "comment"}]
    words = [t.group().upper() for t in significant if t.lastgroup == "word"]
    form = next((w for w in words if w in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}), None)
    position = None
    paren = brace = 0
    seen_where = form != "CONSTRUCT"  # a CONSTRUCT's first group is its template
    previous = ""
    for token in significant:
        text = token.group()
        if text == "(":
            paren += 1
        elif text == ")":
            paren -= 1
        elif text == "{" and paren == 0 and brace == 0 and seen_where:
            if form == "CONSTRUCT" and previous == "WHERE" and _is_short_construct(significant):
                break
            position = token.end()
            break
        elif text == "{":
            brace += 1
        elif text == "}":
            brace -= 1
        elif token.lastgroup == "word" and text.upper() == "WHERE" and brace == 0 and paren == 0:
            seen_where = True
        previous = text.upper()
    if position is None:
        raise UsageError("this query cannot take a list of values for "
                         f"{', '.join(repr(n) for n in multi)}: it needs a WHERE {{ … }} group "
                         "(write CONSTRUCT { … } WHERE { … }, not CONSTRUCT WHERE { … })")
    blocks = []
    for name, terms in multi.items():
        if not _VAR_NAME.fullmatch(name):  # declared names are checked already; never trust twice
            raise UsageError(f"parameter name {name!r} is not a SPARQL variable name")
        blocks.append(f" VALUES ?{name} {{ {' '.join(str(t) for t in terms)} }}")
    return sparql[:position] + "".join(blocks) + sparql[position:]


def _is_short_construct(significant: list[re.Match[str]]) -> bool:
    """Whether a CONSTRUCT is the short form ``CONSTRUCT WHERE { … }`` (no template)."""
    for i, token in enumerate(significant):
        if token.lastgroup == "word" and token.group().upper() == "CONSTRUCT":
            following = significant[i + 1] if i + 1 < len(significant) else None
            return following is not None and following.group().upper() == "WHERE"
    return False


# --------------------------------------------------------------------------- results


@dataclass
class QueryResult:
    """The answer to a query.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT / DESCRIBE). For SELECT,
    ``rows`` are dicts from variable name to a pyoxigraph term, or ``None`` when unbound. For ASK,
    ``boolean`` is the answer. For a graph, ``triples`` holds the triples and ``rows`` shows them as
    ``subject``/``predicate``/``object`` rows so that every ``to_*`` method works.
    ``truncated`` says that more rows than ``limit`` existed and were cut.
    """

    kind: str
    variables: list[str]
    rows: list[dict[str, Any]]
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    limit: int | None = None
    prefixes: dict[str, str] = field(default_factory=lambda: dict(COMMON_PREFIXES), repr=False)
    #: Things the caller should know about the answer, for people (an IRI parameter naming
    #: nothing in the graph); the command line prints them on stderr.
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_raw(cls, raw: RawResult, *, limit: int | None,
                 prefix_map: Mapping[str, str] | None = None) -> QueryResult:
        """Build a result from what the worker sent."""
        prefix_map = dict(prefix_map or COMMON_PREFIXES)
        if raw.kind == "ask":
            return cls("ask", [], [], boolean=raw.boolean, limit=limit, prefixes=prefix_map)
        if raw.kind == "graph":
            variables = ["subject", "predicate", "object"]
            rows = [dict(zip(variables, (t.subject, t.predicate, t.object), strict=True))
                    for t in raw.triples]
            return cls("graph", variables, rows, triples=raw.triples, truncated=raw.truncated,
                       limit=limit, prefixes=prefix_map)
        rows = [dict(zip(raw.variables, row, strict=True)) for row in raw.rows]
        return cls("select", raw.variables, rows, truncated=raw.truncated, limit=limit,
                   prefixes=prefix_map)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        """The values of one variable, in row order."""
        return [row.get(name) for row in self.rows]

    @property
    def note(self) -> str:
        """A line for people when the result was cut, else ``""``."""
        if not self.truncated:
            return ""
        return (f"Only the first {self.limit} rows are shown; the query has more. "
                "Raise the limit or narrow the query.")

    # -- text forms

    def cell(self, term: Any) -> str:
        """One value for people: prefixed names, plain literal values, and ``text@lang`` for
        text in a language other than English (English is the display language)."""
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return shorten(term.value, self.prefixes)
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.Literal):
            if term.language:
                return term.value if term.language == "en" else f"{term.value}@{term.language}"
            datatype = term.datatype.value
            if datatype.startswith(XSD) or datatype == RDF_LANGSTRING:
                return term.value
            return f"{term.value}^^{shorten(datatype, self.prefixes)}"
        return str(term)

    def row_cells(self, row: Mapping[str, Any]) -> list[str]:
        """The cells of one row for people (:meth:`cell`), in the order of ``variables``.

        A text's language tag is left out when another cell of the row already says it (a
        ``language`` column beside a name): ``Вясна`` beside ``be``, not ``Вясна@be`` beside it.
        """
        terms = [row.get(v) for v in self.variables]
        shown = {t.value.lower() for t in terms
                 if isinstance(t, ox.Literal) and not t.language and t.value}
        return [term.value if isinstance(term, ox.Literal) and term.language
                and term.language.lower() in shown else self.cell(term) for term in terms]

    def to_table(self, max_width: int = 60, width: int | None = None) -> str:
        """An aligned text table.

        Without ``width``, a cell longer than ``max_width`` is wrapped onto further lines of its
        row, so that quotes are shown whole. With ``width`` (a terminal's columns), the columns
        share that width: wide ones are narrowed first, their cells wrapped onto at most
        :data:`TABLE_CELL_LINES` lines and cut with ``…`` beyond, and no line is wider than
        ``width``; a last line says when something was cut.
        """
        if self.kind == "ask":
            return "yes" if self.boolean else "no"
        if not self.variables:  # SELECT * WHERE { }: rows without columns
            return self._no_columns()
        header = list(self.variables)
        texts = [[" ".join(text.split()) for text in self.row_cells(row)] for row in self.rows]
        natural = [min(max([len(h)] + [len(r[i]) for r in texts]), max(max_width, len(h)))
                   for i, h in enumerate(header)]
        widths = natural if width is None else _fit_columns(
            natural, [len(h) for h in header], width - 2 * (len(header) - 1))
        cut = False
        body = []
        for row in texts:
            cells = []
            for text, w in zip(row, widths, strict=True):
                lines, was_cut = _wrap_cell(text, w, None if width is None else TABLE_CELL_LINES)
                cut = cut or was_cut
                cells.append(lines)
            body.append(cells)
        shown_header = [_cut(h, w) for h, w in zip(header, widths, strict=True)]
        widths = [max([len(h)] + [len(line) for cells in body for line in cells[i]])
                  for i, h in enumerate(shown_header)]  # as wide as what wrapping left
        cut = cut or shown_header != header
        lines = ["  ".join(h.ljust(w) for h, w in zip(shown_header, widths, strict=True)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        for cells in body:
            for k in range(max(len(c) for c in cells)):
                parts = [(c[k] if k < len(c) else "").ljust(w)
                         for c, w in zip(cells, widths, strict=True)]
                lines.append("  ".join(parts).rstrip())
        if width is not None and any(len(line) > width for line in lines):
            cut = True  # more columns than the terminal has room for, even one character each
            lines = [_cut(line, width) for line in lines]
        count = len(self.rows)
        notes = [f"({count} row{'s' if count != 1 else ''})"]
        if self.note:
            notes.append(self.note)
        if cut:
            notes.append(WIDE_HINT)
        if width is not None:
            notes = [line for note in notes for line in textwrap.wrap(note, width)]
        return "\n".join(lines + notes)

    def to_markdown(self) -> str:
        """A Markdown table (prefixed names, ``|`` escaped)."""
        if self.kind == "ask":
            return "yes" if self.boolean else "no"
        if not self.variables:
            return self._no_columns()

        def md(text: str) -> str:
            return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")

        lines = ["| " + " | ".join(md(v) for v in self.variables) + " |",
                 "|" + "|".join("---" for _ in self.variables) + "|"]
        lines += ["| " + " | ".join(md(text) for text in self.row_cells(row)) + " |"
                  for row in self.rows]
        if self.note:
            lines += ["", f"*{self.note}*"]
        return "\n".join(lines)

    def _no_columns(self) -> str:
        count = len(self.rows)
        return f"({count} row{'s' if count != 1 else ''}, no variables)"

    def to_csv(self) -> str:
        """CSV with full IRIs and literal values (lexical forms).

        A cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
        ``@``, tab or carriage return) gets a leading ``'``, except plain numbers.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if self.kind == "ask":
            writer.writerow(["boolean"])
            writer.writerow(["true" if self.boolean else "false"])
            return out.getvalue()
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow([_csv_cell(row.get(v)) for v in self.variables])
        return out.getvalue()

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON (a graph is given as subject/predicate/object rows)."""
        if self.kind == "ask":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)})
        bindings = [{v: _json_term(t) for v, t in row.items() if t is not None}
                    for row in self.rows]
        return json.dumps({"head": {"vars": self.variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=1)

    def to_ntriples(self) -> str:
        """The triples of a CONSTRUCT or DESCRIBE, one per line."""
        return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in self.triples)


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _csv_cell(term: Any) -> str:
    if term is None:
        return ""
    text = term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"} and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


#: Lines a cell may take in a table fitted to a terminal; more is cut with ``…``.
TABLE_CELL_LINES = 3
#: The last line of a table whose cells were cut to fit the terminal.
WIDE_HINT = "Some cells are cut (…) to fit the terminal: --wide shows them whole, --format csv too."
#: A column is not narrowed below this many characters (or its content's width, if less).
_NARROWEST = 6


def _fit_columns(natural: list[int], headers: list[int], room: int) -> list[int]:
    """Column widths that add up to at most ``room`` where possible: the widest columns give way
    first, each down to its header's width (up to 12) or :data:`_NARROWEST`, or, when there are
    too many columns for that, to :data:`_NARROWEST`, or to 1."""
    if sum(natural) <= room:
        return list(natural)
    for floors in ([min(n, max(_NARROWEST, min(h, 12))) for n, h in zip(natural, headers,
                                                                        strict=True)],
                   [min(n, _NARROWEST) for n in natural], [min(n, 1) for n in natural]):
        if sum(floors) <= room:
            break
    low, high = 0, max(natural)  # the largest cap on every column that still fits
    while low < high:
        cap = (low + high + 1) // 2
        if sum(max(f, min(n, cap)) for n, f in zip(natural, floors, strict=True)) <= room:
            low = cap
        else:
            high = cap - 1
    widths = [max(f, min(n, low)) for n, f in zip(natural, floors, strict=True)]
    spare = room - sum(widths)
    for i in sorted(range(len(widths)), key=lambda i: -natural[i]):  # the rest to the widest
        if spare <= 0:
            break
        if widths[i] < natural[i]:
            widths[i] += 1
            spare -= 1
    return widths


def _cut(text: str, width: int) -> str:
    """``text``, or its start and ``…`` when it is longer than ``width``."""
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def _wrap_cell(text: str, width: int, max_lines: int | None) -> tuple[list[str], bool]:
    """A cell's text as lines of at most ``width`` characters, and whether some was cut: at most
    ``max_lines`` lines, the last ending in ``…`` when the text goes on."""
    lines = textwrap.wrap(text, width) or [""]
    if max_lines is None or len(lines) <= max_lines:
        return lines, False
    last = lines[max_lines - 1]
    end = last[:width - 1] + "…" if len(last) >= width else last + "…"
    lines = [*lines[:max_lines - 1], end]
    return lines, True


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


# --------------------------------------------------------------------------- plain Python rows

_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}


def to_python(term: Any) -> Any:
    """One RDF term as a plain Python value.

    ========================================  ===========================================
    term                                      value
    ========================================  ===========================================
    IRI                                       ``str`` (the full IRI)
    blank node                                ``str`` ``"_:id"``
    ``xsd:string``, language-tagged text      ``str`` (the language tag is dropped)
    ``xsd:integer`` and its sub-types         ``int``
    ``xsd:decimal``                           ``decimal.Decimal``
    ``xsd:double``, ``xsd:float``             ``float``
    ``xsd:boolean``                           ``bool``
    ``xsd:date``                              ``datetime.date``
    ``xsd:dateTime``                          ``datetime.datetime``
    ``xsd:gYear``, ``xsd:gYearMonth``, other  ``str`` (the lexical form, as written)
    unbound                                   ``None``
    ========================================  ===========================================

    A value whose lexical form does not fit its datatype (or a date with a time zone) stays a
    ``str``.
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):
        return str(term)
    text, datatype = term.value, term.datatype.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(text)
        if datatype == XSD + "decimal":
            import decimal

            return decimal.Decimal(text)
        if datatype in {XSD + "double", XSD + "float"}:
            return float(text)
        if datatype == XSD + "boolean":
            return text.strip() in {"true", "1"}
        if datatype == XSD + "date":
            return datetime.date.fromisoformat(text)
        if datatype == XSD + "dateTime":
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return text


@dataclass
class Rows:
    """The rows of a query as dicts of plain Python values (see :func:`to_python`).

    ``result`` keeps the full :class:`QueryResult` (RDF terms, language tags, datatypes) for
    whoever needs them.
    """

    variables: list[str]
    rows: list[dict[str, Any]]
    result: QueryResult = field(repr=False)

    @classmethod
    def from_result(cls, result: QueryResult) -> Rows:
        rows = [{v: to_python(row.get(v)) for v in result.variables} for row in result.rows]
        return cls(list(result.variables), rows, result)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def to_dataframe(self) -> Any:
        """The rows as a pandas ``DataFrame`` (columns in the query's order).

        pandas is not a dependency of hrgraph: install it yourself (``pip install pandas``).

        Raises:
            UsageError: pandas is not installed.
        """
        try:
            import pandas
        except ImportError:
            raise UsageError("to_dataframe() needs pandas, which hrgraph does not install: "
                             "run `pip install pandas`, or use .rows (a list of dicts)") from None
        return pandas.DataFrame(self.rows, columns=self.variables)


# --------------------------------------------------------------------------- running


_WORKER_SCRIPT = str(Path(_query_worker.__file__).resolve())


#: How many megabytes of data a query worker may allocate (``off``: no limit). By default a
#: quarter of the machine's memory, at least 1,024: a query whose evaluation would take all of
#: it is stopped instead of the kernel killing whatever else runs (a build, the web server).
MEMORY_SETTING = "HRGRAPH_QUERY_MEMORY_MB"


def worker_memory() -> int | None:
    """The bytes of data a query worker may allocate (:data:`MEMORY_SETTING`), or None.

    Raises:
        UsageError: the setting is neither a whole number of megabytes nor ``off``.
    """
    text = os.environ.get(MEMORY_SETTING, "").strip()
    if text.lower() == "off":
        return None
    if text:
        if not text.isdigit() or int(text) < 1:
            raise UsageError(f"{MEMORY_SETTING} must be a whole number of megabytes or 'off', "
                             f"not {text!r}")
        return int(text) * 2**20
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return None
    return max(total // 4, 2**30)


def _too_large(memory: int | None) -> QueryTooLarge:
    return QueryTooLarge(f"the query needed more than {(memory or 0) // 2**20:,} MB of memory and "
                         "was stopped; narrow it down (fewer optional parts, a LIMIT) or allow "
                         f"more ({MEMORY_SETTING})")


def _worker_command() -> list[str]:
    # -P (Python 3.11+): do not put the current directory first on sys.path; run_path does not
    # add the script's directory either, so no file next to the worker can shadow a module.
    safe_path = ["-P"] if sys.version_info >= (3, 11) else []
    code = f"import runpy; runpy.run_path({_WORKER_SCRIPT!r}, run_name='__main__')"
    return [sys.executable, *safe_path, "-c", code]


def _read_messages(stream: Any, inbox: queue.Queue) -> None:
    """Pass every length-prefixed message from the worker to ``inbox``; ``None`` at the end."""
    try:
        while True:
            size = stream.read(8)
            if len(size) < 8:
                break
            data = stream.read(struct.unpack(">Q", size)[0])
            inbox.put(pickle.loads(data))  # our own worker's answer, not outside input
    except (OSError, ValueError, pickle.UnpicklingError):
        pass
    finally:
        inbox.put(None)


def _run_in_worker(store_path: Path, sparql: str, substitutions: dict[str, Any] | None,
                   limit: int | None, timeout: float | None,
                   hidden: str | None = None,
                   dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
                   allow_network: bool = False) -> RawResult:
    if not (store_path / "CURRENT").is_file():
        raise StoreError(f"there is no store at {store_path} yet: run 'hrgraph build' first")
    memory = worker_memory()
    request = pickle.dumps((str(store_path), sparql, substitutions, limit, hidden, dataset,
                            allow_network, memory))
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(_worker_command(), stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise StoreError(f"cannot start a query worker: {exc}") from None
        inbox: queue.Queue = queue.Queue()
        reader = threading.Thread(target=_read_messages, args=(process.stdout, inbox),
                                  daemon=True)
        reader.start()
        try:
            process.stdin.write(request)
            process.stdin.close()
            message = inbox.get(timeout=WORKER_START_LIMIT)
            if message is not None and message[0] == "ready":
                try:
                    message = inbox.get(timeout=timeout)
                except queue.Empty:
                    raise QueryTimeout(
                        f"the query ran longer than {timeout:g} seconds and was stopped; narrow "
                        "it down (fewer optional parts, a LIMIT) or allow more time") from None
        except queue.Empty:
            raise StoreError("the query worker did not start in time") from None
        except BrokenPipeError:
            message = None
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            reader.join(5)
            process.stdout.close()
        if message is None:
            errors.seek(0)
            detail = errors.read().decode("utf-8", errors="replace").strip().splitlines()
            if any("memory allocation of" in line for line in detail):  # Rust's abort message
                raise _too_large(memory)
            raise StoreError("the query worker stopped unexpectedly"
                             + (f": {detail[-1]}" if detail else ""))
    status, payload = message
    if status == "result":
        return RawResult(**payload)
    if status == "memory-error":
        raise _too_large(memory)
    if status == "syntax-error":
        raise InputError(f"the SPARQL query does not parse: {payload}")
    if status == "store-error":
        raise StoreError(f"cannot read the store at {store_path}: {payload}")
    if status == "sandbox-error":
        raise StoreError(
            "refused to run the query: the query worker could not cut itself off from the "
            f"network ({payload}). Install libseccomp (Debian: libseccomp2) or allow network "
            f"namespaces; or set {_query_worker.SANDBOX_SETTING}=off to run queries without "
            "this protection (the guard still refuses SERVICE)")
    raise InputError(f"the query failed: {payload}")


def run_query(project: Project, sparql: str, params: Mapping[str, Any] | None = None, *,
              timeout: float | None = DEFAULT_TIMEOUT, limit: int | None = DEFAULT_LIMIT,
              allow_service: bool = False, store: ox.Store | None = None,
              include_confidential: bool = False,
              dataset: tuple[Sequence[str], Sequence[str]] | None = None) -> QueryResult:
    """Run a read-only SPARQL query over the union of the store's graphs.

    Args:
        project: the project (store location, prefixes for display).
        sparql: the query text.
        params: variable name → value. Values that are already pyoxigraph terms are bound as they
            are; other values are bound as plain strings (use :func:`run_saved` for typed
            parameters). Bound by substitution, never by editing the text.
        timeout: seconds before the query is stopped (``None``: no limit).
        limit: most rows (or triples) returned; ``result.truncated`` says when more existed.
        allow_service: let ``SERVICE`` through the guard (off by default).
        store: run in this process on an open store instead (no timeout; used by validation
            and tests).
        include_confidential: also read the private graphs (confidential entries); for the
            organisation's own checks and backups, never for a public endpoint.
        dataset: ``(default graphs, named graphs)``, IRIs: the RDF dataset to query instead of
            the query's own ``FROM`` / ``FROM NAMED`` (the SPARQL Protocol's
            ``default-graph-uri`` and ``named-graph-uri``, checked by
            :func:`hrgraph.guard.protocol_dataset`): the default graph is the merge of the
            first (empty if none), ``GRAPH`` reaches the second only. Graphs the store lacks
            are empty; private graphs are left out unless ``include_confidential``.

    Raises:
        InputError: the query is refused or malformed.
        QueryTimeout: it ran past ``timeout``.
        StoreError: the store is missing or unreadable.
    """
    sparql, form = guard.checked(sparql, allow_service)
    single: dict[str, Any] = {}
    for name, value in (params or {}).items():
        if not _VAR_NAME.fullmatch(name):
            raise UsageError(f"parameter name {name!r} is not a SPARQL variable name")
        if isinstance(value, (ox.NamedNode, ox.Literal)):
            single[name] = value
        else:
            single[name] = ox.Literal(str(value))
    substitutions, by_values = _split_bindings(sparql, form, single)
    if by_values:
        sparql = guard.checked(_insert_values(sparql, by_values), allow_service).text
    given = None if dataset is None else (tuple(dataset[0]), tuple(dataset[1]))
    return _run_checked(project, sparql, substitutions, timeout=timeout, limit=limit, store=store,
                        include_confidential=include_confidential, allow_service=allow_service,
                        dataset=given)


def _run_checked(project: Project, sparql: str, substitutions: dict[str, Any], *,
                 timeout: float | None, limit: int | None,
                 store: ox.Store | None, include_confidential: bool = False,
                 allow_service: bool = False,
                 dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> QueryResult:
    if timeout is not None and not timeout > 0:
        raise UsageError(f"the time limit must be a positive number of seconds, not {timeout}")
    if limit is not None and limit < 0:
        raise UsageError(f"the row limit must be 0 or more, not {limit}")
    # Confidential entries live in graphs under <graph base>private/: never queried unless asked.
    hidden = None if include_confidential else project.graph_base + "private/"
    if dataset is None:  # a protocol request's dataset replaces the query's own
        dataset = _query_dataset(sparql)
    if store is not None:
        try:
            raw = execute(store, sparql, substitutions, limit, hidden, dataset)
        except SyntaxError as exc:
            raise InputError(f"the SPARQL query does not parse: {exc}") from None
        except OSError as exc:
            raise StoreError(f"cannot read the store: {exc}") from None
    else:
        raw = _run_in_worker(project.store_path, sparql, substitutions, limit, timeout, hidden,
                             dataset, allow_network=allow_service)
    return QueryResult.from_raw(raw, limit=limit, prefix_map=prefixes(project))


def run_saved(project: Project, name_or_path: str | os.PathLike | SavedQuery,
              params: Mapping[str, Any] | None = None, *,
              timeout: float | None = DEFAULT_TIMEOUT, limit: int | None = DEFAULT_LIMIT,
              allow_service: bool = False, store: ox.Store | None = None,
              include_confidential: bool = False) -> QueryResult:
    """Run a saved query with parameters checked against its header.

    ``params`` are raw strings (from the command line) or Python values; a ``multiple``
    parameter takes a list. See :func:`run_query` for the other arguments and errors.

    Raises:
        UsageError: an unknown query or parameter, a missing required parameter, a malformed value.
    """
    saved = name_or_path if isinstance(name_or_path, SavedQuery) else find_query(
        project, name_or_path)
    _refuse_unknown_params(saved, params or {})  # before any look-up of a value
    params, warnings = resolve_iri_values(project, saved, params, store=store, timeout=timeout,
                                          include_confidential=include_confidential)
    single, multi = bind_params(saved, params)
    sparql, form = guard.checked(saved.text, allow_service)
    substitutions, by_values = _split_bindings(sparql, form, single)
    by_values.update(multi)
    if by_values:
        sparql = guard.checked(_insert_values(sparql, by_values), allow_service).text
    result = _run_checked(project, sparql, substitutions, timeout=timeout, limit=limit,
                          store=store, include_confidential=include_confidential,
                          allow_service=allow_service)
    result.warnings = warnings
    return result


@functools.lru_cache(maxsize=256)
def _query_dataset(sparql: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """:func:`hrgraph.guard.query_dataset`, remembered per text like the guard's verdict."""
    return guard.query_dataset(sparql)


def _split_bindings(sparql: str, form: str, single: dict[str, Any]
                    ) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Which single values pyoxigraph can substitute, and which need a VALUES block.

    pyoxigraph substitutes any variable of an ASK, CONSTRUCT or DESCRIBE query, but in a SELECT
    query only a variable that the query projects (``SELECT *`` projects every variable in scope);
    for the others it raises an error, so they are bound by a one-row VALUES block instead.
    """
    if not single or form != "SELECT":
        return dict(single), {}
    projected = _projected_variables(sparql)
    substitutions = {n: t for n, t in single.items() if n in projected}
    by_values = {n: [t] for n, t in single.items() if n not in projected}
    return substitutions, by_values


@functools.lru_cache(maxsize=256)
def _projected_variables(sparql: str) -> frozenset[str]:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    with guard.PARSER_LOCK:  # see there: the parser is not thread-safe
        algebra = translateQuery(parseQuery(sparql)).algebra  # already checked by the guard
    return frozenset(str(v) for v in (getattr(algebra, "PV", None) or []))
