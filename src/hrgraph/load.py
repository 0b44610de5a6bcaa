"""Parse RDF files into pyoxigraph quads, each in the named graph of its file.

The format comes from the file's suffix (:data:`hrgraph.project.RDF_SUFFIXES`). Every triple goes
into the file's named graph (:meth:`Project.graph_iri`). Quad formats (N-Quads, TriG, JSON-LD with
named graphs) keep a graph name of their own only if it is under the project's graph base (and is
not the ``inferred`` graph); anything else, including the default graph, goes into the file's graph.
So a triple's graph always tells which file it came from, unless the file says so explicitly.

Relative IRIs are an error (there is no base IRI): every IRI in the project is absolute.
Blank nodes get labels of their own per file (stable across builds), so ``_:b1`` in two files are
two different nodes.
Language tags come out lower case (pyoxigraph normalises them).

Before a parser sees a document, :mod:`hrgraph.guard` refuses what could reach the network or the
file system (remote JSON-LD contexts, external XML entities) or blow up (entity amplification).
RDF/XML is parsed once by expat under limits and pyoxigraph reads what that parse wrote out
(:func:`hrgraph.xmlinput.reserialise`), never the original bytes.

Every file is also held to what the outputs need (:func:`parse_file`): a leading UTF-8 byte-order
mark is dropped; a literal or IRI holding a character XML 1.0 cannot hold (U+0000-U+0008, U+000B,
U+000C, U+000E-U+001F, U+FFFE, U+FFFF, lone surrogates), written as such or as an escape, is
refused with its line, since every RDF/XML and SPARQL XML output would be unreadable; a symbolic
link inside the project to a file outside it is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from hrgraph import guard, xmlinput
from hrgraph.errors import InputError, StoreError
from hrgraph.project import RDF_SUFFIXES, Project

log = logging.getLogger(__name__)

#: Files larger than this are refused (bytes); pass ``max_bytes`` to change it.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024

#: How deep JSON-LD contexts may refer to further contexts when they are inlined.
MAX_CONTEXT_DEPTH = 8
#: Seconds to wait for a remote JSON-LD context (only with ``allow_remote``).
REMOTE_TIMEOUT = 10

#: pyoxigraph's parsers (not Store.bulk_load) give up on one token longer than this (bytes).
PARSER_TOKEN_LIMIT = 16 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"
#: Characters XML 1.0 cannot hold (lone surrogates included).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Bytes that may stand for such a character: the character itself, or an escape of Turtle,
#: N-Triples, SPARQL or JSON (``\u0000``, ``\U00000000``, ``\b``, ``\f``). Only a hint: the
#: parsed terms decide (:func:`_check_characters`).
_MAYBE_NOT_XML = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\\[bf]"
    rb"|\\u(?:00[01][0-9a-fA-F]|[fF]{3}[eEfF]|[dD][89a-fA-F][0-9a-fA-F]{2})"
    rb"|\\U0000(?:00[01][0-9a-fA-F]|[fF]{3}[eEfF]|[dD][89a-fA-F][0-9a-fA-F]{2})")
# The same, in three tests that are fast on large files (the expression above took 0.24 s on
# a file of 13 MB, 0.5 s on one of 44 MB with escapes; these 0.03 s): a byte deleted by
# translate, a non-character's first two bytes, an escape (a literal first byte: a fast search).
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NON_CHARACTER = re.compile(rb"\xef\xbf[\xbe\xbf]")
_ESCAPE = re.compile(
    rb"\\(?:[bf]|u(?:00[01][0-9a-fA-F]|[fF]{3}[eEfF]|[dD][89a-fA-F][0-9a-fA-F]{2})"
    rb"|U0000(?:00[01][0-9a-fA-F]|[fF]{3}[eEfF]|[dD][89a-fA-F][0-9a-fA-F]{2}))")


def _maybe_not_xml(data: bytes) -> bool:
    """Whether :data:`_MAYBE_NOT_XML` matches somewhere in ``data``."""
    return (len(data.translate(None, _CONTROL_BYTES)) != len(data)
            or (b"\xef\xbf" in data and _NON_CHARACTER.search(data) is not None)
            or (b"\\" in data and _ESCAPE.search(data) is not None))


_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def rdf_format(path: str | os.PathLike) -> ox.RdfFormat:
    """The pyoxigraph format of a file, from its suffix.

    Raises:
        InputError: for a suffix hrgraph does not load.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in RDF_SUFFIXES:
        known = ", ".join(sorted(RDF_SUFFIXES))
        raise InputError(f"unknown RDF format {suffix or '(no suffix)'!r}: use one of {known}",
                         path=str(path))
    return _FORMATS[RDF_SUFFIXES[suffix]]


