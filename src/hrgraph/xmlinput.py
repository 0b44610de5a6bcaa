"""RDF/XML through one real XML parse: what pyoxigraph parses is what expat checked.

:func:`reserialise` parses an RDF/XML document with expat (the standard library's XML parser) under
hrgraph's limits, and writes out again what that parse produced: the elements, attributes and text
with internal entities expanded and the DOCTYPE removed. pyoxigraph is then given these bytes, never
the original ones, so no second reading of the document (a DOCTYPE scanner, pyoxigraph's own DTD
handling) can disagree with the one that was checked.

The parse refuses, with an :class:`~hrgraph.errors.InputError`:

* a DOCTYPE with an external identifier (``SYSTEM``/``PUBLIC``: an external DTD);
* parameter entities (declared or referenced), external entities (``SYSTEM``/``PUBLIC``), unparsed
  entities (``NDATA``), an entity declared twice, more than
  :data:`~hrgraph.guard.MAX_ENTITY_DECLARATIONS` declarations;
* an entity whose replacement text nests more than :data:`~hrgraph.guard.MAX_ENTITY_NESTING` levels
  of further entities, or expands to more than :data:`~hrgraph.guard.MAX_ENTITY_EXPANSION`
  characters, or entity references in the document that together could expand to more than that
  (an upper bound counted before any reference in the body is expanded: "billion laughs",
  quadratic blowup);
* and, enforced by the parse itself whatever the arithmetic above says, more than
  ``len(document) + MAX_ENTITY_EXPANSION`` characters of text and attribute values produced;
* elements nested more than :data:`~hrgraph.guard.MAX_NESTING` deep;
* text that is not UTF-8, and malformed XML (expat's message, with line and column).

Parameter-entity parsing is off and no handler for external entities is set, so expat never opens
or fetches anything. Comments and processing instructions are dropped; CDATA sections become
escaped text. Element names and attributes (``xmlns``, ``xml:lang``, ``xml:base``,
``rdf:parseType`` …) are written exactly as in the document (expat in non-namespace mode), and each
start tag stays on its original line, so pyoxigraph's error messages name the right line.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from typing import Any

from hrgraph import guard
from hrgraph.errors import InputError

#: Refusal messages start like this, so callers and tests can tell a refusal from a syntax error.
_REFUSED = "refused: "
#: A general entity reference in an entity's replacement text (as expat reports it) or in the body.
_REFERENCE = re.compile(r"&([^\s&;<>\"'#][^\s&;<>\"']*);")
_UTF8 = {"utf-8", "utf8"}
_PREDEFINED = {"lt", "gt", "amp", "apos", "quot"}
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                    "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})
_RDF_PARSE_TYPE = "parseType"


class _Limit(Exception):
    """Raised inside an expat handler; carries the InputError out of the parse."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


def reserialise(data: bytes, *, path: str) -> bytes:
    """The RDF/XML document ``data`` as one expat parse under hrgraph's limits produced it.

    Returns UTF-8 XML with internal entities expanded, the DOCTYPE, comments and processing
    instructions removed, and every start tag on the line it had in ``data``. Give these bytes,
    never ``data``, to an RDF/XML parser.

    Raises:
        InputError: naming ``path`` and what was refused, or expat's message with line and column
            for malformed XML.
    """
    _check_utf8(data, path=path)
    return _Reserialiser(data, path).run()


def _check_utf8(data: bytes, *, path: str) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:1024]:
        raise InputError("refused: RDF/XML must be UTF-8 text (this looks like UTF-16)", path=path)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"refused: RDF/XML must be UTF-8 text ({exc.reason})", path=path,
                         line=line) from None


