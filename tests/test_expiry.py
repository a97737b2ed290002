"""expires_in in all three forms, its range, and the rule that a URL cannot outlive its credentials."""

from __future__ import annotations

import datetime

import pytest

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.request.expiry import fit_to_credentials, iso8601, parse_expires_in

NOW = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (60, 60),
        (3600, 3600),
        (604800, 604800),
        ("1s", 1),
        ("90s", 90),
        ("24h", 86400),
        ("1h30m", 5400),
        ("7d", 604800),
        ("1d2h3m4s", 93784),
        ({"hours": 24}, 86400),
        ({"minutes": 90}, 5400),
        ({"days": 1, "hours": 12}, 129600),
        ({"hours": 1.5}, 5400),
        ({"weeks": 1}, 604800),
        # All of timedelta's keywords, as the concoursetools example passes them to timedelta.
        ({"milliseconds": 2000}, 2),
        ({"seconds": 1, "microseconds": 1_000_000}, 2),
        # Leading zeros are only zeros.
        ("00003600s", 3600),
        ("0000003600s", 3600),
        ("00000001h", 3600),
    ],
)
def test_accepted_forms(value: object, seconds: int) -> None:
    assert parse_expires_in(value) == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "0 s is out of range; use 1 second to 7 days (604800 s)"),
        (-1, "-1 s is out of range"),
        (604801, "604801 s is out of range"),
        (1.5, "got the number 1.5; expected seconds as a whole number"),
        (1e9, "got the number 1000000000.0"),
        ("3600", "'3600' is not a duration (for seconds write 3600s)"),
        ("0060", "'0060' is not a duration (for seconds write 60s)"),
        ("0", "'0' is not a duration; expected"),
        ("²", "'²' is not a duration; expected"),
        ("24x", "'24x' is not a duration"),
        ("", "'' is not a duration"),
        ("h", "'h' is not a duration"),
        ("1m1h", "'1m1h' is not a duration"),
        (True, "got true"),
        (None, "got null"),
        ([3600], "got a list"),
        ({"weeks": 2}, "1209600 s is out of range"),
        ({}, "the mapping is empty"),
        ({"hours": None}, "the mapping is empty"),
        ({"seconds": 0.5}, "0.5 s is not a whole number of seconds"),
        ({"hours": -1}, "got -1; expected a number of hours, 0 or more"),
        ({"hours": "1"}, "got '1'; expected a number of hours"),
        ("99999999999d", "863999913600 s is out of range"),
        ({"weeks": 10**12}, "1000000000000 weeks is out of range"),
        ({"days": float("inf")}, "got inf; expected a number of days, 0 or more"),
        ({"days": float("nan")}, "got nan; expected a number of days, 0 or more"),
        ({"milliseconds": 1500}, "1.5 s is not a whole number of seconds"),
    ],
)
def test_rejected_forms_name_the_field(value: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_expires_in(value)
    assert raised.value.field.startswith("params.expires_in")
    assert message in raised.value.problem


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (3, "got 3; a bare number is seconds, and under 60 is almost always a mistake: write 3d or 3h, or 3s if"),
        (1, "got 1; a bare number is seconds, and under 60 is almost always a mistake: write 1d or 1h, or 1s if"),
        (7, "write 7d or 7h, or 7s if seconds are meant"),
        # Eight days is beyond the range: suggest what is in it.
        (8, "write 8h or 8m, or 8s if seconds are meant"),
        (59, "write 59h or 59m, or 59s if seconds are meant"),
        ("3", "got '3', a number without a unit: write 3d or 3h, or 3s if seconds are meant"),
        ("059", "got '059', a number without a unit: write 59h or 59m, or 59s if seconds are meant"),
    ],
)
def test_a_bare_number_under_a_minute_is_refused_with_the_units_it_may_have_meant(value: object, line: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_expires_in(value)
    message = str(raised.value)
    assert message.startswith("params.expires_in: ")
    assert line in message
    assert "\n" not in message


@pytest.mark.parametrize("suggested", ["3d", "3h", "3s", "8h", "8m", "8s", "59h", "59m", "59s"])
def test_what_the_refusal_suggests_is_accepted(suggested: str) -> None:
    assert parse_expires_in(suggested) > 0


@pytest.mark.parametrize("amount", [1, None])
def test_unknown_unit_suggests_the_closest(amount: int | None) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_expires_in({"hourz": amount})
    assert raised.value.field == "params.expires_in.hourz"
    assert raised.value.problem.startswith("unknown unit (did you mean 'hours'?)")


def test_long_lived_credentials_keep_the_expiry() -> None:
    assert fit_to_credentials(604800, NOW, None, "source", allow_shorter=False) == 604800


def test_credentials_that_outlast_the_url_keep_the_expiry() -> None:
    expiry = NOW + datetime.timedelta(hours=2)
    assert fit_to_credentials(3600, NOW, expiry, "assumed role", allow_shorter=False) == 3600


def test_credentials_that_expire_first_fail_naming_both_times() -> None:
    expiry = NOW + datetime.timedelta(minutes=15)
    with pytest.raises(ConfigError) as raised:
        fit_to_credentials(604800, NOW, expiry, "assumed role", allow_shorter=False)
    message = str(raised.value)
    assert "2026-01-08T12:00:00Z" in message
    assert "2026-01-01T12:15:00Z" in message
    assert "allow_shorter_expiry" in message


def test_allow_shorter_expiry_shortens_to_the_credentials() -> None:
    expiry = NOW + datetime.timedelta(minutes=15)
    assert fit_to_credentials(604800, NOW, expiry, "assumed role", allow_shorter=True) == 900


def test_expired_credentials_fail_even_when_shorter_is_allowed() -> None:
    with pytest.raises(ConfigError) as raised:
        fit_to_credentials(60, NOW, NOW - datetime.timedelta(minutes=1), "environment", allow_shorter=True)
    assert (raised.value.field, raised.value.problem) == (
        "credentials",
        "the environment credentials expired at 2026-01-01T11:59:00Z",
    )


def test_iso8601_is_utc() -> None:
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    assert iso8601(datetime.datetime(2026, 1, 1, 14, 0, 0, 999, tzinfo=plus_two)) == "2026-01-01T12:00:00Z"
