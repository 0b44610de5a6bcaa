"""The registry of states (hrgraph.states): names as UN documents write them, ISO codes from
pycountry, exact matching after the documented normalisations, and the generated states.ttl."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib

from conftest import REPO
from hrgraph import states
from hrgraph.errors import InputError
from hrgraph.states import UnknownState, name_key, resolve_state

ID = "https://w3id.org/hrgraph/id/"
HRG = rdflib.Namespace("https://w3id.org/hrgraph/ontology#")

#: The recommending states of the 2nd-cycle thematic list of Slovenia (UPR 20th session), as the
#: recommendations' parentheses write them, read by hand from the Word file.
SECOND_CYCLE = [
    "Afghanistan", "Algeria", "Angola", "Argentina", "Armenia", "Australia", "Austria",
    "Azerbaijan", "Bahrain", "Belgium", "Benin", "Bosnia and Herzegovina", "Brazil", "Chile",
    "China", "Costa Rica", "Croatia", "Cuba", "Czech Republic", "Côte d’Ivoire", "Ecuador",
    "Egypt", "Estonia", "France", "Greece", "Guatemala", "Hungary", "India", "Indonesia",
    "Iran (Islamic Republic of)", "Iraq", "Ireland", "Israel", "Italy", "Kuwait", "Malaysia",
    "Mexico", "Montenegro", "Morocco", "Netherlands", "New Zealand", "Nicaragua", "Nigeria",
    "Norway", "Pakistan", "Peru", "Philippines", "Poland", "Portugal", "Republic of Moldova",
    "Romania", "Russian Federation", "Saudi Arabia", "Senegal", "Serbia", "Sierra Leone",
    "Slovakia", "Spain", "Sri Lanka", "Sweden", "Thailand", "Tunisia", "Turkey", "Ukraine",
    "United Kingdom of Great Britain and Northern Ireland", "United States of America",
    "Uruguay", "Uzbekistan", "Venezuela (Bolivarian Republic of)", "Viet Nam",
    "the former Yugoslav Republic of Macedonia"]

#: Those of the 3rd-cycle list (UPR 34th session) that the 2nd-cycle one does not have, or
#: writes otherwise.
THIRD_CYCLE = [
    "Albania", "Bahamas", "Bangladesh", "Belarus", "Bhutan", "Bolivarian Republic of Venezuela",
    "Botswana", "Bulgaria", "Canada", "Cyprus", "Denmark", "Djibouti", "Dominican Republic",
    "Ethiopia", "Fiji", "Georgia", "Germany", "Ghana", "Honduras", "Iceland",
    "Islamic Republic of Iran", "Jordan", "Lebanon", "Lithuania", "Luxembourg", "Maldives",
    "Malta", "Myanmar", "Nepal", "Niger", "North Macedonia", "Qatar", "Republic of Korea",
    "Rwanda", "State of Palestine"]


@pytest.fixture(scope="module")
def registry() -> states.Registry:
    return states.registry(REPO)


def test_every_recommending_state_of_both_files_resolves(registry: states.Registry) -> None:
    resolved = {name: registry.resolve(name) for name in SECOND_CYCLE + THIRD_CYCLE}
    # three names of the 3rd cycle are other forms of 2nd-cycle names
    assert len({s.iri for s in resolved.values()}) == len(SECOND_CYCLE + THIRD_CYCLE) - 3
    assert resolved["Turkey"].alpha3 == "TUR"
    assert resolved["the former Yugoslav Republic of Macedonia"] is resolved["North Macedonia"]
    assert resolved["Venezuela (Bolivarian Republic of)"] is resolved[
        "Bolivarian Republic of Venezuela"]
    assert resolved["Iran (Islamic Republic of)"] is resolved["Islamic Republic of Iran"]
    assert resolved["Czech Republic"].iri == ID + "state/czechia"


def test_the_states_of_the_project_resolve() -> None:
    assert resolve_state("Slovenia", REPO) == ID + "state/slovenia"
    assert resolve_state("Belarus", REPO) == ID + "state/belarus"
    assert resolve_state("Republic of Belarus", REPO) == ID + "state/belarus"
    # the existing organisation is the registry's entry, not a second actor
    assert resolve_state("United States of America", REPO) == ID + "organisation/united-states"


@pytest.mark.parametrize("name, iri", [
    ("Venezuela, Bolivarian Republic of", "venezuela"),
    ("venezuela  (bolivarian   republic of)", "venezuela"),
    ("Côte d'Ivoire", "cote-divoire"),
    ("Côte d’Ivoire", "cote-divoire"),
    ("Democratic People’s Republic of Korea", "democratic-peoples-republic-of-korea"),
    ("the Netherlands", "netherlands"),
    ("Netherlands (Kingdom of the)", "netherlands"),
    ("Congo, The Democratic Republic of the", "democratic-republic-of-the-congo"),
    ("Holy See", "holy-see"),
    ("Holy See (Vatican City State)", "holy-see"),
    ("Palestine, State of", "state-of-palestine"),
    ("Türkiye", "turkiye"),
    ("Republic of Moldova", "republic-of-moldova"),
    ("Moldova", "republic-of-moldova"),
])
def test_normalised_names_match_exactly(name: str, iri: str) -> None:
    assert resolve_state(name, REPO) == ID + "state/" + iri


@pytest.mark.parametrize("name", ["Slovenija", "Slovnia", "Venezuela (Bolivarian Republic)",
                                  "Korea", "Taiwan", "Kosovo", "ICRMW", ""])
def test_anything_else_is_an_error_naming_the_name(name: str) -> None:
    with pytest.raises(UnknownState) as caught:
        resolve_state(name, REPO)
    assert repr(name) in str(caught.value)
    assert "data/reference/state-aliases.csv" in str(caught.value)
    assert caught.value.exit_code == 2


def test_the_normalisations_are_only_the_documented_ones() -> None:
    assert name_key("Iran (Islamic Republic of)") == "islamic republic of iran"
    assert name_key("Iran, Islamic Republic of") == "islamic republic of iran"
    assert name_key("The  Gambia") == "gambia"
    assert name_key("Côte d’Ivoire") == "côte d'ivoire"  # accents are kept
    assert name_key("Slovenia") != name_key("Slovenija")


def test_the_registry_holds_every_un_member_and_observer_once(
        registry: states.Registry) -> None:
    statuses = [s.un_status for s in registry.states]
    assert statuses.count("member") == 193
    assert statuses.count("observer") == 2
    for attribute in ("iri", "alpha2", "alpha3", "un_name"):
        values = [getattr(s, attribute) for s in registry.states]
        assert len(set(values)) == len(values), attribute
    belarus = registry.resolve("Belarus")
    assert (belarus.alpha2, belarus.alpha3, belarus.place) == ("BY", "BLR", ID + "place/belarus")
    assert registry.resolve("State of Palestine").un_status == "observer"


def test_states_ttl_is_current_and_links_state_and_place() -> None:
    assert states.main(["--project", str(REPO), "--check"]) == 0
    graph = rdflib.Graph().parse(REPO / "data" / "reference" / "states.ttl")
    belarus = rdflib.URIRef(ID + "state/belarus")
    assert (belarus, HRG.country, rdflib.URIRef(ID + "place/belarus")) in graph
    assert len(set(graph.subjects(rdflib.RDF.type, HRG.State))) == 195
    united_states = rdflib.URIRef(ID + "organisation/united-states")
    # the reused organisation keeps its own English name; the UN's is another name of it
    assert (united_states, rdflib.SKOS.prefLabel, None) not in graph
    assert (united_states, rdflib.SKOS.altLabel,
            rdflib.Literal("United States of America", lang="en")) in graph
    authorities = rdflib.Graph().parse(REPO / "data" / "actors" / "organisations.ttl")
    assert (rdflib.URIRef(ID + "organisation/belarusian-authorities"),
            rdflib.URIRef("http://www.w3.org/ns/org#subOrganizationOf"), belarus) in authorities


def _copy(tmp_path: Path) -> Path:
    (tmp_path / "data" / "reference").mkdir(parents=True)
    for name in ("un-states.csv", "state-aliases.csv"):
        shutil.copy(REPO / "data" / "reference" / name, tmp_path / "data" / "reference" / name)
    return tmp_path


def test_a_bad_alias_row_names_its_file_and_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    with (root / states.ALIASES_CSV).open("a", encoding="utf-8") as handle:
        handle.write("Ruritania,RUR,invented\n")
    with pytest.raises(InputError) as caught:
        states.build_registry(root, ID)
    assert "state-aliases.csv:10" in str(caught.value)
    assert "'RUR'" in str(caught.value)


def test_a_state_pycountry_lacks_must_be_in_the_alias_table(tmp_path: Path, capsys) -> None:
    root = _copy(tmp_path)
    aliases = root / states.ALIASES_CSV
    aliases.write_text("".join(line for line in aliases.read_text(encoding="utf-8")
                               .splitlines(keepends=True) if not line.startswith("Holy See,")),
                       encoding="utf-8")
    with pytest.raises(InputError) as caught:
        states.build_registry(root, ID)
    assert "'Holy See' names no single ISO 3166-1 country (pycountry lacks it)" in str(
        caught.value)
    assert "un-states.csv:195" in str(caught.value)
    assert states.main(["--project", str(root)]) == 2
    assert "Holy See" in capsys.readouterr().err
