"""Contributions: check a file in the context of the graph, then merge it atomically.

    file (RDF, or a spreadsheet: hrgraph.spreadsheet) → parse (hrgraph.load, with its guard)
      → safety checks (namespace, only-add) → duplicate names (hrgraph.names: a likely
        duplicate is a violation, a possible one a warning)
      → normalised Turtle with a PROV-O record, written to a temporary file
      → SHACL + checks in the context of the whole graph (hrgraph.validate.validate_files)
      → journal → one store transaction (the contribution's graph + what it newly entails)
      → rename into data/contributions/<id>.ttl (or .hrgraph/private/contributions/ when
        confidential) → journal removed

Both or neither: until the store transaction commits, a failure (a violation, a syntax error, an
exception, a killed process, a full disk) leaves ``data/`` and the store as they were: the
temporary file lives in ``.hrgraph/tmp/``, never in ``data/``. A process killed after the
transaction and before the rename leaves a journal entry in ``.hrgraph/pending/``; the next
``add``, ``remove`` or ``contributions`` finishes the rename (:func:`recover`).

A contribution is confidential when the caller says so or when any of its resources carries
``hrg:confidential true``. Its file then goes to the git-ignored ``.hrgraph/private/`` and its
graph is named under ``<graph base>private/``, which no reader shows unless asked
(:mod:`hrgraph._query_worker`, export, the web pages). A public contribution's triples of or about
a confidential resource go to its private twin ``<graph base>private/data/contributions/<id>``
(:func:`hrgraph.privacy.split`), and what the private graphs entail beyond the public inferred
graph to ``<graph base>private/inferred`` (:func:`materialise_private`). ``add`` warns when a
name of a confidential resource appears in public text (:func:`confidential_name_warnings`):
such text is not made private.

Why one module: a merge is atomic only through the journal, the staged files, the store transaction
and recovery together, and they must be read together to see that every failure point is undone.
The seam if it grows: the checks of a contribution against the graph (duplicates, safety), which
need none of the merge machinery.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from hrgraph import load, privacy, reason, search, similar, spreadsheet, summaries
from hrgraph import store as stores
from hrgraph.errors import InputError, StoreError, UsageError
from hrgraph.locate import locate_subjects
from hrgraph.names import NameMatch, matches
from hrgraph.project import Project
from hrgraph.validate import (
    ValidationReport,
    ValidationResult,
    context_quads,
    validate_store,
)

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "AddResult",
    "ContributionInfo",
    "Prepared",
    "add_contribution",
    "add_prepared",
    "list_contributions",
    "materialise_private",
    "private_files",
    "private_quads",
    "recover",
    "remove_contribution",
    "source_contribution",
]

#: Contributions larger than this are refused (bytes); ``hrgraph.toml`` ``[contributions]
#: max_bytes`` or ``--max-bytes`` change it.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
FOAF_PERSON = "http://xmlns.com/foaf/0.1/Person"
ORG_ORGANIZATION = "http://www.w3.org/ns/org#Organization"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
SPDX = "http://spdx.org/rdf/terms#"
SPREADSHEET_SUFFIXES = {".csv", ".xlsx"}

#: Where a test (or an operator drill) can make ``add`` fail on purpose: ``after-write`` (the
#: temporary file is written, the store not yet touched) or ``after-load`` (the store holds the
#: contribution, the file is not yet renamed). ``HRGRAPH_FAIL_MODE=kill`` ends the process at once
#: (as ``kill -9`` would) instead of raising.
FAIL_AT_ENV = "HRGRAPH_FAIL_AT"
FAIL_MODE_ENV = "HRGRAPH_FAIL_MODE"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ContributionInfo:
    """A merged contribution, as its PROV-O record describes it."""

    id: str
    graph: str
    path: Path
    confidential: bool
    created: str
    contributor: str | None
    source_file: str | None
    source_url: str | None
    sha256: str | None
    message: str | None
    #: Files the contribution wrote besides its own (project-relative paths, such as the stored
    #: text copy of an imported document: :func:`add_prepared`); removed with it.
    files: tuple[str, ...] = ()


@dataclass
class AddResult:
    """What ``add`` found and did. ``merged`` is False for a dry run and when it was refused."""

    id: str
    graph: str
    path: Path
    confidential: bool
    triples: int
    report: ValidationReport
    duplicates: list[NameMatch] = field(default_factory=list)
    dry_run: bool = False
    merged: bool = False
    #: Public text naming a confidential resource (:func:`confidential_name_warnings`).
    name_warnings: list[str] = field(default_factory=list)
    #: What each reference cell of a spreadsheet resolved to (empty for RDF files).
    resolutions: list[spreadsheet.Resolution] = field(default_factory=list)
    #: Where the contributed file defines each of its subjects (IRI → ``file:line``, or the
    #: sheet and row of a spreadsheet), for messages that name one (:func:`_locations`).
    locations: dict[str, str] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """True when nothing is a violation (warnings do not count)."""
        return self.report.conforms

    def resolutions_text(self) -> str:
        """One line per reference cell: sheet, row, column, text → IRI (how it was matched)."""
        if not self.resolutions:
            return ""
        return "\n".join(["What the references resolved to:",
                          *(f"  {r}" for r in self.resolutions)])

    def to_text(self, project: Project) -> str:
        """The validation report, duplicate warnings and what happened, for people."""
        lines = [self.report.to_text()]
        for match in self.duplicates:
            where = self.locations.get(match.new_entity or "")
            lines.append(f"Warning: {where + ': ' if where else ''}{match.new_name!r} may be "
                         f"{match.entity} (known as {match.name!r}); if it is, refer to that "
                         "IRI instead of a new one.")
        lines += [f"Warning: {warning}" for warning in self.name_warnings]
        if self.merged:
            shown = _display(project, self.path)
            lines.append(f"Merged {self.triples} triples as contribution {self.id} "
                         f"into {shown} (graph <{self.graph}>).")
        elif self.dry_run and self.conforms:
            lines.append(f"Dry run: {self.triples} triples would be merged as {self.id}; "
                         "nothing was written.")
        elif not self.conforms:
            lines.append("Nothing was merged: fix the violations above and try again.")
        return "\n".join(lines)


# --------------------------------------------------------------------------- locations


def contributions_dir(project: Project) -> Path:
    """Public contributions: ``data/contributions/`` (loaded by ``build`` like any data file)."""
    return project.data_dir / "contributions"


def private_dir(project: Project) -> Path:
    """Confidential contributions: ``.hrgraph/private/contributions/`` (git-ignored)."""
    return project.root / ".hrgraph" / "private" / "contributions"


def _work_dir(project: Project, name: str) -> Path:
    path = project.root / ".hrgraph" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _graph_of(project: Project, contribution_id: str, confidential: bool) -> str:
    if confidential:
        return project.private_base + "contributions/" + contribution_id
    return project.graph_base + "data/contributions/" + contribution_id


def _final_path(project: Project, contribution_id: str, confidential: bool) -> Path:
    folder = private_dir(project) if confidential else contributions_dir(project)
    return folder / f"{contribution_id}.ttl"


def _display(project: Project, path: Path) -> str:
    resolved = path.resolve()
    if resolved.is_relative_to(project.root):
        return resolved.relative_to(project.root).as_posix()
    return str(path)


def max_bytes_of(project: Project) -> int:
    """The size limit for contributions from ``hrgraph.toml`` (``[contributions] max_bytes``)."""
    value = project.settings.get("contributions", {}).get("max_bytes", DEFAULT_MAX_BYTES)
    return int(value)


# --------------------------------------------------------------------------- adding


def add_contribution(project: Project, file: str | os.PathLike, *,
                     source_url: str | None = None, contributor: str | None = None,
                     message: str | None = None, dry_run: bool = False,
                     confidential: bool = False, allow_remote: bool = False,
                     max_bytes: int | None = None,
                     now: datetime.datetime | None = None) -> AddResult:
    """Validate ``file`` in the context of the graph and, unless ``dry_run`` or it has a
    violation, merge it: file and named graph both, or neither (see the module docstring).

    Args:
        project: the project; its store must have been built.
        file: Turtle, JSON-LD, N-Triples, N-Quads, TriG, RDF/XML, or a ``.csv`` / ``.xlsx`` in
            the template of ``docs/contributing.md``.
        source_url: where the contributed facts come from (``prov:wasDerivedFrom``).
        contributor: a person's name, an organisation or a pseudonym, recorded as given.
        message: why, in a sentence (``dcterms:description``).
        dry_run: check only; write nothing.
        confidential: treat as confidential even without ``hrg:confidential true`` in the file.
        allow_remote: let JSON-LD name remote contexts.
        max_bytes: refuse larger files (default :func:`max_bytes_of`).
        now: the time to record (tests).

    Raises:
        InputError: the file is unusable (missing, too big, malformed, refused by the guard).
        StoreError: the store is missing, locked, or cannot be written.
    """
    path = Path(file)
    limit = max_bytes if max_bytes is not None else max_bytes_of(project)
    shown = _display(project, path)
    if spreadsheet.is_spreadsheet(path):  # .xlsx, .zip or folder of CSV, one .csv
        data = spreadsheet.source_bytes(path, shown=shown, max_bytes=limit)
    else:
        data = _read_limited(path, shown=shown, max_bytes=limit)
    digest = hashlib.sha256(data).hexdigest()
    now = now or datetime.datetime.now(datetime.timezone.utc)
    contribution_id = now.strftime("%Y%m%dT%H%M%SZ") + "-" + digest[:8]

    if not (project.store_path / "CURRENT").is_file():
        raise StoreError(f"no store at {project.store_path}: run `hrgraph build` first")
    # A merge holds the writer lock from reading the current store to publishing the new one;
    # the published store is only read (copy-on-write, see hrgraph.store).
    with contextlib.nullcontext() if dry_run else stores.writer_lock(project):
        return _add_locked(project, path, data, digest=digest, now=now, shown=shown, limit=limit,
                           contribution_id=contribution_id, source_url=source_url,
                           contributor=contributor, message=message, dry_run=dry_run,
                           confidential=confidential, allow_remote=allow_remote)


@dataclass(frozen=True)
class Prepared:
    """Triples an importer made from a file (:func:`add_prepared`): ``places`` says where in
    the file each subject comes from (IRI → "table 1, row 3"), for the messages; ``files`` are
    files the contribution writes besides its own (project-relative path → bytes, such as the
    stored text copy of an imported document), written with it and removed with it."""

    triples: list[ox.Triple]
    places: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, bytes] = field(default_factory=dict)


def add_prepared(project: Project, prepared: Prepared, *, source_name: str, source_bytes: bytes,
                 shown: str | None = None, source_url: str | None = None,
                 contributor: str | None = None, message: str | None = None,
                 dry_run: bool = False, now: datetime.datetime | None = None) -> AddResult:
    """Check and merge triples an importer made from a file, as :func:`add_contribution` does a
    file of triples: the same checks in the context of the graph, the same atomic merge (its
    ``files`` too: staged in ``.hrgraph/tmp/``, renamed into place only once the store holds the
    contribution, and finished or undone by :func:`recover`), removable by
    :func:`remove_contribution` (which deletes those files again), and a PROV-O record naming
    ``source_name`` and the SHA-256 of ``source_bytes`` (the original file).

    Raises:
        InputError: a file to write exists with other content, or is not under ``data/``.
        StoreError: the store is missing, locked, or cannot be written.
    """
    digest = hashlib.sha256(source_bytes).hexdigest()
    now = now or datetime.datetime.now(datetime.timezone.utc)
    contribution_id = now.strftime("%Y%m%dT%H%M%SZ") + "-" + digest[:8]
    for rel, content in prepared.files.items():
        target = project.root / rel
        if not target.resolve().is_relative_to(project.data_dir.resolve()):
            raise InputError(f"{rel}: an imported file must be written under data/")
        if target.exists() and target.read_bytes() != content:
            raise InputError(f"{rel} exists with other content: an import does not overwrite "
                             "a file; move it away (or remove the contribution that wrote it)")
    if not (project.store_path / "CURRENT").is_file():
        raise StoreError(f"no store at {project.store_path}: run `hrgraph build` first")
    with contextlib.nullcontext() if dry_run else stores.writer_lock(project):
        return _add_locked(project, Path(source_name), source_bytes, digest=digest, now=now,
                           shown=shown or source_name, limit=max_bytes_of(project),
                           contribution_id=contribution_id, source_url=source_url,
                           contributor=contributor, message=message, dry_run=dry_run,
                           confidential=False, allow_remote=False, prepared=prepared)


def source_contribution(project: Project, sha256: str) -> ContributionInfo | None:
    """The merged contribution whose record gives ``sha256`` as its source file's checksum."""
    return next((c for c in list_contributions(project) if c.sha256 == sha256), None)


