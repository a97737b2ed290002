"""Content-Disposition per RFC 6266: an ASCII fallback every client reads, filename* for the rest."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s3_presigned.disposition import content_disposition
from tests.support import parse_disposition

printable = st.characters(exclude_categories=("Cc", "Cs"))


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("file.txt", 'attachment; filename="file.txt"'),
        ('say "hi".txt', 'attachment; filename="say \\"hi\\".txt"'),
        ("back\\slash.txt", 'attachment; filename="back\\\\slash.txt"'),
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
