"""What benchmarks/run.py and benchmarks/goals.py time with: repeats, percentiles, peak memory,
the saved queries with their example parameters."""

from __future__ import annotations

import resource
import statistics
import time


def peak_mb() -> float:
    """Peak resident memory of this process and its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # ru_maxrss is in KiB on Linux


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "runs": len(ordered)}


def repeat(call, *, runs: int, budget: float) -> list[float]:
    """Time ``call`` ``runs`` times, or fewer (at least 1) when ``budget`` seconds are used up."""
    samples: list[float] = []
    if runs <= 0:
        return samples
    started = time.perf_counter()
    while len(samples) < runs:
        t = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t)
        if time.perf_counter() - started > budget:
            break
    return samples


def example_params(saved) -> dict:
    """The example (or default) value of each parameter from the query's header."""
    params = {}
    for name, param in saved.params.items():
        value = param.example if param.example is not None else param.default
        if value is not None:
            params[name] = value
    return params


def saved_queries(project) -> list:
    from hrgraph import query

    return [q for q in query.list_queries(project) if not q.name.startswith("checks/")]


def is_aggregation(saved) -> bool:
    text = saved.text.upper()
    return "GROUP BY" in text or "COUNT(" in text
