"""Which listed objects to sign: the listing's prefix, a guard on its pages, and the newest regexp match."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, cast

from s3_presigned.answers import ListedObject, ListPage
from s3_presigned.errors import ConfigError, ResourceError

if TYPE_CHECKING:
    # typeshed describes the parser under its old public names; since 3.11 re keeps it as re._parser.
    import sre_constants as _constants
    import sre_parse as _parser
else:
    from re import _constants, _parser

_LEADING_ANCHORS: tuple[object, ...] = (_constants.AT_BEGINNING, _constants.AT_BEGINNING_STRING)

# A digit is 0-9 alone: str.isdigit() and \d also take digits such as ² that neither int() nor people read as one.
_VERSION_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_CHUNK = re.compile(r"([0-9]+)|[^0-9]+")
# A whole number as digits without leading zeros, ordered by length and then by text: exact for any size,
# where int() refuses more than 4,300 digits.
Number = tuple[int, str]
# How a version sorts: whether it starts with a number, the number's parts, release after pre-release, the rest.
VersionOrder = tuple[int, tuple[Number, ...], int, tuple[tuple[int, Number, str], ...]]
_ZERO: Number = (0, "")


def literal_prefix(pattern: str) -> str:
    """Return the whole leading ``/`` segments of every key the regexp fully matches: the listing's prefix.

    The regexp is read by Python's own parser, the one that compiles it, so that bracket expressions, escapes,
    comments, flags and alternation mean here exactly what they mean when keys are matched. The prefix is the run
    of literal characters that opens the pattern, cut after its last ``/``: whatever follows a quantified, optional
    or alternative part is not in it. A case-insensitive pattern has no prefix, since S3 lists case-sensitively.

    :param pattern: The regexp, matched against whole keys.
    """
    parsed = _parser.parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return ""
    literal: list[str] = []
    for index, (op, value) in enumerate(parsed.data):
        if index == 0 and op == _constants.AT and value in _LEADING_ANCHORS:
            continue  # keys are matched whole, so a leading anchor changes nothing
        if op != _constants.LITERAL:
            break
        literal.append(chr(cast("int", value)))
    text = "".join(literal)
    return text[: text.rfind("/") + 1]


def common_prefix(keys: list[str]) -> str:
    """Return the longest prefix the keys share, so that one listing covers them all."""
    return os.path.commonprefix(keys)  # noqa: RUF071  # S3 prefixes are strings, not path components


class PageGuard:
    """Checks a listing page by page, so that a broken store can neither loop, skip pages, nor leave the prefix.

    A key listed twice means a page was served again; a continuation token seen before means the listing would
    never end. The order of keys is not checked: S3 lists in UTF-8 order, but other stores keep their own (SeaweedFS
    does in a versioned bucket). The keys seen are held until ``max_objects`` fails the listing, as the listing's
    objects are, so the guard holds at most one page more than the step signs.

    :param where: The listing, such as ``s3://bucket/prefix``, for messages.
    :param prefix: Every key must start with it.
    :param max_objects: The most objects the listing may hold.
    :param limit_field: The field to name when it holds more.
    :param remedy: What to do then.
    """

    def __init__(
        self,
        where: str,
        prefix: str,
        max_objects: int,
        limit_field: str,
        remedy: str,
    ) -> None:
        self._where = where
        self._prefix = prefix
        self._max_objects = max_objects
        self._limit_field = limit_field
        self._remedy = remedy
        self._tokens: set[str] = set()
        self._keys: set[str] = set()
        self.count = 0
        self.pages = 0

    def accept(self, page: ListPage) -> str | None:
        """Check one page; return the token for the next, or ``None`` after the last.

        :raises ResourceError: Naming what is wrong with the listing.
        :raises ConfigError: If there are more objects than ``max_objects``.
        """
        self.pages += 1
        for listed in page.objects:
            self._check_key(listed.key)
        if self.count > self._max_objects:
            raise ConfigError(
                self._limit_field,
                f"more than {self._max_objects} objects under {self._where} ({self.count} listed so far); "
                f"{self._remedy}",
            )
        return self._next_token(page)

    def _check_key(self, key: str) -> None:
        if not key.startswith(self._prefix):
            raise ResourceError(
                f"listing {self._where}: S3 listed {key!r}, outside the prefix {self._prefix!r}; "
                "nothing is signed from a store that ignores the prefix"
            )
        if key in self._keys:
            raise ResourceError(
                f"listing {self._where}: S3 listed {key!r} twice, on page {self.pages}: the store repeats pages"
            )
        self._keys.add(key)
        self.count += 1

    def _next_token(self, page: ListPage) -> str | None:
        where = f"listing {self._where}: S3"
        if not page.truncated:
            if page.next_token:
                raise ResourceError(
                    f"{where} said page {self.pages} was the last but gave a continuation token: the listing may be "
                    "cut short"
                )
            return None
        if not page.next_token:
            raise ResourceError(f"{where} said page {self.pages} was truncated but gave no continuation token")
        if page.next_token in self._tokens:
            raise ResourceError(
                f"{where} gave a continuation token a second time, after {self.pages} pages: the listing would "
                "never end"
            )
        if self.pages > self._max_objects:
            raise ResourceError(
                f"listing {self._where}: {self.pages} pages for {self.count} objects: the listing does not end"
            )
        self._tokens.add(page.next_token)
        return page.next_token


def newest_match(objects: list[ListedObject], pattern: re.Pattern[str], key_prefix: str) -> tuple[ListedObject, str]:
    """Pick the object whose key, after the source's prefix, fully matches and has the highest version.

    The version is the first capture group, ordered as version numbers are: 1.10 after 1.9, and a
    release after its pre-releases (1.0.0 after 1.0.0-rc1).

    :param objects: The listed objects.
    :param pattern: The compiled regexp, with at least one group.
    :param key_prefix: The source's ``key_prefix``, which the regexp does not include.
    :raises ResourceError: If no key matches.
    """
    candidates: list[tuple[VersionOrder, ListedObject, str]] = []
    for listed in objects:
        match = pattern.fullmatch(listed.key[len(key_prefix) :])
        if match is not None and match.group(1) is not None:
            version = match.group(1)
            candidates.append((version_order(version), listed, version))
    if not candidates:
        raise ResourceError(f"no key under {key_prefix or 'the bucket'} matches the regexp {pattern.pattern!r}")
    _, newest, version = max(candidates, key=lambda candidate: (candidate[0], candidate[1].key))
    return newest, version


def version_order(version: str) -> VersionOrder:
    """Build a sort key for any text: numbers compare as numbers, a release outranks pre-releases.

    :param version: Such as ``17.10``, ``1.0.0-rc1`` or ``2024-01-05``.
    """
    number = _VERSION_NUMBER.match(version)
    if number is None:
        return (0, (), 0, _natural(version))
    numbers = tuple(_number(part) for part in number.group().split("."))
    suffix = version[number.end() :]
    # Trailing zeros do not make a newer version: 1.0 and 1.0.0 are equal.
    while len(numbers) > 1 and numbers[-1] == _ZERO:
        numbers = numbers[:-1]
    return (1, numbers, 0 if suffix else 1, _natural(suffix))


def _natural(text: str) -> tuple[tuple[int, Number, str], ...]:
    return tuple(
        (1, _number(chunk.group(1)), "") if chunk.group(1) else (0, _ZERO, chunk.group())
        for chunk in _CHUNK.finditer(text)
    )


def _number(digits: str) -> Number:
    significant = digits.lstrip("0")
    return (len(significant), significant)
