"""The registry of states: every UN member and observer state once, as an actor (``hrg:State``).

The registry is curated reference data that every import shares (``data/reference/``), so that
removing one import never strands another's references:

* ``un-states.csv`` — each state's name as UN documents write it today, its UN status (member,
  observer), an existing IRI to reuse instead of minting ``state:<slug>`` and the place
  (``hrg:Country``) it is linked to, where the data has one;
* ``state-aliases.csv`` — other names UN documents use or used ("Turkey", "the former Yugoslav
  Republic of Macedonia") and UN names pycountry lacks ("Holy See"), each with its ISO 3166-1
  alpha-3 code;
* ``states.ttl`` — generated from both and pycountry by ``python -m hrgraph.states`` (``--check``
  only compares); a test keeps it current.

A name is matched **exactly**, after these normalisations only (:func:`name_key`): Unicode NFC,
typographic apostrophes as ``'``, runs of white space as one space, case folded, a leading "the"
dropped, and an inverted part put first: "Venezuela (Bolivarian Republic of)", "Venezuela,
Bolivarian Republic of" and "Bolivarian Republic of Venezuela" are one key. A UN name matches
pycountry's name, official name or common name so normalised, or the alias table; nothing is
matched by similarity. :func:`resolve_state` gives a state's IRI for any of its names and raises
:class:`UnknownState`, naming the name, for any other.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from hrgraph.errors import InputError

REFERENCE_DIR = Path("data") / "reference"
STATES_CSV = REFERENCE_DIR / "un-states.csv"
ALIASES_CSV = REFERENCE_DIR / "state-aliases.csv"
STATES_TTL = REFERENCE_DIR / "states.ttl"

#: Where the registry's facts come from (dcterms:source of every state).
UN_MEMBERS_PAGE = "https://www.un.org/en/about-us/member-states"
UN_OBSERVERS_PAGE = "https://www.un.org/en/about-us/about-permanent-observers"
ISO_3166_PAGE = "https://www.iso.org/iso-3166-country-codes.html"
QUALITY = "https://w3id.org/hrgraph/vocab/evidence-quality/"
#: The registry's source pages as web sources: (URL, evidence quality, publisher).
SOURCE_PAGES = [
    (UN_MEMBERS_PAGE, "intergovernmental", "United Nations (un.org)"),
    (UN_OBSERVERS_PAGE, "intergovernmental", "United Nations (un.org)"),
    (ISO_3166_PAGE, "organisation-site",
     "International Organization for Standardization (iso.org), maintenance agency of ISO 3166"),
]
PYCOUNTRY_RELEASE = "https://pypi.org/project/pycountry/26.2.16/"

UN_STATUSES = ("member", "observer")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'",
                              "\u00b4": "'"})
_BRACKETED = re.compile(r"(.+?)\s*\((.+)\)")  # "venezuela (bolivarian republic of)"
_COMMA = re.compile(r"([^,]+),\s*(.+)")       # "venezuela, bolivarian republic of"


class UnknownState(InputError):
    """A name that is no name of a state of the registry."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"unknown state {name!r}: no UN member or observer state of the registry "
            f"({STATES_CSV.as_posix()}) has this name, after normalisation; if it is another "
            f"name of one, add a row to {ALIASES_CSV.as_posix()} (name, ISO 3166-1 alpha-3 "
            "code, note) and run `python -m hrgraph.states`")
        self.name = name


def _drop_the(text: str) -> str:
    return text[4:] if text.startswith("the ") else text


def name_key(name: str) -> str:
    """The key two names of one state share (the module docstring lists the normalisations)."""
    text = unicodedata.normalize("NFC", name).translate(_APOSTROPHES)
    text = _drop_the(" ".join(text.split()).casefold())
    match = _BRACKETED.fullmatch(text) or _COMMA.fullmatch(text)
    if match:
        text = f"{match[2]} {match[1]}"
    return _drop_the(text)


