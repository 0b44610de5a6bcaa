"""``hrgraph serve`` as a child process on a free port of 127.0.0.1, for the tools that drive a
real server: the screenshots, the latency benchmark and the web tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(project: Path, store: Path | None = None, *options: str, timeout: float = 60,
            env: Mapping[str, str] | None = None) -> Iterator[str]:
    """``hrgraph serve [OPTIONS]`` of ``project`` (over ``store``) while the block runs; yields
    its base URL (``http://127.0.0.1:PORT``) once it answers, and stops it afterwards.

    Raises:
        RuntimeError: the server stopped at start (with what it printed) or did not answer
            within ``timeout`` seconds.
    """
    port = free_port()
    command = [sys.executable, "-m", "hrgraph", "--project", str(project), "--quiet"]
    if store is not None:
        command += ["--store", str(store)]
    command += ["serve", "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError("hrgraph serve stopped: "
                                   + process.stderr.read().decode(errors="replace"))
            try:
                with urllib.request.urlopen(url + "/sparql", timeout=1):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"hrgraph serve did not answer within {timeout:g} s") \
                        from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()
