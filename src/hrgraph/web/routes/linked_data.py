"""``/id/{path}`` and ``/vocab/{path}``: a page for every IRI under the project's id and vocabulary
bases, and ``/ontology``: one page for the ontology's hash IRIs, an anchor per term.

The IRI ``https://w3id.org/hrgraph/id/person/aliaksandr-alesin`` names a person, not a document,
so (as "Cool URIs for the Semantic Web" asks of slash IRIs) its address answers
``303 See Other`` to the document that describes it in the format the client prefers by
``Accept`` (``Vary: Accept``):

======================  ====================================  ==============================
Accept                  303 to                                 format
======================  ====================================  ==============================
text/html (browsers)    ``/id/person/aliaksandr-alesin.html``  the page for people
text/turtle             ``….ttl``                              Turtle
application/ld+json     ``….jsonld``                           JSON-LD
application/n-triples   ``….nt``                               N-Triples
application/rdf+xml     ``….rdf``                              RDF/XML
application/json        ``….json``                             the page's model (JSON twin)
======================  ====================================  ==============================

The typed addresses answer ``200`` directly. An IRI the public graph says nothing about is 404;
so is any path with ``..``, ``.`` or characters that cannot be in an entity IRI. A concept or
scheme under ``/vocab/`` gets its vocabulary section (:mod:`hrgraph.web.vocabulary`). The
ontology's terms are hash IRIs (``…/ontology#Demand``): a browser asks for ``/ontology`` and
jumps to the anchor ``Demand``.
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hrgraph.export import turtle_prefixes
from hrgraph.web import downloads, negotiation
from hrgraph.web.app import page_routes, state_of
from hrgraph.web.entities import View, describe, entity_page
from hrgraph.web.vocabulary import ontology_page, vocab_page

#: A path below /id/: slash-separated segments of unreserved characters, none of them . or ..
_SEGMENT = r"[A-Za-z0-9_~\-]+(?:\.[A-Za-z0-9_~\-]+)*"
_PATH = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_EXTENSIONS = ("html", "json", *negotiation.GRAPH_FORMATS, *downloads.SUFFIXES)


def _split(path: str) -> tuple[str, str | None]:
    """``person/x.ttl`` → (``person/x``, ``ttl``); no known extension → (path, None)."""
    stem, dot, extension = path.rpartition(".")
    if dot and extension in _EXTENSIONS and "/" not in extension:
        return stem, extension
    return path, None


async def entity(request: Request) -> Response:
    """The entity's page or RDF (typed address), or a 303 to it (bare IRI)."""
    return await _resource(request, "id")


async def vocabulary(request: Request) -> Response:
    """A concept's or scheme's page or RDF, or a 303 to it, as for entities."""
    return await _resource(request, "vocab")


async def _resource(request: Request, where: str) -> Response:
    state = state_of(request)
    path = request.path_params["path"]
    if not _PATH.fullmatch(path):
        raise HTTPException(404)
    stem, extension = _split(path)
    base = state.project.id_base if where == "id" else state.project.vocab_base
    iri = base + stem
    stem = f"{where}/{stem}"
    view = View(state.store.get(), state.project)
    if extension is None:
        if not view.exists(iri):
            raise HTTPException(404, f"The graph has nothing about {iri}.")
        accept = request.headers.get("accept", "")
        offers = ["text/html", *(m for m, _ in negotiation.GRAPH_FORMATS.values()),
                  "application/json"]
        chosen = negotiation.choose(accept, offers) or "text/html"
        if chosen == "text/html":
            target = "html"
        elif chosen == "application/json":
            target = "json"
        else:
            target = next(s for s, (m, _) in negotiation.GRAPH_FORMATS.items() if m == chosen)
        return RedirectResponse(f"/{stem}.{target}", status_code=303,
                                headers={"Vary": "Accept"})
    if extension in negotiation.GRAPH_FORMATS:
        triples = await state.in_thread(describe, view, iri)
        if not triples:
            raise HTTPException(404, f"The graph has nothing about {iri}.")
        body, media = negotiation.serialize_graph(
            triples, extension, turtle_prefixes(state.project))
        return Response(body, media_type=media, headers=_links(iri, stem))
    model = await state.in_thread(entity_page if where == "id" else vocab_page, view, iri)
    if model is None:
        raise HTTPException(404, f"The graph has nothing about {iri}.")
    fmt = downloads.requested_format(request)
    if fmt is not None:  # one of the page's lists (?list=): /vocab/topic/x.csv
        return downloads.entity_download(request, model, fmt, stem)
    if extension == "json":
        return JSONResponse(model, headers=_links(iri, stem))
    response = state.templates.TemplateResponse(request, "entity.html", {"model": model},
                                                headers=_links(iri, stem))
    return response


def _links(iri: str, stem: str) -> dict[str, str]:
    """A Link header naming the thing described and the other representations."""
    alternates = [f'</{stem}.{s}>; rel="alternate"; type="{m}"'
                  for s, (m, _) in negotiation.GRAPH_FORMATS.items()]
    return {"Link": ", ".join([f'<{iri}>; rel="describes"', *alternates])}


async def ontology(request: Request) -> Response:
    """``/ontology``: every class and property, an anchor per term (``/ontology#Demand``);
    ``/ontology.json`` its model."""
    state = state_of(request)
    model = await state.cached(("ontology",), lambda store: ontology_page(
        View(store, state.project)))
    return state.render(request, "ontology.html", model)


def routes() -> list[Route]:
    """The linked-data routes."""
    return [Route("/id/{path:path}", entity, name="entity"),
            Route("/vocab/{path:path}", vocabulary, name="vocabulary"),
            *page_routes("/ontology", ontology, name="ontology")]



