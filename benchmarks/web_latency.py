"""Latency of ``hrgraph serve`` under a bounded local load.

    python benchmarks/web_latency.py [--clients 20] [--seconds 10] [--project .] [--store PATH]

Starts ``hrgraph serve`` (uvicorn, one process) on a free port of 127.0.0.1 over a built store,
then for each target URL runs ``--clients`` concurrent asyncio clients (httpx2, one keep-alive
connection each) that request it back to back for ``--seconds`` seconds, and prints the number of
requests, errors, throughput and the p50 / p95 / p99 latency. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from pathlib import Path

import httpx2 as httpx

from hrgraph.web.serving import serving

TARGETS = {
    "saved-query API (find-by-name)": "/api/queries/find-by-name?name=Alesin",
    "saved-query API (latest-status, CSV)": "/api/queries/latest-status.csv",
    "entity page (person, HTML)": "/id/person/aliaksandr-alesin.html",
    "entity page (demand, HTML)": "/id/demand/concerted-position-2016-c2-3-b1-1.html",
    "entity page (organisation, HTML)": "/id/organisation/viasna.html",
    "entity page (concept, HTML)": "/vocab/topic/death-penalty.html",
    "entity (person, Turtle)": "/id/person/aliaksandr-alesin.ttl",
    "page /demands (HTML)": "/demands",
    "page /demands filtered (JSON)":
        "/demands.json?topic=https%3A%2F%2Fw3id.org%2Fhrgraph%2Fvocab%2Ftopic%2Fdeath-penalty",
    "page /dashboard (HTML)": "/dashboard",
    "page /search (name)": "/search?q=Viasna",
    "page /search (words)": "/search?q=death%20penalty",
    "SPARQL endpoint (worker process per query)":
        "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Fo%20%7D%20LIMIT%2010",
}


async def client(base: str, path: str, until: float, latencies: list[float],
                 errors: list[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.perf_counter() < until:
            start = time.perf_counter()
            response = await http.get(path)
            elapsed = time.perf_counter() - start
            if response.status_code == 200:
                latencies.append(elapsed)
            else:
                errors.append(response.status_code)


async def measure(base: str, path: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[int] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(*(client(base, path, until, latencies, errors) for _ in range(clients)))
    latencies.sort()

    def pct(p: float) -> float:  # NaN when no request succeeded (every answer an error)
        if not latencies:
            return float("nan")
        return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {"requests": len(latencies), "errors": len(errors),
            "error_codes": sorted(set(errors)),
            "per_second": len(latencies) / seconds, "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99),
            "mean": 1000 * statistics.fmean(latencies) if latencies else float("nan")}


def run(base: str, targets: dict[str, str], clients: int, seconds: float) -> dict[str, dict]:
    """Each target measured in turn (after one warm-up request) under ``clients`` clients."""
    results = {}
    for name, path in targets.items():
        httpx.get(base + path, timeout=60)  # warm up
        results[name] = asyncio.run(measure(base, path, clients, seconds))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--project", type=Path, default=Path("."))
    parser.add_argument("--store", type=Path)
    args = parser.parse_args()
    with serving(args.project, args.store) as base:
        print(f"{args.clients} clients x {args.seconds:g} s per target, {base}, "
              f"{os.cpu_count()} CPUs")
        print(f"{'target':<46} {'requests':>8} {'err':>4} {'req/s':>7} {'p50 ms':>7} "
              f"{'p95 ms':>7} {'p99 ms':>7}")
        for name, path in TARGETS.items():
            r = run(base, {name: path}, args.clients, args.seconds)[name]
            print(f"{name:<46} {r['requests']:>8} {r['errors']:>4} {r['per_second']:>7.1f} "
                  f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f}")


if __name__ == "__main__":
    main()
