"""hrgraph.store: opening, locking, swapping, dumping — on real pyoxigraph stores on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest

from hrgraph import store as stores
from hrgraph.errors import StoreError
from hrgraph.project import Project

EX = "http://example.org/"


def quad(n: int, graph: str = EX + "g") -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(EX + "p"), ox.Literal(str(n)),
                   ox.NamedNode(graph))


def test_reading_a_missing_store_says_to_build(mini_project: Project) -> None:
    with pytest.raises(StoreError, match="hrgraph build") as info:
        stores.open_store(mini_project, read_only=True)
    assert info.value.exit_code == 3
    assert not mini_project.store_path.exists()


def test_a_store_locked_by_another_process(mini_project: Project) -> None:
    holder = stores.open_store(mini_project)
    code = ("from hrgraph.project import Project; from hrgraph.store import open_store\n"
            "from hrgraph.errors import StoreError\n"
            f"try: open_store(Project.open({str(mini_project.root)!r}, "
            f"store={str(mini_project.store_path)!r}))\n"
            "except StoreError as e: print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "in use by another process" in done.stdout, done.stderr
    del holder


def test_a_locked_store_can_still_be_read(mini_project: Project) -> None:
    holder = stores.open_store(mini_project)
    holder.add(quad(1))
    holder.flush()
    code = ("from hrgraph.project import Project; from hrgraph.store import open_store\n"
            f"print(len(open_store(Project.open({str(mini_project.root)!r}, "
            f"store={str(mini_project.store_path)!r}), read_only=True)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "1", done.stderr
    del holder


def test_an_unwritable_store_place(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot write the store") as info:
        stores.create_store(blocker / "store")
    assert info.value.exit_code == 3


def test_dump_is_sorted_and_repeatable() -> None:
    one, two = ox.Store(), ox.Store()
    one.extend([quad(2), quad(1), quad(3)])
    two.extend([quad(3), quad(1), quad(2)])
    dump = stores.dump_nquads(one)
    assert dump == stores.dump_nquads(two)
    lines = dump.splitlines()
    assert lines == sorted(lines) and len(lines) == 3


def test_graph_counts() -> None:
    store = ox.Store()
    store.extend([quad(1), quad(2), quad(3, EX + "h")])
    assert stores.graph_counts(store) == {EX + "g": 2, EX + "h": 1}


def test_queries_see_the_union_of_graphs() -> None:
    store = ox.Store()
    store.extend([quad(1), quad(2, EX + "h")])
    rows = stores.query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert next(iter(rows))["n"].value == "2"


def test_replace_store_swaps_and_cleans_up(mini_project: Project) -> None:
    old = stores.create_store(mini_project.store_path)
    old.add(quad(1))
    stores.close(old)
    del old
    new_path = stores.new_store_path(mini_project)
    new = stores.create_store(new_path)
    new.add(quad(2))
    stores.close(new)
    del new
    stores.replace_store(mini_project, new_path)
    reopened = stores.open_store(mini_project, read_only=True)
    assert [q.subject.value for q in reopened] == [EX + "s2"]
    siblings = [p.name for p in mini_project.store_path.parent.iterdir()]
    assert [name for name in siblings if name.startswith("store")] == ["store"]


def test_replace_store_refuses_a_locked_store(mini_project: Project) -> None:
    # Another process (an Oxigraph server, say) holds the store open for writing. The check
    # reads RocksDB's lock without opening the store, so it sees other processes only.
    holder = stores.open_store(mini_project)
    holder.add(quad(1))
    stores.close(holder)
    del holder
    code = ("import sys, pyoxigraph as ox\n"
            f"s = ox.Store({str(mini_project.store_path)!r}); print('open', flush=True)\n"
            "sys.stdin.read()\n")
    with subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as other:
        assert other.stdout.readline().strip() == "open"
        new_path = stores.new_store_path(mini_project)
        stores.close(stores.create_store(new_path))
        with pytest.raises(StoreError, match="in use"):
            stores.replace_store(mini_project, new_path)
        other.stdin.close()
        other.wait(timeout=30)
    assert [q.subject.value for q in stores.open_store(mini_project, read_only=True)] == [
        EX + "s1"]
    stores.discard(new_path)


def test_generations_are_published_by_one_link_and_collected(mini_project: Project) -> None:
    live = mini_project.store_path
    for n in range(5):
        new_path = stores.new_store_path(mini_project)
        store = stores.create_store(new_path)
        store.add(quad(n))
        stores.close(store)
        del store
        stores.replace_store(mini_project, new_path)
        assert live.is_symlink()
        assert [q.subject.value for q in stores.open_store(mini_project, read_only=True)] == [
            f"{EX}s{n}"]
    folder = stores.generations_dir(live)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"{n:06d}" for n in range(1, 6)]  # all published within the grace time
    deleted = stores.collect_generations(live, now=time.time() + stores.GRACE_SECONDS + 1)
    assert deleted == ["000001", "000002"]
    assert sorted(p.name for p in folder.iterdir()) == ["000003", "000004", "000005"]
    assert stores.current_generation(live) == str(folder / "000005")


def test_a_reader_keeps_its_generation_while_a_copy_is_changed(mini_project: Project) -> None:
    store = stores.create_store(mini_project.store_path)
    store.extend([quad(n) for n in range(100)])
    stores.close(store)
    del store
    reader = stores.open_store(mini_project, read_only=True)
    def change(copy: ox.Store) -> None:
        copy.add(quad(1000))
        copy.remove(quad(0))

    with stores.writer_lock(mini_project):
        stores.rewrite(mini_project, change)
    assert len(reader) == 100 and quad(0) in reader  # the old generation, unchanged
    fresh = stores.open_store(mini_project, read_only=True)
    assert len(fresh) == 100 and quad(1000) in fresh and quad(0) not in fresh


def test_a_failed_rewrite_publishes_nothing(mini_project: Project) -> None:
    store = stores.create_store(mini_project.store_path)
    store.add(quad(1))
    stores.close(store)
    del store
    def change(copy: ox.Store) -> None:
        copy.add(quad(2))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError), stores.writer_lock(mini_project):
        stores.rewrite(mini_project, change)
    assert [q.subject.value for q in stores.open_store(mini_project, read_only=True)] == [
        EX + "s1"]
    assert [p.name for p in mini_project.store_path.parent.iterdir()
            if p.name.startswith("store.new")] == []


def test_a_killed_build_leaves_no_unfinished_store_behind(mini_project: Project) -> None:
    """Regression: ``store.new-*`` folders of a killed build were never cleaned up."""
    from hrgraph.build import build

    build(mini_project)
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = int(child.stdout)  # a process id that has ended
    live = mini_project.store_path
    abandoned = live.with_name(f"{live.name}.new-{dead}-1")
    stores.create_store(abandoned).flush()
    link = live.with_name(f".{live.name}.link-{dead}")
    link.symlink_to("nowhere")
    mine = live.with_name(f"{live.name}.new-{os.getpid()}-999")  # a running writer's: kept
    mine.mkdir()
    build(mini_project, full=True)
    assert not abandoned.exists() and not link.is_symlink()
    assert mine.exists()