def graph_for(project: Project, path: str | os.PathLike) -> str:
    """The named graph a file is loaded into.

    A project file's graph is :meth:`Project.graph_iri`; a file outside the project (e.g. one given
    to ``hrgraph validate``) goes into a graph named by its ``file:`` URI.
    """
    resolved = Path(path).resolve()
    if resolved.is_relative_to(project.root):
        return project.graph_iri(resolved)
    return resolved.as_uri()


def parse_file(project: Project, path: str | os.PathLike, *, graph: str | None = None,
               allow_remote: bool = False, max_bytes: int | None = None) -> list[ox.Quad]:
    """Parse one RDF file into quads in its named graph.

    Args:
        project: the project (for graph names and the contexts it ships).
        path: the file; its suffix decides the format.
        graph: the named graph to load into; default :func:`graph_for`.
        allow_remote: let JSON-LD name contexts by URL or path (they are then fetched).
        max_bytes: refuse larger files (before reading them); default :func:`max_bytes_of`.

    A leading UTF-8 byte-order mark is dropped. Symbolic links: a file inside the project that is a
    link (or lies in a linked folder) is read when it resolves to a place inside the project, and
    refused when it resolves outside it (a link must not make a project read what is not part of
    it); a file given from outside the project is read wherever it is.

    Raises:
        InputError: the file is missing, too big, empty, of an unknown format, malformed (with line
            and column when the parser gives them), refused by :mod:`hrgraph.guard` or
            :func:`hrgraph.xmlinput.reserialise`, a link out of the project, holding a character
            XML cannot hold, or holding one token longer than pyoxigraph's parsers take
            (:data:`PARSER_TOKEN_LIMIT`; Turtle and N-Triples without blank nodes still load).
        StoreError: a remote context could not be fetched (only with ``allow_remote``).
    """
    path = Path(path)
    shown = _display(project, path)
    fmt = rdf_format(path)
    check_link(project, path)
    data = _read(path, shown=shown, max_bytes=max_bytes_of(project) if max_bytes is None
                 else max_bytes)
    original = data
    target = ox.NamedNode(graph or graph_for(project, path))

    # Without allow_remote, Python code may not reach the network or read other files meanwhile
    # (a second line of defence behind the guard; it cannot see pyoxigraph's own I/O).
    sandbox = (contextlib.nullcontext() if allow_remote
               else guard.no_network([path, path.resolve(), project.ontology_dir,
                                     project.ontology_dir.resolve()]))
    rewritten = False
    with sandbox:
        if fmt == ox.RdfFormat.JSON_LD:
            document = guard.parse_json(data, path=shown)
            local = guard.local_contexts(project)
            guard.check_jsonld(document, path=shown, allowed=set(local), allow_remote=allow_remote)
            inlined = _inline_contexts(document, base=path.resolve().as_uri(), local=local,
                                       allow_remote=allow_remote, shown=shown)
            if inlined is not document:
                data, rewritten = json.dumps(inlined).encode(), True
        elif fmt == ox.RdfFormat.RDF_XML:
            # pyoxigraph reads what expat's checked parse wrote out (start tags on their lines).
            data = xmlinput.reserialise(data, path=shown)

        try:
            place = _Placing(target, project)
            quads = [place(q) for q in ox.parse(input=data, format=fmt)]
        except SyntaxError as exc:
            raise _syntax_error(exc, original, shown=shown, fmt=fmt,
                                exact_lines=not rewritten) from None
        except ValueError as exc:  # e.g. an unsupported feature of a format
            raise InputError(guard.shorten(str(exc), 200), path=shown) from None
        except MemoryError as exc:  # one token over the parser's buffer
            place = _Placing(target, project)
            quads = [place(q) for q in _parse_large(data, fmt, exc, shown=shown)]
    if not quads:
        raise InputError("file has no triples", path=shown)
    if _maybe_not_xml(original):
        _check_characters(quads, original, shown=shown)
    log.debug("parsed %s: %d triples", shown, len(quads))
    return quads


