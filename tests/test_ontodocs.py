"""hrgraph docs: pyLODE pages of the ontology, our pages of the vocabularies, queries.md as HTML;
markup planted in descriptions is shown as text and never runs (checked in Chromium too)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, SKOS

from conftest import REPO, copy_project
from hrgraph.cli import main
from hrgraph.ontodocs import safe_markdown, write_docs
from hrgraph.project import Project
from test_browser import browser, page, site  # noqa: F401 - fixtures

pytest.importorskip("pylode", reason="pip install -e '.[docs]'")

PAYLOAD = ('<script>alert("script")</script> <img src=x onerror="alert(\'img\')"> '
           '[click](javascript:alert("link")) </script><script>alert("jsonld")</script>')


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    write_docs(Project.open(REPO), out)
    return out


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-docs")
    project = copy_project(REPO, root / "project")
    ontology = project.ontology_dir / "hrgraph.ttl"
    literal = '"""' + PAYLOAD.replace('"', '\\"') + '"""'
    ontology.write_text(ontology.read_text(encoding="utf-8") + f"""
<https://w3id.org/hrgraph/ontology#Demand>
    <http://purl.org/dc/terms/description> {literal}@en ;
    <http://www.w3.org/2000/01/rdf-schema#comment> {literal}@en .
<https://w3id.org/hrgraph/ontology#> <http://purl.org/dc/terms/description> {literal}@en .
""", encoding="utf-8")
    topics = project.ontology_dir / "vocabularies" / "topics.ttl"
    topics.write_text(topics.read_text(encoding="utf-8") + f"""
<https://w3id.org/hrgraph/vocab/topic/hostile> a <http://www.w3.org/2004/02/skos/core#Concept> ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> {literal}@en ;
    <http://www.w3.org/2004/02/skos/core#definition> {literal}@en .
""", encoding="utf-8")
    (project.root / "docs").mkdir()
    (project.root / "docs" / "queries.md").write_text(f"# Queries\n\n{PAYLOAD}\n",
                                                      encoding="utf-8")
    out = root / "site"
    write_docs(project, out)
    return out


def labels(graph: rdflib.Graph, node) -> list[str]:
    return [str(o) for o in graph.objects(node, SKOS.prefLabel)
            if getattr(o, "language", None) == "en"]


def test_every_class_property_and_concept_is_documented(site_dir: Path) -> None:
    ontology = rdflib.Graph().parse(REPO / "ontology" / "hrgraph.ttl")
    page_html = (site_dir / "ontology.html").read_text(encoding="utf-8")
    terms = [s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in ontology.subjects(RDF.type, kind) if isinstance(s, rdflib.URIRef)]
    assert len(terms) > 20
    missing = [str(t) for t in terms if str(t) not in page_html]
    assert missing == []
    for path in sorted((REPO / "ontology" / "vocabularies").glob("*.ttl")):
        graph = rdflib.Graph().parse(path)
        text = (site_dir / "vocabularies" / f"{path.stem}.html").read_text(encoding="utf-8")
        concepts = set(graph.subjects(RDF.type, SKOS.Concept))
        assert text.count('class="concept"') == len(concepts), path.name
        for concept in concepts:
            assert f"<code>{concept}</code>" in text
            for d in graph.objects(concept, SKOS.definition):
                escaped = (str(d).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                           .replace("'", "&#39;").replace('"', "&#34;"))  # as Jinja escapes
                assert escaped in text, (concept, d)
    queries = (site_dir / "queries.html").read_text(encoding="utf-8")
    assert "demands-by-topic" in queries and "<table>" in queries
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="vocabularies/topics.html"' in index and 'href="queries.html"' in index


def test_the_command_writes_the_pages(cli, tmp_path: Path) -> None:
    result = cli.invoke(main, ["--project", str(REPO), "docs", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output + str(result.exception)
    assert "wrote 15 pages" in result.output  # index, ontology, 12 vocabularies, queries
    assert (tmp_path / "out" / "ontology.html").is_file()


def test_markdown_keeps_no_raw_html_and_no_script_links() -> None:
    out = safe_markdown(PAYLOAD + "\n\n[ok](https://example.org) [x](JaVaScRiPt:alert(1))")
    assert "<script" not in out and "<img" not in out and "javascript:" not in out.lower()
    assert "&lt;script&gt;" in out and 'href="https://example.org"' in out


def test_planted_markup_is_escaped_in_every_page(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, path
        assert 'href="javascript:' not in text.lower(), path
        assert "Content-Security-Policy" in text, path


def test_planted_markup_fires_no_dialog_in_the_browser(hostile_site: Path, page) -> None:  # noqa: F811
    """The ``page`` fixture fails the test on any alert, confirm or prompt."""
    for name in ("ontology.html", "vocabularies/topics.html", "queries.html"):
        page.goto((hostile_site / name).as_uri())
        page.wait_for_load_state("load")
        for link in page.locator("a", has_text="click").all():
            link.click(no_wait_after=True)
        page.wait_for_timeout(300)
        assert 'alert("script")' in page.locator("body").inner_text(), name  # shown as text


def test_docs_leave_no_event_loop_open(tmp_path: Path) -> None:
    """Regression: pyLODE's HTML builder (dominate) created an event loop on the main thread and
    left it open; its ResourceWarning broke a later test of the full suite."""
    import asyncio
    import gc
    import warnings

    write_docs(copy_project(REPO, tmp_path / "p"), tmp_path / "site")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        asyncio.set_event_loop(None)  # drop whatever write_docs left set: an open loop warns
        gc.collect()
    assert not [w for w in caught if "event loop" in str(w.message)]
