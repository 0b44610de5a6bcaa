"""Progress bars: drawn on a terminal with rate and time left; never quiet or off a terminal."""

from __future__ import annotations

import io

import pytest

from hrgraph import progress


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _unsilenced(monkeypatch):
    monkeypatch.delenv("HRGRAPH_PROGRESS", raising=False)
    progress.silence(False)
    yield
    progress.silence(False)


def _draw(stream) -> str:
    with progress.bar(total=1000, desc="loading", unit="triples", stream=stream,
                      mininterval=0) as shown:
        for _ in range(10):
            shown.update(100)
    return stream.getvalue()


def test_a_terminal_gets_a_bar_with_rate_and_time_left():
    drawn = _draw(Terminal())
    assert "loading" in drawn and "1.00k/1.00k" in drawn
    assert "triples/s" in drawn  # the rate
    assert "<00:00" in drawn  # time left


def test_no_bar_off_a_terminal():
    assert _draw(io.StringIO()) == ""


def test_no_bar_when_silenced_or_switched_off(monkeypatch):
    progress.silence()
    assert _draw(Terminal()) == ""
    progress.silence(False)
    monkeypatch.setenv("HRGRAPH_PROGRESS", "0")
    assert _draw(Terminal()) == ""


def test_sizes_in_bytes():
    stream = Terminal()
    with progress.bar(total=3 * 1024 * 1024, desc="reading", bytes_=True, stream=stream,
                      mininterval=0) as shown:
        shown.update(3 * 1024 * 1024)
    assert "3.00M/3.00M" in stream.getvalue()


def test_quiet_option_silences_bars(tmp_path):
    from click.testing import CliRunner

    from hrgraph.cli import main

    CliRunner().invoke(main, ["--project", str(tmp_path), "--quiet", "stats"])
    assert not progress.wanted(Terminal())
