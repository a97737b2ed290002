"""What S3 itself defines, which both the validation and the conversation with S3 rely on."""

from __future__ import annotations

import re

MAX_KEY_BYTES = 1024  # the longest object key, in UTF-8
REGION = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")  # S3-compatible stores use names such as "auto"
AWS_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
DEFAULT_STORE_REGION = "us-east-1"  # what S3-compatible stores expect when no region is given
FIRST_GUESS_REGION = "us-east-1"  # where to ask AWS first: it answers with the bucket's region
# Storage classes whose objects cannot be read until restored; Glacier Instant Retrieval can.
ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})
DOT_SEGMENT_PROBLEM = (
    "has a '.' or '..' segment, which browsers and curl remove from a link's path before they fetch it, "
    "so no link to it would work"
)


def has_dot_segment(key: str) -> bool:
    """Whether a key has a ``.`` or ``..`` path segment, which no link can carry to S3 intact."""
    return any(segment in (".", "..") for segment in key.split("/"))
