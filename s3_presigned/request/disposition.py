"""``Content-Disposition`` values per RFC 6266, with RFC 8187 ``filename*`` for names the plain form cannot carry."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

DISPOSITIONS = ("attachment", "inline")

# RFC 8187 attr-char: everything else in filename* is percent-encoded.
_ATTR_CHAR_SAFE = "!#$&+-.^_`|~"
# ASCII that the plain filename="..." does not carry reliably, so it becomes '_' there and the name goes in filename*:
# Chromium percent-decodes '%'; '"' and '\' need backslash escapes that curl and others do not undo (RFC 6266,
# appendix D); '?' opens RFC 2047 encoded words (=?utf-8?q?...?=), which Chromium decodes, and it drops the whole
# name for one that does not decode, such as "why =?.txt".
_UNRELIABLE_IN_PLAIN = frozenset('%"\\?')
# Chromium also takes a lone '=' between spaces for an empty encoded word: "1 + 1 = 2.txt" would save as "1 + 1 2.txt".
_LONE_EQUALS = re.compile(r"(?<!\S)=(?!\S)")


def content_disposition(disposition: str, file_name: str | None) -> str:
    """Build the header value, with an ASCII ``filename`` every client reads and ``filename*`` where it is needed.

    :param disposition: ``attachment`` or ``inline``.
    :param file_name: The name the client should save the object under, if any.
    """
    if file_name is None:
        return disposition
    fallback = _ascii_fallback(file_name)
    # The fallback holds no '"' or '\', so it needs no escapes inside the quotes.
    header = f'{disposition}; filename="{fallback}"'
    if fallback != file_name or _LONE_EQUALS.search(file_name):
        header += f"; filename*=UTF-8''{quote(file_name, safe=_ATTR_CHAR_SAFE)}"
    return header


def _ascii_fallback(file_name: str) -> str:
    # Accents drop to their base letter (é -> e); anything else outside ASCII, or unreliable in it, becomes '_'.
    decomposed = unicodedata.normalize("NFKD", file_name)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char if char.isascii() and char not in _UNRELIABLE_IN_PLAIN else "_" for char in stripped)