def _add_locked(project: Project, path: Path, data: bytes, *, digest: str,
                now: datetime.datetime, shown: str, limit: int, contribution_id: str,
                source_url: str | None, contributor: str | None, message: str | None,
                dry_run: bool, confidential: bool, allow_remote: bool,
                prepared: Prepared | None = None) -> AddResult:
    generation = Path(stores.current_generation(project.store_path))
    store = stores.open_store_at(generation, read_only=True)
    try:
        if not dry_run:
            recover(project, store)
        scratch_graph = project.graph_base + "data/contributions/" + contribution_id
        sheet = None
        if prepared is not None:  # an importer's triples (hrgraph.upr_import)
            scratch = ox.NamedNode(scratch_graph)
            quads = [ox.Quad(t.subject, t.predicate, t.object, scratch)
                     for t in prepared.triples]
        elif spreadsheet.is_spreadsheet(path):  # rows → triples; errors name sheet/row/column
            sheet = spreadsheet.read_contribution(project, path, store, shown=shown)
            quads = sheet.quads(scratch_graph)
        else:
            quads = _parse(project, path, store, graph=scratch_graph,
                           allow_remote=allow_remote, max_bytes=limit)
        flag = ox.NamedNode(project.ontology_ns + "confidential")
        confidential = confidential or any(
            q.predicate == flag and isinstance(q.object, ox.Literal) and q.object.value in
            ("true", "1") for q in quads)
        graph = _graph_of(project, contribution_id, confidential)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        problems = _safety_problems(project, store, triples, graph, confidential)
        found = _duplicates(project, store, triples, confidential)
        problems += [_duplicate_problem(project, m, triples, store)
                     for m in found if m.level == "high"]
        duplicates = [m for m in found if m.level != "high"]
        name_warnings = confidential_name_warnings(project, store, triples, confidential)

        files = dict(prepared.files) if prepared else {}
        record = _record(project, graph, confidential=confidential, created=now,
                         contributor=contributor, source_name=path.name, source_url=source_url,
                         sha256=digest, message=message, files=files)
        text = normalised_turtle(project, [*triples, *record], header=(
            f"Contribution {contribution_id}" + (f": {message}" if message else "")))
        temp = _work_dir(project, "tmp") / f"{contribution_id}.ttl"
        _write_synced(temp, text)
        try:
            merged_quads = load.parse_file(project, temp, graph=graph, max_bytes=limit * 4 + 65536)
            report = validate_in_context(project, store, merged_quads, scratch_graph,
                                         generation=generation)
            lines = {} if sheet or prepared else locate_subjects(path)
            places = {iri: f"{shown}, {where}" for iri, where in prepared.places.items()} \
                if prepared else {}
            report = _with_problems(report, problems, shown=shown, project=project,
                                    subjects={t.subject for t in triples}, sheet=sheet,
                                    lines=lines, places=places)
            final = _final_path(project, contribution_id, confidential)
            result = AddResult(contribution_id, graph, final, confidential, len(merged_quads),
                               report, duplicates, dry_run=dry_run, name_warnings=name_warnings,
                               resolutions=sheet.resolutions if sheet else [],
                               locations=places or _locations(triples, shown, sheet, lines))
            if dry_run or not report.conforms:
                return result
            _merge(project, store, temp, final, merged_quads, contribution_id, files=files)
            result.merged = True
            return result
        finally:
            temp.unlink(missing_ok=True)  # gone already when merged
    finally:
        del store


