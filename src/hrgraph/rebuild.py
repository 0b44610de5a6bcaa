"""Rebuild only what changed: the graphs of changed data files, what they entail, what they can
make valid or invalid.

Every build leaves a manifest in the store's directory (:data:`hrgraph.store.MANIFEST`): the
size, modification time and SHA-256 of each file it loaded, the triples per graph, and the
validation results. The next ``build`` compares the files with it (size and time first, the
checksum when they differ, as git does) and, when only data files changed, copies the current
store (hard links), replaces the changed graphs, updates the inferred graph from the change
alone (:func:`hrgraph.reason.update`), and validates again only what the change can reach
(:func:`hrgraph.validate.revalidate`). The result is the store and the report a full build
would give (``tests/test_rebuild.py`` compares them), published the same way.

A full build is done instead when there is no usable manifest, when the ontology, the
vocabularies, the shapes, the SPARQL checks, the confidential contributions or the hrgraph
version changed, when a changed file states axioms (``rdfs:subClassOf`` and the like, or a
link edge of a property chain: ``skos:broader``, which closes ``hrg:topic``;
:func:`hrgraph.privacy.replace_graphs` finds those), or when the changed files are a large
share of the data (then loading everything is faster). A change to ``skos:broader`` in a
vocabulary file is a full build like any vocabulary change.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from hrgraph import __version__, contribute, load, privacy, reason
from hrgraph import store as stores
from hrgraph.project import Project, SourceFile
from hrgraph.query import list_checks
from hrgraph.validate import ValidationReport, ValidationResult, revalidate

#: Bumped when the manifest or the store layout changes: an older manifest means a full build.
#: 2: triples of or about confidential resources are kept in private graphs.
FORMAT = 2
#: Above this share of the data's bytes in changed files, a full build is faster.
MAX_CHANGED_SHARE = 0.25


@dataclass
class Plan:
    """What changed since the last build."""

    changed: list[SourceFile] = field(default_factory=list)  # new or modified data files
    deleted: dict[str, str] = field(default_factory=dict)  # path -> graph of a removed file
    fingerprints: dict[str, dict] = field(default_factory=dict)  # of every file, for the manifest

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not self.changed and not self.deleted


def _relative(project: Project, path: Path) -> str:
    return path.resolve().relative_to(project.root).as_posix()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(path: Path, known: dict | None = None) -> dict:
    """Size, modification time and SHA-256 of a file; the checksum is taken from ``known`` when
    size and time are the same."""
    stat = path.stat()
    print_ = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    if known and all(known.get(k) == v for k, v in print_.items()) and "sha256" in known:
        return {**print_, "sha256": known["sha256"]}
    return {**print_, "sha256": _sha256(path)}


def _private_files(project: Project) -> dict[str, str]:
    return {p.name: _sha256(p) for p in contribute.private_files(project)}


def _checks(project: Project) -> dict[str, str]:
    """The SHA-256 of each SPARQL check's text: results of an unchanged check are kept."""
    return {c.name: hashlib.sha256(c.text.encode()).hexdigest() for c in list_checks(project)}


def plan(project: Project, sources: list[SourceFile]) -> tuple[Plan | None, str]:
    """Compare the files with the current store's manifest.

    Returns:
        ``(plan, "")`` when an incremental rebuild can bring the store up to date, else
        ``(None, why)`` (``why`` is empty when there is no store yet).
    """
    if not (project.store_path / "CURRENT").is_file():
        return None, ""  # the first build
    manifest = stores.read_manifest(project.store_path)
    if manifest is None:
        return None, "no manifest of an earlier build"
    if manifest.get("format") != FORMAT or manifest.get("hrgraph") != __version__:
        return None, "the store was built by another version of hrgraph"
    if manifest.get("private") != _private_files(project):
        return None, "the confidential contributions changed"
    if manifest.get("checks") != _checks(project):
        return None, "the SPARQL checks changed"
    known: dict[str, dict] = manifest.get("files", {})
    result = Plan()
    changed_bytes = total_bytes = 0
    for source in sources:
        rel = _relative(project, source.path)
        before = known.get(rel)
        now = fingerprint(source.path, before)
        result.fingerprints[rel] = {**now, "graph": source.graph, "kind": source.kind}
        if source.kind == "data":
            total_bytes += now["size"]
        if before and before.get("sha256") == now["sha256"] and before.get("graph") == source.graph:
            continue
        if source.kind != "data":
            return None, f"{rel} changed (only data files are rebuilt alone)"
        result.changed.append(source)
        changed_bytes += now["size"]
    for rel, before in known.items():
        if rel not in result.fingerprints:
            if before.get("kind") != "data":
                return None, f"{rel} was removed (only data files are rebuilt alone)"
            result.deleted[rel] = before["graph"]
    if total_bytes and changed_bytes > MAX_CHANGED_SHARE * total_bytes:
        return None, "most of the data changed"
    return result, ""


