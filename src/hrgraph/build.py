"""Build the project's store: load every file, reason, validate, and swap the new store in.

    files → load into a new store next to the old one → reason → validate → swap in by renaming

So a failed or interrupted build (a bad file among them) leaves the old store exactly as it was.
The search index (:mod:`hrgraph.search`) is written into the new store's directory before the
swap, so it swaps in with its store.
A store with SHACL violations is still swapped in (so that it can be queried to find the
problem); the summary counts them and the CLI exits with 1.

Before reasoning, every triple of or about a confidential resource is moved into a private graph
(:func:`hrgraph.privacy.split`), so what it entails lands in the private inferred graph, and
validation reads only the public graphs (what is published is what is checked; `hrgraph validate
FILE` checks a confidential file itself).
"""

from __future__ import annotations

import gc
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from hrgraph import contribute, load, privacy, reason, rebuild, search, similar, summaries
from hrgraph import progress as bars
from hrgraph import store as stores
from hrgraph.errors import InputError
from hrgraph.project import Project, SourceFile
from hrgraph.validate import (
    VALIDATED_KINDS,
    ValidationReport,
    graph_kind,
    validate_in_parts,
    validate_store,
)

FOAF_AGENT = "http://xmlns.com/foaf/0.1/Agent"

#: Above this many bytes of validated input (about two million triples of N-Triples), the build
#: validates a part at a time (:func:`hrgraph.validate.validate_in_parts`): memory bounded by the
#: largest part instead of two copies of the whole graph, at the cost of reading each part's
#: context (at a million triples, the whole graph at once is faster).
PARTS_ABOVE = 400_000_000

Progress = Callable[[str], None]


@dataclass
class BuildSummary:
    """What a build produced."""

    graphs: dict[str, int]  # triples per named graph
    files: int
    inferred: int
    demands: int
    actors: int
    documents: int
    violations: int
    warnings: int
    seconds: float
    report: ValidationReport | None = field(default=None, repr=False)

    @property
    def triples(self) -> int:
        """Triples in all graphs together."""
        return sum(self.graphs.values())

    @property
    def conforms(self) -> bool:
        """True unless validation found a violation."""
        return not self.violations

    def to_text(self) -> str:
        """A short human-readable summary."""
        lines = [
            f"loaded {self.files} files into {len(self.graphs)} graphs: {self.triples} triples "
            f"({self.inferred} inferred)",
            f"demands: {self.demands}, actors: {self.actors}, documents: {self.documents}",
        ]
        lines.append(f"validation: {self.violations} violations, {self.warnings} warnings")
        lines.append(f"done in {self.seconds:.2f} s")
        return "\n".join(lines)


def build(project: Project, *, progress: Progress | None = None,
          allow_remote: bool = False, full: bool = False) -> BuildSummary:
    """Build the project's store from its files.

    When only data files changed since the last build, only they are loaded again, and only
    what they can affect is reasoned over and validated (:mod:`hrgraph.rebuild`); the store and
    the report are the same as a full build's.

    Args:
        project: what to build.
        progress: called with a short message before each step (for a progress display).
        allow_remote: let JSON-LD files name remote contexts (see :mod:`hrgraph.guard`).
        full: load everything again, whatever changed.

    Raises:
        InputError: a file is unusable (the store is left unchanged).
        StoreError: the store is locked by another process or cannot be written.
    """
    with stores.writer_lock(project):  # one writer at a time (see hrgraph.store)
        started = time.perf_counter()
        say = progress or (lambda message: None)
        sources = [f for f in project.source_files() if not load.is_context_document(f.path)]
        if not sources:
            raise InputError(f"no RDF files found under {project.ontology_dir}, "
                             f"{project.shapes_dir} or {project.data_dir}")
        stores.ensure_unlocked(project.store_path)
        if not full:
            change, why = rebuild.plan(project, sources)
            if change is not None:
                summary = _rebuild(project, sources, change, say=say, allow_remote=allow_remote)
                if summary is not None:
                    summary.seconds = time.perf_counter() - started
                    return summary
            elif why:
                say(f"building everything: {why}")
        summary = _build(project, sources, say=say, allow_remote=allow_remote)
        summary.seconds = time.perf_counter() - started
        return summary


