"""hrgraph.load: every format into its file's named graph; unusable files give one clear line."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from hrgraph.errors import InputError
from hrgraph.load import graph_for, is_context_document, parse_file, rdf_format
from hrgraph.project import Project

EX = "http://example.org/"
G = "https://w3id.org/hrgraph/graph/"

SAME_TRIPLE = {
    "a.ttl": f'<{EX}s> <{EX}p> "Viasna"@BE-Latn .\n',
    "a.nt": f'<{EX}s> <{EX}p> "Viasna"@BE-Latn .\n',
    "a.nq": f'<{EX}s> <{EX}p> "Viasna"@BE-Latn <http://elsewhere.org/g> .\n',
    "a.trig": f'<http://elsewhere.org/g> {{ <{EX}s> <{EX}p> "Viasna"@BE-Latn . }}\n',
    "a.jsonld": f'{{"@id": "{EX}s", "{EX}p": {{"@value": "Viasna", "@language": "BE-Latn"}}}}',
    "a.rdf": f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="{EX}">
  <rdf:Description rdf:about="{EX}s"><ex:p xml:lang="BE-Latn">Viasna</ex:p></rdf:Description>
</rdf:RDF>
""",
}


def write(project: Project, name: str, text: str | bytes) -> object:
    path = project.data_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(SAME_TRIPLE))
def test_every_format_gives_the_triple_in_the_files_graph(mini_project: Project, name: str) -> None:
    path = write(mini_project, name, SAME_TRIPLE[name])
    quads = parse_file(mini_project, path)
    graph = ox.NamedNode(G + "data/a")
    assert quads == [ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"),
                             ox.Literal("Viasna", language="be-latn"), graph)]


def test_language_tags_are_lower_case(mini_project: Project) -> None:
    path = write(mini_project, "lang.ttl", f'<{EX}s> <{EX}p> "x"@EN-GB, "y"@be-Latn-t-be-m0-bgn .')
    assert {q.object.language for q in parse_file(mini_project, path)} == {
        "en-gb", "be-latn-t-be-m0-bgn"}


def test_quad_formats_keep_project_graph_names_only(mini_project: Project) -> None:
    text = (f"<{EX}s> <{EX}p> <{EX}o> <{G}data/other> .\n"
            f"<{EX}s> <{EX}p> <{EX}o> <{G}inferred> .\n"
            f"<{EX}s> <{EX}p> <{EX}o2> <http://example.org/g> .\n"
            f"<{EX}s> <{EX}p> <{EX}o3> .\n")
    path = write(mini_project, "q.nq", text)
    graphs = sorted({q.graph_name.value for q in parse_file(mini_project, path)})
    assert graphs == [G + "data/other", G + "data/q"]


def test_blank_nodes_of_two_files_stay_apart(mini_project: Project) -> None:
    one = parse_file(mini_project, write(mini_project, "one.ttl", f"_:b <{EX}p> 1 ."))
    two = parse_file(mini_project, write(mini_project, "two.ttl", f"_:b <{EX}p> 2 ."))
    assert one[0].subject != two[0].subject


def test_missing_file(mini_project: Project) -> None:
    with pytest.raises(InputError, match="file not found") as info:
        parse_file(mini_project, mini_project.data_dir / "nowhere.ttl")
    assert info.value.exit_code == 2
    assert "data/nowhere.ttl" in str(info.value)


@pytest.mark.parametrize("text", ["", "  \n", "@prefix ex: <http://example.org/> .\n# nothing\n"])
def test_empty_file(mini_project: Project, text: str) -> None:
    with pytest.raises(InputError, match="file has no triples"):
        parse_file(mini_project, write(mini_project, "empty.ttl", text))


def test_turtle_syntax_error_names_line_and_column(mini_project: Project) -> None:
    lines = [f"<{EX}s{i}> <{EX}p> <{EX}o> ." for i in range(6)]
    lines[4] = f"<{EX}broken> <{EX}p> ;; oops ."
    path = write(mini_project, "broken.ttl", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        parse_file(mini_project, path)
    error = info.value
    assert error.line == 5
    assert error.column is not None
    message = str(error)
    assert message.startswith("data/broken.ttl:5:")
    assert "\n" not in message
    assert "syntax error" in message


def test_syntax_error_echoes_only_a_short_excerpt(mini_project: Project) -> None:
    secret = "x" * 5000
    path = write(mini_project, "long.ttl", f'<{EX}s> <{EX}p> "{secret}" <{EX}oops> .\n')
    with pytest.raises(InputError) as info:
        parse_file(mini_project, path)
    assert len(str(info.value)) < 400


def test_rdfxml_syntax_error_has_a_line(mini_project: Project) -> None:
    text = SAME_TRIPLE["a.rdf"].replace("</ex:p>", "")
    with pytest.raises(InputError) as info:
        parse_file(mini_project, write(mini_project, "bad.rdf", text))
    assert info.value.line == 3


def test_jsonld_syntax_error_has_a_line(mini_project: Project) -> None:
    path = write(mini_project, "bad.jsonld", '{\n  "@id": "http://example.org/s",\n  ]\n}')
    with pytest.raises(InputError) as info:
        parse_file(mini_project, path)
    assert info.value.line == 3


def test_relative_iris_are_an_error(mini_project: Project) -> None:
    with pytest.raises(InputError, match="syntax error"):
        parse_file(mini_project, write(mini_project, "rel.ttl", f"<s> <{EX}p> 1 ."))


@pytest.mark.parametrize("name", ["data.csv", "data.n3", "README"])
def test_unknown_format_is_refused(mini_project: Project, name: str) -> None:
    path = write(mini_project, name, "whatever")
    with pytest.raises(InputError, match="unknown RDF format") as info:
        parse_file(mini_project, path)
    assert (path.suffix or "(no suffix)") in str(info.value)


def test_file_over_the_size_limit_is_refused(mini_project: Project) -> None:
    path = write(mini_project, "big.nt", f"<{EX}s> <{EX}p> <{EX}o> .\n" * 100)
    with pytest.raises(InputError, match="more than the limit"):
        parse_file(mini_project, path, max_bytes=1000)


def test_invalid_utf8_is_an_input_error(mini_project: Project) -> None:
    path = write(mini_project, "latin1.ttl", f'<{EX}s> <{EX}p> "caf'.encode() + b'\xe9" .\n')
    with pytest.raises(InputError):
        parse_file(mini_project, path)


def test_files_outside_the_project_get_a_file_graph(mini_project: Project, tmp_path) -> None:
    path = tmp_path / "outside.ttl"
    path.write_text(f"<{EX}s> <{EX}p> 1 .")
    assert graph_for(mini_project, path) == path.resolve().as_uri()
    assert parse_file(mini_project, path)[0].graph_name.value == path.resolve().as_uri()


def test_formats_by_suffix() -> None:
    assert rdf_format("x.ttl") == ox.RdfFormat.TURTLE
    assert rdf_format("x.owl") == ox.RdfFormat.RDF_XML
    assert rdf_format("x.json") == ox.RdfFormat.JSON_LD


def test_context_documents_are_recognised(mini_project: Project) -> None:
    context = write(mini_project, "context.jsonld", '{"@context": {"name": "http://x/name"}}')
    data = write(mini_project, "data.jsonld", '{"@context": {}, "@id": "http://x/a"}')
    assert is_context_document(context)
    assert not is_context_document(data)
