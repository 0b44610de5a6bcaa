"""The hrgraph command: output, exit codes, one-line errors, and an unchanged store on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CONTEXT
from hrgraph.cli import main
from hrgraph.project import Project
from hrgraph.store import dump_nquads, open_store


def run(cli: CliRunner, project: Project, *args: str):
    return cli.invoke(main, ["--project", str(project.root), "--store", str(project.store_path),
                             *args])


def hrgraph(project: Project, *args: str) -> subprocess.CompletedProcess:
    """Run the command in a separate process, as a user would."""
    env = {**os.environ, "HRGRAPH_STORE": str(project.store_path)}
    return subprocess.run([sys.executable, "-m", "hrgraph", "--project", str(project.root),
                           *args], capture_output=True, text=True, timeout=120, env=env)


def dump(project: Project) -> bytes:
    return dump_nquads(open_store(project, read_only=True))


@pytest.fixture
def built_mini(cli: CliRunner, mini_project: Project) -> Project:
    result = run(cli, mini_project, "--quiet", "build")
    assert result.exit_code == 0, result.output
    return mini_project


def test_build_prints_a_summary_and_progress(cli: CliRunner, mini_project: Project) -> None:
    result = run(cli, mini_project, "build")
    assert result.exit_code == 0, result.stderr
    assert "demands: 1, actors: 2, documents: 1" in result.stdout
    assert "validation:" in result.stdout
    assert "… parsing 4 files" in result.stderr


def test_quiet_prints_no_progress(cli: CliRunner, mini_project: Project) -> None:
    result = run(cli, mini_project, "--quiet", "build")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_stats(cli: CliRunner, built_mini: Project) -> None:
    result = run(cli, built_mini, "stats")
    assert result.exit_code == 0, result.stderr
    assert "hrg:Demand" in result.stdout and "data/demands" in result.stdout
    counts = json.loads(run(cli, built_mini, "stats", "--json").stdout)
    assert counts["classes"]["http://xmlns.com/foaf/0.1/Agent"] == 2


def test_stats_without_a_store_exits_3(cli: CliRunner, mini_project: Project) -> None:
    result = run(cli, mini_project, "stats")
    assert result.exit_code == 3
    assert "hrgraph build" in result.stderr


def test_store_from_the_environment(cli: CliRunner, mini_project: Project, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere"
    result = cli.invoke(main, ["--project", str(mini_project.root), "--quiet", "build"],
                        env={"HRGRAPH_STORE": str(elsewhere)})
    assert result.exit_code == 0, result.stderr
    assert (elsewhere / "CURRENT").is_file()


def test_version(cli: CliRunner) -> None:
    result = cli.invoke(main, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("hrgraph, version ")


@pytest.mark.parametrize("command", ["build", "stats", "validate", "query"])
def test_every_help_has_examples(cli: CliRunner, command: str) -> None:
    result = cli.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and f"hrgraph {command}" in result.stdout


# --- bad input: one line on stderr, exit 2, the store unchanged -------------------------------


def add(project: Project, name: str, text: str) -> Path:
    path = project.data_dir / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_INPUTS = {
    "empty.ttl": "",
    "broken.ttl": "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
                  "<http://example.org/s> <http://example.org/p> .\n",
    "bare-context.jsonld": json.dumps({"@context": "context.jsonld", "@id": "http://x/a"}),
    "file-context.jsonld": json.dumps({"@context": "file:///etc/hosts", "@id": "http://x/a"}),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_leaves_the_store_unchanged(cli: CliRunner, built_mini: Project,
                                              name: str) -> None:
    before = dump(built_mini)
    add(built_mini, name, BAD_INPUTS[name])
    result = run(cli, built_mini, "--quiet", "build")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"hrgraph: error: data/{name}")
    assert "Traceback" not in result.stderr
    assert dump(built_mini) == before


def test_syntax_error_names_the_line(cli: CliRunner, built_mini: Project) -> None:
    add(built_mini, "broken.ttl", BAD_INPUTS["broken.ttl"])
    result = run(cli, built_mini, "build")
    assert "data/broken.ttl:2:" in result.stderr


def test_verbose_adds_the_traceback(cli: CliRunner, built_mini: Project) -> None:
    add(built_mini, "empty.ttl", "")
    result = run(cli, built_mini, "--verbose", "build")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("hrgraph: error: data/empty.ttl")


def test_remote_context_is_refused_unless_allowed(cli: CliRunner, built_mini: Project,
                                                  listener) -> None:
    url, requests = listener
    before = dump(built_mini)
    add(built_mini, "remote.jsonld", json.dumps(
        {"@context": url, "@id": "http://example.org/a", "name": "Viasna"}))
    result = run(cli, built_mini, "--quiet", "build")
    assert result.exit_code == 2
    assert "--allow-remote" in result.stderr
    assert requests == []
    assert dump(built_mini) == before

    result = run(cli, built_mini, "--quiet", "--allow-remote", "build")
    assert result.exit_code == 0, result.stderr
    assert requests == ["/context.jsonld"]
    assert CONTEXT["@context"]["name"].encode() in dump(built_mini)


def test_a_locked_store_exits_3_and_stays_unchanged(built_mini: Project) -> None:
    holder = open_store(built_mini)  # held open for writing by this process
    before = dump_nquads(holder)
    add(built_mini, "more.ttl", "<http://example.org/s> <http://example.org/p> 1 .\n")
    done = hrgraph(built_mini, "--quiet", "build")
    assert done.returncode == 3, done.stderr
    assert "in use by another process" in done.stderr
    assert "Traceback" not in done.stderr
    assert dump_nquads(holder) == before
    del holder


def test_an_unwritable_store_exits_3(cli: CliRunner, mini_project: Project, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = cli.invoke(main, ["--project", str(mini_project.root), "--store",
                               str(blocker / "store"), "--quiet", "build"])
    assert result.exit_code == 3
    assert "cannot write the store" in result.stderr


def test_billion_laughs_is_refused_by_the_command(built_mini: Project) -> None:
    from test_guard_input import RDF_HEAD, billion_laughs

    (built_mini.data_dir / "laughs.rdf").write_text(RDF_HEAD + billion_laughs())
    done = hrgraph(built_mini, "--quiet", "build")
    assert done.returncode == 2
    assert "refused" in done.stderr


# --- validate and query -----------------------------------------------------------------------


def test_validate_the_store(cli: CliRunner, built_mini: Project) -> None:
    result = run(cli, built_mini, "validate")
    assert result.exit_code in (0, 1), result.stderr


def test_validate_a_file_with_an_unknown_format(cli: CliRunner, built_mini: Project) -> None:
    path = add(built_mini, "table.csv", "a,b\n")
    result = run(cli, built_mini, "validate", str(path))
    assert result.exit_code == 2
    assert "unknown RDF format '.csv'" in result.stderr


def test_validate_a_missing_file(cli: CliRunner, built_mini: Project) -> None:
    result = run(cli, built_mini, "validate", str(built_mini.data_dir / "nowhere.ttl"))
    assert result.exit_code == 2
    assert "file not found" in result.stderr


def test_query_a_file(cli: CliRunner, built_mini: Project, tmp_path) -> None:
    rq = tmp_path / "count.rq"
    rq.write_text("#+ summary: Count the demands\n"
                  "PREFIX hrg: <https://w3id.org/hrgraph/ontology#>\n"
                  "SELECT (COUNT(?d) AS ?n) WHERE { ?d a hrg:Demand }\n")
    result = run(cli, built_mini, "query", str(rq), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["n", "1"]


def test_query_needs_a_name(cli: CliRunner, built_mini: Project) -> None:
    result = run(cli, built_mini, "query")
    assert result.exit_code == 2
    assert "--list" in result.stderr


def test_query_bad_param_syntax(cli: CliRunner, built_mini: Project, tmp_path) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    result = run(cli, built_mini, "query", str(rq), "--param", "novalue")
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.stderr


def test_query_list(cli: CliRunner, built_mini: Project) -> None:
    result = run(cli, built_mini, "query", "--list")
    assert result.exit_code == 0, result.stderr


def test_an_export_holding_confidential_data_is_for_its_owner_only(
        cli: CliRunner, mini_project: Project, tmp_path) -> None:
    """Exports get an ordinary file's mode (0644 with umask 022), so that they can be shared;
    a file holding private graphs (confidential data) gets 0600 whatever the umask."""
    import stat

    (mini_project.data_dir / "secret.ttl").write_text(
        "@prefix hrg: <https://w3id.org/hrgraph/ontology#> .\n"
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
        "<https://w3id.org/hrgraph/id/person/at-risk> a foaf:Person ; hrg:confidential true .\n",
        encoding="utf-8")
    (tmp_path / "q.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    assert run(cli, mini_project, "--quiet", "build").exit_code == 0
    mask = os.umask(0o022)
    try:
        for args in (["export", "--format", "nq", "-o", str(tmp_path / "public.nq")],
                     ["export", "--format", "nq", "-o", str(tmp_path / "backup.nq"),
                      "--include-confidential"],
                     ["query", str(tmp_path / "q.rq"), "-o", str(tmp_path / "q.csv"),
                      "--include-confidential"]):
            result = run(cli, mini_project, *args)
            assert result.exit_code == 0, result.stderr
    finally:
        os.umask(mask)
    assert "at-risk" in (tmp_path / "backup.nq").read_text()
    assert "at-risk" not in (tmp_path / "public.nq").read_text()
    assert stat.S_IMODE((tmp_path / "public.nq").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "backup.nq").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "q.csv").stat().st_mode) == 0o600
