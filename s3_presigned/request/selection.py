"""Validation of the selector: which objects to sign, by one key, a list of keys, a prefix, or a regexp."""

import re
import warnings
from collections.abc import Mapping
from typing import NamedTuple

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.core.text import describe
from s3_presigned.request.fields import BY_NAME, MODES, PARAMS, Method, Mode
from s3_presigned.request.values import S3_ADDRESS, object_key

MAX_OBJECTS = 100_000


class Selection(NamedTuple):
    """Which objects to sign: one key, a list of keys, every key under a prefix, or the newest regexp match."""

    mode: Mode
    keys: tuple[str, ...] = ()
    prefix: str = ""
    pattern: re.Pattern[str] | None = None


def signs_one(method: Method, mode: Mode) -> bool:
    """Whether a step signs exactly one URL, or one form, written to ``url_file``."""
    return method == "post" or mode in ("file_path", "regexp")


def parse_mode(given: Mapping[str, object]) -> Mode:
    """Find the one selector given.

    :raises ConfigError: If there is none, or more than one.
    """
    chosen = [mode for mode in MODES if mode in given]
    if not chosen:
        raise PARAMS.file_path.problem(
            "required; please specify the object key, or one of file_paths, prefix or regexp, under get_params"
        )
    if len(chosen) > 1:
        raise BY_NAME[chosen[1]].problem(f"please specify only one of {', '.join(MODES)}; got {' and '.join(chosen)}")
    return chosen[0]


def parse_max_objects(value: object) -> int:
    """Check ``max_objects``: a whole number from 1 to :data:`MAX_OBJECTS`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_OBJECTS:
        raise PARAMS.max_objects.problem(f"got {describe(value)}; expected a whole number from 1 to {MAX_OBJECTS}")
    return value


def parse_selection(mode: Mode, value: object, key_prefix: str, max_objects: int) -> Selection:
    """Check the selector's value, and prepend the source's ``key_prefix`` to what it selects."""
    if mode == "file_path":
        return Selection(mode, keys=(object_key(value, PARAMS.file_path.path, key_prefix),))
    if mode == "file_paths":
        return Selection(mode, keys=_key_list(value, key_prefix, max_objects))
    if mode == "prefix":
        if not isinstance(value, str):
            raise PARAMS.prefix.problem(f"got {describe(value)}; expected a key prefix such as artifacts/1.2.3/")
        if S3_ADDRESS.match(value):
            raise PARAMS.prefix.problem(f"got {describe(value)}, an S3 address; please give the prefix alone")
        return Selection(mode, prefix=key_prefix + value)
    return Selection(mode, prefix=key_prefix, pattern=_regexp(value))


def _key_list(value: object, key_prefix: str, max_objects: int) -> tuple[str, ...]:
    field = PARAMS.file_paths
    if not isinstance(value, list) or not value:
        raise field.problem(f"got {describe(value)}; expected a non-empty list of object keys")
    if len(value) > max_objects:
        raise field.problem(f"has {len(value)} keys, more than max_objects ({max_objects}); raise max_objects")
    keys = tuple(object_key(key, f"{field.path}[{index}]", key_prefix) for index, key in enumerate(value))
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key in seen:
            raise ConfigError(f"{field.path}[{index}]", f"{describe(value[index])} is listed twice")
        seen.add(key)
    return keys


def _regexp(value: object) -> re.Pattern[str]:
    field = PARAMS.regexp
    example = "expected a regexp with a group for the version, such as releases/app-(.*).tgz"
    if not isinstance(value, str) or not value:
        raise field.problem(f"got {describe(value)}; {example}")
    try:
        with warnings.catch_warnings():
            # Python warns of patterns whose meaning a later version will change, such as a nested set [[.
            warnings.simplefilter("error", FutureWarning)
            pattern = re.compile(value)
    except re.error as error:
        raise field.problem(f"is not a valid regexp ({error.msg} at position {error.pos}); {example}") from None
    except FutureWarning as warning:
        raise field.problem(f"is ambiguous ({warning}); escape the character, such as \\[") from None
    if pattern.groups < 1:
        raise field.problem(f"has no capture group; {example}")
    return pattern
