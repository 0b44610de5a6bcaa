"""Benchmark hrgraph against the plain way (rdflib + owlrl + pyshacl) on generated data.

    python benchmarks/run.py --sizes 10k,100k,1M [--limit 300] [--quick] [--work DIR]

For each size a project is generated (benchmarks/generate.py) and every task runs in a
subprocess of its own, so that the peak memory (``ru_maxrss`` of the task and of its children)
belongs to that task alone:

* hrgraph: ``build`` (parse, load, reason, validate; with the time of each step); every saved
  query through ``hrgraph.query.run_saved`` (a worker process per query, as the CLI runs it) and
  directly on an open store (``run_saved(..., store=...)``: the query without the worker's start);
  validating the contribution (``hrgraph.validate.validate_files``); ``add`` and ``remove`` of
  it; export to every format; ``push`` into a real Oxigraph server on a free loopback port; the
  HTTP saved-query API under concurrent local clients (benchmarks/web_latency.py); ``build``
  again after one changed file.
* plain: rdflib ``Graph.parse`` of the same files; owlrl's RDFS closure; pyshacl over everything
  (with the contribution); rdflib's N-Triples and Turtle serialisers; rdflib's SPARQL on the same
  saved queries (each with the same example parameters). Each task is killed at ``--limit``
  seconds and reported as "> limit".

The table compares them (ratio = plain / hrgraph); the full results go to
``benchmarks/results/<timestamp>.json`` with the machine's description. ``--quick`` is 10k only
with few repeats (what tests/test_benchmarks.py runs).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import goals  # noqa: E402
from generate import generate, parse_size  # noqa: E402
from hrgraph import progress  # noqa: E402
from timing import example_params, is_aggregation, peak_mb, percentiles, repeat, saved_queries  # noqa: E402

EXPORT_FORMATS = ("nt", "nq", "ttl", "trig", "jsonld", "xml")
PACKAGES = ["hrgraph", "pyoxigraph", "rdflib", "owlrl", "pyshacl", "pyshacl-turbo"]


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- tasks (subprocess)


def task_build(project_dir: Path, options: dict) -> dict:
    from hrgraph.build import build
    from hrgraph.project import Project

    project = Project.open(project_dir)
    steps: list[tuple[str, float]] = []
    summary = build(project, full=True, progress=lambda message: steps.append(
        (message.split()[0], time.perf_counter())))
    ends = [t for _, t in steps[1:]] + [time.perf_counter()]
    phases = {name: round(end - t, 3) for (name, t), end in zip(steps, ends, strict=True)}
    return {"seconds": summary.seconds, "phases": phases, "triples": summary.triples,
            "inferred": summary.inferred, "violations": summary.violations,
            "warnings": summary.warnings}


def task_queries(project_dir: Path, options: dict) -> dict:
    from hrgraph import query
    from hrgraph import store as stores
    from hrgraph.project import Project

    project = Project.open(project_dir)
    store = stores.open_store(project, read_only=True)
    runs, budget = options["runs"], options["budget"]
    out = {}
    for saved in saved_queries(project):
        params = example_params(saved)
        started = time.perf_counter()
        rows = len(query.run_saved(project, saved, params, store=store, limit=None).rows)
        first = time.perf_counter() - started
        # a slow query is run fewer times: the budget is per query
        direct = [first]
        if first < budget:
            direct += repeat(lambda s=saved, p=params: query.run_saved(
                project, s, p, store=store, limit=None), runs=runs - 1, budget=budget)
        try:
            worker = repeat(lambda s=saved, p=params: query.run_saved(
                project, s, p, limit=None, timeout=options.get("query_timeout", 300)),
                runs=max(1, runs // 4) if first < budget else 1, budget=budget)
        except Exception as exc:  # a time-out in the worker: keep the direct timing
            worker = []
            out[saved.name] = {"worker_error": str(exc)[:200]}
        out[saved.name] = {**out.get(saved.name, {}), "rows": rows,
                           "aggregation": is_aggregation(saved), "direct": percentiles(direct),
                           "run_saved": percentiles(worker) if worker else None}
    return {"queries": out}


def task_contribution(project_dir: Path, options: dict) -> dict:
    from hrgraph import store as stores
    from hrgraph.project import Project
    from hrgraph.validate import validate_files

    project = Project.open(project_dir)
    # as `hrgraph validate`, `add` and the web's checks run it: on a store generation
    generation = Path(stores.current_generation(project.store_path))
    store = stores.open_store_at(generation, read_only=True)
    files = [project_dir / "contribution.ttl"]
    report = validate_files(project, files, store=store, generation=generation)
    samples = repeat(lambda: validate_files(project, files, store=store, generation=generation),
                     runs=options["runs"], budget=options["budget"])
    return {**percentiles(samples), "violations": report.violations,
            "warnings": report.warnings}


def task_add(project_dir: Path, options: dict) -> dict:
    """``hrgraph add`` of the contribution (validate, write the file, publish a new store
    generation), then ``hrgraph remove`` of it, a few times."""
    import datetime as dt

    from hrgraph import contribute
    from hrgraph.project import Project

    project = Project.open(project_dir)
    file = project_dir / "contribution.ttl"
    added: list[float] = []
    removed: list[float] = []
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for run in range(options["add_runs"]):
        started = time.perf_counter()
        result = contribute.add_contribution(project, file, contributor="benchmark",
                                             now=now + dt.timedelta(seconds=run))
        added.append(time.perf_counter() - started)
        if not result.merged:
            return {"error": "the contribution was not merged:\n"
                    + result.report.to_text()[:1000]}
        started = time.perf_counter()
        contribute.remove_contribution(project, result.id)
        removed.append(time.perf_counter() - started)
    return {**percentiles(added), "remove": percentiles(removed)}


def task_export(project_dir: Path, options: dict) -> dict:
    from hrgraph import export
    from hrgraph import store as stores
    from hrgraph.project import Project

    project = Project.open(project_dir)
    store = stores.open_store(project, read_only=True)
    fmt = options.get("format", "nt")
    target = project_dir / f"export.{fmt}"
    started = time.perf_counter()
    result = export.export(project, store, fmt, output=target)
    seconds = time.perf_counter() - started
    size = target.stat().st_size
    target.unlink()
    return {"seconds": seconds, "triples": result.quads, "bytes": size}


def task_push(project_dir: Path, options: dict) -> dict:
    """``hrgraph push`` into a real Oxigraph server on a free loopback port: adding to the
    graphs (batches of lines, what a raw Graph Store POST compares with), then ``--replace``
    into a fresh server (the same batches into temporary graphs, and one ``MOVE``)."""
    from hrgraph import remote
    from hrgraph import store as stores
    from hrgraph.project import Project

    project = Project.open(project_dir)
    store = stores.open_store(project, read_only=True)
    out: dict = {}
    for replace in (False, True):
        with goals.oxigraph_server(project_dir / "oxigraph-server") as base:
            if base is None:
                return {"skipped": "no oxigraph server binary (pip install oxigraph)"}
            started = time.perf_counter()
            summary = remote.push(project, store, f"{base}/store", replace=replace)
            measured = {"seconds": time.perf_counter() - started, "triples": summary.triples}
        if replace:
            out["replace"] = measured
        else:
            out.update(measured)
    return out


def task_http(project_dir: Path, options: dict) -> dict:
    """The saved-query API of ``hrgraph serve`` under ``clients`` concurrent local clients."""
    import web_latency

    targets = {name: path for name, path in web_latency.TARGETS.items()
               if name.startswith(("saved-query API", "entity page", "page /"))}
    with web_latency.serving(project_dir) as base:
        return {"clients": options["clients"],
                "targets": web_latency.run(base, targets, options["clients"],
                                           options["http_seconds"])}


def task_rebuild(project_dir: Path, options: dict) -> dict:
    """``hrgraph build`` again after one generated file changed (one label appended)."""
    from hrgraph.build import build
    from hrgraph.project import Project

    changed = sorted((project_dir / "data" / "generated").glob("*.nt"))[0]
    original = changed.read_bytes()
    subject = original.split(b" ", 1)[0]
    try:
        changed.write_bytes(original + subject + b" <http://www.w3.org/2004/02/skos/core#"
                            b"altLabel> \"changed for the rebuild benchmark\"@en .\n")
        summary = build(Project.open(project_dir))
    finally:
        changed.write_bytes(original)
    return {"seconds": summary.seconds, "file": changed.name, "triples": summary.triples}


def _plain_graph(project_dir: Path):
    import rdflib

    from hrgraph.load import is_context_document
    from hrgraph.project import Project

    project = Project.open(project_dir)
    graph = rdflib.Graph()
    for source in project.files_of_kind("ontology", "vocabulary", "data"):
        if not is_context_document(source.path):
            graph.parse(source.path, format=rdflib.util.guess_format(str(source.path)))
    return project, graph


def task_plain_parse(project_dir: Path, options: dict) -> dict:
    started = time.perf_counter()
    _, graph = _plain_graph(project_dir)
    return {"seconds": time.perf_counter() - started, "triples": len(graph)}


def task_plain_reason(project_dir: Path, options: dict) -> dict:
    import owlrl

    _, graph = _plain_graph(project_dir)
    before = len(graph)
    started = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(graph)
    return {"seconds": time.perf_counter() - started, "inferred": len(graph) - before}


def task_plain_validate(project_dir: Path, options: dict) -> dict:
    import pyshacl
    import rdflib

    project, graph = _plain_graph(project_dir)
    # the contribution too: the plain way of validating it in context is validating the union
    graph.parse(project_dir / "contribution.ttl", format="turtle")
    shapes = rdflib.Graph()
    for source in project.files_of_kind("shapes"):
        shapes.parse(source.path, format="turtle")
    started = time.perf_counter()
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                           advanced=True, allow_warnings=True, inplace=True)
    results = len(set(report.subjects(rdflib.RDF.type, rdflib.SH.ValidationResult)))
    return {"seconds": time.perf_counter() - started, "results": results,
            "conforms": bool(conforms)}


def task_plain_export(project_dir: Path, options: dict) -> dict:
    """rdflib's N-Triples and Turtle serialisers on the parsed graph (timed apart)."""
    _, graph = _plain_graph(project_dir)
    out = {}
    for fmt, name in (("nt", "nt"), ("ttl", "turtle")):
        target = project_dir / f"plain-export.{fmt}"
        started = time.perf_counter()
        graph.serialize(target, format=name)
        out[fmt] = time.perf_counter() - started
        target.unlink()
    return out


