"""A text read as it may carry a secret: its escapes undone, layer by layer, each view mapped back to the text.

Percent-escapes, JSON escapes and XML character references are undone one layer at a time, up to
:data:`DECODED_LAYERS`; a view with the text's spaces taken out is read too, since a server may wrap what it echoes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Final

DECODED_LAYERS: Final = 3  # such as a percent-encoded URL, encoded again and then quoted in JSON
# A secret may stand beside its parameter's name percent-encoded, JSON-escaped or as an XML entity.
_ESCAPE = re.compile(
    r"(?P<percent>(?:%[0-9A-Fa-f]{2})++)"  # a run, decoded together: the UTF-8 bytes of one character
    r"|\\u(?P<pair>[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})"  # JSON's form of a character past U+FFFF
    r"|\\u(?P<unicode>[0-9a-fA-F]{4})"
    r"|\\(?P<json>[\"\\/bfnrt])"
    r"|&#(?P<decimal>[0-9]{1,7});|&#[xX](?P<hex>[0-9a-fA-F]{1,6});"
    r"|&(?P<entity>amp|lt|gt|quot|apos);"
)
_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


class View:
    """A text with its escapes decoded, and where each of its characters came from in the text it decodes."""

    def __init__(
        self,
        parent: View | None,
        text: str,
        starts: list[int],
        pieces: list[tuple[int, int, bool]],
        *,
        joined: bool = False,
    ) -> None:
        # pieces[i] covers this view from starts[i]: (where it begins in the parent, where it ends, whether it
        # is a run of characters copied as they are); a decoded character maps to its whole escape.
        self.text = text
        self.joined = joined  # the text with its spaces taken out
        self._parent = parent
        self._starts = starts
        self._pieces = pieces

    @property
    def decoded(self) -> bool:
        """Whether escapes were decoded into this view: ``False`` for the original text."""
        return self._parent is not None

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``[start, end)`` of this view, which is not empty, to the span of the original text."""
        if self._parent is None:
            return start, end
        first = self._locate(start)[0]
        last = self._locate(end - 1)[1]
        return self._parent.original(first, last)

    def was_decoded(self, offset: int) -> bool:
        """Tell whether a character of this view was decoded from an escape, here or in a view before."""
        if self._parent is None:
            return False
        begin, _, copied = self._locate(offset)
        return not copied or self._parent.was_decoded(begin)

    def _locate(self, offset: int) -> tuple[int, int, bool]:
        """Find the span in the parent of a character of this view, and whether it was copied as it is."""
        index = bisect.bisect_right(self._starts, offset) - 1
        begin, finish, copied = self._pieces[index]
        if not copied:
            return begin, finish, False
        at = begin + offset - self._starts[index]
        return at, at + 1, True


def views(text: str) -> Iterator[View]:
    """Read a text as it is, without its spaces, and with each layer of its escapes undone in turn."""
    view = View(None, text, [], [])
    yield view
    if joined := _joined(view):
        yield joined
    for _ in range(DECODED_LAYERS):
        decoded = _decode(view)
        if decoded is None:
            return
        view = decoded
        yield view


def _joined(view: View) -> View | None:
    """Take out every space and line break, which a server may wrap a secret with; ``None`` if there is none."""
    starts: list[int] = []
    pieces: list[tuple[int, int, bool]] = []
    length = 0
    for found in _NOT_SPACE.finditer(view.text):
        starts.append(length)
        pieces.append((found.start(), found.end(), True))
        length += found.end() - found.start()
    if len(pieces) < 2:  # noqa: PLR2004  # one run: nothing was taken out between runs
        return None
    return View(view, "".join(view.text[begin:end] for begin, end, _ in pieces), starts, pieces, joined=True)


_NOT_SPACE = re.compile(r"\S++")


def _decode(view: View) -> View | None:
    """Undo one layer of escapes; ``None`` if there is none."""
    parts: list[str] = []
    starts: list[int] = []
    pieces: list[tuple[int, int, bool]] = []
    length = 0
    copied_from = 0
    for found in _ESCAPE.finditer(view.text):
        decoded = _decoded(found)
        if decoded is None:
            continue
        if found.start() > copied_from:
            starts.append(length)
            pieces.append((copied_from, found.start(), True))
            parts.append(view.text[copied_from : found.start()])
            length += found.start() - copied_from
        for char, begin, finish in decoded:
            starts.append(length)
            pieces.append((begin, finish, False))
            parts.append(char)
            length += 1
        copied_from = found.end()
    if not pieces:
        return None
    if copied_from < len(view.text):
        starts.append(length)
        pieces.append((copied_from, len(view.text), True))
        parts.append(view.text[copied_from:])
    return View(view, "".join(parts), starts, pieces)


def _decoded(found: re.Match[str]) -> list[tuple[str, int, int]] | None:
    """Decode an escape: each character it stands for, with the span of the escape it came from."""
    start, end = found.span()
    if (percent := found["percent"]) is not None:
        text = bytes.fromhex(percent.replace("%", "")).decode("utf-8", "surrogateescape")
        chars = []
        for char in text:
            width = 3 * len(char.encode("utf-8", "surrogateescape"))
            chars.append((char, start, start + width))
            start += width
        return chars
    if (pair := found["pair"]) is not None:
        code = 0x10000 + ((int(pair[:4], 16) - 0xD800) << 10) + int(pair[6:], 16) - 0xDC00
    elif (unicode := found["unicode"]) is not None:
        code = int(unicode, 16)
    elif (json := found["json"]) is not None:
        return [(_JSON_ESCAPES[json], start, end)]
    elif (decimal := found["decimal"]) is not None:
        code = int(decimal)
    elif (hexadecimal := found["hex"]) is not None:
        code = int(hexadecimal, 16)
    else:
        return [(_ENTITIES[found["entity"]], start, end)]
    return [(chr(code), start, end)] if code <= 0x10FFFF else None  # noqa: PLR2004  # Unicode's last code point
