"""Input that must be refused with a clear error (exit 2), or must load: issue 14, items 3, 5, 6.

* RDF/XML goes through one expat parse (hrgraph.xmlinput.reserialise) and pyoxigraph reads what
  that parse wrote out: the same triples as before for ordinary files, start tags on their lines,
  and every DOCTYPE trick refused with the process alive (the file that aborted it on main:
  tests/fixtures/security/rdfxml-doctype-comment.rdf).
* Large literals, a UTF-8 byte-order mark, characters XML cannot hold, symbolic links and JSON
  objects with a key written twice (hrgraph.load, hrgraph.guard.parse_json).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.parsers.expat
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import FIXTURES, REPO, copy_project
from hrgraph import guard, load, xmlinput
from hrgraph.cli import main
from hrgraph.errors import InputError
from hrgraph.load import parse_file
from hrgraph.project import Project

DOCTYPE_COMMENT = FIXTURES / "security" / "rdfxml-doctype-comment.rdf"
EX = "http://example.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
HEAD = f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="{EX}" xmlns:owl="http://www.w3.org/2002/07/owl#">'


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def canonical(data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.RDF_XML) -> list[str]:
    """The triples of ``data`` as pyoxigraph reads them, blank nodes canonically labelled."""
    dataset = ox.Dataset(ox.parse(data, format=fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(str(q) for q in dataset)


def start_tag_lines(data: bytes) -> list[tuple[str, int]]:
    """Every start tag's name and line, as expat sees them."""
    found: list[tuple[str, int]] = []
    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = lambda name, _: found.append((name, parser.CurrentLineNumber))
    parser.Parse(data, True)
    return found


# --------------------------------------------------------------------------- RDF/XML: no change

