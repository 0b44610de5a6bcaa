"""Bad options and odd queries get a clear error and the documented exit code, never a traceback.

Regression tests for issue 14 ("Why", sections 5 and 6): each of these once crashed or was
silently accepted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.dom.minidom

import httpx2 as httpx
import pytest

from conftest import REPO
from hrgraph.errors import InputError, UsageError
from hrgraph.query import run_query
from hrgraph.web import negotiation


def hrgraph(project, *args: str | bytes) -> subprocess.CompletedProcess:
    """The real command line in a child process (arguments may be raw bytes)."""
    command = [os.fsencode(sys.executable), b"-m", b"hrgraph", b"--project",
               os.fsencode(project.root), b"--store", os.fsencode(project.store_path),
               *(a if isinstance(a, bytes) else a.encode() for a in args)]
    return subprocess.run(command, capture_output=True, timeout=120)


@pytest.mark.parametrize(("option", "value"), [("--timeout", "-1"), ("--timeout", "0"),
                                               ("--limit", "-5")])
def test_negative_query_limits_are_usage_errors(built_project, option, value):
    done = hrgraph(built_project, "query", "count-demands-by-status", option, value)
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert option.encode() in done.stderr


@pytest.mark.parametrize(("timeout", "limit"), [(-1, 10), (0, 10), (5, -5)])
def test_negative_limits_in_the_library(built_project, timeout, limit):
    with pytest.raises(UsageError):
        run_query(built_project, "ASK {}", timeout=timeout, limit=limit)


def test_serve_refuses_a_negative_timeout(built_project):
    done = hrgraph(built_project, "serve", "--timeout", "-1")
    assert done.returncode == 2 and b"Traceback" not in done.stderr


def test_a_message_that_is_not_utf8_is_a_usage_error(built_copy, tmp_path):
    contribution = tmp_path / "c.ttl"
    contribution.write_text("@prefix ex: <https://example.org/> .\n", encoding="utf-8")
    done = hrgraph(built_copy, "add", "--dry-run", str(contribution), "--message", b"\xff\xfe")
    assert done.returncode == 2, done.stderr
    assert b"Traceback" not in done.stderr
    assert b"UTF-8" in done.stderr


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json"])
def test_a_select_without_variables_prints(built_project, tmp_path, fmt):
    path = tmp_path / "empty.rq"
    path.write_text("SELECT * WHERE { }\n", encoding="utf-8")
    done = hrgraph(built_project, "query", str(path), "--format", fmt)
    assert done.returncode == 0, done.stderr
    if fmt in ("table", "md"):
        assert done.stdout.decode().strip() == "(1 row, no variables)"


# --------------------------------------------------------------- characters XML cannot hold


QUERY_WITH_BACKSPACE = 'SELECT ?x WHERE { BIND("a\\bb" AS ?x) }'


def test_xml_results_never_hold_a_character_xml_cannot(built_project):
    result = run_query(built_project, QUERY_WITH_BACKSPACE)
    with pytest.raises(InputError, match="U\\+0008"):
        negotiation.serialize_results(result, "xml")
    body, _ = negotiation.serialize_results(result, "json")  # JSON can hold it
    assert b"\\b" in body or b"\\u0008" in body


def test_rdfxml_never_holds_a_character_xml_cannot(built_project):
    result = run_query(built_project, 'CONSTRUCT { <http://example.org/a> <http://example.org/p> '
                                      '?x } WHERE { BIND("a\\fb" AS ?x) }')
    with pytest.raises(InputError, match="U\\+000C"):
        negotiation.serialize_graph(result.triples, "rdf")


def test_clean_xml_results_still_parse(built_project):
    result = run_query(built_project, 'SELECT ?x WHERE { BIND("a\\tb" AS ?x) }')
    body, _ = negotiation.serialize_results(result, "xml")
    xml.dom.minidom.parseString(body)


@pytest.fixture(scope="module")
def server(built_project):
    from web_support import running_server

    with running_server(built_project) as url:
        yield url


def test_web_xml_results_with_a_backspace_are_a_clear_400(server):
    answer = httpx.get(server + "/sparql", params={"query": QUERY_WITH_BACKSPACE,
                                                   "format": "xml"}, timeout=60)
    assert answer.status_code == 400
    assert "XML cannot hold" in answer.text
    as_json = httpx.get(server + "/sparql", params={"query": QUERY_WITH_BACKSPACE,
                                                    "format": "json"}, timeout=60)
    assert as_json.status_code == 200
    assert as_json.json()["results"]["bindings"][0]["x"]["value"] == "a\bb"


# --------------------------------------------------------------- the command line (issue 18, 9)

TOPIC = "https://w3id.org/hrgraph/vocab/topic/death-penalty"


def cli_run(project, *args: str, cwd=None):
    """The command through click's runner: stdout, stderr and exit code apart."""
    from click.testing import CliRunner

    from hrgraph.cli import main

    runner = CliRunner()
    common = ["--store", str(project.store_path)]
    if cwd is None:
        return runner.invoke(main, ["--project", str(project.root), *common, *args],
                             env={"COLUMNS": "80"})
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, [*common, *args], env={"COLUMNS": "80"})
    finally:
        os.chdir(old)


