"""Reading the UPR "Thematic list of recommendations" Word files that OHCHR publishes.

:func:`read_upr` turns one ``.docx`` into plain records (:class:`UprList`, :class:`Recommendation`);
it makes no RDF (the UPR import maps these records). What it reads:

* **The page header** ("UPR of Slovenia (2nd Cycle – 20th session)"): the state under review, the
  cycle and the session, each ``None`` when no header states it. Dates are never read (nor the
  file's metadata).
* **The tables.** In every table, the heading row is found by what its cells say, not by their
  position (:data:`HEADINGS`): ``Recommendation`` (or "Recommendation and recommending State"),
  ``Position`` ("Position of the State under review"), ``Full list of themes`` ("Human rights
  themes and groups of persons"), ``SDGs`` ("Relevant SDGs"), ``Affected persons`` ("Groups of
  Persons") and ``Assessment/comments on level of implementation``; the columns may come in any
  order. A heading this reader does not know is refused (its data would go unread). A table
  without a heading row continues the layout of the table before it when it has as many columns,
  and is skipped otherwise (a cover or title table).
* **The rows** below the heading row: a "Theme: …" row (one cell across the table) starts a group,
  every numbered row (``115.3 …``) is a :class:`Recommendation`, empty rows are skipped, anything
  else is an error.
* **A recommendation cell**: the number, then one or more *wordings*, each its text followed by
  the recommending states in parentheses and ``;`` (``…(Ukraine); Increase efforts …
  (Slovakia);``), then a "Source of position:" line (UN document symbol and paragraph). The
  states are one group or several (``(France) (Lithuania)``), split at commas outside inner
  parentheses (``(Venezuela (Bolivarian Republic of),Peru)``). In a run of parenthesised groups
  before the ``;``, only the trailing groups that look like state names count as states (no digit,
  not all capitals: ``(ICRMW) (Iran (Islamic Republic of))`` and ``1930 (No. 29) (United
  Kingdom …)`` keep ``(ICRMW)`` and ``(No. 29)`` in the text); a ``;`` that follows no such group
  (``any other condition; and strengthen …``) belongs to the text. Names are kept as written:
  resolving them is the states registry's job, which refuses an unknown one.
* **The themes cell** (and the SDG and affected-persons columns, where a layout has them): lines,
  with ``- `` bullets taken off, in sections headed ``Affected persons:``/``Groups of persons:``
  and ``SDGs:``; the lines before any heading belong to the column's own kind. A theme is
  ``A12 Acceptance of international norms`` (UHRI code and label) or a label alone; an SDG is
  ``16 - PEACE, JUSTICE AND STRONG INSTITUTIONS`` (goal 1–17 and its label; a goal listed twice
  counts once); affected persons are kept as written ("general" too: the mapper decides).

Errors are :class:`hrgraph.errors.InputError` (exit 2) naming the file, the table and the row and
what could not be read, quoting at most a short excerpt of a cell. Before python-docx opens the
file, the archive is checked as spreadsheets are (:mod:`hrgraph.spreadsheet`): its directory must
unpack to at most ``max_unpacked_bytes`` and hold no symbolic links, and every XML part is read
by expat first, refusing any DOCTYPE and counting table rows, cells and the characters of each
paragraph against ``max_rows``, ``max_cells`` and ``max_cell_chars``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hrgraph import guard
from hrgraph.errors import InputError
from hrgraph.spreadsheet import Limits, _Budget, _open_archive, _scan_part, _Where

__all__ = [
    "HEADINGS",
    "Recommendation",
    "Sdg",
    "SourceOfPosition",
    "Theme",
    "UprList",
    "Wording",
    "read_upr",
]

# --------------------------------------------------------------------------- the records


@dataclass(frozen=True)
class Theme:
    """A UHRI theme as the list gives it: ``code`` ("A12", 2nd-cycle taxonomy) or ``None`` (the
    3rd-cycle labels have no codes) and ``label`` as written."""

    code: str | None
    label: str

    def __str__(self) -> str:
        return f"{self.code} {self.label}" if self.code else self.label


@dataclass(frozen=True)
class Sdg:
    """A Sustainable Development Goal: its number (1–17) and the label as written, if any."""

    goal: int
    label: str | None


@dataclass(frozen=True)
class SourceOfPosition:
    """The "Source of position" line: ``text`` as written after the colon, the UN document
    ``symbol`` it begins with ("A/HRC/28/15/Add.1") and the ``paragraph`` it names last ("3"),
    each ``None`` when the line has none."""

    text: str
    symbol: str | None
    paragraph: str | None


@dataclass(frozen=True)
class Wording:
    """One worded recommendation of a numbered item: its ``text`` as written (without the states,
    the ``;`` after them or the item number) and the recommending ``states`` as written.
    ``start``/``end`` locate the text in :attr:`Recommendation.text`."""

    text: str
    states: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Recommendation:
    """One numbered row of a table.

    ``table`` and ``row`` count from 1 (the heading row is a row); ``number`` is as written
    ("115.3"); ``text`` is the recommendation cell between the number and the "Source of
    position" line, states included, as written (paragraphs joined by a newline); ``position``
    is as written ("Supported", "Noted": see :attr:`position_kind`); ``comments`` is the comments
    column's text, ``None`` when empty or absent; ``group`` is the theme of the "Theme: …" row
    the recommendation sits under (``None`` before any).
    """

    table: int
    row: int
    number: str
    text: str
    wordings: tuple[Wording, ...]
    position: str
    source: SourceOfPosition | None
    themes: tuple[Theme, ...]
    affected_persons: tuple[str, ...]
    sdgs: tuple[Sdg, ...]
    comments: str | None
    group: Theme | None

    @property
    def position_kind(self) -> str:
        """``"supported"`` or ``"noted"`` (what :attr:`position` says, in lower case)."""
        return _position_kind(self.position) or ""

    @property
    def states(self) -> tuple[str, ...]:
        """Every recommending state of the item as written, each once, in order."""
        return tuple(dict.fromkeys(s for w in self.wordings for s in w.states))


@dataclass(frozen=True)
class UprList:
    """A thematic list: what its page header says and its recommendations in table order."""

    path: str
    state_under_review: str | None
    cycle: int | None
    session: int | None
    page_header: str | None
    recommendations: tuple[Recommendation, ...]
    groups: tuple[Theme, ...] = ()  # the "Theme: …" rows, in order (a theme may come twice)

    @property
    def supported(self) -> int:
        """How many numbered recommendations the state under review supported."""
        return sum(r.position_kind == "supported" for r in self.recommendations)

    @property
    def noted(self) -> int:
        """How many numbered recommendations the state under review noted."""
        return sum(r.position_kind == "noted" for r in self.recommendations)

    @property
    def recommending_states(self) -> tuple[str, ...]:
        """Every recommending state of the list as written, each once, in order of appearance."""
        return tuple(dict.fromkeys(s for r in self.recommendations for s in r.states))


# --------------------------------------------------------------------------- layout

RECOMMENDATION, POSITION, THEMES, SDGS, PERSONS, COMMENTS = (
    "recommendation", "position", "themes", "SDGs", "affected persons", "comments")

#: What a heading cell must say (lower case, spaces collapsed) to be read as each column, tried
#: in this order (so "Human rights themes and groups of persons" is the themes column).
HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (COMMENTS, re.compile(r"(assessment|comments?)\b.*|.*\blevel of implementation\b.*")),
    (THEMES, re.compile(r".*\bthemes?\b.*")),
    (SDGS, re.compile(r"(relevant )?(sdgs?|sustainable development goals?)")),
    (PERSONS, re.compile(r"(affected persons|persons affected|groups? of persons"
                         r"|affected groups)")),
    (POSITION, re.compile(r"(the )?position\b.*|response\b.*")),
    (RECOMMENDATION, re.compile(r"recommendations?\b.*")),
)

#: Labels inside a themes (or SDG, or persons) cell that start a section of another kind.
_SECTION = re.compile(r"(affected persons|persons affected|groups? of persons|affected groups"
                      r"|(?:relevant )?sdgs?|sustainable development goals?"
                      r"|(?:full list of |human rights )?themes?)\s*:\s*(.*)", re.I | re.S)
_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)+)\.?(?=\s|$)\s*")
_SOURCE = re.compile(r"(?:^|(?<=\s))source\s+of\s+position\s*:?", re.I)
_SYMBOL = re.compile(r"[A-Z][A-Z0-9]*(?:/[A-Za-z0-9.]+)+")
_PARAGRAPH = re.compile(r"\bpara(?:graph)?s?\.?\s*(\d+(?:\s*[-–]\s*\d+)?)", re.I)
_THEME = re.compile(r"([A-Z]\d{1,3})\s+(\S.*)", re.S)
_SDG = re.compile(r"(?:SDG|Goal)?\s*(\d{1,2})(?:\s*[-–—:.]\s*|\s+|$)(.*)", re.I | re.S)
_BULLET = re.compile(r"[-–—•·*▪]\s*")
_GROUP = re.compile(r"theme\s*:\s*(.*)", re.I | re.S)
_HEADER_STATE = re.compile(r"(?:UPR|Universal Periodic Review)\s+of\s+(?:the\s+)?"
                           r"(?P<state>[^\t\n]+?)\s*"
                           r"(?=\(\s*\d+\s*(?:st|nd|rd|th)?\s+cycle|\t|\n|$)", re.I)
_HEADER_CYCLE = re.compile(r"(\d+)\s*(?:st|nd|rd|th)?\s+cycle\b", re.I)
_HEADER_SESSION = re.compile(r"(\d+)\s*(?:st|nd|rd|th)?\s+session\b", re.I)
# A state name: letters (any script), spaces, apostrophes, hyphens, dots and inner parentheses;
# no digit; see _state_like for the rest.
_STATE_CHARS = re.compile(r"[^\W\d_][\w\s’'\-.()]*")


def _position_kind(text: str) -> str | None:
    key = " ".join(text.split()).casefold().rstrip(".")
    return key if key in ("supported", "noted") else None


def _heading_role(text: str) -> str | None:
    key = " ".join(text.replace("*", " ").split()).casefold().rstrip(":")
    if len(key) > 80:  # a heading is short; a recommendation's text may mention "themes"
        return None
    for role, pattern in HEADINGS:
        if pattern.fullmatch(key):
            return role
    return None


def _excerpt(text: str, limit: int = 60) -> str:
    return repr(guard.shorten(text, limit))


class _Place:
    """Builds the errors that name file, table and row."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def error(self, message: str, table: int | None = None, row: int | None = None,
              column: str | None = None) -> InputError:
        where = [f"{k} {v}" for k, v in (("table", table), ("row", row)) if v is not None]
        if column is not None:
            where.append(f"column {column!r}")
        prefix = ", ".join(where)
        return InputError(f"{prefix}: {message}" if prefix else message, path=self.shown)


