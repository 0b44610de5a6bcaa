"""The exceptions hrgraph raises, each knowing its exit code.

Library code raises these; only the CLI prints them and exits (see docs/design.md for the codes).
"""

from __future__ import annotations

import re

# C0 and C1 controls except tab and newline, and the bidirectional formatting characters
# (a "Trojan Source" excerpt could otherwise reorder the text around it).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
                          "\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control and bidi-formatting characters escaped (``\\x1b``, ``\\u202e``)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class HrgraphError(Exception):
    """Base class of every error hrgraph reports to a user."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        # Messages may quote a file or a server's answer: never pass terminal controls through.
        return printable(f"{where}{self.message}")


class UsageError(HrgraphError):
    """The command or call was given wrong arguments (a bad parameter value, an unknown query)."""

    exit_code = 2


class InputError(HrgraphError):
    """An input file or query cannot be used: missing, empty, malformed, or refused by the guard."""

    exit_code = 2


class ValidationFailed(HrgraphError):
    """The data has at least one sh:Violation."""

    exit_code = 1


class StoreError(HrgraphError):
    """The store cannot be opened, written or locked, or a remote endpoint failed."""

    exit_code = 3


class QueryTimeout(StoreError):
    """A query ran past its time limit and was stopped."""

    exit_code = 3


class QueryTooLarge(StoreError):
    """A query needed more memory than a query worker may have, and was stopped."""

    exit_code = 3
