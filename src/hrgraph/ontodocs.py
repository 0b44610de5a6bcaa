"""``hrgraph docs``: HTML documentation of the ontology and the vocabularies, with pyLODE.

    ontology/hrgraph.ttl            → DIR/ontology.html        (pyLODE OntPub)
    ontology/vocabularies/NAME.ttl  → DIR/vocabularies/NAME.html (our template, see below)
    docs/queries.md                 → DIR/queries.html
    an index                        → DIR/index.html

pyLODE (``pip install 'hrgraph[docs]'``; 3.3.4, because 3.4.1 reads a ``pyproject.toml`` it does
not ship and fails to start offline) renders every literal through Markdown and keeps raw HTML,
so a ``<script>`` or ``<img onerror>`` in a description would run in the reader's browser. Here:

* the Markdown it uses is replaced, while rendering, by one that escapes raw HTML and drops
  links whose scheme is not http(s), mailto or a fragment (:class:`_SafeMarkdown`);
* the JSON-LD block pyLODE writes into ``<head>`` escapes ``</`` (as ``<\\/``, the same JSON), so
  a literal cannot close the script element;
* every page carries a Content-Security-Policy that allows no script at all (the JSON-LD block
  is data, not script), so anything that slipped through still would not run.

``docs/queries.md`` is rendered by the same safe Markdown.

The vocabularies are not rendered with pyLODE's VocPub: in 3.3.4 it shows the concept scheme's
metadata and no concept at all. A small Jinja2 template of our own (autoescaped) shows every
concept with its names in every language, definition, examples, notes, broader, narrower and
related concepts (links within the page) and matches in other vocabularies.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hrgraph.errors import InputError, StoreError, UsageError
from hrgraph.project import Project

#: Sent with every page: no script, no plugin, no form posting anywhere.
CSP = ("default-src 'none'; script-src 'none'; object-src 'none'; style-src 'unsafe-inline'; "
       "img-src data: https:; base-uri 'none'; form-action 'none'")
_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "#")


@dataclass
class DocsResult:
    """What ``hrgraph docs`` wrote."""

    directory: Path
    pages: list[Path] = field(default_factory=list)

    def to_text(self) -> str:
        return f"wrote {len(self.pages)} pages to {self.directory} (open index.html)"


class _SafeMarkdown:
    """Stands in for the ``markdown`` module inside pyLODE: Markdown without raw HTML."""

    @staticmethod
    def markdown(text: str, **kwargs: object) -> str:
        return safe_markdown(text)


@functools.lru_cache(maxsize=1)
def _markdown():
    import logging

    import markdown

    logging.getLogger("MARKDOWN").setLevel(logging.WARNING)
    md = markdown.Markdown(extensions=["tables", "fenced_code"])
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def safe_markdown(text: str) -> str:
    """Markdown to HTML with raw HTML escaped (shown as text) and unsafe link schemes dropped."""
    out = _markdown().reset().convert(text)

    def check(match: re.Match) -> str:
        target = html.unescape(match.group(2)).strip().lower()
        target = re.sub(r"[\x00-\x20]", "", target)
        if target.startswith(_SAFE_SCHEMES) or not re.match(r"^[a-z][a-z0-9+.-]*:", target):
            return match.group(0)
        return f'{match.group(1)}="#"'

    return re.sub(r'\b(href|src)="([^"]*)"', check, out)


def _escaping_raw(original):
    def raw(text: str):
        return original(text.replace("</", "<\\/") if '"@' in text or "@context" in text
                        else text)

    return raw


@contextlib.contextmanager
def _safe_pylode() -> Iterator[tuple[type, type]]:
    try:
        import pylode.profiles.ontpub as ontpub
        import pylode.profiles.vocpub as vocpub
        import pylode.utils as utils
    except ImportError:
        raise UsageError("hrgraph docs needs pyLODE: pip install 'hrgraph[docs]' "
                         "(pylode==3.3.4)") from None
    saved = (utils.markdown, ontpub.raw, vocpub.raw)
    utils.markdown = _SafeMarkdown
    ontpub.raw = _escaping_raw(saved[1])
    vocpub.raw = _escaping_raw(saved[2])
    try:
        with warnings.catch_warnings(), _closed_event_loop():
            warnings.simplefilter("ignore", ResourceWarning)  # pyLODE leaves its stylesheet open
            yield ontpub.OntPub, vocpub.VocPub
    finally:
        utils.markdown, ontpub.raw, vocpub.raw = saved


@contextlib.contextmanager
def _closed_event_loop() -> Iterator[None]:
    """An event loop for the block that is closed after it, where none runs.

    dominate (pyLODE's HTML builder) calls ``asyncio.get_event_loop()`` for every tag; outside a
    running loop that creates one, sets it on the main thread and leaves it open for good.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            yield
        finally:
            asyncio.set_event_loop(None)
            loop.close()
    else:  # inside a running loop dominate finds that one
        yield


def _with_csp(page: str) -> str:
    if "<head>" in page:
        return page.replace("<head>", "<head>\n    " + _CSP_META, 1)
    return _CSP_META + page


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n{_CSP_META}\n'
            f"<title>{html.escape(title)}</title>\n<style>body{{font-family:sans-serif;"
            "max-width:60em;margin:2em auto;padding:0 1em;line-height:1.5}"
            "pre{background:#f4f4f4;padding:.5em;overflow:auto}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .4em}"
            f"</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def write_docs(project: Project, directory: str | Path) -> DocsResult:
    """Write the HTML documentation of ``project``'s ontology and vocabularies to ``directory``.

    Raises:
        UsageError: pyLODE is not installed.
        InputError: an ontology or vocabulary file does not parse.
        StoreError: the directory cannot be written.
    """
    import rdflib

    out = Path(directory)
    result = DocsResult(out)
    ontology = project.ontology_dir / "hrgraph.ttl"
    vocabularies = sorted((project.ontology_dir / "vocabularies").glob("*.ttl"))
    try:
        (out / "vocabularies").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot write {out}: {exc.strerror}") from None

    def write(path: Path, text: str) -> None:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror}") from None
        result.pages.append(path)

    def graph_of(path: Path) -> rdflib.Graph:
        try:
            return rdflib.Graph().parse(path, format="turtle")
        except Exception as exc:  # rdflib's syntax errors have no common base class
            raise InputError(f"cannot read: {exc}", path=str(path)) from None

    links = []
    with _safe_pylode() as (OntPub, _):
        if ontology.is_file():
            write(out / "ontology.html", _with_csp(OntPub(ontology=graph_of(ontology),
                                                          sort_subjects=True).make_html()))
            links.append(("ontology.html", "The hrgraph ontology (classes and properties)"))
        for path in vocabularies:
            target = out / "vocabularies" / f"{path.stem}.html"
            write(target, vocabulary_page(graph_of(path), path.stem))
            links.append((f"vocabularies/{path.stem}.html", f"Vocabulary: {path.stem}"))
    queries = project.root / "docs" / "queries.md"
    if queries.is_file():
        body = safe_markdown(queries.read_text(encoding="utf-8"))
        write(out / "queries.html", _page("hrgraph saved queries", body))
        links.append(("queries.html", "Saved queries, with example answers"))
    items = "\n".join(f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>'
                      for href, text in links)
    write(out / "index.html", _page("hrgraph documentation",
                                    f"<h1>hrgraph documentation</h1>\n<ul>\n{items}\n</ul>"))
    return result