# --------------------------------------------------------------------------- reading


def read_upr(path: str | Path, *, limits: Limits | None = None,
             shown: str | None = None) -> UprList:
    """Read a UPR "Thematic list of recommendations" Word file (see the module's docstring).

    ``limits`` are the contribution limits (:func:`hrgraph.spreadsheet.limits_of`; the defaults
    without one); ``shown`` is how errors name the file (``path`` as given, by default).

    Raises:
        InputError: the file is missing, not a ``.docx`` Word document, over a limit, holds no
            table with a recognisable heading row, or a row whose number, states, position,
            themes or SDGs cannot be read (the message names table and row).
    """
    path = Path(path)
    place = _Place(shown or str(path))
    limits = limits or Limits()
    document = _open_document(path, place, limits)
    groups: list[Theme] = []
    try:
        state, cycle, session, header = _header_facts(document, place)
        recommendations = list(_read_tables(document, place, groups))
    except InputError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        # python-docx reads attributes lazily: a malformed one (gridSpan="x") fails here
        raise place.error(f"the Word document cannot be read ({type(exc).__name__}: "
                          f"{guard.shorten(str(exc), 80)})") from None
    return UprList(place.shown, state, cycle, session, header, tuple(recommendations),
                   tuple(groups))


def _open_document(path: Path, place: _Place, limits: Limits):
    """The python-docx Document, once the archive has passed the spreadsheet checks."""
    import docx

    if not path.exists():
        raise place.error("file not found")
    if not path.is_file():
        raise place.error("not a file: a .docx Word document is expected")
    if not zipfile.is_zipfile(path):
        raise place.error("not a .docx Word document (a .docx file is a ZIP archive; this one "
                          "is not)")
    where = _Where(place.shown)
    with _open_archive(path, where, limits) as archive:
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise place.error("not a .docx Word document: the archive has no word/document.xml "
                              "part")
        budget = _Budget(limits, where)
        counts = {"tc": 0, "tr": 0}
        for info in archive.infolist():
            if info.filename.lower().endswith((".xml", ".rels")):
                _scan_part(archive, info, where, budget, counts, kind=".docx Word document",
                           cells=("tc",), rows=("tr",), texts=("p",), text_nodes=("t",))
    try:
        with guard.no_network([path, path.resolve()]):
            return docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a damaged or foreign file
        raise place.error(f"not a readable .docx Word document ({type(exc).__name__}: "
                          f"{guard.shorten(str(exc), 80)})") from None


