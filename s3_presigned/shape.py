"""What a server wrote, shown by its shape: words stay, and every opaque run goes, whatever encoding it is in.

A server chooses how it quotes a request back, so no list of a secret's encodings is ever complete. Text from a
server is therefore never shown as it came. The usual escapes are undone first (quoted-printable, percent, HTML
entities, backslash escapes of JSON, C and CSS, full-width forms), and characters that draw nothing are dropped.
Then any run that does not read as words is blanked: a long stretch of hex, of base32, or of characters whose
classes change as often as an encoded value's do (base64, percent-encoding, symbols). Runs are judged with the
whitespace between them taken out, so a value wrapped, split or spaced out is judged whole.

Every pass is linear and the text is cut before it is read, so a megabyte costs what its first few kilobytes do.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from typing import Final

from s3_presigned.gate import MARKER

SHOWN_CHARS: Final = 400  # what a line shows of a server's text at most
_READ_CHARS: Final = 4096  # what is read of it: escapes may take ten characters for one
_LAYERS: Final = 3  # escapes undone in turn, such as a percent-encoded value quoted as HTML
_WINDOW: Final = 20  # characters of a run judged together
_CHANGES: Final = 8  # characters within a window that read as no prose does, as most of an encoded value's do
_HEX_RUN: Final = 16  # hex digits in a row, or base32 letters: eight bytes or more
_ODD_WORD: Final = 16  # a word this long, with this many characters that are not lower-case letters, is a value
_ODD_IN_WORD: Final = 5
_PIECE: Final = 2  # a word this short may be a piece of a value spread out
_COMMON = frozenset("-.:,;'\"()?!")  # punctuation of prose, which neither splits a run nor counts as a change

_ESCAPE = re.compile(
    r"=\r?\n"  # a quoted-printable soft line break
    r"|(?P<bytes>(?:%[0-9A-Fa-f]{2}|=[0-9A-F]{2}|\\x[0-9a-fA-F]{2}|\\[0-7]{3})++)"  # the bytes of a character
    r"|\\u\{?(?P<unicode>[0-9a-fA-F]{4,6})\}?"
    r"|\\(?P<css>[0-9a-fA-F]{1,6})[ \t]?"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
)
_BYTE = re.compile(r"%([0-9A-Fa-f]{2})|=([0-9A-F]{2})|\\x([0-9a-fA-F]{2})|\\([0-7]{3})")
_WORD = re.compile(r"\S++")
# What a word of prose looks like: a word, capitalised or not, an acronym, a number; quoted or followed by a stop.
_PROSE = re.compile(r"[(\"']?+(?:[A-Za-z][a-z]++|[aAI]|[A-Z]{2,5}+|[0-9]{1,4}+)[.,;:!?)\"']*+")
_SPACE = re.compile(r"\s++")
_MARKERS = re.compile(rf"{re.escape(MARKER)}(?:[\s{re.escape(''.join(_COMMON))}]*+{re.escape(MARKER)})++")


class ServerText:
    """Text a server wrote, such as an error's message: it formats only as :func:`shown` shapes it.

    The step's own text is a plain ``str``; a server's is this, so that an f-string can never quote it as it came.
    What the step reads of it to decide, such as whether it says "expired", is :attr:`raw`, which is never shown.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: str) -> None:
        """Hold what the server wrote.

        :param raw: The text as it came.
        """
        self.raw = raw

    def __str__(self) -> str:
        """Return the text as a line may show it."""
        return shown(self.raw)

    def __format__(self, spec: str) -> str:
        """Format the shown text, never the raw one."""
        return format(str(self), spec)

    def __bool__(self) -> bool:
        """Whether the server said anything."""
        return bool(self.raw.strip())

    def __repr__(self) -> str:
        """Name the type; the text itself only as shown."""
        return f"ServerText({str(self)!r})"


def shown(text: str) -> str:
    """Return a server's text on one line with every opaque run blanked, cut to :data:`SHOWN_CHARS`."""
    plain = _SPACE.sub(" ", _plain(text[:_READ_CHARS])).strip()
    kept: list[str] = []
    position = 0
    for start, end in _opaque(plain):
        kept += [plain[position:start], MARKER]
        position = end
    kept.append(plain[position:])
    line = _MARKERS.sub(MARKER, "".join(kept))
    return line if len(line) <= SHOWN_CHARS else f"{line[:SHOWN_CHARS]}..."


def _plain(text: str) -> str:
    """Undo the usual escapes, fold compatibility forms (full-width letters), drop what draws nothing."""
    for _ in range(_LAYERS):
        undone = _ESCAPE.sub(_unescape, text)
        if undone == text:
            break
        text = undone
    text = unicodedata.normalize("NFKC", text)
    return "".join(_drawn(char) for char in text)


def _unescape(found: re.Match[str]) -> str:
    if (run := found["bytes"]) is not None:
        data = bytes(_byte(part) for part in _BYTE.finditer(run))
        return data.decode("utf-8", "replace")
    if (code := found["unicode"] or found["css"]) is not None:
        number = int(code, 16)
        return chr(number) if number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF else "\ufffd"  # noqa: PLR2004
    if found.group().startswith("&"):
        return html.unescape(found.group())
    return ""  # a soft line break joins the lines it split


