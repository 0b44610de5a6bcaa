"""The template's sheets beyond the first four (hrgraph.spreadsheet_model) and quotes located in
their text (hrgraph.quotes).

A row of each sheet re-enters, under a new id, a resource the curated data already has; the
triples it gives must be the curated ones with the new IRIs. Bad rows are errors naming sheet,
row and column; quotes are found across line breaks, and a missing one shows the closest
passage; import → export → import is lossless.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from hrgraph import spreadsheet
from hrgraph import store as stores
from hrgraph.errors import InputError
from hrgraph.project import Project
from hrgraph.quotes import QuoteAmbiguous, QuoteNotFound, locate_quote
from test_spreadsheet import read, rows

ID = "https://w3id.org/hrgraph/id/"
HRG = "https://w3id.org/hrgraph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"


@pytest.fixture
def base(built_project: Project) -> Project:
    """The session's built project (read-only use)."""
    return built_project


def contribution(project: Project, tmp_path: Path, name: str = "in",
                 **sheets: list[dict[str, str]]) -> spreadsheet.Contribution:
    path = tmp_path / name
    spreadsheet.write_template(path, rows(**sheets))
    return read(project, path)


def fails(project: Project, tmp_path: Path, *expected: str, **sheets) -> str:
    with pytest.raises(InputError) as caught:
        contribution(project, tmp_path, **sheets)
    text = str(caught.value)
    for part in expected:
        assert part in text, text
    return text


def curated(project: Project, subjects: dict[str, str],
            objects: dict[str, str] | None = None) -> set[ox.Triple]:
    """The stored (asserted) triples of ``subjects``, each renamed to its new IRI (and objects
    renamed by ``subjects`` and ``objects``)."""
    store = stores.open_store(project, read_only=True)
    inferred = project.graph_base + "inferred"
    rename = {ox.NamedNode(old): ox.NamedNode(new)
              for old, new in {**subjects, **(objects or {})}.items()}
    found = set()
    for old in subjects:
        for q in store.quads_for_pattern(ox.NamedNode(old), None, None):
            if q.graph_name.value == inferred:
                continue
            found.add(ox.Triple(rename[q.subject], q.predicate, rename.get(q.object, q.object)))
    del store
    return found


def about(sheet: spreadsheet.Contribution, *subjects: str) -> set[ox.Triple]:
    return {t for t in sheet.triples if t.subject.value in subjects}


# --- each sheet maps as the curated data does ----------------------------------------------------

MECHANISM = {
    "id": "t-sr-belarus", "kind": "mandate",
    "name": "mandate of the United Nations Special Rapporteur on the situation of human "
            "rights in Belarus", "name language": "en",
    "other names": "UN Special Rapporteur on the situation of human rights in Belarus@en; "
                   "Special Rapporteur on Belarus@en",
    "definition": "The UN Human Rights Council's country mandate on Belarus, created in 2012 "
                  "and renewed by resolution.",
    "operated by": "organisation:un-human-rights-council", "established on": "2012-07-05",
    "established by resolution": "20/13", "topics": "UN human-rights mechanisms",
    "source": "https://humanrightshouse.org/articles/concerted-position-on-international-"
              "partners-relations-with-belarus/; https://humanrightshouse.org/?p=10143",
}


def test_a_mechanism_row_is_what_mechanisms_ttl_says(base: Project, tmp_path: Path) -> None:
    new = ID + "mechanism/t-sr-belarus"
    sheet = contribution(base, tmp_path, mechanisms=[MECHANISM])
    assert about(sheet, new) == curated(base, {ID + "mechanism/un-special-rapporteur-belarus":
                                               new})
    assert sheet.locations[new] == spreadsheet.Location("mechanisms", 2)