#: RDF/XML without a DOCTYPE, using every feature of the syntax that the re-serialisation must keep.
CORPUS = {
    "features": f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment
     over three lines -->
<?xml-stylesheet href="x.xsl"?>
{HEAD[:-1]} xml:base="http://example.org/doc">
  <rdf:Description rdf:about="{EX}a" ex:attr="a &amp; b &lt; c &quot;d&quot; &#9;tab&#10;nl&#13;cr">
    <ex:text xml:lang="BE-Latn">line one
line two &amp; three &lt;four&gt; &#13;&#10; ]]&gt; end</ex:text>
    <ex:cdata><![CDATA[<cdata> & ]]></ex:cdata>
    <!-- a comment between properties -->
    <?pi inside?>
    <ex:typed rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">42</ex:typed>
    <ex:empty/>
    <ex:link rdf:resource="{EX}b"/>
    <ex:nested><rdf:Description rdf:about="{EX}c" ex:q="v"/></ex:nested>
    <ex:anon rdf:parseType="Resource"><ex:inner>x</ex:inner></ex:anon>
    <ex:list rdf:parseType="Collection"><rdf:Description rdf:about="{EX}l1"/>
      <rdf:Description rdf:about="{EX}l2"/></ex:list>
    <ex:xml rdf:parseType="Literal">mixed <b xmlns="http://www.w3.org/1999/xhtml" class="c"
      >bold<!-- dropped? --></b> &amp; <i/>&#13;<![CDATA[<&>]]>
    text</ex:xml>
    <ex:ws>  spaced  </ex:ws>
  </rdf:Description>
  <rdf:Description rdf:ID="local" xml:base="http://example.org/base/">
    <ex:node rdf:nodeID="n1"/>
  </rdf:Description>
  <rdf:Description rdf:nodeID="n1"><ex:value>blank</ex:value></rdf:Description>
  <rdf:Seq rdf:about="{EX}seq"><rdf:li>one</rdf:li><rdf:li>two</rdf:li></rdf:Seq>
  <owl:Class rdf:about="{EX}Thing"><ex:p rdf:ID="reified">r</ex:p></owl:Class>
  <ex:Typed rdf:about="{EX}t" xml:lang="en" ex:label="attribute literal"/>
  <rdf:Description xmlns="{EX}" rdf:about="{EX}d"><plain>default namespace</plain></rdf:Description>
</rdf:RDF>
""",
    "crlf": HEAD + f'\r\n  <rdf:Description rdf:about="{EX}a">\r\n    <ex:p>a\r\nb</ex:p>'
                   "\r\n  </rdf:Description>\r\n</rdf:RDF>\r\n",
    "unicode": HEAD + f'<rdf:Description rdf:about="{EX}ü"><ex:p xml:lang="be">Вясна “Viasna” '
                      "\U0001f600 \u202e &#x1F600;</ex:p></rdf:Description></rdf:RDF>",
    "single-line": HEAD + "".join(f'<rdf:Description rdf:about="{EX}s{i}"><ex:p>{i}</ex:p>'
                                  "</rdf:Description>" for i in range(50)) + "</rdf:RDF>",
}


def real_project_as_rdfxml() -> dict[str, bytes]:
    """A few of the project's own data files, written as RDF/XML by rdflib (plain and pretty)."""
    import rdflib

    found = {}
    for name in ("actors/organisations.ttl", "documents/open-letter-2015-12-09.ttl"):
        graph = rdflib.Graph().parse(REPO / "data" / name, format="turtle")
        for style in ("xml", "pretty-xml"):
            found[f"{name}-{style}"] = graph.serialize(format=style, encoding="utf-8")
    return found


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_reserialised_rdfxml_gives_the_same_triples(name: str) -> None:
    original = CORPUS[name].encode("utf-8")
    written = xmlinput.reserialise(original, path="x.rdf")
    # XML turns every CR LF into LF (XML 1.0, 2.11); pyoxigraph's own reader does not, expat does.
    assert canonical(written) == canonical(original.replace(b"\r\n", b"\n"))
    assert b"<!--" not in written and b"<?" not in written


@pytest.mark.parametrize("content", ["a<![CDATA[<b>]]>c", "a<!-- comment -->c", "a<?pi x?>c"])
def test_text_split_by_cdata_comments_or_pis_now_reads(content: str) -> None:
    """pyoxigraph alone refuses these ("Unexpected text event"); XML says they are one text."""
    original = (HEAD + f'<rdf:Description rdf:about="{EX}a"><ex:p>{content}</ex:p>'
                "</rdf:Description></rdf:RDF>").encode()
    with pytest.raises(SyntaxError):
        list(ox.parse(original, format=ox.RdfFormat.RDF_XML))
    written = xmlinput.reserialise(original, path="x.rdf")
    value = [q.object.value for q in ox.parse(written, format=ox.RdfFormat.RDF_XML)]
    assert value == ["a<b>c" if "CDATA" in content else "ac"]


def test_line_ends_are_normalised_as_xml_says() -> None:
    written = xmlinput.reserialise(CORPUS["crlf"].encode(), path="x.rdf")
    assert [q.object.value for q in ox.parse(written, format=ox.RdfFormat.RDF_XML)] == ["a\nb"]


def test_reserialised_real_files_give_the_same_triples() -> None:
    for name, original in real_project_as_rdfxml().items():
        written = xmlinput.reserialise(original, path=name)
        assert canonical(written) == canonical(original), name
        assert start_tag_lines(written) == start_tag_lines(original), name


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_start_tags_keep_their_lines(name: str) -> None:
    original = CORPUS[name].encode("utf-8")
    before, after = start_tag_lines(original), start_tag_lines(xmlinput.reserialise(original,
                                                                                    path="x"))
    inside_literal = {"b", "i"}  # in rdf:parseType="Literal" text is content: never padded
    assert [t for t in after if t[0] not in inside_literal] == [
        t for t in before if t[0] not in inside_literal]


def test_names_and_attributes_are_written_as_in_the_document() -> None:
    original = (HEAD + '\n<rdf:Description rdf:about="&#38;x" xml:lang="en" xml:base="http://b/"'
                ' ex:a="1\t2\n3"><ex:p rdf:parseType="Literal"><b/></ex:p></rdf:Description>'
                "</rdf:RDF>").encode()
    written = xmlinput.reserialise(original, path="x").decode()
    assert written.startswith(HEAD + "\n<rdf:Description rdf:about=\"&amp;x\" xml:lang=\"en\" "
                              'xml:base="http://b/" ex:a="1 2 3">')  # tab and newline normalised
    assert '<ex:p rdf:parseType="Literal"><b/></ex:p>' in written


def test_ontology_editor_entities_give_the_triples_of_the_original(mini_project: Project) -> None:
    """Protégé writes entities for namespaces; the triples are those pyoxigraph read before."""
    original = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
    <!ENTITY owl "http://www.w3.org/2002/07/owl#" >
    <!ENTITY xsd "http://www.w3.org/2001/XMLSchema#" >
    <!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#" >
    <!ENTITY ex "{EX}" >
]>
<rdf:RDF xmlns="{EX}" xml:base="{EX}" xmlns:rdfs="&rdfs;" xmlns:owl="&owl;" xmlns:rdf="{RDF}">
    <owl:Ontology rdf:about="{EX}onto"/>
    <owl:Class rdf:about="&ex;Thing">
        <rdfs:label xml:lang="en">Thing &amp; co</rdfs:label>
        <rdfs:subClassOf rdf:resource="&owl;Thing"/>
    </owl:Class>
    <owl:DatatypeProperty rdf:about="&ex;age">
        <rdfs:range rdf:resource="&xsd;integer"/>
    </owl:DatatypeProperty>
