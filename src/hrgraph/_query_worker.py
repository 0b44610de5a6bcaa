"""Run one SPARQL query, in this process or in a worker process that can be stopped.

pyoxigraph has no query timeout, so :func:`hrgraph.query.run_query` runs the query in a child
process and terminates it at the time limit. This module is what the child imports: it needs
pyoxigraph only, so that a fresh worker starts quickly.

The parent never opens the store for a query: the worker opens it read-only
(``Store.read_only``), so a query can never write, and the parent holds no lock that a
concurrent ``hrgraph build`` would trip over (``build`` writes a new store and swaps it in by
renaming, so a worker keeps reading the store it opened).

The worker is started as a plain script (``python -c "runpy.run_path(...)"``), not through
:mod:`multiprocessing`: it then imports only pyoxigraph (about 40 ms, where importing the
``hrgraph`` package pulls in rdflib, about 0.5 s), and it never re-imports the caller's
``__main__``, which multiprocessing's spawn and forkserver do, and which breaks a script that calls
:func:`hrgraph.query.run_query` without an ``if __name__ == "__main__":`` guard. So this module
must import nothing from ``hrgraph``.

**No network.** Unless the request allows ``SERVICE``, the worker shuts itself off from the network
before it opens the store or reads the query: a seccomp filter (libseccomp through ``pyseccomp``,
after ``no_new_privs``, so it works unprivileged and in containers) makes ``socket()`` fail for
every address family but ``AF_UNIX`` and refuses ``io_uring_setup`` (io_uring can open sockets
without the ``socket`` system call). Where seccomp cannot be had, a new network namespace
(``unshare(CLONE_NEWNET)``, as root or inside a new user namespace) leaves only a loopback
interface that is down. Where neither works the worker refuses to run the query, unless
``HRGRAPH_QUERY_SANDBOX=off`` says to run without. This holds even for a query that got past
:mod:`hrgraph.guard`: it is the second line, not the first.
"""

from __future__ import annotations

import errno
import os
import pickle
import resource
import socket
import struct
import sys
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
            limit: int | None, hidden: str | None = None,
            dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> RawResult:
    """Run ``sparql`` on ``store`` over the union of its graphs; keep at most ``limit`` rows.

    ``dataset`` is the query's own ``FROM`` / ``FROM NAMED`` graphs (from
    :func:`hrgraph.guard.query_dataset`): then those graphs of the store are read instead of the
    union. Graphs whose IRI starts with ``hidden`` (the private graphs of confidential
    contributions) are left out of the default graph and of ``GRAPH ?g`` either way: the dataset
    given here overrides the query's, so no query text can reach them.

    Raises:
        SyntaxError: the query does not parse.
        OSError: the store cannot be read.
    """
    subs = {ox.Variable(name): term for name, term in (substitutions or {}).items()}
    answer = store.query(sparql, substitutions=subs or None, **_dataset(store, hidden, dataset))
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


def _dataset(store: ox.Store, hidden: str | None,
             dataset: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> dict[str, Any]:
    """Keyword arguments of ``Store.query``: the query's own dataset, or the union of the
    graphs, either way without the graphs under ``hidden``."""
    if dataset is not None:
        def visible(iris: tuple[str, ...]) -> list[ox.NamedNode]:
            return [ox.NamedNode(i) for i in iris if hidden is None or not i.startswith(hidden)]
        return {"default_graph": visible(dataset[0]), "named_graphs": visible(dataset[1])}
    if hidden is None:
        return {"use_default_graph_as_union": True}
    graphs = list(store.named_graphs())
    public = [g for g in graphs if not (isinstance(g, ox.NamedNode) and g.value.startswith(hidden))]
    if len(public) == len(graphs):
        return {"use_default_graph_as_union": True}
    return {"default_graph": public, "named_graphs": public}


#: Set to ``off`` to run queries where the worker cannot cut itself off from the network.
SANDBOX_SETTING = "HRGRAPH_QUERY_SANDBOX"


class SandboxUnavailable(OSError):
    """Neither seccomp nor a network namespace could cut the worker off from the network."""


def forbid_network() -> str:
    """Make this process (and every thread it starts later) unable to open network sockets.

    Returns:
        Which mechanism holds: ``"seccomp"`` or ``"netns"``.

    Raises:
        SandboxUnavailable: saying what was tried.
    """
    reasons = []
    try:
        _seccomp_no_sockets()
        return "seccomp"
    except Exception as exc:  # no libseccomp, no pyseccomp, a kernel without seccomp
        reasons.append(f"seccomp: {type(exc).__name__}: {exc}")
    try:
        _unshare_network()
        return "netns"
    except OSError as exc:
        reasons.append(f"network namespace: {exc}")
    raise SandboxUnavailable("; ".join(reasons))


def _seccomp_no_sockets() -> None:
    import pyseccomp as seccomp

    rules = seccomp.SyscallFilter(seccomp.ALLOW)  # sets no_new_privs itself (SCMP_FLTATR_CTL_NNP)
    rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket",
                   seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
    rules.load()


def _unshare_network() -> None:
    import ctypes
    import ctypes.util

    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    # As root a network namespace alone; otherwise inside a new user namespace.
    flags = clone_newnet if os.geteuid() == 0 else clone_newuser | clone_newnet
    if libc.unshare(flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def limit_memory(size: int) -> None:
    """Let this process allocate at most ``size`` bytes of data (``RLIMIT_DATA``: the heap and
    private writable mappings, not the store's files): a query that would exhaust the machine's
    memory stops here (the engine aborts on a failed allocation) instead of making the kernel
    kill some other process. Never above the hard limit already set."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        size = min(size, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (size, hard))


def _send(stream: Any, *message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(data)) + data)
    stream.flush()


def main() -> None:
    """Worker entry point: read one request from stdin, answer on stdout.

    Request: a pickled ``(store_path, sparql, substitutions, limit, hidden, dataset,
    allow_network, memory)``, ``memory`` the bytes of data the worker may allocate, or None.
    Answers are length-prefixed pickles: ``("ready",)`` once the store is open,
    then ``("result", fields)`` or ``(error_kind, message)``.
    """
    out = sys.stdout.buffer
    (store_path, sparql, substitutions, limit, hidden, dataset, allow_network,
     memory) = pickle.load(sys.stdin.buffer)
    if memory is not None:
        limit_memory(memory)
    if not allow_network and os.environ.get(SANDBOX_SETTING, "").lower() != "off":
        try:
            forbid_network()
        except SandboxUnavailable as exc:
            _send(out, "sandbox-error", str(exc))
            return
    try:
        # The generation the store link points to now (hrgraph.store): never the link itself.
        store = ox.Store.read_only(os.path.realpath(store_path))
    except OSError as exc:
        _send(out, "store-error", str(exc))
        return
    _send(out, "ready")
    try:
        result = execute(store, sparql, substitutions, limit, hidden, dataset)
    except SyntaxError as exc:
        _send(out, "syntax-error", str(exc))
    except MemoryError:
        _send(out, "memory-error", "")
    except OSError as exc:
        _send(out, "store-error", str(exc))
    except Exception as exc:  # an evaluation error of the engine: report, never hang the parent
        _send(out, "query-error", f"{type(exc).__name__}: {exc}")
    else:
        _send(out, "result", vars(result))


if __name__ == "__main__":
    main()