def _read_limited(path: Path, *, shown: str, max_bytes: int) -> bytes:
    try:
        if path.is_dir():
            raise InputError("is a directory, not a contribution file", path=shown)
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("file not found", path=shown) from None
    if size > max_bytes:
        raise InputError(f"file is {size:,} bytes, more than the limit of {max_bytes:,} for a "
                         "contribution; split it, or raise [contributions] max_bytes in "
                         "hrgraph.toml", path=shown)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=shown) from None


def _parse(project: Project, path: Path, store: ox.Store, *, graph: str, allow_remote: bool,
           max_bytes: int) -> list[ox.Quad]:
    """The contribution's quads, all in ``graph`` (a quad format may not name other graphs)."""
    quads = load.parse_file(project, path, graph=graph, allow_remote=allow_remote,
                            max_bytes=max_bytes)
    target = ox.NamedNode(graph)
    return [q if q.graph_name == target else ox.Quad(q.subject, q.predicate, q.object, target)
            for q in quads]


# --------------------------------------------------------------------------- safety checks


def _problem(focus: str, message: str, path: str | None = None,
             value: str | None = None) -> ValidationResult:
    return ValidationResult("Violation", focus, path, value, message, None,
                            "hrgraph contribution check")


def _existing(store: ox.Store, project: Project, subject: ox.NamedNode,
              confidential: bool) -> list[ox.Quad]:
    """What the graph already says about ``subject`` (asserted, in data graphs)."""
    allowed = (project.graph_base + "data/", project.graph_base + "ontology/")
    if confidential:  # a confidential contribution may build on confidential data
        allowed += (project.private_base,)
    return [q for q in store.quads_for_pattern(subject, None, None)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(allowed)
            and q.graph_name.value != project.private_inferred_graph]


def _types(store: ox.Store, subject: ox.NamedNode) -> set[str]:
    """Asserted and inferred types of ``subject`` in any graph."""
    return {q.object.value for q in store.quads_for_pattern(subject, ox.NamedNode(RDF_TYPE), None)
            if isinstance(q.object, ox.NamedNode)}


def _safety_problems(project: Project, store: ox.Store, triples: list[ox.Triple], graph: str,
                     confidential: bool) -> list[ValidationResult]:
    """Violations a contribution may not have, whatever the shapes say.

    * A new resource's IRI must be under the project's id namespace (``hrid:``); describing
      graphs (other than the contribution's own record) is not allowed either.
    * A contribution only adds: it may not give an existing resource a type it does not have, nor
      a second ``skos:prefLabel`` in a language it already has a preferred name in.
    """
    problems: list[ValidationResult] = []
    subjects = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}
    for subject in sorted(subjects, key=lambda s: s.value):
        existing = _existing(store, project, subject, confidential)
        if not existing:
            if subject.value.startswith(project.graph_base):
                problems.append(_problem(subject.value, "A contribution may not describe the "
                                         "project's named graphs."))
            elif not subject.value.startswith(project.id_base) \
                    and not _web_source(project, subject, triples):
                problems.append(_problem(subject.value, "A new resource must have an IRI under "
                                         f"{project.id_base} (the project's namespace)."))
            continue
        types = _types(store, subject)
        labels = {}
        for quad in existing:
            if quad.predicate.value == PREF_LABEL and isinstance(quad.object, ox.Literal):
                labels.setdefault(quad.object.language, quad.object.value)
        for t in triples:
            if t.subject != subject:
                continue
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode) \
                    and t.object.value not in types:
                problems.append(_problem(
                    subject.value, "This resource already exists with another type: a "
                    "contribution may add facts about it but not change what it is "
                    f"(it is {', '.join(sorted(_short(project, x) for x in types)) or 'untyped'})."
                    , RDF_TYPE, str(t.object)))
            if t.predicate.value == PREF_LABEL and isinstance(t.object, ox.Literal) \
                    and t.object.language in labels and labels[t.object.language] != t.object.value:
                problems.append(_problem(
                    subject.value, "This resource already has a preferred name in this language "
                    f"({labels[t.object.language]!r}): add the new spelling as skos:altLabel.",
                    PREF_LABEL, str(t.object)))
    return problems


def _web_source(project: Project, subject: ox.NamedNode, triples: list[ox.Triple]) -> bool:
    """A new web source keeps its URL as IRI (shapes: hrsh:WebSource) when all the contribution
    says about it is that it is one, its evidence quality and publisher."""
    allowed = {RDF_TYPE, project.ontology_ns + "evidenceQuality", DCTERMS + "publisher"}
    said = [t for t in triples if t.subject == subject]
    return re.match(r"https?://", subject.value) is not None and all(
        t.predicate.value in allowed for t in said) and any(
        t.predicate.value == RDF_TYPE and t.object.value == project.ontology_ns + "WebSource"
        for t in said)


def _short(project: Project, iri: str) -> str:
    from hrgraph.query import prefixes, shorten

    return shorten(iri, prefixes(project))


def validate_in_context(project: Project, store: ox.Store, quads: list[ox.Quad],
                        graph: str, *, generation: Path | None = None) -> ValidationReport:
    """What the contribution adds to the validation of the graph.

    The part of the graph the contribution can affect (:func:`hrgraph.validate.context_quads`:
    the ontology, the vocabularies, and the stored triples within reach of the shapes from what
    the contribution mentions) is validated twice: as it is, and with the contribution added in
    a data graph; the report holds the results of the second that the first does not have. So a
    problem the contribution causes on a resource it only refers to (a concept that is not in the
    vocabulary it should be, an existing person now with two English names) is reported too,
    which validating the contribution's own subjects would miss; and the cost does not grow with
    the size of the graph. ``tests/test_contribute.py`` checks the report equals the same
    difference over the whole graph. ``generation``: the store generation directory ``store`` was
    opened from, if known (see :func:`hrgraph.validate.context_quads`).
    """
    context, shape_quads = context_quads(project, store, quads, generation=generation)
    part = ox.Store()
    part.extend(context)
    part.extend(shape_quads)
    baseline = validate_store(project, part)
    target = ox.NamedNode(graph)
    part.extend(ox.Quad(q.subject, q.predicate, q.object, target) for q in quads)
    full = validate_store(project, part)
    seen = {_key(r) for r in baseline.results}
    results = [r for r in full.results if _key(r) not in seen]
    return ValidationReport(results=results, graph=full.graph, prefixes=full.prefixes)


def _key(result: ValidationResult) -> tuple:
    return (result.severity, result.focus_node, result.path, result.value, result.message,
            result.source_shape, result.constraint_component)