</rdf:RDF>
""".encode()
    path = write(mini_project.data_dir, "onto.owl", original)
    quads = parse_file(mini_project, path)
    assert sorted(str(ox.Triple(q.subject, q.predicate, q.object)) for q in quads) == canonical(
        original)  # pyoxigraph on the original bytes: the reference
    assert len(quads) == 6
    assert start_tag_lines(xmlinput.reserialise(original, path="x")) == start_tag_lines(original)


def test_errors_after_a_doctype_name_the_original_line(mini_project: Project) -> None:
    head = ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY ex "http://example.org/">\n'
            "<!-- a comment\n over lines -->\n]>\n" + HEAD + "\n"
            '  <rdf:Description rdf:about="&ex;a">\n')
    xml_error = head + "    <ex:p>x</ex:q>\n  </rdf:Description>\n</rdf:RDF>\n"  # line 9
    with pytest.raises(InputError, match="mismatched tag") as info:
        parse_file(mini_project, write(mini_project.data_dir, "bad.rdf", xml_error))
    assert (info.value.line, info.value.column) == (9, 14)
    # pyoxigraph 0.5 gives no position for RDF/XML errors: the message, and no wrong line.
    rdf_error = head + '    <ex:p rdf:resource="not an IRI"/>\n  </rdf:Description>\n</rdf:RDF>\n'
    with pytest.raises(InputError, match="not an IRI") as info:
        parse_file(mini_project, write(mini_project.data_dir, "bad.rdf", rdf_error))
    assert info.value.line in (None, 9)


@pytest.mark.parametrize(("text", "line", "message"), [
    (HEAD + "\n<rdf:Description>\n<ex:p>x</ex:q>\n</rdf:Description></rdf:RDF>", 3,
     "mismatched tag"),
    (HEAD + "\n\n<rdf:Description rdf:about='a' rdf:about='b'/></rdf:RDF>", 3, "duplicate attr"),
    (HEAD + "\n<ex:p>&nowhere;</ex:p></rdf:RDF>", 2, "undefined entity"),
    (HEAD + "\n<ex:p>\x01</ex:p></rdf:RDF>", 2, "not well-formed"),
    (HEAD + "\n<ex:p>", 2, "no element found"),
])
def test_malformed_xml_names_line_column_and_expats_message(mini_project: Project, text: str,
                                                            line: int, message: str) -> None:
    path = write(mini_project.data_dir, "bad.rdf", text)
    with pytest.raises(InputError) as info:
        parse_file(mini_project, path)
    assert info.value.line == line and info.value.column is not None
    assert message in str(info.value) and str(info.value).startswith("data/bad.rdf:")
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2 and message in err and "Traceback" not in err


def test_non_utf8_rdfxml_is_refused(mini_project: Project) -> None:
    for name, data in {"latin1.rdf": HEAD.encode() + b"<ex:p>caf\xe9</ex:p></rdf:RDF>",
                       "utf16.rdf": (HEAD + "</rdf:RDF>").encode("utf-16"),
                       "declared.rdf": ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + HEAD
                                        + "<ex:p>café</ex:p></rdf:RDF>").encode()}.items():
        with pytest.raises(InputError, match="must be UTF-8"):
            parse_file(mini_project, write(mini_project.data_dir, name, data))


# --------------------------------------------------------------------------- RDF/XML: refused

BODY = (f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="{EX}">\n'
        '  <rdf:Description rdf:about="http://example.org/a"><ex:p>&x;</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n")
LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))


def doctype(subset: str, body: str = BODY) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{subset}]>\n{body}'


#: Hostile DOCTYPEs and the words of the refusal; every one aborts pyoxigraph or makes it read
#: or fetch, or gets past a DOCTYPE scanner that is not the XML parser.
HOSTILE = {
    "comment-with-bracket": (doctype('<!-- < ]> --><!ENTITY l0 "lol">' + LAUGHS
                                     + '<!ENTITY x "&l9;">'), "nested more than 2 levels"),
    "comment-bracket-late": (doctype('<!ENTITY l0 "lol">' + LAUGHS + '<!-- ]> -->'
                                     '<!ENTITY x "&l9;">'), "nested more than 2 levels"),
    "comment-quote": (doctype('<!-- " \' ]> --><!ENTITY l0 "lol">' + LAUGHS
                              + '<!ENTITY x "&l9;">'), "nested more than 2 levels"),
    "pi-in-subset": (doctype('<?pi ]> ?><!ENTITY l0 "lol">' + LAUGHS + '<!ENTITY x "&l9;">'),
                     "nested more than 2 levels"),
    "bracket-in-value": (doctype('<!ENTITY y "]>"><!ENTITY l0 "lol">' + LAUGHS
                                 + '<!ENTITY x "&l9;">'), "nested more than 2 levels"),
    "nested-3": (doctype('<!ENTITY a "1"><!ENTITY b "&a;"><!ENTITY c "&b;"><!ENTITY x "&c;">'),
                 "nested more than 2 levels"),
    "nested-via-char-ref": (doctype('<!ENTITY a "1"><!ENTITY b "&#38;a;"><!ENTITY c "&#38;b;">'
                                    '<!ENTITY x "&#38;c;">'), "nested more than 2 levels"),
    "declared-twice": (doctype('<!ENTITY x "one"><!ENTITY x "two">'), "declared twice"),
    "parameter-entity": (doctype('<!ENTITY % p "x"><!ENTITY x "y">'), "parameter entity"),
    "parameter-reference": (doctype('%p;<!ENTITY x "y">'), "parameter entity"),
    "parameter-external": (doctype('<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd">%p;'),
                           "parameter entity"),
    "system-entity": (doctype('<!ENTITY x SYSTEM "file:///etc/hostname">'),
                      "not a plain internal"),
    "public-entity": (doctype('<!ENTITY x PUBLIC "-//X//X" "http://127.0.0.1:9/x">'),
                      "not a plain internal"),
    "unparsed-entity": (doctype('<!NOTATION n SYSTEM "n"><!ENTITY x SYSTEM "f" NDATA n>'),
                        "not a plain internal"),
    "external-dtd": ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/d.dtd">'
                     "\n" + BODY.replace("&x;", "x"), "external DTD"),
    "public-dtd": ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF PUBLIC "-//X//DTD X//EN" "d.dtd" '
                   '[<!ENTITY x "y">]>\n' + BODY, "external DTD"),
    "self-reference": (doctype('<!ENTITY x "&y;"><!ENTITY y "&x;">'), "refers to itself"),
    "too-many": (doctype("".join(f'<!ENTITY e{i} "v">' for i in range(101)) + '<!ENTITY x "y">'),
                 "more than 100 entity declarations"),
    "one-big-entity": (doctype(f'<!ENTITY x "{"z" * 1_000_001}">'), "amplification"),
    "entity-in-attribute": (doctype('<!ENTITY l0 "lol">' + LAUGHS, BODY.replace(
        'rdf:about="http://example.org/a"', 'rdf:about="http://example.org/&l9;"')
        .replace("&x;", "x")), "nested more than 2 levels"),
    "wide-in-attribute": (doctype(f'<!ENTITY b "{"z" * 50_000}">', BODY.replace(
        "<ex:p>&x;</ex:p>", '<ex:p rdf:resource="http://example.org/' + "&b;" * 50_000 + '"/>')),
        "amplification"),
    "attlist-default": (doctype('<!ENTITY l0 "lol">' + LAUGHS
                                + '<!ATTLIST rdf:RDF ex:a CDATA "&l9;"><!ENTITY x "y">'),
                        "nested more than 2 levels"),
    "attlist-forward-reference": (doctype(f'<!ENTITY a "{"&b;" * 1000}"><!ENTITY b "{"z" * 2000}">'
                                          '<!ATTLIST rdf:RDF ex:a CDATA "&a;"><!ENTITY x "y">'),
                                  "amplification"),
    "quadratic": (doctype(f'<!ENTITY x "{"z" * 50_000}">', BODY.replace(
        "&x;", "&x;" * 50_000)), "amplification"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_doctypes_are_refused(mini_project: Project, name: str) -> None:
    text, message = HOSTILE[name]
    with pytest.raises(InputError, match="refused") as info:
        parse_file(mini_project, write(mini_project.data_dir, "hostile.rdf", text))
    assert message in str(info.value)
    assert str(info.value).startswith("data/hostile.rdf")


def test_predefined_entities_declared_again_are_no_amplification(mini_project: Project) -> None:
    text = doctype('<!ENTITY amp "&#38;#38;"><!ENTITY lt "&#38;#60;"><!ENTITY x "y">',
                   BODY.replace("&x;", "&amp;" * 300_000 + "&x;"))
    quads = parse_file(mini_project, write(mini_project.data_dir, "amp.rdf", text))
    assert [q.object.value for q in quads] == ["&" * 300_000 + "y"]


def test_the_doctype_comment_file_is_refused_in_process(mini_project: Project) -> None:
    with pytest.raises(InputError, match="refused: entities nested more than 2 levels deep"):
        parse_file(mini_project, DOCTYPE_COMMENT)
    with pytest.raises(InputError, match="refused"):
        xmlinput.reserialise(DOCTYPE_COMMENT.read_bytes(), path="x")


def test_the_output_cap_holds_even_if_the_arithmetic_were_wrong(monkeypatch) -> None:
    # Switch the entity arithmetic off: the count of characters produced still stops the parse.
    monkeypatch.setattr(xmlinput._Reserialiser, "end_doctype", lambda self: None)
    text, _ = HOSTILE["quadratic"]
    with pytest.raises(InputError, match="expands to more than 1000000 characters beyond"):
        xmlinput.reserialise(text.encode(), path="x")


def tree_state(root: Path) -> dict[str, bytes]:
    """Every file of a project copy (data/, the store link and its generations), with content."""
    state = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        state[key] = (os.readlink(path).encode() if path.is_symlink()
                      else path.read_bytes() if path.is_file() else b"<dir>")
    assert any(k.startswith("data/") for k in state) and "store" in state
    return state


def test_cli_validate_of_the_doctype_comment_file_exits_2_under_a_memory_limit(
        built_project: Project, tmp_path: Path) -> None:
    """On main this aborted the process (Rust out of memory, SIGABRT, exit 134)."""
    target = tmp_path / "project"
    shutil.copytree(built_project.root, target, symlinks=True)
    before = tree_state(target)
    files = [DOCTYPE_COMMENT, *(write(tmp_path, f"{n}.rdf", HOSTILE[n][0])
                                for n in ("comment-bracket-late", "quadratic"))]
    for path in files:
        done = subprocess.run(
            ["bash", "-c", 'ulimit -v 4000000; exec "$0" -m hrgraph --project "$1" --store "$2" '
             'validate "$3"', sys.executable, str(target), str(target / "store"), str(path)],
            capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, (path.name, done.returncode, done.stderr[-500:])
        assert "refused" in done.stderr and "Traceback" not in done.stderr
    assert tree_state(target) == before


def test_a_running_server_survives_an_upload_of_the_doctype_comment_file(
        built_project: Project) -> None:
    import httpx2 as httpx

    from web_support import running_server

    with running_server(built_project) as url:
        response = httpx.post(url + "/validate", timeout=60, files={
            "file": ("laughs.rdf", DOCTYPE_COMMENT.read_bytes(), "application/rdf+xml")})
        assert response.status_code == 400
        assert "refused" in response.text
        assert httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=30,
                         headers={"Accept": "application/sparql-results+json"}
                         ).json()["boolean"] is True


def test_the_regex_doctype_scanner_is_gone() -> None:
    for name in ("check_rdfxml", "_check_doctype", "_DOCTYPE", "_ENTITY", "_expanded_size",
                 "check_xml_depth"):
        assert not hasattr(guard, name), name


# --------------------------------------------------------------------------- large literals

def test_a_20_mb_literal_in_turtle_loads(mini_project: Project) -> None:
    literal = "x" * (20 * 1024 * 1024)
    path = write(mini_project.data_dir, "big.ttl",
                 f'@prefix ex: <{EX}> .\nex:a ex:p "small" .\nex:a ex:q "{literal}" .\n')
    quads = parse_file(mini_project, path)
    assert sorted(len(q.object.value) for q in quads) == [5, len(literal)]
    assert {q.graph_name.value for q in quads} == {mini_project.graph_iri(path)}


@pytest.mark.parametrize("name", ["big.jsonld", "blank.ttl"])
def test_a_20_mb_literal_that_cannot_load_is_a_clear_error(mini_project: Project,
                                                           name: str) -> None:
    literal = "x" * (20 * 1024 * 1024)
    text = (json.dumps({"@id": EX + "a", EX + "p": literal}) if name.endswith(".jsonld")
            else f'<{EX}a> <{EX}p> [ <{EX}q> "y" ] .\n<{EX}a> <{EX}p> "{literal}" .\n')
    path = write(mini_project.data_dir, name, text)
    with pytest.raises(InputError, match="single token") as info:
        parse_file(mini_project, path)
    assert str(info.value).startswith(f"data/{name}")
    if name == "blank.ttl":
        assert info.value.line == 2
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2 and "single token" in err and "Traceback" not in err


def test_a_20_mb_literal_builds(mini_project: Project) -> None:
    write(mini_project.data_dir, "big.ttl", f'<{EX}a> <{EX}q> "{"x" * (20 << 20)}" .\n')
    code, _, err = invoke("--project", str(mini_project.root), "--store",
                          str(mini_project.store_path), "build")
    assert code in (0, 1) and "Traceback" not in err, err


# --------------------------------------------------------------------------- byte-order mark

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(("name", "text"), [
    ("bom.ttl", f"@prefix ex: <{EX}> .\nex:a ex:p 1 .\nex:a ex:p 2 .\n"),
    ("bom.nt", f'<{EX}a> <{EX}p> "1" .\n<{EX}a> <{EX}p> "2" .\n'),
    ("bom.trig", f"<{EX}g> {{\n<{EX}a> <{EX}p> 1 .\n<{EX}a> <{EX}p> 2 .\n}}\n"),
    ("bom.nq", f'<{EX}a> <{EX}p> "1" <{EX}g> .\n<{EX}a> <{EX}p> "2" .\n'),
    ("bom.jsonld", json.dumps({"@id": EX + "a", EX + "p": [1, 2]})),
    ("bom.rdf", HEAD + f'<rdf:Description rdf:about="{EX}a"><ex:p>1</ex:p><ex:p>2</ex:p>'
                "</rdf:Description></rdf:RDF>"),
])
def test_a_leading_byte_order_mark_is_dropped(mini_project: Project, name: str, text: str) -> None:
    path = write(mini_project.data_dir, name, BOM + text.encode())
    assert len(parse_file(mini_project, path)) == 2
    assert load.read_limited(mini_project, path) == text.encode()


def test_line_numbers_stay_right_after_a_byte_order_mark(mini_project: Project) -> None:
    path = write(mini_project.data_dir, "bom.ttl",
                 BOM + f"@prefix ex: <{EX}> .\nex:a ex:p 1 .\nex:a ex:p ;; .\n".encode())
    with pytest.raises(InputError) as info:
        parse_file(mini_project, path)
    assert info.value.line == 3
    assert "\ufeff" not in str(info.value) and "valid subject" not in str(info.value)


def test_a_byte_order_mark_builds(mini_project: Project) -> None:
    write(mini_project.data_dir, "bom.ttl", BOM + f"<{EX}a> <{EX}p> 1 .\n".encode())
    code, _, err = invoke("--project", str(mini_project.root), "--store",
                          str(mini_project.store_path), "build")
    assert code in (0, 1), err


# --------------------------------------------------------------------------- not XML characters

NOT_XML = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\ufffe", "\uffff"]


def escape(character: str) -> str:
    return f"\\u{ord(character):04X}"


@pytest.mark.parametrize("character", NOT_XML)
@pytest.mark.parametrize("written", ["raw", "escape", "long-escape"])
@pytest.mark.parametrize("name", ["x.ttl", "x.nt", "x.trig", "x.nq"])
def test_characters_xml_cannot_hold_are_refused_with_their_line(mini_project: Project,
                                                                character: str, written: str,
                                                                name: str) -> None:
    value = {"raw": character, "escape": escape(character),
             "long-escape": f"\\U{ord(character):08X}"}[written]
    lines = [f'<{EX}a> <{EX}p> "fine" .', f'<{EX}b> <{EX}p> "fine" .',
             f'<{EX}c> <{EX}p> "bad {value} here" .', f'<{EX}d> <{EX}p> "fine" .']
    if name.endswith(".trig"):
        lines = [f"<{EX}g> {{", *lines, "}"]
    path = write(mini_project.data_dir, name, "\n".join(lines) + "\n")
    with pytest.raises(InputError, match=f"U\\+{ord(character):04X}") as info:
        parse_file(mini_project, path)
    assert info.value.line == (4 if name.endswith(".trig") else 3)
    assert f"<{EX}c>" in str(info.value) and "XML cannot hold" in str(info.value)


@pytest.mark.parametrize("text", [f'<{EX}a> <{EX}p> "\\b" .', f'<{EX}a> <{EX}p> "\\f" .',
                                  f'<{EX}a> <{EX}p> """multi\nline\n\\u0000""" .'])
def test_turtle_escapes_for_controls_are_refused(mini_project: Project, text: str) -> None:
    path = write(mini_project.data_dir, "esc.ttl", text)
    with pytest.raises(InputError, match="XML cannot hold") as info:
        parse_file(mini_project, path)
    assert info.value.line == text.count("\n") + 1


def test_a_control_character_in_json_ld_is_refused(mini_project: Project) -> None:
    path = write(mini_project.data_dir, "x.jsonld",
                 '{\n  "@id": "http://example.org/a",\n  "http://example.org/p": "a\\u0000b"\n}')
    with pytest.raises(InputError, match="U\\+0000") as info:
        parse_file(mini_project, path)
    assert info.value.line == 3


def test_a_character_reference_xml_cannot_hold_is_refused_in_rdfxml(mini_project: Project) -> None:
    path = write(mini_project.data_dir, "x.rdf", HEAD + "\n<ex:p>&#0;</ex:p></rdf:RDF>")
    with pytest.raises(InputError) as info:
        parse_file(mini_project, path)
    assert info.value.line == 2


@pytest.mark.parametrize("text", [
    f'<{EX}a> <{EX}p> "a\\\\u0000b" .',        # an escaped backslash, then the letters u0000
    f'# a comment with \x01 in it\n<{EX}a> <{EX}p> "fine\\tand\\nfine" .',
    f'<{EX}a> <{EX}p> "C:\\\\bin\\\\foo" .',
])
def test_lookalikes_are_not_refused(mini_project: Project, text: str) -> None:
    assert len(parse_file(mini_project, write(mini_project.data_dir, "ok.ttl", text))) == 1


def test_every_data_path_refuses_them(built_project: Project, tmp_path: Path) -> None:
    text = f'<{EX}a> <{EX}p> "fine" .\n<{EX}a> <{EX}p> "bad \\u0000" .\n'
    outside = write(tmp_path, "bad.ttl", text)
    # validate FILE
    code, _, err = invoke("--project", str(built_project.root), "validate", str(outside))
    assert code == 2 and "U+0000" in err and ":2:" in err, err
    # add (a contribution)
    code, _, err = invoke("--project", str(built_project.root), "--store",
                          str(built_project.store_path), "add", str(outside), "--dry-run")
    assert code == 2 and "U+0000" in err, err
    # build: a Turtle file without blank nodes that would otherwise go to Store.bulk_load
    target = tmp_path / "project"
    project = copy_project(REPO, target)
    write(project.data_dir, "bad.ttl", text)
    assert load.bulk_format(project.data_dir / "bad.ttl", text.encode()) is None
    code, _, err = invoke("--project", str(target), "--store", str(target / "store"), "build")
    assert code == 2 and "data/bad.ttl:2" in err and "U+0000" in err, err
    with pytest.raises(InputError, match="U\\+0000"):
        load.bulk_load(project, ox.Store(), project.data_dir / "bad.ttl", text.encode(),
                       ox.RdfFormat.TURTLE, graph=ox.DefaultGraph())


# --------------------------------------------------------------------------- symbolic links

def test_a_link_to_a_file_outside_the_project_is_refused(mini_project: Project,
                                                         tmp_path: Path) -> None:
    outside = write(tmp_path, "elsewhere/secret.ttl", f"<{EX}a> <{EX}p> 1 .\n")
    link = mini_project.data_dir / "x.ttl"
    link.symlink_to(outside)
    for read in (lambda: parse_file(mini_project, link),
                 lambda: load.read_limited(mini_project, link)):
        with pytest.raises(InputError, match="symbolic link to a file outside") as info:
            read()
        assert str(info.value).startswith("data/x.ttl:")


def test_a_link_inside_the_project_is_followed(mini_project: Project) -> None:
    target = write(mini_project.root, "elsewhere/inside.ttl", f"<{EX}a> <{EX}p> 1 .\n")
    link = mini_project.data_dir / "x.ttl"
    link.symlink_to(target)
    assert len(parse_file(mini_project, link)) == 1
    folder = mini_project.data_dir / "linked"
    folder.symlink_to(target.parent, target_is_directory=True)
    assert len(parse_file(mini_project, folder / "inside.ttl")) == 1


def test_a_linked_folder_outside_the_project_is_refused(mini_project: Project,
                                                        tmp_path: Path) -> None:
    write(tmp_path, "elsewhere/secret.ttl", f"<{EX}a> <{EX}p> 1 .\n")
    (mini_project.data_dir / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(InputError, match="symbolic link"):
        parse_file(mini_project, mini_project.data_dir / "linked" / "secret.ttl")


def test_build_with_a_linked_data_file_outside_is_a_clear_error(mini_project: Project,
                                                                tmp_path: Path) -> None:
    """Regression: the link crashed ``hrgraph build`` with a ValueError (Project.graph_iri)."""
    outside = write(tmp_path, "elsewhere/secret.ttl", f"<{EX}a> <{EX}p> 1 .\n")
    (mini_project.data_dir / "x.ttl").symlink_to(outside)
    code, _, err = invoke("--project", str(mini_project.root), "--store",
                          str(mini_project.store_path), "build")
    assert code == 2, err
    assert "data/x.ttl" in err and "symbolic link" in err and "Traceback" not in err


def test_diff_of_the_doctype_comment_file_is_refused(tmp_path: Path) -> None:
    """Regression: ``hrgraph diff`` handed the original bytes to pyoxigraph, which aborted."""
    hostile = FIXTURES / "security" / "rdfxml-doctype-comment.rdf"
    done = subprocess.run(["bash", "-c", 'ulimit -v 4000000; exec "$@"', "-", sys.executable,
                           "-m", "hrgraph", "diff", str(hostile), str(hostile)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr


def test_a_file_given_from_outside_the_project_may_be_a_link(mini_project: Project,
                                                            tmp_path: Path) -> None:
    real = write(tmp_path, "real.ttl", f"<{EX}a> <{EX}p> 1 .\n")
    (tmp_path / "link.ttl").symlink_to(real)
    assert len(parse_file(mini_project, tmp_path / "link.ttl")) == 1


# --------------------------------------------------------------------------- duplicate JSON keys

@pytest.mark.parametrize("text", [
    '{"@context": {"name": "http://example.org/name"}, "@context": "http://127.0.0.1:9/c",'
    ' "@id": "http://example.org/a", "name": "x"}',
    '{"@context": "http://127.0.0.1:9/c", "@context": {}, "@id": "http://example.org/a"}',
    '{"@id": "http://example.org/a", "http://example.org/p": {"@value": "a", "@value": "b"}}',
    '[{"@id": "http://example.org/a", "@id": "http://example.org/b"}]',
])
def test_duplicate_json_keys_are_refused(mini_project: Project, listener, text: str) -> None:
    url, requests = listener
    path = write(mini_project.data_dir, "dup.jsonld", text.replace("http://127.0.0.1:9/c", url))
    with pytest.raises(InputError, match="appears twice") as info:
        parse_file(mini_project, path)
    assert str(info.value).startswith("data/dup.jsonld")
    assert "'@context'" in str(info.value) or "'@value'" in str(info.value) or "'@id'" in str(
        info.value)
    code, _, err = invoke("--project", str(mini_project.root), "validate", str(path))
    assert code == 2 and "appears twice" in err
    assert requests == []


def test_parse_json_keeps_ordinary_objects() -> None:
    assert guard.parse_json(b'{"a": {"b": 1, "c": [{"b": 2}]}, "b": 3}', path="x") == {
        "a": {"b": 1, "c": [{"b": 2}]}, "b": 3}


@pytest.mark.parametrize("text", [
    *NOT_XML, *(escape(c) for c in NOT_XML), *(f"\\U{ord(c):08X}" for c in NOT_XML),
    "\\b", "\\f", "\\uD800", "\\udfff", "\\U0000DBFF", "\xef\xbf\xbe", "plain",
    "\\n \\t \\\" \\u00e9 \\U0001F600", "\\uFFFD", "\t\n\r", "é", ""])
def test_the_fast_hint_agrees_with_its_expression(text: str) -> None:
    """load._maybe_not_xml (three fast tests) says what load._MAYBE_NOT_XML says (the bytes of
    each text as UTF-8, as Latin-1, where three of its letters are the bytes of U+FFFE, and
    inside more text)."""
    from hrgraph import load

    for data in (text.encode("utf-8"), text.encode("latin-1", errors="ignore"),
                 b"x" * 1000 + text.encode("utf-8") + b"y"):
        assert load._maybe_not_xml(data) == (load._MAYBE_NOT_XML.search(data) is not None)
