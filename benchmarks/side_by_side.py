"""The saved queries side by side on the embedded store, an Oxigraph server and Virtuoso.

    python benchmarks/side_by_side.py --sizes 100k,1M [--work DIR] [--runs 5] [--budget 20]
                                      [--virtuoso-buffers 340000] [--results DIR]

For each size a project is generated (benchmarks/generate.py, the same as benchmarks/run.py's)
and built on the embedded store (``hrgraph build``); then each server is started on 127.0.0.1
with an empty database (benchmarks/servers.py), the build is published to it the way hrgraph
does (``hrgraph.backend.publish``: one Graph Store Protocol POST per graph into a temporary
graph, one SPARQL Update that moves them into place; on Virtuoso also its graph group), and
every saved query runs with its example parameters: on the embedded store through
``run_saved`` on an open store, on the servers through ``run_remote`` (SPARQL protocol over
HTTP, JSON results, as ``hrgraph query`` with ``HRGRAPH_ENDPOINT`` sends it). Each query is
timed ``--runs`` times, fewer when one run takes more than ``--budget`` seconds; the table gives
the p50 of each and its ratio to the embedded store's (above 1: the server is slower). The rows
each store returned are kept too, so a difference shows.

Results go to ``--results`` (default benchmarks/results/) as ``side-by-side-<timestamp>.json``
with the machine's description; the Markdown table is printed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import servers  # noqa: E402
from generate import generate, parse_size  # noqa: E402
from timing import example_params, percentiles, repeat, saved_queries  # noqa: E402

STORES = ("embedded", "oxigraph", "virtuoso")


def time_queries(run, names: list, *, runs: int, budget: float) -> dict:
    """``run(saved)`` for each saved query: p50/p95 of its timings and the rows it returned."""
    out = {}
    for saved in names:
        started = time.perf_counter()
        try:
            rows = len(run(saved).rows)
        except Exception as exc:  # a server's refusal or time-out is a result too
            out[saved.name] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
            continue
        first = time.perf_counter() - started
        samples = [first]
        if first < budget:
            samples += repeat(lambda s=saved: run(s), runs=runs - 1, budget=budget)
        out[saved.name] = {"rows": rows, **percentiles(samples)}
    return out


def publish_to(project, store, endpoint) -> dict:
    from hrgraph import backend

    started = time.perf_counter()
    summary = backend.publish(project, store, endpoint, timeout=3600)
    return {"seconds": time.perf_counter() - started, "triples": sum(summary.graphs.values()),
            "graphs": len(summary.graphs)}


def run_size(label: str, work: Path, *, runs: int, budget: float, buffers: int,
             say) -> dict:
    from hrgraph import backend
    from hrgraph import query as queries
    from hrgraph import store as stores
    from hrgraph.build import build
    from hrgraph.project import Project
    from hrgraph.remote import Credentials, run_remote

    project_dir = work / f"hrgraph-{label}"
    generated = generate(parse_size(label), project_dir)
    project = Project.open(project_dir)
    say(f"[{label}] {generated['data_triples']:,} triples generated; building")
    started = time.perf_counter()
    built = build(project, full=True)
    result: dict = {"generated": generated,
                    "embedded": {"load": {"seconds": time.perf_counter() - started,
                                          "method": "hrgraph build (parse, reason, validate, "
                                                    "bulk load into pyoxigraph)",
                                          "triples": built.triples}}}
    store = stores.open_store(project, read_only=True)
    names = saved_queries(project)

    def local(saved):
        return queries.run_saved(project, saved, example_params(saved), store=store, limit=None)

    say(f"[{label}] embedded: {len(names)} saved queries")
    result["embedded"]["queries"] = time_queries(local, names, runs=runs, budget=budget)

    for kind in STORES[1:]:
        folder = Path(tempfile.mkdtemp(prefix=f"hrgraph-{kind}-", dir=work))
        start = (servers.running_oxigraph(folder) if kind == "oxigraph"
                 else servers.running_virtuoso(folder, buffers=buffers))
        with start as base:
            if base is None:
                result[kind] = {"skipped": f"no {kind} server installed"}
                continue
            user, password = servers.VIRTUOSO_USER
            credentials = Credentials(user, password) if kind == "virtuoso" else Credentials()
            endpoint = backend.auth_scheme(backend.endpoint_for(base, kind,
                                                                credentials=credentials))
            say(f"[{label}] {kind}: publishing")
            load = publish_to(project, store, endpoint)
            load["method"] = ("hrgraph.backend.publish: a Graph Store Protocol POST of each "
                              "graph's N-Triples into a temporary graph, one SPARQL Update MOVE")
            if kind == "virtuoso":
                load["settings"] = {"NumberOfBuffers": buffers,
                                    "MaxDirtyBuffers": buffers * 3 // 4}
            dataset = backend.query_dataset(project, endpoint)

            def remote(saved, endpoint=endpoint, dataset=dataset):
                return run_remote(project, saved, example_params(saved), endpoint.query,
                                  timeout=600, dataset=dataset)

            say(f"[{label}] {kind}: {len(names)} saved queries")
            result[kind] = {"load": load,
                            "queries": time_queries(remote, names, runs=runs, budget=budget)}
    return result


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(results: dict) -> str:
    """Markdown: per size, the load of each store, then each saved query's p50 and ratio."""
    lines = []
    for label, by_store in results.items():
        lines += [f"### {label}", "", "| store | load | how |", "|---|---|---|"]
        for kind in STORES:
            load = by_store.get(kind, {}).get("load")
            if load:
                how = load["method"] + (f" ({load['settings']})" if "settings" in load else "")
                lines.append(f"| {kind} | {fmt(load['seconds'])} | {how} |")
            else:
                lines.append(f"| {kind} | {by_store.get(kind, {}).get('skipped', '—')} | |")
        lines += ["", "| saved query | embedded p50 | Oxigraph server p50 (× embedded) "
                      "| Virtuoso p50 (× embedded) |", "|---|---|---|---|"]
        embedded = by_store["embedded"]["queries"]
        for name, here in embedded.items():
            cells = [fmt(here.get("p50"))]
            for kind in STORES[1:]:
                there = by_store.get(kind, {}).get("queries", {}).get(name, {})
                if "error" in there:
                    cells.append("error")
                elif "p50" in there and here.get("p50"):
                    rows = "" if there["rows"] == here["rows"] else \
                        f", {there['rows']} rows vs {here['rows']}"
                    cells.append(f"{fmt(there['p50'])} ({there['p50'] / here['p50']:.1f}×{rows})")
                else:
                    cells.append("—")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1M")
    parser.add_argument("--work", type=Path, help="where to generate (default: a temp dir)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds after which a query is not run again")
    parser.add_argument("--virtuoso-buffers", type=int, default=340_000,
                        help="Virtuoso's NumberOfBuffers (8 kB pages; default about 2.7 GB)")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args()
    from run import machine

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: dict = {}
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"side-by-side-{stamp}.json"
    with tempfile.TemporaryDirectory(prefix="hrgraph-side-") as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        for label in args.sizes.split(","):
            results[label] = run_size(label, work, runs=args.runs, budget=args.budget,
                                      buffers=args.virtuoso_buffers, say=say)
            out.write_text(json.dumps({"command": " ".join(sys.argv), "machine": machine(),
                                       "results": results}, indent=1), encoding="utf-8")
            say(f"[{label}] written to {out}")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