class _Reserialiser:
    """One expat parse of a document, writing what it reads into ``self.out``."""

    def __init__(self, data: bytes, path: str) -> None:
        self.data = data
        self.path = path
        self.out: list[str] = []
        self.line = 1  # the line of the output that is being written
        self.depth = 0
        self.literal_depth = 0  # > 0 inside an rdf:parseType="Literal" element: no padding there
        self.open_tag = False  # a start tag written without its closing ">" yet
        self.pending: list[str] = []  # text read since the last tag
        self.produced = 0  # characters of text and attribute values produced
        self.cap = len(data) + guard.MAX_ENTITY_EXPANSION
        self.in_subset = False
        self.predefined_value = False  # the default handler is inside `<!ENTITY amp ...>`
        self.doctype_end: int | None = None
        self.entities: dict[str, str] = {}
        self.declared = 0
        self.ascii_only = data.isascii()
        parser = self.parser = xml.parsers.expat.ParserCreate(encoding="UTF-8")
        parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.ordered_attributes = True
        parser.specified_attributes = True  # no attributes defaulted by an ATTLIST
        parser.buffer_text = False  # each chunk is counted as it comes
        parser.XmlDeclHandler = self.xml_declaration
        parser.StartDoctypeDeclHandler = self.start_doctype
        parser.EndDoctypeDeclHandler = self.end_doctype
        parser.EntityDeclHandler = self.entity
        parser.UnparsedEntityDeclHandler = self.unparsed_entity
        parser.SkippedEntityHandler = self.skipped_entity
        parser.NotStandaloneHandler = lambda: 1  # never a reason to read anything external
        # Other declarations are read and ignored (as pyoxigraph ignores them); having handlers
        # keeps them away from the default handler, which then sees only what expat ignored.
        parser.AttlistDeclHandler = _ignore
        parser.ElementDeclHandler = _ignore
        parser.NotationDeclHandler = _ignore
        parser.DefaultHandlerExpand = self.default
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.CommentHandler = _ignore
        parser.ProcessingInstructionHandler = _ignore

    def run(self) -> bytes:
        try:
            self.parser.Parse(self.data, True)
        except _Limit as limit:
            raise limit.error from None
        except xml.parsers.expat.ExpatError as exc:
            message = xml.parsers.expat.ErrorString(exc.code)
            raise InputError(f"syntax error: {message}", path=self.path, line=exc.lineno,
                             column=exc.offset + 1) from None
        if self.open_tag:  # pragma: no cover - expat ends every element it starts
            self.out.append(">")
        return "".join(self.out).encode("utf-8")

    # --- refusals -------------------------------------------------------------------------------

    def refuse(self, message: str) -> None:
        raise _Limit(InputError(_REFUSED + message, path=self.path,
                                line=self.parser.CurrentLineNumber))

    # --- prolog and DOCTYPE ---------------------------------------------------------------------

    def xml_declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        # The bytes are read as UTF-8 whatever the declaration says; a file in pure ASCII reads
        # the same in any encoding a declaration could name for it.
        if encoding is None or encoding.lower() in _UTF8 or self.ascii_only:
            return
        self.refuse(f"RDF/XML must be UTF-8 text, and this file says it is {encoding!r}")

    def start_doctype(self, name: str, system_id: str | None, public_id: str | None,
                      has_internal_subset: int) -> None:
        if system_id is not None or public_id is not None:
            self.refuse("the DOCTYPE names an external DTD (SYSTEM or PUBLIC); remove it, RDF/XML "
                        "does not need one")
        self.in_subset = True

    def entity(self, name: str, is_parameter: int, value: str | None, base: str | None,
               system_id: str | None, public_id: str | None, notation: str | None) -> None:
        if is_parameter:
            self.refuse(f"parameter entity %{name} in the DOCTYPE")
        if value is None or system_id is not None or public_id is not None or notation:
            self.refuse(f"entity {name!r} is not a plain internal entity (external entities are "
                        "never loaded)")
        self.declared += 1
        if self.declared > guard.MAX_ENTITY_DECLARATIONS:
            self.refuse(f"more than {guard.MAX_ENTITY_DECLARATIONS} entity declarations")
        self.entities[name] = value
        # Measured now, not only at the end of the DOCTYPE: an attribute default of an ATTLIST
        # later in the DOCTYPE would make expat expand the entities it names right away.
        self.measure_all(final=False)

    def unparsed_entity(self, name: str, *_: Any) -> None:
        self.refuse(f"entity {name!r} is not a plain internal entity (an unparsed NDATA entity)")

    def skipped_entity(self, name: str, is_parameter: int) -> None:
        if is_parameter:
            self.refuse(f"parameter entity reference %{name}; in the DOCTYPE")
        self.refuse(f"a reference to the undeclared entity {name!r}")

    def default(self, text: str) -> None:
        """What expat read and no other handler took. Inside the internal subset that is only
        whitespace and the closing ``]`` -- unless expat ignored a declaration, which it does for
        the second declaration of an entity."""
        if not self.in_subset or not text.strip() or text == "]":
            return
        if self.predefined_value and text[0] in "\"'":  # the value of `<!ENTITY amp "...">`
            self.predefined_value = False
            return
        if text in _PREDEFINED:  # XML allows declaring these again; expat keeps its own
            self.predefined_value = True
            return
        if text.startswith("%"):
            self.refuse(f"parameter entity reference {text} in the DOCTYPE")
        self.refuse(f"entity {text!r} is declared twice in the DOCTYPE")

    def end_doctype(self) -> None:
        self.in_subset = False
        self.doctype_end = self.parser.CurrentByteIndex
        if not self.entities:
            return
        sizes = self.measure_all(final=True)
        # Every reference in the rest of the document is written there as "&name;" (character
        # references never become entity references in content or attribute values), so counting
        # them in the raw text bounds what expanding them can produce -- from above: references
        # inside comments and CDATA sections count too. Predefined entities (&amp; ...) give one
        # character for several; undeclared ones are a syntax error.
        body = self.data[self.doctype_end:].decode("utf-8")
        total = 0
        for reference in _REFERENCE.finditer(body):
            name = reference.group(1)
            if name in _PREDEFINED:  # expat never looks such a name up among the declarations
                continue
            total += sizes.get(name, (0, 0))[0]
            if total > guard.MAX_ENTITY_EXPANSION:
                self.refuse(f"entity references expand to more than {guard.MAX_ENTITY_EXPANSION} "
                            "characters (entity amplification)")

    def measure_all(self, *, final: bool) -> dict[str, tuple[int, int]]:
        """:meth:`measure` every entity declared so far; before the DOCTYPE ends (not ``final``),
        a reference to an entity not declared yet counts as nothing."""
        sizes: dict[str, tuple[int, int]] = {}
        for name in self.entities:
            self.measure(name, sizes, visiting=set(), final=final)
        return sizes

    def measure(self, name: str, sizes: dict[str, tuple[int, int]], *, visiting: set[str],
                final: bool) -> tuple[int, int]:
        """How many characters ``&name;`` expands to, and how many levels of further entities its
        replacement text nests, refusing deep nesting, loops and large expansions."""
        if name in sizes:
            return sizes[name]
        if name in visiting:
            self.refuse(f"entity {name!r} refers to itself")
        visiting.add(name)
        value = self.entities[name]
        size, height = len(_REFERENCE.sub("", value)), 0
        for reference in _REFERENCE.finditer(value):
            inner = reference.group(1)
            if inner in _PREDEFINED:
                size += 1
            elif inner in self.entities:
                inner_size, inner_height = self.measure(inner, sizes, visiting=visiting,
                                                        final=final)
                size, height = size + inner_size, max(height, inner_height + 1)
            elif final:
                self.refuse(f"entity {name!r} refers to the undeclared entity {inner!r}")
            if height > guard.MAX_ENTITY_NESTING:
                self.refuse(f"entities nested more than {guard.MAX_ENTITY_NESTING} levels deep "
                            f"(at {name!r})")
            if size > guard.MAX_ENTITY_EXPANSION:
                self.refuse(f"entity {name!r} expands to more than {guard.MAX_ENTITY_EXPANSION} "
                            "characters (entity amplification)")
        visiting.discard(name)
        sizes[name] = (size, height)
        return size, height

    # --- the document ---------------------------------------------------------------------------

    def count(self, characters: int) -> None:
        self.produced += characters
        if self.produced > self.cap:
            self.refuse(f"the document expands to more than {guard.MAX_ENTITY_EXPANSION} "
                        "characters beyond its own size (entity amplification)")

    def close_open_tag(self) -> None:
        if self.open_tag:
            self.out.append(">")
            self.open_tag = False

    def start(self, name: str, attributes: list[str]) -> None:
        self.depth += 1
        if self.depth > guard.MAX_NESTING:
            raise _Limit(guard._too_deep("XML", self.path))
        self.close_open_tag()
        self.flush()
        target = self.parser.CurrentLineNumber
        if self.literal_depth == 0 and self.line < target:  # whitespace between elements
            self.out.append("\n" * (target - self.line))
            self.line = target
        parts = ["<", name]
        literal = False
        for i in range(0, len(attributes), 2):
            key, value = attributes[i], attributes[i + 1]
            self.count(len(value))
            parts += [" ", key, '="', value.translate(_ATTRIBUTE_ESCAPES), '"']
            if key.endswith(":" + _RDF_PARSE_TYPE) and value == "Literal":
                literal = True
        self.out.append("".join(parts))
        self.open_tag = True
        if self.literal_depth or literal:
            self.literal_depth += 1

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.literal_depth:
            self.literal_depth -= 1
        if self.open_tag:
            self.out.append("/>")
            self.open_tag = False
        else:
            self.flush()
            self.out.append(f"</{name}>")

    def text(self, data: str) -> None:
        if self.depth == 0:  # whitespace around the root element
            return
        self.count(len(data))
        self.close_open_tag()
        self.pending.append(data)

    def flush(self) -> None:
        """Write the text read since the last tag. Expat reports the text of an expanded entity
        at the line of its reference, so which newline is whose is not known; the next tag's line
        is: as many newlines are written as newlines as keep the output at or before that line,
        the others as ``&#10;`` (the same text)."""
        if not self.pending:
            return
        text, self.pending = "".join(self.pending), []
        room = self.parser.CurrentLineNumber - self.line
        pieces = text.split("\n")
        written = [pieces[0].translate(_TEXT_ESCAPES)]
        for piece in pieces[1:]:
            if room > 0:
                written.append("\n")
                room -= 1
                self.line += 1
            else:
                written.append("&#10;")
            written.append(piece.translate(_TEXT_ESCAPES))
        self.out.append("".join(written))


def _ignore(*_: Any) -> None:
    """A handler that takes an event and writes nothing."""
