"""The network of /network and of the entity pages: who signed which document, which document made
which demand, whom a demand addresses and whom it concerns — filtered, and laid out on the server.

:func:`graph` reads the whole network from the store; :func:`select` keeps part of it (by kind of
node, document, topic, or the neighbours of one entity); :func:`layout` places the nodes;
:func:`network` does all three for a page and its ``.json`` twin, which the browser draws with
Cytoscape.js (``preset`` layout: the positions are the server's).

The layout is a **layered layout by kind**, a function of the data alone: signatories on the left,
then documents, then demands (grouped by document, in the document's order), then the people,
groups and organisations the demands address or concern. Each node of the outer columns sits at
the mean height of its neighbours, and overlaps are removed by merging blocks (each block at the
mean of the heights its members want, so nodes move as little as possible). Every order is by a
key of the data (date, label, IRI in natural order), never by the order the store returns rows,
so the same data gives the same positions, whatever the order of the input.

Labels are cut on the server to what fits their column at the font size the page draws (12 px at
zoom 1), and the rows are spaced by those lines, so labels do not overlap at the default zoom.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from hrgraph.errors import InputError
from hrgraph.web.entities import FOAF, RDF, View
from hrgraph.web.listings import all_demands, check_filters, from_summary

#: Kinds of node, in the order the filters and the legend show them.
KINDS = ("organisation", "person", "group", "document", "demand")

#: Properties of a demand drawn as links to agents, with the link's name.
DEMAND_LINKS = (("addressee", "addresses"), ("concernsPerson", "concerns"),
                ("concernsOrganisation", "concerns"), ("concernsGroup", "concerns"))

#: The font size (px) of the labels; the page draws at zoom 1, so this is what the reader sees.
FONT_SIZE = 12
#: Height (px) of one line of a label (the page's ``line-height`` of 1.2 times the font size).
LINE_HEIGHT = 14.4
#: Per column: where the label sits beside the node, its width (px) and how many characters of a
#: line fit it (at about 7 px a character, wide letters included), and its number of lines.
COLUMNS = {
    0: {"side": "left", "width": 180, "chars": 25, "lines": 2},    # signatories
    1: {"side": "top", "width": 210, "chars": 26, "lines": 3},     # documents
    2: {"side": "right", "width": 340, "chars": 54, "lines": 1},   # demands
    3: {"side": "right", "width": 190, "chars": 26, "lines": 2},   # addressed or concerned
}
NODE_SIZE = {"document": 16, "demand": 10}
DEFAULT_NODE_SIZE = 13
#: Space (px) between columns, between rows, between the demands of two documents, and around.
COLUMN_GAP, ROW_GAP, GROUP_GAP, MARGIN = 32, 6, 16, 20


# --------------------------------------------------------------------------- reading the graph


def graph(view: View, demands: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The public network of ``demands`` (default: every demand, as
    :func:`~hrgraph.web.listings.all_demands` gives them): nodes by IRI (``kind``, ``label``,
    link; a demand's document and topics, a document's date) and the links between them, each
    once, in a stable order; and the demands."""
    hrg = view.hrg
    nodes: dict[str, dict[str, Any]] = {}
    edges: set[tuple[str, str, str]] = set()

    def node(term: ox.NamedNode, kind: str, **extra: Any) -> str:
        if term.value not in nodes:
            nodes[term.value] = {**view.link(term), "id": term.value, "kind": kind, **extra}
        return term.value

    def agent_kind(iri: str) -> str:
        types = {o.value for o in view.objects(iri, RDF + "type")}
        if FOAF + "Person" in types:
            return "person"
        return "group" if hrg + "Collective" in types else "organisation"

    if demands is None:
        demands = all_demands(view)
    for demand in demands:  # leaf demands only, as /demands and the dashboard count
        document = demand["document"]["iri"]
        node(ox.NamedNode(document), "document", date=view.value(document, hrg + "earliestDate"))
        d = node(ox.NamedNode(demand["iri"]), "demand", document=document,
                 topics=sorted(t["iri"] for t in demand["topics"]))
        edges.add((document, d, "made"))
        for prop, label in DEMAND_LINKS:
            for target in view.objects(demand["iri"], hrg + prop):
                if isinstance(target, ox.NamedNode):
                    edges.add((d, node(target, agent_kind(target.value)), label))
    for document in sorted(n["id"] for n in nodes.values() if n["kind"] == "document"):
        for signatory in view.objects(document, hrg + "signatory"):
            if isinstance(signatory, ox.NamedNode):
                edges.add((node(signatory, agent_kind(signatory.value)), document, "signed"))
    return {"nodes": nodes,
            "edges": [{"source": s, "target": t, "label": label}
                      for s, t, label in sorted(edges, key=_edge_key)],
            "demands": demands}