def _rebuild(project: Project, sources: list, change: rebuild.Plan, *, say: Progress,
             allow_remote: bool) -> BuildSummary | None:
    """An incremental build (see :mod:`hrgraph.rebuild`); None when a full build is needed."""
    files = [rebuild._relative(project, s.path) for s in change.changed] + list(change.deleted)
    say(f"rebuilding {len(files)} changed files" + (f": {', '.join(files[:5])}" if files else "")
        + ("…" if len(files) > 5 else ""))
    parsed = rebuild.parse_changed(project, change, allow_remote=allow_remote)
    if rebuild.states_axioms(parsed):
        say("building everything: a changed file states axioms")
        return None
    previous = stores.read_manifest(project.store_path) or {}
    new_path = stores.new_store_path(project)
    try:
        stores.discard(new_path)
        current = stores.open_store_at(project.store_path, read_only=True)
        try:
            current.backup(str(new_path))
        finally:
            del current
        store = stores.open_store_at(new_path)
        try:
            done = rebuild.apply(project, store, change, parsed, previous)
        except rebuild.NeedsFullBuild as reason_:
            say(f"building everything: {reason_}")
            return None
        say("suggesting similar demands")
        similar.update(project, store, done.changes)
        done.graphs = _with_count(store, done.graphs, similar.graph_iri(project))
        say("counting")
        summary = BuildSummary(
            graphs=done.graphs, files=len(sources), inferred=done.inferred,
            demands=_count_instances(store, project.ontology_ns + "Demand"),
            actors=_count_instances(store, FOAF_AGENT),
            documents=_count_instances(store, project.ontology_ns + "Document"),
            violations=done.report.violations, warnings=done.report.warnings, seconds=0.0,
            report=done.report)
        stores.write_manifest(new_path, rebuild.manifest(project, change.fingerprints,
                                                         done.graphs, done.report))
        say("updating the search index")  # after the manifest: the index records it
        search.update_index(project, store, new_path, done.changes,
                            stores.current_generation(project.store_path))
        summaries.update_summary(project, store, new_path, done.changes,
                                 stores.current_generation(project.store_path))
        say("swapping the new store in")
        stores.close(store)
        del store
        gc.collect()
        stores.replace_store(project, new_path)
    except BaseException as error:
        store = None  # noqa: F841 - drop this frame's reference; _release clears the others
        _release(error)
        raise
    finally:
        stores.discard(new_path)
    return summary