def bulk_format(path: str | os.PathLike, data: bytes) -> ox.RdfFormat | None:
    """The format, when pyoxigraph may load ``data`` into a store by itself (``bulk_load``,
    without a Python object per triple): N-Triples and Turtle, whose triples all go into the
    file's graph, with no blank node (a blank node gets a per-file label from
    :func:`parse_file`). The test is coarse: text that merely looks like a blank node takes the
    ordinary path, which gives the same triples."""
    fmt = rdf_format(path)
    if _maybe_not_xml(data):  # parse_file checks the characters of every term
        return None
    if fmt == ox.RdfFormat.N_TRIPLES and b"_:" not in data:
        return fmt
    if fmt == ox.RdfFormat.TURTLE and not _has_blank_nodes(data):
        return fmt
    return None


def _has_blank_nodes(data: bytes) -> bool:
    """Whether Turtle text may hold a blank node (coarse: text that merely looks like one too)."""
    return any(mark in data for mark in (b"_:", b"[", b"("))


def bulk_load(project: Project, store: ox.Store, path: str | os.PathLike, data: bytes,
              fmt: ox.RdfFormat, *, graph: str | ox.DefaultGraph) -> None:
    """Load a file that :func:`bulk_format` accepts into ``store`` (into ``graph``).

    Raises:
        InputError: the file is malformed (with line and column), as :func:`parse_file` says.
    """
    target = graph if isinstance(graph, ox.DefaultGraph) else ox.NamedNode(graph)
    shown = _display(project, Path(path))
    if _maybe_not_xml(data):  # bulk_format sends such files to parse_file
        _check_characters(list(ox.parse(data, format=fmt)), data, shown=shown)
    try:
        store.bulk_load(input=data, format=fmt, to_graph=target)
    except SyntaxError as exc:
        raise _syntax_error(exc, data, shown=shown, fmt=fmt, exact_lines=True) from None
    except ValueError as exc:
        raise InputError(guard.shorten(str(exc), 200), path=shown) from None
    except MemoryError as exc:
        raise _too_long(exc, data, shown=shown) from None


def read_limited(project: Project, path: str | os.PathLike) -> bytes:
    """A file's bytes, refused (InputError) when missing, empty, over the size limit or a link out
    of the project (as :func:`parse_file` says); a leading UTF-8 byte-order mark is dropped."""
    path = Path(path)
    check_link(project, path)
    return _read(path, shown=_display(project, path), max_bytes=max_bytes_of(project))


def max_bytes_of(project: Project) -> int:
    """The size limit for one RDF file: ``hrgraph.toml`` ``[load] max_bytes``, else
    :data:`DEFAULT_MAX_BYTES`."""
    value = project.settings.get("load", {}).get("max_bytes", DEFAULT_MAX_BYTES)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InputError(f"[load] max_bytes must be a positive whole number, not {value!r}",
                         path="hrgraph.toml")
    return value


def is_context_document(path: str | os.PathLike) -> bool:
    """Whether a JSON-LD file is only a context (``{"@context": …}``), which holds no triples.

    Such files (e.g. ``ontology/context.jsonld``) are shipped for others to use, not loaded.
    """
    path = Path(path)
    if rdf_format(path) != ox.RdfFormat.JSON_LD:
        return False
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and set(document) == {"@context"}