def _byte(part: re.Match[str]) -> int:
    hex_digits = part[1] or part[2] or part[3]
    return int(hex_digits, 16) if hex_digits else int(part[4], 8) & 0xFF


def _drawn(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cf":
        return ""  # zero-width and bidi controls: a value spread out by them is one value
    if category == "Cc":
        return " "
    return "\ufffd" if category[0] == "C" else char


def _opaque(text: str) -> list[tuple[int, int]]:
    """Find the spans of the text to blank: each run widened to whole words, and over the odd words beside it."""
    at = [index for index, char in enumerate(text) if not char.isspace()]
    # A window reaches past the value it found into the words beside it: those stay if they read as prose.
    changes, runs = bytearray(len(at)), bytearray(len(at))
    _mark_changes(text, at, changes)
    _mark_runs(text, at, runs, _is_hex)
    _mark_runs(text, at, runs, _is_base32)
    words = [(found.start(), found.end()) for found in _WORD.finditer(text)]
    blanked = [False] * len(words)
    position = 0
    for number, (start, end) in enumerate(words):
        while position < len(at) and at[position] < start:
            position += 1
        first = position
        while position < len(at) and at[position] < end:
            position += 1
        word = text[start:end]
        blanked[number] = (
            any(runs[first:position]) or (any(changes[first:position]) and not _prose(word)) or _odd_word(word)
        )
    _mark_pieces([text[start:end].strip("".join(_COMMON)) for start, end in words], blanked)
    # A value spread over words leaves none of its pieces beside what was blanked, however short they are.
    for order in (range(len(words)), range(len(words) - 1, -1, -1)):
        previous = False
        for number in order:
            if not blanked[number] and previous and not _prose(text[words[number][0] : words[number][1]]):
                blanked[number] = True
            previous = blanked[number]
    spans: list[tuple[int, int]] = []
    for number, (start, end) in enumerate(words):
        if not blanked[number]:
            continue
        if spans and number and blanked[number - 1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _mark_pieces(cores: list[str], blanked: list[bool]) -> None:
    """Blank runs of short or odd words that join into a value: mostly not prose, and long together."""
    first = 0
    for number in range(len(cores) + 1):
        core = cores[number] if number < len(cores) else ""
        if core and (len(core) <= _PIECE or not _prose(core)):
            continue
        run = cores[first:number]
        joined = "".join(run)
        if (
            len(run) > 1
            and len(joined) >= _ODD_WORD
            and 2 * sum(not _prose(piece) for piece in run) > len(run)
            and _odd_count(joined) >= _ODD_IN_WORD
        ):
            blanked[first:number] = [True] * len(run)
        first = number + 1


def _odd_word(word: str) -> bool:
    """Whether one word alone reads as an encoded value: long, and more of it odd than in any prose word."""
    core = word.strip("".join(_COMMON))
    if len(core) < _ODD_WORD or _prose(core):
        return False
    return _odd_count(core) >= _ODD_IN_WORD and any(char.islower() for char in core)


def _odd_count(text: str) -> int:
    return sum(_kind(char) in ("upper", "symbol", "digit") for char in text)


def _prose(word: str) -> bool:
    return _PROSE.fullmatch(word) is not None


def _mark_changes(text: str, at: list[int], marked: bytearray) -> None:
    """Mark every window of :data:`_WINDOW` characters of which :data:`_CHANGES` or more read as no prose does.

    Prose is mostly lower-case letters: an upper-case letter, a symbol, or a digit beside a letter counts.
    """
    kinds = [_kind(text[offset]) for offset in at]
    odd = [0] * (len(at) + 1)  # odd[i]: how many of the first i characters count
    for index, kind in enumerate(kinds):
        counts = kind in ("upper", "symbol") or (
            kind == "digit" and "lower" in (_neighbour(kinds, index, -1), _neighbour(kinds, index, 1))
        )
        odd[index + 1] = odd[index] + counts
    for start in range(max(len(at) - _WINDOW + 1, 1)):
        end = min(start + _WINDOW, len(at))
        if odd[end] - odd[start] >= _CHANGES:
            marked[start:end] = b"\1" * (end - start)


def _neighbour(kinds: list[str], index: int, step: int) -> str:
    index += step
    while 0 <= index < len(kinds) and kinds[index] == "common":
        index += step
    return kinds[index] if 0 <= index < len(kinds) else ""


def _mark_runs(text: str, at: list[int], marked: bytearray, fits: Callable[[str], bool]) -> None:
    """Mark every run of :data:`_HEX_RUN` or more characters that fit, prose punctuation and spaces between them."""
    first = None
    count = 0
    for index, offset in enumerate((*at, -1)):
        char = text[offset] if offset >= 0 else ""
        if char and char in _COMMON:
            continue
        if char and fits(char):
            first = index if first is None else first
            count += 1
            continue
        if first is not None and count >= _HEX_RUN:
            marked[first:index] = b"\1" * (index - first)
        first, count = None, 0


def _is_hex(char: str) -> bool:
    return char in "0123456789abcdefABCDEF"


def _is_base32(char: str) -> bool:
    return char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _kind(char: str) -> str:
    if char in _COMMON:
        return "common"
    if char.isdigit():
        return "digit"
    if char.isupper():
        return "upper"
    if char.isalpha():
        return "lower"
    return "symbol"
