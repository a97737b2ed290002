"""Parsing of ``expires_in`` into whole seconds within the SigV4 limit."""

from __future__ import annotations

import datetime
import math
import re
from datetime import timedelta

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.core.text import describe
from s3_presigned.request.fields import PARAMS

MIN_SECONDS = 1
MAX_SECONDS = 604800  # seven days: the longest expiry SigV4 query signing allows
# A bare number below a minute is almost always a unit left out, as 3 for three days: it would be a 3-second link.
BARE_MINIMUM = 60

_ACCEPTED = "seconds as a whole number from 60, a duration such as 90s, 1h30m or 7d, or a mapping such as {hours: 24}"
_DIGITS = re.compile(r"[0-9]+")
_DURATION = re.compile(r"(?:(?P<days>\d+)d)?(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?(?:(?P<seconds>\d+)s)?")
# timedelta's keywords, with the seconds in each: a mapping such as {hours: 24} is read as timedelta reads it.
_UNIT_SECONDS = {
    "weeks": 604800,
    "days": 86400,
    "hours": 3600,
    "minutes": 60,
    "seconds": 1,
    "milliseconds": 1e-3,
    "microseconds": 1e-6,
}
_TIMEDELTA_UNITS = tuple(_UNIT_SECONDS)
_BEYOND_ANY_RANGE = 10**12  # seconds: more than any expiry, and less than timedelta overflows at


def parse_expires_in(value: object, field: str = PARAMS.expires_in.path) -> int:
    """Turn any accepted form of ``expires_in`` into seconds, from 1 second to 7 days.

    :param value: An integer of seconds, a duration string, or a mapping of :class:`~datetime.timedelta` keywords.
    :param field: The name to report in errors.
    :raises ConfigError: If the form is not accepted or the duration is out of range.
    """
    if isinstance(value, bool) or value is None:
        raise ConfigError(field, f"got {describe(value)}; expected {_ACCEPTED}")
    if isinstance(value, int):
        if MIN_SECONDS <= value < BARE_MINIMUM:
            raise ConfigError(
                field,
                f"got {value}; a bare number is seconds, and under {BARE_MINIMUM} is almost always a mistake: "
                f"{_with_a_unit(value)}",
            )
        seconds = value
    elif isinstance(value, float):
        raise ConfigError(field, f"got the number {value!r}; expected {_ACCEPTED}")
    elif isinstance(value, str):
        seconds = _parse_duration(value, field)
    elif isinstance(value, dict):
        seconds = _parse_mapping(value, field)
    else:
        raise ConfigError(field, f"got {describe(value)}; expected {_ACCEPTED}")
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise ConfigError(field, f"{seconds} s is out of range; use 1 second to 7 days ({MAX_SECONDS} s)")
    return seconds


def _parse_duration(text: str, field: str) -> int:
    match = _DURATION.fullmatch(text) if text.isascii() else None
    if not text or match is None:
        number = int(text) if _DIGITS.fullmatch(text) and len(text.lstrip("0")) <= len(str(MAX_SECONDS)) else 0
        if MIN_SECONDS <= number < BARE_MINIMUM:
            raise ConfigError(field, f"got {describe(text)}, a number without a unit: {_with_a_unit(number)}")
        hint = f" (for seconds write {number}s)" if number else ""
        raise ConfigError(field, f"{describe(text)} is not a duration{hint}; expected {_ACCEPTED}")
    # A number with more digits than the range allows is out of range, whatever they are: no need to read them all.
    limit = len(str(MAX_SECONDS)) + 1
    amounts = {
        unit: int((amount.lstrip("0") or "0")[:limit])
        for unit, amount in match.groupdict().items()
        if amount is not None
    }
    return sum(amount * int(_UNIT_SECONDS[unit]) for unit, amount in amounts.items())


def _with_a_unit(number: int) -> str:
    # Suggest only what is in range: 3 may be days, 30 may not.
    longer, shorter = ("d", "h") if number * _UNIT_SECONDS["days"] <= MAX_SECONDS else ("h", "m")
    return f"write {number}{longer} or {number}{shorter}, or {number}s if seconds are meant"


def _parse_mapping(mapping: dict[object, object], field: str) -> int:
    parts: dict[str, float] = {}
    for unit, amount in mapping.items():
        if unit not in _TIMEDELTA_UNITS:
            import difflib  # noqa: PLC0415  # only a mistake needs it, and every step would pay for it

            close = difflib.get_close_matches(str(unit), _TIMEDELTA_UNITS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{field}.{unit}", f"unknown unit{hint}; expected {', '.join(_TIMEDELTA_UNITS)}")
        if amount is None:
            continue  # null means the unit is not given
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not 0 <= amount < math.inf:
            raise ConfigError(f"{field}.{unit}", f"got {describe(amount)}; expected a number of {unit}, 0 or more")
        if amount * _UNIT_SECONDS[str(unit)] > _BEYOND_ANY_RANGE:
            raise ConfigError(field, f"{describe(amount)} {unit} is out of range; use 1 second to 7 days")
        parts[str(unit)] = amount
    if not parts:
        raise ConfigError(field, f"the mapping is empty; expected keys among {', '.join(_TIMEDELTA_UNITS)}")
    total = timedelta(**parts).total_seconds()
    if total != int(total):
        raise ConfigError(field, f"{total} s is not a whole number of seconds")
    return int(total)


def fit_to_credentials(
    expires_in: int,
    now: datetime.datetime,
    credentials_expire_at: datetime.datetime | None,
    credentials_origin: str,
    *,
    allow_shorter: bool,
) -> int:
    """Make sure the URL does not outlive the credentials that sign it, since it stops working when they expire.

    :param expires_in: The requested expiry in seconds.
    :param now: The current time, timezone-aware.
    :param credentials_expire_at: When temporary credentials expire, or ``None`` for long-lived ones.
    :param credentials_origin: Where the credentials came from, for the message.
    :param allow_shorter: Shorten the expiry to the credentials' lifetime instead of failing.
    :raises ConfigError: If the credentials expire first and shortening is not allowed, or they have expired.
    """
    if credentials_expire_at is None:
        return expires_in
    remaining = int((credentials_expire_at - now).total_seconds())
    if remaining >= expires_in:
        return expires_in
    wanted_at = iso8601(now + timedelta(seconds=expires_in))
    lapse_at = iso8601(credentials_expire_at)
    if remaining < MIN_SECONDS:
        raise ConfigError("credentials", f"the {credentials_origin} credentials expired at {lapse_at}")
    if allow_shorter:
        return remaining
    raise PARAMS.expires_in.problem(
        f"the URL would expire at {wanted_at}, but the {credentials_origin} credentials that sign it expire at "
        f"{lapse_at}; shorten expires_in, use longer-lived credentials, or set allow_shorter_expiry: true",
    )


def iso8601(moment: datetime.datetime) -> str:
    """Format a timezone-aware time as ISO 8601 UTC to the second, such as ``2026-01-01T00:00:00Z``."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
