"""Where is a subject defined? File and line of the first statement about each IRI.

No RDF parser reports line numbers for the triples it produces, so this module reads the files
a second time with small scanners of its own:

Turtle, TriG, N-Triples, N-Quads (exact)
    A tokenizer that knows every token kind of these syntaxes: IRIs ``<...>`` (with ``\\u``
    escapes), prefixed names ``pfx:local`` (with ``\\.`` escapes and ``%hh``), blank node labels,
    strings in all four quote styles (including long ``\"\"\"`` strings that span lines and contain
    ``.`` or ``#``), numbers, language tags, comments and punctuation. It follows ``@prefix`` /
    ``PREFIX`` and ``@base`` / ``BASE`` (relative IRIs are resolved by pyoxigraph itself, so
    exactly as the loader resolves them) and notes the line of every token in *subject position*:
    the first token of a statement, i.e. at the start of the file, after a ``.`` outside brackets,
    and after a graph's ``{`` or ``}``. A TriG graph name (a term followed by ``{``) is not a
    subject. Objects and predicates are never counted, whatever they look like, and a subject
    written several times keeps its first line.

JSON-LD (good for hand-written files, documented limits)
    A small JSON scanner that keeps the line of every key. A node object with a string ``"@id"``
    and at least one property defines that IRI at the line of its ``"@id"`` key. ``"@id"``
    values are expanded with the document's *inline* ``@context`` objects: ``prefix:local`` where
    ``prefix`` maps to a string (or to ``{"@id": ...}``), and relative IRIs against ``@base``.
    Not handled: remote contexts (a prefix only they define leaves the IRI compact, so it is not
    found), keyword aliases (``"id": "@id"``), scoped contexts, and ``@id`` values made by
    ``@vocab``.

RDF/XML (good)
    An XML parser's own line numbers: the line of the start tag carrying ``rdf:about`` (or
    ``rdf:ID``), resolved against ``xml:base`` or the file's base.

Blank node subjects (``_:b``, ``[ ... ]``) have no name a user could look up, so they are not
located; callers should point at a named resource that refers to them instead.
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.sax
import xml.sax.handler
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph

__all__ = ["Location", "locate_subjects", "subject_index"]


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line number."""

    file: Path
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def locate_subjects(path: str | os.PathLike, *, base_iri: str | None = None,
                    text: str | None = None) -> dict[str, int]:
    """Map every IRI that is the subject of a statement in ``path`` to the line of its first one.

    ``base_iri`` resolves relative IRIs when the file has no ``@base`` of its own (pass what the
    loader passes). ``text`` may be given to avoid reading the file again. Files in a format
    this module does not know, and files that cannot be read, give an empty mapping: locating is
    a help for messages and must never make a command fail.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
        if suffix in {".nt", ".nq"}:
            return _locate_ntriples(text)
        if suffix in {".ttl", ".trig"}:
            return _locate_turtle(text, base_iri)
        if suffix in {".jsonld", ".json"}:
            return _locate_jsonld(text, base_iri)
        if suffix in {".rdf", ".owl", ".xml"}:
            return _locate_rdfxml(text, base_iri)
    except (OSError, UnicodeDecodeError, ValueError, xml.sax.SAXException):
        return {}
    return {}


def subject_index(paths: Iterable[str | os.PathLike], *,
                  base_iri: str | None = None) -> dict[str, Location]:
    """Locate the subjects of several files; an IRI defined in several files keeps the first."""
    index: dict[str, Location] = {}
    for path in paths:
        path = Path(path)
        for iri, line in locate_subjects(path, base_iri=base_iri).items():
            index.setdefault(iri, Location(path, line))
    return index


# --------------------------------------------------------------------------- Turtle family

# Characters allowed in prefixed names beyond ASCII letters/digits (PN_CHARS_BASE, simplified to
# "any non-ASCII letter-like code point": the files are parsed by a real parser first, so the
# scanner only has to split valid documents correctly, not to reject invalid ones).
_PN_CHAR = r"[\w\-\u00B7\u00C0-\U000EFFFF]"
_PN_LOCAL_CHAR = r"(?:[\w\-:%\u00B7\u00C0-\U000EFFFF]|\\[_~.\-!$&'()*+,;=/?#@%])"

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<qopen><<)
  | (?P<qclose>>>)
  | (?P<bnode>_:"""
    + _PN_LOCAL_CHAR + r"""(?:"""
    + _PN_LOCAL_CHAR + r"""|\.(?="""
    + _PN_LOCAL_CHAR + r"""))*)
  | (?P<pname>(?:[A-Za-z\u00C0-\U000EFFFF](?:"""
    + _PN_CHAR + r"""|\.(?="""
    + _PN_CHAR + r"""))*)?:(?:"""
    + _PN_LOCAL_CHAR + r"""(?:"""
    + _PN_LOCAL_CHAR + r"""|\.(?="""
    + _PN_LOCAL_CHAR + r"""))*)?)
  | (?P<number>[+-]?(?:\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+))
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<dtype>\^\^)
  | (?P<punct>[.;,\[\](){}])
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class _Tok:
    kind: str
    text: str
    line: int


def _tokens(text: str) -> Iterator[_Tok]:
    """The significant tokens of a Turtle-family document with the line each starts on."""
    line = 1
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group()
        if kind not in {"ws", "comment"}:
            yield _Tok(kind, value, line)
        line += value.count("\n")


_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def _unescape_iri(token: str) -> str:
    body = token[1:-1]
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), body)


@lru_cache(maxsize=4096)
def _resolve(iri: str, base: str | None) -> str:
    """Resolve ``iri`` against ``base`` exactly as pyoxigraph's parsers do."""
    if base is None:
        return iri
    try:
        quad = next(iter(pyoxigraph.parse(f"<{iri}> <urn:x:p> <urn:x:o> .",
                                          pyoxigraph.RdfFormat.TURTLE, base_iri=base)))
    except (SyntaxError, ValueError, StopIteration):
        return iri
    return quad.subject.value


