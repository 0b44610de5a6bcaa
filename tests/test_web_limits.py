"""The web server under load and abuse (issue 14): query slots waited for in the event loop,
429 with Retry-After instead of hanging or 503; failed merge tokens limited per client address;
long upload names; a service description that never repeats the Host header."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import uvicorn
from starlette.exceptions import HTTPException
from starlette.testclient import TestClient

from conftest import merged_by_the_test
from hrgraph.errors import UsageError
from hrgraph.project import Project
from hrgraph.web import WebSettings, create_app
from hrgraph.web import limits as web_limits
from hrgraph.web.limits import QuerySlots, client_address
from hrgraph.web.routes import sparql as sparql_route
from test_contribute import snapshot
from web_support import free_port

CONTRIBUTION = Path(__file__).resolve().parent / "data" / "contribution-demand.ttl"
TOKEN = "s3cret-merge-token"
SLOW = "ASK { ?slow ?p ?o }  # SLOW"
PAGE = "/id/person/aliaksandr-alesin.json"


# --------------------------------------------------------------------------- query slots


class Blocker:
    """Stands in for ``run_query`` in the /sparql route: a query with ``# SLOW`` blocks (in its
    thread, holding its slot) until :meth:`release`; any other runs for real."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.started = 0
        self.lock = threading.Lock()
        self.real = sparql_route.run_query

    def __call__(self, project, query, **kwargs):
        if "# SLOW" in query:
            with self.lock:
                self.started += 1
            self.released.wait(60)
            query = "ASK {}"
        return self.real(project, query, **kwargs)

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def blocker(monkeypatch) -> Iterator[Blocker]:
    blocker = Blocker()
    monkeypatch.setattr(sparql_route, "run_query", blocker)
    yield blocker
    blocker.release()


@pytest.fixture
def server(built_project: Project, blocker: Blocker) -> Iterator[str]:
    """The app under uvicorn in a thread: one event loop and anyio's real thread pool, as in
    ``hrgraph serve``. Two query slots, four places in the queue; X-Forwarded-For from
    127.0.0.1 names the client, so that several test clients can hold the slots."""
    app = create_app(built_project, WebSettings(query_workers=2, query_queue=4,
                                                query_timeout=10.0,
                                                trusted_proxies=("127.0.0.1",)))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            proxy_headers=False, lifespan="off")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not runner.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        blocker.release()
        runner.should_exit = True
        thread.join(30)


async def _flood(base: str, count: int) -> list[httpx.Response | Exception]:
    async with httpx.AsyncClient(base_url=base, timeout=40) as client:
        async def one(n: int) -> httpx.Response | Exception:
            try:
                return await client.get("/sparql", params={"query": SLOW},
                                        headers={"X-Forwarded-For": f"10.1.0.{n}"})
            except Exception as exc:  # reported by the test
                return exc
        return await asyncio.gather(*(one(n) for n in range(count)))


def test_with_every_query_slot_held_a_page_and_a_fresh_query_are_answered_at_once(
        server: str, blocker: Blocker, built_project: Project) -> None:
    """45 slow queries from 45 clients (more than anyio's 40 threads): two hold both slots,
    four wait, the rest are 429 at once; meanwhile an entity page is served and another
    client's query is 429 with Retry-After — nothing hangs, nothing is 503. (Before: every
    waiting query took a thread, and the page was 503 after the time limit.)"""
    results: list = []
    flood = threading.Thread(target=lambda: results.extend(asyncio.run(_flood(server, 45))))
    flood.start()
    deadline = time.monotonic() + 20
    while blocker.started < 2:  # both slots held by blocked queries
        assert time.monotonic() < deadline, "the slow queries did not start"
        time.sleep(0.05)
    time.sleep(0.5)  # let the rest arrive (queued or refused)

    with httpx.Client(base_url=server, timeout=30) as client:
        start = time.monotonic()
        page = client.get(PAGE, headers={"X-Forwarded-For": "10.2.0.1"})
        page_time = time.monotonic() - start
        start = time.monotonic()
        fresh = client.get("/sparql", params={"query": "ASK {}"},
                           headers={"X-Forwarded-For": "10.2.0.2",
                                    "Accept": "application/sparql-results+json"})
        fresh_time = time.monotonic() - start
    held = blocker.started
    blocker.release()
    flood.join(60)

    assert page.status_code == 200, page.text
    assert page_time < 5, page_time
    assert fresh.status_code == 429, fresh.text
    assert fresh.headers["retry-after"].isdigit() and int(fresh.headers["retry-after"]) >= 1
    assert "busy" in fresh.text
    assert fresh_time < 5, fresh_time
    assert held == 2  # never more than the slots
    codes = sorted(r.status_code if isinstance(r, httpx.Response) else repr(r) for r in results)
    assert len(codes) == 45 and set(codes) <= {200, 429}, codes
    assert codes.count(200) >= 2  # the held ones finished once released
    assert all(r.headers.get("retry-after") for r in results if r.status_code == 429)