PROVISION = {
    "id": "t-cc-193-1", "kind": "article", "name": "Article 193.1 of the Criminal Code",
    "name language": "en",
    "other names": "Article 193-1 of the Criminal Code@en; Art. 193.1 CC@en",
    "definition": "Criminal liability for organising or taking part in the activity of a public "
                  "association, religious organisation or foundation that is not registered.",
    "official title": "Illegal organisation of the activity of a public association, religious "
                      "organisation or foundation, or participation in their activity@en",
    "article": "193.1", "part of": "the Criminal Code", "jurisdiction": "Belarus",
    "introduced by": "legal:belarus-law-71-z-2005",
    "topics": "topic:unregistered-organisations-law",
    "source": "https://humanrightshouse.org/articles/concerted-position-on-international-"
              "partners-relations-with-belarus/; "
              "https://old.belhelcom.org/en/document/belarus-cc-193-1-expert-opinion",
}


def test_provision_rows_are_what_provisions_ttl_says(base: Project, tmp_path: Path) -> None:
    """An article of a code (by the code's other name), a code, and a law, as data/legal/."""
    code = {"id": "t-code", "kind": "code", "name": "Criminal Code of the Republic of Belarus",
            "name language": "en", "other names": "the Criminal Code@en",
            "definition": "The criminal code in force in Belarus.", "jurisdiction": "Belarus",
            "source": "https://humanrightshouse.org/articles/concerted-position-on-"
                      "international-partners-relations-with-belarus/"}
    law = {"id": "t-law", "kind": "law", "name": "Law No. 71-З of 15 December 2005",
           "name language": "en", "definition": "The Belarusian law that introduced Article "
           "193.1 into the Criminal Code.", "law number": "71-З", "date": "2005-12-15",
           "jurisdiction": "place:belarus",
           "source": "https://old.belhelcom.org/en/document/belarus-cc-193-1-expert-opinion"}
    article = ID + "legal/t-cc-193-1"
    sheet = contribution(base, tmp_path, provisions=[PROVISION, code, law])
    assert about(sheet, article) == curated(
        base, {ID + "legal/belarus-criminal-code-article-193-1": article})
    assert about(sheet, ID + "legal/t-code") == curated(
        base, {ID + "legal/belarus-criminal-code": ID + "legal/t-code"})
    assert about(sheet, ID + "legal/t-law") == curated(
        base, {ID + "legal/belarus-law-71-z-2005": ID + "legal/t-law"})


def test_a_role_row_with_its_quote_located_is_the_curated_claim(base: Project,
                                                                 tmp_path: Path) -> None:
    """Marfa Rabkova, human-rights defender of Viasna: the quote is located in the stored copy
    of the page that quotes the document, and the computed context is the curated one."""
    new = ID + "role-claim/t-rabkova-hrd"
    sheet = contribution(base, tmp_path, roles=[{
        "id": "t-rabkova-hrd", "holder": "Марфа Рабкова", "role": "human-rights activist",
        "role in": "Вясна", "document": "document:rabkova-release-2020",
        "quote": "праваабаронцы ПЦ “Вясна”", "quote language": "be"}])
    quote = ID + "quote/role-claim-t-rabkova-hrd"
    old_quote = ID + "quote/concerted-position-2016-role-marfa-rabkova-human-rights-defender"
    assert about(sheet, new, quote, quote + "-selector") == curated(base, {
        ID + "role-claim/marfa-rabkova-human-rights-defender-2020": new,
        old_quote: quote, old_quote + "-selector": quote + "-selector"})


def test_a_signature_row_is_the_curated_signature(base: Project, tmp_path: Path) -> None:
    new = ID + "signature/t-viasna"
    sheet = contribution(base, tmp_path, signatures=[{
        "id": "t-viasna", "document": "document:concerted-position-2016", "signer": "Viasna",
        "order": "6", "quote": "Human Rights Center Viasna", "quote language": "en"}])
    quote = ID + "quote/signature-t-viasna"
    old_quote = ID + "quote/concerted-position-2016-signature-viasna"
    assert about(sheet, new, quote, quote + "-selector") == curated(base, {
        ID + "signature/concerted-position-2016-viasna": new,
        old_quote: quote, old_quote + "-selector": quote + "-selector"})
    # the signed document lists the signer, as the signatoryLink shape asks
    assert ox.Triple(ox.NamedNode(ID + "document/concerted-position-2016"),
                     ox.NamedNode(HRG + "signatory"),
                     ox.NamedNode(ID + "organisation/viasna")) in sheet.triples


