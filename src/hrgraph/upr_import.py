"""``hrgraph import upr``: a UPR "Thematic list of recommendations" as a contribution.

    FILE.docx → hrgraph.upr_docx.read_upr (records; errors name table and row)
      → the stored text copy (python-docx, header Title/Publisher/Source/Language, then every
        table row's cells) and the triples of docs/upr.md (:func:`prepare`)
      → hrgraph.contribute.add_prepared: checked in the context of the graph, merged with the text
        copy atomically, recorded with the Word file's name and SHA-256, removable

What each cell becomes, the IRIs and why are in docs/upr.md; this module follows it. Two things
are read by a program rather than copied, and say so: the action type of each wording, a
*suggestion* (``hrg:suggestedActionType``) from its verb once the lead-in verbs are skipped
(:data:`LEAD_INS`), matched against the action-type vocabulary's preferred, alternative and
hidden labels (:func:`suggest_action_type`); and UPR Info's action category (``uprcat:1`` … ``5``)
from the lead-in itself (:func:`action_category`, UPR Info's definitions in
``ontology/vocabularies/upr-info.ttl``).

Dates only come from ``--date``; without it the report's date is unknown (never read from the
file's metadata). State, cycle and session come from the page header or the options; where both
give one, they must agree.

Why one module: the mapping of one thematic list is one pass over its rows (states, wordings,
position, themes, quotes) that docs/upr.md describes cell by cell.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from hrgraph import guard, progress
from hrgraph.contribute import AddResult, Prepared, add_prepared, source_contribution
from hrgraph.errors import InputError, StoreError
from hrgraph.project import Project
from hrgraph.quotes import QuoteProblem, locate_quote, source_span
from hrgraph.spreadsheet import Limits, limits_of
from hrgraph.states import UnknownState, registry
from hrgraph.upr_docx import _NUMBER, _SOURCE, Recommendation, UprList, Wording, read_upr
from hrgraph.vocab import Concept, _same_word, _words, find_scheme, read_schemes

__all__ = ["LEAD_INS", "ImportResult", "UprImport", "action_category", "import_upr", "prepare",
           "suggest_action_type", "text_copy"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "https://schema.org/"
LANG_EN = "http://id.loc.gov/vocabulary/iso639-1/en"
PUBLISHER = "Office of the United Nations High Commissioner for Human Rights (OHCHR)"
#: OHCHR's UPR page of a state (its documents, the thematic lists among them), by alpha-2 code.
OHCHR_PAGE = "https://www.ohchr.org/en/hr-bodies/upr/{alpha2}-index"

# --------------------------------------------------------------------------- wording


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().split())


_ADJECTIVES = (r"(?:(?:all|the|further|additional|necessary|appropriate|concrete|effective|"
               r"adequate|practical|specific|immediate|urgent|legal|legislative|more|other|"
               r"possible|relevant|comprehensive|decisive|proactive|firm|targeted|new|"
               r"serious|sustained|vigorous|active|meaningful|positive|its|their|every)\s+)*")
_CONNECTORS = (r"(?:\s+(?:in order to|so as to|aimed at|with a view to|towards?|to|for|"
               r"with|in|on|of|that|its|their|the|all|further|and|also)\b)*")

#: The lead-ins skipped before the verb that says what is asked (docs/upr.md), each with UPR
#: Info's category of a recommendation that begins with it: 2 continuing (continue, maintain,
#: persevere, pursue), 3 considering (consider, reflect upon, explore, envisage), 4 general
#: (take steps or measures, ensure, strengthen or intensify efforts). Tried in order, again and
#: again ("continue to take measures to ensure that …" skips all three); what follows each is
#: skipped too (:data:`_CONNECTORS`: "to", "in order to", "its", "that" …).
LEAD_INS: tuple[tuple[int, re.Pattern[str]], ...] = tuple(
    (category, re.compile(pattern + _CONNECTORS)) for category, pattern in (
        (2, r"(?:continue[sd]?|maintain|persevere|pursue|sustain|keep(?: up)?)\b"
            r"(?:\s+(?:with|in|on)\b)?"
            r"(?:\s+(?:its|their|the))?(?:\s+(?:efforts?|work|endeavou?rs?|commitment|"
            r"progress))?"),
        (3, r"(?:consider|reflect (?:up)?on|explore|envisage|study|examine)"
            r"(?:\s+the\s+(?:possibility|option|feasibility)\s+of)?\b"),
        (4, rf"tak(?:e|ing)\s+{_ADJECTIVES}(?:steps|measures|action|actions)\b"),
        (4, rf"(?:strengthen|intensify|step up|increase|redouble|enhance|further|make|double|"
            rf"scale up|accelerate|undertake|deploy|reinforce|multiply|strengthening|"
            rf"intensifying|stepping up|increasing|making|undertaking)\s+{_ADJECTIVES}"
            r"(?:efforts?|measures|actions?|work)\b"),
        (4, r"(?:ensure|ensuring|work|working|strive|endeavou?r|seek)\b"),
        (4, r"further\b"),
    ))

#: First words of a recommendation (folded) that UPR Info counts as general action (category 4)
#: when they are the verb itself: they name no verifiable act ("promote", "strengthen").
_GENERAL_VERBS = frozenset({
    "promote", "strengthen", "intensify", "enhance", "improve", "increase", "step", "redouble",
    "foster", "encourage", "facilitate", "guarantee", "combat", "fight", "tackle", "address",
    "respect", "protect", "support", "reinforce", "raise", "make", "work", "strive",
    "endeavour", "endeavor", "ensure", "take", "further", "undertake", "seek",
})
#: Category 1 (minimal action): asking for technical assistance, or to share information.
_MINIMAL = re.compile(r"(?:seek|request|avail (?:itself|themselves) of)\b.*\b(?:technical "
                      r"(?:assistance|cooperation|support))|share\b")


def action_category(text: str) -> int:
    """UPR Info's action category (1–5) of a recommendation from its lead-in (the definitions in
    ``ontology/vocabularies/upr-info.ttl``): 1 asks for technical assistance or to share
    information, 2 continues (:data:`LEAD_INS`), 3 considers, 4 takes general action (a lead-in
    of category 4, or a general verb: promote, strengthen, combat …), 5 asks for a specific
    action (any other verb: ratify, adopt, amend, establish …)."""
    folded = _fold(text)
    if _MINIMAL.match(folded):
        return 1
    for category, pattern in LEAD_INS:
        if pattern.match(folded):
            return category
    first = re.match(r"[^\W\d_]+", folded)
    return 4 if first and first.group(0) in _GENERAL_VERBS else 5


def _skip_lead_ins(folded: str) -> tuple[str, str]:
    """``(lead-in, rest)``: the lead-ins at the start of ``folded`` and what follows them."""
    rest = folded
    while True:
        for _category, pattern in LEAD_INS:
            m = pattern.match(rest)
            if m and m.end() > 0:
                rest = rest[m.end():].lstrip(" ,;:")
                break
        else:
            return folded[:len(folded) - len(rest)].strip(), rest


#: How many words a label's words may be spread over beyond its own length ("adopt a law" in
#: "adopt a comprehensive law").
_GAP = 3
#: When no label names the verb: "take measures", not further specified.
FALLBACK_ACTION = "take-measures"


def _labels(concepts: Sequence[Concept]) -> list[tuple[list[str], str]]:
    return [(_words(text), c.iri) for c in sorted(concepts, key=lambda c: c.iri)
            for text, _lang in c.pref_labels + c.alt_labels + c.hidden_labels if _words(text)]


def _match_at_start(words: list[str], labels: list[tuple[list[str], str]]) -> str | None:
    best: tuple[tuple[int, int], str] | None = None
    for label, iri in labels:
        if not words or not _same_word(label[0], words[0]):
            continue
        position, gaps = 1, 0
        for word in label[1:]:
            window = words[position:position + 1 + _GAP]
            hit = next((i for i, w in enumerate(window) if _same_word(word, w)), None)
            if hit is None:
                break
            gaps += hit
            position += hit + 1
        else:
            key = (len(label), -gaps)
            if best is None or key > best[0]:
                best = (key, iri)
    return best[1] if best else None


def suggest_action_type(text: str, labels: list[tuple[list[str], str]], base: str) -> str:
    """The action type the wording most likely asks for: after the lead-ins (:data:`LEAD_INS`),
    the longest label of the action-type vocabulary its next words begin with (words compared
    by stem, as :mod:`hrgraph.vocab` does: "ratification" is ratify's hidden label); else the
    label the lead-in itself is ("take steps"); else :data:`FALLBACK_ACTION`. ``labels`` are
    :func:`_labels` of the vocabulary, ``base`` its concepts' namespace."""
    lead, rest = _skip_lead_ins(_fold(text))
    for part in (rest, lead):
        found = _match_at_start(_words(part), labels)
        if found:
            return found
    return base + FALLBACK_ACTION


# --------------------------------------------------------------------------- the text copy


@dataclass(frozen=True)
class _Cell:
    start: int  # offset in the text copy
    text: str


def text_copy(path: Path, *, title: str, source: str, shown: str,
              limits: Limits) -> tuple[str, dict[tuple[int, int], list[_Cell]]]:
    """The stored text of a thematic list, made from the Word file by python-docx: a header
    (``Title``, ``Publisher``, ``Source``, ``Language``, closed by ``---``, as the other texts of
    data/sources/ have), then each table row's cells, one after another on their own lines
    (a merged cell once), rows apart by an empty line. Returns the text and where each row's
    cells are in it, by (table, row) as :mod:`hrgraph.upr_docx` counts them."""
    from hrgraph.upr_docx import _open_document, _Place, _RowView

    document = _open_document(path, _Place(shown), limits)
    head = (f"Title: {title}\nPublisher: {PUBLISHER}\nSource: {source}\nLanguage: en\n"
            f"Stored copy: the text of the Word file {path.name}, read by python-docx (hrgraph "
            "import upr): every table row, its cells in order, rows apart by an empty line\n"
            "---\n")
    parts = [head]
    size = len(head)
    cells: dict[tuple[int, int], list[_Cell]] = {}
    for t, table in enumerate(document.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            view = _RowView(row)
            here = []
            for text in view.texts:
                if not text:
                    continue
                here.append(_Cell(size, text))
                parts.append(text + "\n")
                size += len(text) + 1
            if here:
                cells[(t, r)] = here
                parts.append("\n")
                size += 1
    return "".join(parts), cells


def _selector(copy: str, start: int, end: int, prefix: str, suffix: str,
              where: str) -> tuple[str, str | None, str | None]:
    """``(exact, prefix, suffix)`` of the text at ``start:end`` of the copy: ``prefix`` and
    ``suffix`` are the words of the same cell around it (the number, the states) when they make
    it unique in the text, else the context :func:`hrgraph.quotes.locate_quote` widens."""
    exact = copy[start:end]
    try:
        match = locate_quote(copy, exact, prefix=prefix or None, suffix=suffix or None,
                             where=where)
    except QuoteProblem as exc:
        raise InputError(f"{where}: {exc}") from None
    if match.start != start:  # the cell's own context names another place: cannot happen
        raise InputError(f"{where}: the quote was found at another place of the text copy")
    lo, hi = source_span(copy)
    if prefix and suffix and copy[lo:hi].count(prefix + exact + suffix) == 1:
        return exact, prefix, suffix
    return exact, match.prefix, match.suffix


# --------------------------------------------------------------------------- the mapping


@dataclass
class UprImport:
    """What :func:`prepare` made of a list: the triples and text copy, and the summary's
    counts (numbered items, supported, noted, recommending states as registry entries)."""

    prepared: Prepared
    report: str  # the review's IRI (document/upr-slovenia-cycle-2)
    items: int
    supported: int
    noted: int
    states: int
    text_path: str


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _date(text: str) -> tuple[ox.Literal, str, str]:
    """``--date``: the literal of its precision (xsd:date, gYearMonth, gYear) and its bounds."""
    import calendar
    import datetime

    m = _DATE.fullmatch(text.strip())
    problem = InputError(f"--date {text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    if not m:
        raise problem
    year, month, day = m.groups()
    try:
        if day:
            datetime.date(int(year), int(month), int(day))
            return ox.Literal(m.group(0), datatype=ox.NamedNode(XSD + "date")), m.group(0), \
                m.group(0)
        if month:
            last = calendar.monthrange(int(year), int(month))[1]
            return (ox.Literal(m.group(0), datatype=ox.NamedNode(XSD + "gYearMonth")),
                    f"{m.group(0)}-01", f"{m.group(0)}-{last:02d}")
    except (ValueError, calendar.IllegalMonthError):
        raise problem from None
    return (ox.Literal(year, datatype=ox.NamedNode(XSD + "gYear")), f"{year}-01-01",
            f"{year}-12-31")


class _Vocabularies:
    """The concepts the mapping needs, by how the lists write them."""

    def __init__(self, project: Project) -> None:
        schemes = read_schemes(project)

        def concepts(name: str) -> tuple[Concept, ...]:
            return find_scheme(project, schemes, name).concepts

        self.base = project.vocab_base
        self.themes2 = {c.iri for c in concepts("uhri-theme-2")}
        self.themes3 = {_fold(text): c.iri for c in concepts("uhri-theme-3")
                        for text, _lang in c.pref_labels + c.alt_labels}
        self.persons = {_fold(text): c.iri for c in concepts("uhri-persons")
                        for text, _lang in c.pref_labels + c.alt_labels}
        self.sdgs = {c.iri for c in concepts("sdg")}
        self.actions = _labels(concepts("action-type"))


def _state(name: str, root: Path, where: str):
    try:
        return registry(root).resolve(name)
    except UnknownState as exc:
        raise InputError(f"{where}: {exc}") from None


def _agree(header, option, what: str, flag: str, shown: str, same=None):
    """The header's value or the option's; both given, they must agree (by ``same``)."""
    if header is not None and option is not None and not (
            same(header, option) if same else header == option):
        raise InputError(f"the page header gives the {what} as {header!r}, {flag} as "
                         f"{option!r}: leave the option out, or correct it", path=shown)
    value = header if header is not None else option
    if value is None:
        raise InputError(f"no page header gives the {what}: give it with {flag}", path=shown)
    return value


def prepare(project: Project, path: str | Path, *, state_under_review: str | None = None,
            cycle: int | None = None, session: int | None = None, date: str | None = None,
            shown: str | None = None) -> UprImport:
    """Read a thematic list and make its triples and text copy as docs/upr.md says.

    Raises:
        InputError: the file cannot be read as a thematic list (:func:`hrgraph.upr_docx.read_upr`),
            a state is not in the registry, a theme, group of persons or SDG is in no
            vocabulary, or a row has no source of position; each names the table and row.
    """
    path = Path(path)
    shown = shown or str(path)
    limits = limits_of(project)
    listing = read_upr(path, limits=limits, shown=shown)
    if state_under_review is not None and not state_under_review.strip():
        raise InputError("--state-under-review is empty", path=shown)
    name = _agree(listing.state_under_review, state_under_review, "state under review",
                  "--state-under-review", shown, same=lambda a, b: _state(
                      a, project.root, shown).iri == _state(b, project.root,
                                                            "--state-under-review").iri)
    review_cycle = _agree(listing.cycle, cycle, "cycle", "--cycle", shown)
    review_session = _agree(listing.session, session, "session", "--session", shown)
    state = _state(name, project.root, f"{shown}: the state under review")
    return _Mapper(project, path, listing, state, review_cycle, review_session, date,
                   shown).run()


class _Mapper:
    def __init__(self, project: Project, path: Path, listing: UprList, state, cycle: int,
                 session: int, date: str | None, shown: str) -> None:
        self.project, self.path, self.listing, self.state = project, path, listing, state
        self.cycle, self.session, self.date, self.shown = cycle, session, date, shown
        self.hrg = project.ontology_ns
        self.ids = project.id_base
        self.vocab = _Vocabularies(project)
        local = state.iri.rstrip("/").rsplit("/", 1)[-1]
        self.key = f"upr-{local}-cycle-{cycle}"
        self.triples: list[ox.Triple] = []
        self.places: dict[str, str] = {}

    # -- helpers

    def iri(self, kind: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.ids}{kind}/{local}")

    def add(self, s: ox.NamedNode, p: str, o: ox.Term) -> None:
        self.triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def h(self, name: str) -> str:
        return self.hrg + name

    def where(self, row: Recommendation) -> str:
        return f"{self.shown}, table {row.table}, row {row.row}"

    # -- the document

    def run(self) -> UprImport:
        listing, state = self.listing, self.state
        report = self.iri("document", self.key)
        publication = self.iri("publication", f"{self.key}-thematic-list")
        self.text_path = f"data/sources/{self.key}-thematic-list.txt"
        header = (listing.page_header or "").split("\t")[0].strip()
        title = (header or f"UPR of {state.un_name} ({_ordinal(self.cycle)} Cycle – "
                 f"{_ordinal(self.session)} session)") + ": Thematic list of recommendations"
        page = OHCHR_PAGE.format(alpha2=state.alpha2.lower())
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        copy, cells = text_copy(self.path, title=title, shown=self.shown,
                                source=f"{page} (the Word file {self.path.name}, SHA-256 "
                                       f"{digest})", limits=limits_of(self.project))
        self.copy, self.cells = copy, cells
        state_iri = ox.NamedNode(state.iri)

        self.add(report, RDF_TYPE, ox.NamedNode(self.h("UprReport")))
        self.add(report, RDF_TYPE, ox.NamedNode(self.h("Document")))
        self.add(report, DCTERMS + "title", ox.Literal(
            f"Report of the Working Group on the Universal Periodic Review: {state.un_name}",
            language="en"))
        symbols = Counter(re.sub(r"/Add\.\d+$", "", r.source.symbol)
                          for r in listing.recommendations if r.source and r.source.symbol)
        if symbols:
            self.add(report, DCTERMS + "identifier", ox.Literal(symbols.most_common(1)[0][0]))
        self.add(report, DCTERMS + "language", ox.NamedNode(LANG_EN))
        if self.date:
            literal, lo, hi = _date(self.date)
            self.add(report, DCTERMS + "date", literal)
            self.add(report, self.h("earliestDate"),
                     ox.Literal(lo, datatype=ox.NamedNode(XSD + "date")))
            self.add(report, self.h("latestDate"),
                     ox.Literal(hi, datatype=ox.NamedNode(XSD + "date")))
        else:
            self.add(report, self.h("dateUnknown"),
                     ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))
        self.add(report, self.h("stateUnderReview"), state_iri)
        integer = ox.NamedNode(XSD + "integer")
        self.add(report, self.h("uprCycle"), ox.Literal(str(self.cycle), datatype=integer))
        self.add(report, self.h("uprSession"), ox.Literal(str(self.session), datatype=integer))
        self.add(report, self.h("hasPublication"), publication)
        self.add(publication, RDF_TYPE, ox.NamedNode(self.h("Publication")))
        self.add(publication, self.h("publicationOf"), report)
        self.add(publication, DCTERMS + "title", ox.Literal(title, language="en"))
        self.add(publication, SCHEMA + "url", ox.NamedNode(page))
        self.add(publication, DCTERMS + "language", ox.NamedNode(LANG_EN))
        self.add(publication, self.h("textCopy"), ox.Literal(self.text_path))
        self.report, self.publication, self.state_iri = report, publication, state_iri

        makers: set[str] = set()
        citations: dict[str, ox.NamedNode] = {}
        with progress.bar(total=len(listing.recommendations), desc="importing",
                          unit="recommendation") as shown:
            for row in listing.recommendations:
                makers |= self.recommendation(row, citations)
                shown.update(1)
        return UprImport(
            Prepared(self.triples, self.places, {self.text_path: copy.encode("utf-8")}),
            report.value, len(listing.recommendations), listing.supported, listing.noted,
            len(makers), self.text_path)

    # -- one row

    def _cell(self, row: Recommendation) -> tuple[_Cell, int]:
        """The recommendation cell of the row in the text copy, and where its text begins."""
        for cell in self.cells.get((row.table, row.row), []):
            m = _NUMBER.match(cell.text)
            if m and m.group(1) == row.number:
                rest = cell.text[m.end():]
                source = _SOURCE.search(rest)
                body = rest[:source.start()] if source else rest
                lead = len(body) - len(body.lstrip())
                if body.strip() == row.text:
                    return cell, m.end() + lead
        raise InputError(f"{self.where(row)}: recommendation {row.number}: its text is not in "
                         "the text copy made from the Word file")

    def _quote(self, subject: ox.NamedNode, local: str, cell: _Cell, start: int, end: int,
               prefix: str, suffix: str, where: str) -> None:
        exact, before, after = _selector(self.copy, cell.start + start, cell.start + end,
                                         prefix, suffix, where)
        resource = self.iri("quote", local)
        selector = self.iri("quote", f"{local}-selector")
        self.add(subject, self.h("quote"), ox.Literal(exact, language="en"))
        self.add(subject, self.h("quotedFrom"), resource)
        self.add(resource, RDF_TYPE, ox.NamedNode(OA + "SpecificResource"))
        self.add(resource, OA + "hasSource", self.publication)
        self.add(resource, OA + "hasSelector", selector)
        self.add(selector, RDF_TYPE, ox.NamedNode(OA + "TextQuoteSelector"))
        self.add(selector, OA + "exact", ox.Literal(exact))
        if before:
            self.add(selector, OA + "prefix", ox.Literal(before))
        if after:
            self.add(selector, OA + "suffix", ox.Literal(after))

    def _concepts(self, row: Recommendation) -> list[tuple[str, ox.NamedNode]]:
        """The row's themes, groups of persons and SDGs as (property, concept)."""
        where = self.where(row)
        found: list[tuple[str, ox.NamedNode]] = []
        for theme in row.themes:
            if theme.code:
                iri = f"{self.vocab.base}uhri-theme-2/{theme.code}"
                if iri not in self.vocab.themes2:
                    raise InputError(f"{where}: recommendation {row.number}: the theme "
                                     f"{str(theme)!r} is not in the UHRI themes of the 2nd "
                                     "cycle (hrv:uhri-theme-2, `hrgraph vocab uhri-theme-2`)")
            else:
                iri = self.vocab.themes3.get(_fold(theme.label))
                if iri is None:
                    raise InputError(f"{where}: recommendation {row.number}: the theme "
                                     f"{theme.label!r} is not in the UHRI themes of the 3rd "
                                     "cycle (hrv:uhri-theme-3, `hrgraph vocab uhri-theme-3`)")
            found.append((self.h("uhriTheme"), ox.NamedNode(iri)))
        for group in row.affected_persons:
            if _fold(group) == "general":  # no group: the recommendation concerns everyone
                continue
            iri = self.vocab.persons.get(_fold(group))
            if iri is None:
                raise InputError(f"{where}: recommendation {row.number}: the group of persons "
                                 f"{group!r} is not in hrv:uhri-persons (`hrgraph vocab "
                                 "uhri-persons`)")
            found.append((self.h("affectedPersons"), ox.NamedNode(iri)))
        for sdg in row.sdgs:
            iri = f"{self.vocab.base}sdg/{sdg.goal}"
            if iri not in self.vocab.sdgs:
                raise InputError(f"{where}: recommendation {row.number}: SDG {sdg.goal} is not "
                                 "in hrv:sdg")
            found.append((self.h("sdg"), ox.NamedNode(iri)))
        return list(dict.fromkeys(found))

    def _demand(self, subject: ox.NamedNode, wording: Wording | None, row: Recommendation,
                states: Iterable[str], concepts: list[tuple[str, ox.NamedNode]],
                text: str) -> set[str]:
        where = self.where(row)
        self.add(subject, RDF_TYPE, ox.NamedNode(self.h("UprRecommendation")))
        self.add(subject, RDF_TYPE, ox.NamedNode(self.h("Demand")))
        self.add(subject, self.h("madeIn"), self.report)
        makers = set()
        for name in states:
            maker = _state(name, self.project.root, f"{where}: recommendation {row.number}").iri
            makers.add(maker)
            self.add(subject, self.h("recommendedBy"), ox.NamedNode(maker))
        self.add(subject, self.h("addressee"), self.state_iri)
        self.add(subject, self.h("actorAskedToAct"), self.state_iri)
        action = suggest_action_type(text, self.vocab.actions, f"{self.vocab.base}action-type/")
        self.add(subject, self.h("suggestedActionType"), ox.NamedNode(action))
        self.add(subject, self.h("uprActionCategory"), ox.NamedNode(
            f"{self.vocab.base}upr-info-action-category/{action_category(text)}"))
        for predicate, concept in concepts:
            self.add(subject, predicate, concept)
        self.places[subject.value] = f"table {row.table}, row {row.row}"
        return makers

    def recommendation(self, row: Recommendation,
                       citations: dict[str, ox.NamedNode]) -> set[str]:
        """The triples of one numbered row; returns its makers' IRIs."""
        where = self.where(row)
        local = f"{self.key}-{row.number}"
        item = self.iri("demand", local)
        cell, offset = self._cell(row)
        concepts = self._concepts(row)
        first, last = row.wordings[0], row.wordings[-1]
        text = row.text
        makers = self._demand(item, None, row, row.states, concepts, first.text)
        self.add(item, SKOS + "notation", ox.Literal(row.number))
        several = len(row.wordings) > 1
        label = (f"Recommendation {row.number} of the UPR of {self.state.un_name} "
                 f"({_ordinal(self.cycle)} cycle)") if several else first.text
        self.add(item, SKOS + "prefLabel", ox.Literal(" ".join(label.split()), language="en"))
        # the item: from its first wording to its last (docs/upr.md); prefix the number,
        # suffix the last wording's states
        number_part = cell.text[:offset + first.start]
        self._quote(item, local, cell, offset + first.start, offset + last.end, number_part,
                    self._states_part(text, last), f"{where}: recommendation {row.number}")
        if several:
            for n, wording in enumerate(row.wordings, start=1):
                part = self.iri("demand", f"{local}-{n}")
                self._demand(part, wording, row, wording.states, concepts, wording.text)
                self.add(part, self.h("partOf"), item)
                self.add(part, self.h("order"), ox.Literal(str(n), datatype=ox.NamedNode(
                    XSD + "integer")))
                self.add(part, SKOS + "prefLabel", ox.Literal(" ".join(wording.text.split()),
                                                               language="en"))
                before = number_part if n == 1 else text[row.wordings[n - 2].end:wording.start]
                self._quote(part, f"{local}-{n}", cell, offset + wording.start,
                            offset + wording.end, before.lstrip(";") if n > 1 else before,
                            self._states_part(text, wording),
                            f"{where}: recommendation {row.number}, wording {n}")
        self._position(row, item, local, citations)
        if row.comments:
            self._comment(row, item, local)
        return makers

    @staticmethod
    def _states_part(text: str, wording: Wording) -> str:
        """The text after a wording up to the end of its states (``;`` or ``.`` included)."""
        rest = text[wording.end:]
        m = re.match(r"(?:\s*\([^;]*?\))+\s*[;.]?", rest)
        return m.group(0) if m else ""

    def _position(self, row: Recommendation, item: ox.NamedNode, local: str,
                  citations: dict[str, ox.NamedNode]) -> None:
        if row.source is None:
            raise InputError(f"{self.where(row)}: recommendation {row.number} has no 'Source of "
                             "position:' line: the position cannot be cited")
        position = self.iri("position", local)
        self.add(position, RDF_TYPE, ox.NamedNode(self.h("UprResponse")))
        self.add(position, self.h("positionOn"), item)
        self.add(position, self.h("respondent"), self.state_iri)
        self.add(position, self.h("positionValue"), ox.NamedNode(
            f"{self.vocab.base}upr-info-response/{row.position_kind}"))
        citation = citations.get(row.source.text)
        if citation is None:
            citation = self.iri("citation", f"{self.key}-{_slug(row.source.text)}")
            citations[row.source.text] = citation
            self.add(citation, RDF_TYPE, ox.NamedNode(self.h("Citation")))
            self.add(citation, self.h("citedIn"), self.report)
            self.add(citation, self.h("citedAs"), ox.Literal(row.source.text))
            self.places[citation.value] = f"table {row.table}, row {row.row}"
        self.add(position, self.h("positionSource"), citation)
        self.places[position.value] = f"table {row.table}, row {row.row}"

    def _comment(self, row: Recommendation, item: ox.NamedNode, local: str) -> None:
        assert row.comments is not None
        cell = next((c for c in self.cells.get((row.table, row.row), [])
                     if c.text == row.comments), None)
        where = f"{self.where(row)}: recommendation {row.number}, comments"
        if cell is None:
            raise InputError(f"{where}: the comment is not in the text copy")
        note = self.iri("note", local)
        self.add(item, self.h("sourcedNote"), note)
        self.add(note, RDF_TYPE, ox.NamedNode(self.h("SourcedNote")))
        before = self.copy[max(0, cell.start - 200):cell.start]
        start = before.rfind(row.number)
        self._quote(note, f"{local}-comment", cell, 0, len(cell.text),
                    before[start:] if start >= 0 else "", "", where)
        self.places[note.value] = f"table {row.table}, row {row.row}"


# --------------------------------------------------------------------------- importing


@dataclass
class ImportResult:
    """What ``hrgraph import upr`` found and did: ``already`` is the id of the contribution
    that merged the same file before (nothing else was done then)."""

    already: str | None = None
    upr: UprImport | None = None
    added: AddResult | None = None
    extra: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The line the command prints."""
        if self.already:
            return f"already imported as {self.already}"
        assert self.upr is not None and self.added is not None
        u = self.upr
        text = (f"{u.items} recommendations ({u.supported} supported, {u.noted} noted) from "
                f"{u.states} recommending states in {u.report}")
        if self.added.merged:
            return f"imported {text}"
        if self.added.dry_run and self.added.conforms:
            return f"dry run: would import {text}; nothing was written"
        return f"not imported: {text} has violations (see above)"


def import_upr(project: Project, path: str | Path, *, state_under_review: str | None = None,
               cycle: int | None = None, session: int | None = None, date: str | None = None,
               dry_run: bool = False, contributor: str | None = None,
               message: str | None = None) -> ImportResult:
    """Import a UPR thematic list as a contribution (see the module docstring).

    A file whose SHA-256 a merged contribution's record gives is not imported again: the
    result's ``already`` names that contribution.

    Raises:
        InputError: the file cannot be read as a thematic list, or its content cannot be mapped
            (:func:`prepare`); nothing is written.
        StoreError: the store is missing, locked, or cannot be written.
    """
    path = Path(path)
    shown = _display(project, path)
    if path.suffix.lower() != ".docx":
        raise InputError("not a .docx Word document (the UPR thematic lists are .docx files)",
                         path=shown)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=shown) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=shown) from None
    if not (project.store_path / "CURRENT").is_file():  # before the reading, which takes time
        raise StoreError(f"no store at {project.store_path}: run `hrgraph build` first")
    earlier = source_contribution(project, hashlib.sha256(data).hexdigest())
    if earlier is not None:
        return ImportResult(already=earlier.id)
    upr = prepare(project, path, state_under_review=state_under_review, cycle=cycle,
                  session=session, date=date, shown=shown)
    title = next((t.object.value for t in upr.prepared.triples
                  if t.subject.value == upr.report and t.predicate.value == DCTERMS + "title"),
                 upr.report)
    added = add_prepared(project, upr.prepared, source_name=path.name, source_bytes=data,
                         shown=shown, contributor=contributor, dry_run=dry_run,
                         message=message or guard.shorten(
                             f"UPR recommendations: {title}, {upr.items} numbered items "
                             "(hrgraph import upr)", 300))
    return ImportResult(upr=upr, added=added)


def _display(project: Project, path: Path) -> str:
    resolved = path.resolve()
    if resolved.is_relative_to(project.root):
        return resolved.relative_to(project.root).as_posix()
    return str(path)