_VOCABULARY = """\
<h1>{{ title }}</h1>
{% for scheme in schemes %}
<section id="{{ scheme.anchor }}"><p><code>{{ scheme.iri }}</code></p>
{% for d in scheme.definitions %}<p>{{ d }}</p>{% endfor %}</section>
{% endfor %}
<p><a href="../index.html">All documentation</a> · {{ concepts|length }} concepts</p>
<nav><ul>{% for c in concepts %}<li><a href="#{{ c.anchor }}">{{ c.label }}</a></li>{% endfor %}
</ul></nav>
{% for c in concepts %}
<section id="{{ c.anchor }}" class="concept">
<h2>{{ c.label }}</h2>
<p><code>{{ c.iri }}</code>{% if c.notation %} · notation {{ c.notation|join(", ") }}{% endif %}
</p>
<dl>
{% for name, values in c.fields %}<dt>{{ name }}</dt>
{% for v in values %}<dd>{% if v.href %}<a href="{{ v.href }}">{{ v.text }}</a>{% else %}\
{{ v.text }}{% endif %}{% if v.lang %} <small>({{ v.lang }})</small>{% endif %}</dd>{% endfor %}
{% endfor %}
</dl>
</section>
{% endfor %}
"""

_CONCEPT_FIELDS = [
    ("Preferred names", "prefLabel"), ("Other names", "altLabel"),
    ("Definition", "definition"), ("Examples", "example"), ("Scope note", "scopeNote"),
    ("Note", "note"), ("Broader", "broader"), ("Narrower", "narrower"), ("Related", "related"),
    ("Exact match", "exactMatch"), ("Close match", "closeMatch"), ("Broad match", "broadMatch"),
    ("Narrow match", "narrowMatch"), ("Related match", "relatedMatch"),
]


def vocabulary_page(graph, name: str) -> str:
    """The HTML page of one SKOS vocabulary: every concept with every field (autoescaped)."""
    import jinja2
    import rdflib
    from rdflib.namespace import RDF, RDFS, SKOS

    concepts = sorted(set(graph.subjects(RDF.type, SKOS.Concept)), key=str)
    anchors = {c: _anchor(c) for c in concepts}

    def label(node) -> str:
        names = list(graph.objects(node, SKOS.prefLabel)) or list(graph.objects(node, RDFS.label))
        english = [n for n in names if getattr(n, "language", None) == "en"]
        return str((english or names or [node])[0])

    def value(obj) -> dict:
        if isinstance(obj, rdflib.Literal):
            return {"text": str(obj), "lang": obj.language, "href": None}
        if obj in anchors:
            return {"text": label(obj), "lang": None, "href": "#" + anchors[obj]}
        href = str(obj) if str(obj).startswith(("http://", "https://")) else None
        return {"text": str(obj), "lang": None, "href": href}

    model = []
    for c in sorted(concepts, key=lambda c: label(c).casefold()):
        fields = []
        for title, local in _CONCEPT_FIELDS:
            values = sorted((value(o) for o in graph.objects(c, SKOS[local])),
                            key=lambda v: (v["lang"] or "", v["text"]))
            if values:
                fields.append((title, values))
        model.append({"iri": str(c), "anchor": anchors[c], "label": label(c), "fields": fields,
                      "notation": sorted(str(n) for n in graph.objects(c, SKOS.notation))})
    schemes = [{"iri": str(s), "anchor": _anchor(s),
                "definitions": [str(d) for d in graph.objects(s, SKOS.definition)]}
               for s in sorted(set(graph.subjects(RDF.type, SKOS.ConceptScheme)), key=str)]
    title = ", ".join(label(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme)) or name
    environment = jinja2.Environment(autoescape=True)
    body = environment.from_string(_VOCABULARY).render(title=title, schemes=schemes,
                                                       concepts=model)
    return _page(title, body)


def _anchor(node) -> str:
    local = re.split(r"[/#]", str(node).rstrip("/#"))[-1]
    return re.sub(r"[^A-Za-z0-9_-]", "-", local) or "concept"