def test_an_event_row_is_the_curated_event(base: Project, tmp_path: Path) -> None:
    new = ID + "event/t-renewal-2015"
    sheet = contribution(base, tmp_path, events=[{
        "id": "t-renewal-2015", "type": "mandate renewal",
        "label": "UN Human Rights Council renews the mandate of the Special Rapporteur on "
                 "Belarus (resolution 29/17)", "label language": "en",
        "involves": "Special Rapporteur on Belarus; organisation:un-human-rights-council",
        "date or period": "2015-07-02", "reference number": "29/17",
        "evidence": "https://right-docs.org/doc/a-hrc-res-29-17"}])
    assert about(sheet, new) == curated(
        base, {ID + "event/un-sr-belarus-mandate-renewed-2015-07-02": new})


def test_prefixes_in_cells_mean_what_they_mean_in_data(base: Project, tmp_path: Path) -> None:
    # event: is the event-type vocabulary and evt: an event, as data/history/events.ttl writes them
    sheet = contribution(base, tmp_path, events=[{
        "id": "t-renewal-2015", "type": "event:mandate-renewal",
        "label": "UN Human Rights Council renews the mandate of the Special Rapporteur on "
                 "Belarus (resolution 29/17)", "label language": "en",
        "involves": "mechanism:un-special-rapporteur-belarus",
        "date or period": "2015-07-02", "reference number": "29/17",
        "evidence": "https://right-docs.org/doc/a-hrc-res-29-17"}])
    types = {t.object.value for t in sheet.triples
             if t.subject.value == ID + "event/t-renewal-2015"
             and t.predicate.value == base.ontology_ns + "eventType"}
    assert types == {base.vocab_base + "event-type/mandate-renewal"}


def test_a_publication_row_is_the_curated_second_copy(base: Project, tmp_path: Path) -> None:
    """A second copy (another English translation) of an existing document, as the curated
    BAJ copy of the joint position."""
    new = ID + "publication/t-baj"
    sheet = contribution(base, tmp_path, publications=[{
        "id": "t-baj", "document": "document:joint-position-eu-belarus-dialogue",
        "source URL": "https://baj.media/?p=140909", "language": "en",
        "title": "Common position of Belarusian human rights defenders ahead of the next round "
                 "of the EU-Belarus human rights dialogue",
        "publisher": "Belarusian Association of Journalists",
        "note": "Another English translation of the same statement; its text is not stored in "
                "the project.@en"}])
    document = ID + "document/joint-position-eu-belarus-dialogue"
    assert about(sheet, new) == curated(
        base, {ID + "publication/joint-position-eu-belarus-dialogue-baj": new})
    assert about(sheet, document) == {ox.Triple(ox.NamedNode(document),
                                                ox.NamedNode(HRG + "hasPublication"),
                                                ox.NamedNode(new))}