def manifest(project: Project, fingerprints: dict[str, dict], graphs: dict[str, int],
             report: ValidationReport) -> dict:
    """The manifest a build leaves in its store (see the module docstring)."""
    return {"format": FORMAT, "hrgraph": __version__, "files": fingerprints,
            "private": _private_files(project), "checks": _checks(project), "graphs": graphs,
            "results": [dataclasses.asdict(r) for r in report.results]}


def fingerprints_of(project: Project, sources: list[SourceFile]) -> dict[str, dict]:
    """The manifest's record of every file (for a full build)."""
    return {_relative(project, s.path): {**fingerprint(s.path), "graph": s.graph, "kind": s.kind}
            for s in sources}


class NeedsFullBuild(Exception):
    """Raised by :func:`apply` when the change turns out to need a full build."""


@dataclass
class Rebuilt:
    """What :func:`apply` changed and the report after it."""

    graphs: dict[str, int]
    inferred: int
    report: ValidationReport
    removed: int
    added: int
    #: The triples removed from and added to the public graphs (for hrgraph.similar.update).
    changes: list = field(default_factory=list)


def parse_changed(project: Project, change: Plan, *, allow_remote: bool) -> list[list[ox.Quad]]:
    """The changed files parsed (before anything is written: a bad file stops the build).

    Raises:
        InputError: a file is unusable.
    """
    return [load.parse_file(project, s.path, graph=s.graph, allow_remote=allow_remote)
            for s in change.changed]


def states_axioms(parsed: list[list[ox.Quad]]) -> bool:
    """Whether any of the quads is an axiom (then the closure must be computed again whole)."""
    return reason.states_axioms(q.predicate for quads in parsed for q in quads)


def apply(project: Project, store: ox.Store, change: Plan, parsed: list[list[ox.Quad]],
          previous: dict) -> Rebuilt:
    """Bring a copy of the last build's store up to date with the changed files.

    The changed graphs (and their private twins) are replaced, confidential triples split off
    again everywhere (a change may make a resource confidential, or no longer), and both
    inferred graphs brought up to date (:func:`hrgraph.privacy.replace_graphs`).
    """
    graphs = dict(previous.get("graphs", {}))
    changes = {s.graph: quads for s, quads in zip(change.changed, parsed, strict=True)}
    changes.update({graph: [] for graph in change.deleted.values()})
    try:
        done = privacy.replace_graphs(project, store, changes)
    except privacy.AxiomsChanged:
        raise NeedsFullBuild("a changed file stated axioms") from None
    for graph in done.touched:
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} "
                           "{ ?s ?p ?o } }")
        count = int(next(iter(rows))["n"].value)
        if count:
            graphs[graph] = count
        else:
            graphs.pop(graph, None)
    removed, added = done.removed, done.added

    previous_results = [ValidationResult(**r) for r in previous.get("results", [])]
    report = revalidate(project, store, previous_results, [*removed, *added], done.inferred,
                        files=set(changes))
    return Rebuilt(graphs=dict(sorted(graphs.items())), inferred=graphs.get(
        project.inferred_graph, 0), report=report, removed=len(removed), added=len(added),
        changes=[*removed, *added])
