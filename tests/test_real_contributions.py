"""The curated contributions of the test corpus: two real statements, each entered with
``hrgraph draft`` and a spreadsheet alone (data/sources/workbooks/), with their expected answers.

* the 2021 statement of 63 organisations on the new UN mandate on Belarus: 6 demands, a new
  mechanism (the High Commissioner's mandate), OHCHR and "Human Rights Council members";
* Viasna's English statement of 21 September 2020 on Marfa Rabkova: a new legal provision (Part 3
  of Article 293 of the Criminal Code), her roles, mentions, and the open question whether her
  husband Vadzim Zharomski is the graffiti artist of 2015.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import REPO, copy_project
from hrgraph import spreadsheet
from hrgraph import store as stores
from hrgraph.build import build

ID = "https://w3id.org/hrgraph/id/"
HRG = "https://w3id.org/hrgraph/ontology#"
WORKBOOKS = REPO / "data" / "sources" / "workbooks"
#: workbook → the merged file of the corpus that it entered
MERGED = {
    "hrc-belarus-mandate-2021-03-24.xlsx": "20261201T232208Z-e0d14339.ttl",
    "rabkova-2020-09-21-en.xlsx": "20261201T232216Z-c9d9f155.ttl",
}


def graph_of(path: Path) -> set[ox.Triple]:
    """A merged contribution's triples, without its PROV-O record (about its own graph IRI)."""
    record = "https://w3id.org/hrgraph/graph/"
    return {ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            if not q.subject.value.startswith(record)}


@pytest.fixture(scope="module")
def without_them(tmp_path_factory: pytest.TempPathFactory):
    """The test corpus without the two contributions, built: what the partner started from."""
    project = copy_project(REPO, tmp_path_factory.mktemp("before") / "project")
    for name in MERGED.values():
        (project.data_dir / "contributions" / name).unlink()
    build(project)
    return project


@pytest.mark.parametrize("workbook", sorted(MERGED))
def test_the_workbook_alone_gives_the_merged_contribution(without_them, workbook: str) -> None:
    merged = REPO / "data" / "contributions" / MERGED[workbook]
    text = merged.read_text(encoding="utf-8")
    assert f'dcterms:title "{workbook}"' in text  # what was added: the workbook itself
    store = stores.open_store(without_them, read_only=True)
    try:
        sheet = spreadsheet.read_contribution(without_them, WORKBOOKS / workbook, store)
    finally:
        del store
    assert set(sheet.triples) == graph_of(merged)


@pytest.fixture(scope="module")
def ask(built_project):
    store = stores.open_store(built_project, read_only=True)

    def run(query: str) -> list[dict]:
        result = store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in result]

    return run


def test_the_2021_statement_on_the_un_mandate(ask) -> None:
    document = ID + "document/hrc-belarus-mandate-2021-03-24"
    demands = ask(f"""PREFIX hrg: <{HRG}>
        SELECT ?d WHERE {{ ?d a hrg:Demand ; hrg:madeIn <{document}> }} ORDER BY ?d""")
    assert [r["d"].removeprefix(ID + "demand/") for r in demands] == [
        f"hrc-belarus-mandate-2021-03-24-{n}" for n in ("1", "2", "3", "3-1", "3-2", "3-3")]
    facts = ask(f"""PREFIX hrg: <{HRG}>
        SELECT ?by ?partial ?type WHERE {{
          <{ID}mechanism/ohchr-belarus-accountability-mandate-2021> a hrg:Mandate ;
              hrg:operatedBy ?by .
          <{document}> hrg:partial ?partial ; a ?type . FILTER (?type = hrg:JointStatement) }}
        ORDER BY ?by""")
    assert [(r["by"].removeprefix(ID), r["partial"]) for r in facts] == [
        ("organisation/office-of-the-high-commissioner", "true"),
        ("organisation/un-human-rights-council", "true")]


def test_the_2020_statement_on_marfa_rabkova(ask) -> None:
    article = ID + "legal/belarus-criminal-code-article-293-part-3"
    facts = ask(f"""PREFIX hrg: <{HRG}>
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?code ?number ?where ?name WHERE {{
          <{article}> a hrg:LegalProvision ; eli:is_part_of ?code ; hrg:articleNumber ?number ;
              hrg:jurisdiction ?where ; skos:altLabel ?name }}""")
    assert [(r["code"], r["number"], r["where"], r["name"]) for r in facts] == [
        (ID + "legal/belarus-criminal-code", "293", ID + "place/belarus",
         "Part 3 of Art. 293 of the Criminal Code")]
    question = ask(f"""PREFIX hrg: <{HRG}>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?a ?source WHERE {{
          ?q a hrg:IdentityQuestion ; hrg:about ?a ; dcterms:source ?source }} ORDER BY ?a""")
    assert [r["a"].removeprefix(ID) for r in question] == [
        "person/vadzim-zharomski", "person/vadzim-zharomski-2020"]
    mentions = ask(f"""PREFIX hrg: <{HRG}>
        SELECT ?m WHERE {{ <{ID}document/rabkova-2020-09-21-en> hrg:mentions ?m }} ORDER BY ?m""")
    assert len(mentions) == 7
    assert ID + "person/marfa-rabkova" in {r["m"] for r in mentions}
