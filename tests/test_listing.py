"""The listing's prefix from a regexp, and the guard that checks a listing page by page: pure logic, in process."""

from __future__ import annotations

import re
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.core.failures.listings import (
    EndlessPages,
    KeyOutsidePrefix,
    KeyRepeated,
    ListingBroken,
    NoToken,
    TokenAfterLast,
    TokenRepeated,
)
from s3_presigned.s3.answers import ListedObject, ListPage
from s3_presigned.s3.listing import PageGuard
from s3_presigned.steps.select import literal_prefix

MAX_OBJECTS_FIELD = ("params.max_objects", "raise max_objects to sign more, or narrow the prefix")


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        (r"releases/app-(.*)\.tgz", "releases/"),
        (r"releases/v1/app-(.*)\.tgz", "releases/v1/"),
        (r"app-(.*)\.tgz", ""),
        # ? makes the character before it optional: apps? must not list under "apps".
        (r"releases/apps?-(.*)\.tgz", "releases/"),
        (r"releases?/app-(.*)", ""),
        # * and + repeat what comes before; {} counts it.
        (r"releases/ap*-(.*)", "releases/"),
        (r"releases/x+/(.*)", "releases/"),
        (r"releases/v{2}/(.*)", "releases/"),
        # A quantified slash may be absent or repeated, so it ends no segment.
        (r"releases/*(.*)", ""),
        (r"a/b/?(.*)", "a/"),
        # Alternation at the top level may match anywhere; inside a group it is contained.
        (r"releases/(a|b)-(.*)", "releases/"),
        (r"releases/x|other/(.*)", ""),
        (r"(releases|other)/(.*)", ""),
        (r"releases/[|x]/(.*)", "releases/"),
        (r"releases/\|/(.*)", "releases/|/"),
        # Groups and classes end the literal part.
        (r"(releases)/(.*)", ""),
        (r"rel[ae]ases/(.*)", ""),
        # Escaped punctuation is literal; escaped letters are classes, anchors or back-references.
        (r"releases\.d/app-(.*)", "releases.d/"),
        (r"v1\.2\-3/(.*)", "v1.2-3/"),
        (r"a\/b/(.*)", "a/b/"),
        (r"\d+/(.*)", ""),
        (r"rel\w+/(.*)", ""),
        (r"releases\b/(.*)", ""),
        # An unescaped dot matches any character.
        (r"releases.d/app-(.*)", ""),
        # Keys are matched whole, so a leading anchor changes nothing.
        (r"^releases/app-(.*)", "releases/"),
        (r"\Areleases/app-(.*)", "releases/"),
        (r"releases/app-(.*)$", "releases/"),
        # A pattern that is all literal is still cut at its last slash: the name itself is matched, not listed.
        (r"releases/app.tgz", "releases/"),
        # A class is one character, whatever it holds: a ] first in it, or after ^, is literal; an escaped ] too.
        (r"a/[^](]|b/app-(.*)\.tgz", ""),
        (r"a/[]|(]x/(.*)", "a/"),
        (r"a/[\]|]x/(.*)", "a/"),
        (r"releases/[^]|]/(.*)", "releases/"),
        # Comments and verbose mode hide what looks like structure.
        (r"a/(?#(|)b/(.*)|c/(.*)", ""),
        (r"a/(?#(|x)b/(.*)", "a/b/"),
        ("(?x) a / b / (.*)  # the version", "a/b/"),
        ("a/(?x: #)\n)|b/(.*)", ""),
        # Alternatives that share their opening share it as a prefix.
        (r"releases/x-(.*)|releases/y-(.*)", "releases/"),
        # S3 lists case-sensitively, so a case-insensitive part ends the prefix.
        (r"(?i)releases/(.*)", ""),
        (r"(?i:releases)/(.*)", ""),
        # A one-character class and a hexadecimal escape are literal characters.
        (r"rel[e]ases/(.*)", "releases/"),
        (r"releases\x2fv1/(.*)", "releases/v1/"),
    ],
)
def test_literal_prefix_follows_whole_literal_segments(pattern: str, prefix: str) -> None:
    assert literal_prefix(pattern) == prefix


keys = st.text(st.sampled_from("ab/.-_|?*+()[]{}^$\\"), max_size=12)


