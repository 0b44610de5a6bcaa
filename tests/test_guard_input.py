"""hrgraph.guard (input side): no network or file access while loading unless --allow-remote."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTEXT
from hrgraph import guard
from hrgraph.errors import InputError
from hrgraph.load import parse_file
from hrgraph.project import Project

NAME = CONTEXT["@context"]["name"]
OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and isinstance(args[0], (str, Path)):
        OPENED.append(str(args[0]))


sys.addaudithook(_audit)  # records every file this process opens; checked by the tests below


def jsonld(project: Project, name: str, document: object) -> Path:
    path = project.data_dir / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def doc(context: object) -> dict:
    return {"@context": context, "@id": "http://example.org/a", "name": "Viasna"}


def test_remote_context_is_refused_without_a_request(mini_project: Project, listener) -> None:
    url, requests = listener
    path = jsonld(mini_project, "remote.jsonld", doc(url))
    with pytest.raises(InputError, match="--allow-remote") as info:
        parse_file(mini_project, path)
    assert url in str(info.value)
    assert requests == []


def test_remote_context_is_fetched_with_allow_remote(mini_project: Project, listener) -> None:
    url, requests = listener
    path = jsonld(mini_project, "remote.jsonld", doc(url))
    quads = parse_file(mini_project, path, allow_remote=True)
    assert [q.predicate.value for q in quads] == [NAME]
    assert requests == ["/context.jsonld"]


@pytest.mark.parametrize("where", [
    lambda url: [{"x": "http://example.org/x"}, url],               # in an array
    lambda url: {"knows": {"@id": "http://x/k", "@context": url}},  # a scoped context
    lambda url: {"@import": url},                                   # JSON-LD 1.1 @import
])
def test_nested_remote_contexts_are_refused(mini_project: Project, listener, where) -> None:
    url, requests = listener
    path = jsonld(mini_project, "nested.jsonld", doc(where(url)))
    with pytest.raises(InputError, match="refused"):
        parse_file(mini_project, path)
    assert requests == []


def test_context_deep_inside_a_node_is_refused(mini_project: Project, listener) -> None:
    url, requests = listener
    document = {"@id": "http://x/a", "http://x/p": [{"@context": url, "@id": "http://x/b"}]}
    with pytest.raises(InputError, match="refused"):
        parse_file(mini_project, jsonld(mini_project, "deep.jsonld", document))
    assert requests == []


@pytest.mark.parametrize("reference", ["file", "bare"])
def test_local_context_files_are_not_read(mini_project: Project, reference: str) -> None:
    # This context would turn "name" into a triple; without it, the document has none.
    context = mini_project.data_dir / "context-for-test.jsonld"
    context.write_text(json.dumps(CONTEXT))
    ref = context.as_uri() if reference == "file" else context.name
    path = jsonld(mini_project, "local.jsonld", doc(ref))
    OPENED.clear()
    with pytest.raises(InputError, match="--allow-remote"):
        parse_file(mini_project, path)
    assert not [p for p in OPENED if p.endswith("context-for-test.jsonld")]


def test_local_context_files_are_read_with_allow_remote(mini_project: Project) -> None:
    (mini_project.data_dir / "ctx.jsonld").write_text(json.dumps(CONTEXT))
    path = jsonld(mini_project, "local.jsonld", doc("ctx.jsonld"))
    assert [q.predicate.value for q in parse_file(mini_project, path, allow_remote=True)] == [NAME]


def test_contexts_shipped_with_the_project_are_allowed(mini_project: Project) -> None:
    (mini_project.ontology_dir / "context.jsonld").write_text(json.dumps(CONTEXT))
    path = jsonld(mini_project, "shipped.jsonld", doc("https://w3id.org/hrgraph/context.jsonld"))
    assert [q.predicate.value for q in parse_file(mini_project, path)] == [NAME]


def test_inline_contexts_are_fine(mini_project: Project) -> None:
    path = jsonld(mini_project, "inline.jsonld", doc(CONTEXT["@context"]))
    assert [q.predicate.value for q in parse_file(mini_project, path)] == [NAME]


def test_remote_references_finds_every_place() -> None:
    document = {"@context": ["a", {"@import": "b", "t": {"@context": "c"}}],
                "@graph": [{"@context": "d"}], "x": {"y": [{"@context": {"@import": "e"}}]}}
    assert sorted(guard.remote_references(document)) == ["a", "b", "c", "d", "e"]


# --- RDF/XML ----------------------------------------------------------------------------------

RDF_HEAD = '<?xml version="1.0"?>\n'
RDF_BODY = """<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="&ex;a"><ex:p>&ex;</ex:p></rdf:Description>
</rdf:RDF>
"""


def rdfxml(project: Project, doctype: str) -> Path:
    path = project.data_dir / "doc.rdf"
    path.write_text(RDF_HEAD + doctype + "\n" + RDF_BODY, encoding="utf-8")
    return path


def test_internal_entities_keep_working(mini_project: Project) -> None:
    path = rdfxml(mini_project, '<!DOCTYPE rdf:RDF [\n  <!ENTITY ex "http://example.org/">\n'
                                '  <!ENTITY owl "http://www.w3.org/2002/07/owl#">\n]>')
    quads = parse_file(mini_project, path)
    assert quads[0].subject.value == "http://example.org/a"


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/rdf.dtd">',
    '<!DOCTYPE rdf:RDF PUBLIC "-//X//DTD X//EN" "rdf.dtd" [ <!ENTITY ex "http://example.org/"> ]>',
    '<!DOCTYPE rdf:RDF [ <!ENTITY ex SYSTEM "file:///etc/passwd"> ]>',
    '<!DOCTYPE rdf:RDF [ <!ENTITY ex PUBLIC "-//X//X" "http://127.0.0.1:9/x"> ]>',
    '<!DOCTYPE rdf:RDF [ <!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p; '
    '<!ENTITY ex "http://example.org/"> ]>',
    '<!DOCTYPE rdf:RDF [ <!ENTITY % p "x"> <!ENTITY ex "http://example.org/"> ]>',
])
def test_external_and_parameter_entities_are_refused(mini_project: Project, doctype: str) -> None:
    with pytest.raises(InputError, match="refused"):
        parse_file(mini_project, rdfxml(mini_project, doctype))


def billion_laughs(levels: int = 9) -> str:
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return "<!DOCTYPE rdf:RDF [\n<!ENTITY ex \"http://example.org/\">\n" + "\n".join(entities) + (
        "\n]>\n" + RDF_BODY.replace("<ex:p>&ex;</ex:p>", f"<ex:p>&l{levels};</ex:p>"))


def test_entity_amplification_is_refused(mini_project: Project) -> None:
    path = mini_project.data_dir / "laughs.rdf"
    path.write_text(RDF_HEAD + billion_laughs(), encoding="utf-8")
    with pytest.raises(InputError, match="refused"):
        parse_file(mini_project, path)


def test_wide_entity_expansion_is_refused(mini_project: Project) -> None:
    wide = "<!DOCTYPE rdf:RDF [\n<!ENTITY ex \"http://example.org/\">\n" \
           f'<!ENTITY big "{"x" * 2000}">\n]>\n'
    body = RDF_BODY.replace("<ex:p>&ex;</ex:p>", "<ex:p>" + "&big;" * 1000 + "</ex:p>")
    path = mini_project.data_dir / "wide.rdf"
    path.write_text(RDF_HEAD + wide + body, encoding="utf-8")
    with pytest.raises(InputError, match="amplification"):
        parse_file(mini_project, path)


def test_billion_laughs_does_not_reach_the_parser(mini_project: Project) -> None:
    # In a child process: if the guard ever let it through, pyoxigraph would abort that process,
    # not the test run.
    path = mini_project.data_dir / "laughs.rdf"
    path.write_text(RDF_HEAD + billion_laughs(), encoding="utf-8")
    code = ("import sys; from hrgraph.project import Project; from hrgraph.load import parse_file\n"
            "from hrgraph.errors import InputError\n"
            f"try: parse_file(Project.open({str(mini_project.root)!r}), {str(path)!r})\n"
            "except InputError as e: print(e); sys.exit(2)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, done.stderr
    assert "refused" in done.stdout


def test_sparql_load_graphs_is_off() -> None:
    import rdflib.plugins.sparql

    import hrgraph  # noqa: F401 - importing the package sets it

    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False
