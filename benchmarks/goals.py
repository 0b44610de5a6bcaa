"""The scale issue's goals, measured by benchmarks/run.py in the same run as hrgraph's tasks.

Each goal compares hrgraph with the store's own raw speed on the same data, measured in the same
run: the raw tasks here (``raw_load``, ``raw_dump``, ``raw_push``) run in subprocesses of their
own like hrgraph's (run.py's ``run_task``), so their peak memory is theirs alone. ``cold_query``
times a fresh ``hrgraph query`` process per saved query; ``dashboard`` the dashboard's model and
the saved count queries on an open store. :func:`goal_table` then marks each goal met or missed.
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import servers
from timing import example_params, percentiles, repeat, saved_queries

#: The goals of the scale issue, as (key, what, limit, unit): limits in seconds, MB or a ratio.
BUILD_RATIO, BUILD_RSS_1M, BUILD_RSS_10M, BUILD_SECONDS_10M = 3.0, 1024, 6 * 1024, 600.0
QUERY_P50, COLD_QUERY, DASHBOARD = 0.300, 1.0, 0.300
CONTRIBUTION_P50, REBUILD = 0.020, 3.0
EXPORT_RATIO, EXPORT_RSS, PUSH_RATE = 1.5, 300, 0.5


def _source_files(project) -> list:
    return project.files_of_kind("ontology", "vocabulary", "shapes", "data")


def task_raw_load(project_dir: Path, options: dict) -> dict:
    """pyoxigraph's own ``bulk_load`` of the files ``build`` reads, into a new on-disk store,
    each file into its graph: the floor of what a build can cost."""
    import pyoxigraph as ox

    from hrgraph.load import bulk_format, is_context_document
    from hrgraph.project import Project

    project = Project.open(project_dir)
    with tempfile.TemporaryDirectory(prefix="raw-load-", dir=project_dir) as location:
        started = time.perf_counter()
        store = ox.Store(location)
        triples = 0
        for source in _source_files(project):
            if is_context_document(source.path):
                continue
            data = source.path.read_bytes()
            fmt = bulk_format(source.path, data) or ox.RdfFormat.from_extension(
                source.path.suffix.lstrip("."))
            if fmt is None:
                continue
            store.bulk_load(data, format=fmt, to_graph=ox.NamedNode(source.graph),
                            base_iri=source.path.as_uri())
        store.flush()
        seconds = time.perf_counter() - started
        triples = len(store)
        del store
    return {"seconds": seconds, "triples": triples}


def task_raw_dump(project_dir: Path, options: dict) -> dict:
    """pyoxigraph's own ``Store.dump`` of the graphs ``export`` writes, as N-Triples into one
    file: the floor of what an export can cost."""
    import pyoxigraph as ox

    from hrgraph import export
    from hrgraph import store as stores
    from hrgraph.project import Project

    project = Project.open(project_dir)
    store = stores.open_store(project, read_only=True)
    graphs = export.select_graphs(project, store)
    target = project_dir / "raw-dump.nt"
    started = time.perf_counter()
    with target.open("wb") as out:
        for graph in graphs:
            store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    seconds = time.perf_counter() - started
    size = target.stat().st_size
    target.unlink()
    return {"seconds": seconds, "bytes": size, "graphs": len(graphs)}


@contextlib.contextmanager
def oxigraph_server(location: Path) -> Iterator[str | None]:
    """An Oxigraph server on a free loopback port with an empty database at ``location``
    (removed afterwards); yields its base URL, or None without the binary."""
    shutil.rmtree(location, ignore_errors=True)
    try:
        with servers.running_oxigraph(location) as base:
            yield base
    finally:
        shutil.rmtree(location, ignore_errors=True)


def task_raw_push(project_dir: Path, options: dict) -> dict:
    """A raw Graph Store Protocol POST of the pushed graphs' N-Triples (one file, read from
    disk as it is sent) to a local Oxigraph server: the floor of what a push can cost."""
    import httpx
    import pyoxigraph as ox

    from hrgraph import export
    from hrgraph import store as stores
    from hrgraph.project import Project

    project = Project.open(project_dir)
    store = stores.open_store(project, read_only=True)
    graphs = export.select_graphs(project, store, ("data", "ontology", "shapes"),
                                  include_inferred=True)
    file = project_dir / "raw-push.nt"
    with file.open("wb") as out:
        for graph in graphs:
            store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    triples = sum(1 for _ in ox.parse(path=str(file), format=ox.RdfFormat.N_TRIPLES))
    del store
    try:
        with oxigraph_server(project_dir / "raw-push-server") as base:
            if base is None:
                return {"skipped": "no oxigraph server binary (pip install oxigraph)"}
            started = time.perf_counter()
            with file.open("rb") as body:
                response = httpx.post(f"{base}/store?default", content=body,
                                      headers={"content-type": "application/n-triples"},
                                      timeout=None)
            seconds = time.perf_counter() - started
            response.raise_for_status()
    finally:
        file.unlink(missing_ok=True)
    return {"seconds": seconds, "triples": triples, "rate": triples / seconds}


def task_cold_query(project_dir: Path, options: dict) -> dict:
    """Each saved query as a fresh ``hrgraph query`` process (start-up included), p50 of
    ``cold_runs``."""
    from hrgraph.project import Project

    project = Project.open(project_dir)
    out = {}
    for saved in saved_queries(project):
        command = [sys.executable, "-m", "hrgraph", "--project", str(project_dir), "--quiet",
                   "query", saved.name, "--format", "csv"]
        for name, value in example_params(saved).items():
            command += ["-p", f"{name}={value}"]
        samples = []
        for _ in range(options.get("cold_runs", 3)):
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, check=False)
            samples.append(time.perf_counter() - started)
            if done.returncode != 0:
                out[saved.name] = {"error": done.stderr.decode(errors="replace")[-300:]}
                break
        else:
            out[saved.name] = {"p50": statistics.median(samples), "runs": len(samples)}
    return {"queries": out}


def task_dashboard(project_dir: Path, options: dict) -> dict:
    """The dashboard's model (``hrgraph.web.listings.dashboard``, from the demand summary) and
    the first page of /demands, on an open store: p50 of ``runs``."""
    from hrgraph import store as stores
    from hrgraph.project import Project
    from hrgraph.web import listings
    from hrgraph.web.entities import View

    project = Project.open(project_dir)
    generation = Path(stores.current_generation(project.store_path))
    view = View(stores.open_store_at(generation, read_only=True), project, directory=generation)
    listings.dashboard(view)  # opens (and checks) the summary once, as a server does
    runs, budget = options["runs"], options["budget"]
    return {"dashboard": percentiles(repeat(lambda: listings.dashboard(view), runs=runs,
                                            budget=budget)),
            "demands": percentiles(repeat(lambda: listings.demands_list(view, {}, every=False),
                                          runs=runs, budget=budget))}


TASKS = {"raw_load": task_raw_load, "raw_dump": task_raw_dump, "raw_push": task_raw_push,
         "cold_query": task_cold_query, "dashboard": task_dashboard}


# --------------------------------------------------------------------------- the goal table


def _s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def _mark(met: bool | None, cause: str = "") -> str:
    if met is None:
        return "not measured" + (f": {cause}" if cause else "")
    return "met" if met else "missed" + (f": {cause}" if cause else "")


def goal_rows(label: str, r: dict) -> list[str]:
    """The rows of the goal table for one size: goal, measured, ratio, peak RSS, met/missed."""
    size = label.upper()
    rows = []

    def row(goal: str, measured: str, ratio: str, rss: str, verdict: str) -> None:
        rows.append(f"| {label} | {goal} | {measured} | {ratio} | {rss} | {verdict} |")

    build, raw = r.get("build", {}), r.get("raw_load", {})
    if "seconds" in build:
        rss = build.get("peak_mb", 0)
        if "seconds" in raw:
            ratio = build["seconds"] / raw["seconds"]
            ratio_text = f"{ratio:.1f}× raw bulk_load ({_s(raw['seconds'])}, " \
                         f"{raw.get('peak_mb', 0):.0f} MB)"
        else:
            ratio, ratio_text = None, "raw bulk_load not measured"
        if size == "10M":
            met = build["seconds"] <= BUILD_SECONDS_10M and rss <= BUILD_RSS_10M
            goal = f"build ≤ {BUILD_SECONDS_10M / 60:.0f} min, ≤ {BUILD_RSS_10M // 1024} GB"
        else:
            met = (ratio is not None and ratio <= BUILD_RATIO
                   and (size != "1M" or rss <= BUILD_RSS_1M))
            goal = f"build ≤ {BUILD_RATIO:g}× raw" + (
                f", ≤ {BUILD_RSS_1M // 1024} GB" if size == "1M" else "")
        slowest = max(build.get("phases", {}).items(), key=lambda kv: kv[1], default=None)
        cause = f"slowest step {slowest[0]} {_s(slowest[1])}" if slowest else ""
        row(goal, _s(build["seconds"]), ratio_text, f"{rss:.0f} MB", _mark(met, cause))
    elif build:
        row("build", "error" if "error" in build else "stopped", "", "",
            _mark(False, (build.get("error") or "time limit")[-120:].replace("\n", " ")))

    queries = r.get("queries", {}).get("queries", {})
    timed = {n: q["direct"]["p50"] for n, q in queries.items() if "direct" in q}
    if timed:
        over = sorted((n for n, t in timed.items() if t > QUERY_P50), key=lambda n: -timed[n])
        worst = max(timed, key=timed.get)
        row(f"every saved query ≤ {_s(QUERY_P50)} p50 on an open store",
            f"median {_s(statistics.median(timed.values()))}, worst {_s(timed[worst])} "
            f"({worst})", f"{len(timed) - len(over)} of {len(timed)} within",
            f"{r['queries'].get('peak_mb', 0):.0f} MB",
            _mark(not over, ", ".join(f"{n} {_s(timed[n])}" for n in over[:4])
                  + (" …" if len(over) > 4 else "")))
    cold = {n: q["p50"] for n, q in r.get("cold_query", {}).get("queries", {}).items()
            if "p50" in q}
    if cold:
        over = sorted((n for n, t in cold.items() if t > COLD_QUERY), key=lambda n: -cold[n])
        worst = max(cold, key=cold.get)
        row(f"every saved query ≤ {_s(COLD_QUERY)} as a cold `hrgraph query`",
            f"median {_s(statistics.median(cold.values()))}, worst {_s(cold[worst])} ({worst})",
            f"{len(cold) - len(over)} of {len(cold)} within", "",
            _mark(not over, ", ".join(f"{n} {_s(cold[n])}" for n in over[:4])
                  + (" …" if len(over) > 4 else "")))
    dashboard = r.get("dashboard", {})
    if "dashboard" in dashboard:
        counts = {n: timed[n] for n in timed if n.startswith("count-demands-by-")}
        worst = max([dashboard["dashboard"]["p50"], *counts.values()])
        row(f"dashboard and count queries ≤ {_s(DASHBOARD)} on an open store",
            f"dashboard {_s(dashboard['dashboard']['p50'])}, /demands page "
            f"{_s(dashboard['demands']['p50'])}, count queries worst "
            f"{_s(max(counts.values()) if counts else None)}", "",
            f"{dashboard.get('peak_mb', 0):.0f} MB", _mark(worst <= DASHBOARD))
    contribution = r.get("contribution", {})
    if "p50" in contribution:
        row(f"contribution check p50 ≤ {_s(CONTRIBUTION_P50)}", _s(contribution["p50"]), "",
            f"{contribution.get('peak_mb', 0):.0f} MB",
            _mark(contribution["p50"] <= CONTRIBUTION_P50))
    rebuild = r.get("rebuild", {})
    if "seconds" in rebuild:
        row(f"rebuild after one changed file ≤ {_s(REBUILD)}", _s(rebuild["seconds"]), "",
            f"{rebuild.get('peak_mb', 0):.0f} MB", _mark(rebuild["seconds"] <= REBUILD))
    export, dump = r.get("export_nt", {}), r.get("raw_dump", {})
    if "seconds" in export:
        ratio = export["seconds"] / dump["seconds"] if "seconds" in dump else None
        rss = export.get("peak_mb", 0)
        row(f"export N-Triples ≤ {EXPORT_RATIO:g}× raw dump, ≤ {EXPORT_RSS} MB",
            _s(export["seconds"]),
            f"{ratio:.1f}× raw Store.dump ({_s(dump['seconds'])})" if ratio else "—",
            f"{rss:.0f} MB", _mark(ratio is not None and ratio <= EXPORT_RATIO
                                   and rss <= EXPORT_RSS))
    push, raw_push = r.get("push", {}), r.get("raw_push", {})
    if "seconds" in push and "rate" in raw_push:
        rate = push["triples"] / push["seconds"]
        share = rate / raw_push["rate"]
        row(f"push ≥ {PUSH_RATE:.0%} of a raw Graph Store POST's rate",
            f"{rate:,.0f} triples/s", f"{share:.0%} of raw ({raw_push['rate']:,.0f}/s)",
            f"{push.get('peak_mb', 0):.0f} MB", _mark(share >= PUSH_RATE))
        if "replace" in push:  # no goal of its own: what the atomic replacement costs
            moved = push["replace"]
            rate = moved["triples"] / moved["seconds"]
            row("push --replace (the same, then one MOVE into place)", f"{rate:,.0f} triples/s",
                f"{rate / raw_push['rate']:.0%} of raw", "", "the server's MOVE copies "
                "every triple in one transaction")
    elif push or raw_push:
        why = push.get("error") or push.get("skipped") or raw_push.get("error") or \
            raw_push.get("skipped") or "timeout"
        row(f"push ≥ {PUSH_RATE:.0%} of a raw Graph Store POST's rate", "—", "", "",
            _mark(None, str(why)[-120:].replace("\n", " ")))
    return rows


def goal_table(results: dict) -> str:
    """Every goal of every size measured, as a Markdown table."""
    lines = ["| size | goal | measured | ratio | peak RSS | verdict |",
             "|---|---|---|---|---|---|"]
    for label, r in results.items():
        lines += goal_rows(label, r)
    return "\n".join(lines)
