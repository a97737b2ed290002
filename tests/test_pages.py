"""The pages for people, rendered in-process: every value escaped, nothing fetched from outside, sizes readable."""

from __future__ import annotations

import base64
import json
import re

import pytest

from s3_presigned import pages

URL = "https://bucket.s3.eu-west-2.amazonaws.com/a%20b.txt?X-Amz-Signature=abc&X-Amz-Date=20260101T000000Z"
OUTSIDE = re.compile(r"""(?i)(<link\b|<img\b|<iframe\b|\bsrc\s*=|@import|url\(|<script\s+src)""")


def index(*rows: tuple[str, str, int | None]) -> str:
    parts = [pages.download_page_start("s3://bucket/release/<1.2>/", "2026-01-02T00:00:00Z")]
    parts += [pages.download_row(*row) for row in rows]
    return "".join([*parts, pages.DOWNLOAD_PAGE_END])


def form_page(accept: str | None = "image/*") -> str:
    policy = base64.b64encode(json.dumps({"conditions": [["content-length-range", 0, 100]]}).encode()).decode()
    fields = {"key": "in/${filename}", "policy": policy, "x-amz-signature": 'sig"<>'}
    return pages.upload_page("https://bucket.example/", fields, "up to 100 bytes", accept, "2026-01-02T00:00:00Z")


@pytest.mark.parametrize(
    ("size", "text"),
    [(None, "size unknown"), (0, "0 bytes"), (999, "999 bytes"), (1000, "1 KB"), (1_500_000, "1.5 MB"),
     (5 * 1024**3, "5.4 GB"), (10**16, "10000 TB")],
)  # fmt: skip
def test_sizes_read_as_a_person_reads_them(size: int | None, text: str) -> None:
    assert pages.size_text(size) == text


def test_the_download_page_escapes_names_links_and_title() -> None:
    page = index(('<script>alert("x")</script>.txt', URL, 12))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.txt" in page
    assert 'href="https://bucket.s3.eu-west-2.amazonaws.com/a%20b.txt?X-Amz-Signature=abc&amp;X-Amz-Date=' in page
    assert "<h1>s3://bucket/release/&lt;1.2&gt;/</h1>" in page
    assert "These links stop working at <time>2026-01-02T00:00:00Z</time>." in page
    assert '<span class="size">12 bytes</span>' in page


def test_pages_need_nothing_from_outside_and_fit_a_phone() -> None:
    for page in (index(("a.txt", URL, 1)), form_page()):
        assert not OUTSIDE.search(page), OUTSIDE.search(page)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert '<meta name="referrer" content="no-referrer">' in page  # the link never leaves in a Referer


def test_the_upload_page_carries_the_fields_escaped_and_the_file_last() -> None:
    page = form_page()
    assert '<input type="hidden" name="x-amz-signature" value="sig&quot;&lt;&gt;">' in page
    assert page.index('name="policy"') < page.index('type="file"')
    assert 'accept="image/*"' in page
    assert "One file, up to 100 bytes, of type image/*. This form stops working at" in page
    assert 'const accept = "image/*";' in page


def test_an_upload_page_for_any_type_says_none() -> None:
    page = form_page(None)
    assert "accept=" not in page
    assert "const accept = null;" in page
    assert "of type" not in page
