"""Time the similar-demand suggestions (hrgraph.similar) on a generated project: the build step,
the computation alone, and one ``add`` (docs/performance.md)::

    python benchmarks/generate.py 100k /tmp/hrgraph-100k
    python benchmarks/similar_bench.py /tmp/hrgraph-100k
"""

from __future__ import annotations

import itertools
import sys
import time

from hrgraph import contribute, similar
from hrgraph import store as stores
from hrgraph.build import build
from hrgraph.project import Project


def main(root: str) -> None:
    """Print the build's step times, the computation alone and the cost of one add."""
    project = Project.open(root, store=root + "/.hrgraph/store")
    marks: list[tuple[float, str]] = []
    build(project, full=True, progress=lambda m: marks.append((time.perf_counter(), m)))
    marks.append((time.perf_counter(), "end"))
    steps = {m: round(b - a, 2) for (a, m), (b, _) in itertools.pairwise(marks)}
    print("build steps:", steps, "total", round(marks[-1][0] - marks[0][0], 2))
    store = stores.open_store(project, read_only=True)
    started = time.perf_counter()
    quads = similar.compute(project, store)
    print("compute alone", round(time.perf_counter() - started, 2), "s,", len(quads), "triples")
    del store
    original, spent = similar.update, []

    def timed(*args: object) -> None:
        began = time.perf_counter()
        original(*args)
        spent.append(time.perf_counter() - began)

    similar.update = timed
    started = time.perf_counter()
    result = contribute.add_contribution(project, root + "/contribution.ttl")
    total = time.perf_counter() - started
    print("add merged", result.merged, "total", round(total, 2), "s, of which similar.update",
          round(sum(spent), 3), "s")


if __name__ == "__main__":
    main(sys.argv[1])