@given(pattern_text=keys, key=keys)
def test_every_key_a_regexp_matches_starts_with_its_prefix(pattern_text: str, key: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # the resource refuses these; the prefix must hold anyway
            pattern = re.compile(pattern_text)
    except re.error:
        return
    if pattern.fullmatch(key):
        assert key.startswith(literal_prefix(pattern_text))


def page(*names: str, truncated: bool = False, token: str | None = None) -> ListPage:
    objects = [ListedObject(name, 1, "e", None, None) for name in names]
    return ListPage(objects=objects, truncated=truncated, next_token=token)


def test_a_good_listing_passes_page_by_page() -> None:
    guard = PageGuard("s3://b/p/", "p/", 10, *MAX_OBJECTS_FIELD)
    assert guard.accept(page("p/a", "p/b", truncated=True, token="t1")) == "t1"
    assert guard.accept(page("p/c", truncated=True, token="t2")) == "t2"
    assert guard.accept(page("p/d")) is None
    assert (guard.count, guard.pages) == (4, 3)


def test_a_store_s_own_order_passes() -> None:
    # SeaweedFS lists a versioned bucket in its own order: %, é and space before letters, not UTF-8 order.
    guard = PageGuard("s3://b/p/", "p/", 10, *MAX_OBJECTS_FIELD)
    assert guard.accept(page("p/é%20f.txt", "p/a b.txt", truncated=True, token="t1")) == "t1"
    assert guard.accept(page("p/+c", "p/a")) is None
    assert (guard.count, guard.pages) == (4, 2)


@pytest.mark.parametrize(
    ("pages", "broken"),
    [
        (
            [page("p/a", truncated=True, token="t"), page("p/b", truncated=True, token="t")],
            TokenRepeated("s3://b/p/", 2),
        ),
        ([page("p/a", truncated=True, token="t"), page("p/a")], KeyRepeated("s3://b/p/", "p/a", 2)),
        ([page("p/b", "p/a", truncated=True, token="t"), page("p/c", "p/b")], KeyRepeated("s3://b/p/", "p/b", 2)),
        ([page("p/a", "p/a")], KeyRepeated("s3://b/p/", "p/a", 1)),
        ([page("p/a", truncated=True)], NoToken("s3://b/p/", 1)),
        ([page("p/a", "q/secret")], KeyOutsidePrefix("s3://b/p/", "q/secret", "p/")),
        ([page("P/a")], KeyOutsidePrefix("s3://b/p/", "P/a", "p/")),
        ([page("p/a", token="t")], TokenAfterLast("s3://b/p/", 1)),
    ],
)
def test_a_broken_listing_fails_naming_why(pages: list[ListPage], broken: ListingBroken) -> None:
    guard = PageGuard("s3://b/p/", "p/", 10, *MAX_OBJECTS_FIELD)
    for each in pages[:-1]:
        guard.accept(each)
    with pytest.raises(type(broken)) as raised:
        guard.accept(pages[-1])
    assert vars(raised.value) == vars(broken)


def test_endless_empty_pages_stop_at_one_page_per_object() -> None:
    guard = PageGuard("s3://b/p/", "p/", 3, *MAX_OBJECTS_FIELD)
    for number in range(3):
        guard.accept(page(truncated=True, token=str(number)))
    with pytest.raises(EndlessPages) as raised:
        guard.accept(page(truncated=True, token="3"))
    assert (raised.value.pages, raised.value.count) == (4, 0)


def test_more_objects_than_allowed_names_the_parameter_and_the_count() -> None:
    guard = PageGuard("s3://b/p/", "p/", 2, *MAX_OBJECTS_FIELD)
    with pytest.raises(ConfigError) as raised:
        guard.accept(page("p/a", "p/b", "p/c"))
    assert raised.value.field == "params.max_objects"
    assert raised.value.problem.startswith("more than 2 objects under s3://b/p/ (3 listed so far); ")


def test_a_listing_bounded_for_another_reason_says_what_to_do() -> None:
    guard = PageGuard("s3://b/", "", 1, "params.regexp", "start the regexp with more plain text")
    with pytest.raises(ConfigError) as raised:
        guard.accept(page("a", "b"))
    assert (raised.value.field, raised.value.problem) == (
        "params.regexp",
        "more than 1 objects under s3://b/ (2 listed so far); start the regexp with more plain text",
    )
