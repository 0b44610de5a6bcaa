"""Latency of a page and of ``ASK {}`` while one client floods ``/sparql`` with slow queries.

    python benchmarks/query_load.py [--slow 50] [--seconds 30] [--samples 10] [--timeout 10]
                                    [--retry honour|asap] [--project .] [--store PATH]

Starts ``hrgraph serve`` on a free port of 127.0.0.1 over a built store and measures, one request
at a time, the latency of an entity page and of ``ASK {}`` without load (median of
``--samples``). Then one client — its own address, 127.0.0.2, so that the server tells it from the
measuring client at 127.0.0.1 — keeps ``--slow`` slow queries (a triple cross product that runs
until the time limit) in flight for ``--seconds`` seconds, sending the next when one is answered:
after the ``Retry-After`` of a 429 (``--retry honour``, the default), or at once (``--retry asap``,
a client that ignores it and so floods the server with requests); meanwhile the page and
``ASK {}`` are measured again. Printed: the medians and maxima, their ratio to the unloaded
medians, and the status codes each side got. Every loop is bounded by time and count; nothing
leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import time
from collections import Counter
from pathlib import Path

import httpx2 as httpx

import web_latency  # the benchmark beside this one

PAGE = "/id/person/aliaksandr-alesin.html"
ASK = "ASK {}"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOAD_ADDRESS = "127.0.0.2"
#: Most requests each slow-query loop sends (besides the time limit).
MAX_PER_LOOP = 1_000


def serving(project: Path, store: Path | None,
            timeout: float) -> contextlib.AbstractContextManager[str]:
    """``hrgraph serve --timeout TIMEOUT`` on a free port of 127.0.0.1 (web_latency's)."""
    return web_latency.serving(project, store, "--timeout", str(timeout))


async def timed(client: httpx.AsyncClient, what: str) -> tuple[float, int]:
    """Seconds and status of one request for the page or for ``ASK {}``."""
    start = time.perf_counter()
    if what == "page":
        response = await client.get(PAGE, headers={"Accept": "text/html"})
    else:
        response = await client.get("/sparql", params={"query": ASK},
                                    headers={"Accept": "application/sparql-results+json"})
    return time.perf_counter() - start, response.status_code


async def sample(client: httpx.AsyncClient, what: str, count: int,
                 pause: float = 0.0) -> list[tuple[float, int]]:
    found = []
    for _ in range(count):
        found.append(await timed(client, what))
        await asyncio.sleep(pause)
    return found


async def slow_loop(client: httpx.AsyncClient, until: float, codes: Counter,
                    honour: bool) -> None:
    for _ in range(MAX_PER_LOOP):
        if time.perf_counter() >= until:
            return
        try:
            response = await client.get("/sparql", params={"query": SLOW})
        except httpx.TransportError as exc:
            codes[type(exc).__name__] += 1
            continue
        codes[response.status_code] += 1
        retry = response.headers.get("retry-after", "")
        if honour and retry.isdigit():
            await asyncio.sleep(min(float(retry), max(0.0, until - time.perf_counter())))


async def measure(base: str, slow: int, seconds: float, samples: int, timeout: float,
                  honour: bool = True) -> dict[str, object]:
    limits = httpx.Limits(max_connections=slow + 10, max_keepalive_connections=slow + 10)
    request_timeout = 3 * timeout + 30
    async with httpx.AsyncClient(base_url=base, timeout=request_timeout) as measuring, \
            httpx.AsyncClient(base_url=base, timeout=request_timeout, limits=limits,
                              transport=httpx.AsyncHTTPTransport(
                                  local_address=LOAD_ADDRESS, limits=limits)) as loading:
        for what in ("page", "ask"):
            await sample(measuring, what, 2)  # warm up
        unloaded = {what: await sample(measuring, what, samples) for what in ("page", "ask")}
        codes: Counter = Counter()
        until = time.perf_counter() + seconds
        load = [asyncio.ensure_future(slow_loop(loading, until, codes, honour))
                for _ in range(slow)]
        await asyncio.sleep(min(2.0, seconds / 4))  # let the flood fill the slots and the queue
        loaded: dict[str, list[tuple[float, int]]] = {"page": [], "ask": []}
        for _ in range(samples):
            if time.perf_counter() >= until:
                break
            for what in ("page", "ask"):
                loaded[what].append(await timed(measuring, what))
            await asyncio.sleep(0.2)
        await asyncio.gather(*load)
    return {"unloaded": unloaded, "loaded": loaded, "load_codes": dict(codes)}


def describe(name: str, unloaded: list[tuple[float, int]],
             loaded: list[tuple[float, int]]) -> str:
    base = statistics.median(t for t, _ in unloaded)
    if not loaded:
        return f"{name:<10} unloaded {1000 * base:8.1f} ms   loaded: no samples"
    median = statistics.median(t for t, _ in loaded)
    worst = max(t for t, _ in loaded)
    statuses = dict(Counter(code for _, code in loaded))
    return (f"{name:<10} unloaded {1000 * base:8.1f} ms   loaded median {1000 * median:8.1f} ms "
            f"(x{median / base:.1f})   max {1000 * worst:8.1f} ms (x{worst / base:.1f})   "
            f"status {statuses}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=50, help="slow queries kept in flight")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the load lasts")
    parser.add_argument("--samples", type=int, default=10, help="measurements of each")
    parser.add_argument("--timeout", type=float, default=10.0, help="the server's --timeout")
    parser.add_argument("--retry", choices=["honour", "asap"], default="honour",
                        help="after a 429: wait its Retry-After, or send again at once")
    parser.add_argument("--project", type=Path, default=Path("."))
    parser.add_argument("--store", type=Path)
    args = parser.parse_args(argv)
    with serving(args.project, args.store, args.timeout) as base:
        result = asyncio.run(measure(base, args.slow, args.seconds, args.samples, args.timeout,
                                     honour=args.retry == "honour"))
    print(f"{args.slow} slow queries in flight from {LOAD_ADDRESS} for {args.seconds:g} s "
          f"(after a 429: {args.retry}), server --timeout {args.timeout:g}, "
          f"{os.cpu_count()} CPUs")
    for name, key in (("page", "page"), ("ASK {}", "ask")):
        print(describe(name, result["unloaded"][key], result["loaded"][key]))
    print(f"slow queries answered: {result['load_codes']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