def test_mentions_affiliations_and_names(base: Project, tmp_path: Path) -> None:
    group = {"id": "t-belsat", "kind": "group", "name": "test journalists of Belsat",
             "name language": "en"}
    sheet = contribution(
        base, tmp_path, actors=[group],
        mentions=[{"document": "document:joint-position-eu-belarus-dialogue",
                   "mentions": "UPR; Article 193.1 of the Criminal Code"}],
        affiliations=[{"group": "t-belsat", "organisation": "Belsat TV"}],
        names=[{"entity": "Марфа Рабкова", "name": "Marfa Rabkova-Zharomskaya",
                "name language": "en"},
               {"entity": "Виасна", "name": "Viasna Human Rights Centre", "name language": "en"},
               {"entity": "Special Rapporteur on Belarus", "name": "Спецыяльны дакладчык па "
                "Беларусі", "name language": "be", "preferred": "yes"},
               {"entity": "document:joint-position-eu-belarus-dialogue",
                "name": "Супольная пазіцыя", "name language": "be", "preferred": "yes"}])
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in sheet.triples}
    doc = ID + "document/joint-position-eu-belarus-dialogue"
    assert (doc, HRG + "mentions", ID + "mechanism/universal-periodic-review") in triples
    assert (doc, HRG + "mentions", ID + "legal/belarus-criminal-code-article-193-1") in triples
    assert (ID + "group/t-belsat", HRG + "affiliatedWith", ID + "organisation/belsat-tv") \
        in triples
    assert ox.Triple(ox.NamedNode(ID + "person/marfa-rabkova"), ox.NamedNode(SKOS + "altLabel"),
                     ox.Literal("Marfa Rabkova-Zharomskaya", language="en")) in sheet.triples
    assert (ID + "mechanism/un-special-rapporteur-belarus", SKOS + "prefLabel",
            "Спецыяльны дакладчык па Беларусі") in triples
    assert (doc, "http://purl.org/dc/terms/title", "Супольная пазіцыя") in triples


def test_names_merge_through_the_contribution_checks(built_copy: Project, tmp_path: Path) -> None:
    """Another name for an existing person passes "a contribution only adds"."""
    from hrgraph.contribute import add_contribution

    path = tmp_path / "names"
    spreadsheet.write_template(path, rows(names=[
        {"entity": "Марфа Рабкова", "name": "Marfa Rabkova-Zharomskaya", "name language": "en"},
        {"entity": "Special Rapporteur on Belarus", "name": "Спецыяльны дакладчык па Беларусі",
         "name language": "be", "preferred": "yes"}]))
    result = add_contribution(built_copy, path, dry_run=True)
    assert result.report.conforms, result.report.to_text()