def _edge_key(edge: tuple[str, str, str]) -> tuple:
    return (natural(edge[0]), natural(edge[1]), edge[2])


def natural(text: str) -> tuple:
    """A sort key putting ``c2-3-b1-2`` before ``c2-3-b1-10`` (numbers compared as numbers)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", text) if part)


# --------------------------------------------------------------------------- choosing a part


def select(full: Mapping[str, Any], *, types: Sequence[str] = (), document: str = "",
           topic: str = "", around: str = "") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes and links of ``full`` (a :func:`graph`) that the filters keep.

    ``document`` and ``topic`` keep the demands made in that document or of that topic (a broad
    topic keeps those of its narrower ones) with their documents, the documents' signatories and
    the agents the demands address or concern; ``around`` keeps one entity and its neighbours;
    ``types`` then keeps the nodes of those kinds (all when empty). A link is kept when both its
    ends are."""
    nodes: Mapping[str, dict[str, Any]] = full["nodes"]
    edges: list[dict[str, Any]] = full["edges"]
    keep = set(nodes)
    if document or topic:
        demands = {i for i, n in nodes.items() if n["kind"] == "demand"
                   and (not document or n["document"] == document)
                   and (not topic or topic in n["topics"])}
        documents = {nodes[d]["document"] for d in demands}
        keep = demands | documents
        keep |= {e["target"] for e in edges if e["source"] in demands}
        keep |= {e["source"] for e in edges if e["target"] in documents}
    if around:
        keep &= {around} | {e["target"] for e in edges if e["source"] == around} \
            | {e["source"] for e in edges if e["target"] == around}
    if types:
        keep = {i for i in keep if nodes[i]["kind"] in types}
    kept_edges = [e for e in edges if e["source"] in keep and e["target"] in keep]
    return [nodes[i] for i in sorted(keep, key=natural)], kept_edges


# --------------------------------------------------------------------------- layout


def layer_of(node: Mapping[str, Any], signatories: set[str]) -> int:
    """The node's column: 0 signatories, 1 documents, 2 demands, 3 agents addressed or
    concerned (an agent that signs and is also concerned stays with the signatories)."""
    if node["kind"] == "document":
        return 1
    if node["kind"] == "demand":
        return 2
    return 0 if node["id"] in signatories else 3


