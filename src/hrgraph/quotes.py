"""Find a quote in its source text and compute the ``oa:TextQuoteSelector`` around it.

A contributor copies a quote from a web page or a PDF; the stored text of the same page keeps
line breaks and runs of spaces in the middle of sentences (``demonstrated its\\ndetermination``).
:func:`locate_quote` therefore matches any run of white space in the quote with any run of white
space in the text, and a straight quote mark or apostrophe with its typographic forms, while the
selector it returns keeps the text's own characters: ``exact`` is the slice of the text that
matched, so that ``prefix + exact + suffix`` occurs in the text exactly once (what
``tests/test_quotes.py`` checks of the curated data).

The context is :data:`CONTEXT` characters on each side, as in the curated data, widened until it
is unique; at the start or end of the text it is shorter, and empty context is ``None`` (no
``oa:prefix`` / ``oa:suffix``). The text is only the source's own words (:func:`source_span`): a
``Key: value`` header closed by ``---`` (data/sources/) is not part of it, nor the marker a stored
partial copy ends with (``[... stored text ends here ...]``, :data:`END_MARKER`), so neither is
ever matched or enters a prefix or suffix. A quote that is not in the text raises
:class:`QuoteNotFound` with the closest passage (``rapidfuzz`` partial-ratio alignment); one
that occurs several times raises :class:`QuoteAmbiguous` unless the given prefix or suffix says
which.
(:mod:`hrgraph.locate` finds where a *subject* is defined in an RDF file; it has nothing for
quotes, hence this module.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hrgraph.sources import strip_header

__all__ = ["CONTEXT", "END_MARKER", "QuoteAmbiguous", "QuoteMatch", "QuoteNotFound", "QuoteProblem",
           "locate_quote", "source_span"]

#: Characters of context on each side of a quote, as the curated data's selectors have.
CONTEXT = 32
#: Characters of the closest passage an error shows.
SHOWN = 160
#: The line that ends a stored partial copy in data/sources/ (an editor's mark, not the source's
#: words): the text ends where it begins, white space before it included.
END_MARKER = re.compile(r"\s*\[\s*(?:\.\.\.|…)\s*stored text ends here\s*(?:\.\.\.|…)\s*\]",
                        re.IGNORECASE)

# Marks a quote may be typed with for the ones a text has (a keyboard has only the first).
_EQUIVALENT = {
    "'": "'‘’ʼ′", "‘": "'‘’ʼ′", "’": "'‘’ʼ′", "ʼ": "'‘’ʼ′",
    '"': '"“”„″«»', "“": '"“”„″«»', "”": '"“”„″«»', "„": '"“”„″«»',
    "«": '"“”„″«»', "»": '"“”„″«»',
}


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote is in a text: its exact characters there and the context around them."""

    exact: str
    prefix: str | None
    suffix: str | None
    start: int
    end: int


class QuoteProblem(ValueError):
    """A quote that cannot be located; ``str()`` is the message for the contributor."""


class QuoteNotFound(QuoteProblem):
    """The quote is not in the text; :attr:`closest` is the most similar passage."""

    def __init__(self, message: str, closest: str, score: float) -> None:
        super().__init__(message)
        self.closest = closest
        self.score = score


class QuoteAmbiguous(QuoteProblem):
    """The quote occurs more than once and no context given says which."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


def _pattern(text: str) -> str:
    """A regular expression for ``text`` that allows other white space and quote marks."""
    parts = []
    for token in re.split(r"(\s+)", text):
        if not token:
            continue
        if token.isspace():
            parts.append(r"\s+")
            continue
        parts.append("".join(f"[{re.escape(_EQUIVALENT[c])}]" if c in _EQUIVALENT
                             else re.escape(c) for c in token))
    return "".join(parts)


def source_span(text: str) -> tuple[int, int]:
    """Where the source's own words are in ``text``: after its ``Key: value`` header (closed by
    ``---``, :func:`hrgraph.sources.strip_header`) and before :data:`END_MARKER`."""
    lo = len(text) - len(strip_header(text))
    marker = END_MARKER.search(text, lo)
    return lo, marker.start() if marker else len(text)


def _context_matches(text: str, start: int, end: int, prefix: str | None,
                     suffix: str | None, lo: int = 0, hi: int | None = None) -> bool:
    if prefix and prefix.strip() and not re.search(_pattern(prefix.strip()) + r"\s*$",
                                                   text[lo:start]):
        return False
    return not (suffix and suffix.strip()
                and not re.match(r"\s*" + _pattern(suffix.strip()), text[end:hi]))


def locate_quote(text: str, quote: str, *, prefix: str | None = None,
                 suffix: str | None = None, where: str = "the text") -> QuoteMatch:
    """The selector for ``quote`` in ``text``.

    ``prefix`` and ``suffix`` (optional, matched with the same tolerance) choose among several
    occurrences; ``where`` names the text in messages.

    Raises:
        QuoteNotFound: no occurrence (the message shows the closest passage).
        QuoteAmbiguous: several occurrences, and the context given does not single one out.
    """
    words = quote.strip()
    if not words:
        raise QuoteProblem("the quote is empty")
    lo, hi = source_span(text)
    pattern = re.compile(_pattern(words))
    found = [m for m in pattern.finditer(text, lo, hi)
             if _context_matches(text, m.start(), m.end(), prefix, suffix, lo, hi)]
    if not found:
        if prefix or suffix:
            bare = list(pattern.finditer(text, lo, hi))
            if bare:
                seen = [_around(text, m.start(), m.end()) for m in bare[:3]]
                raise QuoteNotFound(
                    f"the quote is in {where}, but not with the prefix/suffix given; "
                    f"it stands in: {'; '.join(seen)}", seen[0], 100.0)
        raise _not_found(text[lo:hi], words, where)
    if len(found) > 1:
        raise QuoteAmbiguous(
            f"the quote occurs {len(found)} times in {where}: give the words just before it "
            "(quote prefix) or after it (quote suffix) to say which", len(found))
    match = found[0]
    start, end = match.start(), match.end()
    exact = text[start:end]
    width = CONTEXT
    words_only = text[lo:hi]
    while True:
        before = text[max(lo, start - width):start]
        after = text[end:min(hi, end + width)]
        if words_only.count(before + exact + after) == 1 or (len(before) < width
                                                            and len(after) < width):
            break
        width += CONTEXT // 2
    return QuoteMatch(exact, before or None, after or None, start, end)


def _around(text: str, start: int, end: int) -> str:
    return repr(" ".join(text[max(0, start - 20):min(len(text), end + 20)].split()))


def _not_found(text: str, quote: str, where: str) -> QuoteNotFound:
    from rapidfuzz import fuzz

    flat_quote = " ".join(quote.split())
    alignment = fuzz.partial_ratio_alignment(flat_quote, text)
    if alignment is None or alignment.score == 0:
        return QuoteNotFound(f"the quote is not in {where}, nor anything like it", "", 0.0)
    start, end = alignment.dest_start, alignment.dest_end
    while start > 0 and not text[start - 1].isspace():  # whole words: widen to white space
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    passage = " ".join(text[start:end].split())
    shown = passage if len(passage) <= SHOWN else passage[:SHOWN - 1] + "…"
    return QuoteNotFound(
        f"the quote is not in {where}; the closest passage ({alignment.score:.0f}% alike) is "
        f"{shown!r}: copy the words exactly as the text has them", passage, alignment.score)
