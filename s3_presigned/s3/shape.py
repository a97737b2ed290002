"""What a server wrote, shown by its shape: words stay, and every opaque run goes, whatever encoding it is in.

A server chooses how it quotes a request back, so no list of a secret's encodings is ever complete. Text from a
server is therefore never shown as it came. Characters that draw nothing are dropped, full-width forms folded, and
the usual escapes undone (quoted-printable, percent, HTML entities, backslash escapes of JSON, C and CSS). Then
only what reads as prose is shown: a word, capitalised or hyphenated, an acronym, a short number, an error code.
Anything else goes, and so do the words beside it that could be its pieces. Runs are also judged with the spaces
between words taken out, so that a value wrapped, split or spaced out is judged whole: a long run of hex or of
base32, or of short pieces as odd together as an encoded value, goes whole.

Every pass is linear and the text is cut before it is read, so a megabyte costs what its first few kilobytes do.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from typing import Final

from s3_presigned.core.gate import MARKER
from s3_presigned.s3.facts import ERROR_CODES
from s3_presigned.s3.words import LONG_WORD, WORDS

SHOWN_CHARS: Final = 400  # what a line shows of a server's text at most
_READ_CHARS: Final = 4096  # what is read of it: escapes may take ten characters for one
_LAYERS: Final = 3  # escapes undone in turn, such as a percent-encoded value quoted as HTML
_RUN: Final = 16  # hex digits or base32 letters in a row, spaces aside, that make a value: eight bytes or more
_ODD_IN_RUN: Final = 5  # short pieces that join into this many odd characters, or letters alone, are a value
_PIECE: Final = 2  # a word this short may be a piece of a value spread out
_COMMON = "-.:,;'\"()?![]"  # punctuation of prose, around a word or between pieces of a value

# Patterns of what a server wrote, which a step shows only when it fails: compiled then, by re's cache.
_ESCAPE = (
    r"=\r?\n"  # a quoted-printable soft line break
    r"|(?P<bytes>(?:%[0-9A-Fa-f]{2}|=[0-9A-F]{2}|\\x[0-9a-fA-F]{2}|\\[0-7]{3})++)"  # the bytes of a character
    r"|\\u\{?(?P<unicode>[0-9a-fA-F]{4,6})\}?"
    r"|\\(?P<css>[0-9a-fA-F]{1,6})[ \t]?"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
)
_BYTE = r"%([0-9A-Fa-f]{2})|=([0-9A-F]{2})|\\x([0-9a-fA-F]{2})|\\([0-7]{3})"
_WORD = r"\S++"
# What prose is made of: a word, capitalised, with an apostrophe or hyphenated (us-east-1, X-Amz-Date); an
# acronym; an error code (AccessDenied); a number, or a size (5GB); a date; a path of such words.
_PARTS = r"[-./_:']"  # what joins words into one: us-east-1, X-Amz-Date, app-1.2.tgz
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?+Z?)?"
_NUMBER = 10  # digits in a number shown: a longer run of digits is a run of hex
_PLAIN = r"[a-z]++|[A-Z][a-z]++|[A-Z]++"  # a word of letters, capitalised, or in capitals
_HUMP = r"[A-Z][a-z]++"
_HEX = frozenset("0123456789abcdefABCDEF")
_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_SPACE = r"\s++"
_MARKERS = rf"{re.escape(MARKER)}(?:[\s{re.escape(_COMMON)}]*+{re.escape(MARKER)})++"


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
    plain = re.sub(_SPACE, " ", _plain(text[:_READ_CHARS])).strip()
    kept: list[str] = []
    position = 0
    for start, end in _opaque(plain):
        kept += [plain[position:start], MARKER]
        position = end
    kept.append(plain[position:])
    line = re.sub(_MARKERS, MARKER, "".join(kept))
    return line if len(line) <= SHOWN_CHARS else f"{line[:SHOWN_CHARS]}..."


def _plain(text: str) -> str:
    """Undo the usual escapes, fold compatibility forms (full-width letters), drop what draws nothing."""
    # First too: a character that draws nothing may stand inside an escape, to hide it. Line breaks stay for now:
    # quoted-printable's soft breaks are escapes.
    text = "".join(char for char in unicodedata.normalize("NFKC", text) if unicodedata.category(char) != "Cf")
    for _ in range(_LAYERS):
        undone = re.sub(_ESCAPE, _unescape, text)
        if undone == text:
            break
        text = undone
    return _drawn(text)


def _unescape(found: re.Match[str]) -> str:
    if (run := found["bytes"]) is not None:
        data = bytes(_byte(part) for part in re.finditer(_BYTE, run))
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


def _drawn(text: str) -> str:
    """Fold compatibility forms, such as full-width letters, into plain ones, and keep only what draws."""
    return "".join(_drawn_char(char) for char in unicodedata.normalize("NFKC", text))


def _drawn_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cf":
        return ""  # zero-width and bidi controls: a value spread out by them is one value
    if category == "Cc":
        return " "
    return "\ufffd" if category[0] == "C" else char


def _opaque(text: str) -> list[tuple[int, int]]:
    """Find the spans of the text to blank, whole words each, merged where they touch."""
    words = [(found.start(), found.end()) for found in re.finditer(_WORD, text)]
    cores = [text[start:end].strip(_COMMON) for start, end in words]
    blanked = [not _shown(core) for core in cores]
    _blank_runs(cores, blanked, lambda core: all(char in _HEX for char in core))
    _blank_runs(cores, blanked, lambda core: all(char in _BASE32 for char in core))
    _blank_pieces(cores, blanked)
    # A value spread over words leaves none of its pieces beside what was blanked, however short they are.
    for order in (range(len(words)), range(len(words) - 1, -1, -1)):
        previous = False
        for number in order:
            if not blanked[number] and previous and not _stays(cores[number]):
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


def _shown(core: str) -> bool:
    """Whether a word reads as prose: an error code, a date, or words and short numbers joined as in us-east-1."""
    if not core or core in ERROR_CODES or re.fullmatch(_DATE, core):
        return True
    parts = re.split(_PARTS, core)
    return all(map(_part, parts)) and not _spreads_a_value(parts)


def _spreads_a_value(parts: list[str]) -> bool:
    """Whether short pieces joined into one word, such as the numbers of 52.236.54.156.52, hold a value."""
    run: list[str] = []
    for part in parts:
        if part.isdigit() or len(part) <= _PIECE:
            run += [part] if part else []
        elif _holds_value(run):
            return True
        else:
            run = []
    return _holds_value(run)


def _holds_value(pieces: list[str]) -> bool:
    """Whether pieces join into a value: long together, and odd in their characters or in many letters alone."""
    joined = "".join(pieces)
    odd = sum(not char.islower() for char in joined) + sum(len(piece) == 1 for piece in pieces)
    return len(pieces) > 1 and len(joined) >= _RUN and odd >= _ODD_IN_RUN


def _stays(core: str) -> bool:
    """Whether a word of prose stays beside an opaque run: a letter alone may be a piece of it, a word is not."""
    return len(core) > 1 and _shown(core)


def _part(part: str) -> bool:
    if not part or (part.isdigit() and len(part) <= _NUMBER):
        return True
    if part.lower() in WORDS:
        return part.islower() or part.isupper() or part.istitle()
    if len(part) >= LONG_WORD and re.fullmatch(_PLAIN, part) is not None:
        return True
    humps = re.findall(_HUMP, part)  # a code such as InvalidIdentityToken: each of its words is one
    return len(humps) > 1 and "".join(humps) == part and all(map(_part, humps))


def _blank_runs(cores: list[str], blanked: list[bool], fits: Callable[[str], bool]) -> None:
    """Blank every run of words that fit an encoding's alphabet, and hold :data:`_RUN` characters together."""
    first = 0
    for number in range(len(cores) + 1):
        if number < len(cores) and cores[number] and fits(cores[number]):
            continue
        if sum(len(core) for core in cores[first:number]) >= _RUN:
            blanked[first:number] = [True] * (number - first)
        first = number + 1


def _blank_pieces(cores: list[str], blanked: list[bool]) -> None:
    """Blank runs of short or blanked words that join into a value: long together, and as odd as one."""
    first = 0
    for number in range(len(cores) + 1):
        core = cores[number] if number < len(cores) else ""
        if core and (blanked[number] or core.isdigit() or len(core) <= _PIECE):
            continue
        while first < number and _stays(cores[first]):  # a word of prose at either end stays
            first += 1
        last = number
        while last > first and _stays(cores[last - 1]):
            last -= 1
        if _holds_value(cores[first:last]):
            blanked[first:last] = [True] * (last - first)
        first = number + 1