def test_a_query_waits_for_a_slot_then_gets_429_or_runs(built_project: Project,
                                                       blocker: Blocker) -> None:
    """One slot, held: another client's query waits in the event loop for the time limit and
    is then 429 with Retry-After (not 503); a third finds the queue full (429 at once); once the
    slot is free, a query runs. The test client runs each request in an event loop of its own:
    the slots are not bound to one loop."""
    app = create_app(built_project, WebSettings(query_workers=1, query_queue=1,
                                                query_timeout=1.5))
    state = app.state.web
    held = threading.Thread(target=lambda: TestClient(app, client=("10.0.0.1", 1)).get(
        "/sparql", params={"query": SLOW}))
    held.start()
    deadline = time.monotonic() + 20
    while blocker.started < 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    answers: dict[str, tuple[int, str | None, float]] = {}

    def ask(name: str, address: str) -> None:
        start = time.monotonic()
        response = TestClient(app, client=(address, 1)).get("/sparql",
                                                            params={"query": "ASK {}"})
        answers[name] = (response.status_code, response.headers.get("retry-after"),
                         time.monotonic() - start)

    waiting = threading.Thread(target=ask, args=("waiting", "10.0.0.2"))
    waiting.start()
    while state.query_slots.waiting < 1:
        time.sleep(0.02)
    ask("queue full", "10.0.0.3")
    waiting.join(30)
    blocker.release()
    held.join(30)
    ask("after", "10.0.0.4")

    assert answers["queue full"][:2] == (429, "2") and answers["queue full"][2] < 1.0
    status, retry, elapsed = answers["waiting"]
    assert (status, retry) == (429, "2") and 1.4 < elapsed < 10
    assert answers["after"][0] == 200
    assert state.query_slots.running == 0 and state.query_slots.waiting == 0