# --- bad rows -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sheets", "expected"), [
    ({"mechanisms": [{**MECHANISM, "kind": "committee"}]},
     ("sheet 'mechanisms', row 2, column 'kind'", "write mandate, dialogue")),
    ({"mechanisms": [{**MECHANISM, "parties": "Viasna"}]},
     ("column 'parties'", "only a dialogue has parties")),
    ({"mechanisms": [{**MECHANISM, "operated by": "Марфа Рабкова"}]},
     ("column 'operated by'", "no organisation named")),
    ({"provisions": [{**PROVISION, "kind": "code"}]},
     ("sheet 'provisions', row 2, column 'article'", "only a provision of kind article")),
    ({"provisions": [{**PROVISION, "jurisdiction": "Atlantis"}]},
     ("column 'jurisdiction'", "no country named 'Atlantis'")),
    ({"provisions": [{**PROVISION, "official title": "no language"}]},
     ("column 'official title'", "with its language")),
    ({"roles": [{"id": "t-r", "holder": "Марфа Рабкова", "role": "astronaut",
                 "document": "document:rabkova-release-2020"}]},
     ("sheet 'roles', row 2, column 'role'", "not a label of the role vocabulary")),
    ({"roles": [{"id": "t-r", "holder": "Марфа Рабкова", "role": "journalist",
                 "document": "document:joint-position-eu-belarus-dialogue"}]},
     ("column 'as of'", "the document has no date")),
    ({"roles": [{"id": "t-r", "holder": "Марфа Рабкова", "role": "journalist",
                 "document": "document:rabkova-release-2020", "quote": "палітзняволенай"}]},
     ("column 'quote language'", "give the language code")),
    ({"signatures": [{"id": "t-s", "document": "no such statement", "signer": "Viasna"}]},
     ("sheet 'signatures', row 2, column 'document'", "no document named")),
    ({"signatures": [{"id": "t-s", "document": "document:concerted-position-2016",
                      "signer": "Viasna", "order": "first"}]},
     ("column 'order'", "not a whole number")),
    ({"events": [{"id": "t-e", "type": "release", "label": "x", "label language": "en",
                  "involves": "Марфа Рабкова", "date or period": "2024",
                  "evidence": "https://example.org/new-source"}]},
     ("sheet 'events', row 2, column 'evidence'", "give its evidence quality")),
    ({"events": [{"id": "t-e", "type": "release", "label": "x", "label language": "en",
                  "involves": "Марфа Рабкова", "date or period": "last year",
                  "evidence": "https://example.org/e (news media)"}]},
     ("column 'date or period'", "is not a date")),
    ({"affiliations": [{"group": "Марфа Рабкова", "organisation": "Viasna"}]},
     ("sheet 'affiliations', row 2, column 'group'", "role claim")),
    ({"mentions": [{"document": "document:concerted-position-2016", "mentions": "Nobody Atall"}]},
     ("sheet 'mentions', row 2, column 'mentions'",
      "add it to the actors, mechanisms or provisions sheet")),
    ({"names": [{"entity": "Марфа Рабкова", "name": "Marfa R.", "name language": "en",
                 "preferred": "yes"}]},
     ("sheet 'names', row 2, column 'preferred'", "has a preferred name in en already")),
    ({"publications": [{"id": "t-p", "document": "document:concerted-position-2016",
                        "source URL": "not a url", "language": "en"}]},
     ("sheet 'publications', row 2, column 'source URL'", "not an http(s) URL")),
    ({"publications": [{"id": "t-p", "document": "document:concerted-position-2016",
                        "source URL": "https://example.org/p", "language": "en",
                        "text file": "../../etc/passwd"}]},
     ("column 'text file'", "give data/sources/NAME.txt")),
    ({"texts": [{"id": "t-t", "text": "Some text.", "source URL": "https://example.org/none"}]},
     ("sheet 'texts', row 2, column 'source URL'", "no publication has the URL")),
])
def test_bad_rows_name_sheet_row_and_column(base: Project, tmp_path: Path, sheets,
                                            expected) -> None:
    fails(base, tmp_path, *expected, **sheets)


DOCUMENT = {"id": "t-doc", "title": "A test statement", "date": "2021-03-24", "language": "en",
            "source URL": "https://example.org/t-doc", "text file": "t-doc-text"}
TEXT = ("We welcome the resolution. In so doing, the Council demonstrated its\n"
        "determination to hold Belarusian authorities to account. This mandate needs immediate "
        "action.\n- Ensure that this new mandate is sufficiently funded.\n")
DEMAND = {"id": "t-doc-1", "document": "t-doc", "action": "fund", "quote language": "en",
          "quote": "Ensure that this new mandate is sufficiently funded.",
          "actor asked to act": "United Nations", "targets": "t-mandate; Special Rapporteur "
          "on Belarus; t-article"}
NEW_MANDATE = {"id": "t-mandate", "kind": "mandate", "name": "test accountability mandate",
               "name language": "en", "operated by": "United Nations"}
NEW_ARTICLE = {"id": "t-article", "kind": "article", "name": "Part 3 of Article 293 (test)",
               "name language": "en", "article": "293", "part of": "the Criminal Code",
               "jurisdiction": "Belarus"}


def test_targets_take_mechanisms_and_provisions(base: Project, tmp_path: Path) -> None:
    sheet = contribution(base, tmp_path, documents=[DOCUMENT], demands=[DEMAND],
                         mechanisms=[NEW_MANDATE], provisions=[NEW_ARTICLE],
                         texts=[{"id": "t-doc-text", "text": TEXT}])
    demand = ID + "demand/t-doc-1"
    triples = {(t.predicate.value, t.object.value) for t in about(sheet, demand)}
    assert (HRG + "concernsMechanism", ID + "mechanism/t-mandate") in triples
    assert (HRG + "concernsMechanism", ID + "mechanism/un-special-rapporteur-belarus") in triples
    assert (HRG + "concernsLegalProvision", ID + "legal/t-article") in triples