def _with_problems(report: ValidationReport, problems: list[ValidationResult], *, shown: str,
                   project: Project, subjects: set,
                   sheet: spreadsheet.Contribution | None = None,
                   lines: Mapping[str, int] | None = None,
                   places: Mapping[str, str] | None = None) -> ValidationReport:
    """The report with the safety problems added; results about the contribution's own subjects,
    and the problems, are located in the contributed file: the line where the resource is
    defined (``lines``, from :func:`hrgraph.locate.locate_subjects`, as ``hrgraph validate``
    reports it), or for a spreadsheet its sheet, row and column."""
    own = {s.value if isinstance(s, ox.NamedNode) else f"_:{s.value}" for s in subjects}
    lines = lines or {}

    def where(r: ValidationResult) -> str:
        if places and r.focus_node in places:  # an importer's table and row
            return places[r.focus_node]
        return (sheet.where(r.focus_node, r.path) if sheet else None) or shown

    def line(r: ValidationResult) -> int | None:
        return None if sheet else lines.get(r.focus_node)

    results = [replace(r, file=where(r), line=line(r)) if r.focus_node in own and r.file is None
               else r for r in report.results]
    results += [replace(p, file=where(p), line=line(p)) for p in problems]
    return ValidationReport(results=results, graph=report.graph, prefixes=report.prefixes)


def _locations(triples: Iterable[ox.Triple], shown: str,
               sheet: spreadsheet.Contribution | None, lines: Mapping[str, int]) -> dict[str, str]:
    """Where the contributed file defines each of its subjects: ``file:line`` (``file`` alone
    when the line is unknown), or for a spreadsheet its sheet and row."""
    found: dict[str, str] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and t.subject.value not in found:
            iri = t.subject.value
            if sheet is not None:
                found[iri] = sheet.where(iri) or shown
            else:
                found[iri] = f"{shown}:{lines[iri]}" if iri in lines else shown
    return found


# --------------------------------------------------------------------------- duplicates


def _names_by_entity(store: ox.Store, project: Project, types: Iterable[str],
                     confidential: bool) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for cls in types:
        for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls)):
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode) or subject.value in names:
                continue
            found = [q.object.value for p in (PREF_LABEL, ALT_LABEL)
                     for q in _existing(store, project, subject, confidential)
                     if q.predicate.value == p and isinstance(q.object, ox.Literal)]
            if found:
                names[subject.value] = found
    return names


OWL_DIFFERENT_FROM = "http://www.w3.org/2002/07/owl#differentFrom"
ORG = "http://www.w3.org/ns/org#"
FOAF_GROUP = "http://xmlns.com/foaf/0.1/Group"
#: Links from a part to its whole (``s`` is part of ``o``) and from a whole to its part: an
#: organisation linked to an existing one by a chain of them is its part or its whole, not a
#: duplicate, whatever their names.
PART_TO_WHOLE = (ORG + "subOrganizationOf", ORG + "transitiveSubOrganizationOf", ORG + "unitOf",
                 DCTERMS + "isPartOf", "partOf")
WHOLE_TO_PART = (ORG + "hasSubOrganization", ORG + "hasUnit", DCTERMS + "hasPart", "hasPart")
_KIND_WORDS = {FOAF_PERSON: "person", ORG_ORGANIZATION: "organisation", FOAF_GROUP: "group"}


def _duplicates(project: Project, store: ox.Store, triples: list[ox.Triple],
                confidential: bool) -> list[NameMatch]:
    """New people, organisations and groups whose names match an existing one's.

    A high-confidence match (:func:`hrgraph.names.confidence`) is a violation
    (:func:`_duplicate_problem`), a lower one a warning; each match's ``new_entity`` is the new
    resource. Not matched: what the contribution says is different (``owl:differentFrom``) or
    possibly the same (``hrg:possiblySameAs``: an open question the shapes report), and an
    organisation that is part of the other or has it as a part (:data:`PART_TO_WHOLE`). For a
    public contribution only public names are compared (:func:`_existing`), so the names of
    confidential entries are never revealed.
    """
    new_types: dict[ox.NamedNode, set[str]] = {}
    for t in triples:
        if t.predicate.value == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
            new_types.setdefault(t.subject, set()).add(t.object.value)
    classes = {FOAF_PERSON: {FOAF_PERSON}, ORG_ORGANIZATION: _subclasses(store, ORG_ORGANIZATION),
               FOAF_GROUP: _subclasses(store, FOAF_GROUP)}
    found: list[NameMatch] = []
    candidates: dict[str, dict[str, list[str]]] = {}
    for subject, types in sorted(new_types.items(), key=lambda i: i[0].value):
        if _existing(store, project, subject, confidential):
            continue
        kind = next((k for k in (FOAF_PERSON, ORG_ORGANIZATION, FOAF_GROUP)
                     if types & classes[k]), None)
        if kind is None:
            continue
        if kind not in candidates:
            candidates[kind] = _names_by_entity(store, project, classes[kind], confidential)
        names = [t.object.value for t in triples if t.subject == subject
                 and t.predicate.value in (PREF_LABEL, ALT_LABEL, RDFS_LABEL)
                 and isinstance(t.object, ox.Literal)]
        settled = {o.value for o in _linked(store, triples, subject, (
            OWL_DIFFERENT_FROM, project.ontology_ns + "possiblySameAs"), both_ways=True)}
        if kind != FOAF_PERSON:
            settled |= _parts_and_wholes(project, store, triples, subject)
        found_here = [replace(m, new_entity=subject.value)
                      for m in matches(names, candidates[kind], organisation=kind != FOAF_PERSON)
                      if m.entity not in settled and m.entity != subject.value]
        high = [m for m in found_here if m.level == "high"]
        found += high or found_here[:1]  # every likely duplicate; else the best possible one
    return found


def _linked(store: ox.Store, triples: list[ox.Triple], node: ox.NamedNode,
            predicates: Iterable[str], *, both_ways: bool = False) -> set[ox.NamedNode]:
    """Objects of ``node``'s ``predicates`` in the contribution and the store (and subjects
    that link to ``node`` by them, with ``both_ways``)."""
    wanted = {ox.NamedNode(p) for p in predicates}
    found = {t.object for t in triples if t.subject == node and t.predicate in wanted}
    found |= {q.object for p in wanted for q in store.quads_for_pattern(node, p, None)}
    if both_ways:
        found |= {t.subject for t in triples if t.object == node and t.predicate in wanted}
        found |= {q.subject for p in wanted for q in store.quads_for_pattern(None, p, node)}
    return {n for n in found if isinstance(n, ox.NamedNode)}


def _parts_and_wholes(project: Project, store: ox.Store, triples: list[ox.Triple],
                      subject: ox.NamedNode) -> set[str]:
    """IRIs ``subject`` is part of, or that are part of it, through chains of part-of links in
    the contribution and the store (siblings, parts of one whole, are not included)."""
    up = [p if p.startswith("http") else project.ontology_ns + p for p in PART_TO_WHOLE]
    down = [p if p.startswith("http") else project.ontology_ns + p for p in WHOLE_TO_PART]
    related: set[str] = set()
    for forward, backward in ((up, down), (down, up)):
        seen, todo = {subject}, [subject]
        while todo:
            node = todo.pop()
            step = _linked(store, triples, node, forward)
            step |= {t.subject for t in triples if t.object == node
                     and t.predicate.value in backward and isinstance(t.subject, ox.NamedNode)}
            step |= {q.subject for p in backward for q in store.quads_for_pattern(
                None, ox.NamedNode(p), node) if isinstance(q.subject, ox.NamedNode)}
            for n in step - seen:
                seen.add(n)
                todo.append(n)
        related |= {n.value for n in seen - {subject}}
    return related


