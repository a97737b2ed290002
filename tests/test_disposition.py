"""Content-Disposition per RFC 6266: an ASCII fallback every client reads, filename* for the rest."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3_presigned.request.disposition import content_disposition
from tests.support import parse_disposition

printable = st.characters(exclude_categories=("Cc", "Cs"))


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("file.txt", 'attachment; filename="file.txt"'),
        # Quotes and backslashes were backslash-escaped in the plain form, and curl -J does not undo escapes: it saved
        # the first under the URL's name and the second as "slash.txt". They now go in filename*, as '%' does.
        ('say "hi".txt', "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"),
        ("back\\slash.txt", "attachment; filename=\"back_slash.txt\"; filename*=UTF-8''back%5Cslash.txt"),
        # Chromium decodes RFC 2047 words in the plain form: it dropped this name and saved under the URL's.
        ("why =?.txt", "attachment; filename=\"why =_.txt\"; filename*=UTF-8''why%20%3D%3F.txt"),
        # And it dropped a lone '=' from the plain form, saving "1 + 1 2.txt".
        ("1 + 1 = 2.txt", "attachment; filename=\"1 + 1 = 2.txt\"; filename*=UTF-8''1%20+%201%20%3D%202.txt"),
        ("a=b.txt", 'attachment; filename="a=b.txt"'),
        ("résumé.pdf", "attachment; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"),
        ("日本.txt", "attachment; filename=\"__.txt\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"),
        ("100%.txt", "attachment; filename=\"100_.txt\"; filename*=UTF-8''100%25.txt"),
    ],
)
def test_known_headers(name: str, header: str) -> None:
    assert content_disposition("attachment", name) == header


def test_inline_without_a_name() -> None:
    assert content_disposition("inline", None) == "inline"


@given(st.text(printable, min_size=1, max_size=80))
def test_every_name_decodes_back(name: str) -> None:
    header = content_disposition("attachment", name)
    assert header.isascii()
    assert "\r" not in header
    assert "\n" not in header
    assert parse_disposition(header) == ("attachment", name)


@given(st.text(printable, min_size=1, max_size=80))
def test_the_plain_form_holds_only_what_every_client_reads(name: str) -> None:
    header = content_disposition("attachment", name)
    match = re.fullmatch(r"attachment; filename=\"([^\"\\%?]*)\"(; filename\*=UTF-8''\S+)?", header)
    assert match is not None, header
    plain, extended = match.groups()
    assert plain.isascii()
    if extended is None:
        assert plain == name