def wrap(text: str, chars: int, lines: int) -> str:
    """``text`` broken into at most ``lines`` lines of at most ``chars`` characters, at spaces
    where it can be, the last cut with an ellipsis when the text is longer."""
    words = text.split()
    out: list[str] = []
    line = ""
    for word in words:
        while len(word) > chars:  # a word longer than a line is broken inside
            if line:
                out.append(line)
                line = ""
            out.append(word[:chars])
            word = word[chars:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= chars:
            line += " " + word
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    if len(out) > lines:
        last = out[lines - 1]
        room = chars - 1
        cut = last if len(last) <= room else (last[:room].rsplit(" ", 1)[0] or last[:room])
        out = [*out[:lines - 1], cut.rstrip(" ,;:") + "…"]
    return "\n".join(out) or "?"


def _sort_key(node: Mapping[str, Any], nodes: Mapping[str, Mapping[str, Any]]) -> tuple:
    if node["kind"] == "document":
        return (node.get("date") or "9999", natural(node["id"]))
    if node["kind"] == "demand":
        doc = nodes.get(node.get("document", ""), {"date": None, "id": node.get("document", "")})
        return (doc.get("date") or "9999", natural(doc["id"]), natural(node["id"]))
    return (node["label"].casefold(), natural(node["id"]))


def _extents(node: Mapping[str, Any], side: str, text: str) -> tuple[float, float]:
    """How far (px) the node and its label reach above and below the node's centre."""
    size = NODE_SIZE.get(node["kind"], DEFAULT_NODE_SIZE)
    label = (text.count("\n") + 1) * LINE_HEIGHT + 2  # 1 px of background around the text
    if side == "top":
        return size / 2 + label + 2, size / 2
    half = max(size, label) / 2
    return half, half


def _place(items: list[tuple[float, float, float]]) -> list[float]:
    """Centres for items given in order as ``(wanted centre, reach above, reach below)``: in
    that order, no two overlapping (``ROW_GAP`` apart), each block of touching items at the mean
    of the centres its items want (the least squares place)."""
    blocks: list[dict[str, Any]] = []
    for wanted, up, down in items:
        block = {"members": [(wanted, up, down)], "offsets": [0.0]}
        _centre(block)
        blocks.append(block)
        while len(blocks) > 1 and _overlap(blocks[-2], blocks[-1]):
            last = blocks.pop()
            first = blocks[-1]
            base = first["offsets"][-1] + first["members"][-1][2] + ROW_GAP
            for (w, u, d), o in zip(last["members"], last["offsets"], strict=True):
                first["members"].append((w, u, d))
                first["offsets"].append(base + last["members"][0][1] + o)
            _centre(first)
    return [b["top"] + o for b in blocks for o in b["offsets"]]


def _centre(block: dict[str, Any]) -> None:
    members, offsets = block["members"], block["offsets"]
    block["top"] = math.fsum(w - o for (w, _, _), o in zip(members, offsets, strict=True)) \
        / len(members)


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    bottom = a["top"] + a["offsets"][-1] + a["members"][-1][2]
    return bottom + ROW_GAP > b["top"] - b["members"][0][1]


def layout(nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]]
           ) -> dict[str, Any]:
    """Positions for ``nodes`` (``id``, ``kind``, ``label``; a demand's ``document``, a
    document's ``date``) linked by ``edges`` (``source``, ``target``, ``label``): for each node
    id its centre ``x``, ``y``, its column, the side of its label and the label's lines; and
    the ``width`` and ``height`` of the drawing. A function of the data only: the input's order
    does not change the result."""
    by_id = {n["id"]: n for n in nodes}
    links = sorted({(e["source"], e["target"], e["label"]) for e in edges
                    if e["source"] in by_id and e["target"] in by_id}, key=_edge_key)
    signatories = {s for s, _, label in links if label == "signed"}
    neighbours: dict[str, list[str]] = {i: [] for i in by_id}
    for s, t, _ in links:
        neighbours[s].append(t)
        neighbours[t].append(s)
    layers: dict[int, list[str]] = {}
    for i in by_id:
        layers.setdefault(layer_of(by_id[i], signatories), []).append(i)
    placed: dict[str, dict[str, Any]] = {}

    def shape(i: str, column: int) -> tuple[str, float, float]:
        spec = COLUMNS[column]
        text = wrap(by_id[i]["label"], spec["chars"], spec["lines"])
        up, down = _extents(by_id[i], spec["side"], text)
        return text, up, down

    # The demands: stacked in their documents' order, a gap between two documents' demands.
    demands = sorted(layers.get(2, []), key=lambda i: _sort_key(by_id[i], by_id))
    y, previous = 0.0, None
    for i in demands:
        text, up, down = shape(i, 2)
        group = by_id[i].get("document")
        if previous is not None:
            y += previous[1] + ROW_GAP + up + (GROUP_GAP if group != previous[0] else 0)
        placed[i] = {"column": 2, "y": y, "text": text, "up": up, "down": down}
        previous = (group, down)
    # Then the documents, the signatories and the agents addressed or concerned, each at the
    # mean height of its neighbours already placed.
    for column in (1, 0, 3):
        members = layers.get(column, [])
        wanted: dict[str, float | None] = {}
        for i in members:
            ys = [placed[n]["y"] for n in sorted(set(neighbours[i]), key=natural) if n in placed]
            wanted[i] = math.fsum(ys) / len(ys) if ys else None
        known = [w for w in wanted.values() if w is not None]
        fallback = max(known, default=0.0)  # nodes with no placed neighbour go last
        order = sorted(members, key=lambda i: (wanted[i] is None, wanted[i] or 0.0,
                                               _sort_key(by_id[i], by_id)))
        shapes = {i: shape(i, column) for i in order}
        centres = _place([(fallback if wanted[i] is None else wanted[i], shapes[i][1],
                           shapes[i][2]) for i in order])
        for i, centre in zip(order, centres, strict=True):
            text, up, down = shapes[i]
            placed[i] = {"column": column, "y": centre, "text": text, "up": up, "down": down}
    # Columns left to right, only those in use; then everything moved inside the margins.
    xs: dict[int, float] = {}
    x = float(MARGIN)
    for column in sorted(layers):
        spec = COLUMNS[column]
        left = spec["width"] + 8 if spec["side"] == "left" else (
            spec["width"] / 2 if spec["side"] == "top" else 8)
        right = spec["width"] + 8 if spec["side"] == "right" else (
            spec["width"] / 2 if spec["side"] == "top" else 8)
        xs[column] = x + left
        x = xs[column] + right + COLUMN_GAP
    width = x - COLUMN_GAP + MARGIN if xs else 2 * MARGIN
    top = min((p["y"] - p["up"] for p in placed.values()), default=0.0)
    bottom = max((p["y"] + p["down"] for p in placed.values()), default=0.0)
    positions = {i: {"x": round(xs[p["column"]], 1), "y": round(p["y"] - top + MARGIN, 1),
                     "column": p["column"], "side": COLUMNS[p["column"]]["side"],
                     "text": p["text"]}
                 for i, p in sorted(placed.items(), key=lambda kv: natural(kv[0]))}
    return {"positions": positions, "width": round(width, 1),
            "height": round(bottom - top + 2 * MARGIN, 1) if placed else 2 * MARGIN}


