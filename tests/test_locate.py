"""locate: the file and line where each subject is first written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pyoxigraph
import pytest

from hrgraph.locate import Location, locate_subjects, subject_index

EX = "http://example.org/"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def parsed_subjects(path: Path, base_iri: str | None = None) -> set[str]:
    """The IRI subjects a real parser finds, to check the scanner against."""
    return {q.subject.value for q in pyoxigraph.parse(path=path, base_iri=base_iri)
            if isinstance(q.subject, pyoxigraph.NamedNode)}


def test_prefixed_names_and_full_iris(tmp_path):
    path = write(tmp_path, "a.ttl", """
        @prefix ex: <http://example.org/> .
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>

        ex:alice a foaf:Person ;
            foaf:knows ex:bob .
        <http://example.org/carol> foaf:name "Carol" .
        """)
    assert locate_subjects(path) == {EX + "alice": 4, EX + "carol": 6}
    assert set(locate_subjects(path)) == parsed_subjects(path)


def test_a_on_the_next_line_counts_the_subject_line(tmp_path):
    path = write(tmp_path, "a.ttl", """
        @prefix ex: <http://example.org/> .

        ex:alice
            a ex:Person ;
            ex:name "Alice" .
        """)
    assert locate_subjects(path) == {EX + "alice": 3}


def test_long_strings_with_dots_and_hashes_do_not_end_statements(tmp_path):
    path = write(tmp_path, "a.ttl", """
        @prefix ex: <http://example.org/> .
        ex:doc ex:text \"\"\"First line. ex:fake ex:p ex:o .
        # not a comment
        ex:notasubject ex:p "x" .\"\"\" ;
            ex:title 'it\\'s. # still a string' , "a \\" . quoted" .
        ex:next ex:p '''single ' quotes . ''' .
        ex:last ex:p 1.5, 2.E1, .5e3, -3 .
        """)
    assert locate_subjects(path) == {EX + "doc": 2, EX + "next": 6, EX + "last": 7}
    assert set(locate_subjects(path)) == parsed_subjects(path)


def test_comments_are_skipped(tmp_path):
    path = write(tmp_path, "a.ttl", """
        @prefix ex: <http://example.org/> .
        # ex:commented ex:p ex:o .
        ex:a ex:p ex:o . # ex:trailing ex:p ex:o .
        ex:b ex:p <http://example.org/x#frag> .
        """)
    assert locate_subjects(path) == {EX + "a": 3, EX + "b": 4}


def test_objects_that_look_like_subjects_are_not_counted(tmp_path):
    path = write(tmp_path, "a.ttl", """
        @prefix ex: <http://example.org/> .
        ex:a ex:p ex:b ;
             ex:q [ ex:r ex:c ; ex:s ( ex:d ex:e ) ] ,
                  ex:f .
        ex:g ex:p ex:a .
        """)
    assert locate_subjects(path) == {EX + "a": 2, EX + "g": 5}


def test_repeated_subject_keeps_first_line(tmp_path):
    path = write(tmp_path, "a.ttl", """
        @prefix ex: <http://example.org/> .
        ex:b ex:p ex:a .
        ex:a ex:p 1 .
        ex:a ex:p 2 .
        <http://example.org/a> ex:p 3 .
        """)
    assert locate_subjects(path) == {EX + "b": 2, EX + "a": 3}


def test_base_and_relative_iris(tmp_path):
    path = write(tmp_path, "a.ttl", """
        @base <http://example.org/people/> .
        @prefix : <#> .
        <alice> <knows> <bob> .
        :me <knows> <alice> .
        BASE <http://other.example/x/y>
        <../z> <p> <o> .
        <#frag> <p> <o> .
        """)
    found = locate_subjects(path)
    assert found == {
        "http://example.org/people/alice": 3,
        "http://example.org/people/#me": 4,
        "http://other.example/z": 6,
        "http://other.example/x/y#frag": 7,
    }
    assert set(found) == parsed_subjects(path)


def test_base_iri_argument_resolves_relative_iris(tmp_path):
    path = write(tmp_path, "a.ttl", "<thing> <p> <o> .\n")
    assert locate_subjects(path, base_iri="http://example.org/d/") == {
        "http://example.org/d/thing": 1}


def test_trig_graph_names_are_not_subjects(tmp_path):
    path = write(tmp_path, "a.trig", """
        @prefix ex: <http://example.org/> .
        ex:g1 {
            ex:a ex:p ex:o .
            ex:b ex:p ex:o
        }
        GRAPH <http://example.org/g2> { ex:c ex:p ex:o }
        { ex:d ex:p ex:o . }
        ex:e ex:p ex:o .
        """)
    found = locate_subjects(path)
    assert found == {EX + "a": 3, EX + "b": 4, EX + "c": 6, EX + "d": 7, EX + "e": 8}
    assert set(found) == parsed_subjects(path)


def test_blank_node_subjects_are_not_located(tmp_path):
    path = write(tmp_path, "a.ttl", """
        @prefix ex: <http://example.org/> .
        _:b ex:p ex:o .
        [ ex:p ex:x ] ex:q ex:y .
        [] ex:p ex:z .
        ex:a ex:p [ ex:q ex:w ] .
        """)
    assert locate_subjects(path) == {EX + "a": 5}


def test_escapes_in_names_and_iris(tmp_path):
    path = write(tmp_path, "a.ttl", r"""
        @prefix ex: <http://example.org/> .
        ex:a\.b ex:p ex:o .
        <http://example.org/\u00e9t\u00E9> ex:p ex:o .
        ex:c.d ex:p ex:o.
        ex:ДЗ ex:p ex:o .
        """)
    found = locate_subjects(path)
    assert found == {EX + "a.b": 2, EX + "été": 3, EX + "c.d": 4, EX + "ДЗ": 5}
    assert set(found) == parsed_subjects(path)


def test_ntriples_and_nquads(tmp_path):
    nt = write(tmp_path, "a.nt", """
        <http://example.org/a> <http://example.org/p> "x . y" .
        <http://example.org/b> <http://example.org/p> <http://example.org/a> .
        """)
    nq = write(tmp_path, "a.nq", """
        <http://example.org/c> <http://example.org/p> "1" <http://example.org/g> .
        _:b <http://example.org/p> <http://example.org/d> <http://example.org/g> .
        """)
    assert locate_subjects(nt) == {EX + "a": 1, EX + "b": 2}
    assert locate_subjects(nq) == {EX + "c": 1}


def test_jsonld_ids_with_inline_context(tmp_path):
    path = write(tmp_path, "a.jsonld", """
        {
          "@context": {"ex": "http://example.org/", "@base": "http://example.org/b/",
                       "knows": {"@id": "ex:knows", "@type": "@id"}},
          "@graph": [
            {
              "@id": "ex:alice",
              "knows": {"@id": "ex:bob"}
            },
            {"@id": "carol", "ex:name": "Carol"},
            {"@id": "http://example.org/dave",
             "ex:name": "Dave"},
            {"@id": "_:b1", "ex:name": "blank"}
          ]
        }
        """)
    assert locate_subjects(path) == {
        EX + "alice": 6, EX + "b/carol": 9, EX + "dave": 10}


def test_rdfxml_about(tmp_path):
    path = write(tmp_path, "a.rdf", """
        <?xml version="1.0"?>
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                 xmlns:ex="http://example.org/" xml:base="http://example.org/">
          <ex:Person rdf:about="alice">
            <ex:knows rdf:resource="bob"/>
          </ex:Person>
          <rdf:Description
              rdf:about="http://example.org/carol"/>
        </rdf:RDF>
        """)
    found = locate_subjects(path)
    assert found[EX + "alice"] == 4
    assert found[EX + "carol"] in {7, 8}  # the parser reports the start tag's last line


def test_unreadable_or_unknown_files_give_nothing(tmp_path):
    assert locate_subjects(tmp_path / "missing.ttl") == {}
    assert locate_subjects(write(tmp_path, "a.csv", "x,y\n")) == {}
    assert locate_subjects(write(tmp_path, "b.jsonld", "{ not json")) == {}


def test_subject_index_keeps_first_file(tmp_path):
    one = write(tmp_path, "one.ttl", "<http://example.org/a> <http://example.org/p> 1 .\n")
    two = tmp_path / "two.ttl"
    two.write_text("\n<http://example.org/a> <http://example.org/p> 2 .\n"
                "<http://example.org/b> <http://example.org/p> 2 .\n")
    index = subject_index([one, two])
    assert index == {EX + "a": Location(one, 1), EX + "b": Location(two, 3)}
    assert str(index[EX + "b"]) == f"{two}:3"


@pytest.mark.parametrize("name", ["a.ttl", "a.trig"])
def test_agrees_with_parser_on_a_larger_document(tmp_path, name):
    body = "\n".join(
        f'ex:s{i} a ex:T ; ex:label """multi\nline . {i} # x""" ; ex:next ex:s{i + 1} .'
        for i in range(200))
    path = write(tmp_path, name, "@prefix ex: <http://example.org/> .\n" + body + "\n")
    found = locate_subjects(path)
    assert set(found) == parsed_subjects(path)
    assert found[EX + "s0"] == 2
    assert found[EX + "s10"] == 22


def test_ntriples_line_scan_agrees_with_the_tokenizer(tmp_path):
    """N-Triples and N-Quads are read by a line scan; it finds what the Turtle tokenizer finds."""
    from hrgraph.locate import _locate_turtle

    text = textwrap.dedent("""
        # a comment <http://example.org/not-a-subject> .
        <http://example.org/a> <http://example.org/p> "x <http://example.org/no> . y" .
          <http://example.org/b\\u00E9> <http://example.org/p> _:n .
        _:n <http://example.org/p> <http://example.org/c> .

        <http://example.org/a> <http://example.org/q> "again"@en .
        <http://example.org/d> <http://example.org/p> "1"^^<urn:t> <http://example.org/g> .
        """).lstrip("\n")
    for name in ("a.nt", "a.nq"):
        path = tmp_path / name
        path.write_text(text if name.endswith(".nq") else text.replace(
            " <http://example.org/g> .", " ."), encoding="utf-8")
        found = locate_subjects(path)
        assert found == _locate_turtle(path.read_text(encoding="utf-8"), None)
        assert found == {EX + "a": 2, EX + "b\u00e9": 3, EX + "d": 7}
        assert set(found) == parsed_subjects(path)
