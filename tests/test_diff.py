"""hrgraph.diff and `hrgraph diff`: sentences, the raw delta, exit codes, unlike inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrgraph import export as exports
from hrgraph.cli import main
from hrgraph.diff import diff
from hrgraph.project import Project
from hrgraph.store import open_store

HRG = "https://w3id.org/hrgraph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
DEMAND = "https://w3id.org/hrgraph/id/demand/concerted-position-2016-c1-1-1"
ASSESSMENT = "<https://w3id.org/hrgraph/id/assessment/test-2019-07-19>"
ALESIN = "<https://w3id.org/hrgraph/id/person/aliaksandr-alesin>"
NEW_PERSON = "<https://w3id.org/hrgraph/id/person/new-person>"

CHANGES = [
    f"{ASSESSMENT} {TYPE} <{HRG}Assessment> .",
    f"{ASSESSMENT} <{HRG}assessedDemand> <{DEMAND}> .",
    f"{ASSESSMENT} <{HRG}status> <https://w3id.org/hrgraph/vocab/status/not-met> .",
    f'{ASSESSMENT} <{HRG}periodStart> "2019-07-19"^^<{XSD}date> .',
    f"{ASSESSMENT} <{HRG}evidence> <https://example.org/news/1> .",
    f"{NEW_PERSON} {TYPE} <http://xmlns.com/foaf/0.1/Person> .",
    f'{NEW_PERSON} <http://www.w3.org/2004/02/skos/core#prefLabel> "Nina Novak"@en .',
]


@pytest.fixture(scope="module")
def exports_dir(built_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """old.nt (the real export) and new.nt (a new assessment and person, Alesin removed)."""
    folder = tmp_path_factory.mktemp("diff")
    store = open_store(built_project, read_only=True)
    old = exports.export(built_project, store, "nt", output=folder / "old.nt").data.decode()
    exports.export(built_project, store, "ttl", output=folder / "old.ttl")
    lines = [line for line in old.splitlines() if not line.startswith(ALESIN + " ")]
    (folder / "new.nt").write_text("\n".join(lines + CHANGES) + "\n", encoding="utf-8")
    return folder


def test_a_new_assessment_is_told_as_the_demand_s_status_change(exports_dir: Path) -> None:
    text = diff(exports_dir / "old.nt", exports_dir / "new.nt").to_text()
    assert (f"Demand “Renew the mandate of the UN Special Rapporteur on the situation of human "
            f"rights in Belarus” <{DEMAND}>: status changed from met to not met on 2019-07-19, "
            "source https://example.org/news/1\n") in text


def test_added_and_removed_people_are_named(exports_dir: Path) -> None:
    text = diff(exports_dir / "old.nt", exports_dir / "new.nt").to_text()
    assert f"Added person “Nina Novak” {NEW_PERSON}\n" in text
    assert f"Removed person “Aliaksandr Alesin” {ALESIN}\n" in text
    assert text.splitlines()[0].startswith("Demand ")  # demands come first
    assert text.endswith(" removed.\n")


def test_the_raw_delta_lists_removed_then_added_triples(exports_dir: Path) -> None:
    lines = diff(exports_dir / "old.nt", exports_dir / "new.nt").to_nt().splitlines()
    assert sorted(line[2:] for line in lines if line.startswith("+ ")) == sorted(CHANGES)
    removed = [line for line in lines if line.startswith("- ")]
    assert removed and all(line.startswith(f"- {ALESIN} ") for line in removed)
    assert lines == [line for line in lines if line.startswith("- ")] + [
        line for line in lines if line.startswith("+ ")]


def test_exit_codes_are_like_git_diff(cli, exports_dir: Path) -> None:
    old, new = str(exports_dir / "old.nt"), str(exports_dir / "new.nt")
    assert cli.invoke(main, ["diff", old, new]).exit_code == 0
    assert cli.invoke(main, ["diff", old, new, "--exit-code"]).exit_code == 1
    same = cli.invoke(main, ["diff", old, old, "--exit-code"])
    assert same.exit_code == 0 and same.stdout == "No changes.\n"
    raw = cli.invoke(main, ["diff", old, new, "--format", "nt"])
    assert raw.exit_code == 0 and raw.stdout.startswith(f"- {ALESIN} ")


def test_different_formats_or_a_file_and_a_folder_are_a_usage_error(cli,
                                                                     exports_dir: Path) -> None:
    result = cli.invoke(main, ["diff", str(exports_dir / "old.ttl"), str(exports_dir / "new.nt")])
    assert result.exit_code == 2
    assert "cannot compare old.ttl (ttl) with new.nt (nt)" in result.stderr
    result = cli.invoke(main, ["diff", str(exports_dir), str(exports_dir / "new.nt")])
    assert result.exit_code == 2
    result = cli.invoke(main, ["diff", str(exports_dir / "missing.nt"),
                               str(exports_dir / "new.nt")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_the_same_graph_in_two_formats_of_a_kind_has_no_changes(exports_dir: Path,
                                                                tmp_path: Path) -> None:
    copy = tmp_path / "copy.ttl"
    copy.write_bytes((exports_dir / "old.ttl").read_bytes())
    assert not diff(exports_dir / "old.ttl", copy).changed