def task_plain_queries(project_dir: Path, options: dict) -> dict:
    import signal

    from hrgraph import query

    project, graph = _plain_graph(project_dir)
    cap = options["query_limit"]

    def stop(signum, frame):
        raise TimeoutError

    signal.signal(signal.SIGALRM, stop)
    out = {}
    for saved in saved_queries(project):
        single, multi = query.bind_params(saved, example_params(saved))
        values = {**{k: [v] for k, v in single.items()}, **multi}
        text = query._insert_values(saved.text, values) if values else saved.text
        samples: list[float] = []
        try:
            signal.alarm(int(cap))
            rows = len(list(graph.query(text)))
            signal.alarm(0)
            samples = repeat(lambda t=text: list(graph.query(t)), runs=options["plain_runs"],
                             budget=cap / 2)
            out[saved.name] = {"rows": rows, **percentiles(samples)}
        except TimeoutError:
            out[saved.name] = {"timeout": cap}
        finally:
            signal.alarm(0)
        print(json.dumps({"partial": saved.name}), flush=True)
    return {"queries": out}


TASKS = {
    "build": task_build,
    "queries": task_queries,
    "contribution": task_contribution,
    "export": task_export,
    "add": task_add,
    "push": task_push,
    "http": task_http,
    "rebuild": task_rebuild,
    "plain_export": task_plain_export,
    "plain_parse": task_plain_parse,
    "plain_reason": task_plain_reason,
    "plain_validate": task_plain_validate,
    "plain_queries": task_plain_queries,
    **goals.TASKS,
}


