"""Export the store's public graphs as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML.

    store → select graphs → sort → serialise

What is exported (see :func:`select_graphs`): by default the data, ontology and vocabulary graphs;
``graphs`` names others (the shapes) or a subset; the ``inferred`` graph only with
``include_inferred``.

Confidential entries never leave the project: ``build`` and ``add`` keep every triple of or about
a confidential resource, and what it entails, in private graphs (under ``<graph base>private/``,
see :func:`hrgraph.privacy.split`), and no private graph is exported unless
``include_confidential`` says so (the organisation's own backups); naming one without it is a
usage error. So export, release and push need no filter of their own.

Exports are deterministic: the same graphs give byte-identical files. Quads are sorted before they
are serialised, and the serialisers used write in input order (pyoxigraph's Turtle, TriG and
RDF/XML writers group consecutive triples of one subject); JSON-LD is written here
(:func:`write_jsonld`) with the project's context ``ontology/context.jsonld`` embedded, so a
partner needs nothing from the network to read it. The project's data has no blank nodes; blank
nodes of other graphs (the shapes) keep the stable labels :mod:`hrgraph.load` gave them.

JSON-LD gives the data as its default graph by default: each distinct triple once, whichever
graphs hold it, as Turtle does, so that any JSON-LD or RDF reader sees the triples (a reader of
triples, ``rdflib.Graph().parse``, sees nothing inside named graphs); ``named_graphs`` keeps one
``@graph`` per named graph instead, as N-Quads and TriG always do.

Why one module: every format goes through the same graph selection and confidentiality rule; the
seam if it grows: the Turtle/TriG writer.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pyoxigraph as ox

from hrgraph import privacy, progress
from hrgraph import store as stores
from hrgraph.errors import InputError, StoreError, UsageError
from hrgraph.project import Project
from hrgraph.terms import ID_PREFIXES, LINKED_PREFIXES, VOCAB_PREFIXES, WELL_KNOWN_PREFIXES

T = TypeVar("T")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: Prefixes written into exports, besides the project's own ``hrg:``, ``hrid:`` and ``hrv:``.
EXPORT_PREFIXES = {
    **WELL_KNOWN_PREFIXES,
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "spdx": "http://spdx.org/rdf/terms#",
}


@dataclass(frozen=True)
class Format:
    """One export format: its name on the command line, file suffix and media type."""

    name: str
    suffix: str
    media_type: str
    keeps_graphs: bool  # a quad format: named graphs survive (JSON-LD: with named_graphs)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("ttl", ".ttl", "text/turtle", False),
    Format("nt", ".nt", "application/n-triples", False),
    Format("nq", ".nq", "application/n-quads", True),
    Format("trig", ".trig", "application/trig", True),
    Format("jsonld", ".jsonld", "application/ld+json", False),  # named graphs by option
    Format("xml", ".rdf", "application/rdf+xml", False),
)}


#: The shapes' namespace (``shapes/*.ttl``), for exports of the shapes graphs.
SHAPES_NS = "https://w3id.org/hrgraph/shapes#"


def export_prefixes(project: Project) -> dict[str, str]:
    """Prefix → namespace for RDF/XML exports and the JSON-LD context (the project's first)."""
    return {"hrg": project.ontology_ns, "hrid": project.id_base, "hrv": project.vocab_base,
            **EXPORT_PREFIXES}


def turtle_prefixes(project: Project) -> dict[str, str]:
    """Prefix → namespace for every Turtle and TriG file hrgraph writes (exports, releases,
    merged contributions, pages): :func:`export_prefixes`, one prefix per namespace path of the
    project's own IRIs (:data:`hrgraph.terms.ID_PREFIXES`, :data:`~hrgraph.terms.VOCAB_PREFIXES`:
    ``person:``, ``action:``, as ``data/`` uses them), the linked datasets' and ``hrsh:``, then
    those of ``[prefixes]`` in ``hrgraph.toml``."""
    found = export_prefixes(project)
    found.update({name: project.id_base + path for name, path in ID_PREFIXES.items()})
    found.update({name: project.vocab_base + path for name, path in VOCAB_PREFIXES.items()})
    found.update(LINKED_PREFIXES, hrsh=SHAPES_NS)
    extra = project.settings.get("prefixes", {})
    if isinstance(extra, dict):
        found.update({str(k): str(v) for k, v in extra.items()})
    return found


# --------------------------------------------------------------------------- what is exported


def public_graphs(project: Project, store: ox.Store) -> list[str]:
    """The graphs exported by default: data, ontology, vocabularies (no shapes, no inferred)."""
    prefixes = [project.graph_base + p for p in ("data/", "ontology/")]
    return [g for g in stores.graph_names(store) if g.startswith(tuple(prefixes))]


def select_graphs(project: Project, store: ox.Store, names: Sequence[str] = (), *,
                  include_inferred: bool = False,
                  include_confidential: bool = False) -> list[str]:
    """The named graphs to export, sorted.

    ``names`` (default: :func:`public_graphs`) are graph IRIs, or names below the graph base
    (``shapes/core``), or folders of them (``shapes`` for every shapes graph). Private graphs
    (confidential data, under ``<graph base>private/``) only with ``include_confidential``: then
    by default too, and the private inferred graph with the inferred one.

    Raises:
        UsageError: a name matches no graph of the store, or names a private graph without
            ``include_confidential``.
        StoreError: the store was built before confidential data was kept apart.
    """
    check_separated(project, store)
    existing = stores.graph_names(store)
    inferred = {project.inferred_graph, project.private_inferred_graph}
    if not include_confidential:
        existing = [g for g in existing if not project.is_private(g)]
    if not names:
        chosen = set(public_graphs(project, store))
        if include_confidential:
            chosen.update(g for g in existing if project.is_private(g) and g not in inferred)
    else:
        chosen = set()
        for name in names:
            iri = name if name.startswith(project.graph_base) else project.graph_base + name
            iri = iri.rstrip("/")
            if project.is_private(iri) and not include_confidential:
                raise UsageError(f"graph {name!r} is private (confidential data): export it only "
                                 "with --include-confidential, for the organisation's own use")
            found = [g for g in existing if g == iri or g.startswith(iri + "/")]
            if not found:
                shown = ", ".join(g.removeprefix(project.graph_base) for g in existing)
                raise UsageError(f"no graph called {name!r} in the store (graphs: {shown})")
            chosen.update(found)
    if include_inferred:
        chosen.update(g for g in existing if g in inferred)
    else:
        chosen -= inferred
    return sorted(chosen)


def check_separated(project: Project, store: ox.Store) -> None:
    """Refuse a store whose public graphs still hold a ``hrg:confidential true`` mark: it was
    built before confidential data was kept in private graphs (a build keeps every such mark,
    like every triple about a confidential resource, in a private graph).

    Raises:
        StoreError: such a mark is in a public graph.
    """
    flag = ox.NamedNode(project.ontology_ns + "confidential")
    for quad in store.quads_for_pattern(None, flag, None):
        if (isinstance(quad.graph_name, ox.NamedNode) and not project.is_private(
                quad.graph_name.value) and privacy.is_true(quad.object)):
            raise StoreError("the store keeps confidential data in public graphs (it was built "
                             "by an older hrgraph): run `hrgraph build --full` first")


def export_quads(project: Project, store: ox.Store, graphs: Sequence[str] = (), *,
                 include_inferred: bool = False,
                 include_confidential: bool = False) -> list[ox.Quad]:
    """The quads of the selected graphs (see :func:`select_graphs`), sorted by graph, subject,
    predicate, object.

    Raises:
        UsageError: a graph name matches no graph, or names a private one.
    """
    selected = select_graphs(project, store, graphs, include_inferred=include_inferred,
                             include_confidential=include_confidential)
    quads = [q for graph in selected
             for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
    quads.sort(key=_quad_key)
    return quads


def _quad_key(quad: ox.Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))


def _triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of ``quads`` (a triple in two graphs once), sorted."""
    unique = {(str(q.subject), str(q.predicate), str(q.object)): q.triple for q in quads}
    return [unique[key] for key in sorted(unique)]


# --------------------------------------------------------------------------- serialising


def serialize(project: Project, quads: Sequence[ox.Quad], fmt: str | Format, *,
              named_graphs: bool = False) -> bytes:
    """``quads`` (sorted, see :func:`export_quads`) in one of :data:`FORMATS`.

    Triple formats (Turtle, N-Triples, RDF/XML) hold each distinct triple once; quad formats keep
    the named graphs. JSON-LD is a triple format unless ``named_graphs``.

    Raises:
        UsageError: an unknown format, or ``named_graphs`` for a format without named graphs.
        InputError: RDF/XML cannot write a predicate IRI (it must end in a name).
    """
    fmt = _format(fmt)
    _check_named_graphs(fmt, named_graphs)
    if fmt.name == "ttl":
        return project_turtle(project, _triples(quads))
    if fmt.name == "trig":
        return write_trig(quads, turtle_prefixes(project),
                          mint_below=(project.id_base, project.vocab_base))
    prefixes = export_prefixes(project)
    if fmt.name == "nt":
        return "".join(f"{t} .\n" for t in _triples(quads)).encode()
    if fmt.name == "nq":
        return "".join(f"{q} .\n" for q in quads).encode()
    if fmt.name == "jsonld":
        return to_jsonld(project, quads, named_graphs=named_graphs)
    try:
        return ox.serialize(_triples(quads), format=ox.RdfFormat.RDF_XML, prefixes=prefixes)
    except (ValueError, SyntaxError) as exc:
        raise InputError(f"cannot write {fmt.name}: {exc}") from None


# --------------------------------------------------------------------------- Turtle and TriG

# The Turtle grammar's names (https://www.w3.org/TR/turtle/#grammar-production-PN_LOCAL). A local
# name is written only when it needs no backslash escape (PN_LOCAL without PN_LOCAL_ESC; a %HH
# is the IRI's own text); any other IRI is written whole, so no file holds ``hrv:a\/b``.
_PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
                  "\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF"
                  "\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_PN_CHARS = _PN_CHARS_BASE + "_\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PERCENT = "%[0-9A-Fa-f]{2}"
PN_LOCAL = re.compile(f"(?:[{_PN_CHARS_BASE}_:0-9]|{_PERCENT})"
                      f"(?:(?:[{_PN_CHARS}.:]|{_PERCENT})*(?:[{_PN_CHARS}:]|{_PERCENT}))?")
PN_PREFIX = re.compile(f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")

XSD = "http://www.w3.org/2001/XMLSchema#"
#: Literals written as Turtle's bare numbers and booleans when their text is the token's.
_BARE = {XSD + "integer": re.compile(r"[+-]?[0-9]+"),
         XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
         XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
         XSD + "boolean": re.compile(r"true|false")}
#: Datatypes of literals written as N-Triples writes them: "text"@lang, "text".
_PLAIN = {ox.NamedNode(RDF_LANGSTRING), ox.NamedNode(XSD_STRING)}
_RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)


class TurtleNames:
    """Writes terms as Turtle, IRIs as prefixed names where a prefix's namespace is the IRI up to
    its last ``/`` or ``#`` and the rest is a valid ``PN_LOCAL`` needing no escape, else as
    ``<IRI>``; remembers the prefixes used.

    ``mint_below`` (the project's id and vocabulary bases) gives a namespace path no prefix
    names, ``<base>kind/``, the prefix ``kind:`` when that is a free, valid prefix name: a new
    kind of entity still reads as ``kind:slug``.
    """

    def __init__(self, prefixes: Mapping[str, str], mint_below: Sequence[str] = ()) -> None:
        self.namespaces: dict[str, str] = {}
        for name, namespace in sorted(prefixes.items()):
            if PN_PREFIX.fullmatch(name) and namespace.endswith(("/", "#")):
                self.namespaces.setdefault(namespace, name)  # one prefix per namespace
        self.names = {name: namespace for namespace, name in self.namespaces.items()}
        self.taken = set(prefixes)
        self.mint_below = tuple(mint_below)
        self.used: dict[str, str] = {}
        self._cache: dict[str, str] = {}
        self._nodes: dict[ox.NamedNode, str] = {}

    def iri(self, iri: str) -> str:
        """``prefix:local`` or ``<iri>``."""
        written = self._cache.get(iri)
        if written is None:
            written = self._cache[iri] = self._write(iri)
        return written

    def _write(self, iri: str) -> str:
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        namespace, local = iri[:cut], iri[cut:]
        name = self.namespaces.get(namespace)
        if name is None and cut:
            name = self._mint(namespace)
        if name is None or (local and not PN_LOCAL.fullmatch(local)):
            return str(ox.NamedNode(iri))
        self.used[name] = namespace
        return f"{name}:{local}"

    def _mint(self, namespace: str) -> str | None:
        for base in self.mint_below:
            kind = namespace[len(base):-1]
            if (namespace.startswith(base) and namespace.endswith("/") and "/" not in kind
                    and PN_PREFIX.fullmatch(kind) and kind not in self.taken):
                self.namespaces[namespace] = kind
                self.taken.add(kind)
                return kind
        return None

    def term(self, term: Any) -> str:
        """An IRI, blank node or literal as Turtle (``a`` is left to the caller)."""
        kind = type(term)
        if kind is ox.NamedNode:
            written = self._nodes.get(term)
            if written is None:
                written = self._nodes[term] = self.iri(term.value)
            return written
        if kind is ox.Literal:
            datatype = term.datatype
            if datatype in _PLAIN:  # a language-tagged or xsd:string literal
                return str(term)
            bare = _BARE.get(datatype.value)
            if bare is not None and bare.fullmatch(term.value):
                return term.value
            return f"{ox.Literal(term.value)}^^{self.term(datatype)}"
        return str(term)  # a blank node (or a triple term) in its N-Triples form

    def prologue(self) -> str:
        """The ``@prefix`` lines of the prefixes used, sorted by name."""
        return "".join(f"@prefix {name}: {ox.NamedNode(ns)} .\n"
                       for name, ns in sorted(self.used.items()))


def _statements(names: TurtleNames, triples: Iterable[ox.Triple] | Iterable[ox.Quad],
                indent: str) -> list[str]:
    """Triples (or the triples of quads) as Turtle statements, consecutive triples of one
    subject in one statement, of one predicate in one object list."""
    out: list[str] = []
    append, term, pad = out.append, names.term, indent + "    "
    subject = predicate = None
    for s, p, o, *_ in triples:  # triples or quads; a hot loop (a million in a large export)
        if s != subject:
            if subject is not None:
                append(" .\n\n")
            subject, predicate = s, None
            append(f"{indent}{term(s)}\n")
        if p != predicate:
            if predicate is not None:
                append(" ;\n")
            predicate = p
            append(f"{pad}{'a' if p == _RDF_TYPE_NODE else term(p)} {term(o)}")
        else:
            append(f", {term(o)}")
    if subject is not None:
        append(" .\n")
    return out


def write_turtle(triples: Iterable[ox.Triple], prefixes: Mapping[str, str], *,
                 mint_below: Sequence[str] = ()) -> bytes:
    """``triples`` as Turtle in the order given, with prefixed names only where they need no
    escape (see :class:`TurtleNames`); the same triples in the same order give the same bytes."""
    names = TurtleNames(prefixes, mint_below)
    body = "".join(_statements(names, triples, ""))
    prologue = names.prologue()
    return (prologue + ("\n" if prologue and body else "") + body).encode()


def write_trig(quads: Iterable[ox.Quad], prefixes: Mapping[str, str], *,
               mint_below: Sequence[str] = ()) -> bytes:
    """``quads`` as TriG, one block per run of quads of one graph (sort them by graph first),
    written as :func:`write_turtle` writes triples."""
    names = TurtleNames(prefixes, mint_below)
    blocks: list[str] = []
    for graph, run in itertools.groupby(quads, key=lambda quad: quad.graph_name):
        if isinstance(graph, ox.DefaultGraph):
            blocks.append("".join(_statements(names, run, "")))
        else:
            body = "".join(_statements(names, run, "    "))
            blocks.append(f"{names.term(graph)} {{\n{body}}}\n")
    prologue = names.prologue()
    return (prologue + ("\n" if prologue and blocks else "") + "\n".join(blocks)).encode()


def project_turtle(project: Project, triples: Iterable[ox.Triple]) -> bytes:
    """``triples`` as Turtle with the project's prefixes (:func:`turtle_prefixes`)."""
    return write_turtle(triples, turtle_prefixes(project),
                        mint_below=(project.id_base, project.vocab_base))


def _check_named_graphs(fmt: Format, named_graphs: bool) -> None:
    """Refuse ``named_graphs`` for a format that cannot write graphs (quad formats always do)."""
    if named_graphs and not fmt.keeps_graphs and fmt.name != "jsonld":
        raise UsageError(f"{fmt.name} holds no named graphs: --named-graphs is for jsonld "
                         "(N-Quads and TriG always keep them)")


def _format(fmt: str | Format) -> Format:
    if isinstance(fmt, Format):
        return fmt
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return FORMATS[fmt]


def format_of(path: str | os.PathLike) -> Format | None:
    """The export format a file name ends in, or None."""
    suffix = Path(path).suffix.lower()
    return next((f for f in FORMATS.values() if f.suffix == suffix), None)


@dataclass
class ExportResult:
    """What :func:`export` wrote: the bytes are kept in memory only when no ``path`` was given
    (a file's are read back on asking for :attr:`data`)."""

    format: Format
    graphs: list[str]
    quads: int
    written: bytes | None = None
    path: Path | None = None

    @property
    def data(self) -> bytes:
        """The exported bytes."""
        if self.written is None and self.path is not None:
            return self.path.read_bytes()
        return self.written or b""

    @property
    def size(self) -> int:
        if self.written is None and self.path is not None:
            return self.path.stat().st_size
        return len(self.written or b"")


def export(project: Project, store: ox.Store, fmt: str | Format, *, output: Path | None = None,
           graphs: Sequence[str] = (), include_inferred: bool = False,
           include_confidential: bool = False, named_graphs: bool = False,
           stream: BinaryIO | None = None) -> ExportResult:
    """Export the selected graphs in ``fmt``; write them to ``output`` if given, else to
    ``stream`` if given (standard output: the result then keeps no bytes), else into memory.

    JSON-LD holds the triples in its default graph, each once, unless ``named_graphs`` (then one
    ``@graph`` per named graph, as N-Quads and TriG always do). N-Triples and N-Quads go from
    the store to ``output`` through files and an external sort (:func:`write_sorted`), in
    memory bounded whatever the size of the graphs.

    The file is written next to its target and renamed into place, so a failed export never leaves
    half a file.

    Raises:
        UsageError: an unknown format or graph, a private graph without
            ``include_confidential``, or ``named_graphs`` for Turtle, N-Triples or RDF/XML.
        StoreError: the output cannot be written (exit code 3).
    """
    fmt = _format(fmt)
    _check_named_graphs(fmt, named_graphs)
    selected = select_graphs(project, store, graphs, include_inferred=include_inferred,
                             include_confidential=include_confidential)
    private = any(project.is_private(g) for g in selected)
    if fmt.name in ("nt", "nq"):
        def write(out: BinaryIO) -> int:
            return write_sorted(store, selected, out, quads=fmt.name == "nq")

        if output is None:
            buffer = io.BytesIO() if stream is None else stream
            count = write(buffer)
            return ExportResult(fmt, selected, count,
                                buffer.getvalue() if stream is None else None)
        count = write_atomically(Path(output), write, private=private)
        return ExportResult(fmt, selected, count, None, Path(output))
    if fmt.name == "jsonld":
        data, count = _dump_jsonld(project, store, selected, named_graphs=named_graphs)
    else:
        quads = export_quads(project, store, selected, include_inferred=include_inferred,
                             include_confidential=include_confidential)
        data, count = serialize(project, quads, fmt), len(quads)
    if output is not None:
        write_atomically(Path(output), data, private=private)
    elif stream is not None:
        stream.write(data)
    return ExportResult(fmt, selected, count, data, Path(output) if output else None)


def _graph_order(graph: str) -> bytes:
    """Where a graph's quads go in an N-Quads export: by the text that ends its lines."""
    return f"{graph}> .".encode()


def write_sorted(store: ox.Store, graphs: Sequence[str], out: BinaryIO, *,
                 quads: bool) -> int:
    """Write the N-Triples (each distinct triple once) or N-Quads of ``graphs`` to ``out`` in
    the order :func:`serialize` gives, and return the quad count.

    Oxigraph dumps each graph as N-Triples lines into a temporary file (its own order follows
    its term hashes, not the text) and the lines are sorted as bytes by the system's ``sort``
    with ``LC_ALL=C``, which spills to disk beyond :data:`SORT_MEMORY`: UTF-8 keeps code-point
    order, and a term's text ends where the line's next space begins, so this is the order of
    the (graph,) subject, predicate, object tuples, the same in every pyoxigraph version. Without
    a ``sort`` program the lines are sorted here, in memory.

    Raises:
        StoreError: the temporary files or ``out`` cannot be written.
    """
    try:
        with tempfile.TemporaryDirectory(prefix="hrgraph-export-") as folder:
            work = Path(folder)
            with progress.bar(total=len(graphs), desc="exporting", unit="graph") as shown:
                if not quads:
                    unsorted = work / "unsorted.nt"
                    with unsorted.open("wb") as part:
                        for graph in graphs:
                            store.dump(part, format=ox.RdfFormat.N_TRIPLES,
                                       from_graph=ox.NamedNode(graph))
                            shown.update()
                    count = count_lines(unsorted)
                    _sort(unsorted, out, work, unique=True)
                    return count
                count = 0
                for graph in sorted(graphs, key=_graph_order):
                    unsorted, ordered = work / "graph.nt", work / "sorted.nt"
                    store.dump(unsorted, format=ox.RdfFormat.N_TRIPLES,
                               from_graph=ox.NamedNode(graph))
                    with ordered.open("wb") as sorted_part:
                        _sort(unsorted, sorted_part, work, unique=False)
                    suffix = f" <{graph}> .\n".encode()
                    with ordered.open("rb") as lines:
                        for line in lines:
                            out.write(line[:-3] + suffix)
                            count += 1
                    shown.update()
                return count
    except OSError as exc:
        raise StoreError(f"cannot export: {exc.strerror or exc}") from None


#: The memory the external sort may use before it spills to temporary files.
SORT_MEMORY = "200M"


def _sort(source: Path, out: BinaryIO, work: Path, *, unique: bool) -> None:
    """``source``'s lines in byte order (``unique``: each once) onto ``out``."""
    program = shutil.which("sort")
    if program is None:  # no sort program: in memory
        lines = source.read_bytes().splitlines(keepends=True)
        out.writelines(sorted(set(lines)) if unique else sorted(lines))
        return
    command = [program, *(["-u"] if unique else []), "-S", SORT_MEMORY, "-T", str(work),
               str(source)]
    env = {**os.environ, "LC_ALL": "C"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=env) as sorting:
        assert sorting.stdout is not None
        shutil.copyfileobj(sorting.stdout, out, 1 << 20)
        error = sorting.stderr.read().decode(errors="replace").strip() if sorting.stderr else ""
    if sorting.returncode:
        raise StoreError(f"cannot export: sort failed: {error or sorting.returncode}")


def count_lines(path: Path) -> int:
    """The lines of a file (its newlines), read in blocks."""
    count = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _dump_sorted(store: ox.Store, graphs: Sequence[str], *, quads: bool) -> tuple[bytes, int]:
    """:func:`write_sorted` into memory: the bytes and the quad count."""
    buffer = io.BytesIO()
    count = write_sorted(store, graphs, buffer, quads=quads)
    return buffer.getvalue(), count


def _dump_jsonld(project: Project, store: ox.Store, graphs: Sequence[str], *,
                 named_graphs: bool) -> tuple[bytes, int]:
    """JSON-LD of ``graphs`` as :func:`to_jsonld` writes their sorted quads, from Oxigraph's
    N-Triples dumps sorted as bytes (see :func:`_dump_sorted`): no Python term is built for the
    sort, and one subject's node object at a time (a million triples need no dict of them all).
    Returns the bytes and the quad count."""
    if named_graphs:
        counted = 0

        def blocks() -> Iterator[tuple[str | None, Iterable[ox.Triple]]]:
            nonlocal counted
            for graph in graphs:
                lines, count = _dump_sorted(store, [graph], quads=False)
                counted += count
                yield graph, _parsed_triples(lines)

        return write_jsonld(read_context(project), blocks()), counted
    lines, count = _dump_sorted(store, graphs, quads=False)
    return write_jsonld(read_context(project), [(None, _parsed_triples(lines))]), count


def _parsed_triples(ntriples: bytes) -> Iterator[ox.Triple]:
    """The triples of N-Triples text, in its order."""
    for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        yield quad.triple


def write_atomically(path: Path, data: bytes | Callable[[BinaryIO], T], *,
                     private: bool = False) -> T | None:
    """Write ``data`` to ``path`` through a temporary file in the same folder; ``data`` may be
    a function writing to the open file (its result is returned).

    The file gets the mode an ordinary new file gets (0666 less the umask), not the 0600 of a
    temporary file: exports are for sharing. A ``private`` file (it holds confidential data, from
    a private graph) is for its owner alone: 0600 whatever the umask.

    Raises:
        StoreError: the folder does not exist or is not writable.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                             0o600 if private else 0o666)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(descriptor, "wb") as f:
            if callable(data):
                result = data(f)
            else:
                f.write(data)
                result = None
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return result


# --------------------------------------------------------------------------- JSON-LD


def context_path(project: Project) -> Path:
    """The project's JSON-LD context, published as ``https://w3id.org/hrgraph/context.jsonld``."""
    return project.ontology_dir / "context.jsonld"


def read_context(project: Project) -> dict[str, Any]:
    """The ``@context`` object of ``ontology/context.jsonld`` ({} if the file is missing).

    Raises:
        InputError: the file is not a JSON-LD context document.
    """
    path = context_path(project)
    if not path.is_file():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the JSON-LD context: {exc}", path=str(path)) from None
    if not isinstance(document, dict) or not isinstance(document.get("@context"), dict):
        raise InputError("not a JSON-LD context document ({\"@context\": {…}})", path=str(path))
    return document["@context"]


#: Readable keys for terms of reused vocabularies (hrg terms get their local names).
COMMON_TERMS = {
    "label": "rdfs:label",
    "comment": "rdfs:comment",
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
    "definition": "skos:definition",
    "note": "skos:note",
    "inScheme": ("skos:inScheme", "@id"),
    "exactMatch": ("skos:exactMatch", "@id"),
    "closeMatch": ("skos:closeMatch", "@id"),
    "title": "dcterms:title",
    "description": "dcterms:description",
    "date": "dcterms:date",
    "license": ("dcterms:license", "@id"),
    "name": "foaf:name",
    "url": ("schema:url", "@id"),
    "wasDerivedFrom": ("prov:wasDerivedFrom", "@id"),
    "wasAttributedTo": ("prov:wasAttributedTo", "@id"),
    "generatedAtTime": "prov:generatedAtTime",
    "memberOf": ("org:memberOf", "@id"),
    "hasSelector": ("oa:hasSelector", "@id"),
    "hasSource": ("oa:hasSource", "@id"),
    "exact": "oa:exact",
    "prefix": "oa:prefix",
    "suffix": "oa:suffix",
}


def build_context(project: Project, store: ox.Store) -> dict[str, Any]:
    """A JSON-LD context from the ontology: prefixes, every ``hrg:`` class and property by its
    local name (object properties coerce values to IRIs) and :data:`COMMON_TERMS`.

    ``ontology/context.jsonld`` is this, written out (a test keeps it current).
    """
    ns = project.ontology_ns
    owl = "http://www.w3.org/2002/07/owl#"
    kinds_sought = " ".join(f"<{owl}{k}>" for k in ("Class", "ObjectProperty", "DatatypeProperty",
                                                     "AnnotationProperty"))
    rows = stores.query(store, f"""
        SELECT DISTINCT ?term ?kind WHERE {{
          VALUES ?kind {{ {kinds_sought} }}
          GRAPH ?g {{ ?term a ?kind }}
          FILTER(STRSTARTS(STR(?term), {ox.Literal(ns)}))
        }}""")
    kinds: dict[str, str] = {}
    for row in rows:
        local = row["term"].value[len(ns):]
        kind = row["kind"].value.rsplit("#", 1)[-1]
        if local and (local not in kinds or kind == "ObjectProperty"):
            kinds[local] = kind
    context: dict[str, Any] = dict(export_prefixes(project))
    for key, value in COMMON_TERMS.items():
        if isinstance(value, tuple):
            context[key] = {"@id": value[0], "@type": value[1]}
        else:
            context[key] = value
    for local in sorted(kinds):
        if kinds[local] == "ObjectProperty":
            context[local] = {"@id": f"hrg:{local}", "@type": "@id"}
        else:
            context[local] = f"hrg:{local}"
    return context


def write_context(project: Project, store: ox.Store) -> Path:
    """Write :func:`build_context` to ``ontology/context.jsonld``; return its path."""
    path = context_path(project)
    text = json.dumps({"@context": build_context(project, store)}, indent=2,
                      ensure_ascii=False) + "\n"
    write_atomically(path, text.encode())
    return path


class _Compactor:
    """Turns IRIs into the keys and compact IRIs a JSON-LD context defines, without ambiguity."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.prefixes = {k: v for k, v in context.items()
                         if isinstance(v, str) and v.endswith(("/", "#")) and ":" in v}
        self.terms: dict[str, tuple[str, bool]] = {}  # IRI -> (key, values are IRIs)
        for key, value in context.items():
            if key.startswith("@") or key in self.prefixes:
                continue
            if isinstance(value, str):
                iri, coerce = value, False
            elif (isinstance(value, dict) and set(value) <= {"@id", "@type"}
                  and value.get("@type") in (None, "@id")):  # other coercions are not used here
                iri, coerce = value.get("@id"), value.get("@type") == "@id"
            else:
                continue
            if not isinstance(iri, str):
                continue
            full = self.expand(iri)
            self.terms.setdefault(full, (key, coerce))

    def expand(self, text: str) -> str:
        prefix, colon, rest = text.partition(":")
        if colon and prefix in self.prefixes and not rest.startswith("//"):
            return self.prefixes[prefix] + rest
        return text

    def iri(self, iri: str) -> str:
        """A compact IRI (``hrid:person/x``) when a prefix fits, else the IRI itself."""
        best = ""
        for name, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(namespace) > len(self.prefixes.get(best, "")):
                rest = iri[len(namespace):]
                if rest and not rest.startswith("//"):
                    best = name
        return f"{best}:{iri[len(self.prefixes[best]):]}" if best else iri

    def vocab(self, iri: str) -> str:
        """A class as a term of the context (``Demand``) or a compact IRI."""
        term = self.terms.get(iri)
        if term is not None and not term[1]:
            return term[0]
        return self.iri(iri)

    def key(self, predicate: str, objects: list[Any]) -> tuple[str, bool]:
        """The key for a predicate, and whether its values are written as plain IRI strings."""
        term = self.terms.get(predicate)
        all_nodes = all(isinstance(o, (ox.NamedNode, ox.BlankNode)) for o in objects)
        if term is not None:
            key, coerce = term
            if coerce and all_nodes:
                return key, True
            if not coerce:
                return key, False
        return self.iri(predicate), False

    def value(self, term: Any, plain_iri: bool) -> Any:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value) if plain_iri else {"@id": self.iri(term.value)}
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}" if plain_iri else {"@id": f"_:{term.value}"}
        if term.language:
            return {"@value": term.value, "@language": term.language.lower()}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": self.iri(term.datatype.value)}


def to_jsonld(project: Project, quads: Sequence[ox.Quad],
              context: dict[str, Any] | None = None, *, named_graphs: bool = False) -> bytes:
    """``quads`` (sorted, see :func:`export_quads`) as JSON-LD with the context embedded.

    By default the document's default graph holds every distinct triple once, whichever graphs
    hold it, so that every JSON-LD and RDF reader sees the data (a reader of triples, such as
    ``rdflib.Graph().parse``, sees nothing inside named graphs); with ``named_graphs`` one
    ``@graph`` per named graph. Written by :func:`write_jsonld`.
    """
    context = read_context(project) if context is None else context
    if not named_graphs:
        return write_jsonld(context, [(None, _triples(quads))])
    runs: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        runs.setdefault(graph, []).append(quad)
    # Graphs in the order of their IRIs (as export() dumps them), the default graph first.
    return write_jsonld(context, ((graph or None, (q.triple for q in runs[graph]))
                                  for graph in sorted(runs)))


def write_jsonld(context: dict[str, Any],
                 blocks: Iterable[tuple[str | None, Iterable[ox.Triple]]]) -> bytes:
    """JSON-LD with ``context`` embedded: for each block ``(graph, triples)`` the node objects
    of its triples, in the document's default graph when ``graph`` is None, else in a named
    graph ``{"@id": graph, "@graph": [...]}``. The triples of a block come sorted (at least
    grouped by subject, one run per subject); one node object is built at a time, so memory
    holds one subject's triples, not the document's. The text is what ``json.dumps(document,
    indent=1)`` gives.

    Keys and values are written so that they expand back to exactly the same triples: a key of
    the context is used only where its coercion fits every value (an object property's key only
    for IRI values), plain strings only for ``xsd:string`` literals (the context sets no default
    language), and every other literal as a value object with its datatype or language.
    """
    compact = _Compactor(context)
    dumps = json.dumps
    out = ['{\n "@context": ', dumps(context, indent=1, ensure_ascii=False).replace("\n", "\n "),
           ',\n "@graph": [']
    first_item = True

    def item(text: str) -> None:
        nonlocal first_item
        out.append("\n" if first_item else ",\n")
        out.append(text)
        first_item = False

    for graph, triples in blocks:
        if graph is None:
            for node in _node_objects(compact, triples):
                item(_indented(dumps(node, indent=1, ensure_ascii=False), "  "))
            continue
        head = ('  {\n   "@id": ' + dumps(compact.iri(graph), ensure_ascii=False)
                + ',\n   "@graph": [')
        nodes = [_indented(dumps(node, indent=1, ensure_ascii=False), "    ")
                 for node in _node_objects(compact, triples)]
        body = ("\n" + ",\n".join(nodes) + "\n   ]") if nodes else "]"
        item(head + body + "\n  }")
    out.append("\n ]\n}\n" if not first_item else "]\n}\n")
    return "".join(out).encode()


def _indented(text: str, pad: str) -> str:
    """``text`` (an indented JSON dump) with ``pad`` before every line, as nesting gives it."""
    return pad + text.replace("\n", "\n" + pad)


def _node_objects(compact: _Compactor, triples: Iterable[ox.Triple]) -> Iterator[dict[str, Any]]:
    """One JSON-LD node object per run of triples of one subject."""
    for subject, run in itertools.groupby(triples, key=lambda triple: triple.subject):
        properties: dict[str, list[Any]] = {}
        for triple in run:
            properties.setdefault(triple.predicate.value, []).append(triple.object)
        node: dict[str, Any] = {"@id": f"_:{subject.value}" if isinstance(subject, ox.BlankNode)
                                else compact.iri(subject.value)}
        types = [o for o in properties.get(RDF_TYPE, []) if isinstance(o, ox.NamedNode)]
        if types:
            node["@type"] = [compact.vocab(t.value) for t in types]
        entries = []
        for predicate, objects in properties.items():
            if predicate == RDF_TYPE:
                objects = [o for o in objects if not isinstance(o, ox.NamedNode)]
                if not objects:
                    continue
            key, plain = compact.key(predicate, objects)
            entries.append((key, [compact.value(o, plain) for o in objects]))
        for key, values in sorted(entries, key=lambda item: item[0]):
            node[key] = values[0] if len(values) == 1 else values
        yield node
