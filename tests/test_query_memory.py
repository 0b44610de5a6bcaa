"""The query worker's memory limit: a query that would take the machine's memory is stopped.

The worker limits its own data (``RLIMIT_DATA``, :func:`hrgraph._query_worker.limit_memory`)
before it opens the store, to ``HRGRAPH_QUERY_MEMORY_MB`` megabytes (by default a quarter of
the machine's memory). Found by a saved query whose ``OPTIONAL`` paired every assessment with
every other at 1M triples: 22 GB, then the kernel killed it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hrgraph import query
from hrgraph.errors import QueryTooLarge, UsageError

#: Every triple with every other, sorted: the store must hold all the pairs at once.
ALL_PAIRS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f ?a ?d"
#: The same form over the ontology's few owl:Ontology triples: little to hold.
FEW_PAIRS = ("SELECT * WHERE { ?a a <http://www.w3.org/2002/07/owl#Ontology> . "
             "?d a <http://www.w3.org/2002/07/owl#Ontology> } ORDER BY ?a ?d")


def test_a_query_past_the_limit_is_stopped_with_a_clear_error(built_project, monkeypatch):
    monkeypatch.setenv(query.MEMORY_SETTING, "300")
    with pytest.raises(QueryTooLarge, match=r"more than 300 MB of memory .*"
                       + query.MEMORY_SETTING) as caught:
        query.run_query(built_project, ALL_PAIRS, timeout=120, limit=10)
    assert caught.value.exit_code == 3


def test_the_same_form_within_the_limit_answers(built_project, monkeypatch):
    """Control: the limit, not the form of the query, stops the one above."""
    monkeypatch.setenv(query.MEMORY_SETTING, "300")
    assert query.run_query(built_project, FEW_PAIRS, timeout=60).rows
    assert query.run_saved(built_project, "signatories", timeout=60).rows


def test_the_command_line_says_so_without_a_traceback(built_project, tmp_path):
    question = tmp_path / "all-pairs.rq"
    question.write_text(ALL_PAIRS + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "hrgraph", "--project", str(built_project.root), "query",
         str(question), "--timeout", "120"],
        capture_output=True, text=True, timeout=180,
        env={**os.environ, query.MEMORY_SETTING: "300",
             "HRGRAPH_STORE": str(built_project.store_path)})
    assert done.returncode == 3, done.stderr
    assert "more than 300 MB of memory" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("text", ["lots", "-5", "0", "1.5"])
def test_a_bad_setting_is_a_usage_error(monkeypatch, text: str) -> None:
    monkeypatch.setenv(query.MEMORY_SETTING, text)
    with pytest.raises(UsageError, match=query.MEMORY_SETTING):
        query.worker_memory()


def test_the_setting_and_its_default(monkeypatch) -> None:
    monkeypatch.setenv(query.MEMORY_SETTING, "off")
    assert query.worker_memory() is None
    monkeypatch.setenv(query.MEMORY_SETTING, "2048")
    assert query.worker_memory() == 2048 * 2**20
    monkeypatch.delenv(query.MEMORY_SETTING)
    assert query.worker_memory() >= 2**30