def run_task(name: str, project_dir: Path, options: dict, limit: float) -> dict:
    """Run one task in a fresh Python process, killed after ``limit`` seconds or when it and its
    children hold more than ``options["max_rss_mb"]`` of memory (a 10M build must not take the
    machine down with it)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--task", name,
               "--project", str(project_dir), "--options", json.dumps(options)]
    cap = options.get("max_rss_mb")
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True,
                                 start_new_session=True)
        stopped = highest = None
        while child.poll() is None:
            elapsed = time.perf_counter() - started
            rss = tree_rss_mb(child.pid)
            highest = max(highest or 0, rss)
            if elapsed > limit or (cap and rss > cap):
                stopped = "timeout" if elapsed > limit else "memory"
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                break
            time.sleep(0.2)
        wall = time.perf_counter() - started
        if stopped == "timeout":
            return {"timeout": limit, "wall": wall}
        if stopped == "memory":
            return {"error": f"stopped at {highest:.0f} MB (over --max-rss {cap} MB) after "
                             f"{wall:.0f} s", "stopped_mb": highest, "wall": wall}
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        return {"error": (stderr or stdout)[-2000:], "wall": wall}
    result = json.loads(lines[-1])
    result["wall"] = wall
    return result


def tree_rss_mb(pid: int) -> float:
    """The resident memory of process ``pid`` and all its descendants, in MB (from /proc)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total / 1024 / 1024