# --------------------------------------------------------------------------- the page's model


def check(view: View, full: Mapping[str, Any], filters: Mapping[str, Any]) -> None:
    """Refuse a filter value that names nothing (an :class:`~hrgraph.errors.InputError`, 400 on
    the web), naming the accepted ones: the same rule as the demands list's filters for
    ``document`` and ``topic``, the kinds of node for ``type``, an entity of the network for
    ``around``."""
    for kind in filters.get("type", ()):
        if kind not in KINDS:
            raise InputError(f"type={kind!r} is not a kind of node; it accepts "
                             + ", ".join(KINDS))
    chosen = {name: filters[name] for name in ("document", "topic") if filters.get(name)}
    if chosen:
        check_filters(view, chosen)
    around = filters.get("around")
    if around and around not in full["nodes"] and not view.exists(around):
        raise InputError(f"around={around!r} names nothing in the data; it accepts the IRI of "
                         "an entity (a document, a demand, an organisation, person or group)")


#: Most demands a network is read for: above it (a large graph and no filter narrow enough) the
#: first ones of the demands list are drawn and the page says so. 2,000 demands take about a
#: second to read and lay out; the whole network at a million triples (20,000) took over 10 s.
MAX_DEMANDS = 2000


def _network_of(view: View, filters: Mapping[str, Any]) -> tuple[dict[str, Any], dict | None]:
    """The network the page selects from, and None when it is the whole network, else
    ``{"shown": n, "of": total}`` demands: every demand while there are at most
    :data:`MAX_DEMANDS`; else those of the ``document`` and ``topic`` filters (from the demand
    summary) or those next to ``around``, at most :data:`MAX_DEMANDS` of them."""
    summary = view.summary()
    total = summary.count({})
    if total <= MAX_DEMANDS:
        return graph(view), None
    chosen = {name: filters[name] for name in ("document", "topic") if filters.get(name)}
    if chosen:
        check_filters(view, chosen)
    around = filters.get("around", "")
    if around:
        hrg = view.hrg
        # its neighbours' demands: itself, a document's, those addressing or concerning it;
        # and one of each document it signed (a document is drawn with its demands)
        near = {around} | set(view.subjects(hrg + "madeIn", around))
        for prop, _ in DEMAND_LINKS:
            near |= set(view.subjects(hrg + prop, around))
        signed = set(view.subjects(hrg + "signatory", around))
        rows, seen = [], set()
        for row in summary.select(chosen)["rows"]:
            if row["iri"] in near or (row["document"] in signed
                                      and row["document"] not in seen):
                rows.append(row)
                seen.add(row["document"])
        labels = summary.select({}, first=0, last=0)["labels"]
        count = len(rows)
    else:
        found = summary.select(chosen, first=0, last=MAX_DEMANDS)
        rows, labels, count = found["rows"], found["labels"], found["count"]
    rows = rows[:MAX_DEMANDS]
    demands = [from_summary(view, row, labels) for row in rows]
    return graph(view, demands), {"shown": len(rows), "of": count}