def test_a_new_law_as_a_target_is_a_legal_provision(base: Project, tmp_path: Path) -> None:
    # regression: a law of the provisions sheet was only an eli:LegalResource, so a demand
    # targeting it got the generic hrg:concerns (the UK's 2025 UPR statement, on the Mass
    # Events Act)
    law = {"id": "t-law", "kind": "law", "name": "Law on Test Events (1997)",
           "name language": "en", "jurisdiction": "Belarus"}
    sheet = contribution(base, tmp_path, documents=[DOCUMENT],
                         demands=[{**DEMAND, "targets": "t-law"}], mechanisms=[NEW_MANDATE],
                         provisions=[law], texts=[{"id": "t-doc-text", "text": TEXT}])
    triples = {(t.predicate.value, t.object.value) for t in about(sheet, ID + "demand/t-doc-1")}
    assert (HRG + "concernsLegalProvision", ID + "legal/t-law") in triples
    assert (HRG + "concerns", ID + "legal/t-law") not in triples
    assert {t.object.value for t in about(sheet, ID + "legal/t-law")
            if t.predicate.value.endswith("22-rdf-syntax-ns#type")} >= {HRG + "LegalProvision",
                                                  "http://data.europa.eu/eli/ontology#LegalResource"}


# --- quotes located in their text -----------------------------------------------------------------


def selector(sheet: spreadsheet.Contribution, quote: str) -> dict[str, str]:
    return {t.predicate.value.removeprefix(OA): t.object.value for t in sheet.triples
            if t.subject.value == quote + "-selector" and t.predicate.value.startswith(OA)}


def test_a_quote_across_a_line_break_keeps_the_texts_characters(base: Project,
                                                                 tmp_path: Path) -> None:
    typed = "the Council demonstrated its determination to hold Belarusian authorities"
    sheet = contribution(base, tmp_path, documents=[DOCUMENT],
                         demands=[{**DEMAND, "quote": typed}],
                         mechanisms=[NEW_MANDATE], provisions=[NEW_ARTICLE],
                         texts=[{"id": "t-doc-text", "text": TEXT}])
    found = selector(sheet, ID + "quote/t-doc-1")
    exact = "the Council demonstrated its\ndetermination to hold Belarusian authorities"
    assert found["exact"] == exact
    start = TEXT.index(exact)
    assert found["prefix"] == TEXT[start - 32:start] == "me the resolution. In so doing, "
    assert found["suffix"] == TEXT[start + len(exact):][:32]
    assert TEXT.count(found["prefix"] + exact + found["suffix"]) == 1
    assert ox.Triple(ox.NamedNode(ID + "demand/t-doc-1"), ox.NamedNode(HRG + "quote"),
                     ox.Literal(exact, language="en")) in sheet.triples


def test_a_missing_quote_shows_the_closest_passage(base: Project, tmp_path: Path) -> None:
    text = fails(base, tmp_path, "sheet 'demands', row 2, column 'quote'",
                 "the quote is not in the texts sheet's row 2 (t-doc-text)",
                 "this new mandate is sufficiently funded.'",
                 documents=[DOCUMENT],
                 demands=[{**DEMAND, "quote": "Ensure that the new mandate is fully funded."}],
                 mechanisms=[NEW_MANDATE], provisions=[NEW_ARTICLE],
                 texts=[{"id": "t-doc-text", "text": TEXT}])
    assert "% alike" in text


def test_quotes_in_a_stored_copy_of_an_existing_publication(base: Project,
                                                             tmp_path: Path) -> None:
    """quoted from names an existing publication: its data/sources/ copy is searched."""
    sheet = contribution(base, tmp_path, roles=[{
        "id": "t-alesin", "holder": "Aliaksandr Alesin", "role": "journalist",
        "document": "document:open-letter-2015-12-09", "quote": "journalist Aliaksandr Alesin",
        "quote language": "en", "quoted from": "publication:open-letter-2015-12-09-hrhf"}])
    quote = ID + "quote/role-claim-t-alesin"
    assert ox.Triple(ox.NamedNode(quote), ox.NamedNode(OA + "hasSource"), ox.NamedNode(
        ID + "publication/open-letter-2015-12-09-hrhf")) in sheet.triples
    assert selector(sheet, quote)["prefix"]  # located: the context is computed