# --------------------------------------------------------------------------- the run


def machine() -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    with open("/proc/meminfo") as f:
        total_kb = int(f.readline().split()[1])
    return {"cpus": os.cpu_count(), "memory_gb": round(total_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "packages": versions}


def run_size(label: str, work: Path, *, limit: float, options: dict, say,
             plain: bool = True) -> dict:
    project_dir = work / f"hrgraph-{label}"
    started = time.perf_counter()
    generated = generate(parse_size(label), project_dir)
    say(f"[{label}] generated {generated['data_triples']:,} triples in "
        f"{time.perf_counter() - started:.1f} s")
    result: dict = {"generated": generated}
    tasks = [("raw_load", {}), ("build", {}), ("queries", {}), ("cold_query", {}),
             ("dashboard", {}), ("contribution", {}), ("add", {}),
             *((f"export_{fmt}", {"format": fmt}) for fmt in EXPORT_FORMATS), ("raw_dump", {}),
             ("push", {}), ("raw_push", {}), ("http", {}), ("rebuild", {}),
             *((name, {}) for name in ("plain_parse", "plain_reason", "plain_validate",
                                       "plain_export", "plain_queries"))]
    if parse_size(label) >= 10_000_000:  # what the issue measures at 10M
        tasks = [(name, extra) for name, extra in tasks if name in TASKS_AT_10M]
    bar = progress.bar(total=len(tasks), desc=f"[{label}] tasks", unit="task")
    for name, extra in tasks:
        bar.update(0)
        bar.set_postfix_str(name)
        if name.startswith("plain") and not plain:
            result[name] = {"skipped": "--plain-max"}
            continue
        say(f"[{label}] {name} …")
        cap = limit if name.startswith("plain") else max(limit, 1800)
        task = name.split("_")[0] if name.startswith("export_") else name
        result[name] = run_task(task, project_dir, {**options, **extra}, cap)
        bar.update(1)
        if "error" in result[name]:
            say(f"[{label}] {name} failed: {result[name]['error'][-500:]}")
    bar.close()
    return result


#: At 10M the benchmark measures the build, the saved queries, export and the contribution check
#: (with their raw baselines), not the slower whole-run tasks.
TASKS_AT_10M = {"raw_load", "build", "queries", "cold_query", "dashboard", "contribution",
                "export_nt", "raw_dump"}


def check_disk(work: Path, sizes: list[str]) -> None:
    """Refuse to start when ``work`` lacks the disk the sizes need (about 1.5 kB a triple:
    the generated N-Triples, the store and an export side by side; 15 GB at 10M)."""
    need = sum(parse_size(label) for label in sizes) * 1500
    free = shutil.disk_usage(work).free
    if free < need:
        raise SystemExit(f"{work} has {free / 1e9:.1f} GB free; the sizes "
                         f"{','.join(sizes)} need about {need / 1e9:.1f} GB")


def fmt_seconds(value: float | str | None, limit: float | None = None) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return f"> {limit:g} s" if limit else "—"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.1f} s"


