"""Describe an export as a dataset (VoID and DCAT 3), and write release folders.

    store → export every format → count → describe (Turtle) → CITATION.cff → CHANGELOG.md

A release folder (:func:`release`) holds the export in every format (``hrgraph-VERSION.ttl`` …),
the ontology and vocabularies (``ontology/``), the shapes (``shapes/``), ``description.ttl``,
``CITATION.cff`` and, when an earlier release folder sits next to it, ``CHANGELOG.md`` saying what
changed since (:mod:`hrgraph.diff`). It is written to a temporary folder and renamed into place, so
a failed release leaves nothing behind.

The counts in the description are those of ``hrgraph stats`` over the exported graphs:
``void:triples`` is the sum of the triples per graph, ``void:classes`` the number of classes with
instances, one ``void:classPartition`` per class with its ``void:entities``; ``void:entities``
counts the distinct typed resources and ``void:properties`` the distinct predicates.

Titles, publisher, authors and the like come from ``[release]`` in ``hrgraph.toml``
(see :data:`DEFAULTS`).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from hrgraph import export as exports
from hrgraph import stats as statistics
from hrgraph.errors import StoreError, UsageError
from hrgraph.project import Project

DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"
IANA = "http://www.iana.org/assignments/media-types/"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"

#: What ``[release]`` in hrgraph.toml may set, and the values used when it does not.
DEFAULTS: dict[str, Any] = {
    "title": "hrgraph: a knowledge graph of human-rights demands",
    "description": ("Statements of human-rights organisations as linked data: organisations, "
                    "people, legal provisions, demands, documents and international mechanisms, "
                    "each fact traceable to the sentence it came from."),
    "publisher": "hrgraph contributors",
    "publisher_iri": "https://w3id.org/hrgraph/id/agent/hrgraph-editors",
    "authors": ["hrgraph contributors"],
    "keywords": ["human rights", "Belarus", "linked data", "knowledge graph", "civil society",
                 "demands"],
    "dataset_iri": "https://w3id.org/hrgraph/dataset",
    "download_base": "https://w3id.org/hrgraph/release/{version}/",
    "url": "https://w3id.org/hrgraph",
}

#: What each export file of a release holds (its dcterms:description), by format.
CONTENTS = {
    "jsonld": "Every triple once, in the default graph, so that any JSON-LD or RDF reader sees the "
              "data; the named graphs are in the TriG and N-Quads files (`hrgraph export --format "
              "jsonld --named-graphs` writes them as JSON-LD).",
    "nq": "The named graphs: one per data, ontology or vocabulary file.",
    "trig": "The named graphs: one per data, ontology or vocabulary file.",
}
#: What the other formats hold.
TRIPLES_ONLY = "Every triple once (a triple format: no named graphs)."

#: How many example resources (demands) the description names.
EXAMPLES = 3

_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+\-]*")


def settings(project: Project) -> dict[str, Any]:
    """:data:`DEFAULTS` overridden by ``[release]`` of hrgraph.toml."""
    found = dict(DEFAULTS)
    extra = project.settings.get("release", {})
    if isinstance(extra, dict):
        found.update(extra)
    return found


@dataclass
class Distribution:
    """One file of a release: its name, media type, size and SHA-256."""

    name: str
    media_type: str
    size: int
    sha256: str
    title: str = ""
    description: str = ""

    @classmethod
    def of_file(cls, path: Path, media_type: str, title: str = "",
                description: str = "") -> Distribution:
        data = path.read_bytes()
        return cls(path.name, media_type, len(data), hashlib.sha256(data).hexdigest(), title,
                   description)


@dataclass
class Counts:
    """VoID counts of the exported graphs (those of ``hrgraph stats`` over them)."""

    triples: int
    entities: int
    properties: int
    classes: list[tuple[str, int]] = field(default_factory=list)
    graphs: list[tuple[str, int]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


def count(project: Project, quads: list[ox.Quad]) -> Counts:
    """Count what ``quads`` hold, with :func:`hrgraph.stats.stats` on a store of just them."""
    store = ox.Store()
    store.bulk_extend(quads)
    found = statistics.stats(store, project)

    def one(sparql: str) -> int:
        return int(next(iter(store.query(sparql, use_default_graph_as_union=True)))["n"].value)

    demand = ox.NamedNode(project.ontology_ns + "Demand")
    examples = [row["x"].value for row in store.query(
        f"SELECT DISTINCT ?x WHERE {{ ?x a {demand} FILTER isIRI(?x) }} ORDER BY ?x "
        f"LIMIT {EXAMPLES}", use_default_graph_as_union=True)]
    return Counts(
        triples=sum(n for _, n in found.graphs),
        entities=one("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c FILTER isIRI(?x) }"),
        properties=one("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        classes=found.classes,
        graphs=found.graphs,
        examples=examples,
    )


def description(project: Project, counts: Counts, version: str, *, issued: datetime.date,
                distributions: list[Distribution], endpoint: str | None = None) -> bytes:
    """The VoID + DCAT 3 description of one release, as Turtle (deterministic)."""
    conf = settings(project)
    base = str(conf["dataset_iri"]).rstrip("/")
    dataset = ox.NamedNode(f"{base}/{version}")
    download = str(conf["download_base"]).format(version=version)
    triples: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: Any) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def lit(value: Any, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
        if lang:
            return ox.Literal(str(value), language=lang)
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype) if datatype else None)

    publisher = ox.NamedNode(str(conf["publisher_iri"]))
    add(dataset, RDF_TYPE, ox.NamedNode(DCAT + "Dataset"))
    add(dataset, RDF_TYPE, ox.NamedNode(VOID + "Dataset"))
    add(dataset, DCTERMS + "title", lit(conf["title"], lang="en"))
    add(dataset, DCTERMS + "description", lit(conf["description"], lang="en"))
    add(dataset, DCTERMS + "license", ox.NamedNode(CC_BY_4))
    add(dataset, DCTERMS + "publisher", publisher)
    add(dataset, DCTERMS + "issued", lit(issued.isoformat(), XSD + "date"))
    add(dataset, DCTERMS + "isVersionOf", ox.NamedNode(base))
    add(dataset, DCAT + "version", lit(version))
    add(dataset, OWL + "versionInfo", lit(version))
    add(dataset, DCAT + "landingPage", ox.NamedNode(str(conf["url"])))
    for keyword in conf["keywords"]:
        add(dataset, DCAT + "keyword", lit(keyword, lang="en"))
    add(dataset, VOID + "vocabulary", ox.NamedNode(project.ontology_ns))
    add(dataset, VOID + "uriSpace", lit(project.id_base))
    add(dataset, VOID + "triples", lit(counts.triples, XSD + "integer"))
    add(dataset, VOID + "entities", lit(counts.entities, XSD + "integer"))
    add(dataset, VOID + "classes", lit(len(counts.classes), XSD + "integer"))
    add(dataset, VOID + "properties", lit(counts.properties, XSD + "integer"))
    for example in counts.examples:
        add(dataset, VOID + "exampleResource", ox.NamedNode(example))
    for cls, n in counts.classes:
        partition = ox.NamedNode(f"{base}/{version}/class/{_class_slug(project, cls)}")
        add(dataset, VOID + "classPartition", partition)
        add(partition, VOID + "class", ox.NamedNode(cls))
        add(partition, VOID + "entities", lit(n, XSD + "integer"))
    if endpoint:
        add(dataset, VOID + "sparqlEndpoint", ox.NamedNode(endpoint))
        service = ox.NamedNode(f"{base}/{version}/sparql")
        add(dataset, DCAT + "distribution", service)
        add(service, RDF_TYPE, ox.NamedNode(DCAT + "Distribution"))
        add(service, DCAT + "accessURL", ox.NamedNode(endpoint))
        add(service, DCTERMS + "title", lit("SPARQL endpoint", lang="en"))
    add(publisher, RDF_TYPE, ox.NamedNode(FOAF + "Agent"))
    add(publisher, FOAF + "name", lit(conf["publisher"]))
    for item in distributions:
        node = ox.NamedNode(f"{base}/{version}/distribution/{_slug(item.name)}")
        checksum = ox.NamedNode(f"{node.value}/checksum")
        add(dataset, DCAT + "distribution", node)
        add(dataset, VOID + "dataDump", ox.NamedNode(download + item.name))
        add(node, RDF_TYPE, ox.NamedNode(DCAT + "Distribution"))
        add(node, DCTERMS + "title", lit(item.title or item.name, lang="en"))
        if item.description:
            add(node, DCTERMS + "description", lit(item.description, lang="en"))
        add(node, DCTERMS + "identifier", lit(item.name))
        add(node, DCAT + "downloadURL", ox.NamedNode(download + item.name))
        add(node, DCAT + "mediaType", ox.NamedNode(IANA + item.media_type))
        add(node, DCAT + "byteSize", lit(item.size, XSD + "nonNegativeInteger"))
        add(node, DCTERMS + "license", ox.NamedNode(CC_BY_4))
        add(node, SPDX + "checksum", checksum)
        add(checksum, RDF_TYPE, ox.NamedNode(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", lit(item.sha256, XSD + "hexBinary"))
    unique = {str(t): t for t in triples}
    ordered = [unique[k] for k in sorted(unique)]
    return exports.project_turtle(project, ordered)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]).strip("-") \
        or hashlib.sha1(text.encode()).hexdigest()[:8]


def _class_slug(project: Project, cls: str) -> str:
    """``foaf-Agent`` for foaf:Agent: unique where the local name alone is not."""
    for prefix, namespace in exports.export_prefixes(project).items():
        if cls.startswith(namespace):
            return f"{prefix}-{_slug(cls[len(namespace):])}"
    return _slug(cls) + "-" + hashlib.sha1(cls.encode()).hexdigest()[:8]


def citation(project: Project, version: str, issued: datetime.date) -> str:
    """A ``CITATION.cff`` (1.2.0) with the fields a DOI deposit of a dataset needs."""
    conf = settings(project)
    authors = conf["authors"] if isinstance(conf["authors"], list) else [conf["authors"]]
    document = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": conf["title"],
        "version": version,
        "date-released": issued.isoformat(),
        "authors": [{"name": str(a)} for a in authors],
        "license": "CC-BY-4.0",
        "abstract": conf["description"],
        "keywords": list(conf["keywords"]),
        "url": conf["url"],
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


# --------------------------------------------------------------------------- releases


@dataclass
class Release:
    """What :func:`release` wrote."""

    folder: Path
    version: str
    files: list[str]
    counts: Counts
    previous: Path | None


def _version_key(name: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-+]", name))


def previous_release(folder: Path, version: str) -> Path | None:
    """The latest release folder next to ``folder`` with a lower version, if any."""
    if not folder.parent.is_dir():
        return None
    earlier = [p for p in folder.parent.iterdir()
               if p.is_dir() and p != folder and (p / "description.ttl").is_file()
               and _version_key(p.name) < _version_key(version)]
    return max(earlier, key=lambda p: _version_key(p.name)) if earlier else None


def release(project: Project, store: ox.Store, version: str, folder: Path | None = None, *,
            issued: datetime.date | None = None, endpoint: str | None = None,
            progress: Any = None) -> Release:
    """Write a release folder for ``version`` (default ``PROJECT/releases/VERSION``).

    Raises:
        UsageError: a malformed version, or the folder exists already.
        StoreError: the folder cannot be written.
    """
    from hrgraph import diff as diffs

    say = progress or (lambda message: None)
    if not _VERSION.fullmatch(version):
        raise UsageError(f"version {version!r}: use letters, digits, '.', '-' or '+' (like 1.0.0)")
    folder = Path(folder) if folder else project.root / "releases" / version
    if folder.exists():
        raise UsageError(f"{folder} exists already: choose another version or folder")
    issued = issued or datetime.date.today()
    previous = previous_release(folder, version)
    partial = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    try:
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        quads = exports.export_quads(project, store)
        distributions = []
        for fmt in exports.FORMATS.values():
            name = f"hrgraph-{version}{fmt.suffix}"
            say(f"writing {name}")
            (partial / name).write_bytes(exports.serialize(project, quads, fmt))
            distributions.append(Distribution.of_file(
                partial / name, fmt.media_type, f"hrgraph {version} ({fmt.name})",
                CONTENTS.get(fmt.name, TRIPLES_ONLY)))
        for source in project.files_of_kind("ontology", "vocabulary", "shapes"):
            _copy(project, source.path, partial)
        context = exports.context_path(project)
        if context.is_file():
            _copy(project, context, partial)
        say("counting and describing")
        counts = count(project, quads)
        (partial / "description.ttl").write_bytes(description(
            project, counts, version, issued=issued, distributions=distributions,
            endpoint=endpoint))
        (partial / "CITATION.cff").write_text(citation(project, version, issued),
                                              encoding="utf-8")
        if previous is not None:
            say(f"comparing with {previous.name}")
            changes = diffs.diff(previous, partial)
            (partial / "CHANGELOG.md").write_text(
                changelog(version, previous.name, issued, changes), encoding="utf-8")
        partial.rename(folder)
    except OSError as exc:
        raise StoreError(f"cannot write the release folder {folder}: "
                         f"{exc.strerror or exc}") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return Release(folder, version, files, counts, previous)


def _copy(project: Project, path: Path, target: Path) -> None:
    destination = target / path.resolve().relative_to(project.root)
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, destination)


def changelog(version: str, previous: str, issued: datetime.date, changes: Any) -> str:
    """CHANGELOG.md of a release: the diff against the previous release, in words."""
    lines = [f"# hrgraph {version} ({issued.isoformat()})", "",
             f"Changes since {previous}:", ""]
    lines += [f"- {line}" for line in changes.to_text().splitlines()]
    return "\n".join(lines) + "\n"
