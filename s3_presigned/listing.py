"""Objects found with one paginated listing: under a prefix, matching a regexp, or named in a list."""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from typing import Any

from s3_presigned.errors import ResourceError

_REGEX_SPECIAL = set(".^$*+?{}[]\\|()")
_VERSION_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_CHUNK = re.compile(r"\d+|\D+")


@dataclass(frozen=True)
class ListedObject:
    """An object as the listing describes it."""

    key: str
    size: int
    etag: str
    last_modified: datetime.datetime


def list_objects(client: Any, bucket: str, prefix: str) -> list[ListedObject]:  # noqa: ANN401  # botocore builds the client class at run time
    """List every object under a prefix, following continuation tokens; folder markers are left out.

    :param client: The S3 client.
    :param bucket: The bucket.
    :param prefix: The key prefix, possibly empty.
    """
    objects: list[ListedObject] = []
    request: dict[str, str] = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = client.list_objects_v2(**request)
        objects.extend(
            ListedObject(
                item["Key"], int(item.get("Size", 0)), str(item.get("ETag", "")).strip('"'), item["LastModified"]
            )
            for item in page.get("Contents", [])
            if not item["Key"].endswith("/")
        )
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return objects
        request["ContinuationToken"] = token


def literal_prefix(pattern: str) -> str:
    """Return the part of a regexp before its first special character: the listing need not go further up.

    :param pattern: The regexp, matched against whole keys.
    """
    for index, char in enumerate(pattern):
        if char in _REGEX_SPECIAL:
            return pattern[:index]
    return pattern


def common_prefix(keys: list[str]) -> str:
    """Return the longest prefix the keys share, so that one listing covers them all."""
    return os.path.commonprefix(keys)  # noqa: RUF071  # S3 prefixes are strings, not path components


def newest_match(objects: list[ListedObject], pattern: re.Pattern[str], key_prefix: str) -> tuple[ListedObject, str]:
    """Pick the object whose key, after the source's prefix, fully matches and has the highest version.

    The version is the first capture group, ordered as version numbers are: 1.10 after 1.9, and a
    release after its pre-releases (1.0.0 after 1.0.0-rc1).

    :param objects: The listed objects.
    :param pattern: The compiled regexp, with at least one group.
    :param key_prefix: The source's ``key_prefix``, which the regexp does not include.
    :raises ResourceError: If no key matches.
    """
    candidates: list[tuple[tuple[Any, ...], ListedObject, str]] = []
    for listed in objects:
        match = pattern.fullmatch(listed.key[len(key_prefix) :])
        if match is not None and match.group(1) is not None:
            version = match.group(1)
            candidates.append((version_order(version), listed, version))
    if not candidates:
        raise ResourceError(f"no key under {key_prefix or 'the bucket'} matches the regexp {pattern.pattern!r}")
    _, newest, version = max(candidates, key=lambda candidate: (candidate[0], candidate[1].key))
    return newest, version


def version_order(version: str) -> tuple[Any, ...]:
    """Build a sort key for a version string: numbers compare as numbers, a release outranks pre-releases.

    :param version: Such as ``17.10``, ``1.0.0-rc1`` or ``2024-01-05``.
    """
    number = _VERSION_NUMBER.match(version)
    if number is None:
        return (0, (), 0, _natural(version))
    numbers = tuple(int(part) for part in number.group().split("."))
    suffix = version[number.end() :]
    # Trailing zeros do not make a newer version: 1.0 and 1.0.0 are equal.
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers = numbers[:-1]
    return (1, numbers, 0 if suffix else 1, _natural(suffix))


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((1, int(chunk), "") if chunk.isdigit() else (0, 0, chunk) for chunk in _CHUNK.findall(text))