def table(results: dict, limit: float) -> str:
    """A Markdown table: one row per measurement and size, hrgraph against plain."""
    lines = ["| size | task | hrgraph | plain | plain / hrgraph | hrgraph peak RSS |",
             "|---|---|---|---|---|---|"]

    def seconds(task: dict) -> float | str | None:
        if "error" in task:
            return "error"
        return None if "timeout" in task else task.get("seconds")

    for label, measured in results.items():
        # a task not run at this size (the plain way above --plain-max, most tasks at 10M)
        r = {name: {"skipped": "not run"} for name in TASKS} | {
            f"export_{fmt}": {"skipped": "not run"} for fmt in EXPORT_FORMATS} | measured
        build = r["build"]
        parse, reason, validate = (seconds(r[k]) if "skipped" not in r[k] else "not run"
                                   for k in ("plain_parse", "plain_reason", "plain_validate"))
        plain_steps = (parse, reason, validate)
        plain_build = (sum(plain_steps) if all(isinstance(x, float) for x in plain_steps)
                       else "not run" if "not run" in plain_steps
                       else "error" if "error" in plain_steps else None)
        # a step stopped at the limit took at least the limit: the plain build at least this
        at_least = sum(x if isinstance(x, float) else limit for x in plain_steps)
        if not isinstance(seconds(build), float):
            ratio = "—"
        elif isinstance(plain_build, float):
            ratio = f"{plain_build / build['seconds']:.0f}×"
        else:
            ratio = "—" if isinstance(plain_build, str) else \
                f"> {at_least / build['seconds']:.0f}×"
        plain_text = (f"> {fmt_seconds(at_least)}" if plain_build is None
                      else fmt_seconds(plain_build, limit))
        rss = f"{build.get('peak_mb', 0):.0f} MB"
        lines.append(f"| {label} | build (parse+load+reason+validate) | "
                     f"{fmt_seconds(seconds(build))} | {plain_text} | {ratio} | {rss} |")
        if "phases" in build:
            phases = ", ".join(f"{k} {fmt_seconds(v)}" for k, v in build["phases"].items())
            lines.append(f"| {label} | build steps | {phases} | parse "
                         f"{fmt_seconds(parse, limit)}, closure {fmt_seconds(reason, limit)}, "
                         f"pyshacl {fmt_seconds(validate, limit)} | | |")
        queries = {n: q for n, q in r["queries"].get("queries", {}).items() if "direct" in q}
        plain_q = r["plain_queries"].get("queries", {})
        for kind, aggregation in (("selective", False), ("aggregation", True)):
            names = [n for n, q in queries.items() if q["aggregation"] == aggregation]
            if not names:
                continue
            direct = statistics.median(queries[n]["direct"]["p50"] for n in names)
            worst = max(queries[n]["direct"]["p50"] for n in names)
            through = [queries[n]["run_saved"]["p50"] for n in names if queries[n]["run_saved"]]
            saved = statistics.median(through) if through else None
            plain = [plain_q.get(n, {}).get("p50") for n in names]
            finished = [p for p in plain if p is not None]
            plain_text = (f"median {fmt_seconds(statistics.median(finished))}"
                          if finished else "—")
            if "skipped" in r["plain_queries"]:
                plain_text = "not run"
            elif len(finished) < len(names):
                plain_text += f" ({len(names) - len(finished)} of {len(names)} > cap)"
            ratios = [p / queries[n]["direct"]["p50"] for n, p in zip(names, plain, strict=True)
                      if p is not None and queries[n]["direct"]["p50"] > 0]
            ratio = f"median {statistics.median(ratios):.0f}×" if ratios else "—"
            lines.append(f"| {label} | {len(names)} {kind} queries, p50 on open store | median "
                         f"{fmt_seconds(direct)}, worst {fmt_seconds(worst)} | {plain_text} | "
                         f"{ratio} | {r['queries'].get('peak_mb', 0):.0f} MB |")
            lines.append(f"| {label} | same through run_saved (worker process) | median "
                         f"{fmt_seconds(saved)} | | | |")
        plain_validate = seconds(r["plain_validate"]) if "skipped" not in r["plain_validate"] \
            else None
        contribution = r["contribution"]
        if "p50" in contribution:
            plain_text, ratio = "—", "—"
            if "skipped" not in r["plain_validate"]:
                plain_text = f"pyshacl over the union {fmt_seconds(plain_validate, limit)}"
                ratio = (f"{plain_validate / contribution['p50']:.0f}×"
                         if isinstance(plain_validate, float)
                         else f"> {limit / contribution['p50']:.0f}×")
            lines.append(f"| {label} | validate a {r['generated']['contribution']['triples']}"
                         f"-triple contribution in context | p50 "
                         f"{fmt_seconds(contribution['p50'])}, p95 "
                         f"{fmt_seconds(contribution['p95'])} | {plain_text} | {ratio} | "
                         f"{contribution.get('peak_mb', 0):.0f} MB |")
        add = r.get("add", {})
        if "p50" in add:
            lines.append(f"| {label} | `add` the contribution (validate, write, publish) / "
                         f"`remove` it | p50 {fmt_seconds(add['p50'])} / "
                         f"{fmt_seconds(add['remove']['p50'])} | | | "
                         f"{add.get('peak_mb', 0):.0f} MB |")
        elif "error" in add:
            lines.append(f"| {label} | `add` the contribution | error | | | |")
        plain_export = r.get("plain_export", {})
        for fmt in EXPORT_FORMATS:
            task = r.get(f"export_{fmt}")
            if task is None or "skipped" in task:
                continue
            plain_seconds = plain_export.get(fmt) if "skipped" not in plain_export else None
            plain_text = ratio = ""
            if fmt in ("nt", "ttl") and "skipped" not in plain_export:
                plain_text = fmt_seconds(plain_seconds, limit)
                if isinstance(seconds(task), float):
                    ratio = (f"{plain_seconds / task['seconds']:.0f}×" if plain_seconds
                             else f"> {limit / task['seconds']:.0f}×")
            lines.append(f"| {label} | export {fmt} | {fmt_seconds(seconds(task), 1800)} | "
                         f"{plain_text} | {ratio} | {task.get('peak_mb', 0):.0f} MB |")
        push = r.get("push", {})
        if "seconds" in push:
            lines.append(f"| {label} | push {push['triples']:,} triples to a local Oxigraph "
                         f"server | {fmt_seconds(push['seconds'])} | | | "
                         f"{push.get('peak_mb', 0):.0f} MB |")
        http = r.get("http", {})
        for name, t in http.get("targets", {}).items():
            errors = f", {t['errors']} errors" if t["errors"] else ""
            lines.append(f"| {label} | HTTP {name}, {http['clients']} clients | p50 "
                         f"{t['p50']:.0f} ms, p95 {t['p95']:.0f} ms, "
                         f"{t['per_second']:.0f} req/s{errors} | | | |")
        rebuild = r.get("rebuild", {})
        if "seconds" in rebuild or "timeout" in rebuild:
            lines.append(f"| {label} | rebuild after one changed file | "
                         f"{fmt_seconds(seconds(rebuild), 1800)} | | | "
                         f"{rebuild.get('peak_mb', 0):.0f} MB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--limit", type=float, default=300.0,
                        help="seconds each plain task may take (default 300)")
    parser.add_argument("--query-limit", type=float, default=60.0,
                        help="seconds one rdflib query may take (default 60)")
    parser.add_argument("--quick", action="store_true", help="10k only, few repeats")
    parser.add_argument("--plain-max", help="run the plain way only up to this size (e.g. 100k)")
    parser.add_argument("--work", type=Path, help="where to generate (default: a temp dir)")
    parser.add_argument("--max-rss", type=float, default=16_000,
                        help="MB a task (with its children) may hold before it is stopped "
                             "(default 16000)")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.task:  # inside a task subprocess
        result = TASKS[args.task](args.project, json.loads(args.options))
        result["peak_mb"] = peak_mb()
        print(json.dumps(result), flush=True)
        return 0

    sizes = ["10k"] if args.quick else args.sizes.split(",")
    options = ({"runs": 3, "budget": 2.0, "plain_runs": 1, "query_limit": args.query_limit,
                "add_runs": 1, "clients": 2, "http_seconds": 0.5}
               if args.quick else
               {"runs": 20, "budget": 5.0, "plain_runs": 3, "query_limit": args.query_limit,
                "query_timeout": 300, "add_runs": 5, "clients": 20, "http_seconds": 5.0})
    options["max_rss_mb"] = args.max_rss

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: dict = {}
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = args.results / f"{stamp}.json"
    document = {"command": " ".join(sys.argv), "machine": machine(), "limit": args.limit,
                "options": options, "results": results}

    def write() -> None:  # after every size: a long run keeps what it measured
        out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")

    with tempfile.TemporaryDirectory(prefix="hrgraph-bench-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        check_disk(work, sizes)
        for label in sizes:
            plain = args.plain_max is None or parse_size(label) <= parse_size(args.plain_max)
            # at 10M each query and cold start is timed fewer times: one run is minutes
            sized = ({**options, "runs": min(options["runs"], 3), "cold_runs": 1}
                     if parse_size(label) >= 10_000_000 else options)
            results[label] = run_size(label, work, limit=args.limit, options=sized, say=say,
                                      plain=plain)
            write()
    text = table(results, args.limit)
    print(text)
    document["table"] = text
    goal_text = goals.goal_table(results)
    print("\n" + goal_text)
    document["goals"] = goal_text
    write()
    say(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
