"""What changed between two exports (or two release folders): raw triples, or in words.

    export files → parse → triple sets → added / removed → sentences about demands, actors,
    documents and assessments

Both sides must be in the same format (a diff of a Turtle file against a JSON-LD file is a usage
error: compare like with like). A release folder is read through its N-Quads file. Triples are
compared without their graphs, so moving a triple from one file to another is no change.

The sentences use the exports themselves for names and kinds: labels (``skos:prefLabel``,
``rdfs:label``, ``foaf:name``, ``dcterms:title``, English first), classes with their
``rdfs:subClassOf`` ancestors from the exported ontology, and property labels. An assessment added
or changed for a demand is told as the demand's status change, with the date and the evidence.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from hrgraph import xmlinput
from hrgraph.errors import InputError, UsageError
from hrgraph.export import FORMATS, Format, format_of

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
DCTERMS = "http://purl.org/dc/terms/"
HRG = "https://w3id.org/hrgraph/ontology#"

#: Properties that name a thing, best first.
LABELS = (SKOS + "prefLabel", RDFS + "label", FOAF + "name", DCTERMS + "title")

#: What a thing is called in sentences, by the first class among its types and their ancestors.
KINDS = (
    (HRG + "Assessment", "assessment"),
    (HRG + "Demand", "demand"),
    (HRG + "Document", "document"),
    (FOAF + "Person", "person"),
    (ORG + "Organization", "organisation"),
    (FOAF + "Group", "group"),
    (FOAF + "Agent", "actor"),
)
#: Sentence order: demands first, then actors, documents, the rest.
ORDER = {"demand": 0, "person": 1, "organisation": 1, "group": 1, "actor": 1, "document": 2}

_PARSE = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
          "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD,
          "xml": ox.RdfFormat.RDF_XML}

Term = Any  # a pyoxigraph NamedNode, BlankNode or Literal
Triple = tuple[Term, ox.NamedNode, Term]


def release_export(folder: Path) -> Path:
    """The file of a release folder a diff reads: its N-Quads export.

    Raises:
        InputError: the folder has no ``*.nq`` file.
    """
    found = sorted(folder.glob("*.nq"))
    if len(found) != 1:
        raise InputError("not a release folder: expected one .nq export in it", path=str(folder))
    return found[0]


def read_triples(path: str | os.PathLike, fmt: Format) -> set[Triple]:
    """The distinct triples of an export file (graphs dropped).

    Raises:
        InputError: the file is missing or malformed.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the export: {exc.strerror or exc}", path=str(path)) from None
    if _PARSE[fmt.name] == ox.RdfFormat.RDF_XML:  # never the original bytes (hrgraph.xmlinput)
        data = xmlinput.reserialise(data, path=str(path))
    try:
        quads = ox.parse(data, format=_PARSE[fmt.name])
        return {(q.subject, q.predicate, q.object) for q in quads}
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"not valid {fmt.name}: {exc}", path=str(path)) from None


def inputs(old: str | os.PathLike, new: str | os.PathLike) -> tuple[Path, Path, Format]:
    """The two files to compare and their common format.

    Raises:
        UsageError: one is a folder and the other a file, or the formats differ or are unknown.
        InputError: a path does not exist, or a folder is not a release.
    """
    old, new = Path(old), Path(new)
    for path in (old, new):
        if not path.exists():
            raise InputError("no such file or folder", path=str(path))
    if old.is_dir() != new.is_dir():
        raise UsageError(f"compare two export files or two release folders, not {old} with {new}")
    if old.is_dir():
        old, new = release_export(old), release_export(new)
    old_format, new_format = format_of(old), format_of(new)
    for path, fmt in ((old, old_format), (new, new_format)):
        if fmt is None:
            known = ", ".join(f.suffix for f in FORMATS.values())
            raise UsageError(f"{path}: not an export file (its name must end in one of {known})")
    if old_format != new_format:
        raise UsageError(f"cannot compare {old.name} ({old_format.name}) with {new.name} "
                         f"({new_format.name}): export both in the same format")
    return old, new, old_format


