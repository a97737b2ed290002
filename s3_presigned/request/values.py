"""The checks that many fields share: text, flags, choices, object keys and sizes, each naming its field in errors."""

from __future__ import annotations

import re
import unicodedata
from typing import TypeVar

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.core.failures.local import DOT_SEGMENT_PROBLEM
from s3_presigned.core.text import describe, kind
from s3_presigned.s3.facts import MAX_KEY_BYTES, MAX_UPLOAD_BYTES, has_dot_segment

S3_ADDRESS = re.compile(r"(?i)(s3://|arn:aws[a-z-]*:s3:)")
_SIZE = re.compile(r"(?P<number>\d{1,13})\s*(?P<unit>[kmgt]i?b|[kmgt]|b|)", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1} | {
    unit + suffix: int(base**power)
    for power, unit in enumerate("kmgt", start=1)
    for suffix, base in (("", 1000), ("b", 1000), ("ib", 1024))
}
_Choice = TypeVar("_Choice", bound=str)


def text(value: object, field: str, *, max_length: int | None = None, secret: bool = False) -> str:
    """Check that a value is a non-empty string without control characters, fit for an HTTP header.

    :param value: The value from the request.
    :param field: The name to report in errors.
    :param max_length: The longest accepted length in characters, if any.
    :param secret: Never quote the value, only its type.
    :raises ConfigError: If the value is not such a string.
    """
    if not isinstance(value, str) or not value:
        got = "an empty string" if value == "" else kind(value) if secret else describe(value)
        raise ConfigError(field, f"got {got}; expected a non-empty string")
    utf8(value, field)
    bad = next((char for char in value if unicodedata.category(char) == "Cc"), None)
    if bad is not None:
        raise ConfigError(field, f"contains the control character {bad!r}; only printable characters are accepted")
    if max_length is not None and len(value) > max_length:
        raise ConfigError(field, f"is {len(value)} characters long; at most {max_length} are accepted")
    return value


def utf8(value: str, field: str) -> bytes:
    """Encode a value as UTF-8, failing on what JSON can carry but no URL or header can: a lone surrogate."""
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(field, "is not valid Unicode (it holds a lone surrogate)") from None


def optional_text(value: object, field: str, *, secret: bool = False) -> str | None:
    """Like :func:`text`, but ``null`` stays ``None``."""
    return None if value is None else text(value, field, secret=secret)


def flag(value: object, field: str) -> bool:
    """Check that a value is a JSON boolean.

    :param value: The value from the request.
    :param field: The name to report in errors.
    """
    if not isinstance(value, bool):
        raise ConfigError(field, f"got {describe(value)}; expected true or false")
    return value


def choice(value: object, field: str, choices: tuple[_Choice, ...]) -> _Choice:
    """Check that a value is one of a few accepted words.

    :param value: The value from the request.
    :param field: The name to report in errors.
    :param choices: The accepted words.
    """
    for accepted in choices:
        if value == accepted:
            return accepted
    raise ConfigError(field, f"got {describe(value)}; expected one of {', '.join(choices)}")


def object_key(value: object, field: str, key_prefix: str = "") -> str:
    """Check an object key and prepend the source's ``key_prefix``; the key itself is passed on unchanged.

    :param value: The key from the request.
    :param field: The name to report in errors.
    :param key_prefix: The source's prefix.
    """
    if not isinstance(value, str) or not value:
        raise ConfigError(field, f"got {describe(value)}; expected a non-empty object key such as folder/file.txt")
    if S3_ADDRESS.match(value):
        raise ConfigError(
            field,
            f"got {describe(value)}, an S3 address; please give the key alone, such as folder/file.txt: "
            "the bucket comes from source.bucket",
        )
    key = key_prefix + value
    size = len(utf8(key, field))
    if size > MAX_KEY_BYTES:
        raise ConfigError(field, f"the key is {size} bytes long in UTF-8; S3 accepts at most {MAX_KEY_BYTES}")
    if has_dot_segment(key):
        raise ConfigError(field, f"the key {describe(key)} {DOT_SEGMENT_PROBLEM}")
    return key


def parse_size(value: object, field: str, *, least: int) -> int:
    """Turn a size into bytes: a whole number of bytes, or a number with a unit such as ``100MB`` or ``2GiB``.

    :param value: The value from the request.
    :param field: The name to report in errors.
    :param least: The smallest accepted size.
    """
    accepted = f"expected bytes, or a size such as 100MB or 2GiB, from {least} B to 5 GiB"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(field, f"got {describe(value)}; {accepted}")
    match = _SIZE.fullmatch(str(value).strip()) if str(value).isascii() else None
    if match is None:
        raise ConfigError(field, f"got {describe(value)}; {accepted}")
    size = int(match["number"]) * _SIZE_UNITS[match["unit"].lower()]
    if not least <= size <= MAX_UPLOAD_BYTES:
        raise ConfigError(field, f"{describe(value)} is {size} bytes; {accepted}")
    return size
