"""``/sparql``: the SPARQL 1.1 Protocol, read-only.

* ``GET /sparql?query=…``, ``POST`` with a form (``query=…``) or a direct
  ``application/sparql-query`` body.
* SELECT / ASK results as JSON, XML, CSV or TSV; CONSTRUCT / DESCRIBE as Turtle, JSON-LD,
  N-Triples or RDF/XML — by ``Accept``, or by ``format=`` (``json``, ``xml``, ``csv``, ``tsv``,
  ``ttl``, ``jsonld``, ``nt``, ``rdf``).
* The dataset: the union of the public graphs, or the query's ``FROM`` / ``FROM NAMED``, or the
  protocol's ``default-graph-uri`` and ``named-graph-uri`` (repeatable; in the query string, or
  in the form body of a form POST), which replace the query's (SPARQL 1.1 Protocol, 2.1.4): the
  default graph is the merge of the ``default-graph-uri`` graphs (empty if only
  ``named-graph-uri`` is given), ``GRAPH`` reaches the ``named-graph-uri`` graphs only. A graph
  the store lacks is empty; nothing is fetched. A private graph (confidential data) is refused
  (403), whether or not it exists (:func:`hrgraph.guard.protocol_dataset`).
* Refused: updates (403), ``SERVICE`` (403), private graphs (403), malformed queries and graph
  IRIs (400). Queries run at most ``query_timeout`` seconds (503 after) and return at most
  ``result_limit`` rows (``X-Hrgraph-Truncated: true`` when cut).
* ``GET /sparql`` without a query: the SPARQL service description (``sd:`` vocabulary) as Turtle.
"""

from __future__ import annotations

from typing import NamedTuple

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hrgraph import guard
from hrgraph.errors import InputError
from hrgraph.export import turtle_prefixes
from hrgraph.query import run_query
from hrgraph.web import negotiation
from hrgraph.web.app import error_response, state_of

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"

#: Bytes a query sent in a request body may have.
MAX_QUERY_BYTES = 100_000


class ProtocolRequest(NamedTuple):
    """What a request to ``/sparql`` asks: the query or update text, and the dataset graphs."""

    query: str | None
    update: str | None  # set if someone sent an update
    default_graphs: list[str]  # default-graph-uri values, in order
    named_graphs: list[str]  # named-graph-uri values, in order


async def _query_from(request: Request) -> ProtocolRequest:
    """The query text, an update text (if someone sent one) and the dataset graphs: from the
    query string, and from the body of a form POST (the protocol's place for them there)."""
    params = request.query_params
    query, update = params.get("query"), params.get("update")
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            form = await request.form()
            query = form.get("query", query)
            update = form.get("update", update)
            default_graphs += [str(v) for v in form.getlist("default-graph-uri")]
            named_graphs += [str(v) for v in form.getlist("named-graph-uri")]
        elif content_type == "application/sparql-query":
            try:
                query = (await request.body()).decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("the query is not UTF-8 text") from None
        elif content_type == "application/sparql-update":
            update = "(update body)"
        else:
            raise InputError("send the query as a form (application/x-www-form-urlencoded, "
                             "query=…) or as application/sparql-query")
    return ProtocolRequest(str(query) if query is not None else None,
                           str(update) if update is not None else None,
                           default_graphs, named_graphs)


async def sparql(request: Request) -> Response:
    """The SPARQL endpoint (see the module docstring)."""
    state = state_of(request)
    query, update, default_graphs, named_graphs = await _query_from(request)
    if update is not None:
        return error_response(request, 403, "refused: this endpoint is read-only; it does not run "
                                            "SPARQL updates")
    if query is None:
        if request.method == "GET":
            return _service_description(request)
        return error_response(request, 400, "no query: send query=… (see the service description "
                                            "at GET /sparql)")
    # The protocol's dataset replaces the query's FROM / FROM NAMED; private graphs are refused.
    dataset = (guard.protocol_dataset(state.project, default_graphs, named_graphs)
               if default_graphs or named_graphs else None)
    requested = request.query_params.get("format")
    # The text that runs is the one the guard read; parsing a long query takes a while, so
    # off the event loop.
    query, form = await run_in_threadpool(guard.checked, query)
    accept = request.headers.get("accept")
    if form in {"CONSTRUCT", "DESCRIBE"}:
        short = negotiation.graph_format(requested, accept)
    else:
        short = negotiation.result_format(requested, accept)
    if short is None:
        return error_response(request, 406, f"cannot answer a {form} query in the format asked "
                                            f"for ({requested or accept})")
    settings = state.settings
    result = await state.in_worker(run_query, state.project, query,
                                   timeout=settings.query_timeout, limit=settings.result_limit,
                                   dataset=dataset)
    if result.kind == "graph":
        body, media = negotiation.serialize_graph(
            result.triples, short, turtle_prefixes(state.project))
    else:
        body, media = negotiation.serialize_results(result, short)
    headers = {"Vary": "Accept"}
    if result.truncated:
        headers["X-Hrgraph-Truncated"] = "true"
    return Response(body, media_type=media, headers=headers)


def _service_description(request: Request) -> Response:
    """The service description of this endpoint (HTML clients go to the query page instead)."""
    accept = request.headers.get("accept", "")
    if negotiation.choose(accept, ["text/turtle", "text/html"]) == "text/html" \
            and "text/html" in accept:
        return RedirectResponse("/query", status_code=303)
    state = state_of(request)
    # The endpoint's own address: the configured public one, else the port this server listens
    # on at 127.0.0.1 (the socket's, not the client's). Never the request's Host header, which
    # the client chooses: a description naming another host would send clients there.
    base = state.settings.public_base_url
    if base is None:
        server = request.scope.get("server")
        port = server[1] if server and isinstance(server[1], int) else None
        base = f"http://127.0.0.1{f':{port}' if port and port != 80 else ''}/"
    endpoint = ox.NamedNode(base.rstrip("/") + "/sparql")
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731 - a local shorthand
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("default")
    triples = [
        ox.Triple(endpoint, rdf_type, sd("Service")),
        ox.Triple(endpoint, sd("endpoint"), endpoint),
        ox.Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(endpoint, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(endpoint, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, sd("Graph")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                 "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples", "RDF_XML"):
        triples.append(ox.Triple(endpoint, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    hidden = state.project.graph_base + "private/"  # confidential contributions: never named
    for graph in sorted(state.store.get().named_graphs(), key=lambda g: g.value):
        if isinstance(graph, ox.NamedNode) and not graph.value.startswith(hidden):
            named = ox.BlankNode(f"g{len(triples)}")
            triples += [ox.Triple(dataset, sd("namedGraph"), named),
                        ox.Triple(named, sd("name"), graph)]
    short = negotiation.graph_format(request.query_params.get("format"), accept) or "ttl"
    body, media = negotiation.serialize_graph(triples, short, {"sd": SD, "formats": FORMATS})
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def routes() -> list[Route]:
    """The SPARQL endpoint's route."""
    return [Route("/sparql", sparql, methods=["GET", "POST"], name="sparql",
                  max_body_size=MAX_QUERY_BYTES)]