@dataclass
class Diff:
    """Triples only in the new export (``added``) and only in the old one (``removed``)."""

    old: set[Triple]
    new: set[Triple]
    added: set[Triple] = field(init=False)
    removed: set[Triple] = field(init=False)

    def __post_init__(self) -> None:
        self.added = self.new - self.old
        self.removed = self.old - self.new

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def to_nt(self) -> str:
        """The raw delta: ``- <s> <p> <o> .`` lines, then ``+ …`` lines, each sorted."""
        lines = [f"- {_nt(t)} ." for t in sorted(self.removed, key=_nt)]
        lines += [f"+ {_nt(t)} ." for t in sorted(self.added, key=_nt)]
        return "".join(line + "\n" for line in lines)

    def to_text(self) -> str:
        """The changes in words, one sentence per line, and a count of triples."""
        if not self.changed:
            return "No changes.\n"
        sentences = _Describer(self).sentences()
        sentences.append(f"{len(self.added)} triples added, {len(self.removed)} removed.")
        return "".join(s + "\n" for s in sentences)


def diff(old: str | os.PathLike, new: str | os.PathLike) -> Diff:
    """Compare two export files, or two release folders, of the same format.

    Raises:
        UsageError: the two are not alike (see :func:`inputs`).
        InputError: a file is missing or malformed.
    """
    old_path, new_path, fmt = inputs(old, new)
    return Diff(read_triples(old_path, fmt), read_triples(new_path, fmt))


def _nt(triple: Triple) -> str:
    return " ".join(str(t) for t in triple)


