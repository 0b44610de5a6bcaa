"""The second line: the query worker cannot reach the network, even when the guard is bypassed.

These tests call the worker directly (``query._run_in_worker``), with no guard in front, and
give it a query whose SERVICE points at a loopback listener.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import pytest

from conftest import require
from hrgraph import _query_worker, query
from hrgraph.errors import HrgraphError, StoreError


def service_query(port: int) -> str:
    return f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"


def run_unguarded(project, sparql: str, *, allow_network: bool):
    return query._run_in_worker(project.store_path, sparql, None, 10, 20, None, None,
                                allow_network=allow_network)


CHILD = textwrap.dedent("""
    import socket, sys
    from hrgraph import _query_worker
    mechanism = {how}
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close()
        print(mechanism, "connected")
    except OSError as exc:
        print(mechanism, "refused", exc.errno)
""")


def in_child(how: str, port: int) -> str:
    done = subprocess.run([sys.executable, "-c", CHILD.format(how=how), str(port)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_worker_cannot_connect_with_the_guard_bypassed(built_project, tcp):
    with pytest.raises(HrgraphError):
        run_unguarded(built_project, service_query(tcp.port), allow_network=False)
    assert tcp.settled() == 0


def test_worker_connects_when_service_is_allowed(built_project, tcp):
    """Positive control: the same call does reach the listener when the network is allowed."""
    with pytest.raises(HrgraphError):  # the listener hangs up: the SERVICE call fails
        run_unguarded(built_project, service_query(tcp.port), allow_network=True)
    assert tcp.settled() >= 1


def test_queries_still_answer_in_the_sandbox(built_project):
    raw = run_unguarded(built_project, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                        allow_network=False)
    assert int(raw.rows[0][0].value) > 0


def test_seccomp_refuses_sockets(tcp):
    require(_seccomp_works(), "seccomp with libseccomp (Debian: libseccomp2)")
    assert in_child("_query_worker.forbid_network()", tcp.port) == "seccomp refused 13"
    assert tcp.settled() == 0


def test_network_namespace_refuses_connections(tcp):
    """The fallback where seccomp is missing: a new network namespace with loopback down."""
    require(_netns_works(), "network namespaces (root, or unprivileged user namespaces)")
    answer = in_child("_query_worker._unshare_network() or 'netns'", tcp.port)
    assert answer.startswith("netns refused")
    assert tcp.settled() == 0


def test_the_check_itself_connects_without_a_sandbox(tcp):
    """Positive control for the two tests above."""
    assert in_child("'none'", tcp.port) == "none connected"
    assert tcp.settled() == 1


def test_without_any_mechanism_the_worker_refuses(built_project, tcp):
    """No seccomp, no namespace: the worker answers with a refusal and runs nothing."""
    request = pickle.dumps((str(built_project.store_path), service_query(tcp.port), None, 10,
                            None, None, False, None))
    code = textwrap.dedent("""
        import sys
        from hrgraph import _query_worker
        def unavailable(*args):
            raise OSError("not on this machine")
        _query_worker._seccomp_no_sockets = _query_worker._unshare_network = unavailable
        _query_worker.main()
    """)
    env = {k: v for k, v in os.environ.items() if k != _query_worker.SANDBOX_SETTING}
    done = subprocess.run([sys.executable, "-c", code], input=request, capture_output=True,
                          timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    kind, reason = pickle.loads(done.stdout[8:])
    assert kind == "sandbox-error" and "not on this machine" in reason
    assert tcp.settled() == 0


def test_the_refusal_tells_how_to_opt_out(built_project, monkeypatch):
    monkeypatch.setattr(query, "_worker_command", lambda: [sys.executable, "-c", textwrap.dedent(
        """
        from hrgraph import _query_worker
        def unavailable(*args):
            raise OSError("not on this machine")
        _query_worker._seccomp_no_sockets = _query_worker._unshare_network = unavailable
        _query_worker.main()
        """)])
    with pytest.raises(StoreError, match=f"{_query_worker.SANDBOX_SETTING}=off"):
        query.run_query(built_project, "ASK {}")


def test_opting_out_runs_without_the_sandbox(built_project, tcp, monkeypatch):
    monkeypatch.setenv(_query_worker.SANDBOX_SETTING, "off")
    with pytest.raises(HrgraphError):
        run_unguarded(built_project, service_query(tcp.port), allow_network=False)
    assert tcp.settled() >= 1


def _seccomp_works() -> bool:
    return _child_succeeds("_query_worker._seccomp_no_sockets()")


def _netns_works() -> bool:
    return _child_succeeds("_query_worker._unshare_network()")


def _child_succeeds(call: str) -> bool:
    done = subprocess.run([sys.executable, "-c", f"from hrgraph import _query_worker; {call}"],
                          capture_output=True, timeout=60)
    return done.returncode == 0
