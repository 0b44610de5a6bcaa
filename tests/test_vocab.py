"""hrgraph vocab: the vocabularies a contributor can look values up in, on the real files; the
action types fit human-rights recommendations in general; suggestions by meaning and spelling."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SKOS

from conftest import REPO, repo_project
from hrgraph import spreadsheet, vocab
from hrgraph import store as stores
from hrgraph.cli import main
from hrgraph.errors import InputError
from hrgraph.project import Project
from test_spreadsheet import DEMAND, DOCUMENT, header, line, workbook

PROJECT = repo_project()
VOCAB = "https://w3id.org/hrgraph/vocab/"
ACTION = VOCAB + "action-type/"
SCHEMES = ["action-type", "event-type", "evidence-quality", "response", "role", "sdg", "status",
           "topic", "uhri-persons", "uhri-theme-2", "uhri-theme-3", "upr-info-action-category",
           "upr-info-implementation-level", "upr-info-response"]
#: The 25 action types of the 2016 statement: data uses their IRIs, they must stay.
ORIGINAL_ACTIONS = [
    "justice-measure", "close-criminal-case", "public-retrial", "remove-conviction", "release",
    "lift-entry-ban", "ensure-safe-return", "register-organisation", "end-persecution",
    "refrain-from-interference", "legal-change", "repeal", "amend", "harmonise-legislation",
    "introduce-moratorium", "international-action", "maintain-scrutiny", "renew-mandate",
    "adopt-policy", "make-public", "develop-roadmap", "cooperate-with-mechanism",
    "establish-dialogue", "develop-plan", "include-in-dialogue"]
#: What recommendations ask in general (issue 15, item 4), concept by concept.
GENERAL_ACTIONS = {
    "ratify": "ratify", "accede": "accede", "withdraw-reservation": "withdraw a reservation",
    "adopt-law": "adopt a law", "amend": "amend", "repeal": "repeal",
    "establish-institution": "establish an institution",
    "strengthen-institution": "strengthen an institution", "fund": "fund", "appoint": "appoint",
    "investigate": "investigate", "prosecute": "bring to justice",
    "provide-remedy": "provide a remedy", "release": "release", "register": "register",
    "cooperate-with-mechanism": "cooperate fully with a mechanism",
    "invite-mechanism": "invite a mechanism", "grant-access": "grant access",
    "renew-mandate": "renew a mandate", "train": "train", "raise-awareness": "raise awareness",
    "consult": "consult", "monitor": "monitor", "report": "report", "support": "support",
    "operationalise-mandate": "operationalise a mandate",
    "abolish-death-penalty": "abolish the death penalty",
    "implement-recommendations": "implement recommendations", "end-impunity": "end impunity",
    "guarantee-right": "guarantee a right", "ensure-fair-trial": "ensure a fair trial"}


def run(cli, *args: str, project: Project = PROJECT):
    return cli.invoke(main, ["--project", str(project.root), "--store", str(project.store_path),
                             "vocab", *args])


def vocabulary_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((REPO / "ontology" / "vocabularies").glob("*.ttl")):
        graph.parse(path)
    return graph


def as_json(cli, *args: str):
    result = run(cli, *args, "--format", "json")
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.output)


# --------------------------------------------------------------------------- the command


def test_without_a_scheme_it_lists_every_scheme_with_its_count(cli) -> None:
    graph = vocabulary_graph()
    listed = as_json(cli)
    assert [s["scheme"] for s in listed] == SCHEMES
    for scheme in listed:
        members = set(graph.subjects(SKOS.inScheme, rdflib.URIRef(scheme["iri"])))
        assert scheme["concepts"] == len(members), scheme["scheme"]
        assert scheme["iri"] == VOCAB + scheme["scheme"]
        assert scheme["label"] and scheme["definition"], scheme["scheme"]
        assert (REPO / scheme["file"]).is_file()
    text = run(cli).output
    assert "action-type" in text and "ontology/vocabularies/action-types.ttl" in text
    assert "hrgraph vocab SCHEME" in text


def test_it_works_without_a_built_store(cli, tmp_path: Path) -> None:
    result = cli.invoke(main, ["--project", str(REPO), "--store", str(tmp_path / "none"),
                               "vocab", "status"])
    assert result.exit_code == 0, result.output + result.stderr
    assert "status:not-met  not met" in result.output
    assert not (tmp_path / "none").exists()


def test_the_action_types_cover_recommendations_in_general(cli) -> None:
    scheme = as_json(cli, "action-type")
    labels = {c["iri"]: c["prefLabel"]["en"] for c in scheme["concepts"]}
    assert len(labels) == 66
    assert {ACTION + local for local in ORIGINAL_ACTIONS} <= set(labels)
    assert {ACTION + local: label for local, label in GENERAL_ACTIONS.items()} \
        .items() <= labels.items()
    text = run(cli, "action-type").output
    assert text.startswith("action-type: Action types (hrv:action-type), 66 concepts, "
                           "ontology/vocabularies/action-types.ttl\n")
    # the text form: short IRIs, every field, narrower concepts under their broader one
    assert "\naction:fund  fund\n" in text
    assert "alternative labels: allocate resources; finance; provide funding" in text
    assert "hidden labels: allocate; allocating; allocation; budget;" in text
    assert "    broader: action:become-party (become a party to a treaty)" in text
    assert text.index("action:become-party  ") < text.index("    action:ratify  ratify")


def test_broader_links_are_honest_where_the_issue_names_them() -> None:
    graph = vocabulary_graph()

    def broader(local: str) -> set[str]:
        return {str(o).removeprefix(ACTION) for o in graph.objects(rdflib.URIRef(ACTION + local),
                                                                     SKOS.broader)}

    assert broader("accede") == {"become-party"} == broader("ratify")  # not one under the other
    assert broader("become-party") == {"treaty-action"}
    assert broader("withdraw-reservation") == {"treaty-action"}
    assert broader("prosecute") == {"justice-measure", "end-impunity"}
    assert broader("register-organisation") == {"register"}
    assert broader("operationalise-mandate") == {"international-action"}


def test_csv_and_json_agree_and_parse(cli) -> None:
    for name in SCHEMES:
        result = run(cli, name, "--format", "csv")
        assert result.exit_code == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO(result.output)))
        assert list(rows[0]) == ["scheme", "iri", "prefLabel", "altLabel", "hiddenLabel",
                                 "definition", "broader"]
        concepts = as_json(cli, name)["concepts"]
        assert [r["iri"] for r in rows] == [c["iri"] for c in concepts]
        assert [r["definition"] for r in rows] == [c["definition"]["en"] for c in concepts]
        assert {r["scheme"] for r in rows} == {name}
    listed = list(csv.DictReader(io.StringIO(run(cli, "--format", "csv").output)))
    assert [r["scheme"] for r in listed] == SCHEMES


def test_every_concept_of_every_scheme_has_a_label_and_a_definition(cli) -> None:
    for name in SCHEMES:
        for concept in as_json(cli, name)["concepts"]:
            assert concept["prefLabel"].get("en"), concept["iri"]
            assert concept["definition"].get("en"), concept["iri"]
            assert concept["iri"].startswith(VOCAB + name + "/"), concept["iri"]


def test_a_scheme_is_named_by_segment_file_or_iri(cli) -> None:
    expected = run(cli, "action-type").output
    for name in ("action-types", "action-types.ttl", "hrv:action-type", VOCAB + "action-type",
                 "Action-Type"):
        result = run(cli, name)
        assert result.exit_code == 0, result.stderr
        assert result.output == expected, name


def test_unknown_scheme_is_exit_2_listing_the_schemes(cli) -> None:
    result = run(cli, "actions")
    assert result.exit_code == 2
    assert "no vocabulary is named 'actions'; the vocabularies are " \
           + ", ".join(SCHEMES) in result.stderr
    assert "Traceback" not in result.stderr
    several = run(cli, "upr-info")
    assert several.exit_code == 2
    assert "upr-info.ttl holds 3 schemes: upr-info-action-category, " \
           "upr-info-implementation-level, upr-info-response" in several.stderr


def test_a_broken_vocabulary_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "ontology" / "vocabularies").mkdir(parents=True)
    (tmp_path / "ontology" / "vocabularies" / "bad.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<a> skos:prefLabel \"x\n")
    with pytest.raises(InputError, match=r"bad\.ttl"):
        vocab.read_schemes(Project.open(tmp_path))


def test_labels_name_one_concept_each() -> None:
    """A label (preferred, alternative or hidden, after case folding) belongs to one concept of
    its scheme: a spreadsheet value resolves, and a suggestion means, one thing."""
    graph = vocabulary_graph()
    for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):
        owners: dict[str, set] = {}
        for concept in graph.subjects(SKOS.inScheme, scheme):
            for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
                for label in graph.objects(concept, prop):
                    key = " ".join(unicodedata.normalize("NFKC", str(label)).casefold().split())
                    owners.setdefault(key, set()).add(concept)
        assert {k: v for k, v in owners.items() if len(v) > 1} == {}, scheme


# --------------------------------------------------------------------------- suggestions


@pytest.fixture(scope="module")
def actions() -> list[vocab.Concept]:
    schemes = vocab.read_schemes(PROJECT)
    return list(vocab.find_scheme(PROJECT, schemes, "action-type").concepts)


@pytest.mark.parametrize(("text", "first"), [
    # the issue's cases: none of them had a concept before
    ("fund", "fund"), ("appoint experts", "appoint"),
    ("operationalise a mandate", "operationalise a mandate"), ("support", "support"),
    # other forms and wordings of them, from the 2021 statement on the UN mandate
    ("funding", "fund"), ("Ensure that this new mandate is sufficiently funded", "fund"),
    ("appoint credible international experts", "appoint"),
    ("operationalize the mandate", "operationalise a mandate"),
    ("support this critical next step", "support"),
    # hidden labels, stems, whole labels inside a longer text, typos
    ("ratification", "ratify"), ("ratifying", "ratify"), ("accession", "accede"),
    ("withdraw reservations", "withdraw a reservation"),
    ("free political prisoners", "release"), ("bring perpetrators to justice",
                                              "bring to justice"),
    ("compensation for victims", "provide a remedy"), ("releese", "release"),
    ("relase political prisoners", "release"), ("end persecutoin", "end persecution"),
])
def test_suggestions_by_meaning_then_spelling(actions, text: str, first: str) -> None:
    found = vocab.suggest(actions, text)
    assert found[0] == first, found
    assert len(found) == len(set(found)) <= 3


def test_accede_is_not_suggested_as_ratify(actions) -> None:
    assert vocab.suggest(actions, "accession")[0] == "accede"
    assert vocab.suggest(actions, "ratification")[0] == "ratify"


def test_no_suggestion_for_words_that_mean_nothing_here(actions) -> None:
    assert vocab.suggest(actions, "the") == []
    assert vocab.suggest(actions, "xyzzy") == []
    # "fundamental" is not "fund"
    assert "fund" not in vocab.suggest(actions, "fundamental freedoms")
    # once a concept matches by meaning, look-alikes by spelling ("ending") are left out
    assert "end a violation" not in vocab.suggest(actions, "funding")
    assert vocab.suggest(actions, "cooperation") == ["cooperate fully with a mechanism"]


def test_each_concept_is_suggested_once() -> None:
    """The old suggestions listed a label twice when it was both a preferred label and, folded,
    an alternative one."""
    concepts = [vocab.Concept("https://example.org/a", pref_labels=(("Release", "en"),),
                              alt_labels=(("release", "en"), ("set free", "en"))),
                vocab.Concept("https://example.org/b", pref_labels=(("relapse", "en"),))]
    assert vocab.suggest(concepts, "releese", limit=3) == ["Release", "relapse"]


def test_the_limit_is_kept(actions) -> None:
    assert vocab.suggest(actions, "treaty", limit=2) == ["act on a treaty", "ratify"]
    assert len(vocab.suggest(actions, "treaty", limit=5)) == 5


# --------------------------------------------------------------------------- in spreadsheets


def read_action(project: Project, tmp_path: Path, action: str) -> spreadsheet.Contribution:
    path = workbook(tmp_path / "v.xlsx",
                    documents=[header("documents"), line("documents", DOCUMENT)],
                    demands=[header("demands"), line("demands", {
                        **DEMAND, "action": action, "targets": "Марфа Рабкова"})])
    store = stores.open_store(project, read_only=True)
    try:
        return spreadsheet.read_contribution(project, path, store)
    finally:
        del store


@pytest.mark.parametrize(("value", "local"), [
    ("fund", "fund"), ("appoint experts", "appoint"),
    ("operationalise a mandate", "operationalise-mandate"), ("support", "support"),
    ("allocate resources", "fund"), ("Ratify", "ratify"),
    # hidden labels (verb forms) resolve too
    ("funding", "fund"), ("ratification", "ratify")])
def test_the_issue_values_resolve_in_a_spreadsheet(built_project: Project, tmp_path: Path,
                                                   value: str, local: str) -> None:
    sheet = read_action(built_project, tmp_path, value)
    actions = {t.object.value for t in sheet.triples
               if t.predicate.value == built_project.ontology_ns + "actionType"}
    assert actions == {ACTION + local}


def test_an_unknown_value_suggests_by_meaning_and_points_to_the_list(
        built_project: Project, tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        read_action(built_project, tmp_path, "fundng")
    message = str(error.value)
    assert "sheet 'demands', row 2, column 'action': 'fundng' is not a label of the " \
           "action-type vocabulary; did you mean 'fund'" in message
    assert message.endswith("? `hrgraph vocab action-type` lists them all")
    with pytest.raises(InputError, match=r"vocabulary; `hrgraph vocab action-type` lists them "
                                         r"all$"):
        read_action(built_project, tmp_path, "xyzzy")