def _locate_ntriples(text: str) -> dict[str, int]:
    """N-Triples and N-Quads: one statement per line, its subject first (a line scan is ten
    times faster than the tokenizer, which matters for generated files of a million lines)."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), 1):
        line = line.lstrip(" \t")
        if line.startswith("<") and not line.startswith("<<"):
            iri = line[1:line.find(">")]
            found.setdefault(_unescape_iri("<" + iri + ">") if "\\" in iri else iri, number)
    return found


def _locate_turtle(text: str, base_iri: str | None) -> dict[str, int]:
    found: dict[str, int] = {}
    prefixes: dict[str, str] = {}
    base = base_iri
    tokens = list(_tokens(text))
    at_start = True  # the next token is in subject position
    depth = 0  # nesting of [ ] ( ) << >> inside the current statement

    def expand(tok: _Tok) -> str | None:
        if tok.kind == "iri":
            return _resolve(_unescape_iri(tok.text), base)
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix not in prefixes:
                return None
            return prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
        return None

    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        i += 1
        if not at_start:
            if tok.text in {"[", "(", "<<"}:
                depth += 1
            elif tok.text in {"]", ")", ">>"}:
                depth = max(depth - 1, 0)
            elif depth == 0 and tok.text == ".":
                at_start = True
            elif depth == 0 and tok.text == "}":
                at_start = True  # TriG: the last triple of a graph may omit its "."
            continue

        low = tok.text.lower()
        if (tok.kind == "langtag" and low in {"@prefix", "@base"}) or (
                tok.kind == "word" and low in {"prefix", "base"}):
            # A directive: "@prefix p: <iri> ." / "PREFIX p: <iri>" / "@base <iri> ." / "BASE <iri>"
            if low.endswith("prefix") and i + 1 < n and tokens[i].kind == "pname":
                name = tokens[i].text[:-1] if tokens[i].text.endswith(":") else None
                if name is not None and tokens[i + 1].kind == "iri":
                    prefixes[name] = _resolve(_unescape_iri(tokens[i + 1].text), base)
                i += 2
            elif low.endswith("base") and i < n and tokens[i].kind == "iri":
                base = _resolve(_unescape_iri(tokens[i].text), base)
                i += 1
            if tok.kind == "langtag" and i < n and tokens[i].text == ".":
                i += 1
            continue
        if tok.kind == "word" and low == "graph":
            i += 1  # the graph name; "{" follows and keeps us at a statement start
            continue
        if tok.text in {"{", "}", "."}:
            continue
        if i < n and tokens[i].text == "{":
            i += 1  # a TriG graph name: "<g> {" or "pfx:g {"
            continue
        at_start = False
        if tok.text in {"[", "(", "<<"}:
            depth = 1
            continue
        iri = expand(tok)
        if iri is not None:
            found.setdefault(iri, tok.line)
    return found


# --------------------------------------------------------------------------- JSON-LD

_JSON_TOKEN = re.compile(
    r'(?P<ws>[ \t\r\n]+)|(?P<string>"(?:[^"\\]|\\.)*")|(?P<punct>[{}\[\]:,])'
    r"|(?P<atom>[^\s{}\[\]:,\"]+)"
)


class _JsonObject(dict):
    """A JSON object that remembers the line of each key."""

    key_lines: dict[str, int]


def _json_with_lines(text: str) -> object:
    """Parse JSON, keeping the line of every object key (``_JsonObject.key_lines``)."""
    tokens: list[tuple[str, str, int]] = []
    line = 1
    for m in _JSON_TOKEN.finditer(text):
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append((kind, m.group(), line))
        line += m.group().count("\n")
    pos = 0

    def value() -> object:
        nonlocal pos
        _kind, tok, _ = tokens[pos]
        pos += 1
        if tok == "{":
            obj = _JsonObject()
            obj.key_lines = {}
            while tokens[pos][1] != "}":
                _, key_tok, key_line = tokens[pos]
                key = json.loads(key_tok)
                pos += 2  # key and ":"
                obj[key] = value()
                obj.key_lines.setdefault(key, key_line)
                if tokens[pos][1] == ",":
                    pos += 1
            pos += 1
            return obj
        if tok == "[":
            items = []
            while tokens[pos][1] != "]":
                items.append(value())
                if tokens[pos][1] == ",":
                    pos += 1
            pos += 1
            return items
        return json.loads(tok)

    try:
        return value()
    except (IndexError, json.JSONDecodeError) as exc:
        raise ValueError("not JSON") from exc


def _locate_jsonld(text: str, base_iri: str | None) -> dict[str, int]:
    document = _json_with_lines(text)
    found: dict[str, int] = {}

    def context_from(ctx: object, prefixes: dict[str, str], base: str | None):
        prefixes = dict(prefixes)
        for item in ctx if isinstance(ctx, list) else [ctx]:
            if not isinstance(item, dict):
                continue  # a remote context: not followed
            for key, val in item.items():
                if key == "@base" and isinstance(val, str):
                    base = _resolve(val, base)
                elif not key.startswith("@"):
                    if isinstance(val, str):
                        prefixes[key] = val
                    elif isinstance(val, dict) and isinstance(val.get("@id"), str):
                        prefixes[key] = val["@id"]
        return prefixes, base

    def expand(value: str, prefixes: dict[str, str], base: str | None) -> str | None:
        if value.startswith("_:"):
            return None
        prefix, colon, local = value.partition(":")
        if colon and prefix in prefixes and not local.startswith("//"):
            return prefixes[prefix] + local
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
            return value
        return _resolve(value, base) if base else None

    def walk(node: object, prefixes: dict[str, str], base: str | None) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, prefixes, base)
            return
        if not isinstance(node, _JsonObject):
            return
        if "@context" in node:
            prefixes, base = context_from(node["@context"], prefixes, base)
        ident = node.get("@id")
        others = [k for k in node if k not in {"@id", "@context"}]
        if isinstance(ident, str) and others:
            iri = expand(ident, prefixes, base)
            if iri is not None:
                found.setdefault(iri, node.key_lines["@id"])
        for key, val in node.items():
            if key != "@context":
                walk(val, prefixes, base)

    walk(document, {}, base_iri)
    return found


# --------------------------------------------------------------------------- RDF/XML

_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML_NS = "http://www.w3.org/XML/1998/namespace"


class _RdfXmlSubjects(xml.sax.handler.ContentHandler):
    def __init__(self, base_iri: str | None) -> None:
        super().__init__()
        self.bases: list[str | None] = [base_iri]
        self.found: dict[str, int] = {}
        self.locator: xml.sax.xmlreader.Locator | None = None

    def setDocumentLocator(self, locator) -> None:
        self.locator = locator

    def startElementNS(self, name, qname, attrs) -> None:
        base = self.bases[-1]
        xml_base = attrs.get((_XML_NS, "base"))
        if xml_base is not None:
            base = _resolve(xml_base, base)
        self.bases.append(base)
        line = self.locator.getLineNumber() if self.locator else 0
        about = attrs.get((_RDF_NS, "about"))
        rdf_id = attrs.get((_RDF_NS, "ID"))
        if about is not None:
            self.found.setdefault(_resolve(about, base), line)
        elif rdf_id is not None and base:
            self.found.setdefault(base.split("#")[0] + "#" + rdf_id, line)

    def endElementNS(self, name, qname) -> None:
        self.bases.pop()


def _locate_rdfxml(text: str, base_iri: str | None) -> dict[str, int]:
    handler = _RdfXmlSubjects(base_iri)
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setContentHandler(handler)
    parser.parse(io.BytesIO(text.encode("utf-8")))
    return handler.found
