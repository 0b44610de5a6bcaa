"""Real SPARQL servers started on 127.0.0.1 for the tests and the benchmarks: the Oxigraph server
(the ``oxigraph`` package's binary) and Virtuoso Open Source 7 (Debian's ``virtuoso-t``).

Each is a context manager that yields the server's base URL once it answers, or None when its
program is not installed (the tests turn that into a skip, or a failure under ``CI=true``), and
stops the server afterwards.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from hrgraph.web.serving import free_port

VIRTUOSO = Path("/usr/bin/virtuoso-t")
#: The user of a new Virtuoso database, with its initial password.
VIRTUOSO_USER = ("dba", "dba")


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server of the ``oxigraph`` package (next to this Python), if any."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def _answering(process: subprocess.Popen, url: str, what: str, log: Path | None = None,
               seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} stopped at start {tail}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=1).is_success:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer in {seconds:g} s")
        time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_oxigraph(location: Path) -> Iterator[str | None]:
    """An Oxigraph server with its union default graph, storing in ``location``."""
    binary = oxigraph_binary()
    if binary is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _answering(process, f"{base}/query", "the oxigraph server")
        yield base
    finally:
        _stop(process)


def virtuoso_ini(location: Path, sql_port: int, http_port: int, *, buffers: int = 20000) -> str:
    """A ``virtuoso.ini`` keeping everything in ``location``, listening on 127.0.0.1 only.

    ``ResultSetMaxRows``, ``MaxQueryExecutionTime`` and ``MaxQueryCostEstimationTime`` are 0: the
    package's defaults (10,000 rows, 60 s) cut answers short without an error, which would make
    a saved query answer differently from the embedded store. ``buffers`` pages of 8 kB hold
    the data in memory."""
    return f"""[Database]
DatabaseFile = {location}/virtuoso.db
ErrorLogFile = {location}/virtuoso.log
LockFile = {location}/virtuoso.lck
TransactionFile = {location}/virtuoso.trx
xa_persistent_file = {location}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {location}/virtuoso-temp.db
TransactionFile = {location}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {location}
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 0
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


@contextlib.contextmanager
def running_virtuoso(location: Path, *, buffers: int = 20000) -> Iterator[str | None]:
    """Virtuoso with a new database in ``location`` (user and password:
    :data:`VIRTUOSO_USER`)."""
    if not VIRTUOSO.exists():
        yield None
        return
    location.mkdir(parents=True, exist_ok=True)
    http_port = free_port()
    ini = location / "virtuoso.ini"
    ini.write_text(virtuoso_ini(location, free_port(), http_port, buffers=buffers),
                   encoding="utf-8")
    process = subprocess.Popen([str(VIRTUOSO), "+configfile", str(ini), "+foreground"],
                               cwd=location, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _answering(process, f"{base}/sparql", "Virtuoso", location / "virtuoso.log")
        yield base
    finally:
        _stop(process)
