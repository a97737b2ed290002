"""Which objects to sign: the keys asked for, every key under a prefix, or the newest match of a regexp."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from s3_presigned.core.failures.local import NoMatch, NoObjects
from s3_presigned.core.failures.refusals import MissingKeys
from s3_presigned.request.selection import MAX_OBJECTS
from s3_presigned.s3.answers import ListedObject
from s3_presigned.s3.listing import common_prefix
from s3_presigned.s3.signed import Info

if TYPE_CHECKING:
    # typeshed describes the parser under its old public names; since 3.11 re keeps it as re._parser.
    import sre_constants as _constants
    import sre_parse as _parser

    from s3_presigned.request.params import GetParams
    from s3_presigned.s3.client import S3Client
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


def select(store: S3Client, key_prefix: str, params: GetParams) -> tuple[list[tuple[str, Info | None]], str | None]:
    """Select the keys to sign, each with what a listing said of it, and the version a regexp matched.

    :param store: The store, which lists what it holds.
    :param key_prefix: The source's prefix of every key, which a regexp does not include.
    :param params: What was asked.
    """
    selection = params.selection
    # An upload's objects need not exist, and unverified keys are signed as they are.
    if selection.mode == "file_path" or (selection.mode == "file_paths" and not params.downloads_verified):
        return [(key, None) for key in selection.keys], None
    if selection.mode == "file_paths":
        # One listing checks them all; it may hold more than the keys asked for, so it is bounded only by the most.
        prefix = common_prefix(list(selection.keys))
        remedy = "sign keys that share a longer prefix in one step, or set verify: false to skip the check"
        listing = store.objects(prefix, MAX_OBJECTS, limit_field="params.file_paths", remedy=remedy)
        listed = {item.key: item for item in listing}
        missing = [key for key in selection.keys if key not in listed]
        if missing:
            raise MissingKeys(store.name, missing)
        return [(key, listed[key]) for key in selection.keys], None
    if selection.pattern is not None:
        prefix = selection.prefix + literal_prefix(selection.pattern.pattern)
        remedy = "start the regexp with more whole /-segments of plain text, so that it lists fewer"
        candidates = store.objects(prefix, MAX_OBJECTS, limit_field="params.regexp", remedy=remedy)
        newest, version = newest_match(candidates, selection.pattern, key_prefix)
        return [(newest.key, newest)], version
    listed_objects = store.objects(
        selection.prefix,
        params.max_objects,
        limit_field="params.max_objects",
        remedy="raise max_objects to sign more, or narrow the prefix",
    )
    if not listed_objects and not params.allow_empty:
        raise NoObjects(store.name, selection.prefix)
    return [(item.key, item) for item in listed_objects], None


def newest_match(objects: list[ListedObject], pattern: re.Pattern[str], key_prefix: str) -> tuple[ListedObject, str]:
    """Pick the object whose key, after the source's prefix, fully matches and has the highest version.

    The version is the first capture group, ordered as version numbers are: 1.10 after 1.9, and a
    release after its pre-releases (1.0.0 after 1.0.0-rc1).

    :param objects: The listed objects.
    :param pattern: The compiled regexp, with at least one group.
    :param key_prefix: The source's ``key_prefix``, which the regexp does not include.
    :raises NoMatch: If no key matches.
    """
    candidates: list[tuple[VersionOrder, ListedObject, str]] = []
    for listed in objects:
        match = pattern.fullmatch(listed.key[len(key_prefix) :])
        if match is not None and match.group(1) is not None:
            version = match.group(1)
            candidates.append((version_order(version), listed, version))
    if not candidates:
        raise NoMatch(key_prefix, pattern.pattern)
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
