"""Time the full-text search index (hrgraph.search) of a built project: the whole build of the
index (median of 3) and the latency of queries (p50, p95 over several rounds of a fixed set:
words, phrases, typos, Cyrillic, a two-letter prefix), in this process, without the web::

    python benchmarks/generate.py 100k /tmp/gen100k
    hrgraph --project /tmp/gen100k --store /tmp/gen100k/store build
    python benchmarks/search_bench.py /tmp/gen100k --store /tmp/gen100k/store
"""

from __future__ import annotations

import argparse
import statistics
import time

from hrgraph import search
from hrgraph import store as stores
from hrgraph.project import Project

QUERIES = ["moratorium", "death penalty", "Viasan", "Вясна", "viasna", "Alesin", "Алесин", "EU",
           "criminal code 193", "release political prisoners", "Bialiatski", "freedom assembly",
           "Human Rihgts Centre", "executions", "registration"]


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    """Print the index build time, its size and the query latencies."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project")
    parser.add_argument("--store", default=None)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    project = Project.open(args.project, store=args.store)
    store = stores.open_store(project, read_only=True)
    builds = []
    for _ in range(3):
        started = time.perf_counter()
        stats = search.build_index(project, store)
        builds.append(time.perf_counter() - started)
    print(f"index build: median {statistics.median(builds):.2f} s of {len(builds)} "
          f"({stats.entries:,} entries, {stats.path.stat().st_size / 1e6:.1f} MB, "
          f"{len(store):,} quads in the store)")
    index = search.open_index(project, store=store)
    latencies: dict[str, list[float]] = {q: [] for q in QUERIES}
    counts = {}
    for _ in range(args.rounds):
        for q in QUERIES:
            started = time.perf_counter()
            counts[q] = search.search(project, q, index=index).count
            latencies[q].append(time.perf_counter() - started)
    every = [t for ts in latencies.values() for t in ts]
    print(f"queries: p50 {percentile(every, 0.5) * 1000:.1f} ms, "
          f"p95 {percentile(every, 0.95) * 1000:.1f} ms over {len(every)} searches")
    for q in QUERIES:
        print(f"  {q!r:30} {counts[q]:6} results, p50 "
              f"{percentile(latencies[q], 0.5) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