def _header_texts(document) -> Iterator[str]:
    for section in document.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            if header.is_linked_to_previous:
                continue  # no header of its own (reading one would add it)
            lines = [p.text for p in header.paragraphs]
            lines += [c.text for t in header.tables for r in t.rows for c in r.cells]
            text = "\n".join(line for line in lines if line.strip())
            if text:
                yield text


def _header_facts(document, place: _Place) -> tuple[str | None, int | None, int | None,
                                                     str | None]:
    """State under review, cycle, session and the header text, from the page headers; a fact
    no header states is ``None``, two headers stating it differently are an error."""
    facts: dict[str, str | int] = {}
    first: str | None = None
    for text in _header_texts(document):
        found: dict[str, str | int] = {}
        if m := _HEADER_STATE.search(text):
            found["state under review"] = " ".join(m.group("state").split())
        if m := _HEADER_CYCLE.search(text):
            found["cycle"] = int(m.group(1))
        if m := _HEADER_SESSION.search(text):
            found["session"] = int(m.group(1))
        if found and first is None:
            first = text
        for key, value in found.items():
            if facts.setdefault(key, value) != value:
                raise place.error(f"the page headers disagree on the {key}: {facts[key]!r} and "
                                  f"{value!r}")
    state = facts.get("state under review")
    cycle, session = facts.get("cycle"), facts.get("session")
    return (state if isinstance(state, str) else None,
            cycle if isinstance(cycle, int) else None,
            session if isinstance(session, int) else None, first)


