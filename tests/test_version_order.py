"""Ordering a regexp's versions: any listed key sorts, numbers as numbers, and no key can crash the step."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from s3_presigned.s3.answers import ListedObject
from s3_presigned.steps.select import newest_match, version_order
from tests.fake_s3 import FakeBucket, fake_source
from tests.support import Runner

# Digits to Unicode that are not 0-9 to int(), or not to people: superscripts, other scripts' digits, fractions.
LOOKALIKE_DIGITS = "²³¹⁰₂①٣۴߅३৪੫௭๙໐༢၅០᠔０𝟘½"
versions = st.text(st.sampled_from("0123456789.-rc" + LOOKALIKE_DIGITS), max_size=12)


@given(version=st.one_of(st.text(), versions))
def test_any_text_has_an_order(version: str) -> None:
    order = version_order(version)
    assert order == version_order(version)
    assert not order < order  # noqa: PLR0124  # comparing the key with itself is the point: it must not raise


@given(older=st.one_of(st.text(), versions), newer=st.one_of(st.text(), versions))
def test_any_two_versions_are_in_order(older: str, newer: str) -> None:
    first, second = version_order(older), version_order(newer)
    assert [first < second, first == second, first > second].count(True) == 1


@given(smaller=st.integers(0, 10**30), larger=st.integers(0, 10**30), zeros=st.integers(0, 3))
def test_numbers_compare_as_numbers_whatever_their_zeros(smaller: int, larger: int, zeros: int) -> None:
    smaller, larger = sorted((smaller, larger))
    padded = "0" * zeros + str(smaller)
    assert (version_order(padded) < version_order(str(larger))) == (smaller < larger)
    assert version_order(f"1.{padded}") <= version_order(f"1.{larger}")


def test_a_number_longer_than_int_reads_still_sorts() -> None:
    # int() refuses more than 4,300 digits; a key holds 1,024 bytes, but the order must not depend on that.
    assert version_order("9" * 5000) < version_order("1" + "0" * 5000)


def test_a_superscript_digit_is_text_not_a_number() -> None:
    listed = [ListedObject(f"rel/app-{version}", 1, "e", None, None) for version in ("1²", "0.9", "1.0")]
    newest, version = newest_match(listed, re.compile(r"rel/app-(.*)"), "")
    assert (newest.key, version) == ("rel/app-1.0", "1.0")
    assert version_order("1") > version_order("1²")  # a suffix makes a pre-release


def test_a_key_with_a_superscript_digit_does_not_stop_the_step(fake_bucket: FakeBucket, over_fake: Runner) -> None:
    # isdigit() is true for ², which int() refuses: such a key crashed the step with "unexpected ValueError".
    for key in ("superscript/rel/app-1²", "superscript/rel/app-0.9"):
        fake_bucket.put(key)
    result = over_fake.get(fake_source(key_prefix="superscript/"), {"regexp": r"rel/app-(.*)", "verify": False})
    assert result.returncode == 0, result.stderr
    assert result.file("version") == "1²"
    assert unquote(urlsplit(result.url).path) == "/bucket/superscript/rel/app-1²"
