"""An upload form's policy, as asked: the key, the sizes and the type its holder may send."""

from __future__ import annotations

from typing import NamedTuple


class Form(NamedTuple):
    """What an upload form (``method: post``) lets its holder send: where, how much, and of which type."""

    key: str
    max_size: int
    min_size: int
    content_type: str | None
    fields: dict[str, str] = {}  # noqa: RUF012  # the metadata, tags and ACL the upload must carry; never changed
