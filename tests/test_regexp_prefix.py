"""A regexp's listing prefix holds for every key the regexp matches, whatever brackets, escapes or comments it has."""

from __future__ import annotations

import re
import warnings
from urllib.parse import urlsplit

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from s3_presigned.steps.select import literal_prefix
from tests.fake_s3 import FakeBucket, fake_source
from tests.support import Runner, examples

# Characters that mean one thing in a bracket expression and another outside it, escaped or not.
LITERALS = ["a", "b", "/", "-", "é", r"\.", r"\/", r"\|", r"\]", r"\[", r"\(", r"\)", r"\\", r"\x2f", r"\N{SOLIDUS}"]
CLASS_ITEMS = ["a", "b", "/", "(", ")", "|", "[", "^", ".", "*", r"\]", r"\[", r"\\", r"\-", r"\d", r"\w", "a-b"]
QUANTIFIERS = ["", "", "", "?", "*", "+", "{0,2}", "{1}", "??"]


@st.composite
def bracket_expressions(draw: st.DrawFn) -> str:
    """``[...]`` with ``^``, a leading ``]`` (literal there), escapes, and characters special outside a class."""
    negated = "^" if draw(st.booleans()) else ""
    leading = "]" if draw(st.booleans()) else ""
    items = draw(st.lists(st.sampled_from(CLASS_ITEMS), min_size=0 if leading else 1, max_size=3))
    return f"[{negated}{leading}{''.join(items)}]"


def comments() -> st.SearchStrategy[str]:
    """``(?#...)``, whose text may hold brackets, parentheses and bars that mean nothing."""
    return st.text(st.sampled_from("ab/([]|^"), max_size=4).map(lambda text: f"(?#{text})")


def groups(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Groups of several kinds, including scoped flags: verbose mode, where ``#`` starts a comment, and ignore-case."""
    return st.one_of(
        inner.map(lambda body: f"({body})"),
        inner.map(lambda body: f"(?:{body})"),
        inner.map(lambda body: f"(?i:{body})"),
        st.tuples(inner, st.text(st.sampled_from("a/)|[("), max_size=3)).map(
            lambda parts: f"(?x:{parts[0]} #{parts[1]}\n)"
        ),
    )


def quantified(atom: str, quantifier: str) -> str:
    # A group repeats at most once: a repeat of a repeat, such as ((a*)+)*, backtracks exponentially in re, in C,
    # where no timeout can stop it. What the prefix must survive is the group's optional slash, not its nesting.
    return atom + (quantifier if not atom.startswith("(") or quantifier in ("", "?", "??") else "?")


def sequences(atoms: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.tuples(atoms, st.sampled_from(QUANTIFIERS)).map(lambda pair: quantified(*pair)), comments())
    return st.lists(pieces, min_size=1, max_size=4).map("".join)


def alternations(atoms: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(sequences(atoms), min_size=1, max_size=3).map("|".join)


simple_atoms = st.one_of(st.sampled_from(LITERALS), bracket_expressions(), st.just("."))
atoms = st.recursive(simple_atoms, lambda inner: groups(alternations(inner)), max_leaves=6)
# Mostly plain text first, as real patterns have, so that the prefix has something to hold.
patterns = st.tuples(
    st.sampled_from(["", "", "^", r"\A", "(?i)", "(?x)"]),
    st.text(st.sampled_from("ab/-"), max_size=6),
    alternations(atoms),
).map("".join)


def compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # the resource refuses these; the prefix must hold anyway
            return re.compile(pattern)
    except re.error:
        return None


def assert_prefix_holds(regexp: re.Pattern[str], data: st.DataObject, draws: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # parsing again warns again, here and in from_regex
        prefix = literal_prefix(regexp.pattern)
        assert prefix == "" or prefix.endswith("/")
        keys = st.from_regex(regexp, fullmatch=True)
        for _ in range(draws):
            key = data.draw(keys)
            assert regexp.fullmatch(key)
            assert key.startswith(prefix), (regexp.pattern, prefix, key)


@given(pattern=patterns, data=st.data())
def test_every_key_the_regexp_matches_starts_with_its_prefix(pattern: str, data: st.DataObject) -> None:
    regexp = compiled(pattern)
    assume(regexp is not None)
    assert regexp is not None
    assert_prefix_holds(regexp, data, 3)


MISREAD_BEFORE = [
    r"a/[^](]|b/app-(.*)\.tgz",
    r"a/[]|(]|b/(.*)",
    r"a/[\]|(]|b/(.*)",
    r"a/(?#(|)b/(.*)|c/(.*)",
    "a/(?x: #)\n)|b/(.*)",
]


@pytest.mark.parametrize("pattern", MISREAD_BEFORE)
@settings(max_examples=examples(200))  # the pattern is fixed and only keys vary: a thousand of them are plenty
@given(data=st.data())
def test_the_prefix_holds_for_patterns_a_scan_misread(pattern: str, data: st.DataObject) -> None:
    regexp = compiled(pattern)
    assert regexp is not None
    assert_prefix_holds(regexp, data, 5)


def test_a_bracket_with_a_leading_bracket_does_not_hide_the_alternative(
    fake_bucket: FakeBucket, over_fake: Runner
) -> None:
    # Read as a scan reads it, [^](] opens a group and the | is inside it: the step listed only under a/ and failed.
    for key in ("bracket/a/x", "bracket/b/app-1.0.tgz", "bracket/b/app-2.0.tgz"):
        fake_bucket.put(key)
    params = {"regexp": r"a/[^](]|b/app-(.*)\.tgz", "verify": False}
    result = over_fake.get(fake_source(key_prefix="bracket/"), params)
    assert result.returncode == 0, result.stderr
    assert result.file("key") == "bracket/b/app-2.0.tgz"
    assert urlsplit(result.url).path == "/bucket/bracket/b/app-2.0.tgz"
