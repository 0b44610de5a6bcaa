"""The benchmark code runs end to end (quick mode), so that it never rots. No timings checked."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import generate  # noqa: E402
import run  # noqa: E402


def test_generator_is_deterministic_and_reports_planted_violations(tmp_path):
    first = generate.generate(3_000, tmp_path / "a", seed_data=False)
    second = generate.generate(3_000, tmp_path / "b", seed_data=False)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a" / "data").rglob("*.*"))
    assert files
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    assert first == second
    assert first["planted"]["demands without hrg:madeIn"] >= 1
    assert first["generated_triples"] >= 3_000


def test_quick_run_end_to_end(tmp_path, capsys):
    results = tmp_path / "results"
    assert run.main(["--quick", "--limit", "8", "--query-limit", "2", "--work",
                     str(tmp_path / "work"), "--results", str(results)]) == 0
    table = capsys.readouterr().out
    assert "| 10k | build" in table
    written = json.loads(next(results.glob("*.json")).read_text())
    assert written["machine"]["cpus"] >= 1
    ten_k = written["results"]["10k"]
    assert "error" not in ten_k["build"]
    # the planted violations are found, and nothing else is a violation
    assert ten_k["build"]["violations"] == \
        ten_k["generated"]["planted"]["expected sh:Violation results"]
    assert ten_k["queries"]["queries"]
    assert ten_k["contribution"]["violations"] == 0
    # every task ran (the plain way within its cap) and none failed
    failed = {name: task["error"][-300:] for name, task in ten_k.items()
              if isinstance(task, dict) and "error" in task}
    assert failed == {}
    assert {f"export_{fmt}" for fmt in run.EXPORT_FORMATS} <= set(ten_k)
    assert ten_k["push"]["triples"] > 0
    assert ten_k["add"]["runs"] == 1 and ten_k["rebuild"]["seconds"] > 0