class _RowView:
    """A table row read once: its cells by grid column (a merged cell spans several), each
    distinct cell once, and each distinct cell's lines (python-docx reads text slowly)."""

    def __init__(self, row) -> None:
        self.cells = row.cells
        self.owner: list[int] = []  # grid column -> index of its distinct cell
        self.columns: list[list[int]] = []  # distinct cell -> its grid columns
        self.distinct: list = []
        for i, cell in enumerate(self.cells):
            if not self.distinct or cell._tc is not self.distinct[-1]._tc:
                self.distinct.append(cell)
                self.columns.append([])
            self.owner.append(len(self.distinct) - 1)
            self.columns[-1].append(i)
        self.lines = [[line for p in c.paragraphs for line in p.text.split("\n")]
                      for c in self.distinct]
        self.texts = ["\n".join(lines).strip() for lines in self.lines]

    def at(self, column: int) -> int:
        """The distinct cell at a grid column."""
        return self.owner[column]


def _layout(view: _RowView, place: _Place, table: int, row: int) -> dict[int, str] | None:
    """The column roles of a heading row by grid column, or ``None`` if the row is no heading
    row (it lacks a recommendation or a position heading)."""
    roles: dict[int, str] = {}
    unknown: list[str] = []
    for k, text in enumerate(view.texts):
        role = _heading_role(text)
        if role is None:
            if text:
                unknown.append(text)
            continue
        if role in roles.values():
            if {RECOMMENDATION, POSITION} <= set(roles.values()) | {role}:
                raise place.error(f"two columns are headed as the {role} column (the second: "
                                  f"{_excerpt(text, 40)})", table, row)
            return None
        roles[view.columns[k][0]] = role
    if not {RECOMMENDATION, POSITION} <= set(roles.values()):
        return None
    if unknown:
        known = ", ".join(repr(r) for r, _ in HEADINGS)
        raise place.error(f"the heading {_excerpt(unknown[0], 40)} names no column this reader "
                          f"knows ({known}); its cells would go unread", table, row)
    return roles


