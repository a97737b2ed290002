"""``Content-Disposition`` values per RFC 6266, with the RFC 8187 ``filename*`` form for non-ASCII names."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

DISPOSITIONS = ("attachment", "inline")

# RFC 8187 attr-char: everything else in filename* is percent-encoded.
_ATTR_CHAR_SAFE = "!#$&+-.^_`|~"


def content_disposition(disposition: str, file_name: str | None) -> str:
    """Build the header value, with an ASCII ``filename`` every client reads and ``filename*`` where it is needed.

    :param disposition: ``attachment`` or ``inline``.
    :param file_name: The name the client should save the object under, if any.
    """
    if file_name is None:
        return disposition
    header = f'{disposition}; filename="{_quoted_string(_ascii_fallback(file_name))}"'
    # '%' in the plain form is decoded by some browsers, so such names get the unambiguous form too.
    if not file_name.isascii() or "%" in file_name:
        header += f"; filename*=UTF-8''{quote(file_name, safe=_ATTR_CHAR_SAFE)}"
    return header


def _ascii_fallback(file_name: str) -> str:
    # Accents drop to their base letter (é -> e); anything else outside ASCII becomes '_'.
    decomposed = unicodedata.normalize("NFKD", file_name)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char if char.isascii() and char != "%" else "_" for char in stripped)


def _quoted_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