def _read(path: Path, *, shown: str, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError("is a directory, not an RDF file", path=shown)
        if size > max_bytes:
            raise InputError(f"file is {size:,} bytes, more than the limit of {max_bytes:,}",
                             path=shown)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=shown) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=shown) from None
    if data.startswith(_BOM):  # editors on Windows write one; it is not part of the text
        data = data[len(_BOM):]
    if not data.strip():
        raise InputError("file has no triples", path=shown)
    return data


def check_link(project: Project, path: str | os.PathLike) -> None:
    """Refuse (InputError naming the file) a file that is inside the project by its path but
    outside it once symbolic links are followed; see :func:`parse_file`. Links that stay inside
    the project are followed."""
    absolute = Path(os.path.abspath(path))
    if not absolute.is_relative_to(project.root):
        return
    resolved = absolute.resolve()
    if not resolved.is_relative_to(project.root):
        raise InputError("refused: a symbolic link to a file outside the project; copy the file "
                         "into the project instead", path=absolute.relative_to(project.root)
                         .as_posix())


def _parse_large(data: bytes, fmt: ox.RdfFormat, exc: MemoryError, *,
                 shown: str) -> list[ox.Quad]:
    """The quads of a file holding a token longer than pyoxigraph's parsers take.

    Store.bulk_load has no such limit. It gives blank nodes labels of its own and loses the
    order of the file, so only files without blank nodes (N-Triples, N-Quads, Turtle, TriG) are
    read this way: their quads are the same; others are refused (:func:`_too_long`).
    """
    text_formats = {ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE,
                    ox.RdfFormat.TRIG}
    if fmt not in text_formats or _has_blank_nodes(data):
        raise _too_long(exc, data, shown=shown) from None
    store = ox.Store()
    try:
        store.bulk_load(input=data, format=fmt)
    except SyntaxError as error:
        raise _syntax_error(error, data, shown=shown, fmt=fmt, exact_lines=True) from None
    except (ValueError, MemoryError):
        raise _too_long(exc, data, shown=shown) from None
    return list(store)


def _too_long(exc: MemoryError, data: bytes, *, shown: str) -> InputError:
    """The error for a MemoryError from pyoxigraph's parser: which line, what to do."""
    if "buffer maximal size" not in str(exc):
        return InputError("refused: not enough memory to parse the file", path=shown)
    line = next((number for number, text in enumerate(data.split(b"\n"), start=1)
                 if len(text) > PARSER_TOKEN_LIMIT), None)
    return InputError(
        f"refused: a single token (a literal, IRI or string) longer than pyoxigraph's parser "
        f"takes ({PARSER_TOKEN_LIMIT:,} bytes); split the text, or keep it in a file of its "
        "own and link to it", path=shown, line=line)


def _check_characters(quads: list[ox.Quad], data: bytes, *, shown: str) -> None:
    """Refuse a literal or IRI holding a character XML 1.0 cannot hold, naming the line where it
    (or its escape) is first written, the subject and the character."""
    for quad in quads:
        for term, where in ((quad.subject, "the subject"), (quad.predicate, "a predicate"),
                            (quad.object, "a value"), (quad.graph_name, "a graph name")):
            bad = _bad_character(term)
            if bad is None:
                continue
            subject = quad.subject
            name = (f"<{guard.shorten(subject.value, 80)}>" if isinstance(subject, ox.NamedNode)
                    else "a blank node")
            raise InputError(
                f"refused: U+{ord(bad):04X}, a character XML cannot hold, in {where} of {name}; "
                "remove it (every RDF/XML output of it would be unreadable)", path=shown,
                line=_line_of(bad, data))