def _read_tables(document, place: _Place, groups: list[Theme]) -> Iterator[Recommendation]:
    layout: dict[int, str] | None = None
    width = 0
    found_table = False
    group: Theme | None = None  # a table may continue the group of the one before
    for t, table in enumerate(document.tables, start=1):
        views = [_RowView(row) for row in table.rows]
        start = 0
        for r, view in enumerate(views, start=1):
            found = _layout(view, place, t, r)
            if found is not None:
                layout, width, start = found, len(view.cells), r
                break
        if start == 0 and (layout is None or not views or len(views[0].cells) != width):
            continue  # no heading row and no layout to continue: not a list of ours
        found_table = True
        assert layout is not None
        for r, view in enumerate(views, start=1):
            if r <= start:
                continue
            again = _layout(view, place, t, r)
            if again is not None:  # the heading repeated (a page break): it may differ
                layout, width = again, len(view.cells)
                continue
            texts = view.texts
            if not any(texts):
                continue
            if any(cell.tables for cell in view.distinct):
                raise place.error("a cell holds a table of its own, which this reader does "
                                  "not read", t, r)
            if len(texts) == 1 or (texts[0] and not any(texts[1:])):
                if m := _GROUP.fullmatch(texts[0]):
                    group = _theme(m.group(1).strip())
                    groups.append(group)
                    continue
                if len(texts) == 1 and not _NUMBER.match(texts[0]):
                    raise place.error(f"the row {_excerpt(texts[0])} is neither a 'Theme: …' row "
                                      "nor a numbered recommendation", t, r)
            yield _recommendation(view, layout, place, t, r, group)
    if not found_table:
        if not document.tables:
            raise place.error("the Word document holds no table; a thematic list of "
                              "recommendations is a table")
        raise place.error("no table has a heading row naming a recommendation column and a "
                          "position column (such as 'Recommendation' and 'Position')")


