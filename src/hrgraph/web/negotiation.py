"""Content negotiation: pick a media type from an ``Accept`` header, and the formats hrgraph serves.

Serialisation itself is pyoxigraph's: SPARQL results are written by
``QuerySolutions.serialize`` (JSON, XML, CSV, TSV), graphs by ``pyoxigraph.serialize``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from hrgraph.errors import InputError
from hrgraph.export import write_turtle
from hrgraph.query import QueryResult

#: Media types of SPARQL SELECT / ASK results, by short name (``format=`` parameter).
RESULT_FORMATS: dict[str, tuple[str, ox.QueryResultsFormat]] = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
#: Other names clients use for the same result formats.
RESULT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}

#: Media types of RDF graphs, by short name (also the file extension of linked-data pages).
GRAPH_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
GRAPH_ALIASES = {"turtle": "ttl", "json-ld": "jsonld", "ntriples": "nt", "n-triples": "nt",
                 "text/plain": "nt", "application/x-turtle": "ttl", "rdfxml": "rdf",
                 "application/json": "jsonld", "json": "jsonld", "xml": "rdf",
                 "application/xml": "rdf"}


def parse_accept(header: str) -> list[tuple[str, float]]:
    """``(media type, q)`` pairs of an Accept header, parameters other than ``q`` dropped."""
    found = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        found.append((media, q))
    return found


def choose(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, or ``None`` when it accepts none of them.

    An empty or missing header accepts anything (the first offer). Ties go to the more specific
    range, then to the earlier offer.
    """
    if not header or not header.strip():
        return offers[0] if offers else None
    ranges = parse_accept(header)
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        kind = offer.split("/")[0]
        quality, specificity = -1.0, -1
        for media, q in ranges:
            if media == offer:
                level = 2
            elif media == f"{kind}/*":
                level = 1
            elif media == "*/*":
                level = 0
            else:
                continue
            if level > specificity:
                quality, specificity = q, level
        if quality <= 0:
            continue
        key = (quality, specificity, -index)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def result_format(requested: str | None, accept: str | None) -> str | None:
    """Short name of the SELECT/ASK result format: ``format=`` first, then Accept (JSON when the
    client accepts anything); ``None`` when nothing fits."""
    if requested:
        name = requested.strip().lower()
        name = RESULT_ALIASES.get(name, name)
        for short, (media, _) in RESULT_FORMATS.items():
            if name in {short, media}:
                return short
        return None
    offers = [media for media, _ in RESULT_FORMATS.values()] + list(RESULT_ALIASES)
    media = choose(accept, offers)
    if media is None:
        return None
    media = RESULT_ALIASES.get(media, media)
    return next(s for s, (m, _) in RESULT_FORMATS.items() if media in {s, m})


def graph_format(requested: str | None, accept: str | None) -> str | None:
    """Short name of the RDF format (``ttl``, ``jsonld``, ``nt``, ``rdf``): ``format=`` first,
    then Accept (Turtle when the client accepts anything); ``None`` when nothing fits."""
    if requested:
        name = requested.strip().lower()
        name = GRAPH_ALIASES.get(name, name)
        for short, (media, _) in GRAPH_FORMATS.items():
            if name in {short, media}:
                return short
        return None
    offers = [media for media, _ in GRAPH_FORMATS.values()] + ["text/plain", "application/json"]
    media = choose(accept, offers)
    if media is None:
        return None
    media = GRAPH_ALIASES.get(media, media)
    return next(s for s, (m, _) in GRAPH_FORMATS.items() if media in {s, m})


#: Characters XML 1.0 cannot hold, not even as a character reference (as UTF-8 bytes). Data
#: holding them is refused at load, but a query can still make one: ``BIND("\b" AS ?x)``.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def xml_safe(body: bytes) -> bytes:
    """``body`` if it is XML that parsers accept; else an :class:`InputError` naming the
    character and the way out (pyoxigraph writes such characters into XML as they are)."""
    bad = _NOT_XML.search(body)
    if bad is not None:
        char = bad.group().decode("utf-8")
        raise InputError(f"the answer holds the character U+{ord(char):04X}, which XML cannot "
                         "hold: ask for JSON (format=json) or N-Triples instead")
    return body


def serialize_results(result: QueryResult, short: str) -> tuple[bytes, str]:
    """A SELECT or ASK result in a SPARQL results format; returns the bytes and media type."""
    media, fmt = RESULT_FORMATS[short]
    parsed = ox.parse_query_results(result.to_json().encode("utf-8"),
                                    format=ox.QueryResultsFormat.JSON)
    body = parsed.serialize(format=fmt)
    if fmt == ox.QueryResultsFormat.XML:
        body = xml_safe(body)
    if short in {"csv", "tsv"}:
        media += "; charset=utf-8"
    return body, media


def serialize_graph(triples: Sequence[ox.Triple], short: str,
                    prefixes: Mapping[str, str] | None = None) -> tuple[bytes, str]:
    """Triples in an RDF format, with ``prefixes`` where the format has them (Turtle: sorted,
    by :func:`hrgraph.export.write_turtle`, so no local name holds an escape)."""
    media, fmt = GRAPH_FORMATS[short]
    if fmt == ox.RdfFormat.TURTLE:
        body = write_turtle(sorted(triples, key=lambda t: (str(t.subject), str(t.predicate),
                                                           str(t.object))), prefixes or {})
    elif fmt == ox.RdfFormat.RDF_XML:
        body = ox.serialize(triples, format=fmt, prefixes=dict(prefixes or {}))
    else:
        body = ox.serialize(triples, format=fmt)
    if fmt == ox.RdfFormat.RDF_XML:
        body = xml_safe(body or b"")
    if short == "jsonld":
        body = json.dumps(json.loads(body or b"[]"), ensure_ascii=False, indent=1).encode()
    if short in {"ttl", "nt"}:
        media += "; charset=utf-8"
    return body or b"", media