def _build(project: Project, sources: list, *, say: Progress,
           allow_remote: bool) -> BuildSummary:
    fingerprints = rebuild.fingerprints_of(project, sources)  # before parsing: a file changed
    # while the build runs is then seen as changed by the next one
    say(f"parsing {len(sources)} files")
    # Large N-Triples and Turtle files go straight from their bytes into the stores (Rust does
    # it all); the others are parsed into quads first, so a bad one stops the build early.
    plain: list[tuple[SourceFile, bytes, ox.RdfFormat]] = []
    quads: list[ox.Quad] = []
    validated_bytes = 0
    with bars.bar(total=len(sources), desc="parsing", unit="file") as shown:
        for source in sources:
            data = load.read_limited(project, source.path)
            if source.kind in VALIDATED_KINDS:
                validated_bytes += len(data)
            fmt = load.bulk_format(source.path, data)
            if fmt is not None:
                plain.append((source, data, fmt))
            else:
                quads.extend(load.parse_file(project, source.path, graph=source.graph,
                                             allow_remote=allow_remote))
            shown.update()

    # Confidential contributions (.hrgraph/private/) keep their private graphs across builds.
    quads.extend(contribute.private_quads(project))

    new_path = stores.new_store_path(project)
    try:
        say(f"loading {sum(len(d) for _, d, _ in plain):,} bytes and {len(quads):,} triples")
        store = stores.create_store(new_path)
        # What validation reads (data, ontology, vocabularies) also goes into an in-memory
        # store, in its default graph: the SHACL engine reads that natively, and loading it from
        # the same input is faster than copying it out of the store afterwards. A graph too
        # large to hold twice is validated a part at a time instead (validate_in_parts).
        checked = None if validated_bytes > PARTS_ABOVE else ox.Store()
        for source, data, fmt in plain:
            load.bulk_load(project, store, source.path, data, fmt, graph=source.graph)
            if source.kind in VALIDATED_KINDS and checked is not None:
                load.bulk_load(project, checked, source.path, data, fmt, graph=ox.DefaultGraph())
        del plain
        stores.add_quads(store, quads)
        if checked is not None:
            checked.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads
                                if graph_kind(project, q.graph_name) in VALIDATED_KINDS)
        del quads
        moved = privacy.split(project, store)
        if moved:
            say(f"keeping {len(moved.to_private):,} triples of or about confidential resources "
                "in private graphs")
            if checked is not None:
                _leave_unchecked(project, store, checked, moved.to_private)
        say("reasoning")
        inferred = reason.materialise(project, store)
        contribute.materialise_private(project, store)
        say("suggesting similar demands")
        similar.rebuild_graph(project, store)
        say("validating")
        if checked is None:
            with bars.bar(desc="validating", unit="triple") as shown:
                def moved_on(done: int, total: int) -> None:
                    shown.total = total
                    shown.update(done - shown.n)
                report = validate_in_parts(project, store, progress=moved_on)
        else:
            report = validate_store(project, store, snapshot=checked)
        del checked
        say("counting")
        summary = BuildSummary(
            graphs=stores.graph_counts(store),
            files=len(sources),
            inferred=inferred,
            demands=_count_instances(store, project.ontology_ns + "Demand"),
            actors=_count_instances(store, FOAF_AGENT),
            documents=_count_instances(store, project.ontology_ns + "Document"),
            violations=report.violations,
            warnings=report.warnings,
            seconds=0.0,
            report=report,
        )
        stores.write_manifest(new_path, rebuild.manifest(project, fingerprints, summary.graphs,
                                                         report))
        say("indexing for search")  # after the manifest: the index records it
        search.build_index(project, store, new_path)
        say("summarising the demands")
        summaries.build_summary(project, store, new_path)
        say("swapping the new store in")
        stores.close(store)
        del store
        stores.replace_store(project, new_path)
    except BaseException as error:
        store = None  # noqa: F841 - drop this frame's reference; _release clears the others
        _release(error)
        raise
    finally:
        stores.discard(new_path)
    return summary


def _release(error: BaseException) -> None:
    """Let a failed build's new store close before its folder is removed: an open RocksDB store
    may write into its folder again after the removal (a ``store.new-*`` folder was left behind),
    and the frames the exception holds keep it open (their locals are cleared; the traceback
    still shows where it happened). The failing frame drops its own reference first."""
    traceback.clear_frames(error.__traceback__)
    gc.collect()


def _leave_unchecked(project: Project, store: ox.Store, checked: ox.Store,
                     private: list[ox.Quad]) -> None:
    """Take the triples that went private out of the snapshot validation reads (unless a public
    graph still holds them)."""
    for quad in private:
        if not any(graph_kind(project, q.graph_name) in VALIDATED_KINDS
                   for q in store.quads_for_pattern(quad.subject, quad.predicate, quad.object)):
            checked.remove(ox.Quad(quad.subject, quad.predicate, quad.object))


def _with_count(store: ox.Store, graphs: dict[str, int], graph: str) -> dict[str, int]:
    """``graphs`` (triples per graph) with ``graph`` counted again (left out when empty)."""
    # counted by the store: iterating the quads in Python took 4.6 s for 580k at 1M
    found = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} "
                        "{ ?s ?p ?o } }")
    count = int(next(iter(found))["n"].value)
    counts = {g: n for g, n in graphs.items() if g != graph}
    if count:
        counts[graph] = count
    return dict(sorted(counts.items()))


def _count_instances(store: ox.Store, cls: str) -> int:
    """Distinct instances of a class, counting asserted and inferred types."""
    # str(NamedNode) is the IRI in <…>, checked by pyoxigraph: safe to put into the query text.
    sparql = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {ox.NamedNode(cls)} }}"
    rows = stores.query(store, sparql)
    return int(next(iter(rows))["n"].value)