def _bad_character(term: object) -> str | None:
    if isinstance(term, ox.Literal):
        for text in (term.value, term.datatype.value, term.language or ""):
            found = _NOT_XML.search(text)
            if found:
                return found.group()
        return None
    if isinstance(term, ox.Triple):
        for inner in (term.subject, term.predicate, term.object):
            found = _bad_character(inner)
            if found:
                return found
        return None
    value = getattr(term, "value", None)
    if isinstance(value, str):
        found = _NOT_XML.search(value)
        return found.group() if found else None
    return None


def _line_of(character: str, data: bytes) -> int | None:
    """The first line of ``data`` where ``character`` is written, as itself or as an escape."""
    code = ord(character)
    forms = [re.escape(character.encode("utf-8", "surrogatepass")),
             rb"(?<!\\)(?:\\\\)*\\u" + f"{code:04x}".encode(),
             rb"(?<!\\)(?:\\\\)*\\U" + f"{code:08x}".encode()]
    if character in "\b\f":
        forms.append(rb"(?<!\\)(?:\\\\)*\\" + {"\b": b"b", "\f": b"f"}[character])
    found = re.search(b"|".join(forms), data, flags=re.IGNORECASE)
    return data.count(b"\n", 0, found.start()) + 1 if found else None


class _Placing:
    """Puts a parsed quad into its place: the file's graph (``target``) unless it names a project
    graph of its own, its blank nodes with labels of the file's own, the same in every build.

    Labels are a hash of the file's graph and a counter in order of appearance, so ``_:b1`` in two
    files are two nodes, and rebuilding unchanged files gives an identical store. One new quad per
    parsed one (at 1M, two of them made parsing a changed file of 95,000 triples take 1.1 s).
    """

    def __init__(self, target: ox.NamedNode, project: Project) -> None:
        self.target = target
        self.graph_base, self.inferred = project.graph_base, project.inferred_graph
        self.prefix = "b" + hashlib.sha1(target.value.encode()).hexdigest()[:8] + "x"
        self.labels: dict[str, ox.BlankNode] = {}

    def node(self, term: ox.BlankNode) -> ox.BlankNode:
        label = self.labels.get(term.value)
        if label is None:
            label = self.labels[term.value] = ox.BlankNode(f"{self.prefix}{len(self.labels)}")
        return label

    def __call__(self, quad: ox.Quad) -> ox.Quad:
        subject, obj, graph = quad.subject, quad.object, quad.graph_name
        if isinstance(subject, ox.BlankNode):
            subject = self.node(subject)
        if isinstance(obj, ox.BlankNode):
            obj = self.node(obj)
        if not (isinstance(graph, ox.NamedNode) and graph.value.startswith(self.graph_base)
                and graph.value != self.inferred):
            graph = self.target  # the default graph, or a graph not of the project
        return ox.Quad(subject, quad.predicate, obj, graph)


def _syntax_error(exc: SyntaxError, data: bytes, *, shown: str, fmt: ox.RdfFormat,
                  exact_lines: bool) -> InputError:
    """One-line InputError from a pyoxigraph SyntaxError, with line, column and a short excerpt."""
    message = " ".join(str(exc.msg if exc.msg else exc).split())
    line, column = exc.lineno, exc.offset
    if message.startswith("Parser error at line") and ": " in message:
        message = message.split(": ", 1)[1]
    if not exact_lines:
        line = column = None
    excerpt = ""
    if line is not None:
        lines = data.splitlines()
        if 0 < line <= len(lines):
            text = lines[line - 1].decode("utf-8", errors="replace").strip()
            if text:
                excerpt = f" (near {guard.shorten(text, 40)!r})"
    return InputError(f"syntax error: {guard.shorten(message, 200)}{excerpt}", path=shown,
                      line=line, column=column)


def _display(project: Project, path: Path) -> str:
    """The path as a user knows it: relative to the project when inside it."""
    resolved = path.resolve()
    if resolved.is_relative_to(project.root):
        return resolved.relative_to(project.root).as_posix()
    return str(path)


# --- JSON-LD contexts ---------------------------------------------------------------------------