def _recommendation(view: _RowView, layout: dict[int, str], place: _Place, t: int, r: int,
                    group: Theme | None) -> Recommendation:
    by_role: dict[str, int] = {}  # role -> distinct cell
    for column in range(len(view.cells)):
        role = layout.get(column)
        if role is not None and role not in by_role:
            by_role[role] = view.at(column)
    for k, text in enumerate(view.texts):
        if text and not any(c in layout for c in view.columns[k]):
            raise place.error(f"the cell {_excerpt(text, 40)} is in a column without a "
                              "heading", t, r)
    for role in (RECOMMENDATION, POSITION):
        if role not in by_role:
            raise place.error(f"the row has no cell under the {RECOMMENDATION_COLUMN[role]!r} "
                              "heading", t, r)
    if by_role[RECOMMENDATION] == by_role[POSITION]:
        raise place.error("the recommendation and position cells are merged into one: the "
                          "position cannot be read", t, r)
    number, text, wordings, source = _recommendation_cell(view.lines[by_role[RECOMMENDATION]],
                                                          place, t, r)
    position = view.texts[by_role[POSITION]]
    if not position:
        raise place.error(f"recommendation {number}: the position cell is empty (expected "
                          "'Supported' or 'Noted')", t, r, RECOMMENDATION_COLUMN[POSITION])
    if _position_kind(position) is None:
        raise place.error(f"recommendation {number}: the position {_excerpt(position, 40)} "
                          "cannot be read: it is neither 'Supported' nor 'Noted'", t, r,
                          RECOMMENDATION_COLUMN[POSITION])
    sections: dict[str, list[str]] = {THEMES: [], SDGS: [], PERSONS: []}
    for role in (THEMES, SDGS, PERSONS):
        if role in by_role:
            _sections(view.lines[by_role[role]], role, sections)
    themes = tuple(_theme(line) for line in sections[THEMES])
    sdgs = _sdgs(sections[SDGS], place, t, r, number)
    comments = view.texts[by_role[COMMENTS]] if COMMENTS in by_role else ""
    return Recommendation(t, r, number, text, wordings, " ".join(position.split()), source,
                          themes, tuple(sections[PERSONS]), sdgs, comments or None, group)


#: How errors name a column of each role.
RECOMMENDATION_COLUMN = {RECOMMENDATION: "Recommendation", POSITION: "Position",
                         THEMES: "themes", SDGS: "SDGs", PERSONS: "affected persons"}


def _sections(lines: Iterable[str], default: str, into: dict[str, list[str]]) -> None:
    """Sort a cell's lines into themes, SDGs and affected persons by the section labels."""
    current = default
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if m := _SECTION.fullmatch(line):
            label = m.group(1).casefold()
            current = (SDGS if ("sdg" in label or "development" in label)
                       else THEMES if "theme" in label else PERSONS)
            line = m.group(2).strip()
            if not line:
                continue
        item = _BULLET.sub("", line, count=1) if _BULLET.match(line) else line
        item = item.strip()
        if item and item not in into[current]:
            into[current].append(item)


def _theme(text: str) -> Theme:
    text = " ".join(text.split())
    if m := _THEME.fullmatch(text):
        return Theme(m.group(1), m.group(2))
    return Theme(None, text)


def _sdgs(lines: list[str], place: _Place, t: int, r: int, number: str) -> tuple[Sdg, ...]:
    goals: dict[int, Sdg] = {}
    for line in lines:
        m = _SDG.fullmatch(line)
        goal = int(m.group(1)) if m else 0
        if not 1 <= goal <= 17:
            raise place.error(f"recommendation {number}: the SDG {_excerpt(line, 40)} cannot be "
                              "read (expected a goal number from 1 to 17, such as '16 - PEACE, "
                              "JUSTICE AND STRONG INSTITUTIONS')", t, r, "SDGs")
        label = " ".join(m.group(2).split()) if m else ""
        goals.setdefault(goal, Sdg(goal, label or None))
    return tuple(goals.values())


