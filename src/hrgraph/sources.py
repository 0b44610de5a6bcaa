"""The verbatim source texts that the data quotes (``data/sources/*.txt``).

A text copy may begin with a header of ``Key: value`` lines (title, date, source URL, status)
closed by a line ``---``; the quoted text is what follows that line. Quote selectors
(``oa:TextQuoteSelector``) are resolved against that text, never against the header.
"""

from __future__ import annotations

import os
from pathlib import Path

HEADER_END = "\n---\n"


def read_source_text(path: str | os.PathLike) -> str:
    """The text of a source copy, without its header if it has one."""
    return strip_header(Path(path).read_text(encoding="utf-8"))


def strip_header(text: str) -> str:
    """``text`` without the ``Key: value`` header (closed by ``---``) it may begin with."""
    head, sep, body = text.partition(HEADER_END)
    if sep and all(":" in line for line in head.splitlines() if line.strip()):
        return body
    return text