def test_texts_beside_the_csv_files_and_inside_a_zip(base: Project, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    spreadsheet.write_template(folder, rows(
        documents=[{**DOCUMENT, "text file": "statement.txt"}], demands=[DEMAND],
        mechanisms=[NEW_MANDATE], provisions=[NEW_ARTICLE]))
    (folder / "statement.txt").write_text("Title: test\nSource: x\n---\n" + TEXT)
    first = selector(read(base, folder), ID + "quote/t-doc-1")
    assert first["exact"] == DEMAND["quote"] and first["suffix"] == "\n"
    archive = tmp_path / "in.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(folder.iterdir()):
            z.write(p, p.name)
    assert selector(read(base, archive), ID + "quote/t-doc-1") == first
    (folder / "statement.txt").unlink()
    (folder / "statement.txt").symlink_to(tmp_path / "in.zip")
    with pytest.raises(InputError, match="not a plain file"):
        read(base, folder)
    # a workbook never reads the files next to it
    spreadsheet.write_template(folder / "book.xlsx", rows(
        documents=[{**DOCUMENT, "text file": "statement.txt"}]))
    (folder / "statement.txt").unlink()
    (folder / "statement.txt").write_text(TEXT)
    with pytest.raises(InputError, match=r"column 'text file'.*a workbook carries its texts"):
        read(base, folder / "book.xlsx")


def test_locate_quote_by_itself() -> None:
    text = "A b c. Free them. X y z. Free them. End."
    with pytest.raises(QuoteAmbiguous, match="occurs 2 times"):
        locate_quote(text, "Free them.")
    second = locate_quote(text, "Free them.", prefix="X y z.")
    assert (second.start, second.prefix) == (25, "A b c. Free them. X y z. ")
    assert locate_quote(text, "A  b\nc.").prefix is None  # at the start: no prefix
    assert locate_quote("partners’ relations", "partners' relations").exact == \
        "partners’ relations"
    with pytest.raises(QuoteNotFound) as caught:
        locate_quote(text, "Free all of them.")
    assert caught.value.closest and caught.value.score > 50
    with pytest.raises(QuoteNotFound, match="not with the prefix/suffix given"):
        locate_quote(text, "Free them.", suffix="Nothing")


# --- round trip -----------------------------------------------------------------------------------


def test_a_document_of_unknown_date_and_a_demand_with_its_maker(base: Project,
                                                                tmp_path: Path) -> None:
    # what the fifteen documents of 2012-2025 needed Turtle for: a text that states no date
    # (hrg:dateUnknown, never a guess) and a state speaking for itself (hrg:madeBy)
    sheet = contribution(base, tmp_path, documents=[{**DOCUMENT, "date": "unknown"}],
                         demands=[{**DEMAND, "made by": "Norway", "targets": ""}],
                         texts=[{"id": "t-doc-text", "text": TEXT}])
    document = {(t.predicate.value, t.object.value) for t in about(sheet, ID + "document/t-doc")}
    assert (HRG + "dateUnknown", "true") in document
    assert not {p for p, _ in document} & {"http://purl.org/dc/terms/date",
                                           HRG + "earliestDate", HRG + "latestDate"}
    demand = {(t.predicate.value, t.object.value) for t in about(sheet, ID + "demand/t-doc-1")}
    assert (HRG + "madeBy", ID + "state/norway") in demand
    fails(base, tmp_path, "sheet 'documents', row 2, column 'date'", "is not a date",
          documents=[{**DOCUMENT, "date": "sometime"}], demands=[DEMAND],
          texts=[{"id": "t-doc-text", "text": TEXT}])


@pytest.mark.parametrize("target", ["out.xlsx", "out.zip", "out-csv"])
def test_round_trip_of_every_sheet(base: Project, tmp_path: Path, target: str) -> None:
    """import → export → import gives the same triples, with a row in every sheet; the texts
    sheet is not exported (not in the graph): the quote columns keep the computed context."""
    first = contribution(
        base, tmp_path, documents=[DOCUMENT],
        demands=[{**DEMAND, "made by": "Norway; Viasna"}], mechanisms=[
            NEW_MANDATE, {**MECHANISM, "id": "t-dialogue", "kind": "dialogue",
                          "name": "test dialogue", "other names": "a dialogue@en",
                          "parties": "Viasna; organisation:european-union"}],
        provisions=[NEW_ARTICLE, {**PROVISION, "part of": "t-code"},
                    {"id": "t-code", "kind": "code", "name": "test code", "name language": "en",
                     "jurisdiction": "Belarus", "scope note": "A test.@en"}],
        texts=[{"id": "t-doc-text", "text": TEXT}],
        actors=[{"id": "t-group", "kind": "group", "name": "test group", "name language": "en"}],
        roles=[{"id": "t-role", "holder": "Марфа Рабкова", "role": "political prisoner",
                "document": "t-doc", "quote": "This mandate", "quote language": "en",
                "quoted from": "t-doc-text"}],
        signatures=[{"id": "t-sig", "document": "t-doc", "signer": "Viasna", "order": "1"}],
        mentions=[{"document": "t-doc", "mentions": "UPR; t-article"}],
        affiliations=[{"group": "t-group", "organisation": "Viasna; Belsat TV"}],
        events=[{"id": "t-event", "type": "mandate renewal", "label": "renewed",
                 "label language": "en", "involves": "t-mandate", "note": "Renewed.",
                 "note language": "en", "date or period": "2022-03/2022-04",
                 "reference number": "49/26", "evidence": "https://example.org/e (news media)"}],
        assessments=[{"id": "t-ass", "demand": "t-doc-1", "status": "not met",
                      "date or period": "2023/", "evidence date": "2024-05",
                      "note": "No.", "note language": "en",
                      "evidence": "https://example.org/e", "assessed by": "Viasna",
                      "related events": "t-event; evt:un-sr-belarus-mandate-renewed-2015-07-02"}],
        publications=[{"id": "t-pub-be", "document": "t-doc", "language": "be",
                       "source URL": "https://example.org/t-doc-be", "title": "Тэставая заява",
                       "publisher": "Viasna", "issued": "2021-03-25", "partial": "yes",
                       "note": "A translation.@en", "text file": "data/sources/nothing.txt"}],
        names=[{"entity": "Марфа Рабкова", "name": "Marfa R.", "name language": "en"},
               {"entity": "document:concerted-position-2016", "name": "Узгодненая пазіцыя",
                "name language": "be", "preferred": "yes"}])
    out = tmp_path / target
    done = spreadsheet.export_template(base, first.triples, out)
    assert done.left_out == []
    assert all(done.rows[sheet] for sheet in spreadsheet.SHEETS if sheet != "texts"), done.rows
    second = read(base, out)
    assert set(first.triples) == set(second.triples)


def test_the_column_table_of_the_docs_names_every_column() -> None:
    """docs/contributing.md's column table has every sheet and column of the template."""
    from conftest import REPO

    documented: dict[str, set[str]] = {}
    sheet = None
    for line in (REPO / "docs" / "contributing.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| ") or len(cells) != 4 or cells[0] == "sheet":
            continue
        sheet = cells[0] or sheet
        documented.setdefault(sheet, set()).update(
            name.strip() for name in cells[1].replace("*", "").split(","))
    for name, columns in spreadsheet.SHEETS.items():
        assert {c.name for c in columns} <= documented.get(name, set()), name