def slug(name: str) -> str:
    """The local name of a state's IRI: its UN name without a bracketed part, in ASCII."""
    text = _BRACKETED.sub(r"\1", name).translate(_APOSTROPHES).replace("'", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass(frozen=True)
class State:
    """One state of the registry."""

    iri: str
    un_name: str
    un_status: str
    alpha2: str
    alpha3: str
    names: tuple[str, ...]          # other names: aliases, pycountry's official and common names
    place: str | None = None        # the hrg:Country it is linked to (hrg:country)
    reused: bool = False            # an existing resource of the data, not minted here


@dataclass
class Registry:
    """The states and the index of their names (keys of :func:`name_key`)."""

    states: list[State]
    index: dict[str, State] = field(default_factory=dict)

    def resolve(self, name: str) -> State:
        """The state named ``name``; :class:`UnknownState` if none is."""
        state = self.index.get(name_key(name))
        if state is None:
            raise UnknownState(name)
        return state


def _rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != columns:
                raise InputError(f"the header must be {','.join(columns)}", path=str(path),
                                 line=1)
            for line, row in enumerate(reader, start=2):
                yield line, {k: (v or "").strip() for k, v in row.items()}
    except FileNotFoundError:
        raise InputError("the registry of states needs this file", path=str(path)) from None


def _expand(value: str, id_base: str) -> str:
    """A ``prefix:local`` of the project's id prefixes (or a whole IRI) as an IRI."""
    from hrgraph.terms import ID_PREFIXES

    prefix, _, local = value.partition(":")
    if prefix in ID_PREFIXES and not local.startswith("//"):
        return id_base + ID_PREFIXES[prefix] + local
    return value


def build_registry(root: Path, id_base: str) -> Registry:
    """The registry from the two tables under ``root/data/reference`` and pycountry."""
    import pycountry

    by_key: dict[str, set[str]] = {}
    countries = {c.alpha_3: c for c in pycountry.countries}
    for country in countries.values():
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                by_key.setdefault(name_key(value), set()).add(country.alpha_3)
    aliases: dict[str, list[str]] = {}
    alias_key: dict[str, str] = {}
    aliases_path = root / ALIASES_CSV
    for line, row in _rows(aliases_path, ("name", "iso_alpha3", "note")):
        if row["iso_alpha3"] not in countries:
            raise InputError(f"{row['iso_alpha3']!r} is no ISO 3166-1 alpha-3 code "
                             f"(name {row['name']!r})", path=str(aliases_path), line=line)
        aliases.setdefault(row["iso_alpha3"], []).append(row["name"])
        alias_key[name_key(row["name"])] = row["iso_alpha3"]

    states: list[State] = []
    states_path = root / STATES_CSV
    for line, row in _rows(states_path, ("name", "un_status", "iri", "place")):
        name = row["name"]
        if row["un_status"] not in UN_STATUSES:
            raise InputError(f"un_status of {name!r} must be one of {', '.join(UN_STATUSES)}",
                             path=str(states_path), line=line)
        codes = by_key.get(name_key(name), set())
        if not codes and name_key(name) in alias_key:
            codes = {alias_key[name_key(name)]}
        if len(codes) != 1:
            found = f"it matches {', '.join(sorted(codes))}" if codes else "pycountry lacks it"
            raise InputError(f"{name!r} names no single ISO 3166-1 country ({found}): add it "
                             f"to {ALIASES_CSV.as_posix()} with its alpha-3 code",
                             path=str(states_path), line=line)
        country = countries[codes.pop()]
        others = [*aliases.get(country.alpha_3, ()),
                  *(getattr(country, a, None) or "" for a in ("official_name", "common_name"))]
        seen = {name_key(name)}
        names = []
        for other in others:
            other = other.removeprefix("the ")
            if other and name_key(other) not in seen:
                seen.add(name_key(other))
                names.append(other)
        iri = _expand(row["iri"], id_base) if row["iri"] else f"{id_base}state/{slug(name)}"
        states.append(State(iri=iri, un_name=name, un_status=row["un_status"],
                            alpha2=country.alpha_2, alpha3=country.alpha_3, names=tuple(names),
                            place=_expand(row["place"], id_base) if row["place"] else None,
                            reused=bool(row["iri"])))

    registry = Registry(states)
    for state in states:
        keys = {name_key(state.un_name), *map(name_key, state.names)}
        keys |= {name_key(v) for v in _pycountry_names(countries[state.alpha3])}
        for key in keys:
            other = registry.index.setdefault(key, state)
            if other is not state:
                raise InputError(f"the name key {key!r} belongs to both {other.un_name!r} and "
                                 f"{state.un_name!r}", path=str(states_path))
    iris = [s.iri for s in states]
    if len(set(iris)) != len(iris):
        raise InputError("two states would get the same IRI", path=str(states_path))
    return registry


def _pycountry_names(country: object) -> list[str]:
    return [v for a in ("name", "official_name", "common_name")
            if (v := getattr(country, a, None))]


@cache
def _registry_of(root: str, id_base: str, stamp: tuple[float, ...]) -> Registry:
    return build_registry(Path(root), id_base)


def registry(root: str | Path = ".") -> Registry:
    """The registry of the project at ``root`` (kept until one of its tables changes)."""
    from hrgraph.project import Project

    project = Project.open(root)
    stamp = tuple((project.root / p).stat().st_mtime if (project.root / p).exists() else 0.0
                  for p in (STATES_CSV, ALIASES_CSV))
    return _registry_of(str(project.root), project.id_base, stamp)


def resolve_state(name: str, root: str | Path = ".") -> str:
    """The IRI of the state named ``name`` (any of its names; see :func:`name_key`).

    Raises :class:`UnknownState` (exit 2), whose message names the name and the alias table.
    """
    return registry(root).resolve(name).iri


# --------------------------------------------------------------------------- states.ttl

def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_turtle(reg: Registry, id_base: str) -> str:
    """``data/reference/states.ttl``: the registry as Turtle, in the order of the table."""
    graph = "https://w3id.org/hrgraph/graph/data/reference/states"
    prefixes = {
        "hrg": "https://w3id.org/hrgraph/ontology#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
        "org": "http://www.w3.org/ns/org#",
        "prov": "http://www.w3.org/ns/prov#",
        "state": id_base + "state/",
        "organisation": id_base + "organisation/",
        "place": id_base + "place/",
        "agent": id_base + "agent/",
    }

    def short(iri: str) -> str:
        for prefix in ("state", "organisation", "place"):
            namespace = prefixes[prefix]
            if iri.startswith(namespace) and re.fullmatch(r"[a-z0-9-]+", iri[len(namespace):]):
                return f"{prefix}:{iri[len(namespace):]}"
        return f"<{iri}>"

    description = ("The registry of states: every member and observer state of the United "
                   "Nations once, as an actor, with its names as UN documents write them and its "
                   "ISO 3166-1 codes. Generated by `python -m hrgraph.states` from "
                   "data/reference/un-states.csv, data/reference/state-aliases.csv and pycountry "
                   "26.2.16; edit those, not this file.")
    out = ["# The registry of states (generated by `python -m hrgraph.states`: edit "
           "data/reference/un-states.csv",
           "# and data/reference/state-aliases.csv instead, then run it again).", ""]
    out += [f"@prefix {p}: <{n}> ." for p, n in prefixes.items()]
    out += ["", f"<{graph}>", "    a prov:Entity ;",
            f"    dcterms:title {_literal('Registry of states')}@en ;",
            f"    dcterms:description {_literal(description)}@en ;",
            "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
            "    prov:wasAttributedTo agent:hrgraph-editors ;",
            f"    prov:wasDerivedFrom <{UN_MEMBERS_PAGE}>, <{UN_OBSERVERS_PAGE}>, "
            f"<{PYCOUNTRY_RELEASE}> .", ""]
    # The pages every state's names and codes come from (dcterms:source), with their evidence
    # quality: a source of names must be a described web source (shape NameAndDateSources).
    for page, quality, publisher in SOURCE_PAGES:
        out += [f"<{page}>", "    a hrg:WebSource ;",
                f"    hrg:evidenceQuality <{QUALITY}{quality}> ;",
                f"    dcterms:publisher {_literal(publisher)} .", ""]
    for state in reg.states:
        page = UN_MEMBERS_PAGE if state.un_status == "member" else UN_OBSERVERS_PAGE
        lines = [short(state.iri), "    a hrg:State, org:Organization ;"]
        labels = list(state.names)
        if state.reused:  # the existing resource keeps its own name and description
            labels.insert(0, state.un_name)
        else:
            lines.append(f"    skos:prefLabel {_literal(state.un_name)}@en ;")
        if labels:
            lines.append("    skos:altLabel " + ", ".join(f"{_literal(n)}@en" for n in labels)
                         + " ;")
        if not state.reused:
            kind = ("a member state" if state.un_status == "member"
                    else "a non-member observer state")
            definition = f"{state.un_name}, {kind} of the United Nations."
            lines.append(f"    skos:definition {_literal(definition)}@en ;")
        lines += [f"    hrg:isoAlpha2 {_literal(state.alpha2)} ;",
                  f"    hrg:isoAlpha3 {_literal(state.alpha3)} ;",
                  f"    hrg:unStatus {_literal(state.un_status)} ;"]
        if state.place:
            lines.append(f"    hrg:country {short(state.place)} ;")
        lines.append(f"    dcterms:source <{page}>, <{ISO_3166_PAGE}> .")
        out += [*lines, ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """``python -m hrgraph.states [--project DIR] [--check]``: write (or compare) states.ttl."""
    from hrgraph.project import Project

    parser = argparse.ArgumentParser(prog="python -m hrgraph.states", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--project", default=".", help="the project folder (default: .)")
    parser.add_argument("--check", action="store_true",
                        help="only compare: exit 1 if data/reference/states.ttl is not current")
    args = parser.parse_args(argv)
    project = Project.open(args.project)
    try:
        text = to_turtle(build_registry(project.root, project.id_base), project.id_base)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    target = project.root / STATES_TTL
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{STATES_TTL.as_posix()} is not current: run python -m hrgraph.states",
                  file=sys.stderr)
            return 1
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {STATES_TTL.as_posix()}: {len(text.splitlines())} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