def _recommendation_cell(lines: list[str], place: _Place, t: int,
                         r: int) -> tuple[str, str, tuple[Wording, ...], SourceOfPosition | None]:
    full = "\n".join(lines)
    column = RECOMMENDATION_COLUMN[RECOMMENDATION]
    m = _NUMBER.match(full)
    if not m:
        raise place.error(f"the recommendation cell {_excerpt(full, 40)} does not begin with a "
                          "recommendation number such as 115.3", t, r, column)
    number = m.group(1)
    rest = full[m.end():]
    source = None
    if s := _SOURCE.search(rest):
        source = _source(" ".join(rest[s.end():].split()))
        rest = rest[:s.start()]
    text = rest.strip()
    wordings = _wordings(text, number, place, t, r)
    return number, text, wordings, source


def _source(text: str) -> SourceOfPosition:
    symbol = m.group(0).rstrip(".") if (m := _SYMBOL.search(text)) else None
    paragraphs = _PARAGRAPH.findall(text)
    return SourceOfPosition(text, symbol, paragraphs[-1].replace(" ", "") if paragraphs
                            else None)


def _groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level parenthesised group of ``text``; a stray ``)`` is text."""
    groups: list[tuple[int, int]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, i + 1))
    return groups


def _split_states(inner: str) -> list[str]:
    """``inner`` split at the commas outside parentheses, each part's spaces collapsed."""
    parts, depth, current = [], 0, []
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += (ch == "(") - (ch == ")")
        current.append(ch)
    parts.append("".join(current))
    return [" ".join(p.split()) for p in parts]


def _state_like(name: str) -> bool:
    """Whether a part of a parenthesised group can be a state's name as UN documents write it:
    letters, spaces, apostrophes, hyphens, dots and inner parentheses, no digit, not all
    capitals (an acronym: ICRMW), beginning with a capital or "the"."""
    if not name or not _STATE_CHARS.fullmatch(name) or name.upper() == name \
            or any(ch.isdigit() for ch in name):
        return False
    return name[0].isupper() or name.startswith("the ")


def _states_of(text: str, group: tuple[int, int]) -> list[str] | None:
    names = _split_states(text[group[0] + 1:group[1] - 1])
    return names if all(_state_like(n) for n in names) else None


def _wordings(text: str, number: str, place: _Place, t: int, r: int) -> tuple[Wording, ...]:
    """The wordings of an item: each text up to its run of state groups and the ``;`` (or the
    final ``.``, or the end of the cell) after it."""
    column = RECOMMENDATION_COLUMN[RECOMMENDATION]
    groups = _groups(text)
    runs: list[list[tuple[int, int]]] = []
    for g in groups:
        if runs and not text[runs[-1][-1][1]:g[0]].strip():
            runs[-1].append(g)
        else:
            runs.append([g])
    wordings: list[Wording] = []
    begin = 0
    for run in runs:
        after = run[-1][1]
        tail = text[after:].lstrip()
        if not (tail.startswith(";") or not tail or tail == "."):
            continue
        states: list[str] = []
        first = None
        for g in reversed(run):  # the trailing groups that name states
            names = _states_of(text, g)
            if names is None:
                break
            states[:0] = names
            first = g[0]
        if first is None:
            continue
        raw = text[begin:first]
        lead = len(raw) - len(raw.lstrip(" \t\n;"))
        body = raw.strip(" \t\n;")
        if not body:
            raise place.error(f"recommendation {number}: the states {_excerpt(', '.join(states))}"
                              " follow no recommendation text", t, r, column)
        wordings.append(Wording(body, tuple(states), begin + lead, begin + lead + len(body)))
        end = len(text) - len(tail) + (1 if tail[:1] in (";", ".") else 0)
        begin = end
    left = text[begin:].strip(" \t\n;.")
    if not wordings:
        raise place.error(f"recommendation {number}: the recommending states cannot be read: "
                          "the text ends with no state names in parentheses, such as "
                          "'(France);'", t, r, column)
    if left:
        raise place.error(f"recommendation {number}: the recommending states of the text "
                          f"{_excerpt(left, 50)} cannot be read: it ends with no state names "
                          "in parentheses", t, r, column)
    return tuple(wordings)