class _Index:
    """Types, labels and property values of one side, and the class tree of both."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.values: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            self.values[s][p.value].append(o)

    def get(self, subject: Term, predicate: str) -> list[Term]:
        return self.values.get(subject, {}).get(predicate, [])

    def first(self, subject: Term, predicate: str) -> Term | None:
        found = sorted(self.get(subject, predicate), key=str)
        return found[0] if found else None


class _Describer:
    def __init__(self, delta: Diff) -> None:
        self.delta = delta
        self.old = _Index(delta.old)
        self.new = _Index(delta.new)
        self.both = _Index(delta.old | delta.new)
        self.parents: dict[str, set[str]] = defaultdict(set)
        for s, p, o in delta.old | delta.new:
            if p.value == RDFS + "subClassOf" and isinstance(o, ox.NamedNode):
                self.parents[s.value].add(o.value)

    # -- names

    def label(self, term: Term | None) -> str:
        if term is None:
            return "(none)"
        if isinstance(term, ox.Literal):
            text = " ".join(term.value.split())
            return text if len(text) <= 80 else text[:79] + "…"
        for predicate in LABELS:
            values = [v for v in self.both.get(term, predicate) if isinstance(v, ox.Literal)]
            english = sorted(v.value for v in values if (v.language or "").startswith("en"))
            if english:
                return english[0]
            if values:
                return sorted(v.value for v in values)[0]
        if isinstance(term, ox.NamedNode):
            return term.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or term.value
        return str(term)

    def named(self, term: Term) -> str:
        """A thing's label with its IRI, e.g. ``“Viasna” <https://…>``."""
        return f"“{self.label(term)}” <{term.value}>" if isinstance(term, ox.NamedNode) \
            else self.label(term)

    def kind(self, subject: Term) -> str:
        types = {t.value for t in self.both.get(subject, RDF_TYPE) if isinstance(t, ox.NamedNode)}
        ancestors = set(types)
        work = list(types)
        while work:
            for parent in self.parents.get(work.pop(), ()):
                if parent not in ancestors:
                    ancestors.add(parent)
                    work.append(parent)
        for cls, word in KINDS:
            if cls in ancestors:
                return word
        if types:
            return self.label(ox.NamedNode(sorted(types)[0])).lower()
        return "resource"

    # -- sentences

    def sentences(self) -> list[str]:
        added_by: dict[Term, list[Triple]] = defaultdict(list)
        removed_by: dict[Term, list[Triple]] = defaultdict(list)
        for t in self.delta.added:
            added_by[t[0]].append(t)
        for t in self.delta.removed:
            removed_by[t[0]].append(t)
        found: list[tuple[int, str, str]] = []
        for subject in set(added_by) | set(removed_by):
            kind = self.kind(subject)
            if kind == "assessment":
                for sentence in self.assessment(subject, added_by[subject], removed_by[subject]):
                    found.append((0, sentence, ""))
                continue
            order = ORDER.get(kind, 3)
            capital = kind[:1].upper() + kind[1:]
            if subject not in self.old.values:
                found.append((order, f"Added {kind} {self.named(subject)}", ""))
            elif subject not in self.new.values:
                found.append((order, f"Removed {kind} {self.named(subject)}", ""))
            else:
                for change in self.changes(added_by[subject], removed_by[subject]):
                    found.append((order, f"{capital} {self.named(subject)}: {change}", ""))
        return [sentence for _, sentence, _ in sorted(found)]

    def changes(self, added: list[Triple], removed: list[Triple]) -> list[str]:
        by_predicate: dict[ox.NamedNode, tuple[list, list]] = defaultdict(lambda: ([], []))
        for _, p, o in removed:
            by_predicate[p][0].append(o)
        for _, p, o in added:
            by_predicate[p][1].append(o)
        out = []
        for predicate in sorted(by_predicate, key=str):
            gone, come = (sorted(v, key=str) for v in by_predicate[predicate])
            name = self.label(predicate)
            if len(gone) == 1 and len(come) == 1:
                out.append(f"{name} changed from {self.label(gone[0])} to {self.label(come[0])}")
                continue
            out += [f"removed {name} {self.label(o)}" for o in gone]
            out += [f"added {name} {self.label(o)}" for o in come]
        return out

    def assessment(self, subject: Term, added: list[Triple],
                   removed: list[Triple]) -> list[str]:
        side = self.new if subject in self.new.values else self.old
        demand = side.first(subject, HRG + "assessedDemand")
        who = f"Demand {self.named(demand)}" if demand is not None else \
            f"Assessment {self.named(subject)}"
        when = self.date(side, subject)
        sources = sorted(v.value for v in side.get(subject, HRG + "evidence")
                         if isinstance(v, ox.NamedNode))
        source = f", source {', '.join(sources)}" if sources else ""
        status_now = side.first(subject, HRG + "status")
        if subject not in self.new.values:
            return [f"{who}: assessment ({self.label(status_now)}) of {when} removed"]
        if subject not in self.old.values:
            before = self.status_before(demand, subject) if demand is not None else None
            if before is None:
                return [f"{who}: assessed {self.label(status_now)} on {when}{source}"]
            if before == status_now:
                return [f"{who}: status still {self.label(status_now)} on {when}{source}"]
            return [f"{who}: status changed from {self.label(before)} to "
                    f"{self.label(status_now)} on {when}{source}"]
        out = []
        old_status = self.old.first(subject, HRG + "status")
        if old_status != status_now:
            out.append(f"{who}: status changed from {self.label(old_status)} to "
                       f"{self.label(status_now)} on {when}{source}")
        rest_added = [t for t in added if t[1].value != HRG + "status"]
        rest_removed = [t for t in removed if t[1].value != HRG + "status"]
        out += [f"{who}: assessment of {when}: {change}"
                for change in self.changes(rest_added, rest_removed)]
        return out

    def date(self, side: _Index, subject: Term) -> str:
        for predicate in (HRG + "periodStart", DCTERMS + "date", HRG + "earliestDate"):
            value = side.first(subject, predicate)
            if value is not None:
                return value.value
        return "an unknown date"

    def status_before(self, demand: Term, subject: Term) -> Term | None:
        """The status of the demand's latest assessment in the old export."""
        latest = None
        for other, values in self.old.values.items():
            if other == subject or demand not in values.get(HRG + "assessedDemand", []):
                continue
            key = self.date(self.old, other)
            if latest is None or key > latest[0]:
                latest = (key, self.old.first(other, HRG + "status"))
        return latest[1] if latest else None