def _duplicate_problem(project: Project, match: NameMatch, triples: list[ox.Triple],
                       store: ox.Store) -> ValidationResult:
    """The violation of a high-confidence duplicate: which existing resource, and the three
    ways to say what the new one is."""
    subject = ox.NamedNode(match.new_entity)
    kind = next((word for cls, word in _KIND_WORDS.items()
                 if ox.NamedNode(cls) in {q.object for q in store.quads_for_pattern(
                     ox.NamedNode(match.entity), ox.NamedNode(RDF_TYPE), None)}), "actor")
    path = next((t.predicate.value for t in triples if t.subject == subject
                 and isinstance(t.object, ox.Literal) and t.object.value == match.new_name),
                PREF_LABEL)
    from hrgraph.query import shorten
    from hrgraph.terms import ID_PREFIXES

    existing = match.entity  # as a spreadsheet cell may name it: person:marfa-rabkova
    short = shorten(existing, {p: project.id_base + path for p, path in ID_PREFIXES.items()})
    message = (
        f"Likely duplicate: {match.new_name!r} is the name of the existing {kind} {short} "
        f"({match.name!r}). Say what it is. The same {kind}: use <{existing}> instead of a new "
        "IRI (in a spreadsheet: delete this row and refer to it by that IRI or its name). "
        f"Another {kind}: owl:differentFrom <{existing}> (column 'different from'). Not known: "
        f"hrg:possiblySameAs <{existing}> with a hrg:IdentityQuestion citing its dcterms:source "
        "(column 'possibly same as', the source in column 'source').")
    return _problem(match.new_entity, message, path, str(ox.Literal(match.new_name)))


#: Names shorter than this are not looked for in public text (too many false alarms).
MIN_NAME_LENGTH = 4
#: At most this many warnings about confidential names in public text are listed.
MAX_NAME_WARNINGS = 20


def confidential_name_warnings(project: Project, store: ox.Store, triples: list[ox.Triple],
                               confidential: bool) -> list[str]:
    """Where a name of a confidential resource appears in public text: the text stays public
    (a quote is the source's words), so ``add`` warns instead.

    Looked for: every name (``skos:prefLabel``, ``skos:altLabel``, ``rdfs:label``, ``foaf:name``;
    case and spacing ignored) of a resource that is confidential in the store
    (:func:`hrgraph.privacy.confidential`) or that the contribution makes confidential, in the
    literals of a public contribution; and the names the contribution makes confidential, in
    the literals of the public graphs.
    """
    found = privacy.confidential(project, store)
    name_properties = {ox.NamedNode(p) for p in privacy.NAME_PROPERTIES}
    flag = ox.NamedNode(project.ontology_ns + "confidential")
    public, _ = privacy.asserted_graphs(project, store)

    def named(subjects: set) -> dict[str, ox.Term]:
        return {privacy.normalised_name(q.object.value): q.subject
                for subject in subjects for q in store.quads_for_pattern(subject, None, None)
                if q.predicate in name_properties and isinstance(q.object, ox.Literal)}

    secret = {t.subject for t in triples if t.predicate == flag and privacy.is_true(t.object)}
    if confidential:  # what it describes and the public graphs do not
        secret |= {t.subject for t in triples if not any(
            q.graph_name in public for q in store.quads_for_pattern(t.subject, None, None))}
    new = {privacy.normalised_name(t.object.value): t.subject for t in triples
           if (t.subject in secret or t.subject in found.resources)
           and t.predicate in name_properties and isinstance(t.object, ox.Literal)}
    stored = named(found.resources)
    known = {n: who for n, who in {**stored, **new}.items() if len(n) >= MIN_NAME_LENGTH}
    new = {n: who for n, who in new.items() if n in known and n not in stored}
    hits: dict[tuple, None] = {}
    if not confidential:
        for t in triples:
            if isinstance(t.object, ox.Literal) and t.subject not in found.resources:
                text = privacy.normalised_name(t.object.value)
                hits.update(dict.fromkeys((t.subject, t.predicate, who)
                                          for name, who in known.items() if name in text))
    for name, who in sorted(new.items(), key=lambda item: str(item[1])):
        if not public:
            break
        rows = store.query(f"""
            SELECT DISTINCT ?s ?p WHERE {{
              ?s ?p ?o FILTER(isLiteral(?o) && CONTAINS(LCASE(STR(?o)), {ox.Literal(name)}))
            }}""", default_graph=list(public))
        hits.update(dict.fromkeys((row["s"], row["p"], who) for row in rows))
    def which(who: ox.Term) -> str:
        # A public contribution is not told which stored resource is confidential: its IRI
        # (a slug of the name) would reveal it; its own resources and a confidential
        # contribution's (the organisation's own work) are named.
        if confidential or who in secret:
            return f"the confidential {_term(project, who)}"
        return "a confidential resource"

    warnings = list(dict.fromkeys(
        f"{_term(project, s)} ({_term(project, p)}) is public text holding a name of "
        f"{which(who)}: text is not made private; reword it, or mark {_term(project, s)} "
        "hrg:confidential." for s, p, who in sorted(hits, key=str)))
    if len(warnings) > MAX_NAME_WARNINGS:
        more = len(warnings) - MAX_NAME_WARNINGS
        warnings = [*warnings[:MAX_NAME_WARNINGS],
                    f"… and {more} more places naming confidential resources in public text."]
    return warnings


def _term(project: Project, term: ox.Term) -> str:
    return _short(project, term.value) if isinstance(term, ox.NamedNode) else str(term)


def _subclasses(store: ox.Store, cls: str) -> set[str]:
    rows = stores.query(store, "SELECT DISTINCT ?c WHERE { ?c "
                        "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
                        f"{ox.NamedNode(cls)} }}")
    return {row["c"].value for row in rows} | {cls}


# --------------------------------------------------------------------------- the record


def _record(project: Project, graph: str, *, confidential: bool, created: datetime.datetime,
            contributor: str | None, source_name: str, source_url: str | None, sha256: str,
            message: str | None, files: Mapping[str, bytes] | None = None) -> list[ox.Triple]:
    """The PROV-O record of a contribution, about its graph IRI (like every data file's); each
    of ``files`` (written with it) is a ``dcterms:hasPart`` of the graph, a ``prov:Entity``
    derived from the source file, with its path as title and its SHA-256."""
    g = ox.NamedNode(graph)
    source = ox.NamedNode(graph + "/source-file")
    checksum = ox.NamedNode(graph + "/source-file/checksum")

    def t(s: ox.NamedNode, p: str, o: ox.Term) -> ox.Triple:
        return ox.Triple(s, ox.NamedNode(p), o)

    stamp = created.astimezone(datetime.timezone.utc).replace(microsecond=0)
    triples = [
        t(g, RDF_TYPE, ox.NamedNode(PROV + "Entity")),
        t(g, DCTERMS + "title", ox.Literal(f"Contribution {graph.rsplit('/', 1)[-1]}",
                                           language="en")),
        t(g, PROV + "generatedAtTime", ox.Literal(stamp.isoformat().replace("+00:00", "Z"),
                                                  datatype=ox.NamedNode(XSD + "dateTime"))),
        t(g, PROV + "wasDerivedFrom", source),
        t(source, RDF_TYPE, ox.NamedNode(PROV + "Entity")),
        t(source, DCTERMS + "title", ox.Literal(source_name)),
        # SPDX, as release descriptions write file checksums (hrgraph.describe).
        t(source, SPDX + "checksum", checksum),
        t(checksum, RDF_TYPE, ox.NamedNode(SPDX + "Checksum")),
        t(checksum, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256")),
        t(checksum, SPDX + "checksumValue", ox.Literal(sha256,
                                                       datatype=ox.NamedNode(XSD + "hexBinary"))),
    ]
    if source_url:
        try:
            url = ox.NamedNode(source_url)
        except ValueError:
            raise UsageError(f"--source-url {source_url!r} is not a valid IRI") from None
        if not re.match(r"https?://", source_url):
            raise UsageError(f"--source-url {source_url!r}: give an http(s) URL")
        triples.append(t(g, DCTERMS + "source", url))
        triples.append(t(source, PROV + "wasDerivedFrom", url))
    if contributor:
        agent = ox.NamedNode(graph + "/contributor")
        triples += [t(g, PROV + "wasAttributedTo", agent),
                    t(agent, RDF_TYPE, ox.NamedNode(PROV + "Agent")),
                    t(agent, RDFS_LABEL, ox.Literal(contributor))]
    if message:
        triples.append(t(g, DCTERMS + "description", ox.Literal(message)))
    for n, (rel, content) in enumerate(sorted((files or {}).items()), start=1):
        part = ox.NamedNode(f"{graph}/file-{n}")
        part_sum = ox.NamedNode(f"{graph}/file-{n}/checksum")
        triples += [t(g, DCTERMS + "hasPart", part),
                    t(part, RDF_TYPE, ox.NamedNode(PROV + "Entity")),
                    t(part, DCTERMS + "title", ox.Literal(rel)),
                    t(part, PROV + "wasDerivedFrom", source),
                    t(part, SPDX + "checksum", part_sum),
                    t(part_sum, RDF_TYPE, ox.NamedNode(SPDX + "Checksum")),
                    t(part_sum, SPDX + "algorithm",
                      ox.NamedNode(SPDX + "checksumAlgorithm_sha256")),
                    t(part_sum, SPDX + "checksumValue", ox.Literal(
                        hashlib.sha256(content).hexdigest(),
                        datatype=ox.NamedNode(XSD + "hexBinary")))]
    if confidential:
        triples.append(t(g, project.ontology_ns + "confidential",
                         ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))))
    return triples