def demands(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return sorted(re.findall(r"hrid:demand/\S+", result.stdout))


@pytest.mark.parametrize("value", ["topic:death-penalty", "hrv:topic/death-penalty",
                                   "death penalty", "Death Penalty", TOPIC])
def test_iri_parameters_take_prefixed_names_and_names(built_project, value):
    """Regression: `hrv:topic/…` as printed by the tables silently gave 0 rows, exit 0."""
    expected = demands(cli_run(built_project, "query", "demands-by-topic", "--wide",
                               "--param", f"topic={TOPIC}"))
    assert len(expected) == 2
    result = cli_run(built_project, "query", "demands-by-topic", "--wide", "--param",
                     f"topic={value}")
    assert demands(result) == expected
    assert "warning" not in result.stderr


def test_a_name_of_several_entities_is_refused_with_their_iris(built_project):
    result = cli_run(built_project, "query", "demands-by-topic", "--param",
                     "topic=legislative reform")
    assert result.exit_code == 2
    assert "'legislative reform' is the name of 2 entities" in result.stderr
    assert "hrv:topic/legislative-reform" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_name_of_nothing_is_refused(built_project):
    result = cli_run(built_project, "query", "documents-signed-by", "--param",
                     "signatory=Viasnaa")
    assert result.exit_code == 2
    assert "nor the name of anything in the graph" in result.stderr


@pytest.mark.parametrize("value", ["hrv:topic/death-penalt", TOPIC + "x"])
def test_an_iri_that_names_nothing_gets_a_warning(built_project, value):
    """Regression: a typo in an IRI parameter silently gave 0 rows."""
    result = cli_run(built_project, "query", "demands-by-topic", "--param", f"topic={value}")
    assert result.exit_code == 0
    assert "(0 rows)" in result.stdout
    assert f"warning: parameter 'topic': {value}" in result.stderr
    assert "names nothing in the graph" in result.stderr
    assert "warning" not in result.stdout


def test_the_library_hands_the_warning_over(built_project):
    from hrgraph.query import run_saved

    missing = run_saved(built_project, "demands-by-topic", {"topic": TOPIC + "x"})
    assert len(missing.warnings) == 1 and "names nothing" in missing.warnings[0]
    assert run_saved(built_project, "demands-by-topic", {"topic": TOPIC}).warnings == []


def test_did_you_mean_for_query_and_parameter_names(built_project):
    typo = cli_run(built_project, "query", "demands-by-topik")
    assert typo.exit_code == 2
    assert "did you mean 'demands-by-topic'" in typo.stderr
    assert "known:" not in typo.stderr  # not the whole list of 46 names
    param = cli_run(built_project, "query", "demands-by-topic", "--param", f"topik={TOPIC}")
    assert param.exit_code == 2
    assert "no parameter 'topik'; did you mean 'topic'?" in param.stderr
    far = cli_run(built_project, "query", "zzzz")
    assert far.exit_code == 2 and "did you mean" not in far.stderr


def test_outside_a_project_says_so(built_project, tmp_path):
    """Regression: outside a project, `query NAME` said "known: none"."""
    for args in (["query", "signatories"], ["query", "--list"]):
        result = cli_run(built_project, *args, cwd=tmp_path)
        assert result.exit_code == 2, args
        assert "is not an hrgraph project" in result.stderr
        assert "known: none" not in result.stderr


def test_the_list_shows_defaults_and_fits_the_terminal(built_project):
    result = cli_run(built_project, "query", "--list")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "--param actor=… iri, default hrid:organisation/belarusian-authorities" in text
    assert "--param status=… iri, default hrv:status/met" in text
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_the_note_of_a_cut_result_is_printed_once(built_project, tmp_path):
    """Regression: "Only the first 2 rows" was printed twice (in the table and on stderr)."""
    for fmt in ("table", "md", "csv", "json"):
        result = cli_run(built_project, "query", "signatories", "--limit", "2", "--format", fmt)
        assert result.exit_code == 0
        both = result.stdout + result.stderr
        assert both.count("Only the first 2 rows") == 1, (fmt, both)
    to_file = cli_run(built_project, "query", "signatories", "--limit", "2", "-o",
                      str(tmp_path / "out.txt"))
    assert to_file.stderr.count("Only the first 2 rows") == 1


def test_each_validation_message_is_printed_once(built_project):
    """Regression: a value failing two constraints of one property shape printed the same
    message twice, and the counts were said again as an error (and disagreed)."""
    path = "tests/shapes/Demand/invalid-action-type-not-concept.ttl"
    result = cli_run(built_project, "--corpus", "tests/corpus.txt", "validate",
                     str(REPO / path), cwd=REPO)
    assert result.exit_code == 1
    both = result.stdout + result.stderr
    assert both.count("must have exactly one action type") == 1, both
    assert both.count("1 violation") == 1 and "2 violations" not in both
    as_json = cli_run(built_project, "--corpus", "tests/corpus.txt", "validate", "--format",
                      "json", str(REPO / path), cwd=REPO)
    assert json.loads(as_json.stdout)["violations"] == 2  # SHACL's results, all of them


def test_the_example_iris_in_messages_exist(built_project):
    """Regression: the hint for a malformed IRI named `id/org/viasna`, which does not exist."""
    from hrgraph.query import run_query

    result = cli_run(built_project, "query", "documents-signed-by", "--param",
                     "signatory=urn:x y")  # neither an IRI nor a name: the hint is shown
    assert result.exit_code == 2
    examples = re.findall(r"https://w3id\.org/hrgraph/\S+?(?=[),;\s]|$)", result.stderr)
    assert examples
    for iri in examples:
        assert run_query(built_project, f"ASK {{ <{iri}> ?p ?o }}").boolean, iri
