"""Run one SPARQL query, in this process or in a worker process that can be stopped.

pyoxigraph has no query timeout, so :func:`hrgraph.query.run_query` runs the query in a child
process and terminates it at the time limit. This module is what the child imports: it needs
pyoxigraph only, so that a fresh worker starts quickly.

The parent never opens the store for a query: the worker opens it read-only
(``Store.read_only``), so a query can never write, and the parent holds no lock that a
concurrent ``hrgraph build`` would trip over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox


@dataclass
class RawResult:
    """What a query returned, in picklable pieces (pyoxigraph terms pickle)."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False


def execute(store: ox.Store, sparql: str, substitutions: dict[str, Any] | None,
            limit: int | None) -> RawResult:
    """Run ``sparql`` on ``store`` over the union of its graphs; keep at most ``limit`` rows.

    Raises:
        SyntaxError: the query does not parse.
        OSError: the store cannot be read.
    """
    subs = {ox.Variable(name): term for name, term in (substitutions or {}).items()}
    answer = store.query(sparql, substitutions=subs or None, use_default_graph_as_union=True)
    if isinstance(answer, ox.QueryBoolean):
        return RawResult("ask", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        triples: list[ox.Triple] = []
        for triple in answer:
            if limit is not None and len(triples) >= limit:
                return RawResult("graph", triples=triples, truncated=True)
            triples.append(triple)
        return RawResult("graph", triples=triples)
    variables = [v.value for v in answer.variables]
    rows: list[tuple[Any, ...]] = []
    for solution in answer:
        if limit is not None and len(rows) >= limit:
            return RawResult("select", variables, rows, truncated=True)
        rows.append(tuple(solution[i] for i in range(len(variables))))
    return RawResult("select", variables, rows)


def worker_main(connection: Any, store_path: str, sparql: str,
                substitutions: dict[str, Any] | None, limit: int | None) -> None:
    """Entry point of the worker process: open read-only, say "ready", run, send the answer."""
    try:
        store = ox.Store.read_only(store_path)
    except OSError as exc:
        connection.send(("store-error", str(exc)))
        return
    connection.send(("ready", None))
    try:
        result = execute(store, sparql, substitutions, limit)
    except SyntaxError as exc:
        connection.send(("syntax-error", str(exc)))
    except OSError as exc:
        connection.send(("store-error", str(exc)))
    except Exception as exc:  # an evaluation error of the engine: report, never hang the parent
        connection.send(("query-error", f"{type(exc).__name__}: {exc}"))
    else:
        connection.send(("result", result))
    finally:
        connection.close()