def normalised_turtle(project: Project, triples: Iterable[ox.Triple], *, header: str = "") -> bytes:
    """Deterministic Turtle: triples sorted by subject, predicate, object (``rdf:type`` first),
    so equal graphs give equal bytes (blank node labels aside). IRIs are written as the data
    files write them, ``person:x``, ``action:y`` (the project's prefixes, one per namespace path:
    :func:`hrgraph.export.turtle_prefixes`), never with an escape such as ``hrv:a\\/b``; an IRI
    no prefix fits without one is written whole."""
    from hrgraph.export import project_turtle

    def key(t: ox.Triple) -> tuple:
        return (str(t.subject), t.predicate.value != RDF_TYPE, str(t.predicate), str(t.object))

    body = project_turtle(project, sorted(set(triples), key=key))
    comment = "".join(f"# {line}\n" for line in header.splitlines()) if header else ""
    return comment.encode() + body


# --------------------------------------------------------------------------- merging


def _write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fail_point(name: str) -> None:
    """Fail here if ``HRGRAPH_FAIL_AT`` names this point (see :data:`FAIL_AT_ENV`)."""
    if os.environ.get(FAIL_AT_ENV) != name:
        return
    if os.environ.get(FAIL_MODE_ENV) == "kill":
        os._exit(137)
    raise StoreError(f"injected failure at {name} ({FAIL_AT_ENV})")


def _journal(project: Project, contribution_id: str) -> Path:
    return _work_dir(project, "pending") / f"{contribution_id}.json"


def _merge(project: Project, store: ox.Store, temp: Path, final: Path,
           quads: list[ox.Quad], contribution_id: str,
           files: Mapping[str, bytes] | None = None) -> None:
    """Publish a new store with ``quads`` and what they newly entail, then rename the file
    (and move ``files``, staged in ``.hrgraph/tmp/`` beforehand, into place first).

    ``store`` is the current store (read-only); the new one is a copy with the contribution
    added (:func:`hrgraph.store.rewrite`), published by one rename. ``temp`` is in
    ``.hrgraph/tmp/``, on the same file system as ``data/``, so the rename is atomic; nothing is
    written below ``data/`` before the new store is published.
    """
    graph = quads[0].graph_name.value
    # With confidential data anywhere, the contribution's triples are split off and both inferred
    # graphs brought up to date (hrgraph.privacy.replace_graphs); else, as before, only what the
    # contribution newly entails is added.
    split = project.is_private(graph) or privacy.has_private(project, store)
    inferred = [] if split else _new_inferences(project, store, quads)
    journal = _journal(project, contribution_id)
    staged_files = []  # (staged, final) of the files written with the contribution
    for n, (rel, content) in enumerate(sorted((files or {}).items()), start=1):
        if (project.root / rel).exists():  # the same bytes (add_prepared checks): kept as is
            continue
        staged = _work_dir(project, "tmp") / f"{contribution_id}.file-{n}"
        _write_synced(staged, content)
        staged_files.append((staged, project.root / rel))
    _write_synced(journal, json.dumps({"add": contribution_id, "graph": graph,
                                       "staged": str(temp), "final": str(final),
                                       "files": [[str(a), str(b)] for a, b in staged_files]
                                       }).encode())
    loaded = False
    moved: list[Path] = []
    try:
        _fail_point("after-write")
        if split:
            stores.rewrite(project, lambda copy: _replace(project, copy, {graph: quads}),
                           beside=_index(project))
        else:
            stores.rewrite(project, lambda copy: _extend(project, copy, quads, inferred),
                           beside=_index(project))
        loaded = True
        _fail_point("after-load")
        for staged, target in staged_files:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
            moved.append(target)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, final)
    except BaseException:
        for target in moved:  # they did not exist before (add_prepared checks)
            target.unlink(missing_ok=True)
        for staged, _target in staged_files:
            staged.unlink(missing_ok=True)
        if loaded and split:
            stores.rewrite(project, lambda copy: _replace(project, copy, {graph: []}),
                           beside=_index(project))
        elif loaded:
            stores.rewrite(project, lambda copy: _undo_store(copy, quads, inferred, project),
                           beside=_index(project))
        journal.unlink(missing_ok=True)
        raise
    journal.unlink(missing_ok=True)


def _index(project: Project) -> Callable[[ox.Store, Path, object], object]:
    """For :func:`hrgraph.store.rewrite`: bring the search index and the demand summary of the
    new generation up to date from the current one's and the triples the change returned
    (:mod:`hrgraph.search`, :mod:`hrgraph.summaries`)."""
    def beside(store: ox.Store, directory: Path, changes: object) -> object:
        quads = changes if isinstance(changes, list) else None  # None: the whole index
        previous = stores.current_generation(project.store_path)
        summaries.update_summary(project, store, directory, quads, previous)
        return search.update_index(project, store, directory, quads, previous)
    return beside


def _undo_store(store: ox.Store, quads: list[ox.Quad], inferred: list[ox.Quad],
                project: Project) -> list[ox.Quad]:
    for quad in [*quads, *inferred]:
        store.remove(quad)
    similar.update(project, store, quads)
    store.flush()
    return quads


def _extend(project: Project, store: ox.Store, quads: list[ox.Quad],
            inferred: list[ox.Quad]) -> list[ox.Quad]:
    """Add a public contribution and what it entails, and update the similar-demand
    suggestions it can change (:func:`hrgraph.similar.update`), in the same new generation.
    Returns the triples the public graphs gained (for the search index)."""
    store.extend([*quads, *inferred])
    similar.update(project, store, quads)
    return quads


def _replace(project: Project, store: ox.Store, changes: dict[str, list]) -> list[ox.Quad]:
    """:func:`hrgraph.privacy.replace_graphs`, then the similar-demand suggestions of what it
    changed in the public graphs (:func:`hrgraph.similar.update`). Returns those triples."""
    done = privacy.replace_graphs(project, store, changes, recompute_on_axioms=True)
    similar.update(project, store, [*done.removed, *done.added])
    return [*done.removed, *done.added]


