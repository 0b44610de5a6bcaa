"""Progress bars for long work (build, push, export, import, the benchmark at 10M).

A bar is a :class:`tqdm.tqdm` on stderr with the count, rate and time left. It is drawn only for
a person: when stderr is a terminal and progress is not switched off (``hrgraph --quiet`` calls
:func:`silence`, and ``HRGRAPH_PROGRESS=0`` does the same for any process). Elsewhere — a pipe, a
log file, CI, a test — :func:`bar` returns a disabled bar, which costs nothing and prints
nothing, so library code can always report progress::

    with progress.bar(total=len(data), desc="loading", unit="B") as shown:
        for chunk in chunks:
            load(chunk)
            shown.update(len(chunk))
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from tqdm import tqdm

_silenced = False


def silence(flag: bool = True) -> None:
    """Switch every later bar of this process off (``flag``) or back on."""
    global _silenced
    _silenced = flag


def wanted(stream: IO[str] | None = None) -> bool:
    """Whether a bar would be drawn on ``stream`` (stderr by default): a terminal, progress not
    silenced, ``HRGRAPH_PROGRESS`` not ``0``."""
    stream = sys.stderr if stream is None else stream
    if _silenced or os.environ.get("HRGRAPH_PROGRESS", "").strip() == "0":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        return False


def bar(total: float | None = None, *, desc: str, unit: str = "it", bytes_: bool = False,
        stream: IO[str] | None = None, **options: Any) -> tqdm:
    """A progress bar of ``total`` steps of ``unit`` (``bytes_``: sizes shown as kB, MB, …),
    disabled unless :func:`wanted`. It goes away when it is closed (``leave=False``): the
    command's own summary line says what was done."""
    stream = sys.stderr if stream is None else stream
    if bytes_:
        options.update(unit="B", unit_scale=True, unit_divisor=1024)
    else:
        options.setdefault("unit", unit)
        options.setdefault("unit_scale", True)
    options.setdefault("mininterval", 0.5)
    return tqdm(total=total, desc=desc, file=stream, disable=not wanted(stream), leave=False,
                dynamic_ncols=True, **options)