def in_own_loop(coroutine):
    """Run ``coroutine`` in a loop of its own. Not asyncio.run: that replaces the main thread's
    current loop and then sets none, orphaning (unclosed) a loop that other code had set there;
    its ResourceWarning then failed a later test in the full suite."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def test_query_slots_keep_one_for_other_clients_and_hand_over_in_order() -> None:
    async def scenario() -> list[str]:
        slots = QuerySlots(2, 8)
        order: list[str] = []
        await slots.acquire("a", 5)
        assert slots.running == 1

        async def later(client: str) -> None:
            await slots.acquire(client, 5)
            order.append(client)

        second_a = asyncio.ensure_future(later("a"))  # a may run one only: it waits
        await asyncio.sleep(0.05)
        assert not second_a.done() and slots.waiting == 1
        await slots.acquire("b", 5)  # the slot kept for other clients
        order.append("b")
        third = asyncio.ensure_future(later("c"))
        await asyncio.sleep(0.05)
        assert slots.waiting == 2
        slots.release("a")  # a's first query ends: its waiting query runs
        await asyncio.sleep(0.05)
        assert second_a.done()
        slots.release("b")
        await asyncio.sleep(0.05)
        assert third.done()
        slots.release("a")
        slots.release("c")
        assert slots.running == 0 and slots.waiting == 0
        return order

    assert in_own_loop(scenario()) == ["b", "a", "c"]


def test_query_slots_refuse_a_full_queue_and_a_clients_share_at_once() -> None:
    async def scenario() -> None:
        slots = QuerySlots(1, 4)  # one waiting query per client
        await slots.acquire("a", 5)
        waiter = asyncio.ensure_future(slots.acquire("b", 5))
        await asyncio.sleep(0.02)
        with pytest.raises(HTTPException) as refused:
            await slots.acquire("b", 5)  # b's share of the queue is used
        assert refused.value.status_code == 429
        assert refused.value.headers == {"Retry-After": "5"}
        impatient = [asyncio.ensure_future(slots.acquire(client, 0.2)) for client in "cde"]
        await asyncio.sleep(0.02)
        with pytest.raises(HTTPException):
            await slots.acquire("f", 5)  # four wait: the queue is full
        gave_up = await asyncio.gather(*impatient, return_exceptions=True)
        assert [getattr(e, "status_code", e) for e in gave_up] == [429, 429, 429]
        assert slots.waiting == 1
        waiter.cancel()  # a cancelled wait leaves the queue
        await asyncio.sleep(0.02)
        assert slots.waiting == 0
        slots.release("a")
        assert slots.running == 0

    in_own_loop(scenario())


# --------------------------------------------------------------------------- merge tokens


def post(client: TestClient, token: str, *, forwarded: str | None = None,
         name: str = "contribution-demand.ttl"):
    headers = {"Accept": "application/json"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    return client.post("/contribute", data={"token": token, "contributor": "web test"},
                       files={"file": (name, CONTRIBUTION.read_bytes(), "text/turtle")},
                       headers=headers)


def test_failed_merge_tokens_are_limited_per_client_address(built_copy: Project,
                                                            monkeypatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(web_limits.time, "monotonic", lambda: now[0])
    app = create_app(built_copy, WebSettings(merge_token=TOKEN))
    guesser = TestClient(app, client=("192.0.2.7", 4000))
    before = snapshot(built_copy)
    for _ in range(5):
        assert post(guesser, "guess").status_code == 401
        now[0] += 1
    refused = post(guesser, "guess")
    assert refused.status_code == 429
    assert "wrong merge tokens" in refused.json()["error"]
    assert 50 <= int(refused.headers["retry-after"]) <= 60
    # the right token does not get through either, and a forged header changes nothing
    assert post(guesser, TOKEN).status_code == 429
    assert post(guesser, "guess", forwarded="198.51.100.1").status_code == 429
    assert snapshot(built_copy) == before
    # another address is not affected
    assert post(TestClient(app, client=("192.0.2.8", 4000)), "guess").status_code == 401
    now[0] += 61  # a minute after the first failure
    assert post(guesser, "guess").status_code == 401


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(built_copy: Project) -> None:
    app = create_app(built_copy, WebSettings(merge_token=TOKEN, merge_failures_per_minute=2,
                                             trusted_proxies=("127.0.0.1",)))
    proxy = TestClient(app, client=("127.0.0.1", 4000))
    for _ in range(2):
        assert post(proxy, "guess", forwarded="203.0.113.5").status_code == 401
    assert post(proxy, "guess", forwarded="203.0.113.5").status_code == 429
    assert post(proxy, "guess", forwarded="203.0.113.6").status_code == 401
    # what a client wrote in front of the proxy's entry is not believed
    assert post(proxy, "guess", forwarded="203.0.113.6, 203.0.113.5").status_code == 429


def test_client_address() -> None:
    settings = WebSettings(trusted_proxies=("10.0.0.0/8", "::1"))

    def scope(peer: str, *forwarded: str) -> dict:
        return {"client": (peer, 1), "headers": [(b"x-forwarded-for", f.encode())
                                                 for f in forwarded]}

    assert client_address(scope("192.0.2.1", "1.2.3.4"), settings) == "192.0.2.1"
    assert client_address(scope("10.1.1.1", "1.2.3.4"), settings) == "1.2.3.4"
    assert client_address(scope("::1", "6.6.6.6, 1.2.3.4, 10.0.0.9"), settings) == "1.2.3.4"
    assert client_address(scope("10.1.1.1", "1.2.3.4", "5.6.7.8"), settings) == "5.6.7.8"
    assert client_address(scope("10.1.1.1"), settings) == "10.1.1.1"
    assert client_address(scope("::ffff:192.0.2.1"), settings) == "192.0.2.1"
    assert client_address(scope("192.0.2.1", "1.2.3.4"), WebSettings()) == "192.0.2.1"
    assert len(client_address(scope("10.1.1.1", "x" * 5000), settings)) <= 64


# --------------------------------------------------------------------------- upload names


def test_a_300_character_upload_name_is_accepted_shortened(built_copy: Project) -> None:
    name = "a" * 296 + ".ttl"
    app = create_app(built_copy, WebSettings(merge_token=TOKEN))
    client = TestClient(app)
    checked = client.post("/validate", files={"file": (name, CONTRIBUTION.read_bytes())},
                          headers={"Accept": "application/json"})
    assert checked.status_code == 200, checked.text
    assert checked.json()["filename"] == "a" * 96 + ".ttl"
    merged = post(client, TOKEN, name=name)
    assert merged.status_code == 200, merged.text
    [merged] = merged_by_the_test(built_copy)
    record = merged.read_text("utf-8")
    assert "a" * 96 + ".ttl" in record and "a" * 97 not in record


@pytest.mark.parametrize("name", ["é" * 300 + ".ttl", "x." + "t" * 300, "bad\x00name.ttl",
                                  "\x1b[31m.ttl"])
def test_odd_upload_names_give_a_clear_answer(built_copy: Project, name: str) -> None:
    client = TestClient(create_app(built_copy, WebSettings(merge_token=TOKEN)))
    for path in ("/validate", "/contribute"):
        response = client.post(path, data={"token": TOKEN},
                               files={"file": (name, CONTRIBUTION.read_bytes())},
                               headers={"Accept": "application/json"})
        assert response.status_code in (200, 400), response.text
        model = response.json()
        assert len(model["filename"].encode()) <= 100
        assert "\x00" not in model["filename"] and "\x1b" not in model["filename"]
        if response.status_code == 400:
            assert "hrgraph reads RDF files ending in" in model["error"]
            assert len(model["error"]) < 400


# --------------------------------------------------------------------------- service description


def test_the_service_description_never_repeats_the_host_header(built_project: Project,
                                                               tmp_path: Path) -> None:
    client = TestClient(create_app(built_project))
    response = client.get("/sparql", headers={"Host": "evil.example:666",
                                              "Accept": "text/turtle"})
    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert "<http://127.0.0.1/sparql>" in response.text

    configured = TestClient(create_app(built_project, WebSettings(
        public_base_url="https://hrgraph.example.org/")))
    response = configured.get("/sparql", headers={"Host": "evil.example",
                                                  "Accept": "text/turtle"})
    assert "evil.example" not in response.text
    assert "<https://hrgraph.example.org/sparql>" in response.text


def test_the_service_description_names_the_listening_port(server: str) -> None:
    response = httpx.get(server + "/sparql", headers={"Host": "evil.example",
                                                      "Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert f"<{server}/sparql>" in response.text


def test_web_settings_from_hrgraph_toml(built_copy: Project) -> None:
    (built_copy.root / "hrgraph.toml").write_text(
        '[web]\npublic_base_url = "https://data.example.org/hr/"\nquery_queue = 3\n'
        'trusted_proxies = ["10.0.0.1"]\n', encoding="utf-8")
    project = Project.open(built_copy.root, store=built_copy.store_path)
    app = create_app(project)
    settings = app.state.web.settings
    assert settings.query_queue == 3 and settings.trusted_proxies == ("10.0.0.1",)
    response = TestClient(app).get("/sparql", headers={"Accept": "text/turtle"})
    assert "<https://data.example.org/hr/sparql>" in response.text
    # a value given by the caller wins
    assert create_app(project, WebSettings(query_queue=7)).state.web.settings.query_queue == 7


@pytest.mark.parametrize("settings", [{"public_base_url": "javascript:alert(1)"},
                                      {"public_base_url": "https://x.org/?q"},
                                      {"trusted_proxies": ("not an address",)},
                                      {"trusted_proxies": "127.0.0.1"},
                                      {"query_queue": 0}])
def test_bad_web_settings_are_refused(settings: dict) -> None:
    with pytest.raises(UsageError):
        WebSettings(**settings)


# --------------------------------------------------------------------------- the benchmark


def test_the_load_benchmark_runs(built_project: Project, capsys) -> None:
    """benchmarks/query_load.py end to end, briefly (its timings are printed, never checked)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        import query_load
    finally:
        sys.path.pop(0)
    assert query_load.main(["--slow", "6", "--seconds", "4", "--samples", "2", "--timeout", "1",
                            "--project", str(built_project.root),
                            "--store", str(built_project.store_path)]) == 0
    out = capsys.readouterr().out
    assert "page" in out and "ASK {}" in out and "(x" in out and "slow queries answered" in out


def test_hrgraph_serve_does_not_let_uvicorn_believe_x_forwarded_for(built_copy: Project,
                                                                      monkeypatch) -> None:
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 by default, which would give every guess a
    fresh address; ``hrgraph serve`` switches that off (only [web] trusted_proxies decides)."""
    from web_support import running_server

    monkeypatch.setenv("HRGRAPH_MERGE_TOKEN", TOKEN)
    files = {"file": ("c.ttl", CONTRIBUTION.read_bytes(), "text/turtle")}
    with running_server(built_copy) as url:
        answers = [httpx.post(url + "/contribute", data={"token": "guess"}, files=files,
                              headers={"Accept": "application/json",
                                       "X-Forwarded-For": f"203.0.113.{n}"}, timeout=60)
                   for n in range(6)]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