def _reasoning_graph_names(project: Project, store: ox.Store, *, private: bool,
                           leave_out: str | None = None) -> list[str]:
    """The graphs reasoning starts from: ontology, vocabulary and data graphs (and the private
    contribution graphs when ``private``), except ``leave_out``."""
    prefixes = tuple(project.graph_base + p for p in ("ontology/", "data/"))
    if private:
        prefixes += (project.private_base,)
    return [g.value for g in store.named_graphs()
            if isinstance(g, ox.NamedNode) and g.value.startswith(prefixes)
            and g.value not in (leave_out, project.private_inferred_graph)]


def _reasoning_quads(project: Project, store: ox.Store, *, private: bool,
                     leave_out: str | None = None) -> list[tuple]:
    """Asserted triples reasoning starts from (see :func:`_reasoning_graph_names`)."""
    triples = []
    for graph in _reasoning_graph_names(project, store, private=private, leave_out=leave_out):
        triples.extend((q.subject, q.predicate, q.object)
                       for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    return triples


def _inferred_set(store: ox.Store, graph: str) -> set[tuple]:
    return {(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


def _asserted_in(store: ox.Store, triple: tuple, graphs: set[ox.NamedNode]) -> bool:
    return any(q.graph_name in graphs for q in store.quads_for_pattern(*triple))


def _new_inferences(project: Project, store: ox.Store, quads: list[ox.Quad], *,
                    exhaustive: bool = False) -> list[ox.Quad]:
    """Triples a public contribution newly entails, in the public inferred graph, where the
    store holds no confidential data (else :func:`hrgraph.privacy.replace_graphs` does it).

    Each rule has one premise besides the axioms, so unless the contribution states axioms of
    its own, what it entails follows from its triples and the stored axioms alone: no need to
    read the whole graph (``exhaustive`` does, as the reference the tests compare with).
    """
    mine = [(q.subject, q.predicate, q.object) for q in quads]
    links = reason.chain_links(store, _reasoning_graph_names(project, store, private=False))
    if exhaustive or reason.states_axioms((p for _, p, _ in mine), links):
        entailed = reason.infer(_reasoning_quads(project, store, private=False) + mine)
    else:
        names = _reasoning_graph_names(project, store, private=False)
        axioms = reason.Axioms.in_store(store, names)
        graphs = {ox.NamedNode(g) for g in names}
        entailed = {t for t in axioms.closure(mine) - set(mine) if reason.is_entailment(t)
                    and not _asserted_in(store, t, graphs)}
    name = ox.NamedNode(project.inferred_graph)
    return [ox.Quad(s, p, o, name) for s, p, o in sorted(entailed, key=str)
            if not _asserted_in(store, (s, p, o), {name})]


def _inference_change(project: Project, store: ox.Store, info: ContributionInfo, *,
                      exhaustive: bool = False) -> tuple[set[tuple], set[tuple]]:
    """What leaves and what enters the public inferred graph once a public contribution's graph
    is gone, as ``(gone, new)``, where the store holds no confidential data (else
    :func:`hrgraph.privacy.replace_graphs` does it).

    Unless the contribution stated axioms, only what it entailed can go: each such triple
    stays when one of its premises is still asserted elsewhere; and what it asserted comes back
    as inferred when it still follows from elsewhere. ``exhaustive`` recomputes the closure of
    everything instead, the reference the tests compare with.
    """
    target = project.inferred_graph
    removed = [(q.subject, q.predicate, q.object)
               for q in store.quads_for_pattern(None, None, None, ox.NamedNode(info.graph))]
    links = reason.chain_links(store, _reasoning_graph_names(project, store, private=False))
    if exhaustive or reason.states_axioms((p for _, p, _ in removed), links):
        entailed = reason.infer(_reasoning_quads(project, store, private=False,
                                                 leave_out=info.graph))
        current = _inferred_set(store, target)
        return current - entailed, entailed - current
    names = _reasoning_graph_names(project, store, private=False, leave_out=info.graph)
    axioms = reason.Axioms.in_store(store, names)
    graphs = {ox.NamedNode(g) for g in names}
    inferred = known = {ox.NamedNode(target)}

    def still_follows(triple: tuple, *, other_than_itself: bool = False) -> bool:
        premises = axioms.premises(triple) - ({triple} if other_than_itself else set())
        return any(_asserted_in(store, premise, graphs) for premise in premises)

    gone = {t for t in axioms.closure(removed) if _asserted_in(store, t, inferred)
            and not still_follows(t)}
    new = {t for t in removed if reason.is_entailment(t)
           and not _asserted_in(store, t, graphs | known)
           and still_follows(t, other_than_itself=True)}
    return gone, new


# --------------------------------------------------------------------------- recovery


def recover(project: Project, store: ox.Store | None = None) -> list[str]:
    """Finish or undo what a killed ``add`` or ``remove`` left in ``.hrgraph/pending/``.

    An add whose graph is in the store is finished (its staged file renamed into place); one
    whose graph is not is undone (its staged file removed). A remove whose graph is gone from the
    store has its file deleted. Returns the ids dealt with.
    """
    folder = project.root / ".hrgraph" / "pending"
    if not folder.is_dir():
        return []
    entries = sorted(folder.glob("*.json"))
    if not entries:
        return []
    own = store is None
    if own:  # on its own (``hrgraph contributions``): not while a merge is running
        try:
            with stores.writer_lock(project, wait=False):
                return recover(project, stores.open_store(project, read_only=True))
        except StoreError:
            return []
    done = []
    try:
        for entry in entries:
            info = json.loads(entry.read_text(encoding="utf-8"))
            in_store = any(store.contains_named_graph(ox.NamedNode(g)) for g in (
                info["graph"], project.private_graph(info["graph"])))
            if "add" in info:
                # the files written with it first, the contribution's own file last (as _merge)
                for pair in [*info.get("files", []), [info["staged"], info["final"]]]:
                    staged, final = Path(pair[0]), Path(pair[1])
                    if in_store and staged.exists():
                        final.parent.mkdir(parents=True, exist_ok=True)
                        os.replace(staged, final)
                    elif not in_store:
                        staged.unlink(missing_ok=True)
                done.append(info["add"])
            elif "remove" in info:
                if not in_store:
                    for path in [info["path"], *info.get("files", [])]:
                        Path(path).unlink(missing_ok=True)
                done.append(info["remove"])
            entry.unlink()
    finally:
        del store
    if done:
        log.warning("finished interrupted contribution work: %s", ", ".join(done))
    return done


# --------------------------------------------------------------------------- listing


def _info_from_file(project: Project, path: Path, confidential: bool) -> ContributionInfo:
    contribution_id = path.stem
    graph = _graph_of(project, contribution_id, confidential)
    quads = load.parse_file(project, path, graph=graph, max_bytes=1 << 40)
    g = ox.NamedNode(graph)

    def value(subject: ox.NamedNode, predicate: str) -> str | None:
        for q in quads:
            if q.subject == subject and q.predicate.value == predicate:
                return q.object.value
        return None

    source = ox.NamedNode(graph + "/source-file")
    return ContributionInfo(
        id=contribution_id, graph=graph, path=path, confidential=confidential,
        created=value(g, PROV + "generatedAtTime") or "",
        contributor=value(ox.NamedNode(graph + "/contributor"), RDFS_LABEL),
        source_file=value(source, DCTERMS + "title"),
        source_url=value(g, DCTERMS + "source"),
        sha256=value(ox.NamedNode(graph + "/source-file/checksum"), SPDX + "checksumValue"),
        message=value(g, DCTERMS + "description"),
        files=tuple(sorted(q2.object.value for q in quads
                           if q.subject == g and q.predicate.value == DCTERMS + "hasPart"
                           for q2 in quads if q2.subject == q.object
                           and q2.predicate.value == DCTERMS + "title")),
    )


def list_contributions(project: Project, *, include_private: bool = True
                       ) -> list[ContributionInfo]:
    """Merged contributions, oldest first (public ones, and confidential ones if asked)."""
    found = [_info_from_file(project, p, False)
             for p in sorted(contributions_dir(project).glob("*.ttl")) if project.in_corpus(p)]
    if include_private:
        found += [_info_from_file(project, p, True) for p in private_files(project)]
    return sorted(found, key=lambda c: (c.created, c.id))


def private_files(project: Project) -> list[Path]:
    """The confidential contributions' files (never part of a named corpus)."""
    return [] if project.corpus is not None else sorted(private_dir(project).glob("*.ttl"))


def private_quads(project: Project) -> list[ox.Quad]:
    """The confidential contributions' quads, each in its private graph (for ``build``); none
    in a named corpus (:mod:`hrgraph.corpus`)."""
    quads: list[ox.Quad] = []
    for path in private_files(project):
        quads += load.parse_file(project, path, graph=_graph_of(project, path.stem, True),
                                 max_bytes=1 << 40)
    return quads


def materialise_private(project: Project, store: ox.Store) -> int:
    """Recompute the private inferred graph: what the private graphs (confidential
    contributions, the private twins of public graphs) entail beyond the public inferred graph
    and what is asserted. Returns its size.

    Each rule has one premise besides the axioms, so that is the closure of the private triples
    alone under the public axioms (the cost follows the private data), unless the private graphs
    state axioms themselves: then the closure of everything.
    """
    target = ox.NamedNode(project.private_inferred_graph)
    if store.contains_named_graph(target):
        store.remove_graph(target)
    public = _reasoning_graph_names(project, store, private=False)
    private = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)
               and project.is_private(g.value) and g != target]
    if not private:
        return 0
    mine = [(q.subject, q.predicate, q.object) for g in private
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
    if reason.states_axioms((p for _, p, _ in mine), reason.chain_links(store, public)):
        entailed = reason.infer(_reasoning_quads(project, store, private=True))
    else:
        axioms = reason.Axioms.in_store(store, public)
        entailed = {t for t in axioms.closure(mine) if reason.is_entailment(t)}
    asserted = {ox.NamedNode(g) for g in [*public, *private]} | {
        ox.NamedNode(project.inferred_graph)}
    extra = sorted((t for t in entailed if not _asserted_in(store, t, asserted)), key=str)
    store.extend(ox.Quad(s, p, o, target) for s, p, o in extra)
    return len(extra)


# --------------------------------------------------------------------------- removing


def remove_contribution(project: Project, contribution_id: str, *,
                        force: bool = False) -> ContributionInfo:
    """Take a merged contribution out: its file, its named graph and what only it entailed.

    Refused when a later contribution refers to an IRI this one introduced, unless ``force``.

    Raises:
        UsageError: no such contribution, or a later one depends on it (names which and how).
        StoreError: the store is missing, locked, or cannot be written.
    """
    infos = {c.id: c for c in list_contributions(project)}
    info = infos.get(contribution_id)
    if info is None:
        known = ", ".join(infos) or "none"
        raise UsageError(f"no contribution {contribution_id!r} (merged: {known})")
    with stores.writer_lock(project):
        store = stores.open_store(project, read_only=True)
        try:
            recover(project, store)
            if not force:
                later = [c for c in infos.values() if (c.created, c.id) > (info.created, info.id)]
                _refuse_if_used(project, store, info, later)
        finally:
            del store
        stores.rewrite(project, lambda copy: _remove_graph(project, copy, info),
                       beside=_index(project))
        info.path.unlink(missing_ok=True)
        for rel in info.files:  # written by the contribution (add_prepared): they go with it
            (project.root / rel).unlink(missing_ok=True)
        _journal(project, info.id).unlink(missing_ok=True)
    return info


def _introduced(project: Project, store: ox.Store, info: ContributionInfo,
                earlier: set[str]) -> set[ox.NamedNode]:
    """IRIs this contribution describes that neither the project's files nor an ``earlier``
    contribution describe."""
    own = {ox.NamedNode(info.graph), ox.NamedNode(project.private_graph(info.graph))}
    contributions = (project.graph_base + "data/contributions/",
                     project.private_base + "data/contributions/",
                     project.private_base + "contributions/")
    subjects = {q.subject for g in own for q in store.quads_for_pattern(None, None, None, g)
                if isinstance(q.subject, ox.NamedNode) and not q.subject.value.startswith(
                    info.graph)}

    def described_elsewhere(quad: ox.Quad) -> bool:
        name = quad.graph_name.value
        if quad.graph_name in own or name in (project.inferred_graph,
                                              project.private_inferred_graph):
            return False
        origin = project.public_graph(name) or name
        return not name.startswith(contributions) or origin in earlier

    return {s for s in subjects
            if not any(described_elsewhere(q) for q in store.quads_for_pattern(s, None, None))}


def _refuse_if_used(project: Project, store: ox.Store, info: ContributionInfo,
                    later: list[ContributionInfo]) -> None:
    ordered = sorted(list_contributions(project), key=lambda c: (c.created, c.id))
    earlier = {c.graph for c in ordered if (c.created, c.id) < (info.created, info.id)}
    introduced = _introduced(project, store, info, earlier)
    uses = []
    for other in later:
        graphs = {ox.NamedNode(other.graph), ox.NamedNode(project.private_graph(other.graph))}
        used = sorted({t.value for t in introduced for graph in graphs
                       if any(True for _ in store.quads_for_pattern(None, None, t, graph))
                       or any(True for _ in store.quads_for_pattern(t, None, None, graph))})
        if used:
            uses.append(f"{other.id} refers to {', '.join(_short(project, u) for u in used)}")
    if uses:
        raise UsageError(f"contribution {info.id} introduced resources that later contributions "
                         f"use ({'; '.join(uses)}): remove those first, or pass --force")


def _remove_graph(project: Project, store: ox.Store, info: ContributionInfo) -> list[ox.Quad]:
    """Drop the graph and recompute the inferred graph it fed, as one update where possible.
    Returns the triples the public graphs lost or gained (for the search index)."""
    journal = _journal(project, info.id)
    _write_synced(journal, json.dumps({"remove": info.id, "graph": info.graph,
                                       "path": str(info.path),
                                       "files": [str(project.root / f) for f in info.files]
                                       }).encode())
    if info.confidential or privacy.has_private(project, store):
        # the graph and its private twin go; confidential data is split off again, and both
        # inferred graphs are brought up to date (hrgraph.privacy.replace_graphs)
        return _replace(project, store, {info.graph: []})
    target = project.inferred_graph
    removed = list(store.quads_for_pattern(None, None, None, ox.NamedNode(info.graph)))
    gone, new = _inference_change(project, store, info)
    if any(isinstance(x, ox.BlankNode) for t in gone | new for x in t):
        # SPARQL DATA blocks cannot name stored blank nodes: two steps (see docs/contributing.md).
        store.remove_graph(ox.NamedNode(info.graph))
        for s, p, o in gone:
            store.remove(ox.Quad(s, p, o, ox.NamedNode(target)))
        store.extend(ox.Quad(s, p, o, ox.NamedNode(target)) for s, p, o in new)
        similar.update(project, store, removed)
        return removed
    name = ox.NamedNode(target)
    update = f"DROP SILENT GRAPH {ox.NamedNode(info.graph)}"
    if gone:
        update += " ; DELETE DATA { GRAPH " + str(name) + " { " + " ".join(
            f"{s} {p} {o} ." for s, p, o in gone) + " } }"
    if new:
        update += " ; INSERT DATA { GRAPH " + str(name) + " { " + " ".join(
            f"{s} {p} {o} ." for s, p, o in new) + " } }"
    store.update(update)  # one transaction
    similar.update(project, store, removed)  # the same new generation (hrgraph.store.rewrite)
    return removed