def network(view: View, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The model of /network (and of its ``.json`` twin): the nodes and links the filters keep,
    each node with its position and label lines (:func:`layout`), the counts by kind, the
    filters' choices with their counts, and the nodes whose name contains ``focus``.

    ``filters``: ``type`` (kinds of node, a list), ``document`` and ``topic`` (IRIs),
    ``around`` (an entity's IRI: it and its neighbours), ``focus`` (text)."""
    filters = dict(filters or {})
    full, drawn_of = _network_of(view, filters)
    check(view, full, filters)
    types = [k for k in KINDS if k in filters.get("type", ())]
    document, topic = filters.get("document", ""), filters.get("topic", "")
    around = filters.get("around", "")
    nodes, edges = select(full, types=types, document=document, topic=topic, around=around)
    placed = layout(nodes, edges)
    shown = []
    for n in sorted(nodes, key=lambda n: (KINDS.index(n["kind"]), n["label"].casefold(),
                                          natural(n["id"]))):
        where = placed["positions"][n["id"]]
        shown.append({key: n[key] for key in ("id", "iri", "label", "href", "local", "kind")}
                     | {key: where[key] for key in ("x", "y", "column", "side", "text")})
    focus = (filters.get("focus") or "").strip()
    needle = focus.casefold()
    found = [n["id"] for n in shown if needle and (needle in n["label"].casefold()
                                                   or needle == n["iri"].casefold())]
    all_nodes = full["nodes"].values()
    if drawn_of is None:
        documents = Counter(n["document"] for n in all_nodes if n["kind"] == "demand")
        topics = Counter(t for n in all_nodes if n["kind"] == "demand" for t in n["topics"])
    else:  # the counts of every demand, from the summary
        facets = view.summary().select({}, first=0, last=0)["facets"]
        documents, topics = Counter(dict(facets["document"])), Counter(dict(facets["topic"]))
    return {
        "partial": drawn_of,
        "filters": {"type": types, "document": document, "topic": topic, "around": around,
                    "focus": focus},
        "around": view.link(ox.NamedNode(around)) if around else None,
        "options": {
            "type": [{"value": k, "count": sum(1 for n in all_nodes if n["kind"] == k),
                      "selected": not types or k in types} for k in KINDS],
            "document": _options(view, documents, document),
            "topic": _options(view, topics, topic),
        },
        "counts": dict(Counter(n["kind"] for n in shown)),
        "nodes": shown,
        "edges": edges,
        "width": placed["width"],
        "height": placed["height"],
        "font_size": FONT_SIZE,
        "focus": {"q": focus, "found": found},
    }


def _options(view: View, counts: Mapping[str, int], chosen: str) -> list[dict[str, Any]]:
    options = [{"value": iri, "label": view.label(iri), "count": n, "selected": iri == chosen}
               for iri, n in counts.items()]
    return sorted(options, key=lambda o: (o["label"].casefold(), o["value"]))