def _inline_contexts(document: Any, *, base: str, local: dict[str, Path], allow_remote: bool,
                     shown: str, depth: int = 0) -> Any:
    """The document with every context given by IRI replaced by that context's content.

    Returns the very same object when nothing had to be replaced. Contexts shipped with the project
    are read from ``ontology/``; others are fetched only with ``allow_remote`` (the guard has
    refused them otherwise).
    """
    walk = {"base": base, "local": local, "allow_remote": allow_remote, "shown": shown}
    if isinstance(document, list):
        items = [_inline_contexts(d, **walk, depth=depth) for d in document]
        return document if _same(items, document) else items
    if not isinstance(document, dict):
        return document
    result = {}
    for key, value in document.items():
        if key == "@context":
            result[key] = _resolve_context(value, **walk, depth=depth)
        else:
            result[key] = _inline_contexts(value, **walk, depth=depth)
    return document if _same(list(result.values()), list(document.values())) else result


def _resolve_context(context: Any, *, base: str, local: dict[str, Path], allow_remote: bool,
                     shown: str, depth: int) -> Any:
    """A ``@context`` value with references replaced by what they refer to."""
    if depth > MAX_CONTEXT_DEPTH:
        raise InputError(f"JSON-LD contexts refer to each other more than {MAX_CONTEXT_DEPTH} "
                         "levels deep", path=shown)
    walk = {"base": base, "local": local, "allow_remote": allow_remote, "shown": shown}
    if isinstance(context, str):
        return _context_document(context, **walk, depth=depth)
    if isinstance(context, list):
        items = [_resolve_context(c, **walk, depth=depth) for c in context]
        return context if _same(items, context) else items
    if isinstance(context, dict):
        changed = _inline_contexts(context, **walk, depth=depth)  # scoped contexts in terms
        imported = changed.get("@import")
        if isinstance(imported, str):
            content = _context_document(imported, **walk, depth=depth)
            if not isinstance(content, dict):
                raise InputError(f"@import {imported!r} is not a single context", path=shown)
            rest = {k: v for k, v in changed.items() if k != "@import"}
            return {**content, **rest}
        return changed
    return context


def _context_document(reference: str, *, base: str, local: dict[str, Path], allow_remote: bool,
                      shown: str, depth: int) -> Any:
    """The (inlined) ``@context`` of the context document that ``reference`` names."""
    if reference in local:
        source = local[reference]
        content = guard.parse_json(source.read_bytes(), path=str(source))
        iri = source.resolve().as_uri()
    elif allow_remote:
        iri = urllib.parse.urljoin(base, reference)
        content = guard.parse_json(_fetch(iri, shown=shown), path=iri)
    else:  # pragma: no cover - the guard refuses these first
        raise InputError(f"refused to load the JSON-LD context {reference!r}", path=shown)
    if not isinstance(content, dict) or "@context" not in content:
        raise InputError(f"{reference!r} is not a JSON-LD context document", path=shown)
    return _resolve_context(content["@context"], base=iri, local=local,
                            allow_remote=allow_remote, shown=shown, depth=depth + 1)


def _same(new: list, old: list) -> bool:
    return all(a is b for a, b in zip(new, old, strict=True))


def _fetch(iri: str, *, shown: str) -> bytes:
    """Fetch a JSON-LD context (``http(s):`` or ``file:``); only reached with ``allow_remote``."""
    scheme = urllib.parse.urlsplit(iri).scheme
    if scheme not in ("http", "https", "file"):
        raise InputError(f"cannot fetch the JSON-LD context {iri!r}: unsupported scheme",
                         path=shown)
    request = urllib.request.Request(iri, headers={"Accept": "application/ld+json"})
    try:
        with urllib.request.urlopen(request, timeout=REMOTE_TIMEOUT) as response:
            return response.read(DEFAULT_MAX_BYTES)
    except (urllib.error.URLError, OSError) as exc:
        raise StoreError(f"cannot fetch the JSON-LD context {iri!r}: {exc}", path=shown) from None
