"""Formatting for the one line a step prints: values named without showing secrets, lists cut short, one line."""

from __future__ import annotations

import re

_QUOTED_LIMIT = 40  # longer strings are cut in messages so that the line stays readable
LINE_LIMIT = 2000  # a server may say a lot; a step's one line says at most this much of it
# Patterns of failures alone, compiled by re's cache when a step first fails rather than by every step.
_USER_INFO = r"(?i)\b([a-z][a-z0-9+.-]{0,32}://)[^\s@]{0,256}@"  # a password may hold a /; bounded
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"  # such as a terminal's escapes in a server's reason phrase


def one_line(message: str) -> str:
    """Fold a message onto one line, without control characters; ``steps.error_line`` then gates and cuts it.

    :param message: The text to report, which may quote what a server said.
    """
    return " ".join(re.sub(_CONTROL, " ", message).split())


def without_user_info(text: str) -> str:
    """Remove the ``user:password@`` part of every URL in a text."""
    return re.sub(_USER_INFO, r"\1", text)


def first_few(items: list[str], shown: int = 5) -> str:
    """Join the first few items and count the rest, so that a line stays short however many there are.

    :param items: Such as object keys.
    :param shown: How many to name.
    """
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")


def kind(value: object) -> str:
    """Name the JSON type of a value without showing it, for values that may be secret."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else describe(value)


def describe(value: object) -> str:
    """Name a JSON value for an error message, quoting scalars and naming the type of containers.

    :param value: The value to describe; never pass a secret.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and len(value) > _QUOTED_LIMIT:
        return f"{value[:_QUOTED_LIMIT]!r}... ({len(value)} characters)"
    if isinstance(value, str | int | float):
        return repr(value)
    return "a mapping" if isinstance(value, dict) else f"a {type(value).__name__}"
