"""Guards: refuse input that would make hrgraph reach the network or the file system on its own.

Input guards (this section) look at a document *before* any parser sees it:

* JSON-LD: a ``@context`` or ``@import`` given as a string (a remote URL, a ``file:`` URL, a bare
  path) anywhere in the document is refused unless ``allow_remote=True``. Contexts shipped with the
  project (``ontology/*.jsonld``, see :func:`local_contexts`) are always allowed; the loader inlines
  them, so nothing is fetched.
* RDF/XML is not checked here but parsed once, by expat under the limits below, and pyoxigraph
  reads what that parse wrote out (:func:`hrgraph.xmlinput.reserialise`): a DOCTYPE with an
  external identifier (``SYSTEM``/``PUBLIC``), external or parameter entities, or entity
  amplification ("billion laughs", which aborts the whole process in pyoxigraph) is refused there.
  Ordinary internal entities such as ``<!ENTITY owl "http://www.w3.org/2002/07/owl#">`` are fine.
* Nesting: JSON more than ``MAX_NESTING`` levels deep (pyoxigraph's JSON-LD parser overflows its
  stack and kills the process at about 10 000 levels) is refused, and so (in
  :mod:`hrgraph.xmlinput`) are RDF/XML elements nested more than ``MAX_NESTING`` deep
  (pyoxigraph's RDF/XML parser takes time quadratic in the depth: 30 000 levels, 1.5 MB, take
  50 s).
* JSON objects with a duplicated key are refused (:func:`parse_json`), so no two readers of a
  document can see different ``@context`` values.
* :func:`no_network` is a second line of defence while untrusted input is parsed: an audit hook
  refuses sockets and opening files outside the allowed places, for Python code only (pyoxigraph's
  own I/O in Rust raises no audit events; the checks above are what keeps it from fetching).

Importing this module (the package imports it) also switches off rdflib's habit of fetching graphs
named in a SPARQL ``FROM`` clause (``rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS``).

The query guard (``check_query``) lives in the second section of this file.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import rdflib.plugins.sparql

from hrgraph.errors import InputError

if TYPE_CHECKING:
    from hrgraph.project import Project

# rdflib would otherwise load any IRI named in FROM / FROM NAMED over the network.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

# ---------------------------------------------------------------------------------------------
# Input guards (JSON-LD, RDF/XML)
# ---------------------------------------------------------------------------------------------

#: The IRI under which the project's own JSON-LD contexts are published, by file name.
CONTEXT_BASE = "https://w3id.org/hrgraph/"

#: Limits for entities in an RDF/XML DOCTYPE (enforced by :func:`hrgraph.xmlinput.reserialise`).
MAX_ENTITY_DECLARATIONS = 100
MAX_ENTITY_NESTING = 2
MAX_ENTITY_EXPANSION = 1_000_000  # characters produced by expanding every reference in the file
#: How deep JSON values and XML elements may nest.
MAX_NESTING = 100


def local_contexts(project: Project) -> dict[str, Path]:
    """The JSON-LD contexts shipped with the project, by the IRI they are published under.

    Every ``ontology/*.jsonld`` file ``F`` is available as ``https://w3id.org/hrgraph/F``, e.g.
    ``https://w3id.org/hrgraph/context.jsonld`` → ``ontology/context.jsonld``.
    """
    if not project.ontology_dir.is_dir():
        return {}
    return {CONTEXT_BASE + p.name: p for p in sorted(project.ontology_dir.glob("*.jsonld"))}


def remote_references(document: Any) -> Iterator[str]:
    """Every string value of ``@context`` or ``@import`` anywhere in a parsed JSON-LD document."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import"):
                    values = value if isinstance(value, list) else [value]
                    yield from (v for v in values if isinstance(v, str))
                stack.append(value)


def check_jsonld(document: Any, *, path: str, allowed: set[str] | frozenset[str] = frozenset(),
                 allow_remote: bool = False) -> None:
    """Refuse a parsed JSON-LD ``document`` that names a context by URL or path.

    ``allowed`` are context IRIs that are shipped with the project and so never fetched.

    Raises:
        InputError: naming the first refused reference and how to allow it.
    """
    if allow_remote:
        return
    for reference in remote_references(document):
        if reference not in allowed:
            raise InputError(
                f"refused to load the JSON-LD context {shorten(reference)!r}: hrgraph does not "
                "fetch remote or local contexts while loading; inline the context, use one "
                "shipped in ontology/, or pass --allow-remote",
                path=path,
            )


def parse_json(data: bytes, *, path: str) -> Any:
    """Parse JSON text, turning a syntax error into an :class:`InputError` with line and column.

    Refuses JSON nested more than :data:`MAX_NESTING` levels deep (see :func:`check_json_depth`),
    and any object with a key written twice: JSON-LD forbids it, and readers differ on which value
    counts (Python's keeps the last), so a guard and a parser could read different ``@context``s.
    """

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        document = dict(pairs)
        if len(document) < len(pairs):
            seen: set[str] = set()
            twice = next(key for key, _ in pairs if key in seen or seen.add(key))
            raise InputError(f"refused: the key {shorten(twice)!r} appears twice in one JSON "
                             "object (JSON-LD forbids duplicate keys)", path=path)
        return document

    try:
        document = json.loads(data, object_pairs_hook=unique)
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not UTF-8 text ({exc.reason})", path=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON syntax error: {exc.msg}", path=path, line=exc.lineno,
                         column=exc.colno) from None
    except RecursionError:  # Python's JSON parser gives up at about 1000 levels
        raise _too_deep("JSON", path) from None
    check_json_depth(document, path=path)
    return document


def check_json_depth(document: Any, *, path: str, limit: int = MAX_NESTING) -> None:
    """Refuse a parsed JSON value whose objects and arrays nest more than ``limit`` deep."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Iterable[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            raise _too_deep("JSON", path)
        stack.extend((child, depth + 1) for child in children)


def _too_deep(kind: str, path: str) -> InputError:
    return InputError(f"refused: {kind} nested more than {MAX_NESTING} levels deep; hrgraph does "
                      "not parse deeper structures (they can exhaust the parser)", path=path)


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters, so that messages never echo much of a file.

    (Control characters are escaped when an error is shown: :func:`hrgraph.errors.printable`.)
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# no_network(): an audit hook while untrusted input is parsed
# ---------------------------------------------------------------------------------------------

_NETWORK_EVENTS = frozenset({
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
    "socket.sendto", "socket.sendmsg", "urllib.Request", "ftplib.connect", "http.client.connect",
})
#: The places files may be opened from inside :func:`no_network`, or ``None`` outside it.
_ALLOWED_FILES: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "hrgraph_no_network", default=None)
_hook_installed = False


class NetworkRefused(InputError):
    """Python code tried to reach the network, or a file, while untrusted input was parsed."""


def _audit(event: str, args: tuple) -> None:
    allowed = _ALLOWED_FILES.get()
    if allowed is None:
        return
    if event in _NETWORK_EVENTS:
        raise NetworkRefused(f"refused: a network access ({event}) while reading untrusted input")
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        name = os.path.abspath(os.fsdecode(args[0]))
        if not any(name == root or name.startswith(root.rstrip(os.sep) + os.sep)
                   for root in allowed):
            raise NetworkRefused("refused: opening a file that was not named while reading "
                                 "untrusted input", path=shorten(name))


@contextlib.contextmanager
def no_network(allowed: Iterable[str | os.PathLike] = ()) -> Iterator[None]:
    """While inside, Python code in this thread (or task) may not open sockets or resolve names,
    nor open files outside ``allowed`` (files or folders) and the folders of ``sys.path`` (for
    imports): such an attempt raises :class:`NetworkRefused`.

    A second line of defence around parsers of untrusted input (:func:`hrgraph.load.parse_file`
    uses it). It sees Python code only: pyoxigraph's Rust I/O, and any C library that does its own
    I/O, raise no audit events. The audit hook is installed on first use and stays (audit hooks
    cannot be removed); outside this context it returns at once.
    """
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    roots = {os.path.abspath(os.fsdecode(p)) for p in allowed}
    roots.update(os.path.abspath(p) for p in sys.path if p)  # the standard library, site-packages
    token = _ALLOWED_FILES.set(tuple(sorted(roots)))
    try:
        yield
    finally:
        _ALLOWED_FILES.reset(token)


# ---------------------------------------------------------------------------------------------
# Query guard (SERVICE, FROM / FROM NAMED, LOAD) — owned by the query side, added below.
# ---------------------------------------------------------------------------------------------
#
# Every query hrgraph runs for a user is read-only and stays inside the store. A SPARQL ``SERVICE``
# clause makes the engine send an HTTP request, so queries are parsed first with rdflib's parser
# and refused when any part of them (sub-query, OPTIONAL, UNION, MINUS, FILTER EXISTS, ...) is a
# SERVICE pattern, and updates are refused outright. ``FROM`` / ``FROM NAMED`` are allowed:
# pyoxigraph reads them as names of graphs in the store and fetches nothing (and rdflib's loading
# is switched off above). Where private graphs must stay hidden, the dataset that runs is not
# left to the engine's reading of the text: it is the one the guard read (:func:`query_dataset`),
# or the protocol request's (:func:`protocol_dataset`, which replaces it), or the public graphs,
# passed to ``Store.query`` explicitly without the private ones (:mod:`hrgraph._query_worker`).
#
# The guard must judge the text the engine runs, read the way the engine reads it. rdflib and
# pyoxigraph read some texts differently, and each difference is a way to hide a SERVICE from the
# guard, so :func:`query_text` first makes the text one that both necessarily read alike, and
# that text, not the one given, is what runs:
#
# * Line ends: a bare CR ends a comment for pyoxigraph (SPARQL 1.1 and 1.2) but not for rdflib,
#   whose comments run to LF. CR LF and bare CR become LF.
# * ``\uXXXX`` / ``\UXXXXXXXX``: rdflib expands them across the whole text before parsing
#   (SPARQL 1.1, section 19.2, greedily taking 8 hex digits after ``\u`` where there are 8);
#   pyoxigraph, like SPARQL 1.2, only inside strings and IRIs. An escape is therefore refused
#   unless it stands for a character that no part of the grammar gives a meaning to: not ASCII
#   (every delimiter, quote, bracket, ``#`` and ``\\`` is ASCII), not a control, format, space or
#   line-separator character, not a surrogate. Expanding such a character inside a string or IRI
#   changes nothing for either parser; outside them pyoxigraph rejects the backslash. Escapes are
#   found where rdflib finds them (after any backslash, even an escaped one), read both ways.
# * Characters with no business in a query text (C0 and C1 controls other than tab and LF, U+2028,
#   U+2029, a byte-order mark after the first character) are refused: parsers differ on whether
#   they end a line or separate tokens. A leading byte-order mark is dropped.
#
# This is the first line. The second holds without it: the worker process that runs queries
# cannot open a network socket at all unless SERVICE is allowed (:mod:`hrgraph._query_worker`).

_SERVICE_NODES = frozenset({"ServiceGraphPattern"})

#: Every place rdflib expands an escape (``expandUnicodeEscapes_re``: ``\u`` or ``\U``, either
#: case, 4 or 8 hex digits), and pyoxigraph's reading (``\U`` takes 8 digits, ``\u`` 4).
_ESCAPE = re.compile(r"\\[uU](?P<hex>[0-9A-Fa-f]{4}(?:[0-9A-Fa-f]{4})?)")
#: Raw characters refused anywhere in a query (tab and LF are the only controls allowed).
_FORBIDDEN_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufff9-\ufffb]")
#: Unicode categories an escape may not stand for: controls, format characters, surrogates,
#: private use, unassigned; space, line and paragraph separators.
_NOT_ESCAPABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


class CheckedQuery(NamedTuple):
    """A query the guard accepted: ``text`` is what must be run (see :func:`query_text`)."""

    text: str
    form: str  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"


def query_text(sparql: str) -> str:
    """The text of ``sparql`` that rdflib and pyoxigraph read alike, or an :class:`InputError`.

    CR LF and bare CR become LF and a leading byte-order mark is dropped; escapes and characters
    on which the two parsers could disagree are refused with their line and column (see the
    comment above this function for why each rule is needed).
    """
    text = sparql.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    raw = _FORBIDDEN_RAW.search(text)
    if raw is not None:
        raise InputError(f"refused: the query holds the character U+{ord(raw.group()):04X}, which "
                         "SPARQL parsers read differently; remove it or write it as an escape "
                         "inside a string", **_position(text, raw.start()))
    for escape in _ESCAPE.finditer(text):
        digits = escape.group("hex")
        readings = {digits[:4]} if escape.group()[1] == "u" else set()
        readings.add(digits)  # rdflib's greedy reading; pyoxigraph's for \U
        for reading in readings:
            if len(reading) == 8 and escape.group()[1] == "u":
                # rdflib only: an 8-digit \u reading starts 00..0010, so its 4-digit reading
                # (pyoxigraph's) is a control character and refused below.
                continue
            code = int(reading, 16)
            if not _escapable(code):
                shown = escape.group()[: 2 + len(reading)]
                raise InputError(
                    f"refused: the escape {shown} in the query stands for a character that SPARQL "
                    "parsers read differently (ASCII, a control, a space or an invalid code "
                    "point); write the character itself",
                    **_position(text, escape.start()))
        if escape.group()[1] == "U" and len(digits) != 8:
            raise InputError(f"refused: the escape {escape.group()} needs 8 hex digits",
                             **_position(text, escape.start()))
    return text


def _escapable(code: int) -> bool:
    if code < 0x80 or code > 0x10FFFF:
        return False
    return unicodedata.category(chr(code)) not in _NOT_ESCAPABLE


def _position(text: str, offset: int) -> dict[str, int]:
    line = text.count("\n", 0, offset) + 1
    return {"line": line, "column": offset - (text.rfind("\n", 0, offset) + 1) + 1}


def checked(sparql: str, allow_service: bool = False) -> CheckedQuery:
    """Refuse a SPARQL text that is not a plain read-only query; else the text to run.

    Refused: text on which rdflib and pyoxigraph could disagree (:func:`query_text`); text that
    does not parse as a SPARQL 1.1 query; any update (``LOAD``, ``INSERT``, ``DELETE``, ``DROP``,
    ``CLEAR``, ``CREATE``, ``ADD``, ``MOVE``, ``COPY``); and, unless ``allow_service``, any
    ``SERVICE`` clause, wherever it is nested.

    Returns:
        The accepted query: run ``.text``, never the text given.

    Raises:
        InputError: saying why, with line and column where there is one.
    """
    text = query_text(sparql)
    with PARSER_LOCK:
        # remembered per text (the verdict depends on nothing else): parsing with rdflib takes
        # 0.05-0.15 s, and a saved query's text is checked on every run; a refusal raises, and
        # lru_cache keeps no exceptions, so only accepted texts are remembered
        return CheckedQuery(text, _check_query(text, allow_service))


def check_query(sparql: str, allow_service: bool = False) -> str:
    """The query form of an accepted query (``"SELECT"``, ``"ASK"``, ``"CONSTRUCT"`` or
    ``"DESCRIBE"``); see :func:`checked`, whose ``.text`` is what must run."""
    return checked(sparql, allow_service).form


#: rdflib's SPARQL parser (pyparsing) is not thread-safe: pyparsing learns the arity of each parse
#: action on its first call, and two threads doing that at once break the parser for good
#: ("postParse2() missing 1 required positional argument" on every later query). The web server
#: parses in threads, so every parse goes through this lock.
PARSER_LOCK = threading.RLock()


@functools.lru_cache(maxsize=256)
def _check_query(sparql: str, allow_service: bool) -> str:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not sparql.strip():
        raise InputError("the SPARQL query is empty")
    try:
        parsed = parseQuery(sparql)
    except ParseBaseException as query_error:
        try:
            update = parseUpdate(sparql)
        except ParseBaseException:
            update = None
        if update is not None and update.request:
            operations = sorted({_update_name(op) for op in update.request})
            raise InputError(
                f"refused: this is a SPARQL update ({', '.join(operations)}); hrgraph only runs "
                "read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)") from None
        raise InputError(f"the SPARQL query does not parse: {_parse_message(query_error)}",
                         line=query_error.lineno, column=query_error.col) from None
    except Exception as exc:  # rdflib raises bare Exceptions for some malformed input
        raise InputError(f"the SPARQL query does not parse: {shorten(str(exc), 200)}") from None

    if not allow_service and _contains(parsed, _SERVICE_NODES):
        raise InputError("refused: the query uses SERVICE, which would send a request to another "
                         "server; hrgraph queries only its own store")
    try:
        translated = translateQuery(parsed)
    except Exception as exc:  # e.g. "Unknown namespace prefix", variable scope errors
        raise InputError(f"the SPARQL query is not valid: {shorten(str(exc), 200)}") from None
    if not allow_service and _contains(translated.algebra, _SERVICE_NODES):  # belt and braces
        raise InputError("refused: the query uses SERVICE, which would send a request to another "
                         "server; hrgraph queries only its own store")
    form = getattr(translated.algebra, "name", "")
    return form.removesuffix("Query").upper() or "SELECT"


def query_dataset(sparql: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The graphs a query names with ``FROM`` and ``FROM NAMED``, or None if it names none.

    Such a query reads those graphs of the store (never fetched from anywhere); a query without
    them reads the union of the store's graphs. A protocol request's dataset
    (:func:`protocol_dataset`) replaces them. Call after :func:`check_query`.
    """
    from rdflib.plugins.sparql.parser import parseQuery

    # rdflib's parse results answer .get() with the key itself when it is missing: use `in`.
    with PARSER_LOCK:
        query = parseQuery(sparql)[1]
    clauses = query["datasetClause"] if "datasetClause" in query else []  # noqa: SIM401
    if not clauses:
        return None
    default = tuple(str(c["default"]) for c in clauses if "default" in c)
    named = tuple(str(c["named"]) for c in clauses if "named" in c)
    return default, named


#: Graphs a protocol request may name (``default-graph-uri`` and ``named-graph-uri`` together).
MAX_DATASET_GRAPHS = 1000


def protocol_dataset(project: Project, default_graphs: Iterable[str],
                     named_graphs: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The RDF dataset a SPARQL Protocol request names with ``default-graph-uri`` and
    ``named-graph-uri``, checked; pass it to :func:`hrgraph.query.run_query` as ``dataset``.

    The SPARQL 1.1 Protocol (section 2.1.4): these parameters replace the query's ``FROM`` and
    ``FROM NAMED``; the default graph is the merge of the ``default-graph-uri`` graphs (none
    given: an empty default graph), ``GRAPH`` reaches the ``named-graph-uri`` graphs only (none
    given: no named graph). Graph IRIs name graphs of the store: one the store lacks is empty,
    and nothing is ever fetched from the network.

    Raises:
        InputError: a value is not an absolute IRI, or too many graphs are named (400); a graph
            is private, holding confidential data (``"refused: …"``, 403), whether or not it
            exists.
    """
    import pyoxigraph as ox

    chosen: list[tuple[str, ...]] = []
    for parameter, values in (("default-graph-uri", default_graphs),
                              ("named-graph-uri", named_graphs)):
        iris = tuple(dict.fromkeys(str(value) for value in values))  # first of each, in order
        for iri in iris:
            try:
                ox.NamedNode(iri)
            except ValueError as exc:
                raise InputError(f"{parameter} {shorten(iri)!r} is not an absolute IRI: "
                                 f"{exc}") from None
            if project.is_private(iri):
                raise InputError(f"refused: {parameter} names a private graph ({shorten(iri)}): "
                                 "confidential data is never queried here")
        chosen.append(iris)
    if sum(map(len, chosen)) > MAX_DATASET_GRAPHS:
        raise InputError(f"the request names more than {MAX_DATASET_GRAPHS} graphs")
    return chosen[0], chosen[1]


def _contains(node: Any, names: frozenset[str]) -> bool:
    """Whether any part of a parsed query or its algebra is a node called one of ``names``."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            if item.name in names:
                return True
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset, ParseResults)):
            stack.extend(item)
    return False


def _update_name(operation: Any) -> str:
    name = getattr(operation, "name", "update")
    return {"InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE",
            "Modify": "INSERT/DELETE"}.get(name, name.upper())


def _parse_message(error: Any) -> str:
    line = (error.line or "").strip()
    near = f" near {shorten(line, 60)!r}" if line else ""
    return f"syntax error at line {error.lineno}, column {error.col}{near}"
